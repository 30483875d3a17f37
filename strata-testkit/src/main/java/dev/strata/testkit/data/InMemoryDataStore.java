package dev.strata.testkit.data;

import dev.strata.core.Clock;
import dev.strata.core.FsException;
import dev.strata.core.Timespec;
import dev.strata.core.data.DataStore;
import dev.strata.core.data.LocalFile;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A strict, sparse, in-memory {@link DataStore} for tests of the engine.
 *
 * <h2>Model</h2>
 * Each inode's bytes are fixed-size chunks ({@value #DEFAULT_CHUNK_BYTES} bytes unless told
 * otherwise) in a sorted map, so a write at 8 GiB costs one chunk. SEEK_DATA and SEEK_HOLE work at
 * chunk granularity: a hole is a chunk never written, punched, or only preallocated (fallocate's
 * unwritten space, which ext4 and XFS also report as a hole); a chunk with any byte written is data
 * in full. {@link LocalFile.Stat#allocatedBytes()} is the chunks held times the chunk size, and
 * mtime comes from the injected {@link Clock}.
 *
 * <h2>Strictness (stricter than a disk, to find engine bugs)</h2>
 * <ul>
 *   <li>Any use of a closed handle or of a closed store is an {@link IllegalStateException}.</li>
 *   <li>{@link #delete} while a handle of that inode is open is an {@link IllegalStateException}
 *       (the port allows it only with no handle open).</li>
 *   <li>{@link #close} with handles still open closes the store and then throws, naming them, so a
 *       leaked handle fails the test that leaked it.</li>
 *   <li>Inode 0 does not exist in Linux or FUSE: opening it is an {@link IllegalArgumentException}.</li>
 * </ul>
 *
 * <h2>Faults and probes</h2>
 * {@link #limitSpace} makes every allocation past a byte budget fail with NoSpace, having changed
 * nothing (budget counted in whole chunks, as a disk counts blocks); freeing chunks (delete,
 * truncate, punch) makes room again. {@link #fileSyncCount} and {@link #namespaceSyncCount} count
 * sync calls. Nothing is lost on a simulated crash: this fake keeps no unsynced state.
 *
 * <h2>Concurrency</h2>
 * Thread-safe. This object's monitor guards the inode and handle tables; each inode's
 * {@link SparseBytes} monitor guards its bytes. Lock order: store before inode; no thread holds two
 * inodes' monitors at once (copies go through a window). Space accounting is lock-free.
 */
public final class InMemoryDataStore implements DataStore {
    public static final int DEFAULT_CHUNK_BYTES = 64 * 1024;
    /** The device size space() reports and the default budget: large, as nothing is held until written. */
    public static final long DEFAULT_CAPACITY_BYTES = 1L << 40;
    /** The largest file, ext4's limit with 4 KiB blocks, so the fake fails where the usual fast tier fails. */
    public static final long DEFAULT_MAX_FILE_BYTES = 16L << 40;
    static final int MIN_CHUNK_BYTES = 512;
    static final int MAX_CHUNK_BYTES = 16 << 20;

    private final Clock clock;
    private final int chunkBytes;
    private final long capacityBytes;
    private final long maxFileBytes;
    private final SpaceBudget space;
    private final AtomicLong fileSyncs = new AtomicLong();
    private final AtomicLong namespaceSyncs = new AtomicLong();

    // Guarded by this.
    private final Map<Long, SparseBytes> files = new HashMap<>();
    private final Map<Long, Integer> openHandles = new HashMap<>();
    // Written under this, read without it by every operation of every handle.
    private volatile boolean closed;

    public InMemoryDataStore(Clock clock) {
        this(clock, DEFAULT_CHUNK_BYTES, DEFAULT_CAPACITY_BYTES, DEFAULT_MAX_FILE_BYTES);
    }

    /**
     * @param chunkBytes the granularity of holes and of space accounting: a power of two from
     *     {@value #MIN_CHUNK_BYTES} to {@value #MAX_CHUNK_BYTES}
     */
    public InMemoryDataStore(Clock clock, int chunkBytes, long capacityBytes, long maxFileBytes) {
        if (Integer.bitCount(chunkBytes) != 1 || chunkBytes < MIN_CHUNK_BYTES || chunkBytes > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("chunkBytes must be a power of two in [" + MIN_CHUNK_BYTES + ", "
                    + MAX_CHUNK_BYTES + "]: " + chunkBytes);
        }
        if (capacityBytes <= 0 || maxFileBytes <= 0) {
            throw new IllegalArgumentException("capacityBytes and maxFileBytes must be > 0: " + capacityBytes + ", "
                    + maxFileBytes);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.chunkBytes = chunkBytes;
        this.capacityBytes = capacityBytes;
        this.maxFileBytes = maxFileBytes;
        this.space = new SpaceBudget(capacityBytes);
    }

    @Override
    public synchronized LocalFile open(long ino) {
        checkOpen();
        if (ino == 0) {
            throw new IllegalArgumentException("inode 0 does not exist");
        }
        SparseBytes data = files.computeIfAbsent(ino, k -> new SparseBytes(chunkBytes, space, clock.now()));
        openHandles.merge(ino, 1, Integer::sum);
        return new InMemoryFile(this, ino, data);
    }

    @Override
    public synchronized java.util.Optional<LocalFile.Stat> stat(long ino) {
        checkOpen();
        SparseBytes data = files.get(ino);
        if (data == null) {
            return java.util.Optional.empty();
        }
        synchronized (data) {
            return java.util.Optional.of(new LocalFile.Stat(data.sizeBytes(), data.allocatedBytes(), data.mtime()));
        }
    }

    /**
     * Forgets every open handle without closing it, as the death of the process that held them does;
     * the data stays. Handles from before are not to be used again.
     */
    public synchronized void dropHandles() {
        openHandles.clear();
    }

    @Override
    public synchronized boolean exists(long ino) {
        checkOpen();
        return files.containsKey(ino);
    }

    @Override
    public synchronized void delete(long ino) {
        checkOpen();
        Integer open = openHandles.get(ino);
        if (open != null) {
            throw new IllegalStateException("delete of inode " + ino + " while " + open + " handle(s) are open");
        }
        SparseBytes data = files.remove(ino);
        if (data != null) {
            synchronized (data) {
                data.releaseAll();
            }
        }
    }

    @Override
    public Space space() {
        checkOpen();
        long total = space.limitBytes();
        long free = Math.max(0, total - space.usedBytes());
        return new Space(total, free, free);
    }

    @Override
    public void syncNamespace() {
        checkOpen();
        namespaceSyncs.incrementAndGet();
    }

    /**
     * Closes the store. Throws after closing if handles were left open, naming their inodes.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!openHandles.isEmpty()) {
            throw new IllegalStateException("data store closed with open handles, by inode: "
                    + new TreeMap<>(openHandles));
        }
    }

    /** From now on, allocations that would take the chunks held past {@code budgetBytes} fail with NoSpace. */
    public void limitSpace(long budgetBytes) {
        space.setLimitBytes(budgetBytes);
    }

    /** Back to the capacity given at construction. */
    public void removeSpaceLimit() {
        space.setLimitBytes(capacityBytes);
    }

    /** Bytes held by all chunks of all inodes. */
    public long usedBytes() {
        return space.usedBytes();
    }

    /** Calls of {@link LocalFile#sync} on any handle, both modes. */
    public long fileSyncCount() {
        return fileSyncs.get();
    }

    public long namespaceSyncCount() {
        return namespaceSyncs.get();
    }

    /** Inodes with at least one open handle, sorted. */
    public synchronized SortedSet<Long> inodesWithOpenHandles() {
        return new TreeSet<>(openHandles.keySet());
    }

    public int chunkBytes() {
        return chunkBytes;
    }

    synchronized void handleClosed(long ino) {
        openHandles.computeIfPresent(ino, (k, n) -> n == 1 ? null : n - 1);
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("in-memory data store used after close");
        }
    }

    long maxFileBytes() {
        return maxFileBytes;
    }

    Timespec now() {
        return clock.now();
    }

    void countFileSync() {
        fileSyncs.incrementAndGet();
    }
}
