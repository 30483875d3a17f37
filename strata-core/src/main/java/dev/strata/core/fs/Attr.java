package dev.strata.core.fs;

import dev.strata.core.Timespec;

/**
 * The attributes stat(2) reports for one inode.
 *
 * @param blocks    512-byte blocks allocated
 * @param blockSize preferred I/O size (st_blksize)
 */
public record Attr(
        long ino,
        int mode,
        int nlink,
        int uid,
        int gid,
        long rdev,
        long sizeBytes,
        long blocks,
        Timespec atime,
        Timespec mtime,
        Timespec ctime,
        int blockSize) {}
