package dev.strata.it.posix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * chmod, chown, utimensat with nanoseconds, and which operations move atime, mtime and ctime as
 * POSIX (and Linux) say. Times are compared after a short sleep so that a change is visible even on
 * a coarse clock.
 */
class AttributeTest extends OnMount {
    private static final long PAUSE_MILLIS = 15;

    /** The three times of a path (not following symlinks), in nanoseconds. */
    record Times(long atime, long mtime, long ctime) {}

    static Times times(Path p) throws IOException {
        Libc.Statx s = Libc.stat(p, true);
        return new Times(s.atimeSec() * 1_000_000_000L + s.atimeNsec(), s.mtimeSec() * 1_000_000_000L + s.mtimeNsec(),
                s.ctimeSec() * 1_000_000_000L + s.ctimeNsec());
    }

    private static void pause() throws InterruptedException {
        Thread.sleep(PAUSE_MILLIS);
    }

    @Test
    void chmodSetsAllTwelveModeBitsAndMovesOnlyCtime(TestInfo info) throws Exception {
        Path f = dir(info).resolve("f");
        Files.writeString(f, "x");
        for (int mode : new int[] {0, 0644, 04755, 02750, 01777, 07777, 0400}) {
            Times before = times(f);
            pause();
            Posix.chmod(f, mode);
            assertThat(Libc.stat(f, false).mode() & 07777).as("mode %o", mode).isEqualTo(mode);
            Times after = times(f);
            assertThat(after.ctime()).isGreaterThan(before.ctime());
            assertThat(after.mtime()).isEqualTo(before.mtime());
        }
        Path d = Files.createDirectory(f.resolveSibling("d"));
        Posix.chmod(d, 01770);
        assertThat(Libc.stat(d, false).mode() & 07777).isEqualTo(01770);
    }

    @Test
    void statRightAfterCloseShowsTheWritesMtime(TestInfo info) throws Exception {
        // Regression: with passthrough, a stat racing the asynchronous RELEASE answered the mtime
        // from before the writes, and a later chmod then "moved" it. Repeated to meet the race.
        Path d = dir(info);
        for (int i = 0; i < 40; i++) {
            Path f = d.resolve("f" + i);
            Files.writeString(f, "x");
            Times afterClose = times(f);
            Posix.chmod(f, 0600);
            assertThat(times(f).mtime()).as("file %d", i).isEqualTo(afterClose.mtime());
        }
    }

    @Test
    void chownChangesOwnerAndGroupAndClearsSetuidOfFiles(TestInfo info) throws Exception {
        Path d = dir(info);
        Path f = d.resolve("f");
        Files.writeString(f, "x");
        Posix.chmod(f, 06755);
        Times before = times(f);
        pause();
        Posix.chown(f, 1234, 4321);
        Libc.Statx st = Libc.stat(f, false);
        assertThat(st.uid()).isEqualTo(1234);
        assertThat(st.gid()).isEqualTo(4321);
        assertThat(st.mode() & 07777).as("chown of a file clears setuid and (with group exec) setgid").isEqualTo(0755);
        assertThat(times(f).ctime()).isGreaterThan(before.ctime());
        // -1 leaves a value as it is.
        Posix.chown(f, -1, 99);
        assertThat(Libc.stat(f, false).uid()).isEqualTo(1234);
        assertThat(Libc.stat(f, false).gid()).isEqualTo(99);
        // A directory keeps its setgid bit.
        Path sub = Files.createDirectory(d.resolve("sub"));
        Posix.chmod(sub, 02755);
        Posix.chown(sub, 1, 1);
        assertThat(Libc.stat(sub, false).mode() & 07777).isEqualTo(02755);
    }

