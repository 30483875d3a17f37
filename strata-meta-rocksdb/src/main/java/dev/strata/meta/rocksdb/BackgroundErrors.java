package dev.strata.meta.rocksdb;

import org.rocksdb.AbstractEventListener;
import org.rocksdb.BackgroundErrorReason;
import org.rocksdb.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches RocksDB's background-error state. After a failed journal append, flush or compaction
 * RocksDB refuses writes until its error handler has recovered; for a full disk it recovers by
 * itself once space is free. This listener only logs and remembers the state, so that operators
 * see when writes stopped and resumed, and {@link RocksDbMetadataStore#stats()} callers can tell.
 * Called on RocksDB's threads.
 */
final class BackgroundErrors extends AbstractEventListener {
    private static final Logger log = LoggerFactory.getLogger(BackgroundErrors.class);

    private final String location;
    private volatile String current;

    BackgroundErrors(String location) {
        super(EnabledEventCallback.ON_BACKGROUND_ERROR, EnabledEventCallback.ON_ERROR_RECOVERY_COMPLETED);
        this.location = location;
    }

    @Override
    public void onBackgroundError(BackgroundErrorReason reason, Status error) {
        current = reason + ": " + describe(error);
        log.warn("{}: writes stopped after a {} error: {}; retrying by itself", location, reason, describe(error));
    }

    @Override
    public void onErrorRecoveryCompleted(Status oldError) {
        current = null;
        log.info("{}: writes resumed after recovering from: {}", location, describe(oldError));
    }

    /** The error that currently stops writes, or {@code null}. */
    String current() {
        return current;
    }

    private static String describe(Status s) {
        return s == null ? "unknown" : s.getCodeString() + (s.getState() == null ? "" : " " + s.getState());
    }
}
