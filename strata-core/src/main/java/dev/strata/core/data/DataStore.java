package dev.strata.core.data;

import dev.strata.core.FsException;

/**
 * The fast tier's file data: one byte array per regular-file inode, sparse, addressed by offset.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #open} creates an empty file on first use; every handle of one inode sees the same
 *       bytes at once (there is no per-handle cache).</li>
 *   <li>Bytes written are visible to reads immediately and survive the death of this process;
 *       they survive power loss after {@link LocalFile#sync}.</li>
 *   <li>{@link #delete} is idempotent and may be called while no handle is open only.</li>
 *   <li>A full disk is {@link FsException.NoSpace}; a failed write may have written a prefix.</li>
 * </ul>
 * Thread-safe.
 */
public interface DataStore extends AutoCloseable {

    /** Opens (creating if absent) the data of {@code ino} for reading and writing. */
    LocalFile open(long ino) throws FsException;

    /** Whether data for {@code ino} exists. */
    boolean exists(long ino) throws FsException;

    /** Size, space used and mtime of the data of {@code ino} without opening it; empty if there is none. */
    java.util.Optional<LocalFile.Stat> stat(long ino) throws FsException;

    /** Removes the data of {@code ino}; no error if there is none. */
    void delete(long ino) throws FsException;

    /** Space on the device that holds the data. */
    Space space() throws FsException;

    /** Makes the creation and deletion of data files durable (fsync of the directories). */
    void syncNamespace() throws FsException;

    @Override
    void close();

    /** Capacity figures in bytes, as statfs(2) reports them for the device. */
    record Space(long totalBytes, long freeBytes, long availableBytes) {}
}
