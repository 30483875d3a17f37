package dev.strata.tier.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.strata.core.FsException;
import dev.strata.core.data.LocalFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults only a real small or read-only file system produces; skipped unless root. */
class TmpfsDataStoreTest {
    private static final long MIB = 1 << 20;
    /** Bounds the fill loop: a 4 MiB tmpfs must be full long before this many MiB. */
    private static final int MAX_FILL_MIB = 64;

    @TempDir
    Path scratch;

    @Test
    void aFullDiskIsNoSpaceAndTheStoreWorksAgainOnceSpaceIsFreed() throws Exception {
        try (Tmpfs disk = Tmpfs.mount(scratch.resolve("small"), "size=4m,mode=0700");
                Arena arena = Arena.ofConfined()) {
            MemorySegment mib = arena.allocate(MIB).fill((byte) 7);
            try (LocalDiskDataStore store = LocalDiskDataStore.open(disk.dir())) {
                LocalFile big = store.open(1);
                FsException.NoSpace full = fillUntilNoSpace(big, mib);
                assertThat(full).hasMessageContaining("inode 1").hasMessageContaining(store.pathOf(1).toString())
                        .hasMessageContaining("ENOSPC");
                assertThat(store.space().availableBytes()).isLessThan(MIB);
                assertThatThrownBy(() -> {
                    try (LocalFile other = store.open(2)) {
                        other.write(0, mib);
                    }
                }).isInstanceOf(FsException.NoSpace.class).hasMessageContaining("inode 2");

                big.truncate(MIB);
                try (LocalFile other = store.open(2)) {
                    other.write(0, mib);
                    other.sync(true);
                }
                big.close();
                store.delete(1);
                store.syncNamespace();
                try (LocalFile third = store.open(3)) {
                    third.write(0, mib);
                    third.write(MIB, mib);
                    assertThat(third.stat().sizeBytes()).isEqualTo(2 * MIB);
                }
            }
        }
    }

    /** copy_file_range between ext4 and tmpfs is EXDEV (Linux 5.19 and later): the buffered path runs. */
    @Test
    void copiesAcrossFileSystemsFallBackToTheBuffer() throws Exception {
        byte[] bytes = new byte[(int) (2 * MIB + 3)];
        new Random(2).nextBytes(bytes);
        try (Tmpfs disk = Tmpfs.mount(scratch.resolve("other"), "size=16m,mode=0700");
                LocalDiskDataStore onTmpfs = LocalDiskDataStore.open(disk.dir());
                LocalDiskDataStore onRoot = LocalDiskDataStore.open(Files.createDirectories(scratch.resolve("ext4")));
                LocalFile src = onRoot.open(1);
                LocalFile dst = onTmpfs.open(1)) {
            src.write(0, MemorySegment.ofArray(bytes));
            assertThat(src.copyTo(0, dst, 1, bytes.length)).isEqualTo(bytes.length);
            byte[] got = new byte[bytes.length];
            assertThat(dst.read(1, MemorySegment.ofArray(got))).isEqualTo(bytes.length);
            assertThat(got).isEqualTo(bytes);
        }
    }

    @Test
    void zeroRangeOnAFileSystemWithoutItIsNotSupported() throws Exception {
        try (Tmpfs disk = Tmpfs.mount(scratch.resolve("nozero"), "size=4m,mode=0700");
                LocalDiskDataStore store = LocalDiskDataStore.open(disk.dir());
                LocalFile f = store.open(5)) {
            f.write(0, MemorySegment.ofArray(new byte[8192]));
            assertThatThrownBy(() -> f.allocate(LocalFile.FALLOC_ZERO_RANGE, 0, 4096))
                    .isInstanceOf(FsException.NotSupported.class)
                    .hasMessageContaining("inode 5")
                    .hasMessageContaining("EOPNOTSUPP");
        }
    }

    @Test
    void aReadOnlyRootIsAnErrorThatSaysWhatToDo() throws Exception {
        try (Tmpfs disk = Tmpfs.mount(scratch.resolve("ro"), "ro,size=1m")) {
            assertThatThrownBy(() -> LocalDiskDataStore.open(disk.dir()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(disk.dir().toString())
                    .hasMessageContaining("not writable")
                    .hasMessageContaining("read-only");
        }
    }

    private static FsException.NoSpace fillUntilNoSpace(LocalFile f, MemorySegment mib) throws FsException {
        for (int i = 0; i < MAX_FILL_MIB; i++) {
            try {
                f.write(i * MIB, mib);
            } catch (FsException.NoSpace e) {
                return e;
            }
        }
        return fail("no ENOSPC after " + MAX_FILL_MIB + " MiB on a 4 MiB tmpfs; sizes: " + Arrays.toString(new long[] {
            f.stat().sizeBytes(), f.stat().allocatedBytes()}));
    }
}
