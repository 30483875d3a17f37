package dev.strata.it.posix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.nativeio.Libc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * flock(2) and POSIX record locks (fcntl) between two processes: this JVM and a {@link Probe} child.
 * The kernel keeps both kinds of lock for a FUSE mount that does not negotiate them, as Strata does.
 */
class LockTest extends OnMount {
    private static final String EWOULDBLOCK = "busy " + Posix.EAGAIN;

    private static String probe(String... args) throws IOException {
        Child.Result r = Child.probe(args);
        assertThat(r.exit()).as(r.out()).isZero();
        return r.out().strip();
    }

    @Test
    void anExclusiveFlockShutsOutOtherProcesses(TestInfo info) throws IOException {
        Path f = Files.createFile(dir(info).resolve("f"));
        int fd = Libc.open(f, Libc.O_RDWR, 0);
        try {
            Posix.flock(fd, Posix.LOCK_EX | Posix.LOCK_NB);
            assertThat(probe("flock", f.toString(), "ex")).isEqualTo(EWOULDBLOCK);
            assertThat(probe("flock", f.toString(), "sh")).isEqualTo(EWOULDBLOCK);
            Posix.flock(fd, Posix.LOCK_UN);
            assertThat(probe("flock", f.toString(), "ex")).isEqualTo("locked");
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void sharedFlocksCoexistButBlockAnExclusiveOne(TestInfo info) throws IOException {
        Path f = Files.createFile(dir(info).resolve("f"));
        int fd = Libc.open(f, Libc.O_RDONLY, 0);
        try {
            Posix.flock(fd, Posix.LOCK_SH | Posix.LOCK_NB);
            assertThat(probe("flock", f.toString(), "sh")).isEqualTo("locked");
            assertThat(probe("flock", f.toString(), "ex")).isEqualTo(EWOULDBLOCK);
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void aFlockIsReleasedWhenItsLastDescriptorCloses(TestInfo info) throws IOException {
        Path f = Files.createFile(dir(info).resolve("f"));
        int fd = Libc.open(f, Libc.O_RDWR, 0);
        Posix.flock(fd, Posix.LOCK_EX | Posix.LOCK_NB);
        Libc.close(fd);
        assertThat(probe("flock", f.toString(), "ex")).isEqualTo("locked");
    }

    @Test
    void aFlockHeldByAnotherProcessBlocksUsUntilItExits(TestInfo info) throws Exception {
        Path f = Files.createFile(dir(info).resolve("f"));
        Process holder = Child.startProbe("hold-flock", f.toString());
        try {
            awaitHeld(holder);
            int fd = Libc.open(f, Libc.O_RDWR, 0);
            try {
                assertErrno(Posix.EAGAIN, () -> Posix.flock(fd, Posix.LOCK_EX | Posix.LOCK_NB));
                holder.getOutputStream().close(); // the holder exits, and its lock goes with it
                assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
                Posix.flock(fd, Posix.LOCK_EX | Posix.LOCK_NB);
            } finally {
                Libc.close(fd);
            }
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void recordLocksConflictOnlyWhereRangesOverlap(TestInfo info) throws IOException {
        Path f = dir(info).resolve("f");
        Files.write(f, new byte[1000]);
        int fd = Libc.open(f, Libc.O_RDWR, 0);
        try {
            Posix.setlk(fd, Posix.F_WRLCK, 0, 100);
            String busy = probe("setlk", f.toString(), "wr", "50", "10");
            assertThat(busy).isIn(EWOULDBLOCK, "busy " + Posix.EACCES);
            assertThat(probe("setlk", f.toString(), "rd", "99", "1")).isNotEqualTo("locked");
            assertThat(probe("setlk", f.toString(), "wr", "100", "100")).isEqualTo("locked");
            // F_GETLK names the holder: our own process.
            assertThat(probe("getlk", f.toString(), "wr", "0", "10"))
                    .isEqualTo(Posix.F_WRLCK + " 0 100 " + ProcessHandle.current().pid());
            assertThat(probe("getlk", f.toString(), "wr", "500", "10")).isEqualTo("unlocked");
            // Unlocking part of the range frees just that part.
            Posix.setlk(fd, Posix.F_UNLCK, 0, 50);
            assertThat(probe("setlk", f.toString(), "wr", "0", "50")).isEqualTo("locked");
            assertThat(probe("setlk", f.toString(), "wr", "50", "50")).isNotEqualTo("locked");
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void readLocksShareAndWriteLocksExclude(TestInfo info) throws IOException {
        Path f = dir(info).resolve("f");
        Files.write(f, new byte[100]);
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.READ)) {
            FileLock shared = c.lock(0, 100, true);
            assertThat(shared.isShared()).isTrue();
            assertThat(probe("setlk", f.toString(), "rd", "0", "100")).isEqualTo("locked");
            assertThat(probe("setlk", f.toString(), "wr", "0", "1")).isNotEqualTo("locked");
            shared.release();
            assertThat(probe("setlk", f.toString(), "wr", "0", "100")).isEqualTo("locked");
        }
    }

    @Test
    void closingAnyDescriptorOfTheFileDropsTheProcesssRecordLocks(TestInfo info) throws IOException {
        // POSIX's famous rule: a process's record locks on a file go with the first close of any of its
        // descriptors for that file.
        Path f = dir(info).resolve("f");
        Files.write(f, new byte[100]);
        int fd = Libc.open(f, Libc.O_RDWR, 0);
        try {
            Posix.setlk(fd, Posix.F_WRLCK, 0, 0);
            assertThat(probe("setlk", f.toString(), "wr", "0", "1")).isNotEqualTo("locked");
            Libc.close(Libc.open(f, Libc.O_RDONLY, 0));
            assertThat(probe("setlk", f.toString(), "wr", "0", "1")).isEqualTo("locked");
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void aRecordLockHeldByAnotherProcessBlocksUsUntilItExits(TestInfo info) throws Exception {
        Path f = dir(info).resolve("f");
        Files.write(f, new byte[100]);
        Process holder = Child.startProbe("hold-setlk", f.toString(), "10", "20");
        try {
            long pid = awaitHeld(holder);
            int fd = Libc.open(f, Libc.O_RDWR, 0);
            try {
                assertErrno(Posix.EAGAIN, () -> Posix.setlk(fd, Posix.F_WRLCK, 15, 1));
                Posix.RecordLock l = Posix.getlk(fd, Posix.F_WRLCK, 0, 100);
                assertThat(l.pid()).isEqualTo((int) pid);
                assertThat(l.start()).isEqualTo(10);
                assertThat(l.length()).isEqualTo(20);
                Posix.setlk(fd, Posix.F_WRLCK, 30, 10);
                holder.getOutputStream().close();
                assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
                Posix.setlk(fd, Posix.F_WRLCK, 0, 100);
            } finally {
                Libc.close(fd);
            }
        } finally {
            holder.destroyForcibly();
        }
    }

    /** Waits for the holder's "held PID" line; returns the PID. */
    private static long awaitHeld(Process holder) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        // readLine blocks until the probe speaks; the probe exits by itself after 60 s at the latest.
        String line = r.readLine();
        assertThat(line).as("holder output").startsWith("held ");
        return Long.parseLong(line.substring(5).strip());
    }
}
