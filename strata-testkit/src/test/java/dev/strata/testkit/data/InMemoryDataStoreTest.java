package dev.strata.testkit.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.FsException;
import dev.strata.core.data.LocalFile;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** What only the fake promises: its granularity, its fault switch, its probes and its strictness. */
class InMemoryDataStoreTest {
    private static final int CHUNK = 4096;
    private static final long CAPACITY = 1L << 30;
    private static final long MAX_FILE = 1L << 40;

    private final ManualClock clock = new ManualClock();
    private final InMemoryDataStore store = new InMemoryDataStore(clock, CHUNK, CAPACITY, MAX_FILE);

    @Test
    void aSpaceBudgetFailsAllocationsWithNoSpaceUntilSpaceIsFreed() throws Exception {
        store.limitSpace(3 * CHUNK);
        try (LocalFile a = store.open(1); LocalFile b = store.open(2)) {
            write(a, 0, new byte[2 * CHUNK]);
            assertThat(store.usedBytes()).isEqualTo(2 * CHUNK);
            assertThat(store.space().availableBytes()).isEqualTo(CHUNK);
            assertThatThrownBy(() -> write(b, 0, new byte[2 * CHUNK]))
                    .isInstanceOf(FsException.NoSpace.class)
                    .hasMessageContaining("inode 2");
            assertThat(b.stat().sizeBytes()).as("a failed write changes nothing in the fake").isZero();
            assertThatThrownBy(() -> b.allocate(0, 0, 2 * CHUNK)).isInstanceOf(FsException.NoSpace.class);
            // Rewriting held chunks needs no space.
            write(a, 10, new byte[CHUNK]);
            a.allocate(LocalFile.FALLOC_PUNCH_HOLE | LocalFile.FALLOC_KEEP_SIZE, 0, CHUNK);
            write(b, 0, new byte[2 * CHUNK]);
            assertThat(store.usedBytes()).isEqualTo(3 * CHUNK);
        }
        store.delete(2);
        assertThat(store.usedBytes()).isEqualTo(CHUNK);
        store.removeSpaceLimit();
        assertThat(store.space().totalBytes()).isEqualTo(CAPACITY);
        store.close();
    }

    @Test
    void seekWorksAtChunkGranularityAndPreallocationIsAHole() throws Exception {
        try (LocalFile f = store.open(3)) {
            write(f, 100, new byte[] {1});
            assertThat(f.seek(0, 3)).isZero();
            assertThat(f.seek(0, 4)).isEqualTo(101); // EOF inside the chunk
            f.truncate(10L * CHUNK);
            assertThat(f.seek(0, 4)).isEqualTo(CHUNK);
            f.allocate(0, 2 * CHUNK, CHUNK);
            assertThat(f.stat().allocatedBytes()).isEqualTo(2 * CHUNK);
            assertThatThrownBy(() -> f.seek(CHUNK, 3)).isInstanceOf(FsException.NoSuchAddress.class);
            f.allocate(LocalFile.FALLOC_ZERO_RANGE, 0, 2L * CHUNK);
            assertThat(f.stat().allocatedBytes()).isEqualTo(3 * CHUNK);
            assertThatThrownBy(() -> f.seek(0, 3)).as("zeroed whole chunks are unwritten space")
                    .isInstanceOf(FsException.NoSuchAddress.class);
        }
        store.close();
    }

    @Test
    void mtimeComesFromTheInjectedClockAndPreallocationLeavesIt() throws Exception {
        try (LocalFile f = store.open(4)) {
            write(f, 0, new byte[] {1});
            assertThat(f.stat().mtime()).isEqualTo(clock.now());
            var written = clock.now();
            clock.advanceNanos(5);
            f.allocate(LocalFile.FALLOC_KEEP_SIZE, 0, 8 * CHUNK);
            write(f, 1, new byte[0]);
            assertThat(f.stat().mtime()).isEqualTo(written);
            f.truncate(1);
            assertThat(f.stat().mtime()).isEqualTo(clock.now());
        }
        store.close();
    }

    @Test
    void countsSyncCalls() throws Exception {
        try (LocalFile f = store.open(5)) {
            f.sync(true);
            f.sync(false);
        }
        store.syncNamespace();
        assertThat(store.fileSyncCount()).isEqualTo(2);
        assertThat(store.namespaceSyncCount()).isEqualTo(1);
        store.close();
    }

    @Test
    void closingTheStoreWithOpenHandlesNamesThemAndStillCloses() throws Exception {
        LocalFile leaked = store.open(77);
        store.open(78).close();
        assertThat(store.inodesWithOpenHandles()).containsExactly(77L);
        assertThatThrownBy(store::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("77");
        assertThatThrownBy(() -> leaked.stat()).isInstanceOf(IllegalStateException.class);
        store.close();
    }

    @Test
    void filesEndAtTheConfiguredLimit() throws Exception {
        try (LocalFile f = store.open(6)) {
            assertThatThrownBy(() -> write(f, MAX_FILE - 1, new byte[2])).isInstanceOf(FsException.FileTooBig.class);
            assertThatThrownBy(() -> f.truncate(MAX_FILE + 1)).isInstanceOf(FsException.FileTooBig.class);
            assertThatThrownBy(() -> f.allocate(LocalFile.FALLOC_KEEP_SIZE, MAX_FILE, 1))
                    .isInstanceOf(FsException.FileTooBig.class);
            write(f, MAX_FILE - 1, new byte[1]);
            assertThat(f.stat().sizeBytes()).isEqualTo(MAX_FILE);
        }
        store.close();
    }

    @Test
    void copyingASparseFileOntoAHoleCopiesNoHoles() throws Exception {
        try (LocalFile src = store.open(7); LocalFile dst = store.open(8)) {
            write(src, 9L << 30, new byte[] {9});
            assertThat(src.copyTo(0, dst, 0, Long.MAX_VALUE / 2)).isEqualTo((9L << 30) + 1);
            assertThat(dst.stat().sizeBytes()).isEqualTo((9L << 30) + 1);
            assertThat(dst.stat().allocatedBytes()).isEqualTo(CHUNK);
            byte[] last = new byte[1];
            dst.read(9L << 30, MemorySegment.ofArray(last));
            assertThat(last[0]).isEqualTo((byte) 9);
        }
        store.close();
    }

    @Test
    void rejectsChunkSizesThatAreNotPowersOfTwo() {
        assertThatThrownBy(() -> new InMemoryDataStore(clock, 3000, CAPACITY, MAX_FILE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3000");
    }

    private static void write(LocalFile f, long offset, byte[] bytes) throws FsException {
        f.write(offset, MemorySegment.ofArray(bytes));
    }
}
