package dev.strata.it.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.it.StrataProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Write and fsync under load, kill -9, remount, verify every acknowledged byte."
 *
 * <p>What Strata promises (docs/SEMANTICS.md): fsync and fdatasync of a file, and fsync of a
 * directory, return only when that data and those names survive a kill -9 of the Strata process;
 * after a crash at any instant the namespace is consistent (no entry leads nowhere, no inode or
 * fast-tier file is left that nothing leads to); a restart takes seconds, whatever the number of
 * files.
 *
 * <p>How: a {@link CrashWorkload} process with several threads works on the mount and journals
 * every intent and every acknowledgement to a log on the local disk. The server is killed with
 * SIGKILL at a seeded random moment, the workload stops on its failing calls, the server is
 * restarted on the stale mount point (which it must clean up itself), and the recovered tree is
 * checked against all logs so far ({@link AckModel}), walked whole ({@link TreeScan}), compared
 * with the fast tier's files and statfs's inode count, listed by ls and du, and the rounds before
 * must be exactly as the previous check found them. Rounds on one data directory: the first also
 * creates many small files (restart time must not grow with them); one kills during a burst of
 * unlinks of open files; one kills the server while it starts; the last stops it cleanly.
 *
 * <p>System properties: {@code strata.crash.seed}, {@code strata.crash.rounds} (mixed rounds, 4),
 * {@code strata.crash.bulkFiles} (1000), {@code strata.crash.threads} (4).
 */
class CrashRecoveryTest {
    static final long SEED = Long.getLong("strata.crash.seed", System.nanoTime());
    static final int MIXED_ROUNDS = Integer.getInteger("strata.crash.rounds", 4);
    static final int BULK_FILES = Integer.getInteger("strata.crash.bulkFiles", 1000);
    static final int THREADS = Integer.getInteger("strata.crash.threads", 4);
    /** Files each thread opens and then unlinks in the unlink round. */
    static final int BURST_FILES = 300;
    /** A workload never runs longer than this; the kill comes much earlier. */
    static final long WORKLOAD_MAX_MILLIS = 60_000;
    /** "Restart takes seconds": generous for a loaded CI machine, far below a scan of the namespace. */
    static final Duration RESTART_BOUND = Duration.ofSeconds(30);
    static final long RECOVERY_BOUND_MILLIS = 5_000;

    @TempDir
    Path work;

    private final List<Path> logs = new ArrayList<>();
    private final Map<String, Map<String, String>> verified = new HashMap<>();
    private final List<String> report = new ArrayList<>();

    @Test
    void everyAcknowledgedByteSurvivesKillNine() throws Exception {
        assumeTrue(StrataProcess.canMount(), "needs root and /dev/fuse");
        SplittableRandom rnd = new SplittableRandom(SEED);
        report.add("seed " + SEED + " (rerun with -Dstrata.crash.seed=" + SEED + ")");
        Path fsDir = work.resolve("fs");
        Files.createDirectories(fsDir);
        try (StrataProcess s = StrataProcess.start(fsDir)) {
            int round = 1;
            for (; round <= MIXED_ROUNDS; round++) {
                workloadRound(s, round, rnd, false, round == 1 ? BULK_FILES : 0);
            }
            workloadRound(s, round++, rnd, true, 0);
            s.kill(); // now idle, then again while it starts
            killDuringStart(s, rnd);
            assertThat(s.stop()).as("clean stop after the crashes").isZero();
            Restarts.Timing t = Restarts.restart(s);
            report.add("clean restart: " + t);
            verify(s, round);
            assertThat(s.stop()).isZero();
        } finally {
            System.out.println(String.join("\n", report));
        }
    }

