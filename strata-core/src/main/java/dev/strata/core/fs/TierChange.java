package dev.strata.core.fs;

import dev.strata.core.FsException;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mutation;

/** The operation a {@link Tiering} hook is part of: what it adds here commits with it, atomically. */
public interface TierChange {
    /** Adds a metadata operation (an HSM record, a mirror task, a mark) to the commit. */
    void add(Mutation.Op op);

    /** The builder of {@code ino}'s next record in the commit (for size and times the tier learns). */
    InodeRecord.Builder edit(long ino) throws FsException;

    /** Sets or clears an {@code InodeRecord.FLAG_*} bit of {@code ino} in the commit. */
    void flag(long ino, int flag, boolean on) throws FsException;

    /** The wall-clock time of the operation, in milliseconds since the epoch. */
    long nowMillis();

    /** Runs after the commit succeeded (still under the engine lock; must not block). */
    void afterCommit(Runnable r);

    /**
     * The tier archived {@code ino}'s local data as it was when the local file's mtime and size
     * were {@code localMtime} and {@code localSizeBytes}. Should that file still be open for
     * writing, the engine compares them again at each flush of a writer and when the last writer
     * closes, and reports a change the tier did not see (writes through
     * FUSE passthrough bypass the engine) with {@link Tiering#onDataChange}.
     */
    void archivedAt(long ino, dev.strata.core.Timespec localMtime, long localSizeBytes);

    /** The record {@code ino} will have if the commit succeeds (with this operation's changes so far). */
    InodeRecord pending(long ino) throws FsException;
}
