package dev.strata.it.tier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.it.StrataProcess;
import dev.strata.testkit.process.Azurite;
import dev.strata.testkit.process.AzuriteExtension;
import dev.strata.testkit.process.S3Mock;
import dev.strata.testkit.process.S3MockExtension;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code durability=sync} on a directory (docs/CAPACITY-TIER.md, "Durability per path"): close()
 * of a file written below it returns only once the object is committed. So right after close
 * returns, with no waiting and no polling, an ordinary client reads the object with the file's
 * bytes: a small file (one put), a large one (multipart), and an overwrite of the small one.
 */
@ExtendWith({AzuriteExtension.class, S3MockExtension.class})
class SyncDurabilityTest {
    private static final int SMALL_BYTES = 1 << 20;
    /** Above Strata's 16 MiB put threshold: a multipart upload inside close(). */
    private static final int LARGE_BYTES = 24 << 20;

    @TempDir
    Path work;

    @Test
    void localDirectoryStore() throws Exception {
        TierMounts.assumeReady();
        closeReturnsAfterTheObjectIsCommitted(new FileTierStore(work.resolve("bucket")));
    }

    @Test
    void azureBlobOnAzurite(Azurite azurite) throws Exception {
        TierMounts.assumeReady();
        closeReturnsAfterTheObjectIsCommitted(new AzureTierStore(azurite, "strata-it", TierMounts.prefix("sync")));
    }

    @Test
    void s3OnS3Mock(S3Mock s3) throws Exception {
        TierMounts.assumeReady();
        closeReturnsAfterTheObjectIsCommitted(new S3TierStore(s3, TierMounts.prefix("sync"), work.resolve("s3-scratch")));
    }

    private void closeReturnsAfterTheObjectIsCommitted(TierStore store) throws Exception {
        Rclone rclone = store.rclone(work.resolve("rclone"));
        Random random = new Random(7);
        try (StrataProcess s = TierMounts.mount(work, store)) {
            TierMounts.showingLogOnFailure(s, () -> {
                Path dir = Files.createDirectory(s.mountpoint().resolve("sync"));
                Hsm.setPolicy(dir, "durability=sync");

                byte[] small = MirrorTree.bytes(random, SMALL_BYTES);
                writeAndClose(dir.resolve("small"), small, StandardOpenOption.CREATE_NEW);
                MirrorTree.assertSameBytes("object sync/small right after close", rclone.cat("sync/small"), small);

                byte[] large = MirrorTree.bytes(random, LARGE_BYTES);
                writeAndClose(dir.resolve("large"), large, StandardOpenOption.CREATE_NEW);
                MirrorTree.assertSameBytes("object sync/large right after close", rclone.cat("sync/large"), large);

                byte[] rewritten = MirrorTree.bytes(random, SMALL_BYTES / 2);
                writeAndClose(dir.resolve("small"), rewritten, StandardOpenOption.TRUNCATE_EXISTING);
                MirrorTree.assertSameBytes("object sync/small right after the rewrite's close", rclone.cat("sync/small"),
                        rewritten);

                assertThat(Hsm.state(dir.resolve("small"))).isEqualTo("archived");
                assertThat(Hsm.state(dir.resolve("large"))).isEqualTo("archived");
            });
        }
    }

    /**
     * A shell redirection ({@code printf x > f}) opens the file, dup2()s the descriptor onto stdout
     * and closes the original before writing, so the kernel sends FLUSH (the sync point) twice:
     * before the write and after it. Under FUSE passthrough the write itself never reaches Strata.
     * The second FLUSH must still archive the written bytes; it used to find the file archived (by
     * the first FLUSH, empty) and return, leaving an empty object behind a successful close.
     */
    @Test
    void shellRedirectionIntoASyncDirectoryIsInTheBucketWhenTheShellExits() throws Exception {
        TierMounts.assumeReady();
        TierStore store = new FileTierStore(work.resolve("bucket"));
        Rclone rclone = store.rclone(work.resolve("rclone"));
        try (StrataProcess s = TierMounts.mount(work, store)) {
            TierMounts.showingLogOnFailure(s, () -> {
                Path dir = Files.createDirectory(s.mountpoint().resolve("sync"));
                Hsm.setPolicy(dir, "durability=sync");
                Process shell = new ProcessBuilder("bash", "-c", "printf %s \"$1\" > \"$2\"", "bash", "written by a shell",
                        dir.resolve("redirected").toString()).inheritIO().start();
                assertThat(shell.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(shell.exitValue()).isZero();
                assertThat(new String(rclone.cat("sync/redirected"), StandardCharsets.UTF_8))
                        .as("object sync/redirected once the shell that wrote it has exited").isEqualTo("written by a shell");
            });
        }
    }

    /** open, write everything, close: the way an application writes a file. */
    private static void writeAndClose(Path file, byte[] bytes, StandardOpenOption how) throws Exception {
        try (FileChannel ch = FileChannel.open(file, how, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }
}
