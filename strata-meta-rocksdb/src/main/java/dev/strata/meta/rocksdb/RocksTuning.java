package dev.strata.meta.rocksdb;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.DataBlockIndexType;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WALRecoveryMode;

/**
 * The RocksDB options for a metadata workload — many small point lookups (lookup, getattr), short
 * range scans (readdir, xattr lists) and small atomic batches — and the native objects they hold,
 * which must outlive the database and be released after it.
 */
final class RocksTuning implements AutoCloseable {
    private static final long MIB = 1L << 20;
    /** Smooths write-back of new SST and WAL files, so that a sync() does not meet a large backlog. */
    private static final long BYTES_PER_SYNC = MIB;
    /** Small blocks suit point lookups of ~100-byte records; the index stays small at this size too. */
    private static final long BLOCK_BYTES = 4 * 1024;
    /** About 1 % false positives; a negative lookup (create, O_EXCL) then rarely touches a data block. */
    private static final double BLOOM_BITS_PER_KEY = 10;
    /** Share of the memtable given to its whole-key bloom filter, for the same negative lookups. */
    private static final double MEMTABLE_BLOOM_RATIO = 0.02;
    /** Memtables: one being written, one being flushed, one spare to absorb bursts (untar, rm -r). */
    private static final int WRITE_BUFFERS = 3;
    private static final long INFO_LOG_FILE_BYTES = 16 * MIB;
    private static final int INFO_LOG_FILES_KEPT = 4;

    final Options options;
    private final LRUCache blockCache;
    private final BloomFilter bloom;

    RocksTuning(RocksDbMetadataStore.Settings settings) {
        blockCache = new LRUCache(settings.blockCacheBytes());
        bloom = new BloomFilter(BLOOM_BITS_PER_KEY);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(blockCache)
                .setBlockSize(BLOCK_BYTES)
                .setFilterPolicy(bloom)
                .setWholeKeyFiltering(true)
                // Index and filter blocks live in the bounded cache, so the cache size bounds the
                // store's read memory however large the namespace grows; L0's are pinned because
                // every lookup consults them.
                .setCacheIndexAndFilterBlocks(true)
                .setCacheIndexAndFilterBlocksWithHighPriority(true)
                .setPinL0FilterAndIndexBlocksInCache(true)
                .setDataBlockIndexType(DataBlockIndexType.kDataBlockBinaryAndHash);
        options = new Options()
                .setCreateIfMissing(true)
                // The WAL is the journal: commits write it without fsync (process-death safe), sync()
                // fsyncs it. After power loss, replay stops at the first torn record, which keeps a
                // prefix of the commits — exactly the commits that a sync() covered, and maybe more.
                .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                .setParanoidChecks(true)
                // Two cores: one flush and one compaction at a time, no parallel subcompactions,
                // so the store never takes both cores away from FUSE request threads.
                .setMaxBackgroundJobs(settings.backgroundJobs())
                .setMaxSubcompactions(1)
                .setWriteBufferSize(settings.writeBufferBytes())
                .setMaxWriteBufferNumber(WRITE_BUFFERS)
                .setMemtableWholeKeyFiltering(true)
                .setMemtablePrefixBloomSizeRatio(MEMTABLE_BLOOM_RATIO)
                // LZ4 costs little CPU; metadata (names, repeated attributes) compresses well.
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setBytesPerSync(BYTES_PER_SYNC)
                .setWalBytesPerSync(BYTES_PER_SYNC)
                .setInfoLogLevel(InfoLogLevel.INFO_LEVEL)
                .setMaxLogFileSize(INFO_LOG_FILE_BYTES)
                .setKeepLogFileNum(INFO_LOG_FILES_KEPT)
                .setTableFormatConfig(table);
    }

    @Override
    public void close() {
        options.close();
        bloom.close();
        blockCache.close();
    }
}
