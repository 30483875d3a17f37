package dev.strata.it.posix;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.it.StrataProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Strata mount shared by the tests of a class: started once (start-up costs about a second),
 * each test working in a fresh directory of its own. The work directory is made world-traversable
 * so that children running as another user (uid 65534) can reach the mount.
 */
final class PosixMount implements AutoCloseable {
    /** The unprivileged user the permission tests run children as ("nobody" on Debian). */
    static final int NOBODY = 65534;

    private final StrataProcess process;
    private final Path work;
    private final AtomicInteger dirs = new AtomicInteger();

    private PosixMount(StrataProcess process, Path work) {
        this.process = process;
        this.work = work;
    }

    /**
     * Mounts in a new temporary directory (removed again by {@link #close()}), or skips the calling
     * test class when this machine cannot mount.
     */
    static PosixMount start(String... serverArgs) throws IOException {
        assumeTrue(StrataProcess.canMount(), "mount tests need root and /dev/fuse");
        Path work = Files.createTempDirectory("strata-posix");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            return new PosixMount(StrataProcess.start(work, serverArgs), work);
        } catch (IOException | RuntimeException e) {
            deleteTree(work);
            throw e;
        }
    }

    Path work() {
        return work;
    }

    Path root() {
        return process.mountpoint();
    }

    StrataProcess process() {
        return process;
    }

    /** A new, empty directory on the mount for one test, mode 0777 so any user may work in it. */
    Path fresh(String name) throws IOException {
        Path d = root().resolve(name + "-" + dirs.incrementAndGet());
        Files.createDirectory(d);
        Posix.chmod(d, 0777);
        return d;
    }

    /** Stops the server cleanly and starts it again on the same data (a remount). */
    void remount(String... serverArgs) throws IOException {
        int code = process.stop();
        if (code != 0) {
            throw new IOException("strata exited with " + code + " on stop:\n" + process.logText());
        }
        process.restart(serverArgs);
    }

    @Override
    public void close() {
        process.close();
        if (!process.mounted()) {
            deleteTree(work);
        }
    }

    /** Best-effort recursive delete; never follows symlinks. */
    static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> s = Files.walk(root)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // left for the OS to clean from /tmp
                }
            });
        } catch (IOException ignored) {
            // nothing to delete
        }
    }
}
