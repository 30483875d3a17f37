package dev.strata.it.posix;

import static dev.strata.it.posix.PosixMount.NOBODY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.it.StrataProcess;
import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Libc;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A user who is not root mounts through fusermount3: mount point and data directory owned by uid
 * 65534, the server started under setpriv as that user, files created there owned by that user,
 * and fusermount3 -u ending the server cleanly.
 */
class NonRootMountTest {
    private static final long TIMEOUT_SECONDS = 60;
    private static final Path DEV_FUSE = Path.of("/dev/fuse");

    private Path work;
    /** The mode /dev/fuse had before the test widened it, or -1. */
    private int devFuseMode = -1;
    private Path mountpoint;
    private Path dataDir;
    private Process server;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(StrataProcess.canMount(), "needs root (to become another user) and /dev/fuse");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/fusermount3")) || Files.isExecutable(Path.of("/bin/fusermount3")),
                "needs fusermount3 (Debian package fuse3)");
        work = Files.createTempDirectory("strata-nonroot");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        mountpoint = Files.createDirectory(work.resolve("mnt"));
        dataDir = Files.createDirectory(work.resolve("data"));
        Posix.chown(mountpoint, NOBODY, NOBODY);
        Posix.chown(dataDir, NOBODY, NOBODY);
        // fusermount3 opens /dev/fuse with the user's own rights. Debian makes it 0666 (udev); some
        // containers leave it 0600, and then no user but root can mount: widen it for this test only.
        int mode = Libc.stat(DEV_FUSE, false).mode() & 07777;
        if ((mode & 0006) != 0006) {
            devFuseMode = mode;
            Posix.chmod(DEV_FUSE, 0666);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (server != null && server.isAlive()) {
                server.destroy();
                if (!server.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            }
            if (mountpoint != null && mounted()) {
                Child.run(List.of("umount", "-l", mountpoint.toString()));
            }
            if (work != null) {
                PosixMount.deleteTree(work);
            }
        } finally {
            if (devFuseMode >= 0) {
                Posix.chmod(DEV_FUSE, devFuseMode);
            }
        }
    }

    @Test
    void aUserMountsThroughFusermount3AndOwnsWhatTheyCreate() throws Exception {
        server = startServerAsNobody();
        String mp = mountpoint.toString();
        Child.Result r = Child.shAs(NOBODY, "cd '" + mp + "' && echo hello > f && mkdir d && mv f d/g && cat d/g"
                + " && stat -c '%u %g %a' d/g d && ls -ld . | cut -c1-10");
        assertThat(r.out().lines().toList()).as(r.out()).containsExactly("hello", "65534 65534 644", "65534 65534 755",
                "drwxr-xr-x");
        // Without allow_other (which needs user_allow_other in /etc/fuse.conf) nobody else may look in,
        // root included.
        try {
            Libc.stat(mountpoint.resolve("d"), false);
            throw new AssertionError("root could see into another user's FUSE mount");
        } catch (ErrnoException e) {
            assertThat(e.errno()).isEqualTo(Posix.EACCES);
        }
        assertThat(log()).contains("passthrough off");

        Child.Result u = Child.run(Child.asUser(NOBODY, List.of("fusermount3", "-u", mp)));
        assertThat(u.exit()).as(u.out()).isZero();
        assertThat(server.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("server exits after fusermount3 -u").isTrue();
        assertThat(server.exitValue()).as(log()).isZero();
        assertThat(mounted()).isFalse();

        // The data is the user's, and it is all there after mounting again.
        server = startServerAsNobody();
        assertThat(Child.shAs(NOBODY, "cat '" + mp + "/d/g'").out()).isEqualTo("hello\n");
        try (var s = Files.walk(dataDir)) {
            for (Path p : s.toList()) {
                assertThat(Libc.stat(p, true).uid()).as(p.toString()).isEqualTo(NOBODY);
            }
        }
    }

    private Process startServerAsNobody() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(StrataProcess.serverCommand("mount", mountpoint.toString(), "--data-dir",
                dataDir.toString()));
        int cp = cmd.indexOf("-cp") + 1;
        cmd.set(cp, readableClassPath(cmd.get(cp)));
        Process p = new ProcessBuilder(Child.asUser(NOBODY, cmd))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("strata.log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!mounted()) {
            if (!p.isAlive()) {
                throw new IOException("strata mount as uid " + NOBODY + " exited with " + p.exitValue() + ":\n" + log());
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException("strata mount as uid " + NOBODY + " did not mount:\n" + log());
            }
            Thread.sleep(50);
        }
        return p;
    }

    /**
     * The test's class path with every jar linked (or copied) into the work directory: the local
     * Maven repository under /root is not readable by other users. Directories (target/classes) are.
     */
    private String readableClassPath(String cp) throws IOException {
        Path jars = work.resolve("cp");
        Files.createDirectories(jars);
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String e : cp.split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (Files.isRegularFile(p)) {
                Path dst = jars.resolve((i++) + "-" + p.getFileName());
                if (!Files.exists(dst)) {
                    try {
                        Files.createLink(dst, p);
                    } catch (IOException | UnsupportedOperationException linkFailed) {
                        Files.copy(p, dst);
                    }
                }
                out.add(dst.toString());
            } else {
                out.add(e);
            }
        }
        Files.setPosixFilePermissions(jars, PosixFilePermissions.fromString("rwxr-xr-x"));
        return String.join(File.pathSeparator, out);
    }

    private boolean mounted() throws IOException {
        String want = " " + mountpoint.toAbsolutePath() + " ";
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"), StandardCharsets.UTF_8)) {
            if (line.contains(want) && line.contains("fuse.strata")) {
                return true;
            }
        }
        return false;
    }

    private String log() throws IOException {
        Path l = work.resolve("strata.log");
        return Files.exists(l) ? Files.readString(l) : "";
    }
}