    @Test
    void utimensatKeepsNanoseconds(TestInfo info) throws Exception {
        Path f = dir(info).resolve("f");
        Files.writeString(f, "x");
        Posix.utimensat(f, 1_234_567_890L, 123_456_789, 987_654_321L, 999_999_999, 0);
        Libc.Statx st = Libc.stat(f, false);
        assertThat(st.atimeSec()).isEqualTo(1_234_567_890L);
        assertThat(st.atimeNsec()).isEqualTo(123_456_789);
        assertThat(st.mtimeSec()).isEqualTo(987_654_321L);
        assertThat(st.mtimeNsec()).isEqualTo(999_999_999);
        // Before 1970 and far in the future.
        Posix.utimensat(f, -1_000_000L, 1, 4_102_444_800L, 5, 0);
        st = Libc.stat(f, false);
        assertThat(st.atimeSec()).isEqualTo(-1_000_000L);
        assertThat(st.atimeNsec()).isEqualTo(1);
        assertThat(st.mtimeSec()).isEqualTo(4_102_444_800L);
        // The times survive a remount.
        mount.remount(mountArgs());
        st = Libc.stat(f, false);
        assertThat(st.mtimeSec()).isEqualTo(4_102_444_800L);
        assertThat(st.mtimeNsec()).isEqualTo(5);
        assertThat(st.atimeNsec()).isEqualTo(1);
    }

    @Test
    void utimeNowAndOmitDoWhatTheySay(TestInfo info) throws Exception {
        Path f = dir(info).resolve("f");
        Files.writeString(f, "x");
        Posix.utimensat(f, 100, 0, 200, 0, 0);
        Times set = times(f);
        pause();
        Posix.utimensat(f, 0, Posix.UTIME_OMIT, 0, Posix.UTIME_NOW, 0);
        Times after = times(f);
        long now = Instant.now().getEpochSecond();
        assertThat(after.atime()).as("atime omitted").isEqualTo(set.atime());
        assertThat(after.mtime() / 1_000_000_000L).as("mtime now").isBetween(now - 5, now + 1);
        assertThat(after.ctime()).isGreaterThan(set.ctime());
        Posix.utimensat(f, 0, Posix.UTIME_OMIT, 0, Posix.UTIME_OMIT, 0);
        assertThat(times(f).mtime()).isEqualTo(after.mtime());
        // A symlink's own times, without following it.
        Posix.symlink("f", f.resolveSibling("l"));
        Posix.utimensat(f.resolveSibling("l"), 5, 6, 7, 8, Posix.AT_SYMLINK_NOFOLLOW);
        assertThat(times(f.resolveSibling("l")).mtime()).isEqualTo(7_000_000_008L);
        assertThat(times(f).mtime()).isEqualTo(after.mtime());
    }

    @Test
    void writeAndTruncateMoveMtimeAndCtime(TestInfo info) throws Exception {
        Path f = dir(info).resolve("f");
        Files.writeString(f, "x");
        Times t0 = times(f);
        pause();
        int fd = Libc.open(f, Libc.O_WRONLY, 0);
        try {
            Posix.pwrite(fd, "more".getBytes(), 1);
        } finally {
            Libc.close(fd);
        }
        Times t1 = times(f);
        assertThat(t1.mtime()).isGreaterThan(t0.mtime());
        assertThat(t1.ctime()).isGreaterThan(t0.ctime());
        pause();
        Posix.truncate(f, 2);
        Times t2 = times(f);
        assertThat(t2.mtime()).isGreaterThan(t1.mtime());
        assertThat(t2.ctime()).isGreaterThan(t1.ctime());
        pause();
        Libc.close(Libc.open(f, Libc.O_WRONLY | Libc.O_TRUNC, 0));
        Times t3 = times(f);
        assertThat(t3.mtime()).as("O_TRUNC").isGreaterThan(t2.mtime());
        assertThat(t3.ctime()).isGreaterThan(t2.ctime());
    }

    @Test
    @Disabled("atime does not move on reads the kernel serves itself (page cache, writeback cache, passthrough); "
            + "needs atime in LocalFile.Stat (a port change), see the posix suite report")
    void readingMovesAtimeUnderRelatime(TestInfo info) throws Exception {
        Path f = dir(info).resolve("f");
        Files.writeString(f, "content");
        // relatime: a read moves atime when it is not newer than mtime.
        Posix.utimensat(f, 1000, 0, 2000, 0, 0);
        assertThat(Files.readString(f)).isEqualTo("content");
        Times after = times(f);
        long now = Instant.now().getEpochSecond();
        assertThat(after.atime() / 1_000_000_000L).isBetween(now - 5, now + 1);
        assertThat(after.mtime()).isEqualTo(2000_000_000_000L);
    }