    private void workloadRound(StrataProcess s, int round, SplittableRandom rnd, boolean unlinkBurst, int bulkFiles)
            throws Exception {
        Path log = work.resolve("acks-r" + round + ".log");
        logs.add(log);
        long killDelayMillis = unlinkBurst ? rnd.nextLong(5, 120) : rnd.nextLong(300, 2500);
        String[] args = {
            "mount=" + s.mountpoint(), "round=" + round, "log=" + log, "seed=" + rnd.nextLong(),
            "threads=" + THREADS, "mode=" + (unlinkBurst ? "unlink" : "mixed"), "maxMillis=" + WORKLOAD_MAX_MILLIS,
            "bulkFiles=" + bulkFiles, "burstFiles=" + BURST_FILES
        };
        String done;
        boolean killedInBurst = false;
        try (WorkloadProcess w = WorkloadProcess.start(work.resolve("workload-r" + round + ".err"), args)) {
            String waitFor = unlinkBurst ? "BURST" : "READY";
            assertThat(w.awaitLine(waitFor, Duration.ofSeconds(120)))
                    .as("round %d: the workload reaches %s; its output:\n%s\nserver log:\n%s", round, waitFor,
                            w.output(), Restarts.tail(s.logText()))
                    .isTrue();
            Thread.sleep(killDelayMillis);
            killedInBurst = unlinkBurst && !w.printed("BURST-END");
            s.kill();
            int code = w.awaitExit(Duration.ofSeconds(60));
            done = w.line("DONE");
            assertThat(code).as("round %d: the workload stops cleanly after the kill (exit 0, 3 = a live read "
                    + "mismatch); output:\n%s\nstderr: %s", round, w.output(), tail(work.resolve("workload-r" + round + ".err")))
                    .isZero();
        }
        Restarts.Timing t = Restarts.restart(s);
        report.add("round " + round + (unlinkBurst ? " (unlink burst" + (killedInBurst ? ", killed inside it)"
                : ", killed after it ended)") : bulkFiles > 0 ? " (with " + bulkFiles + " bulk files)" : "")
                + ": killed " + killDelayMillis + " ms after " + (unlinkBurst ? "BURST" : "READY") + "; " + done
                + "; restart " + t);
        checkRestart(t);
        verify(s, round);
    }

    /** Kills the server at a random instant of its start (JVM start, recovery, mount, INIT or just after). */
    private void killDuringStart(StrataProcess s, SplittableRandom rnd) throws Exception {
        long delay = rnd.nextLong(0, 2500);
        long t0 = System.nanoTime();
        s.restart(); // returns at once while the killed server's stale mount is still in the table
        long sinceLaunch = Math.max(0, delay - (System.nanoTime() - t0) / 1_000_000);
        Thread.sleep(sinceLaunch);
        s.kill();
        Restarts.Timing t = Restarts.restart(s);
        report.add("kill during start-up, " + delay + " ms after launch; restart " + t);
        checkRestart(t);
        verify(s, Integer.MAX_VALUE);
    }

    private void checkRestart(Restarts.Timing t) {
        assertThat(t.serveMillis()).as("restart time (ms)").isLessThan(RESTART_BOUND.toMillis());
        assertThat(t.recoveryMillis()).as("recovery time (ms)").isLessThan(RECOVERY_BOUND_MILLIS);
    }

    /** Every check of the recovered tree; rounds before {@code round} must be as last verified. */
    private void verify(StrataProcess s, int round) throws Exception {
        long t0 = System.nanoTime();
        AckModel model = AckModel.read(logs);
        TreeScan scan = TreeScan.of(s.mountpoint());
        long t1 = System.nanoTime();
        List<String> problems = new ArrayList<>(scan.problems);
        problems.addAll(model.check(scan));
        long t2 = System.nanoTime();
        problems.addAll(scan.checkDataDirectory(s.dataDir().resolve("data")));
        problems.addAll(scan.checkInodeCount());
        long t3 = System.nanoTime();
        problems.addAll(scan.checkLsAndDu());
        long t4 = System.nanoTime();
        for (Map.Entry<String, Map<String, String>> before : verified.entrySet()) {
            int r = Integer.parseInt(before.getKey().substring(1));
            if (r < round) {
                Map<String, String> now = scan.summary(before.getKey());
                if (!now.equals(before.getValue())) {
                    problems.add(before.getKey() + " changed since it was last verified: " + diff(before.getValue(), now));
                }
            }
        }
        for (String top : scan.listings.getOrDefault(".", List.of())) {
            verified.put(top, scan.summary(top));
        }
        report.add("  verified " + scan.nodes.size() + " entries, " + model.summary() + " in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms (walk " + (t1 - t0) / 1_000_000 + ", model "
                + (t2 - t1) / 1_000_000 + ", data dir " + (t3 - t2) / 1_000_000 + ", ls/du " + (t4 - t3) / 1_000_000 + ")");
        assertThat(problems).as("after round %d (seed %d): problems of the recovered tree", round, SEED).isEmpty();
    }

    private static String diff(Map<String, String> before, Map<String, String> now) {
        List<String> out = new ArrayList<>();
        for (String k : before.keySet()) {
            if (!before.get(k).equals(now.get(k))) {
                out.add(k + ": " + before.get(k) + " -> " + now.get(k));
            }
        }
        for (String k : now.keySet()) {
            if (!before.containsKey(k)) {
                out.add(k + ": new " + now.get(k));
            }
        }
        return out.subList(0, Math.min(10, out.size())).toString();
    }

    private static String tail(Path file) {
        try {
            return Files.exists(file) ? Restarts.tail(Files.readString(file)) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
