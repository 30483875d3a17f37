package dev.strata.testkit.data;

import dev.strata.core.FsException;
import dev.strata.core.Timespec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The bytes of one fake inode: a size and fixed-size chunks in a sorted map, so a write at 8 GiB
 * costs one chunk. A chunk index is in one of three states:
 * <ul>
 *   <li>absent: a hole; reads as zeros and uses no space;</li>
 *   <li>{@link #UNWRITTEN}: space taken by fallocate (preallocation or ZERO_RANGE) that reads as
 *       zeros and counts as a hole for SEEK_DATA/SEEK_HOLE, as ext4 and XFS report their unwritten
 *       extents;</li>
 *   <li>data: a {@code byte[chunkBytes]}.</li>
 * </ul>
 * Invariant: bytes of data chunks at or past {@link #sizeBytes} are zero, so growing the file
 * again shows zeros. Space is taken from the {@link SpaceBudget} before anything changes, so a
 * NoSpace failure leaves the file as it was (a real disk may keep a prefix; callers must not rely
 * on either).
 *
 * <p>Not thread-safe: {@link InMemoryFile} calls it holding this object's monitor.
 */
final class SparseBytes {
    /** Marks an allocated chunk that was never written; compared by identity. */
    private static final byte[] UNWRITTEN = new byte[0];

    private final int chunkBytes;
    private final int chunkShift;
    private final SpaceBudget budget;
    private final NavigableMap<Long, byte[]> chunks = new TreeMap<>();
    private long sizeBytes;
    private Timespec mtime;

    SparseBytes(int chunkBytes, SpaceBudget budget, Timespec now) {
        this.chunkBytes = chunkBytes;
        this.chunkShift = Integer.numberOfTrailingZeros(chunkBytes);
        this.budget = budget;
        this.mtime = now;
    }

    long sizeBytes() {
        return sizeBytes;
    }

    long allocatedBytes() {
        return (long) chunks.size() * chunkBytes;
    }

    Timespec mtime() {
        return mtime;
    }

    void touch(Timespec now) {
        mtime = now;
    }

    /** Reads up to {@code dst.byteSize()} bytes; fewer only at end of file. */
    long read(long offset, MemorySegment dst) {
        if (offset >= sizeBytes) {
            return 0;
        }
        long count = Math.min(dst.byteSize(), sizeBytes - offset);
        long done = 0;
        while (done < count) {
            long pos = offset + done;
            int within = (int) (pos & (chunkBytes - 1));
            int n = (int) Math.min(chunkBytes - within, count - done);
            byte[] chunk = chunks.get(pos >>> chunkShift);
            if (chunk == null || chunk == UNWRITTEN) {
                dst.asSlice(done, n).fill((byte) 0);
            } else {
                MemorySegment.copy(chunk, within, dst, ValueLayout.JAVA_BYTE, done, n);
            }
            done += n;
        }
        return count;
    }

    void write(long offset, MemorySegment src, String what) throws FsException.NoSpace {
        long end = offset + src.byteSize();
        reserveAbsent(offset, end, what);
        long done = 0;
        while (offset + done < end) {
            long pos = offset + done;
            int within = (int) (pos & (chunkBytes - 1));
            int n = (int) Math.min(chunkBytes - within, end - pos);
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, done, dataChunk(pos >>> chunkShift), within, n);
            done += n;
        }
        sizeBytes = Math.max(sizeBytes, end);
    }

    void truncate(long newSizeBytes) {
        if (newSizeBytes < sizeBytes) {
            // Whole chunks from the first boundary at or past the new size go, preallocated ones
            // past the old end of file too (as ext4 frees KEEP_SIZE blocks on truncate).
            dropChunks(Math.ceilDiv(newSizeBytes, chunkBytes), Long.MAX_VALUE);
            zeroWithinChunks(newSizeBytes, sizeBytes);
        }
        sizeBytes = newSizeBytes;
    }

    /** fallocate(PUNCH_HOLE | KEEP_SIZE): whole chunks become holes, partial ones are zeroed. */
    void punchHole(long offset, long end) {
        long firstWhole = Math.ceilDiv(offset, chunkBytes);
        long endWhole = end >>> chunkShift;
        if (firstWhole < endWhole) {
            dropChunks(firstWhole, endWhole);
            zeroWithinChunks(offset, firstWhole << chunkShift);
            zeroWithinChunks(endWhole << chunkShift, end);
        } else {
            zeroWithinChunks(offset, end);
        }
    }

    /** fallocate(ZERO_RANGE): the range reads zeros and its space is allocated. */
    void zeroRange(long offset, long end, boolean keepSize, String what) throws FsException.NoSpace {
        reserveAbsent(offset, end, what);
        long firstWhole = Math.ceilDiv(offset, chunkBytes);
        long endWhole = end >>> chunkShift;
        for (long i = offset >>> chunkShift; i <= (end - 1) >>> chunkShift; i++) {
            byte[] chunk = chunks.get(i);
            if (chunk == null || (i >= firstWhole && i < endWhole)) {
                chunks.put(i, UNWRITTEN);
            }
        }
        zeroWithinChunks(offset, end);
        if (!keepSize) {
            sizeBytes = Math.max(sizeBytes, end);
        }
    }

    /** fallocate(0 or KEEP_SIZE): space for the range, contents unchanged. */
    void preallocate(long offset, long end, boolean keepSize, String what) throws FsException.NoSpace {
        reserveAbsent(offset, end, what);
        for (long i = offset >>> chunkShift; i <= (end - 1) >>> chunkShift; i++) {
            chunks.putIfAbsent(i, UNWRITTEN);
        }
        if (!keepSize) {
            sizeBytes = Math.max(sizeBytes, end);
        }
    }

    /** SEEK_DATA: the first offset at or after {@code offset} in a data chunk, or -1 if none before EOF. */
    long nextData(long offset) {
        for (Map.Entry<Long, byte[]> e : chunks.tailMap(offset >>> chunkShift, true).entrySet()) {
            if (e.getValue() != UNWRITTEN) {
                long at = Math.max(offset, e.getKey() << chunkShift);
                return at < sizeBytes ? at : -1;
            }
        }
        return -1;
    }

    /** SEEK_HOLE: the first offset at or after {@code offset} outside data chunks; EOF counts as a hole. */
    long nextHole(long offset) {
        long expected = offset >>> chunkShift;
        for (Map.Entry<Long, byte[]> e : chunks.tailMap(expected, true).entrySet()) {
            if (e.getKey() != expected || e.getValue() == UNWRITTEN) {
                break;
            }
            expected++;
        }
        return Math.min(Math.max(offset, expected << chunkShift), sizeBytes);
    }

    /** Whether no data chunk meets [offset, end). */
    boolean isHole(long offset, long end) {
        if (offset >= end) {
            return true;
        }
        for (byte[] chunk : chunks.subMap(offset >>> chunkShift, true, (end - 1) >>> chunkShift, true).values()) {
            if (chunk != UNWRITTEN) {
                return false;
            }
        }
        return true;
    }

    /** Grows the size without writing, for copies of a hole into a hole. */
    void extendTo(long end) {
        sizeBytes = Math.max(sizeBytes, end);
    }

    /** Gives back all space; the object must not be used afterwards. */
    void releaseAll() {
        budget.release(allocatedBytes());
        chunks.clear();
        sizeBytes = 0;
    }

    private void reserveAbsent(long offset, long end, String what) throws FsException.NoSpace {
        if (offset >= end) {
            return;
        }
        long first = offset >>> chunkShift;
        long last = (end - 1) >>> chunkShift;
        long absent = last - first + 1 - chunks.subMap(first, true, last, true).size();
        budget.reserve(absent * chunkBytes, what);
    }

    private byte[] dataChunk(long index) {
        byte[] chunk = chunks.get(index);
        if (chunk == null || chunk == UNWRITTEN) {
            chunk = new byte[chunkBytes];
            chunks.put(index, chunk);
        }
        return chunk;
    }

    private void dropChunks(long fromIndex, long toIndexExclusive) {
        Map<Long, byte[]> doomed = chunks.subMap(fromIndex, true, toIndexExclusive, false);
        budget.release((long) doomed.size() * chunkBytes);
        doomed.clear();
    }

    /** Zeros [from, to) inside data chunks; holes and unwritten chunks already read as zeros. */
    private void zeroWithinChunks(long from, long to) {
        if (from >= to) {
            return;
        }
        for (Map.Entry<Long, byte[]> e : chunks.subMap(from >>> chunkShift, true, (to - 1) >>> chunkShift, true).entrySet()) {
            byte[] chunk = e.getValue();
            if (chunk != UNWRITTEN) {
                long base = e.getKey() << chunkShift;
                Arrays.fill(chunk, (int) (Math.max(from, base) - base), (int) (Math.min(to, base + chunkBytes) - base), (byte) 0);
            }
        }
    }
}
