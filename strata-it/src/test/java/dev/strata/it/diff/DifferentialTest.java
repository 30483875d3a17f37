package dev.strata.it.diff;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.it.StrataProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "The same random operations on a local directory and on the mount": seeded sequences of system
 * calls (open with flags, pwrite/write/read, lseek, truncate, fallocate, copy_file_range, fsync,
 * mkdir/rmdir/unlink, rename with its flags and over existing targets, link, symlink, chmod,
 * utimensat, xattrs, stat, readdir) run step by step on ext4 and on Strata; every step's result
 * or errno must agree, and every few steps the whole trees (types, sizes, contents, modes, link
 * counts and groups, symlink targets, xattrs, time order). A failing sequence is shrunk and printed
 * with its seed as Java, ready to become a named test in {@link DiffRegressionTest}.
 *
 * <p>System properties: {@code strata.diff.seed}, {@code strata.diff.seconds} (time for sequences,
 * default 40), {@code strata.diff.length} (steps per sequence, 120).
 */
class DifferentialTest {
    static final long SEED = Long.getLong("strata.diff.seed", System.nanoTime());
    static final int SECONDS = Integer.getInteger("strata.diff.seconds", 40);
    static final int LENGTH = Integer.getInteger("strata.diff.length", 120);
    static final int COMPARE_EVERY = 20;

    @TempDir
    Path work;

    @Test
    void sameOperationsSameResultsAsExt4() throws Exception {
        assumeTrue(StrataProcess.canMount(), "needs root and /dev/fuse");
        Path fs = work.resolve("fs");
        Files.createDirectories(fs);
        try (StrataProcess s = StrataProcess.start(fs)) {
            run(new DiffRunner(work.resolve("local"), s.mountpoint().resolve("diff")), "passthrough (default)");
        }
    }

    private void run(DiffRunner runner, String config) throws Exception {
        SplittableRandom seeds = new SplittableRandom(SEED);
        long deadline = System.nanoTime() + SECONDS * 1_000_000_000L;
        int sequences = 0;
        long steps = 0;
        while (System.nanoTime() < deadline) {
            long seed = seeds.nextLong();
            DiffRunner.Outcome o = runner.generate(seed, LENGTH, COMPARE_EVERY);
            sequences++;
            steps += o.ops().size();
            if (o.mismatch() != null) {
                Shrinker.Result r = Shrinker.shrink(runner, o.ops(), o.mismatch());
                fail("the mount (" + config + ") disagrees with ext4 in sequence " + sequences + " (seed " + seed
                        + ", run seed -Dstrata.diff.seed=" + SEED + ")\n" + o.mismatch()
                        + "\nshrunk in " + r.replays() + " replays to " + r.ops().size() + " steps, failing at "
                        + r.mismatch() + ":\n" + r.java());
            }
        }
        System.out.println(config + ": " + sequences + " sequences, " + steps + " steps, all agree (seed " + SEED + ")");
    }
}
