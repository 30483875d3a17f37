package dev.strata.it.diskfull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.it.StrataProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk-full promise on a real mount whose data directory sits on a small tmpfs:
 * writers get ENOSPC, the mount stays up, the metadata stays consistent, and deleting a file frees
 * the space so that writing works again.
 */
class DiskFullTest {
    private static final String TMPFS_SIZE = "160m";

    @TempDir
    Path work;

    private Path disk;

    @BeforeEach
    void mountTmpfs() throws Exception {
        assumeTrue(StrataProcess.canMount(), "needs root and /dev/fuse");
        disk = work.resolve("disk");
        Files.createDirectories(disk);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs", disk.toString()) == 0,
                "cannot mount a tmpfs here");
    }

    @AfterEach
    void unmountTmpfs() throws Exception {
        if (disk != null) {
            run("umount", "-l", disk.toString());
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void writersGetEnospcTheMountStaysUpAndDeletingFreesSpace() throws Exception {
        try (StrataProcess s = StrataProcess.start(disk, "--metadata-reserve", "16M")) {
            Path mnt = s.mountpoint();
            Files.writeString(mnt.resolve("before.txt"), "written before the disk filled");
            Path big = mnt.resolve("big");
            assertThatThrownBy(() -> fill(big)).isInstanceOf(IOException.class)
                    .hasMessageContaining("No space left on device");

            // The mount is up and the namespace readable.
            assertThat(s.mounted()).isTrue();
            assertThat(Files.readString(mnt.resolve("before.txt"))).isEqualTo("written before the disk filled");
            assertThat(Files.size(big)).isPositive();

            // Deleting frees the space (the metadata reserve lets the delete through), and new
            // writes work again.
            Files.delete(big);
            Files.writeString(mnt.resolve("after.txt"), "written after the disk was freed");
            byte[] block = new byte[1 << 20];
            try (OutputStream out = Files.newOutputStream(mnt.resolve("after.bin"))) {
                for (int i = 0; i < 16; i++) {
                    out.write(block);
                }
            }
            assertThat(Files.size(mnt.resolve("after.bin"))).isEqualTo(16L << 20);

            // And it all survives a clean restart.
            assertThat(s.stop()).isZero();
            s.restart("--metadata-reserve", "16M");
            assertThat(Files.readString(mnt.resolve("after.txt"))).isEqualTo("written after the disk was freed");
            assertThat(Files.exists(big)).isFalse();
            try (var list = Files.list(mnt)) {
                assertThat(list.map(p -> p.getFileName().toString()).sorted().toList())
                        .containsExactly("after.bin", "after.txt", "before.txt");
            }
        }
    }

    private static void fill(Path file) throws IOException {
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < 1024; i++) {
                out.write(block);
            }
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        if (code != 0) {
            System.out.println(String.join(" ", command) + " exited " + code + ": " + out);
        }
        return code;
    }
}
