package dev.strata.it.tier;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.it.StrataProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Mounting Strata against a {@link TierStore} for a test, and what a failing test should show. */
final class TierMounts {
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private TierMounts() {}

    /** Skips the test unless this machine can mount and rclone is there (in CI: fails without rclone). */
    static void assumeReady() {
        assumeTrue(StrataProcess.canMount(), "mount tests need root and /dev/fuse");
        Rclone.assumeInstalled();
    }

    /** A key prefix no other test of this run uses ({@code name-N}), so tests can share one server. */
    static String prefix(String name) {
        return name + "-" + PREFIXES.incrementAndGet();
    }

    /** {@code strata mount work/mnt --data-dir work/data --store URI EXTRA...} as a child process. */
    static StrataProcess mount(Path work, TierStore store, String... extraArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("--store", store.uri()));
        args.addAll(List.of(extraArgs));
        return StrataProcess.start(work, store.serverEnv(), args.toArray(String[]::new));
    }

    interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body}; if it fails, the failure carries the server's last log lines. */
    static void showingLogOnFailure(StrataProcess s, Body body) throws Exception {
        try {
            body.run();
        } catch (Exception | AssertionError e) {
            e.addSuppressed(new ServerLog(s.logText()));
            throw e;
        }
    }

    /** The last lines of a server's log, attached to a failure. */
    static final class ServerLog extends Exception {
        ServerLog(String log) {
            super("server log (last 40 lines):\n" + tail(log), null, false, false);
        }

        static String tail(String log) {
            List<String> lines = log.lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        }
    }
}
