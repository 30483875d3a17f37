package dev.strata.hsm;

/** The stored state of a task. Whether a lease has expired is decided against the caller's clock. */
public enum TaskState {
    /** Waiting to be leased, possibly not before {@link Task#notBeforeMillis()} (backoff). */
    QUEUED('Q'),
    /** Taken by a worker until {@link Task#leaseUntilMillis()}; after that, runnable again. */
    LEASED('L'),
    /** Failed {@code maxAttempts} times; kept with its error until retried or discarded by an operator. */
    DEAD('X');

    private final byte code;

    TaskState(char code) {
        this.code = (byte) code;
    }

    byte code() {
        return code;
    }

    static TaskState ofCode(int code) {
        for (TaskState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }
}
