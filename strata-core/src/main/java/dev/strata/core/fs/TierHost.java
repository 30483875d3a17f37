package dev.strata.core.fs;

import dev.strata.core.FsException;
import dev.strata.core.data.LocalFile;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.MetadataStore;

/** What the engine offers the capacity tier's background work: its lock, its stores and its view of open files. */
public interface TierHost {

    /** One read-modify-write step on an inode, under the engine lock. */
    @FunctionalInterface
    interface Step<T> {
        /**
         * @param current the inode's current record (size and mtime refreshed from writes the engine
         *     did not see), or null if the inode no longer exists
         * @param openWriters handles open for writing now
         * @param openHandles handles open at all now
         */
        T run(TierChange c, InodeRecord current, int openWriters, int openHandles) throws FsException;
    }

    /**
     * Runs {@code step} under the engine lock and commits what it added to {@code c}, together with
     * any deferred engine work. On an exception nothing is committed.
     */
    <T> T update(long ino, Step<T> step) throws FsException;

    /** A fresh handle on the inode's fast-tier data (the caller closes it). */
    LocalFile openData(long ino) throws FsException;

    /**
     * After the tier rewrote the fast-tier data of {@code ino} without changing its content (a
     * restore) or dropped it (a release): the engine forgets what it knew of the local file, so
     * the rewrite is not taken for a user's write. Caller holds nothing; takes the engine lock.
     */
    void localDataReplaced(long ino) throws FsException;

    /**
     * A name found in the capacity tier to be added to a directory: a released regular file or a
     * directory, with the attributes the object's metadata gives.
     */
    record NewChild(dev.strata.core.Name name, boolean directory, int mode, int uid, int gid,
            dev.strata.core.Timespec mtime, long sizeBytes, Object source) {}

    /** Adds the tier's own state of a new child (its HSM record) to the commit that creates it. */
    @FunctionalInterface
    interface ChildHook {
        void created(TierChange c, long ino, NewChild child) throws FsException;
    }

    /**
     * Adds those of {@code children} whose names are free in {@code dir} (regular files released,
     * with no local data yet; directories empty), in one commit, provided {@code stillValid} holds
     * under the engine lock. Returns how many were added.
     */
    int importChildren(long dir, java.util.List<NewChild> children, ChildHook hook,
            java.util.function.BooleanSupplier stillValid) throws FsException;

    /** The metadata store, for reads and for commits that need not be ordered with namespace changes. */
    MetadataStore meta();
}
