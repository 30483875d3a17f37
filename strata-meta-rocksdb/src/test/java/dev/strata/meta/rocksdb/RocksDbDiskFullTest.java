package dev.strata.meta.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.Timespec;
import dev.strata.core.meta.DirEntry;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mutation;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store on a small tmpfs that runs full: commits fail with NoSpace and change nothing, reads go
 * on, and once a file is deleted writes resume without any call from outside. Needs root to mount.
 */
class RocksDbDiskFullTest {
    private static final String TMPFS_SIZE = "64m";
    /** Left free after filling, so that the store runs out after a few hundred commits. */
    private static final long HEADROOM_BYTES = 3L << 20;
    private static final int XATTR_BYTES = 4096;
    private static final int MAX_COMMITS = 100_000;
    /** RocksDB's error handler re-checks free space every 5 s; this allows for a few rounds. */
    private static final long RECOVERY_DEADLINE_MILLIS = 60_000;
    private static final long RETRY_PAUSE_MILLIS = 100;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aFullDiskFailsCommitsCleanlyAndTheStoreRecoversWhenSpaceIsFreed() throws Exception {
        Path mount = tmp.resolve("tmpfs");
        Files.createDirectories(mount);
        assumeTrue("root".equals(System.getProperty("user.name")), "skipped: mounting a tmpfs needs root");
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs", mount.toString()) == 0,
                "skipped: cannot mount a tmpfs here (no CAP_SYS_ADMIN?)");
        try {
            exercise(mount);
        } finally {
            run("umount", "-l", mount.toString());
        }
    }

    /**
     * With a space reserve, a disk filled to the last block by someone else (file data, in Strata)
     * does not stop the metadata: the first commit that meets ENOSPC gives up the reserve, RocksDB
     * resumes, and the commit goes through — so deletes that free space keep working.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theSpaceReserveKeepsCommitsGoingOnAFullDisk() throws Exception {
        Path mount = tmp.resolve("tmpfs-reserve");
        Files.createDirectories(mount);
        assumeTrue("root".equals(System.getProperty("user.name")), "skipped: mounting a tmpfs needs root");
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs", mount.toString()) == 0,
                "skipped: cannot mount a tmpfs here (no CAP_SYS_ADMIN?)");
        try {
            Path metaDir = mount.resolve("meta");
            RocksDbMetadataStore.Settings settings = RocksDbMetadataStoreContractTest.TEST_SETTINGS
                    .withSpaceReserveBytes(12L << 20);
            Random random = new Random(12);
            try (RocksDbMetadataStore store = RocksDbMetadataStore.open(metaDir, settings)) {
                Path reserve = metaDir.resolve(SpaceReserve.FILE_NAME);
                assertThat(reserve).exists();
                fillCompletely(mount.resolve("filler"));
                // Commit until the disk is met (RocksDB preallocates its journal, so that takes a
                // while); no commit may fail on the way.
                int id = 0;
                while (Files.exists(reserve) && id < MAX_COMMITS) {
                    store.commit(mutation(++id, random));
                }
                assertThat(reserve).as("the reserve was given up").doesNotExist();
                // Then about 1 MB more metadata, as the deletes a user runs to free space.
                for (int more = 0; more < 250; more++) {
                    store.commit(mutation(++id, random));
                }
                assertApplied(store, id);
            }
        } finally {
            run("umount", "-l", mount.toString());
        }
    }

    private static void fillCompletely(Path file) throws IOException {
        byte[] chunk = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
    }

    private void exercise(Path mount) throws Exception {
        Path metaDir = mount.resolve("meta");
        Path filler = mount.resolve("filler");
        Random random = new Random(11);
        RocksDbMetadataStore store = RocksDbMetadataStore.open(metaDir, RocksDbMetadataStoreContractTest.TEST_SETTINGS);
        try {
            fill(filler, Files.getFileStore(mount).getUsableSpace() - HEADROOM_BYTES);
            int acked = 0;
            FsException.NoSpace failure = null;
            for (int id = 1; id <= MAX_COMMITS && failure == null; id++) {
                try {
                    store.commit(mutation(id, random));
                    acked = id;
                } catch (FsException.NoSpace e) {
                    failure = e;
                }
            }
            if (failure == null) {
                fail("no NoSpace after " + MAX_COMMITS + " commits on a " + TMPFS_SIZE + " tmpfs");
            }
            int failedId = acked + 1;
            System.out.printf("disk full after %d commits: %s%n", acked, failure.getMessage());
            assertThat(failure.getMessage()).contains(metaDir.toString()).contains("disk full");

            // Nothing of the failed mutation is visible; what was acknowledged still reads.
            assertNotApplied(store, failedId);
            assertApplied(store, acked);
            assertThat(store.counter("last")).isEqualTo(acked);
            // While the disk stays full, commits keep failing the same way.
            RocksDbMetadataStore full = store;
            assertThatThrownBy(() -> full.commit(mutation(failedId, random))).isInstanceOf(FsException.NoSpace.class);
            assertThat(full.writesStoppedBy()).as("the reason writes stopped").isNotNull();

            Files.delete(filler);
            long freedAt = System.nanoTime();
            long recoveredMillis = commitUntilAccepted(store, failedId, random, freedAt);
            System.out.printf("writes resumed %d ms after the filler was deleted%n", recoveredMillis);
            assertApplied(store, failedId);
            assertThat(store.writesStoppedBy()).isNull();
            store.sync();
            assertThat(store.counter("last")).isEqualTo(failedId);
            store.close();

            store = RocksDbMetadataStore.open(metaDir, RocksDbMetadataStoreContractTest.TEST_SETTINGS);
            for (int id = 1; id <= failedId; id += 1 + id / 20) {
                assertApplied(store, id);
            }
            assertApplied(store, failedId);
            assertNotApplied(store, failedId + 1);
            assertThat(store.stats().inodes()).isEqualTo(failedId);
        } finally {
            store.close();
        }
    }

    private static long commitUntilAccepted(RocksDbMetadataStore store, int id, Random random, long freedAt)
            throws Exception {
        while (true) {
            try {
                store.commit(mutation(id, random));
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - freedAt);
            } catch (FsException.NoSpace e) {
                if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - freedAt) > RECOVERY_DEADLINE_MILLIS) {
                    fail("the store did not resume writes within " + RECOVERY_DEADLINE_MILLIS + " ms after space was freed: "
                            + e.getMessage());
                }
                Thread.sleep(RETRY_PAUSE_MILLIS);
            }
        }
    }

    /** Inode, entry (two keys), xattr and counter: five keys that must land together. */
    private static Mutation mutation(int id, Random random) throws FsException {
        byte[] value = new byte[XATTR_BYTES];
        random.nextBytes(value);
        Timespec t = new Timespec(id, 0);
        long ino = 100L + id;
        return new Mutation()
                .putInode(new InodeRecord.Builder().ino(ino).mode(0100644).nlink(1).sizeBytes(id).atime(t).mtime(t)
                        .ctime(t).btime(t).parent(1).build())
                .putEntry(1, new DirEntry(Name.of("f" + id), ino, FileType.REGULAR, InodeRecord.FIRST_COOKIE + id))
                .putXattr(ino, "user.blob".getBytes(StandardCharsets.US_ASCII), value)
                .setCounter("last", id);
    }

    private static void assertApplied(RocksDbMetadataStore store, int id) throws FsException {
        long ino = 100L + id;
        assertThat(store.inode(ino)).as("inode of commit %d", id).isPresent();
        assertThat(store.entry(1, Name.of("f" + id))).as("entry of commit %d", id).isPresent();
        assertThat(store.xattr(ino, "user.blob".getBytes(StandardCharsets.US_ASCII))).as("xattr of commit %d", id).isPresent();
    }

    private static void assertNotApplied(RocksDbMetadataStore store, int id) throws FsException {
        long ino = 100L + id;
        assertThat(store.inode(ino)).as("inode of failed commit %d", id).isEmpty();
        assertThat(store.entry(1, Name.of("f" + id))).as("entry of failed commit %d", id).isEmpty();
        assertThat(store.xattrNames(ino)).as("xattrs of failed commit %d", id).isEmpty();
        assertThat(store.list(1, InodeRecord.FIRST_COOKIE + id - 1, 10)).as("readdir index of failed commit %d", id).isEmpty();
    }

    private static void fill(Path file, long bytes) throws IOException {
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = bytes; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        int code = p.waitFor();
        if (code != 0) {
            System.out.println(String.join(" ", command) + " exited " + code + ": " + new String(output, StandardCharsets.UTF_8));
        }
        return code;
    }
}
