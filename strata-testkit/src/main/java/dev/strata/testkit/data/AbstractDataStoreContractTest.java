package dev.strata.testkit.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.FsException;
import dev.strata.core.Timespec;
import dev.strata.core.data.DataStore;
import dev.strata.core.data.LocalFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link DataStore} / {@link LocalFile} contract, run against every implementation: subclass it
 * and supply a fresh store. Granularity of holes is an implementation's business (a disk block, a
 * fake's chunk); every hole and data range here is 1 MiB aligned so any granularity up to 1 MiB
 * passes. A local-disk store must sit on a file system with fallocate ZERO_RANGE and SEEK_HOLE
 * (ext4, XFS); tmpfs has neither ZERO_RANGE nor unwritten extents.
 */
public abstract class AbstractDataStoreContractTest {
    protected static final long KIB = 1024;
    protected static final long MIB = 1024 * KIB;
    protected static final long GIB = 1024 * MIB;
    protected static final int SEEK_DATA = 3;
    protected static final int SEEK_HOLE = 4;
    private static final int KEEP_SIZE = LocalFile.FALLOC_KEEP_SIZE;
    private static final int PUNCH_HOLE = LocalFile.FALLOC_PUNCH_HOLE;
    private static final int ZERO_RANGE = LocalFile.FALLOC_ZERO_RANGE;
    /** Seed of the reference-model run; override with -Dstrata.test.seed=N to explore or replay. */
    private static final long MODEL_SEED = Long.getLong("strata.test.seed", 20261123L);
    private static final int MODEL_STEPS = 600;

    @TempDir
    protected Path scratch;

    protected DataStore store;
    private final List<LocalFile> handles = new ArrayList<>();

    /** A new, empty store; {@code scratch} is an empty directory it may use. */
    protected abstract DataStore newStore(Path scratch) throws Exception;

    /** Lets the store's clock move on far enough that the next change gets a later mtime. */
    protected abstract void letTimePass() throws Exception;

    @BeforeEach
    void createStore() throws Exception {
        store = newStore(scratch);
    }

    @AfterEach
    void closeStore() {
        handles.forEach(LocalFile::close);
        store.close();
    }

    /** Opens a handle that is closed after the test. */
    protected LocalFile open(long ino) throws FsException {
        LocalFile f = store.open(ino);
        handles.add(f);
        return f;
    }

    @Test
    void openCreatesAnEmptyFileOnFirstUse() throws Exception {
        assertThat(store.exists(3)).isFalse();
        LocalFile f = open(3);
        assertThat(f.ino()).isEqualTo(3);
        assertThat(store.exists(3)).isTrue();
        assertThat(f.stat().sizeBytes()).isZero();
        assertThat(f.stat().allocatedBytes()).isZero();
        assertThat(read(f, 0, 10)).isEmpty();
    }

    @Test
    void randomOperationsMatchAByteArrayModel() throws Exception {
        new ReferenceModelRun(open(7), MODEL_SEED).run(MODEL_STEPS);
    }

    @Test
    void aSparseWriteFarPastTheEndLeavesAHoleThatReadsAsZeros() throws Exception {
        LocalFile f = open(4);
        write(f, 0, ascii("head"));
        write(f, 100 * MIB, ascii("tail"));
        assertThat(f.stat().sizeBytes()).isEqualTo(100 * MIB + 4);
        assertThat(f.stat().allocatedBytes()).isLessThan(MIB);
        assertThat(read(f, 4, 64 * 1024)).isEqualTo(new byte[64 * 1024]);
        assertThat(read(f, 50 * MIB, 4096)).isEqualTo(new byte[4096]);
        assertThat(read(f, 100 * MIB - 2, 100)).isEqualTo(new byte[] {0, 0, 't', 'a', 'i', 'l'});
    }

    @Test
    void readsAreShortOnlyAtTheEndOfFile() throws Exception {
        LocalFile f = open(5);
        write(f, 0, ascii("0123456789"));
        assertThat(read(f, 5, 16)).isEqualTo(ascii("56789"));
        assertThat(read(f, 10, 16)).isEmpty();
        assertThat(read(f, 1000, 16)).isEmpty();
        assertThat(read(f, 3, 2)).isEqualTo(ascii("34"));
    }

