package dev.strata.bench;

import dev.strata.nativeio.Libc;
import java.io.File;
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
 * A Strata mount on a capacity tier for TierBench: {@code strata mount MP --data-dir D --store URI}
 * as a child process, its output in a log; {@link #close} stops it (SIGTERM: unmount, flush, exit;
 * SIGKILL and a lazy unmount if it hangs). Control goes through the mount's xattrs
 * (docs/CONTROL-XATTRS.md), path-based so that no descriptor is held open on the file (a release of
 * an open file is refused).
 */
final class TierMount implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(120);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(60);

    private final Path mountpoint;
    private final Path log;
    private final Process process;

    private TierMount(Path mountpoint, Path log, Process process) {
        this.mountpoint = mountpoint;
        this.log = log;
        this.process = process;
    }

    static TierMount start(Path strata, Path mountpoint, Path dataDir, String storeUri, Map<String, String> env,
            List<String> extraArgs) throws IOException, InterruptedException {
        Files.createDirectories(mountpoint);
        Path log = mountpoint.resolveSibling(mountpoint.getFileName() + ".log");
        List<String> command = new ArrayList<>(List.of(strata.toString(), "mount", mountpoint.toString(), "--data-dir",
                dataDir.toString(), "--store", storeUri));
        command.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        TierMount m = new TierMount(mountpoint, log, pb.start());
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (!m.mounted()) {
            if (!m.process.isAlive() || System.nanoTime() > deadline) {
                m.close();
                throw new IOException("strata mount " + mountpoint + " did not come up:\n" + m.logTail());
            }
            Thread.sleep(100);
        }
        return m;
    }

    Path root() {
        return mountpoint;
    }

    boolean mounted() throws IOException {
        String want = " " + mountpoint.toAbsolutePath() + " fuse.strata ";
        return Files.readAllLines(Path.of("/proc/mounts")).stream().anyMatch(l -> l.contains(want));
    }

    String state(Path file) throws IOException {
        return new String(Libc.getxattr(file, "user.strata.hsm.state", false), StandardCharsets.UTF_8);
    }

    void request(Path file, String what) throws IOException {
        Libc.setxattr(file, "user.strata.hsm.request", what.getBytes(StandardCharsets.UTF_8), 0, false);
    }

    /** Polls every few milliseconds until {@code file} is in {@code state}. */
    void awaitState(Path file, String state, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!state(file).equals(state)) {
            if (System.nanoTime() > deadline) {
                throw new IOException(file + " not " + state + " within " + limit + ":\n"
                        + new String(Libc.getxattr(file, "user.strata.hsm.info", false), StandardCharsets.UTF_8));
            }
            Thread.sleep(5);
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The server's closing line with its per-opcode request counts, if it wrote one. */
    String requestsServed() {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.contains("requests served:"))
                    .reduce((a, b) -> b).map(l -> l.substring(l.indexOf("requests served:"))).orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                    System.err.println("tier-bench: strata at " + mountpoint + " did not stop within " + STOP_LIMIT
                            + "; killing it");
                    process.destroyForcibly();
                    process.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS);
                }
            }
            if (mounted()) {
                new ProcessBuilder("umount", "-l", mountpoint.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            System.err.println("tier-bench: stopping the mount at " + mountpoint + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
