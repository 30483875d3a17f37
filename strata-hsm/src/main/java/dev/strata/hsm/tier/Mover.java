package dev.strata.hsm.tier;

import dev.strata.core.FsException;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mark;
import dev.strata.core.meta.Mutation;
import dev.strata.core.store.ObjectStoreException;
import dev.strata.hsm.HsmRecord;
import dev.strata.hsm.HsmTransitions;
import dev.strata.hsm.Lane;
import dev.strata.hsm.MirrorKeys;
import dev.strata.hsm.Task;
import dev.strata.hsm.TaskKind;
import dev.strata.hsm.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data mover's threads: bounded archive and restore workers, one namespace worker (its lane
 * is strictly ordered), and the scheduler that turns dirty files due under their policy into
 * archive tasks. Workers lease tasks from the durable {@code TaskQueue}; a task ends by being
 * completed (removed) or failed (retried with backoff, dead after the queue's attempt limit).
 */
final class Mover {
    private static final Logger LOG = LoggerFactory.getLogger(Mover.class);
    private static final long IDLE_POLL_MILLIS = 200;

    private final HsmTiering t;
    private final List<Thread> threads = new ArrayList<>();
    private final Object signal = new Object();
    /** Files with an archive (restore) task queued by this process, so the scheduler does not add another. */
    private final Set<Long> archiveQueued = ConcurrentHashMap.newKeySet();
    private final Set<Long> restoreQueued = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private final java.util.concurrent.ScheduledExecutorService renewals =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("strata-mover-lease").factory());

    Mover(HsmTiering t) {
        this.t = t;
    }

    void start() {
        running = true;
        threads.add(Thread.ofPlatform().daemon().name("strata-mover-namespace").start(() -> work(Lane.NAMESPACE)));
        for (int i = 0; i < t.options.archiveWorkers(); i++) {
            threads.add(Thread.ofPlatform().daemon().name("strata-mover-archive-" + i).start(() -> work(Lane.ARCHIVE)));
        }
        for (int i = 0; i < t.options.restoreWorkers(); i++) {
            threads.add(Thread.ofPlatform().daemon().name("strata-mover-restore-" + i).start(() -> work(Lane.RESTORE)));
        }
        threads.add(Thread.ofPlatform().daemon().name("strata-mover-scheduler").start(this::schedule));
    }

    void stop() {
        running = false;
        for (Thread th : threads) {
            th.interrupt();
        }
        renewals.shutdown();
        for (Thread th : threads) {
            try {
                th.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    void enqueueArchive(long ino) throws FsException {
        enqueue(TaskKind.ARCHIVE, archiveQueued, ino);
    }

    void enqueueRestore(long ino) throws FsException {
        enqueue(TaskKind.RESTORE, restoreQueued, ino);
    }

    /** Queues one task of {@code kind} for {@code ino} unless this process has one queued already. */
    private void enqueue(TaskKind kind, Set<Long> queued, long ino) throws FsException {
        if (!queued.add(ino)) {
            return;
        }
        try {
            t.queue.enqueueAndCommit(new Mutation(), List.of(Task.Request.of(kind, ino, label(ino))),
                    System.currentTimeMillis());
        } catch (FsException | RuntimeException e) {
            queued.remove(ino);
            throw e;
        }
        wake();
    }

    /** The file's key for display in the queue; archive and restore resolve the key when they run. */
    private String label(long ino) {
        try {
            return t.paths.currentKey(ino, false).orElse("inode-" + ino);
        } catch (FsException | MirrorKeys.Unmirrorable e) {
            return "inode-" + ino;
        }
    }

    private void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void idle() throws InterruptedException {
        synchronized (signal) {
            signal.wait(IDLE_POLL_MILLIS);
        }
    }

    private void work(Lane lane) {
        long leaseMillis = t.options.lease().toMillis();
        while (running) {
            try {
                List<Task> tasks = t.queue.lease(lane, System.currentTimeMillis(), leaseMillis, 1);
                if (tasks.isEmpty()) {
                    idle();
                    continue;
                }
                for (Task task : tasks) {
                    run(task, leaseMillis);
                }
            } catch (InterruptedException e) {
                return;
            } catch (FsException | RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warn("mover {} lane: {}", lane, e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void run(Task task, long leaseMillis) throws FsException {
        Runnable renew = () -> {
            try {
                t.queue.renew(task, System.currentTimeMillis(), leaseMillis);
            } catch (FsException e) {
                LOG.warn("could not renew the lease of task {}: {}", task.id(), e.getMessage());
            }
        };
        // Long uploads keep their lease alive, so a short lease can bring a dead process's tasks back soon.
        var renewal = renewals.scheduleAtFixedRate(renew, leaseMillis / 3, leaseMillis / 3,
                java.util.concurrent.TimeUnit.MILLISECONDS);
        try {
            runLeased(task, renew);
        } finally {
            renewal.cancel(false);
        }
    }

    private void runLeased(Task task, Runnable renew) throws FsException {
        try {
            switch (task.kind()) {
                case ARCHIVE -> {
                    Archiver.Outcome o = t.archiver.archive(task.ino());
                    LOG.debug("archive of inode {}: {}", task.ino(), o);
                }
                case RESTORE -> t.restorer.restore(task.ino());
                default -> t.replay.run(task, renew);
            }
        } catch (FsException | ObjectStoreException | RuntimeException e) {
            if (!running) {
                // Shutting down: hand the task back at once (no attempt counted), so the next start
                // runs it without waiting for the lease to expire.
                try {
                    t.queue.renew(task, System.currentTimeMillis(), 1);
                } catch (FsException | RuntimeException ignored) {
                    // the lease expires on its own
                }
                return;
            }
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            Optional<Task> after = t.queue.fail(task.id(), why, System.currentTimeMillis());
            if (after.isPresent() && after.get().state() == TaskState.DEAD) {
                LOG.error("task {} ({} {}) gave up after {} attempts: {}", task.id(), task.kind(), task.key(),
                        after.get().attempts(), why);
                forget(task);
            } else {
                LOG.warn("task {} ({} {}) failed, will retry: {}", task.id(), task.kind(), task.key(), why);
            }
            return;
        }
        Mutation m = new Mutation();
        t.queue.complete(m, task.id());
        t.meta().commit(m);
        forget(task);
    }

    private void forget(Task task) {
        if (task.kind() == TaskKind.ARCHIVE) {
            archiveQueued.remove(task.ino());
        } else if (task.kind() == TaskKind.RESTORE) {
            restoreQueued.remove(task.ino());
        }
    }

    /** A dirty file and when the scheduler should look at it. */
    private record Due(long atMillis, long ino) {}

    private final java.util.concurrent.PriorityBlockingQueue<Due> due =
            new java.util.concurrent.PriorityBlockingQueue<>(64, java.util.Comparator.comparingLong(Due::atMillis));

    /** The delay after a file's first unarchived change at which the scheduler archives it. */
    static long dueDelayMillis(Policy p) {
        long maxAge = p.maxDirtyAge().toMillis();
        return Math.min(maxAge / 2, Math.max(1000, maxAge / 10));
    }

    /** A file became dirty (its first change since an archive): look at it when due under {@code p}. */
    void dirtied(long ino, long dirtySinceMillis, Policy p) {
        if (p.durability() != Policy.Durability.SCRATCH) {
            due.add(new Due(dirtySinceMillis + dueDelayMillis(p), ino));
        }
    }

    /**
     * Every scan interval: the files whose due time has come get an archive task. Due means older
     * than a tenth of the max dirty age (at least a second, at most half of it) with no writer
     * open, or older than half of it regardless, so the copy lands within the age even when a
     * writer keeps the file open (later writes are noticed when it closes). The due times are
     * kept in memory, fed by the engine's dirty events and, at start, by one pass over
     * {@code Mark.DIRTY}: each scan costs the files due, not the files dirty.
     */
    private void schedule() {
        try {
            seed();
        } catch (FsException | RuntimeException e) {
            LOG.warn("archive scheduler could not read the dirty files ({}); they are archived on request", e.toString());
        }
        while (running) {
            try {
                Thread.sleep(t.options.scanInterval().toMillis());
                scanOnce();
            } catch (InterruptedException e) {
                return;
            } catch (FsException | RuntimeException e) {
                if (running) {
                    LOG.warn("archive scheduler: {}", e.toString());
                }
            }
        }
    }

    private void seed() throws FsException {
        for (long ino : t.meta().marked(Mark.DIRTY)) {
            HsmRecord h = HsmTransitions.current(t.meta(), ino);
            Optional<InodeRecord> rec = t.meta().inode(ino);
            if (rec.isPresent() && h.state().needsArchive()) {
                dirtied(ino, h.dirtySinceMillis(), t.policies.of(rec.get().parent()).policy());
            }
        }
    }

    void scanOnce() throws FsException {
        long now = System.currentTimeMillis();
        while (running) {
            Due d = due.peek();
            if (d == null || d.atMillis() > now) {
                return;
            }
            due.poll();
            long again = consider(d.ino(), now);
            if (again > 0) {
                due.add(new Due(again, d.ino()));
            }
        }
    }

    /** Queues an archive of {@code ino} if it is due; returns when to look again, or 0 for never. */
    private long consider(long ino, long now) throws FsException {
        if (archiveQueued.contains(ino)) {
            return now + 1000; // its task may still fail; look again
        }
        HsmRecord h = HsmTransitions.current(t.meta(), ino);
        if (!h.state().needsArchive()) {
            return 0;
        }
        Optional<InodeRecord> rec = t.meta().inode(ino);
        if (rec.isEmpty() || rec.get().nlink() == 0) {
            return 0;
        }
        Policy p = t.policies.of(rec.get().parent()).policy();
        if (p.durability() == Policy.Durability.SCRATCH) {
            return 0;
        }
        long maxAge = p.maxDirtyAge().toMillis();
        long age = now - h.dirtySinceMillis();
        if (age < dueDelayMillis(p)) {
            return h.dirtySinceMillis() + dueDelayMillis(p);
        }
        int writers = t.host().update(ino, (c, r, w, o) -> w);
        if (writers == 0 || age >= maxAge / 2) {
            enqueueArchive(ino);
            return now + Math.max(1000, maxAge / 10); // make sure it landed
        }
        return h.dirtySinceMillis() + maxAge / 2;
    }
}
