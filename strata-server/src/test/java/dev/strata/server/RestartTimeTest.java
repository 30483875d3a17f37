package dev.strata.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.Caller;
import dev.strata.core.Clock;
import dev.strata.core.FileType;
import dev.strata.core.Name;
import dev.strata.core.fs.Entry;
import dev.strata.core.fs.FsOptions;
import dev.strata.core.fs.PosixFileSystem;
import dev.strata.core.fs.StrataFs;
import dev.strata.meta.rocksdb.RocksDbMetadataStore;
import dev.strata.tier.local.LocalDiskDataStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart does not scan the namespace: opening the engine on a store with many inodes takes about
 * as long as on an empty one. Prints the figures (no timing assertion: the machines are noisy);
 * asserts only that the namespace is all there and that start-up visited no inode.
 */
class RestartTimeTest {
    private static final int FILES = Integer.getInteger("strata.restart.files", 100_000);
    private static final int PER_DIR = 1000;

    @TempDir
    Path dir;

    @Test
    void startUpTimeDoesNotGrowWithTheNamespace() throws Exception {
        long emptyMillis = openMillis(dir.resolve("empty"), 0);
        long fullMillis = openMillis(dir.resolve("full"), FILES);
        System.out.printf("restart: empty file system %d ms, %,d files %d ms%n", emptyMillis, FILES, fullMillis);
    }

    /** Creates {@code files} inodes, closes, and returns how long a fresh open takes. */
    private static long openMillis(Path root, int files) throws Exception {
        Path meta = root.resolve("meta");
        Path data = root.resolve("data");
        java.nio.file.Files.createDirectories(data);
        RocksDbMetadataStore.Settings settings = RocksDbMetadataStore.Settings.defaults().withSpaceReserveBytes(0);
        try (RocksDbMetadataStore m = RocksDbMetadataStore.open(meta, settings);
                LocalDiskDataStore d = LocalDiskDataStore.open(data)) {
            StrataFs fs = StrataFs.open(m, d, Clock.SYSTEM, FsOptions.defaults(0, 0));
            long dirIno = PosixFileSystem.ROOT;
            for (int i = 0; i < files; i++) {
                if (i % PER_DIR == 0) {
                    Entry e = fs.mkdir(Caller.ROOT, PosixFileSystem.ROOT, Name.of("d" + i / PER_DIR), 0755, 0);
                    dirIno = e.ino();
                }
                Entry f = fs.mknod(Caller.ROOT, dirIno, Name.of("f" + i), FileType.REGULAR.modeBits() | 0644, 0, 0);
                fs.forget(f.ino(), 1);
            }
            fs.destroy();
        }
        long t0 = System.nanoTime();
        try (RocksDbMetadataStore m = RocksDbMetadataStore.open(meta, settings);
                LocalDiskDataStore d = LocalDiskDataStore.open(data)) {
            StrataFs fs = StrataFs.open(m, d, Clock.SYSTEM, FsOptions.defaults(0, 0));
            long millis = (System.nanoTime() - t0) / 1_000_000;
            long dirs = files == 0 ? 0 : (files + PER_DIR - 1) / PER_DIR;
            assertThat(fs.stats().inodes()).isEqualTo(1 + files + dirs);
            assertThat(fs.stats().cachedNodes()).as("start-up loads only the root").isEqualTo(1);
            fs.destroy();
            return millis;
        }
    }
}
