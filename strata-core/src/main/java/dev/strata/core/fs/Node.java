package dev.strata.core.fs;

import dev.strata.core.Timespec;
import dev.strata.core.data.LocalFile;
import dev.strata.core.meta.InodeRecord;

/**
 * The in-memory state of one inode the kernel holds a reference to or that has open handles.
 *
 * <p>Guarded by the engine's namespace lock: every field is written only while holding it.
 * {@link #rec} is volatile so that getattr can read a consistent record without the lock.
 */
final class Node {
    final long ino;

    /** The current attributes; may be ahead of the store while {@link #dirty}. */
    volatile InodeRecord rec;

    /** The record differs from the stored one (size/mtime from writes, atime from reads). */
    boolean dirty;

    /** References the kernel holds (FUSE lookup count). */
    long lookups;

    /** Open handles of this inode. */
    int opens;

    /** Open handles with write access. */
    int writers;

    /**
     * The fast-tier data, open while {@link #opens} > 0 (regular files only). Volatile because getattr
     * reads it without the lock: a reader that sees it closed also sees the record refreshed before.
     */
    volatile LocalFile local;

    /**
     * The data's modification time as last seen: a different value on the next look means bytes
     * were written behind the engine's back (FUSE passthrough) and mtime/size must be refreshed.
     */
    Timespec lastLocalMtime;

    /**
     * The local data's mtime when the capacity tier archived it while this file was open for
     * writing; null otherwise. The last writer's close compares: a different mtime means
     * passthrough writes after the archive, which the tier must hear of.
     */
    Timespec archivedLocalMtime;

    /** The local data's size at that archive. */
    long archivedLocalSize;

    /** Bytes the data uses on the device, as last seen; -1 if unknown. Written without the lock by writers. */
    volatile long allocatedBytes = -1;

    /** The engine wrote data since it last looked at the local file's size and mtime. */
    volatile boolean localChanged;

    /** The inode's record and data are gone; the node only answers getattr until the kernel forgets it. */
    boolean purged;

    Node(InodeRecord rec) {
        this.ino = rec.ino();
        this.rec = rec;
    }

    /**
     * The engine changed the local data (write, fallocate, copy_file_range into it): the record must
     * be persisted, and the local file's size, mtime and allocation looked at again. Caller holds
     * the namespace lock.
     */
    void localDataChanged() {
        dirty = true;
        localChanged = true;
        allocatedBytes = -1;
    }

    /** Neither the kernel nor a handle needs this node: it may leave the table. */
    boolean unreferenced() {
        return lookups <= 0 && opens <= 0 && ino != PosixFileSystem.ROOT;
    }

    @Override
    public String toString() {
        return "Node[" + ino + ", lookups=" + lookups + ", opens=" + opens + ", writers=" + writers
                + ", dirty=" + dirty + "]";
    }
}
