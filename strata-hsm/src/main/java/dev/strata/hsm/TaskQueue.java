package dev.strata.hsm;

import dev.strata.core.FsException;
import dev.strata.core.meta.MetadataStore;
import dev.strata.core.meta.Mutation;
import dev.strata.core.meta.RecordSpace;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

/**
 * The data mover's durable work queue, kept in the metadata store ({@code RecordSpace.TASK}) so a
 * task commits atomically with the change that caused it and with the effect that completes it.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>No task is lost.</b> Enqueue rides in the caller's commit; completion too. A worker that
 *       dies holding a lease leaves the task {@code LEASED} in the store; once the lease expires the
 *       task is runnable again, for this or a new queue instance.</li>
 *   <li><b>At least once.</b> A task whose worker crashed before committing its completion is run
 *       again, so task effects must be idempotent (object-store puts, copies and deletes are). A
 *       worker that outlives its lease may finish concurrently with the next one; renew long leases
 *       with {@link #renew}.</li>
 *   <li><b>Lanes.</b> {@link Lane#ARCHIVE} and {@link Lane#RESTORE} hand out any runnable tasks in
 *       id order. {@link Lane#NAMESPACE} hands out only its oldest task, and only when that one is
 *       not held: renames and deletes must reach the bucket in commit order. A dead namespace task
 *       therefore blocks its lane until an operator retries or discards it — skipping it could
 *       replay a later rename onto a key an earlier one was meant to free.</li>
 *   <li><b>Bounded retries.</b> {@link #fail} backs off exponentially with jitter, from
 *       {@link Options#baseBackoffMillis} up to {@link Options#maxBackoffMillis}; after
 *       {@link Options#maxAttempts} failures the task is dead, kept with its error.</li>
 * </ul>
 *
 * <h2>Ids</h2>
 * One sequence, persisted as the counter {@value #SEQ_COUNTER}: each enqueue takes the next number
 * under this queue's lock and adds {@code SetCounter(next)} to the caller's mutation. Callers commit
 * concurrently, so a commit holding a smaller number may land after one holding a larger, leaving
 * the stored counter behind a stored task; on open the queue therefore also looks past the counter
 * (only there, so opening costs the few tasks enqueued last, not the queue). Numbers of mutations
 * that were never committed are skipped, which is harmless.
 *
 * <p>For the namespace lane id order must be commit order. Either enqueue and commit under one
 * lock that orders those commits (the engine's namespace lock does), or use
 * {@link #enqueueAndCommit}, which holds this queue's lock across the commit.
 *
 * <h2>Concurrency</h2>
 * All methods are thread-safe. One lock guards the sequence, the random source and every
 * read-modify-write of task records ({@link #lease}, {@link #fail}, {@link #renew},
 * {@link #retryDead}, {@link #discardDead}); it is taken after any engine lock and before the
 * store's, never the other way. One queue instance per store and process.
 *
 * <h2>Cost</h2>
 * Leasing scans the lane's records in id order (pages of {@value #SCAN_PAGE}) until it has
 * {@code max} runnable tasks: proportional to the tasks ahead of them (held, backing off or dead).
 * {@link #counts} and {@link #deadLetters} scan the whole queue; they are for status output.
 */
public final class TaskQueue {
    /** The counter holding the next task sequence number. */
    public static final String SEQ_COUNTER = "hsm.task.seq";
    static final int SCAN_PAGE = 256;

    /**
     * @param maxAttempts failures after which a task is dead (at least 1)
     * @param baseBackoffMillis delay after the first failure, before jitter
     * @param maxBackoffMillis the largest delay
     * @param maxLeaseBatch the most tasks one {@link #lease} call hands out
     */
    public record Options(int maxAttempts, long baseBackoffMillis, long maxBackoffMillis, int maxLeaseBatch) {
        public static final Options DEFAULTS = new Options(8, 1_000, 300_000, 256);

        public Options {
            if (maxAttempts < 1 || baseBackoffMillis < 1 || maxBackoffMillis < baseBackoffMillis || maxLeaseBatch < 1) {
                throw new IllegalArgumentException("bad queue options: " + maxAttempts + ", " + baseBackoffMillis
                        + ", " + maxBackoffMillis + ", " + maxLeaseBatch);
            }
        }
    }

