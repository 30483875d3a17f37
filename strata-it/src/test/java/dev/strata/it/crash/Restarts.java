package dev.strata.it.crash;

import dev.strata.fuse.FuseMount;
import dev.strata.it.StrataProcess;
import dev.strata.it.diff.PosixCalls;
import java.io.IOException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Restarting the server after a kill and telling when it serves again. {@link StrataProcess#restart}
 * waits for a "fuse.strata" line in the mount table, which the stale mount of the killed process
 * already is; so this also waits until the mount point answers statfs, which only a live server
 * does (a stale FUSE mount answers ENOTCONN). Not stat: the kernel answers that from its attribute
 * cache for up to the attribute timeout after the server died.
 */
public final class Restarts {
    static final Duration SERVE_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern REPORT = Pattern.compile(
            "file system ready: Report\\[formatted=(\\w+), inodes=(\\d+), orphansFreed=(\\d+), sizesRefreshed=(\\d+), millis=(\\d+)]");

    /** What one restart took: until the mount serves, and the engine's own recovery. */
    public record Timing(long serveMillis, long recoveryMillis, long inodes, long orphansFreed, long sizesRefreshed) {
        @Override
        public String toString() {
            return "serving after " + serveMillis + " ms (recovery " + recoveryMillis + " ms: " + inodes + " inodes, "
                    + orphansFreed + " orphans freed, " + sizesRefreshed + " sizes refreshed)";
        }
    }

    private Restarts() {}

    /** Restarts the server on its stale mount point and waits until it serves. */
    public static Timing restart(StrataProcess s, String... extraArgs) throws IOException, InterruptedException {
        int reportsBefore = count(s.logText());
        long t0 = System.nanoTime();
        s.restart(extraArgs);
        awaitServing(s, t0);
        long serveMillis = (System.nanoTime() - t0) / 1_000_000;
        String log = s.logText();
        Matcher m = REPORT.matcher(log);
        Timing timing = null;
        int seen = 0;
        while (m.find()) {
            if (++seen > reportsBefore) {
                timing = new Timing(serveMillis, Long.parseLong(m.group(5)), Long.parseLong(m.group(2)),
                        Long.parseLong(m.group(3)), Long.parseLong(m.group(4)));
            }
        }
        if (timing == null) {
            throw new IOException("the restarted server logged no recovery report:\n" + tail(log));
        }
        return timing;
    }

    public static void awaitServing(StrataProcess s, long startNanos) throws IOException, InterruptedException {
        long deadline = startNanos + SERVE_TIMEOUT.toNanos();
        while (true) {
            if (PosixCalls.statfs(s.mountpoint()) == 0 && FuseMount.isStrataMount(s.mountpoint())) {
                return;
            }
            boolean alive = ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive).orElse(false);
            if (!alive) {
                throw new IOException("the restarted server exited:\n" + tail(s.logText()));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the restarted server did not serve within " + SERVE_TIMEOUT + ":\n"
                        + tail(s.logText()));
            }
            Thread.sleep(20);
        }
    }

    private static int count(String log) {
        Matcher m = REPORT.matcher(log);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    static String tail(String log) {
        String[] lines = log.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
    }
}