    @Test
    void truncateDropsBytesAndGrowsWithZeros() throws Exception {
        LocalFile f = open(6);
        write(f, 0, filled(100, (byte) 0x5A));
        f.truncate(40);
        assertThat(f.stat().sizeBytes()).isEqualTo(40);
        assertThat(read(f, 0, 100)).isEqualTo(filled(40, (byte) 0x5A));
        f.truncate(200);
        assertThat(f.stat().sizeBytes()).isEqualTo(200);
        byte[] expected = new byte[200];
        Arrays.fill(expected, 0, 40, (byte) 0x5A);
        assertThat(read(f, 0, 300)).isEqualTo(expected);
        f.truncate(0);
        assertThat(f.stat().sizeBytes()).isZero();
        assertThat(f.stat().allocatedBytes()).isZero();
    }

    @Test
    void punchHoleReadsZerosAndFreesSpace() throws Exception {
        LocalFile f = open(8);
        byte[] bytes = randomBytes(3 * MIB, 8);
        write(f, 0, bytes);
        f.sync(true);
        long before = f.stat().allocatedBytes();
        assertThat(before).isGreaterThanOrEqualTo(3 * MIB);
        f.allocate(PUNCH_HOLE | KEEP_SIZE, MIB, MIB);
        assertThat(f.stat().sizeBytes()).isEqualTo(3 * MIB);
        assertThat(f.stat().allocatedBytes()).isLessThanOrEqualTo(before - MIB);
        assertThat(read(f, MIB, (int) MIB)).isEqualTo(new byte[(int) MIB]);
        assertThat(read(f, 0, (int) MIB)).isEqualTo(Arrays.copyOfRange(bytes, 0, (int) MIB));
        assertThat(read(f, 2 * MIB, (int) MIB)).isEqualTo(Arrays.copyOfRange(bytes, (int) (2 * MIB), (int) (3 * MIB)));
        assertThat(f.seek(MIB, SEEK_HOLE)).isEqualTo(MIB);
        assertThat(f.seek(MIB, SEEK_DATA)).isEqualTo(2 * MIB);
        // A hole past the end changes nothing.
        f.allocate(PUNCH_HOLE | KEEP_SIZE, 5 * MIB, MIB);
        assertThat(f.stat().sizeBytes()).isEqualTo(3 * MIB);
    }

    @Test
    void zeroRangeZerosAndGrowsUnlessKeepSize() throws Exception {
        LocalFile f = open(9);
        byte[] bytes = randomBytes(2 * MIB, 9);
        write(f, 0, bytes);
        f.allocate(ZERO_RANGE, 512 * KIB, MIB);
        byte[] expected = bytes.clone();
        Arrays.fill(expected, (int) (512 * KIB), (int) (1536 * KIB), (byte) 0);
        assertThat(read(f, 0, (int) (2 * MIB))).isEqualTo(expected);
        assertThat(f.stat().sizeBytes()).isEqualTo(2 * MIB);
        f.allocate(ZERO_RANGE, 2 * MIB, MIB);
        assertThat(f.stat().sizeBytes()).isEqualTo(3 * MIB);
        assertThat(read(f, 2 * MIB, (int) MIB)).isEqualTo(new byte[(int) MIB]);
        f.allocate(ZERO_RANGE | KEEP_SIZE, 3 * MIB, MIB);
        assertThat(f.stat().sizeBytes()).isEqualTo(3 * MIB);
    }

    @Test
    void keepSizePreallocationTakesSpaceWithoutGrowing() throws Exception {
        LocalFile f = open(10);
        f.allocate(KEEP_SIZE, 0, MIB);
        assertThat(f.stat().sizeBytes()).isZero();
        assertThat(f.stat().allocatedBytes()).isGreaterThanOrEqualTo(MIB);
        assertThat(read(f, 0, 16)).isEmpty();
        f.allocate(0, 0, 2 * MIB);
        assertThat(f.stat().sizeBytes()).isEqualTo(2 * MIB);
        assertThat(f.stat().allocatedBytes()).isGreaterThanOrEqualTo(2 * MIB);
        assertThat(read(f, 0, (int) (2 * MIB))).isEqualTo(new byte[(int) (2 * MIB)]);
        write(f, 100, ascii("x"));
        assertThat(read(f, 99, 3)).isEqualTo(new byte[] {0, 'x', 0});
    }

