package dev.strata.meta.rocksdb;

import dev.strata.core.Errno;
import dev.strata.core.FsException;
import java.io.IOException;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/** Turns RocksDB's and the JDK's failures into the port's errors, worded for an operator. */
final class RocksErrors {
    private final String location;

    /** @param location the store's name in messages, e.g. "metadata at /var/lib/strata/meta" */
    RocksErrors(String location) {
        this.location = location;
    }

    FsException translate(RocksDBException e, String doing) {
        String detail = e.getMessage();
        if (isNoSpace(e)) {
            // RocksDB is now in a background-error state and refuses writes; its error handler
            // polls for free space and resumes by itself (see RocksDbMetadataStore, "Disk full").
            return new FsException.NoSpace(location + ": disk full while " + doing + " (" + detail
                    + "); writes resume by themselves within seconds once space is freed");
        }
        return new FsException.IoFailure(location + ": " + doing + " failed: " + detail);
    }

    FsException translate(IOException e, String doing) {
        String detail = e.toString();
        if (detail.contains("No space left on device")) {
            return new FsException.NoSpace(location + ": disk full while " + doing + " (" + detail + ")");
        }
        return new FsException.IoFailure(location + ": " + doing + " failed: " + detail);
    }

    /** Another process (or another store in this one) holds the database's LOCK file. */
    static boolean isLockConflict(RocksDBException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        // RocksDB words it "While lock file: DIR/LOCK: Resource temporarily unavailable" for
        // another process and "lock hold by current process ..." for this one.
        // Other failures on the LOCK file (permissions, a full disk) are not a conflict.
        return m.contains("lock hold by current process")
                || (m.contains("/LOCK") && m.contains("Resource temporarily unavailable"));
    }

    FsException inUse(RocksDBException e) {
        return new FsException.Other(Errno.EBUSY, location + " is in use by another Strata process"
                + " (or another store in this process); stop it, or give this one a different metadata directory"
                + " [" + e.getMessage() + "]");
    }

    static boolean isNoSpace(RocksDBException e) {
        Status s = e.getStatus();
        if (s != null && s.getSubCode() == Status.SubCode.NoSpace) {
            return true;
        }
        String m = e.getMessage();
        return m != null && m.contains("No space left on device");
    }
}
