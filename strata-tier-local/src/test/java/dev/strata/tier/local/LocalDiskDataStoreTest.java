package dev.strata.tier.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.core.Clock;
import dev.strata.core.FsException;
import dev.strata.core.data.LocalFile;
import dev.strata.nativeio.Libc;
import dev.strata.testkit.data.InMemoryDataStore;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the local disk does: its layout, descriptors, directory syncs and root checks. */
class LocalDiskDataStoreTest {
    @TempDir
    Path root;

    @Test
    void eachInodeLivesInTheDirectoryOfItsLowByte() throws Exception {
        try (LocalDiskDataStore store = LocalDiskDataStore.open(root)) {
            store.open(0x1234).close();
            Path expected = root.resolve("34").resolve("0000000000001234");
            assertThat(store.pathOf(0x1234)).isEqualTo(expected);
            assertThat(expected).isRegularFile();
            assertThat(Libc.stat(expected, true).mode() & 0777).isEqualTo(0600);
            assertThat(store.pathOf(-1)).isEqualTo(root.resolve("ff").resolve("ffffffffffffffff"));
            assertThat(root.resolve("LAYOUT")).hasContent(FanOutLayout.MARKER_TEXT.strip());
            try (var dirs = Files.list(root)) {
                assertThat(dirs.filter(Files::isDirectory).count()).isEqualTo(FanOutLayout.DIRECTORIES);
            }
        }
    }

    @Test
    void nativeFdIsTheKernelDescriptorOfTheFile() throws Exception {
        try (LocalDiskDataStore store = LocalDiskDataStore.open(root); LocalFile f = store.open(7)) {
            int fd = f.nativeFd();
            assertThat(Libc.fstat(fd).ino()).isEqualTo(Libc.stat(store.pathOf(7), true).ino());
            try (Arena arena = Arena.ofConfined()) {
                Libc.pwriteFully(fd, arena.allocateFrom("through the fd", StandardCharsets.US_ASCII), 0);
            }
            byte[] back = new byte[14];
            assertThat(f.read(0, MemorySegment.ofArray(back))).isEqualTo(14);
            assertThat(new String(back, StandardCharsets.US_ASCII)).isEqualTo("through the fd");
            assertThat(f.stat().sizeBytes()).isEqualTo(Libc.fstat(fd).size());
        }
    }

    @Test
    void syncNamespaceCoversTheDirectoriesWithCreationsAndDeletions() throws Exception {
        try (LocalDiskDataStore store = LocalDiskDataStore.open(root)) {
            assertThat(store.directoriesToSync()).isZero();
            store.open(0x01).close();
            store.open(0x101).close(); // the same directory, 01
            store.open(0x02).close();
            assertThat(store.directoriesToSync()).isEqualTo(2);
            store.syncNamespace();
            assertThat(store.directoriesToSync()).isZero();
            store.open(0x01).close(); // exists: no new entry
            store.delete(0x55);       // absent: no change
            assertThat(store.directoriesToSync()).isZero();
            store.delete(0x02);
            assertThat(store.directoriesToSync()).isEqualTo(1);
            store.syncNamespace();
            assertThat(store.directoriesToSync()).isZero();
        }
    }

    @Test
    void aMissingRootIsAnErrorThatSaysWhatToDo() {
        Path missing = root.resolve("not-there");
        assertThatThrownBy(() -> LocalDiskDataStore.open(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist")
                .hasMessageContaining("mkdir -p");
        assertThat(missing).doesNotExist();
    }

    @Test
    void aRootThatIsAFileIsRefused() throws Exception {
        Path file = Files.writeString(root.resolve("file"), "x");
        assertThatThrownBy(() -> LocalDiskDataStore.open(file))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a directory");
    }

    @Test
    void aRootOfAnotherLayoutIsRefusedAndLeftAlone() throws Exception {
        Files.writeString(root.resolve("LAYOUT"), "strata fast-tier data, layout 2: something newer\n");
        assertThatThrownBy(() -> LocalDiskDataStore.open(root))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layout 2")
                .hasMessageContaining("reads layout 1");
        assertThat(root.resolve("LAYOUT")).hasContent("strata fast-tier data, layout 2: something newer");
    }

    @Test
    void aMarkerTornByACrashOnFirstStartIsCompleted() throws Exception {
        Files.writeString(root.resolve("LAYOUT"), FanOutLayout.MARKER_TEXT.substring(0, 10));
        LocalDiskDataStore.open(root).close();
        assertThat(root.resolve("LAYOUT")).hasContent(FanOutLayout.MARKER_TEXT.strip());
    }

    @Test
    void aRootHeldByAnotherStoreIsRefusedUntilThatOneCloses() throws Exception {
        LocalDiskDataStore first = LocalDiskDataStore.open(root);
        assertThatThrownBy(() -> LocalDiskDataStore.open(root))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("in use");
        first.close();
        LocalDiskDataStore.open(root).close();
    }

    @Test
    void copiesIntoAStoreWithoutDescriptorsGoThroughTheBuffer() throws Exception {
        byte[] bytes = new byte[3 * DiskCopy.FALLBACK_BUFFER_BYTES + 17];
        new Random(1).nextBytes(bytes);
        InMemoryDataStore fake = new InMemoryDataStore(Clock.SYSTEM);
        try (LocalDiskDataStore store = LocalDiskDataStore.open(root);
                LocalFile disk = store.open(1);
                LocalFile memory = fake.open(1);
                LocalFile back = store.open(2)) {
            disk.write(0, MemorySegment.ofArray(bytes));
            assertThat(disk.copyTo(5, memory, 0, bytes.length)).isEqualTo(bytes.length - 5);
            assertThat(memory.copyTo(0, back, 5, bytes.length)).isEqualTo(bytes.length - 5);
            byte[] got = new byte[bytes.length];
            assertThat(back.read(0, MemorySegment.ofArray(got))).isEqualTo(bytes.length);
            assertThat(Arrays.copyOfRange(got, 5, got.length)).isEqualTo(Arrays.copyOfRange(bytes, 5, bytes.length));
        }
        fake.close();
    }

    @Test
    void errorsNameTheInodeAndItsFile() throws Exception {
        assumeTrue("ext4".equals(Files.getFileStore(root).type()), "needs ext4's 16 TiB file size limit");
        try (LocalDiskDataStore store = LocalDiskDataStore.open(root); LocalFile f = store.open(9)) {
            assertThatThrownBy(() -> f.write(1L << 50, MemorySegment.ofArray(new byte[1])))
                    .isInstanceOf(FsException.FileTooBig.class)
                    .hasMessageContaining("inode 9")
                    .hasMessageContaining(store.pathOf(9).toString())
                    .hasMessageContaining("pwrite");
        }
    }

    @Test
    void closingTheStoreLeavesOpenHandlesUsable() throws Exception {
        LocalDiskDataStore store = LocalDiskDataStore.open(root);
        LocalFile f = store.open(11);
        store.close();
        f.write(0, MemorySegment.ofArray(new byte[] {1, 2, 3}));
        assertThat(f.stat().sizeBytes()).isEqualTo(3);
        assertThat(store.openHandleCount()).isEqualTo(1);
        f.close();
        assertThat(store.openHandleCount()).isZero();
        LocalDiskDataStore.open(root).close();
    }
}