    /**
     * What status output shows per lane.
     *
     * @param ready runnable now
     * @param waiting queued but backing off
     * @param leased held by a worker whose lease has not expired
     * @param dead dead letters
     * @param oldestEnqueuedMillis enqueue time of the oldest live (not dead) task, 0 if none
     */
    public record LaneCounts(long ready, long waiting, long leased, long dead, long oldestEnqueuedMillis) {
        /** Tasks still to be done (dead letters excluded): the queue length. */
        public long pending() {
            return ready + waiting + leased;
        }
    }

    private final MetadataStore store;
    private final Options options;
    private final RandomGenerator random;
    private final ReentrantLock lock = new ReentrantLock();
    /** The next sequence number; guarded by {@link #lock}. */
    private long nextSeq;

    /**
     * Opens the queue over {@code store}.
     *
     * @param random the jitter source; pass a seeded one in tests
     */
    public TaskQueue(MetadataStore store, Options options, RandomGenerator random) throws FsException {
        this.store = Objects.requireNonNull(store, "store");
        this.options = Objects.requireNonNull(options, "options");
        this.random = Objects.requireNonNull(random, "random");
        this.nextSeq = recoverNextSeq();
    }

    private long recoverNextSeq() throws FsException {
        long next = Math.max(1, store.counter(SEQ_COUNTER));
        long highest = next - 1;
        for (Lane lane : Lane.values()) {
            long after = lane.firstId() | (next - 1);
            while (true) {
                List<RecordSpace.Record> page = store.records(RecordSpace.TASK, after, SCAN_PAGE);
                boolean left = false;
                for (RecordSpace.Record r : page) {
                    if (!lane.owns(r.id())) {
                        left = true;
                        break;
                    }
                    highest = Math.max(highest, r.id() & Lane.SEQ_MASK);
                    after = r.id();
                }
                if (left || page.size() < SCAN_PAGE) {
                    break;
                }
            }
        }
        return highest + 1;
    }

