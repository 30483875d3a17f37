package dev.strata.hsm;

import java.util.Objects;

/**
 * One unit of mover work as stored in {@code RecordSpace.TASK} under its {@link #id}. Everything a
 * worker needs after a crash is here; the queue keeps no other state.
 *
 * @param id unique, increasing within a lane (the lane is encoded in the top byte)
 * @param kind what to do; determines the lane
 * @param ino the inode concerned (0 for pure key operations such as a prefix rename)
 * @param key the object key captured at enqueue
 * @param toKey the destination of a rename, "" for other kinds
 * @param attempts failed attempts so far
 * @param leaseCount how often the task was leased; a worker's lease is current while this is unchanged
 * @param enqueuedAtMillis when the task was enqueued, for the queue-age metric
 * @param notBeforeMillis not runnable before this time (backoff after a failure)
 * @param leaseUntilMillis while {@link TaskState#LEASED}, invisible to other workers until then
 * @param state queued, leased or dead
 * @param lastError the last failure's message, "" if none
 */
public record Task(long id, TaskKind kind, long ino, String key, String toKey, int attempts, int leaseCount,
        long enqueuedAtMillis, long notBeforeMillis, long leaseUntilMillis, TaskState state, String lastError) {

    public Task {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(toKey, "toKey");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(lastError, "lastError");
        lastError = HsmRecord.shorten(lastError);
    }

    public Lane lane() {
        return kind.lane();
    }

    /** Whether a worker may lease it at {@code nowMillis}. */
    public boolean runnableAt(long nowMillis) {
        return switch (state) {
            case QUEUED -> notBeforeMillis <= nowMillis;
            case LEASED -> leaseUntilMillis <= nowMillis;
            case DEAD -> false;
        };
    }

    /** Whether a worker holds it at {@code nowMillis} (leased and the lease has not expired). */
    public boolean leasedAt(long nowMillis) {
        return state == TaskState.LEASED && leaseUntilMillis > nowMillis;
    }

    Task withState(TaskState newState, int newAttempts, long newNotBefore, long newLeaseUntil, int newLeaseCount,
            String error) {
        return new Task(id, kind, ino, key, toKey, newAttempts, newLeaseCount, enqueuedAtMillis, newNotBefore,
                newLeaseUntil, newState, error);
    }

    /**
     * What a caller asks to have done; the queue assigns id and bookkeeping.
     *
     * @param notBeforeMillis earliest start (0: now), e.g. an archive delayed to collect more writes
     */
    public record Request(TaskKind kind, long ino, String key, String toKey, long notBeforeMillis) {
        public Request {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(toKey, "toKey");
            if (key.isEmpty()) {
                throw new IllegalArgumentException(kind + " task needs a key");
            }
            if (kind.needsToKey() == toKey.isEmpty()) {
                throw new IllegalArgumentException(kind + (kind.needsToKey() ? " task needs" : " task takes no")
                        + " destination key: '" + toKey + "'");
            }
        }

        public static Request of(TaskKind kind, long ino, String key) {
            return new Request(kind, ino, key, "", 0);
        }

        public static Request rename(TaskKind kind, long ino, String fromKey, String toKey) {
            return new Request(kind, ino, fromKey, toKey, 0);
        }
    }
}
