package dev.strata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control commands against a real mount (HsmTiering behind FUSE, the default file:// store),
 * with the real system calls. One mount for the class; each test works in its own directory. The
 * mount's max-dirty-age is long so that the scheduler does not archive behind the tests' backs.
 */
class HsmCliOnMountTest {
    @TempDir
    static Path work;

    private static MountedStrata strata;

    @BeforeAll
    static void mount() throws Exception {
        assumeTrue(MountedStrata.canMount(), "needs root and /dev/fuse");
        strata = MountedStrata.start(work, "--max-dirty-age", "2h");
    }

    @AfterAll
    static void unmount() throws Exception {
        if (strata != null) {
            strata.close();
        }
    }

    private static CliRun run(String... args) {
        return CliRun.of(ControlEnv.SYSTEM, args);
    }

    private static Path dir(String name) throws Exception {
        return Files.createDirectories(strata.mountpoint.resolve(name));
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void archiveReleaseRestoreRoundTrip() throws Exception {
        Path f = dir("roundtrip").resolve("ckpt");
        byte[] content = random(3 << 20, 1);
        Files.write(f, content);

        assertThat(run("hsm", "state", f.toString()).out()).isEqualTo(f + ": dirty\n");
        CliRun archive = run("hsm", "archive", f.toString());
        assertThat(archive.out()).isEqualTo(f + ": archived\n");
        assertThat(archive.status()).isZero();
        assertThat(Files.readAllBytes(strata.object(f))).isEqualTo(content);

        assertThat(run("hsm", "release", f.toString()).out()).isEqualTo(f + ": released\n");
        assertThat(run("hsm", "state", f.toString()).out()).isEqualTo(f + ": released\n");
        assertThat(Files.readAllBytes(f)).isEqualTo(content); // read from the store

        assertThat(run("hsm", "archive", f.toString()).out()).isEqualTo(f + ": already archived\n");
        assertThat(run("hsm", "restore", f.toString()).out()).isEqualTo(f + ": restored\n");
        assertThat(run("hsm", "state", f.toString()).out()).isEqualTo(f + ": archived\n");
        assertThat(run("hsm", "restore", f.toString()).out()).isEqualTo(f + ": not released (nothing to restore)\n");
        assertThat(Files.readAllBytes(f)).isEqualTo(content);
    }

    @Test
    void releaseSaysWhyNot() throws Exception {
        Path d = dir("refusals");
        Path dirty = d.resolve("dirty");
        Files.writeString(dirty, "not archived yet");
        Path open = d.resolve("open");
        Files.writeString(open, "held open");
        assertThat(run("hsm", "archive", open.toString()).status()).isZero();

        CliRun r = run("hsm", "release", dirty.toString());
        assertThat(r.err()).isEqualTo("strata: " + dirty + " is dirty, not archived: archive it first (./strata hsm"
                + " archive " + dirty + ")\n");
        assertThat(r.status()).isEqualTo(1);
        try (FileChannel ch = FileChannel.open(open)) {
            assertThat(ch.size()).isPositive();
            assertThat(run("hsm", "release", open.toString()).err()).isEqualTo("strata: " + open + " is open; close it first\n");
        }
        assertThat(run("hsm", "release", open.toString()).status()).isZero();

        CliRun dirRequest = run("hsm", "archive", d.toString());
        assertThat(dirRequest.err()).isEqualTo("strata: " + d + " is a directory; use -r to archive every file below it\n");
        assertThat(run("hsm", "state", d.toString()).out()).isEqualTo(d + ": directory\n");
    }

    @Test
    void recursiveArchiveCoversRegularFilesOnly() throws Exception {
        Path d = dir("tree");
        Files.createDirectories(d.resolve("a/b"));
        for (String name : new String[] {"one", "a/two", "a/b/three"}) {
            Files.write(d.resolve(name), random(100_000, name.hashCode()));
        }
        Files.createSymbolicLink(d.resolve("link"), d.resolve("one"));
        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(d.resolve("socket")));

            CliRun r = run("hsm", "archive", "-r", d.toString());
            assertThat(r.err()).isEmpty();
            assertThat(r.out()).isEqualTo("3 files archived, 0 already archived, 0 failed\n");
            assertThat(run("hsm", "state", "-r", d.toString()).out()).isEqualTo(d.resolve("one") + ": archived\n"
                    + d.resolve("a/two") + ": archived\n" + d.resolve("a/b/three") + ": archived\n");
            assertThat(run("hsm", "release", "-r", d.toString()).out())
                    .isEqualTo("3 files released, 0 already released, 0 failed\n");
            assertThat(run("hsm", "restore", "-r", d.toString()).out())
                    .isEqualTo("3 files restored, 0 not released, 0 failed\n");
        }
    }

    @Test
    void policiesOnTheMount() throws Exception {
        Path runs = dir("policy/runs");
        Path file = runs.resolve("f");
        Files.writeString(file, "x");

        CliRun set = run("policy", "set", runs.toString(), "--durability", "sync", "--max-dirty-age", "5m");
        assertThat(set.out()).isEqualTo(runs + ": durability=sync max-dirty-age=300s\n");
        assertThat(run("policy", "show", file.toString()).out()).isEqualTo("path:      " + file + "\n"
                + "own:       none (policies are set on directories)\n"
                + "effective: durability=sync max-dirty-age=300s\n"
                + "from:      " + runs + "\n");

        CliRun unset = run("policy", "unset", runs.toString());
        assertThat(unset.out()).startsWith(runs + ": policy removed; it now inherits durability=async max-dirty-age=7200s"
                + " from the mount's default");
        assertThat(run("policy", "unset", runs.toString()).out()).isEqualTo(runs + " has no policy of its own; nothing to unset\n");

        Path scratch = dir("policy/scratch");
        assertThat(run("policy", "set", scratch.toString(), "--durability", "scratch").status()).isZero();
        Path tmp = scratch.resolve("tmp");
        Files.writeString(tmp, "never archived");
        assertThat(run("hsm", "archive", tmp.toString()).err()).isEqualTo("strata: " + tmp + " is under a scratch policy"
                + " (set on " + scratch + "), so it is never archived; change it with ./strata policy set " + scratch
                + " --durability async\n");
        assertThat(run("policy", "set", tmp.toString(), "--durability", "sync").err())
                .isEqualTo("strata: " + tmp + " is not a directory: a policy is set on a directory and applies to"
                        + " everything below it\n");
    }

    @Test
    void statusAndQueue() {
        CliRun status = run("status", strata.mountpoint.toString());
        assertThat(status.out()).startsWith("store: file://").contains("\ndirty-files: ").contains("\narchive-queue: ");
        assertThat(status.status()).isZero();

        CliRun queue = run("hsm", "queue", strata.mountpoint.toString());
        assertThat(queue.out()).contains("ARCHIVE ready=").contains("RESTORE ready=").contains("NAMESPACE ready=");
        CliRun retry = run("hsm", "queue", strata.mountpoint.toString(), "--retry", "987654321");
        assertThat(retry.err()).isEqualTo("strata: no dead letter with id 987654321 at " + strata.mountpoint
                + " (./strata hsm queue lists them)\n");
        assertThat(retry.status()).isEqualTo(1);
    }
}
