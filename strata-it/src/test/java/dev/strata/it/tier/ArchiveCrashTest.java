package dev.strata.it.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.it.StrataProcess;
import dev.strata.it.crash.Restarts;
import dev.strata.testkit.process.S3Mock;
import dev.strata.testkit.process.S3MockExtension;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the server in the middle of an archive: the bucket never shows a partial object
 * under the file's key, and after a restart (which cleans up the stale mount by itself) the
 * archive resumes and completes with no user action, the object byte-identical to the file, and
 * the upload the killed process had started is aborted (no parts left in the store).
 *
 * <p>Resumption comes from the dead process's task, whose lease (30 s) expires, or from the archive
 * scheduler, which re-queues a file still {@code archiving} once its oldest change is older than
 * a tenth of the policy's max-dirty-age (30 s under the default 5 minutes). The mounts here use
 * {@code --max-dirty-age 20s} so that the scheduler acts within seconds.
 */
@ExtendWith(S3MockExtension.class)
class ArchiveCrashTest {
    /** About ten seconds of upload to S3Mock here, so the kill lands well inside it. */
    private static final int FILE_BYTES = 200 << 20;
    private static final int CHUNK_BYTES = 1 << 20;
    private static final Duration KILL_WINDOW = Duration.ofSeconds(60);
    private static final Duration RESUME_LIMIT = Duration.ofSeconds(120);
    private static final String KEY = "crash/big.bin";

    @TempDir
    Path work;

    @Test
    void s3OnS3Mock(S3Mock s3) throws Exception {
        TierMounts.assumeReady();
        TierStore store = new S3TierStore(s3, TierMounts.prefix("crash"), work.resolve("s3-scratch"));
        killMidArchiveThenResume(store);
    }

    @Test
    void localDirectoryStore() throws Exception {
        TierMounts.assumeReady();
        killMidArchiveThenResume(new FileTierStore(work.resolve("bucket")));
    }

    private void killMidArchiveThenResume(TierStore store) throws Exception {
        Rclone rclone = store.rclone(work.resolve("rclone"));
        String[] args = {"--store", store.uri(), "--max-dirty-age", "20s"};
        try (StrataProcess s = StrataProcess.start(work, store.serverEnv(), args)) {
            TierMounts.showingLogOnFailure(s, () -> {
                Path file = Files.createDirectories(s.mountpoint().resolve("crash")).resolve("big.bin");
                String digest = writeRandom(file);
                Hsm.request(file, "archive");
                awaitUploadInProgress(store, file);
                s.kill();

                // Never a partial object: none at all, or the whole file.
                if (rclone.list().contains(KEY)) {
                    assertThat(digestOfObject(rclone)).as("object " + KEY + " right after the kill").isEqualTo(digest);
                }

                Restarts.restart(s, args);
                Hsm.awaitState(List.of(file), "archived", RESUME_LIMIT);
                assertThat(digestOfObject(rclone)).as("object " + KEY + " after the resumed archive").isEqualTo(digest);
                assertThat(digestOf(Files.newInputStream(file))).as("the file through the mount").isEqualTo(digest);
                // The killed process's upload was aborted by the next attempt, not left in the store.
                assertThat(store.pendingUploads(KEY)).as("uploads of " + KEY + " left in progress").isEmpty();
            });
        }
    }

    /** Writes FILE_BYTES of seeded random data with 1 MiB writes; returns their SHA-256. */
    private static String writeRandom(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        Random random = new Random(1);
        byte[] chunk = new byte[CHUNK_BYTES];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long done = 0; done < FILE_BYTES; done += CHUNK_BYTES) {
                random.nextBytes(chunk);
                sha.update(chunk);
                ByteBuffer b = ByteBuffer.wrap(chunk);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * Waits until the file is {@code archiving} and the store shows an upload of its key in
     * progress (parts staged, not completed), so that the kill interrupts a transfer rather than
     * landing before or after one.
     */
    private static void awaitUploadInProgress(TierStore store, Path file) throws Exception {
        long deadline = System.nanoTime() + KILL_WINDOW.toNanos();
        while (System.nanoTime() < deadline) {
            String state = Hsm.state(file);
            if (state.equals("archived")) {
                fail("the archive completed before the test could kill the server mid-upload; make FILE_BYTES larger");
            }
            if (state.equals("archiving") && !store.pendingUploads(KEY).isEmpty()) {
                return;
            }
            Thread.sleep(20);
        }
        fail("no upload of " + KEY + " was seen in progress within " + KILL_WINDOW + "; state " + Hsm.state(file) + "\n"
                + Hsm.info(file));
    }

    private String digestOfObject(Rclone rclone) throws Exception {
        Path copy = work.resolve("object-copy");
        Files.deleteIfExists(copy);
        rclone.copyObject(KEY, copy);
        try {
            return digestOf(Files.newInputStream(copy));
        } finally {
            Files.delete(copy);
        }
    }

    private static String digestOf(InputStream in) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (in) {
            byte[] buf = new byte[CHUNK_BYTES];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