    @Test
    @Disabled("as readingMovesAtimeUnderRelatime")
    void readingMovesAtimeAsSeenThroughAnOpenDescriptor(TestInfo info) throws Exception {
        Path f = dir(info).resolve("f");
        Files.writeString(f, "content");
        Posix.utimensat(f, 1000, 0, 2000, 0, 0);
        int fd = Libc.open(f, Libc.O_RDONLY, 0);
        try {
            Posix.pread(fd, 0, 7);
            long now = Instant.now().getEpochSecond();
            assertThat(Libc.fstat(fd).atimeSec()).isBetween(now - 5, now + 1);
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void namespaceChangesMoveTheParentsTimes(TestInfo info) throws Exception {
        Path d = dir(info);
        Path other = Files.createDirectory(d.resolve("other"));
        Times t0 = times(d);
        pause();
        Files.createFile(d.resolve("f"));
        Times t1 = times(d);
        assertThat(t1.mtime()).as("create").isGreaterThan(t0.mtime());
        assertThat(t1.ctime()).isGreaterThan(t0.ctime());
        pause();
        Posix.link(d.resolve("f"), d.resolve("g"));
        Times t2 = times(d);
        assertThat(t2.mtime()).as("link").isGreaterThan(t1.mtime());
        pause();
        Times o0 = times(other);
        Posix.rename(d.resolve("g"), other.resolve("g"));
        Times t3 = times(d);
        assertThat(t3.mtime()).as("rename out").isGreaterThan(t2.mtime());
        assertThat(times(other).mtime()).as("rename in").isGreaterThan(o0.mtime());
        pause();
        Libc.unlink(d.resolve("f"));
        Times t4 = times(d);
        assertThat(t4.mtime()).as("unlink").isGreaterThan(t3.mtime());
        pause();
        Libc.mkdir(d.resolve("sub"), 0755);
        Times t5 = times(d);
        assertThat(t5.mtime()).as("mkdir").isGreaterThan(t4.mtime());
        pause();
        Posix.rmdir(d.resolve("sub"));
        assertThat(times(d).mtime()).as("rmdir").isGreaterThan(t5.mtime());
    }

    @Test
    void linkUnlinkAndRenameMoveTheInodesCtime(TestInfo info) throws Exception {
        Path d = dir(info);
        Path f = d.resolve("f");
        Files.writeString(f, "x");
        Times t0 = times(f);
        pause();
        Posix.link(f, d.resolve("g"));
        Times t1 = times(f);
        assertThat(t1.ctime()).as("link").isGreaterThan(t0.ctime());
        assertThat(t1.mtime()).isEqualTo(t0.mtime());
        pause();
        Libc.unlink(d.resolve("g"));
        Times t2 = times(f);
        assertThat(t2.ctime()).as("unlink of another link").isGreaterThan(t1.ctime());
        pause();
        Posix.rename(f, d.resolve("h"));
        Times t3 = times(d.resolve("h"));
        assertThat(t3.ctime()).as("rename").isGreaterThan(t2.ctime());
        assertThat(t3.mtime()).isEqualTo(t0.mtime());
    }

    @Test
    void newFilesTakeTheCallersIdsAndTheUmask(TestInfo info) throws Exception {
        Path d = dir(info);
        Child.Result r = Child.sh("umask 027 && cd '" + d + "' && touch f && mkdir sub && stat -c '%a %u %g' f sub");
        assertThat(r.out().lines().toList()).as(r.out()).containsExactly("640 0 0", "750 0 0");
    }

    @Test
    void aSetgidDirectoryPassesItsGroupDown(TestInfo info) throws Exception {
        Path d = dir(info);
        Path shared = Files.createDirectory(d.resolve("shared"));
        Posix.chown(shared, 0, 4242);
        Posix.chmod(shared, 02775);
        Files.createFile(shared.resolve("f"));
        Files.createDirectory(shared.resolve("sub"));
        assertThat(Libc.stat(shared.resolve("f"), false).gid()).isEqualTo(4242);
        Libc.Statx sub = Libc.stat(shared.resolve("sub"), false);
        assertThat(sub.gid()).isEqualTo(4242);
        assertThat(sub.mode() & 02000).as("a new subdirectory inherits setgid").isEqualTo(02000);
    }
}
