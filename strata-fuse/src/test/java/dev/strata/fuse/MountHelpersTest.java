package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Mount points that are missing, taken or stale; fusermount3; closing a busy mount. Needs root. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MountHelpersTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsRoot() {
        MountFixture.assumeMountable();
    }

    @AfterEach
    void leavesNoMount() throws Exception {
        if (MountTable.at(dir).isPresent()) {
            Sys.umount2(dir.toString(), Sys.MNT_DETACH);
            throw new AssertionError("a mount was left at " + dir);
        }
    }

    @Test
    void clearErrorsForBadMountpoints() throws Exception {
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> new FuseSession(FuseConfig.defaults(missing), new MemFs()).start())
                .isInstanceOf(MountException.class).hasMessage("mount point " + missing + " does not exist");
        Path file = Files.createFile(dir.resolve("file"));
        assertThatThrownBy(() -> new FuseSession(FuseConfig.defaults(file), new MemFs()).start())
                .isInstanceOf(MountException.class).hasMessage("mount point " + file + " is not a directory");
    }

    @Test
    void refusesAMountpointThatIsAlreadyMounted() throws Exception {
        try (MountFixture m = MountFixture.mount(dir, new MemFs(), MountFixture.config(dir))) {
            FuseSession second = new FuseSession(MountFixture.config(dir), new MemFs());
            assertThatThrownBy(second::start).isInstanceOf(MountException.class)
                    .hasMessage(dir + " is already mounted (fuse.strata from strata); unmount it first");
            second.close();
            assertThat(Files.exists(m.path("."))).isTrue();
        }
    }

    @Test
    void detectsAndCleansUpAStaleMount() throws Exception {
        // A daemon that dies: mount, then close /dev/fuse without serving or unmounting.
        FuseMount.Mounted dead = FuseMount.mount(MountFixture.config(dir));
        Libc.close(dead.deviceFd());
        assertThat(FuseMount.isStale(dir)).isTrue();
        assertThatThrownBy(() -> Files.list(dir)).isInstanceOf(IOException.class);
        try (MountFixture m = MountFixture.mount(dir, new MemFs(), MountFixture.config(dir))) {
            assertThat(FuseMount.isStale(dir)).isFalse();
            Files.writeString(m.path("alive"), "yes");
            assertThat(Files.readString(m.path("alive"))).isEqualTo("yes");
        }
        assertThat(FuseMount.isStale(dir)).isFalse();
    }

    @Test
    void mountsThroughFusermount3() throws Exception {
        if (MountFixture.run("which", FuseMount.FUSERMOUNT).exit() != 0) {
            org.junit.jupiter.api.Assumptions.abort("fusermount3 is not installed (Debian package fuse3)");
        }
        FuseConfig c = MountFixture.config(dir).withMountMethod(FuseConfig.MountMethod.FUSERMOUNT);
        try (MountFixture m = MountFixture.mount(dir, new MemFs(), c)) {
            assertThat(MountTable.at(dir)).get().extracting(MountTable.Mount::fsType).isEqualTo("fuse.strata");
            Files.writeString(m.path("via-fusermount"), "ok");
            assertThat(Files.readString(m.path("via-fusermount"))).isEqualTo("ok");
        }
        assertThat(MountTable.at(dir)).isEmpty();
    }

    @Test
    void closingABusyMountDetachesItAndStopsServing() throws Exception {
        MountFixture m = MountFixture.mount(dir, new MemFs(), MountFixture.config(dir));
        Files.writeString(m.path("held"), "data");
        InputStream held = Files.newInputStream(m.path("held"));
        try {
            long start = System.nanoTime();
            m.close();
            assertThat(m.session.ended().get(1, TimeUnit.SECONDS)).isEqualTo(FuseSession.End.CLOSED);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                    .isGreaterThanOrEqualTo(FuseSession.UNMOUNT_GRACE.toMillis() - 100);
            assertThat(MountTable.at(dir)).as("detached").isEmpty();
            // The connection was aborted: the open file fails instead of hanging.
            assertThatThrownBy(held::read).isInstanceOf(IOException.class);
        } finally {
            try {
                held.close();
            } catch (IOException expected) {
                // ENOTCONN: the daemon is gone
            }
        }
        assertThat(m.fs.destroyed).isTrue();
    }
}
