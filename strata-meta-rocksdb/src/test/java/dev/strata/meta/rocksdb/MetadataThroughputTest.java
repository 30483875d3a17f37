package dev.strata.meta.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps {@link MetadataThroughput} working and prints short-run figures into the test output. No
 * timing is asserted: the numbers depend on the machine; run the main class for quotable ones.
 */
class MetadataThroughputTest {
    private static final Duration SHORT_RUN = Duration.ofMillis(300);

    @TempDir
    Path dir;

    @Test
    void measuresEveryScenario() throws Exception {
        for (MetadataThroughput.Result r : MetadataThroughput.run(dir, SHORT_RUN)) {
            System.out.println(r);
            assertThat(r.commits()).as(r.scenario()).isPositive();
        }
    }
}