    @Test
    void allocateRejectsModesThePortDoesNotOffer() throws Exception {
        LocalFile f = open(12);
        write(f, 0, filled(8192, (byte) 1));
        for (int mode : new int[] {0x04, 0x08, 0x20, 0x40, 0x80, PUNCH_HOLE, PUNCH_HOLE | ZERO_RANGE | KEEP_SIZE}) {
            assertThatThrownBy(() -> f.allocate(mode, 0, 4096)).as("mode 0x%x", mode)
                    .isInstanceOf(FsException.NotSupported.class);
        }
        assertThatThrownBy(() -> f.allocate(0, -1, 10)).isInstanceOf(FsException.InvalidArgument.class);
        assertThatThrownBy(() -> f.allocate(0, 0, 0)).isInstanceOf(FsException.InvalidArgument.class);
        assertThat(read(f, 0, 8192)).isEqualTo(filled(8192, (byte) 1));
    }

    @Test
    void seekFindsDataAndHolesInTheMiddleAndAtTheEnd() throws Exception {
        // data [0, 1 MiB), hole [1, 3 MiB), data [3, 4 MiB), hole [4, 6 MiB) = EOF
        LocalFile f = open(13);
        write(f, 0, filled((int) MIB, (byte) 1));
        write(f, 3 * MIB, filled((int) MIB, (byte) 3));
        f.truncate(6 * MIB);
        assertThat(f.seek(0, SEEK_DATA)).isEqualTo(0);
        assertThat(f.seek(512 * KIB, SEEK_DATA)).isEqualTo(512 * KIB);
        assertThat(f.seek(0, SEEK_HOLE)).isEqualTo(MIB);
        assertThat(f.seek(MIB, SEEK_DATA)).isEqualTo(3 * MIB);
        assertThat(f.seek(MIB + 5, SEEK_HOLE)).isEqualTo(MIB + 5);
        assertThat(f.seek(3 * MIB, SEEK_HOLE)).isEqualTo(4 * MIB);
        assertThat(f.seek(4 * MIB + 1, SEEK_HOLE)).isEqualTo(4 * MIB + 1);
        for (long offset : new long[] {4 * MIB, 6 * MIB - 1, 6 * MIB, 100 * MIB, -1}) {
            assertThatThrownBy(() -> f.seek(offset, SEEK_DATA)).as("SEEK_DATA at %d", offset)
                    .isInstanceOf(FsException.NoSuchAddress.class);
        }
        assertThatThrownBy(() -> f.seek(6 * MIB, SEEK_HOLE)).isInstanceOf(FsException.NoSuchAddress.class);
        assertThatThrownBy(() -> f.seek(0, 0)).isInstanceOf(FsException.InvalidArgument.class);
    }

    @Test
    void theEndOfFileIsAHoleWhenTheFileEndsInData() throws Exception {
        LocalFile f = open(14);
        write(f, 0, filled((int) MIB, (byte) 1));
        assertThat(f.seek(0, SEEK_HOLE)).isEqualTo(MIB);
        assertThat(f.seek(MIB - 1, SEEK_DATA)).isEqualTo(MIB - 1);
        assertThatThrownBy(() -> open(15).seek(0, SEEK_DATA)).isInstanceOf(FsException.NoSuchAddress.class);
    }

    @Test
    void copyToAnotherFileStopsAtTheSourceEnd() throws Exception {
        LocalFile src = open(20);
        LocalFile dst = open(21);
        byte[] bytes = randomBytes(3 * MIB, 20);
        write(src, 0, bytes);
        assertThat(src.copyTo(100 * KIB, dst, 7, 2 * MIB)).isEqualTo(2 * MIB);
        assertThat(dst.stat().sizeBytes()).isEqualTo(7 + 2 * MIB);
        byte[] expected = new byte[(int) (7 + 2 * MIB)];
        System.arraycopy(bytes, (int) (100 * KIB), expected, 7, (int) (2 * MIB));
        assertThat(read(dst, 0, expected.length + 10)).isEqualTo(expected);

        LocalFile tail = open(22);
        assertThat(src.copyTo(2 * MIB, tail, 0, 10 * MIB)).isEqualTo(MIB);
        assertThat(read(tail, 0, (int) (2 * MIB))).isEqualTo(Arrays.copyOfRange(bytes, (int) (2 * MIB), bytes.length));
        assertThat(src.copyTo(3 * MIB, tail, 0, MIB)).isZero();
        assertThat(src.copyTo(10 * MIB, tail, 0, MIB)).isZero();
        assertThat(src.copyTo(0, tail, 0, 0)).isZero();
        assertThat(tail.stat().sizeBytes()).isEqualTo(MIB);
    }

