package dev.strata.fuse;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Mounts a {@link MemFs} for a test and always unmounts it again. */
final class MountFixture implements AutoCloseable {
    final Path mountpoint;
    final MemFs fs;
    final FuseSession session;

    private MountFixture(Path mountpoint, MemFs fs, FuseSession session) {
        this.mountpoint = mountpoint;
        this.fs = fs;
        this.session = session;
    }

    /** Skips the calling test unless this process may mount FUSE file systems with mount(2). */
    static void assumeMountable() {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "mount tests need /dev/fuse");
        assumeTrue(Sys.geteuid() == 0, "mount tests need root (mount(2) of a FUSE file system)");
    }

    static MountFixture mount(Path dir, MemFs fs, FuseConfig config) throws IOException {
        assumeMountable();
        FuseSession s = new FuseSession(config, fs);
        try {
            s.start();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return new MountFixture(config.mountpoint(), fs, s);
    }

    static FuseConfig config(Path mountpoint) {
        return FuseConfig.defaults(mountpoint).withWorkers(3);
    }

    Path path(String name) {
        return mountpoint.resolve(name);
    }

    @Override
    public void close() {
        session.close();
    }

    /** Runs a command (in /, never inside a mount, which would keep it busy); exit code and output. */
    static Result run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).directory(new java.io.File("/")).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), out);
    }

    record Result(int exit, String output) {}

    /** Waits until {@code value} reaches {@code expected} (RELEASE and FORGET are sent asynchronously). */
    static long eventually(java.util.function.LongSupplier value, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long v = value.getAsLong();
        while (v != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
            v = value.getAsLong();
        }
        return v;
    }
}
