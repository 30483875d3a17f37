package dev.strata.core.fs;

/**
 * Settings of the engine. Every table has a named bound.
 *
 * @param rootUid            owner of the root directory when a new file system is formatted
 * @param rootGid            group of the root directory when formatted
 * @param maxOpenHandles     bound of the handle table; beyond it open/create answer ENFILE
 * @param maxFileSizeBytes   largest file size; beyond it writes and truncates answer EFBIG
 * @param blockSize          st_blksize reported by stat and the statfs block size
 * @param readdirBatch       entries read from the metadata store per step of a listing
 * @param deferredFlushMillis the longest that bookkeeping which needs no commit of its own (the
 *                           size recorded at close, an inode freed after its last reference) waits
 *                           for the next commit before a background flush writes it; 0 for no
 *                           background flush (tests flush explicitly)
 */
public record FsOptions(
        int rootUid,
        int rootGid,
        int maxOpenHandles,
        long maxFileSizeBytes,
        int blockSize,
        int readdirBatch,
        long deferredFlushMillis) {

    /** 16 TiB, the ext4 limit with 4 KiB blocks: the fast tier cannot hold more in one file. */
    public static final long DEFAULT_MAX_FILE_SIZE = 1L << 44;

    public FsOptions {
        if (maxOpenHandles <= 0 || maxFileSizeBytes <= 0 || blockSize <= 0 || readdirBatch <= 0
                || deferredFlushMillis < 0) {
            throw new IllegalArgumentException("FsOptions bounds must be positive: " + this);
        }
    }

    public static FsOptions defaults(int rootUid, int rootGid) {
        return new FsOptions(rootUid, rootGid, 1 << 20, DEFAULT_MAX_FILE_SIZE, 4096, 256, 1000);
    }

    public FsOptions withDeferredFlushMillis(long millis) {
        return new FsOptions(rootUid, rootGid, maxOpenHandles, maxFileSizeBytes, blockSize, readdirBatch, millis);
    }
}
