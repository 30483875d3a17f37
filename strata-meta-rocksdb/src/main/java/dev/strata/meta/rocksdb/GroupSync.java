package dev.strata.meta.rocksdb;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for {@code sync()}. Commits are numbered in the order they returned; a sync must
 * cover every commit that returned before it was called. One caller at a time flushes, and records
 * the highest commit number its flush covered; callers queued behind it find their commits already
 * covered and return without a flush of their own. Under load, one fsync serves many callers.
 *
 * <p>Thread-safety: {@link #committed} is called under the store's commit lock, {@link #sync} from
 * any thread; {@code flushLock} guards the flush, {@code synced} and {@code committed} are atomics.
 */
final class GroupSync {
    /** The flush itself: everything written before the call is durable when it returns. */
    interface Flush<E extends Exception> {
        void run() throws E;
    }

    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong synced = new AtomicLong();
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();
    private final ReentrantLock flushLock = new ReentrantLock();

    /** Records that one more commit has returned (or is about to). */
    void committed() {
        committed.incrementAndGet();
    }

    <E extends Exception> void sync(Flush<E> flush) throws E {
        calls.incrementAndGet();
        long target = committed.get();
        if (synced.get() >= target) {
            return;
        }
        flushLock.lock();
        try {
            if (synced.get() >= target) {
                return; // the flush we waited for covered us
            }
            // Read before flushing: every commit counted here has written its journal record, so
            // the flush covers it. Commits that land during the flush are left for the next one.
            long covered = committed.get();
            flush.run();
            flushes.incrementAndGet();
            synced.set(covered);
        } finally {
            flushLock.unlock();
        }
    }

    /** How many journal flushes ran: with group commit, fewer than {@link #calls()} under load. */
    long flushes() {
        return flushes.get();
    }

    long calls() {
        return calls.get();
    }

    /** Callers queued behind a running flush (for tests). */
    int waiting() {
        return flushLock.getQueueLength();
    }
}
