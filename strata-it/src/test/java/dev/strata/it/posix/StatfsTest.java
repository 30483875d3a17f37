package dev.strata.it.posix;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** statfs(2): what the mount reports about its space and inodes. */
class StatfsTest extends OnMount {

    @Test
    void reportsAFuseMountWithTheFastTiersSpace(TestInfo info) throws IOException {
        Posix.StatFs s = Posix.statfs(mount.root());
        assertThat(s.type()).isEqualTo(Posix.FUSE_SUPER_MAGIC);
        assertThat(s.blockSize()).isEqualTo(4096);
        assertThat(s.nameMax()).isEqualTo(255);
        assertThat(s.blocks()).isPositive();
        assertThat(s.freeBlocks()).isBetween(1L, s.blocks());
        assertThat(s.availableBlocks()).isBetween(0L, s.freeBlocks());
        // The fast tier lives on the file system of the data directory: the same size.
        Posix.StatFs tier = Posix.statfs(mount.process().dataDir());
        assertThat(s.blocks() * s.blockSize()).isEqualTo(tier.blocks() * tier.blockSize());
    }

    @Test
    void countsInodesInUse(TestInfo info) throws IOException {
        Path d = dir(info);
        Posix.StatFs before = Posix.statfs(d);
        for (int i = 0; i < 10; i++) {
            Files.createFile(d.resolve("f" + i));
        }
        Files.createDirectory(d.resolve("sub"));
        Posix.StatFs after = Posix.statfs(d);
        assertThat(before.files() - before.freeFiles()).isPositive();
        assertThat((after.files() - after.freeFiles()) - (before.files() - before.freeFiles())).isEqualTo(11);
        assertThat(after.freeFiles()).isEqualTo(before.freeFiles() - 11);
    }

    @Test
    void aDeletedFilesSpaceComesBack(TestInfo info) throws IOException {
        Path f = dir(info).resolve("big");
        // Measured on the data directory, not with statfs: the disk is shared with other processes.
        Path data = mount.process().dataDir().resolve("data");
        long before = FileDataSemanticsSupport.allocatedBytes(data);
        Files.write(f, new byte[32 << 20]);
        long written = FileDataSemanticsSupport.allocatedBytes(data);
        assertThat(written - before).isGreaterThanOrEqualTo(32L << 20);
        Files.delete(f);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(FileDataSemanticsSupport.allocatedBytes(data)).isLessThanOrEqualTo(before));
    }
}
