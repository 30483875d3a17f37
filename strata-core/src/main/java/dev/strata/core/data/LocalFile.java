package dev.strata.core.data;

import dev.strata.core.FsException;
import dev.strata.core.Timespec;
import java.lang.foreign.MemorySegment;

/**
 * An open handle on one inode's data in the fast tier. Thread-safe: positional reads and writes
 * from many threads may run at once; callers order conflicting writes themselves.
 */
public interface LocalFile extends AutoCloseable {

    /** fallocate(2) mode bits, passed through as the kernel sent them. */
    int FALLOC_KEEP_SIZE = 0x01;
    int FALLOC_PUNCH_HOLE = 0x02;
    int FALLOC_ZERO_RANGE = 0x10;

    long ino();

    /** Reads up to {@code dst.byteSize()} bytes at {@code offset}; fewer only at end of file. Returns the count. */
    int read(long offset, MemorySegment dst) throws FsException;

    /** Writes all of {@code src} at {@code offset}, extending the file if needed. */
    void write(long offset, MemorySegment src) throws FsException;

    /** Sets the size, dropping bytes beyond it or adding a hole. */
    void truncate(long sizeBytes) throws FsException;

    /** fallocate(2): preallocate, punch a hole, or zero a range, per {@code mode}. */
    void allocate(int mode, long offset, long length) throws FsException;

    /** lseek(2) with SEEK_DATA (3) or SEEK_HOLE (4); {@link FsException.NoSuchAddress} past the last data. */
    long seek(long offset, int whence) throws FsException;

    /** Copies bytes into {@code dst} (which may be this file), returning how many were copied. */
    long copyTo(long srcOffset, LocalFile dst, long dstOffset, long length) throws FsException;

    /** Flushes the data (and with {@code dataOnly == false} also the file's own metadata) to the device. */
    void sync(boolean dataOnly) throws FsException;

    /** Size, space used and last modification of the data as the device sees them. */
    Stat stat() throws FsException;

    /**
     * The kernel file descriptor, for FUSE passthrough, or -1 if this data does not live in a kernel
     * file. Valid until {@link #close}.
     */
    int nativeFd();

    @Override
    void close();

    /** @param allocatedBytes bytes of the device used (st_blocks × 512) */
    record Stat(long sizeBytes, long allocatedBytes, Timespec mtime) {}
}
