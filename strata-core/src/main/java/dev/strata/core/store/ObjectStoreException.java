package dev.strata.core.store;

/**
 * An object-store call failed. The subtype says what a caller can do about it: retry
 * ({@link Transient}), give up on this key ({@link NotFound}, {@link PreconditionFailed}) or tell an
 * operator ({@link Permanent}). Messages name the store, the key and the store's own error code.
 */
public abstract sealed class ObjectStoreException extends Exception {

    private ObjectStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether repeating the same call later may succeed. */
    public abstract boolean retryable();

    /** The key (or upload) does not exist. */
    public static final class NotFound extends ObjectStoreException {
        public NotFound(String message) { super(message, null); }
        @Override public boolean retryable() { return false; }
    }

    /** The object is not the version the caller named (its etag changed). */
    public static final class PreconditionFailed extends ObjectStoreException {
        public PreconditionFailed(String message) { super(message, null); }
        @Override public boolean retryable() { return false; }
    }

    /**
     * Throttling (HTTP 429, 503 SlowDown, Azure ServerBusy), a server error (500, 502, 504), a reset
     * connection or a timeout: the call may or may not have taken effect, and may be repeated.
     */
    public static final class Transient extends ObjectStoreException {
        private final boolean throttled;

        public Transient(String message, boolean throttled, Throwable cause) {
            super(message, cause);
            this.throttled = throttled;
        }

        /** The store asked us to slow down (as opposed to failing). */
        public boolean throttled() { return throttled; }

        @Override public boolean retryable() { return true; }
    }

    /**
     * Retrying will not help: bad credentials, a missing bucket or container, a key or metadata the
     * store refuses, a checksum the store rejected as wrong for the bytes we sent twice.
     */
    public static final class Permanent extends ObjectStoreException {
        public Permanent(String message, Throwable cause) { super(message, cause); }
        @Override public boolean retryable() { return false; }
    }
}
