package dev.strata.it.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.it.StrataProcess;
import dev.strata.it.diff.PosixCalls;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server restarted at once after a kill -9 must clean up the stale mount it finds, also while
 * the kernel still holds the dead mount's root attributes in its cache (which answers stat without
 * asking anyone, for up to the attribute timeout). Found by {@link CrashRecoveryTest}: a restart
 * right after the kill was refused with "already mounted", because the stale-mount check used stat.
 */
class StaleMountRestartTest {
    @TempDir
    Path work;

    @Test
    void restartRightAfterAKillWhileTheRootsAttributesAreStillCached() throws Exception {
        assumeTrue(StrataProcess.canMount(), "needs root and /dev/fuse");
        try (StrataProcess s = StrataProcess.start(work, "--attr-timeout", "60")) {
            Path f = s.mountpoint().resolve("before-the-kill");
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap("acknowledged".getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            assertThat(PosixCalls.fsyncDirectory(s.mountpoint())).isZero();
            assertThat(PosixCalls.stat(s.mountpoint(), false).ok()).isTrue();
            s.kill();
            // The trap: the dead mount still answers stat from the kernel's cache.
            assertThat(PosixCalls.stat(s.mountpoint(), false).ok()).isTrue();
            assertThat(PosixCalls.errnoName(-PosixCalls.statfs(s.mountpoint()))).isEqualTo("ENOTCONN");

            Restarts.restart(s, "--attr-timeout", "60");

            assertThat(Files.readString(f)).isEqualTo("acknowledged");
            assertThat(s.logText()).contains("removed a stale mount");
        }
    }
}
