package dev.strata.it.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.it.StrataProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mounting on a bucket that already holds files written by other tools (here: plain files in a
 * file:// bucket, as any program would leave them): they show up as released files, read on
 * demand without copying; files added or replaced outside appear within the refresh time.
 */
class ImportOnMountTest {
    @TempDir
    Path work;

    @Test
    void aBucketFullOfFilesIsAFileSystemAtOnce() throws Exception {
        assumeTrue(StrataProcess.canMount(), "needs root and /dev/fuse");
        Path bucket = Files.createDirectories(work.resolve("bucket"));
        byte[] big = new byte[3 << 20];
        new Random(42).nextBytes(big);
        Files.createDirectories(bucket.resolve("data/sub"));
        Files.writeString(bucket.resolve("data/a.txt"), "written by another tool");
        Files.write(bucket.resolve("data/sub/b.bin"), big);
        Files.writeString(bucket.resolve("top.txt"), "version one");

        try (StrataProcess s = StrataProcess.start(work, "--store", "file://" + bucket, "--import-refresh", "1s")) {
            Path mp = s.mountpoint();
            try (Stream<Path> top = Files.list(mp)) {
                assertThat(top.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("data", "top.txt");
            }
            assertThat(Files.isDirectory(mp.resolve("data/sub"))).isTrue();
            assertThat(Files.readString(mp.resolve("data/a.txt"))).isEqualTo("written by another tool");
            assertThat(Files.readAllBytes(mp.resolve("data/sub/b.bin"))).isEqualTo(big);
            assertThat(state(mp.resolve("data/sub/b.bin"))).isEqualTo("released");
            assertThat(Files.getAttribute(mp.resolve("data/sub/b.bin"), "unix:size")).isEqualTo((long) big.length);

            // Added and replaced outside Strata: visible after the refresh time (and the kernel's
            // one-second attribute cache).
            Files.writeString(bucket.resolve("data/late.txt"), "arrived later");
            Files.writeString(bucket.resolve("top.txt"), "version two, longer");
            Thread.sleep(2_500);
            try (Stream<Path> data = Files.list(mp.resolve("data"))) {
                assertThat(data.map(p -> p.getFileName().toString()).toList()).contains("late.txt");
            }
            assertThat(Files.readString(mp.resolve("data/late.txt"))).isEqualTo("arrived later");
            assertThat(Files.readString(mp.resolve("top.txt"))).isEqualTo("version two, longer");

            // Writing an imported file restores it first; archiving puts the new bytes in the bucket.
            Files.writeString(mp.resolve("data/a.txt"), "rewritten through Strata");
            assertThat(state(mp.resolve("data/a.txt"))).isEqualTo("dirty");
            request(mp.resolve("data/a.txt"), "archive");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!state(mp.resolve("data/a.txt")).equals("archived") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(state(mp.resolve("data/a.txt"))).isEqualTo("archived");
            assertThat(Files.readString(bucket.resolve("data/a.txt"))).isEqualTo("rewritten through Strata");
            assertThat(List.of(Files.readAllBytes(bucket.resolve("data/sub/b.bin")).length)).containsExactly(big.length);
        }
    }

    static String state(Path p) throws Exception {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        ByteBuffer buf = ByteBuffer.allocate(64);
        int n = v.read("strata.hsm.state", buf);
        return new String(buf.array(), 0, n, StandardCharsets.UTF_8);
    }

    static void request(Path p, String what) throws Exception {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        v.write("strata.hsm.request", StandardCharsets.UTF_8.encode(what));
    }
}