    /** The next sequence number: changes whenever a task is enqueued (whether or not committed yet). */
    public long sequence() {
        lock.lock();
        try {
            return nextSeq;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code lane} holds any task (queued, leased or dead): one seek. */
    public boolean hasPending(Lane lane) throws FsException {
        List<RecordSpace.Record> first = store.records(RecordSpace.TASK, lane.firstId(), 1);
        return !first.isEmpty() && lane.owns(first.get(0).id());
    }

    /**
     * Adds the task to {@code m} (the record and the advanced id counter); it exists once the caller
     * commits {@code m}. Returns the task's id. See the class comment for namespace-lane ordering.
     */
    public long enqueue(Mutation m, Task.Request request, long nowMillis) {
        Objects.requireNonNull(m, "m");
        Objects.requireNonNull(request, "request");
        lock.lock();
        try {
            return addTo(m, request, nowMillis);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds the tasks to {@code m} and commits it, holding this queue's lock throughout, so the ids
     * of tasks enqueued this way are in commit order whatever the callers' own locking. Returns the
     * ids in request order.
     */
    public List<Long> enqueueAndCommit(Mutation m, List<Task.Request> requests, long nowMillis) throws FsException {
        lock.lock();
        try {
            List<Long> ids = new ArrayList<>(requests.size());
            long seqBefore = nextSeq;
            for (Task.Request r : requests) {
                ids.add(addTo(m, r, nowMillis));
            }
            try {
                store.commit(m);
            } catch (FsException | RuntimeException e) {
                // Nothing was stored: reuse the numbers, so a failed commit leaves no gap either.
                nextSeq = seqBefore;
                throw e;
            }
            return ids;
        } finally {
            lock.unlock();
        }
    }

    private long addTo(Mutation m, Task.Request r, long nowMillis) {
        long id = r.kind().lane().idOf(nextSeq);
        nextSeq++;
        Task t = new Task(id, r.kind(), r.ino(), r.key(), r.toKey(), 0, 0, nowMillis, r.notBeforeMillis(), 0,
                TaskState.QUEUED, "");
        m.putRecord(RecordSpace.TASK, id, TaskCodec.encode(t));
        m.setCounter(SEQ_COUNTER, nextSeq);
        return id;
    }

    /**
     * Takes up to {@code max} runnable tasks of {@code lane} (queued and due, or leased with the
     * lease expired) in id order and marks them leased until {@code nowMillis + leaseMillis}, in one
     * commit. The namespace lane returns at most its oldest task, and nothing while that one is
     * held, backing off or dead.
     */
    public List<Task> lease(Lane lane, long nowMillis, long leaseMillis, int max) throws FsException {
        if (leaseMillis < 1 || max < 1) {
            throw new IllegalArgumentException("lease " + leaseMillis + " ms, max " + max);
        }
        int limit = lane == Lane.NAMESPACE ? 1 : Math.min(max, options.maxLeaseBatch());
        lock.lock();
        try {
            List<Task> taken = new ArrayList<>();
            Mutation m = new Mutation();
            long after = lane.firstId();
            scan:
            while (true) {
                List<RecordSpace.Record> page = store.records(RecordSpace.TASK, after, SCAN_PAGE);
                for (RecordSpace.Record r : page) {
                    if (!lane.owns(r.id())) {
                        break scan;
                    }
                    after = r.id();
                    Task t = TaskCodec.decode(r.id(), r.value());
                    if (t.runnableAt(nowMillis)) {
                        Task leased = t.withState(TaskState.LEASED, t.attempts(), t.notBeforeMillis(),
                                nowMillis + leaseMillis, t.leaseCount() + 1, t.lastError());
                        m.putRecord(RecordSpace.TASK, t.id(), TaskCodec.encode(leased));
                        taken.add(leased);
                    }
                    if (lane == Lane.NAMESPACE || taken.size() >= limit) {
                        // The namespace lane looks at its oldest task only, runnable or not.
                        break scan;
                    }
                }
                if (page.size() < SCAN_PAGE) {
                    break;
                }
            }
            if (!m.isEmpty()) {
                store.commit(m);
            }
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds the task's removal to {@code m}: commit it with the task's effect (the HSM state change,
     * the new namespace record) so that either both happen or the task is redone.
     */
    public void complete(Mutation m, long taskId) {
        if (Lane.ofId(taskId) == null) {
            throw new IllegalArgumentException("not a task id: " + taskId);
        }
        m.deleteRecord(RecordSpace.TASK, taskId);
    }

    /**
     * Records a failed attempt: the task is queued again after a backoff, or dead after
     * {@link Options#maxAttempts}. Returns the stored task, or empty if it no longer exists (another
     * worker completed it after this one's lease expired).
     */
    public Optional<Task> fail(long taskId, String error, long nowMillis) throws FsException {
        Objects.requireNonNull(error, "error");
        lock.lock();
        try {
            Optional<Task> found = read(taskId);
            if (found.isEmpty() || found.get().state() == TaskState.DEAD) {
                return found;
            }
            Task t = found.get();
            int attempts = t.attempts() + 1;
            Task next = attempts >= options.maxAttempts()
                    ? t.withState(TaskState.DEAD, attempts, t.notBeforeMillis(), 0, t.leaseCount(), error)
                    : t.withState(TaskState.QUEUED, attempts, nowMillis + backoffMillis(attempts), 0, t.leaseCount(),
                            error);
            store.commit(new Mutation().putRecord(RecordSpace.TASK, taskId, TaskCodec.encode(next)));
            return Optional.of(next);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The delay after the {@code attempts}-th failure: {@code base * 2^(attempts-1)}, capped, of
     * which the upper half is random ("equal jitter": never less than half the nominal delay, so a
     * throttled store gets real relief, and spread so retries of a burst do not arrive together).
     * Guarded by {@link #lock} (the random source is not thread-safe).
     */
    long backoffMillis(int attempts) {
        int shift = Math.min(attempts - 1, 62);
        long nominal = options.baseBackoffMillis() > (options.maxBackoffMillis() >> shift)
                ? options.maxBackoffMillis()
                : options.baseBackoffMillis() << shift;
        long half = nominal / 2;
        return nominal - half + random.nextLong(half + 1);
    }

    /**
     * Extends a lease the caller still holds, for work longer than one lease (a large upload).
     * Returns false if the task is gone or was leased again meanwhile ({@code leaseCount} differs):
     * the caller has lost it and should stop.
     */
    public boolean renew(Task leased, long nowMillis, long leaseMillis) throws FsException {
        lock.lock();
        try {
            Optional<Task> found = read(leased.id());
            if (found.isEmpty() || found.get().state() != TaskState.LEASED
                    || found.get().leaseCount() != leased.leaseCount()) {
                return false;
            }
            Task t = found.get();
            Task next = t.withState(TaskState.LEASED, t.attempts(), t.notBeforeMillis(), nowMillis + leaseMillis,
                    t.leaseCount(), t.lastError());
            store.commit(new Mutation().putRecord(RecordSpace.TASK, t.id(), TaskCodec.encode(next)));
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The stored task, if it exists. */
    public Optional<Task> read(long taskId) throws FsException {
        Optional<byte[]> value = store.record(RecordSpace.TASK, taskId);
        return value.isEmpty() ? Optional.empty() : Optional.of(TaskCodec.decode(taskId, value.get()));
    }

    /** Dead tasks of all lanes, in lane then id order, at most {@code limit}. */
    public List<Task> deadLetters(int limit) throws FsException {
        List<Task> dead = new ArrayList<>();
        long after = 0;
        while (dead.size() < limit) {
            List<RecordSpace.Record> page = store.records(RecordSpace.TASK, after, SCAN_PAGE);
            for (RecordSpace.Record r : page) {
                after = r.id();
                Task t = TaskCodec.decode(r.id(), r.value());
                if (t.state() == TaskState.DEAD && dead.size() < limit) {
                    dead.add(t);
                }
            }
            if (page.size() < SCAN_PAGE) {
                break;
            }
        }
        return dead;
    }

    /** Puts a dead task back in its lane with a fresh attempt budget. False if it is not dead. */
    public boolean retryDead(long taskId) throws FsException {
        lock.lock();
        try {
            Optional<Task> found = read(taskId);
            if (found.isEmpty() || found.get().state() != TaskState.DEAD) {
                return false;
            }
            Task t = found.get();
            Task next = t.withState(TaskState.QUEUED, 0, 0, 0, t.leaseCount(), t.lastError());
            store.commit(new Mutation().putRecord(RecordSpace.TASK, taskId, TaskCodec.encode(next)));
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops a dead task for good (an operator's decision, e.g. to unblock the namespace lane after
     * fixing the bucket by hand). False if it is not dead.
     */
    public boolean discardDead(long taskId) throws FsException {
        lock.lock();
        try {
            Optional<Task> found = read(taskId);
            if (found.isEmpty() || found.get().state() != TaskState.DEAD) {
                return false;
            }
            store.commit(new Mutation().deleteRecord(RecordSpace.TASK, taskId));
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Per-lane counts at {@code nowMillis}, for {@code strata status} and {@code strata hsm queue}. */
    public Map<Lane, LaneCounts> counts(long nowMillis) throws FsException {
        Map<Lane, long[]> acc = new EnumMap<>(Lane.class);
        for (Lane lane : Lane.values()) {
            acc.put(lane, new long[] {0, 0, 0, 0, Long.MAX_VALUE});
        }
        long after = 0;
        while (true) {
            List<RecordSpace.Record> page = store.records(RecordSpace.TASK, after, SCAN_PAGE);
            for (RecordSpace.Record r : page) {
                after = r.id();
                Task t = TaskCodec.decode(r.id(), r.value());
                long[] c = acc.get(t.lane());
                int slot = t.state() == TaskState.DEAD ? 3
                        : t.leasedAt(nowMillis) ? 2
                        : t.runnableAt(nowMillis) ? 0 : 1;
                c[slot]++;
                if (slot != 3) {
                    c[4] = Math.min(c[4], t.enqueuedAtMillis());
                }
            }
            if (page.size() < SCAN_PAGE) {
                break;
            }
        }
        Map<Lane, LaneCounts> out = new EnumMap<>(Lane.class);
        acc.forEach((lane, c) -> out.put(lane,
                new LaneCounts(c[0], c[1], c[2], c[3], c[4] == Long.MAX_VALUE ? 0 : c[4])));
        return out;
    }
}