    @Test
    void copyWithinOneFileNeedsRangesThatDoNotOverlap() throws Exception {
        LocalFile f = open(23);
        byte[] bytes = randomBytes(3 * MIB, 23);
        write(f, 0, bytes);
        assertThat(f.copyTo(0, f, 4 * MIB, MIB)).isEqualTo(MIB);
        assertThat(f.stat().sizeBytes()).isEqualTo(5 * MIB);
        assertThat(read(f, 3 * MIB, (int) MIB)).isEqualTo(new byte[(int) MIB]);
        assertThat(read(f, 4 * MIB, (int) MIB)).isEqualTo(Arrays.copyOf(bytes, (int) MIB));
        assertThatThrownBy(() -> f.copyTo(0, f, 512 * KIB, MIB)).isInstanceOf(FsException.InvalidArgument.class);
        // Overlap is about the inode, not the handle.
        LocalFile other = open(23);
        assertThatThrownBy(() -> f.copyTo(MIB, other, 0, MIB + 1)).isInstanceOf(FsException.InvalidArgument.class);
        assertThat(read(f, 0, (int) (3 * MIB))).isEqualTo(bytes);
    }

    @Test
    void filesLargerThan8GiBAreSparse() throws Exception {
        LocalFile f = open(30);
        write(f, 9 * GIB, ascii("big!"));
        LocalFile.Stat st = f.stat();
        assertThat(st.sizeBytes()).isEqualTo(9 * GIB + 4);
        assertThat(st.allocatedBytes()).isLessThan(MIB);
        assertThat(read(f, 9 * GIB - 1, 10)).isEqualTo(new byte[] {0, 'b', 'i', 'g', '!'});
        assertThat(read(f, 4 * GIB, 4096)).isEqualTo(new byte[4096]);
        assertThat(f.seek(0, SEEK_HOLE)).isZero();
        assertThat(f.seek(0, SEEK_DATA)).isBetween(9 * GIB - MIB, 9 * GIB);
        f.truncate(9 * GIB + 2);
        assertThat(read(f, 9 * GIB, 10)).isEqualTo(ascii("bi"));
    }

    @Test
    void twoHandlesOfOneInodeSeeEachOthersWrites() throws Exception {
        LocalFile a = open(40);
        LocalFile b = open(40);
        write(a, 10, ascii("from a"));
        assertThat(read(b, 10, 6)).isEqualTo(ascii("from a"));
        b.truncate(12);
        assertThat(a.stat().sizeBytes()).isEqualTo(12);
        a.close();
        write(b, 0, ascii("b"));
        assertThat(read(b, 0, 1)).isEqualTo(ascii("b"));
    }

    @Test
    void deleteRemovesTheDataAndIsIdempotent() throws Exception {
        try (LocalFile f = store.open(50)) {
            write(f, 0, ascii("doomed"));
        }
        assertThat(store.exists(50)).isTrue();
        store.delete(50);
        assertThat(store.exists(50)).isFalse();
        store.delete(50);
        store.delete(51);
        assertThat(open(50).stat().sizeBytes()).isZero();
    }

    @Test
    void deleteWhileAHandleIsOpenIsAProgrammerError() throws Exception {
        LocalFile f = open(52);
        write(f, 0, ascii("kept"));
        assertThatThrownBy(() -> store.delete(52)).isInstanceOf(IllegalStateException.class).hasMessageContaining("52");
        assertThat(read(f, 0, 4)).isEqualTo(ascii("kept"));
        f.close();
        store.delete(52);
        assertThat(store.exists(52)).isFalse();
    }

    @Test
    void statReportsSizeAllocationAndALaterMtimeAfterAWrite() throws Exception {
        LocalFile f = open(60);
        write(f, 0, ascii("12345"));
        LocalFile.Stat first = f.stat();
        assertThat(first.sizeBytes()).isEqualTo(5);
        assertThat(first.allocatedBytes()).isPositive();
        letTimePass();
        write(f, 5, ascii("6"));
        Timespec later = f.stat().mtime();
        assertThat(later.isAfter(first.mtime())).as("%s after %s", later, first.mtime()).isTrue();
    }

