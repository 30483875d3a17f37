package dev.strata.it.tier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.it.StrataProcess;
import dev.strata.testkit.process.S3Mock;
import dev.strata.testkit.process.S3MockExtension;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Known bug, run with {@code -Dstrata.knownBugs=true}: a sequential read of a released file
 * through the mount is slower with the mount's default four workers than with one.
 *
 * <p>The kernel's read-ahead sends several 1 MiB READs at once and the workers serve them in any
 * order. {@code ReleasedReads.Stream.windowFor} (strata-hsm) takes a read that falls in none of
 * its windows (the current one, the one before it, the one being fetched ahead) for a random
 * reader: it shrinks the window back to 1 MiB, cancels the read-ahead and fetches synchronously.
 * Out-of-order READs that land beyond the window being fetched ahead (likely while windows are
 * still smaller than the kernel's 4 MiB read-ahead) keep doing that. One worker serves READs in
 * order. Measured here on S3Mock: 93 against 268 MiB/s before commit 0683cd3 (which keeps the
 * previous window for late reads), 150 against 211 MiB/s after it. bench/tier measures the same
 * against the raw SDKs.
 *
 * <p>The test reads the same released file through the default mount and through a mount with
 * {@code --workers 1} (best of two each) and expects the default to be no slower than 0.8 of the
 * in-order figure; timing on a shared machine is noisy, hence the margin and the opt-in.
 */
@ExtendWith(S3MockExtension.class)
class ReleasedReadThroughputTest {
    private static final int FILE_BYTES = 128 << 20;
    private static final int READ_BYTES = 1 << 20;

    @TempDir
    Path work;

    @Test
    @EnabledIfSystemProperty(named = "strata.knownBugs", matches = "true")
    void outOfOrderReadsOfAReleasedFileAreAsFastAsInOrderOnes(S3Mock s3) throws Exception {
        TierMounts.assumeReady();
        TierStore store = new S3TierStore(s3, TierMounts.prefix("read"), work.resolve("s3-scratch"));
        try (StrataProcess s = TierMounts.mount(work, store)) {
            TierMounts.showingLogOnFailure(s, () -> {
                Path file = s.mountpoint().resolve("released.bin");
                Files.write(file, MirrorTree.bytes(new Random(3), FILE_BYTES));
                Hsm.request(file, "archive");
                Hsm.awaitState(List.of(file), "archived", Duration.ofSeconds(120));
                Hsm.request(file, "release");
                double fourWorkers = bestOfTwo(file);
                s.stop();
                s.restart("--store", store.uri(), "--workers", "1");
                double oneWorker = bestOfTwo(file);
                assertThat(fourWorkers).as("MiB/s reading the released file with 4 workers, against %.0f MiB/s with one",
                        oneWorker).isGreaterThanOrEqualTo(0.8 * oneWorker);
            });
        }
    }

    /** The better of two cold sequential reads, in MiB/s. */
    private static double bestOfTwo(Path file) throws Exception {
        double best = 0;
        for (int round = 0; round < 2; round++) {
            Hsm.dropCaches();
            long t0 = System.nanoTime();
            readSequentially(file);
            best = Math.max(best, (FILE_BYTES / (double) (1 << 20)) / ((System.nanoTime() - t0) / 1e9));
        }
        return best;
    }

    private static void readSequentially(Path file) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(READ_BYTES);
        long total = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int n; (n = ch.read(buf.clear())) > 0; ) {
                total += n;
            }
        }
        assertThat(total).isEqualTo(FILE_BYTES);
    }

}
