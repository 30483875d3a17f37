package dev.strata.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Strata server in its own process, started the way a user starts it ({@code strata mount
 * MOUNTPOINT --data-dir DIR}) but from the test's class path, so tests talk to the mount only
 * through ordinary system calls. {@link #close()} always leaves nothing mounted, also after a
 * failure or a {@link #kill()}.
 */
public final class StrataProcess implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Path mountpoint;
    private final Path dataDir;
    private final Path log;
    private final Map<String, String> env;
    private Process process;

    private StrataProcess(Path mountpoint, Path dataDir, Path log, Map<String, String> env) {
        this.mountpoint = mountpoint;
        this.dataDir = dataDir;
        this.log = log;
        this.env = Map.copyOf(env);
    }

    /** Mounts a new or existing data directory under {@code work} ({@code work/mnt}, {@code work/data}). */
    public static StrataProcess start(Path work, String... extraArgs) throws IOException {
        return start(work, Map.of(), extraArgs);
    }

    /**
     * As {@link #start(Path, String...)}, with {@code env} added to the server's environment (and
     * kept for {@link #restart}): the credentials and endpoint of a {@code --store}.
     */
    public static StrataProcess start(Path work, Map<String, String> env, String... extraArgs) throws IOException {
        Path mp = work.resolve("mnt");
        Path data = work.resolve("data");
        Files.createDirectories(mp);
        StrataProcess p = new StrataProcess(mp, data, work.resolve("strata.log"), env);
        p.launch(extraArgs);
        return p;
    }

    /** True when this machine can run mount tests: root and /dev/fuse. */
    public static boolean canMount() {
        return Files.exists(Path.of("/dev/fuse")) && "root".equals(System.getProperty("user.name"));
    }

    /** The command that starts the server: the test JVM's java, class path and native access. */
    public static List<String> serverCommand(String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "dev.strata.server.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private void launch(String... extraArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("mount", mountpoint.toString(), "--data-dir", dataDir.toString()));
        args.addAll(List.of(extraArgs));
        ProcessBuilder pb = new ProcessBuilder(serverCommand(args.toArray(String[]::new)));
        pb.environment().putAll(env);
        process = pb.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!mounted()) {
            if (!process.isAlive()) {
                throw new IOException("strata mount exited with " + process.exitValue() + ":\n" + logText());
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new IOException("strata mount did not mount within " + START_TIMEOUT + ":\n" + logText());
            }
            sleep(50);
        }
    }

    /** Whether a Strata mount is at the mount point. */
    public boolean mounted() {
        return MountInfo.typeAt(mountpoint).map("fuse.strata"::equals).orElse(false);
    }

    public Path mountpoint() {
        return mountpoint;
    }

    public Path dataDir() {
        return dataDir;
    }

    public long pid() {
        return process.pid();
    }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** Stops cleanly with SIGTERM, as Ctrl-C does, and waits until it has flushed and exited. */
    public int stop() throws IOException {
        if (process == null) {
            return 0;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IOException("strata did not stop within " + STOP_TIMEOUT + ":\n" + logText());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            forceUnmount();
        }
        int code = process.exitValue();
        process = null;
        return code;
    }

    /** SIGKILL: the process dies with no chance to flush; the mount is left stale until cleaned up. */
    public void kill() throws IOException {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        process = null;
    }

    /** Starts the server again on the same data directory and mount point (after stop or kill). */
    public void restart(String... extraArgs) throws IOException {
        if (process != null) {
            throw new IllegalStateException("still running");
        }
        launch(extraArgs);
    }

    /** Removes whatever is mounted at the mount point (lazily), ignoring errors. */
    public void forceUnmount() {
        if (MountInfo.typeAt(mountpoint).isPresent()) {
            try {
                new ProcessBuilder("umount", "-l", mountpoint.toString()).redirectErrorStream(true)
                        .start().waitFor(30, TimeUnit.SECONDS);
            } catch (IOException e) {
                // best effort: reported by the next mounted() check
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        try {
            if (process != null && process.isAlive()) {
                stop();
            }
        } catch (IOException e) {
            if (process != null) {
                process.destroyForcibly();
            }
        } finally {
            forceUnmount();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