    @Test
    void negativeOffsetsAndLengthsAreInvalid() throws Exception {
        LocalFile f = open(61);
        write(f, 0, ascii("abc"));
        assertThatThrownBy(() -> f.read(-1, MemorySegment.ofArray(new byte[4]))).isInstanceOf(FsException.InvalidArgument.class);
        assertThatThrownBy(() -> write(f, -1, ascii("x"))).isInstanceOf(FsException.InvalidArgument.class);
        assertThatThrownBy(() -> write(f, -1, new byte[0])).isInstanceOf(FsException.InvalidArgument.class);
        assertThatThrownBy(() -> f.truncate(-1)).isInstanceOf(FsException.InvalidArgument.class);
        assertThatThrownBy(() -> f.copyTo(-1, f, 10, 1)).isInstanceOf(FsException.InvalidArgument.class);
        assertThatThrownBy(() -> f.copyTo(0, f, -10, 1)).isInstanceOf(FsException.InvalidArgument.class);
        assertThatThrownBy(() -> f.copyTo(0, f, 10, -1)).isInstanceOf(FsException.InvalidArgument.class);
        assertThat(read(f, 0, 10)).isEqualTo(ascii("abc"));
    }

    @Test
    void closedHandlesAndStoresRefuseUse() throws Exception {
        LocalFile f = store.open(62);
        f.close();
        f.close();
        assertThatThrownBy(() -> f.read(0, MemorySegment.ofArray(new byte[1]))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> write(f, 0, ascii("x"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(f::stat).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(f::nativeFd).isInstanceOf(IllegalStateException.class);
        store.close();
        store.close();
        assertThatThrownBy(() -> store.open(62)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.exists(62)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.delete(62)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void inodeZeroDoesNotExist() {
        assertThatThrownBy(() -> store.open(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void syncAndSpaceAnswer() throws Exception {
        LocalFile f = open(63);
        write(f, 0, ascii("durable"));
        f.sync(true);
        f.sync(false);
        store.syncNamespace();
        DataStore.Space space = store.space();
        assertThat(space.totalBytes()).isPositive();
        assertThat(space.freeBytes()).isBetween(0L, space.totalBytes());
        assertThat(space.availableBytes()).isBetween(0L, space.freeBytes());
    }

    @Test
    void concurrentWritesToDisjointRangesOfOneHandleAllLand() throws Exception {
        LocalFile f = open(64);
        int threads = 4;
        int blocksPerThread = 64;
        int blockBytes = 4096;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<Void>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int b = 0; b < blocksPerThread; b++) {
                        long block = (long) b * threads + thread;
                        write(f, block * blockBytes, filled(blockBytes, (byte) (thread + 1)));
                        assertThat(read(f, block * blockBytes, blockBytes)).isEqualTo(filled(blockBytes, (byte) (thread + 1)));
                    }
                    return null;
                }));
            }
            for (Future<Void> d : done) {
                d.get();
            }
        }
        for (long block = 0; block < (long) threads * blocksPerThread; block++) {
            byte expected = (byte) (block % threads + 1);
            assertThat(read(f, block * blockBytes, blockBytes)).as("block %d", block).isEqualTo(filled(blockBytes, expected));
        }
    }

    // ---- helpers for subclasses too ----

    protected static void write(LocalFile f, long offset, byte[] bytes) throws FsException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(Math.max(1, bytes.length)).asSlice(0, bytes.length);
            MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
            f.write(offset, s);
        }
    }

    /** Reads up to {@code length} bytes; the array is as long as the read returned. */
    protected static byte[] read(LocalFile f, long offset, int length) throws FsException {
        byte[] buf = new byte[length];
        int n = f.read(offset, MemorySegment.ofArray(buf));
        return Arrays.copyOf(buf, n);
    }

    protected static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    protected static byte[] filled(int length, byte value) {
        byte[] b = new byte[length];
        Arrays.fill(b, value);
        return b;
    }

    protected static byte[] randomBytes(long length, long seed) {
        byte[] b = new byte[Math.toIntExact(length)];
        new Random(seed).nextBytes(b);
        return b;
    }
}
