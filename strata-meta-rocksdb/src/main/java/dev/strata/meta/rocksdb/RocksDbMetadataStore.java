package dev.strata.meta.rocksdb;

import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.meta.DirEntry;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mark;
import dev.strata.core.meta.MetadataStore;
import dev.strata.core.meta.Link;
import dev.strata.core.meta.Mutation;
import dev.strata.core.meta.RecordSpace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata store on RocksDB: one database, one column family, one WAL.
 *
 * <h2>Keys</h2>
 * One tag byte, then big-endian numbers (so byte order is numeric order) and raw names:
 * <pre>
 *  'F'                              → layoutVersion:u16 "strata-meta"      the store's format record
 *  'S' "inodes"                     → count:i64                            exact inode count
 *  'I' ino:u64                      → inode record (see {@link RecordCodec})
 *  'D' parent:u64 name[1..255]      → ino:i64 cookie:i64 dtype:u8          lookup by name
 *  'C' parent:u64 cookie:u64        → ino:i64 dtype:u8 name[..]            readdir index
 *  'X' ino:u64 name[1..]            → value bytes                          xattrs, in name order
 *  'N' name (UTF-8)                 → value:i64                            counters
 *  'M' mark:u8 ino:u64              → (empty)                              marks: 'O' orphan, 'W' open for write, 'Y' dirty
 *  'L' ino:u64 parent:u64 name[..]  → (empty)                              names of an inode (reverse of 'D')
 *  'R' space:u8 id:u64              → value bytes                          records of the layers above ('H' hsm, 'T' tasks)
 * </pre>
 * The 'L' index is derived: the store writes it from the 'D' puts and deletes of each batch, so it
 * can never disagree with the entries. Layout version 2 added it; a version-1 store is upgraded in
 * place at open by one scan of its entries.
 * A directory's entries are written twice in one batch: under 'D' for lookup and under 'C' in cookie
 * order, so that {@code list(parent, afterCookie, limit)} is a single range scan that starts right
 * after the cookie, and a reader resuming at a cookie sees each surviving entry once, whatever was
 * added or removed meanwhile. An xattr's or a mark's keys share the inode's prefix, so deleting an
 * inode finds them with one short scan.
 *
 * <h2>Values</h2>
 * Every value is framed by {@link Frame}: {@code version:u8 | payload | crc32c:u32}, the CRC over
 * key, version and payload; every read verifies it and a mismatch is an {@code IoFailure} naming
 * the record ("inode 42 is corrupt: checksum mismatch ..."). The inode payload can grow new fields
 * without a version change (see {@link RecordCodec}).
 *
 * <h2>Durability</h2>
 * Commits are one {@code WriteBatch} each, written with the WAL on and {@code sync=false}: when
 * {@link #commit} returns the record is in the kernel, safe against the death of this process.
 * {@link #sync} fsyncs the WAL with group commit ({@link GroupSync}). Recovery replays the WAL in
 * point-in-time mode, which keeps a prefix of the commits.
 *
 * <h2>Disk full</h2>
 * A failed journal append or flush with ENOSPC puts RocksDB in a background-error state in which it
 * refuses writes ({@link FsException.NoSpace} here) but still serves reads. RocksDB's error handler
 * (driven by its SstFileManager) checks the free space every 5 seconds and resumes writes by itself
 * once at least one write buffer ({@link Settings#writeBufferBytes}) is free; the Java API has no
 * {@code DB::Resume()} to call instead. A failed commit wrote nothing to the memtable, and its torn
 * journal record, if any, is dropped by recovery.
 *
 * <h2>Concurrency</h2>
 * {@code lifecycle} (read side) is held by every operation, its write side by {@link #close}, so
 * close waits for operations in flight. {@code commitLock} serializes commits: a commit's reads
 * (see {@link MutationBatch}) and its write are then one step, and the commit numbering that
 * {@link GroupSync} relies on follows the journal order. Lock order: lifecycle, then commitLock or
 * the sync lock inside GroupSync; never both of the latter. Reads take no other lock.
 */
public final class RocksDbMetadataStore implements MetadataStore {
    private static final Logger log = LoggerFactory.getLogger(RocksDbMetadataStore.class);

    /**
     * Tuning that depends on the machine.
     *
     * @param blockCacheBytes  the block cache, which also holds index and filter blocks: the bound on
     *                         the store's read memory
     * @param writeBufferBytes one memtable; up to three exist. Also the free space RocksDB waits
     *                         for before it resumes writes after a full disk
     * @param backgroundJobs   flushes plus compactions running at once
     */
    public record Settings(long blockCacheBytes, long writeBufferBytes, int backgroundJobs, long spaceReserveBytes) {
        static final long MIN_BYTES = 1L << 20;
        static final int MAX_BACKGROUND_JOBS = 64;
        /** Room for RocksDB to flush all its memtables and resume after a full disk. */
        static final long DEFAULT_SPACE_RESERVE = 256L << 20;

        /** Without a space reserve (tests). */
        public Settings(long blockCacheBytes, long writeBufferBytes, int backgroundJobs) {
            this(blockCacheBytes, writeBufferBytes, backgroundJobs, 0);
        }

        public Settings {
            if (blockCacheBytes < MIN_BYTES || writeBufferBytes < MIN_BYTES) {
                throw new IllegalArgumentException("cache and write buffer need at least 1 MiB: " + blockCacheBytes
                        + ", " + writeBufferBytes);
            }
            if (spaceReserveBytes < 0) {
                throw new IllegalArgumentException("negative space reserve: " + spaceReserveBytes);
            }
            if (backgroundJobs < 1 || backgroundJobs > MAX_BACKGROUND_JOBS) {
                throw new IllegalArgumentException("backgroundJobs out of 1.." + MAX_BACKGROUND_JOBS + ": " + backgroundJobs);
            }
        }

        /**
         * For a 2-core node: 256 MiB cache; 32 MiB memtables, which also bound the journal that a
         * restart replays to a few memtables' worth; 2 background jobs.
         */
        public static Settings defaults() {
            return new Settings(256L << 20, 32L << 20, 2, DEFAULT_SPACE_RESERVE);
        }

        public Settings withBlockCacheBytes(long bytes) {
            return new Settings(bytes, writeBufferBytes, backgroundJobs, spaceReserveBytes);
        }

        public Settings withWriteBufferBytes(long bytes) {
            return new Settings(blockCacheBytes, bytes, backgroundJobs, spaceReserveBytes);
        }

        /** Space preallocated next to the journal and given up when the disk fills (see {@link SpaceReserve}). */
        public Settings withSpaceReserveBytes(long bytes) {
            return new Settings(blockCacheBytes, writeBufferBytes, backgroundJobs, bytes);
        }
    }

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final String location;
    private final RecordCodec codec;
    private final RocksErrors errors;
    private final RocksTuning tuning;
    private final RocksDB db;
    private final WriteOptions writeOptions;
    private final ReadOptions readOptions;
    private final GroupSync groupSync = new GroupSync();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final ReentrantLock commitLock = new ReentrantLock();
    private volatile long inodeCount;
    /** Why writes are refused (a full disk), from the first failed commit until one succeeds again. */
    private volatile String writesStoppedBy;
    /** Guarded by commitLock. */
    private final SpaceReserve reserve;
    /** How long a commit that freed the space reserve waits for RocksDB to resume writes. */
    static final long RESERVE_RECOVERY_NANOS = 15_000_000_000L;
    static final long RESERVE_RETRY_MILLIS = 250;
    private boolean closed; // guarded by lifecycle's write lock; read under its read lock

    private RocksDbMetadataStore(Path dir, String location, RocksTuning tuning, RocksDB db, long reserveBytes) {
        this.reserve = new SpaceReserve(dir, reserveBytes);
        this.dir = dir;
        this.location = location;
        this.codec = new RecordCodec(location);
        this.errors = new RocksErrors(location);
        this.tuning = tuning;
        this.db = db;
        this.writeOptions = new WriteOptions().setSync(false).setDisableWAL(false);
        this.readOptions = new ReadOptions().setVerifyChecksums(true);
    }

    public static RocksDbMetadataStore open(Path dir) throws FsException {
        return open(dir, Settings.defaults());
    }

    /** Opens the store in {@code dir}, creating it (and missing parent directories) if needed. */
    public static RocksDbMetadataStore open(Path dir, Settings settings) throws FsException {
        Path absolute = dir.toAbsolutePath();
        String location = "metadata at " + absolute;
        RocksErrors errors = new RocksErrors(location);
        try {
            Files.createDirectories(absolute);
        } catch (IOException e) {
            throw errors.translate(e, "creating the directory");
        }
        RocksTuning tuning = new RocksTuning(settings);
        RocksDB db;
        try {
            db = RocksDB.open(tuning.options, absolute.toString());
        } catch (RocksDBException e) {
            tuning.close();
            throw RocksErrors.isLockConflict(e) ? errors.inUse(e) : errors.translate(e, "opening");
        }
        RocksDbMetadataStore store = new RocksDbMetadataStore(absolute, location, tuning, db,
                settings.spaceReserveBytes());
        try {
            store.loadFormat();
            store.commitLock.lock();
            try {
                store.reserve.replenish();
            } finally {
                store.commitLock.unlock();
            }
        } catch (FsException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private void loadFormat() throws FsException {
        try {
            inodeCount = StoreFormat.checkOrCreate(db, readOptions, codec, location);
        } catch (RocksDBException e) {
            throw errors.translate(e, "reading the format record");
        }
    }

    // ---- reads

    @Override
    public Optional<InodeRecord> inode(long ino) throws FsException {
        byte[] key = Keys.inode(ino);
        byte[] value = get(key);
        return value == null ? Optional.empty() : Optional.of(codec.inode(key, value));
    }

    @Override
    public Optional<DirEntry> entry(long parent, Name name) throws FsException {
        byte[] key = Keys.entry(parent, Objects.requireNonNull(name, "name"));
        byte[] value = get(key);
        return value == null ? Optional.empty() : Optional.of(codec.entry(key, value));
    }

    @Override
    public List<DirEntry> list(long parent, long afterCookie, int limit) throws FsException {
        if (limit < 0) {
            throw new IllegalArgumentException("negative limit " + limit);
        }
        List<DirEntry> out = new ArrayList<>(Math.min(limit, 1024));
        if (limit == 0 || afterCookie == Long.MAX_VALUE) {
            return out;
        }
        byte[] prefix = Keys.cookiePrefix(parent);
        scan(prefix, Keys.cookie(parent, Math.max(afterCookie + 1, 0)), "listing directory " + parent, (key, value) -> {
            out.add(codec.cookieEntry(key, value));
            return out.size() < limit;
        });
        return out;
    }

    @Override
    public Optional<byte[]> xattr(long ino, byte[] name) throws FsException {
        byte[] key = Keys.xattr(ino, Objects.requireNonNull(name, "name"));
        byte[] value = get(key);
        return value == null ? Optional.empty() : Optional.of(codec.bytes(key, value));
    }

    @Override
    public List<byte[]> xattrNames(long ino) throws FsException {
        List<byte[]> names = new ArrayList<>();
        byte[] prefix = Keys.xattrPrefix(ino);
        scan(prefix, prefix, "listing xattrs of inode " + ino, (key, value) -> {
            codec.verify(key, value); // the CRC covers the key, so this checks the name too
            names.add(Keys.tail(key));
            return true;
        });
        return names;
    }

    @Override
    public long counter(String counter) throws FsException {
        byte[] key = Keys.counter(Objects.requireNonNull(counter, "counter"));
        byte[] value = get(key);
        return value == null ? 0 : codec.longOf(key, value);
    }

    @Override
    public List<Long> marked(Mark mark) throws FsException {
        List<Long> inos = new ArrayList<>();
        byte[] prefix = Keys.markPrefix(Objects.requireNonNull(mark, "mark"));
        scan(prefix, prefix, "listing " + mark + " marks", (key, value) -> {
            codec.verify(key, value);
            inos.add(Keys.getLong(key, prefix.length));
            return true;
        });
        return inos;
    }

    @Override
    public List<Link> links(long ino, int limit) throws FsException {
        requireLimit(limit);
        List<Link> out = new ArrayList<>();
        if (limit == 0) {
            return out;
        }
        byte[] prefix = Keys.linkPrefix(ino);
        scan(prefix, prefix, "listing the names of inode " + ino, (key, value) -> {
            codec.verify(key, value);
            out.add(new Link(Keys.getLong(key, Keys.TAG_AND_LONG),
                    Name.trusted(java.util.Arrays.copyOfRange(key, Keys.TAG_AND_LONG + Keys.LONG_BYTES, key.length))));
            return out.size() < limit;
        });
        return out;
    }

    @Override
    public Optional<byte[]> record(RecordSpace space, long id) throws FsException {
        byte[] key = Keys.record(Objects.requireNonNull(space, "space"), id);
        byte[] value = get(key);
        return value == null ? Optional.empty() : Optional.of(codec.bytes(key, value));
    }

    @Override
    public List<RecordSpace.Record> records(RecordSpace space, long afterId, int limit) throws FsException {
        requireLimit(limit);
        List<RecordSpace.Record> out = new ArrayList<>();
        if (limit == 0 || afterId == Long.MAX_VALUE) {
            return out;
        }
        byte[] prefix = Keys.recordPrefix(Objects.requireNonNull(space, "space"));
        scan(prefix, Keys.record(space, Math.max(afterId + 1, 0)), "listing " + space + " records", (key, value) -> {
            out.add(new RecordSpace.Record(Keys.getLong(key, 2), codec.bytes(key, value)));
            return out.size() < limit;
        });
        return out;
    }

    private static void requireLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("negative limit " + limit);
        }
    }

    /** Receives one key and value of a scan; returns whether to go on. */
    private interface ScanStep {
        boolean accept(byte[] key, byte[] value) throws FsException;
    }

    private void scan(byte[] prefix, byte[] from, String doing, ScanStep step) throws FsException {
        Lock l = lifecycle.readLock();
        l.lock();
        try {
            ensureOpen(); // before touching native handles, which close() frees
            try (Slice upper = new Slice(Keys.upperBound(prefix));
                    ReadOptions bounded = new ReadOptions().setVerifyChecksums(true).setIterateUpperBound(upper);
                    RocksIterator it = db.newIterator(bounded)) {
                for (it.seek(from); it.isValid(); it.next()) {
                    byte[] key = it.key();
                    if (!Keys.startsWith(key, prefix) || !step.accept(key, it.value())) {
                        break;
                    }
                }
                it.status();
            }
        } catch (RocksDBException e) {
            throw errors.translate(e, doing);
        } finally {
            l.unlock();
        }
    }

    private byte[] get(byte[] key) throws FsException {
        Lock l = lifecycle.readLock();
        l.lock();
        try {
            ensureOpen();
            return db.get(readOptions, key);
        } catch (RocksDBException e) {
            throw errors.translate(e, "reading " + Keys.describe(key));
        } finally {
            l.unlock();
        }
    }

    // ---- writes

    @Override
    public void commit(Mutation mutation) throws FsException {
        Objects.requireNonNull(mutation, "mutation");
        Lock l = lifecycle.readLock();
        l.lock();
        try {
            ensureOpen();
            if (mutation.isEmpty()) {
                return;
            }
            commitLock.lock();
            try (MutationBatch batch = new MutationBatch(db, readOptions, codec)) {
                for (Mutation.Op op : mutation.ops()) {
                    batch.add(op);
                }
                long newCount = inodeCount + batch.inodeDelta();
                if (batch.inodeDelta() != 0) {
                    byte[] countKey = Keys.inodeCount();
                    batch.batch().put(countKey, codec.longValue(countKey, newCount));
                }
                write(batch.batch());
                inodeCount = newCount;
                groupSync.committed();
            } finally {
                commitLock.unlock();
            }
            if (writesStoppedBy != null) {
                log.info("{}: writes resumed after: {}", location, writesStoppedBy);
                writesStoppedBy = null;
            }
        } catch (RocksDBException e) {
            if (RocksErrors.isNoSpace(e) && writesStoppedBy == null) {
                writesStoppedBy = e.getMessage();
                log.warn("{}: disk full, writes refused until space is freed: {}", location, e.getMessage());
            }
            throw errors.translate(e, "committing " + describe(mutation));
        } finally {
            l.unlock();
        }
    }

    /**
     * Writes a batch. On a full disk, gives up the space reserve (once) and retries until RocksDB has
     * resumed writes or {@link #RESERVE_RECOVERY_NANOS} passed. Caller holds commitLock.
     */
    private void write(org.rocksdb.WriteBatchWithIndex b) throws RocksDBException {
        try {
            db.write(writeOptions, b);
        } catch (RocksDBException e) {
            if (!RocksErrors.isNoSpace(e) || !reserve.release()) {
                throw e;
            }
            log.warn("{}: disk full; gave up the metadata space reserve so that writes, and the deletes that "
                    + "free space, can go on", location);
            long deadline = System.nanoTime() + RESERVE_RECOVERY_NANOS;
            while (true) {
                try {
                    Thread.sleep(RESERVE_RETRY_MILLIS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                try {
                    db.write(writeOptions, b);
                    break;
                } catch (RocksDBException again) {
                    if (!RocksErrors.isNoSpace(again) || System.nanoTime() > deadline) {
                        throw again;
                    }
                }
            }
        }
        reserve.replenish();
    }

    @Override
    public void sync() throws FsException {
        Lock l = lifecycle.readLock();
        l.lock();
        try {
            ensureOpen();
            groupSync.sync(db::syncWal);
        } catch (RocksDBException e) {
            throw errors.translate(e, "syncing the journal");
        } finally {
            l.unlock();
        }
    }

    // ---- status and lifecycle

    /** Inodes: exact, kept in the store. Disk bytes: every file in the directory (tables, journal, logs). */
    @Override
    public StoreStats stats() throws FsException {
        Lock l = lifecycle.readLock();
        l.lock();
        try {
            ensureOpen();
            try (Stream<Path> files = Files.list(dir)) {
                return new StoreStats(inodeCount, files.mapToLong(RocksDbMetadataStore::sizeOrZero).sum());
            }
        } catch (IOException e) {
            throw errors.translate(e, "measuring the store");
        } catch (UncheckedIOException e) {
            throw errors.translate(e.getCause(), "measuring the store");
        } finally {
            l.unlock();
        }
    }

    /** How many journal fsyncs {@link #sync} has run, and how often it was called: the group-commit ratio. */
    long walSyncs() {
        return groupSync.flushes();
    }

    long syncCalls() {
        return groupSync.calls();
    }

    /** The error that stopped writes (a full disk) if the last commit failed with it, else {@code null}. */
    String writesStoppedBy() {
        return writesStoppedBy;
    }

    Path directory() {
        return dir;
    }

    @Override
    public void close() {
        Lock l = lifecycle.writeLock();
        l.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                // A clean shutdown leaves every commit durable, not only the synced ones.
                db.syncWal();
            } catch (RocksDBException e) {
                log.warn("{}: syncing the journal at close failed: {}", location, e.getMessage());
            }
            // Flushing the memtables now means the next start has no journal to replay: a clean
            // restart takes milliseconds. (After a crash the replay is bounded by the memtables.)
            try (org.rocksdb.FlushOptions flush = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
                db.flush(flush);
            } catch (RocksDBException e) {
                log.warn("{}: flushing the memtables at close failed (the next start replays the journal): {}",
                        location, e.getMessage());
            }
            try {
                db.closeE();
            } catch (RocksDBException e) {
                // Everything committed is in the journal already; a failed close (e.g. a final
                // flush on a full disk) loses nothing that the next open does not replay.
                log.warn("{}: closing reported {}", location, e.getMessage());
            }
            writeOptions.close();
            readOptions.close();
            tuning.close();
        } finally {
            l.unlock();
        }
    }

    @Override
    public String toString() {
        return "RocksDbMetadataStore[" + dir + "]";
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(location + " is closed");
        }
    }

    private static String describe(Mutation m) {
        List<Mutation.Op> ops = m.ops();
        return ops.size() == 1 ? "a mutation (" + ops.getFirst().getClass().getSimpleName() + ")"
                : "a mutation of " + ops.size() + " changes";
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0; // a file deleted by compaction while we listed: it no longer takes space
        }
    }
}
