package dev.strata.core.fs;

/**
 * An open file or directory handle.
 *
 * @param fh             the handle number the kernel passes back
 * @param passthroughFd  a kernel fd holding the file's data that the FUSE layer may register for
 *                       passthrough, or -1; only valid until the handle is released
 * @param keepCache      the kernel's page cache for this inode is still valid
 */
public record Opened(long fh, int passthroughFd, boolean keepCache) {}
