package dev.strata.it.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.it.StrataProcess;
import dev.strata.nativeio.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sequences the {@link DifferentialTest} found, shrunk, each named after the bug it caught. Each
 * runs on ext4 and on one shared mount and must agree step by step and in the final trees.
 */
class DiffRegressionTest {
    @TempDir
    static Path work;
    private static StrataProcess strata;
    private static DiffRunner runner;

    @BeforeAll
    static void mount() throws Exception {
        assumeTrue(StrataProcess.canMount(), "needs root and /dev/fuse");
        Path fs = work.resolve("fs");
        Files.createDirectories(fs);
        strata = StrataProcess.start(fs);
        runner = new DiffRunner(work.resolve("local"), strata.mountpoint().resolve("regressions"));
    }

    @AfterAll
    static void unmount() {
        if (strata != null) {
            strata.close();
        }
    }

    @Test
    void statSeesTheSizeOfAWriteThroughTheCreatingHandle() throws Exception {
        agree(List.of(
                new Op.Open(2, "d", Libc.O_RDWR | Libc.O_CREAT, 0755),
                new Op.Write(2, 2981, 4238365447723172831L)));
    }

    /**
     * Metadata changes took their times from the JVM's precise clock, data written through
     * passthrough from ext4's coarse one (the current tick), so a file written right after it was
     * created could show an mtime before its directory's. Repeated because the window is one tick.
     */
    @Test
    void aWriteAfterACreateIsNotDatedBeforeIt() throws Exception {
        for (int i = 0; i < 10; i++) {
            agree(List.of(
                    new Op.Open(0, "b", Libc.O_WRONLY | Libc.O_CREAT, 0444),
                    new Op.Pwrite(0, 22247, 3382, -68150851903500693L)));
        }
    }

    /** Linux truncates on O_RDONLY|O_TRUNC; Strata truncated only handles opened for writing. */
    @Test
    void readOnlyOpenWithTruncTruncates() throws Exception {
        agree(List.of(
                new Op.Open(0, "d", Libc.O_RDWR | Libc.O_CREAT, 0644),
                new Op.Write(0, 2760, -2976031850752488163L),
                new Op.Open(3, "d", Libc.O_RDONLY | Libc.O_TRUNC, 0600),
                new Op.Fstat(3),
                new Op.Fstat(0)));
    }

    private static void agree(List<Op> ops) throws Exception {
        assertThat(runner.replay(ops)).as("first disagreement between ext4 and the mount").isNull();
    }
}
