package dev.strata.meta.rocksdb;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for {@code sync()}. Commits are numbered in the order they returned; a sync must
 * cover every commit that returned before it was called. One caller at a time (the leader)
 * flushes, outside the lock, and afterwards records the highest commit number its flush covered and
 * wakes the callers that arrived meanwhile. Those whose commits are covered return at once; of the
 * rest, one becomes the next leader and flushes for all of them. Under load, one fsync serves many.
 *
 * <p>Waiters wait on a condition, not on the flush itself: a caller whose commit the last flush
 * covered must never sit behind the next flush just to find that out.
 *
 * <p>Thread-safety: {@link #committed} is called under the store's commit lock, {@link #sync} from
 * any thread. {@code lock} guards {@code flushing} and {@code synced}; the flush runs unlocked.
 */
final class GroupSync {
    /** The flush itself: everything written before the call is durable when it returns. */
    interface Flush<E extends Exception> {
        void run() throws E;
    }

    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition flushDone = lock.newCondition();
    private volatile long synced; // written under lock; read without it on the fast path
    private boolean flushing;
    private int waiting;

    /** Records that one more commit has returned (or is about to). */
    void committed() {
        committed.incrementAndGet();
    }

    <E extends Exception> void sync(Flush<E> flush) throws E {
        calls.incrementAndGet();
        long target = committed.get();
        if (synced >= target) {
            return;
        }
        lock.lock();
        try {
            while (flushing && synced < target) {
                waiting++;
                flushDone.awaitUninterruptibly();
                waiting--;
            }
            if (synced >= target) {
                return; // a flush that ran while we waited covered us
            }
            flushing = true;
        } finally {
            lock.unlock();
        }
        // Read before flushing: every commit counted here has written its journal record, so the
        // flush covers it. Commits that land during the flush are left for the next leader.
        long covered = committed.get();
        boolean done = false;
        try {
            flush.run();
            flushes.incrementAndGet();
            done = true;
        } finally {
            lock.lock();
            try {
                flushing = false;
                if (done && covered > synced) {
                    synced = covered;
                }
                // On failure too: a waiter then becomes leader and tries again, and reports its own error.
                flushDone.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** How many journal flushes ran: with group commit, fewer than {@link #calls()} under load. */
    long flushes() {
        return flushes.get();
    }

    long calls() {
        return calls.get();
    }

    /** Callers waiting for a running flush to finish (for tests). */
    int waiting() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }
}
