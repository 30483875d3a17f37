package dev.strata.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first thing a user does: mount, write, unmount, mount again, read. */
class MountSmokeTest {
    @TempDir
    Path work;

    @Test
    void dataSurvivesUnmountAndRemount() throws Exception {
        assumeTrue(StrataProcess.canMount(), "needs root and /dev/fuse");
        try (StrataProcess s = StrataProcess.start(work)) {
            Path f = s.mountpoint().resolve("hello.txt");
            Files.writeString(f, "hello, strata");
            assertThat(s.stop()).isZero();
            assertThat(s.mounted()).isFalse();
            s.restart();
            assertThat(Files.readString(f)).isEqualTo("hello, strata");
        }
    }
}
