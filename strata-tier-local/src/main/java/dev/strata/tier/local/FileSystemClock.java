package dev.strata.tier.local;

import dev.strata.core.Clock;
import dev.strata.core.Timespec;
import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Libc;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File timestamps taken the way the fast tier's file system takes them for the data files: by
 * setting the times of a scratch file there to "now" and reading them back.
 *
 * <p>Why: data written through FUSE passthrough never passes the engine, so its mtime is the one
 * the local file system gives the data file, from the kernel's coarse clock (the current tick, a
 * few milliseconds behind) or, once the file's times were read, from its fine one. Every other
 * change is stamped by the engine. With the JVM's precise clock for those, a file written right
 * after a create or a chmod could be dated before it — what make and rsync trip over. Reading
 * the kernel's own "now" off a file on the same file system gives one clock for both: with
 * multigrain timestamps a fine-grained time handed out here raises the kernel's floor, so every
 * later data write is dated at or after it, and every earlier one at or before.
 *
 * <p>Costs two system calls per timestamp. Thread-safe (one caller at a time). If the scratch file
 * cannot be touched (a failing disk), falls back to the system clock and says so once.
 */
final class FileSystemClock implements Clock {
    private static final Logger LOG = LoggerFactory.getLogger(FileSystemClock.class);
    static final String FILE_NAME = "CLOCK";
    /** utimensat's special nanosecond values. */
    static final long UTIME_NOW = (1L << 30) - 1;
    static final long UTIME_OMIT = (1L << 30) - 2;

    private final FdGuard fd;
    private final LocalDiskDataStore owner;
    private boolean warned;

    FileSystemClock(LocalDiskDataStore owner, int fd) {
        this.owner = owner;
        this.fd = new FdGuard(fd);
    }

    static int openScratch(Path root) throws ErrnoException {
        return Libc.open(root.resolve(FILE_NAME), Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC | Libc.O_NOFOLLOW, 0600);
    }

    @Override
    public synchronized Timespec now() {
        int d = fd.acquire(owner);
        try {
            Libc.futimens(d, 0, UTIME_OMIT, 0, UTIME_NOW);
            Libc.Statx st = Libc.fstat(d);
            return new Timespec(st.mtimeSec(), st.mtimeNsec());
        } catch (ErrnoException e) {
            if (!warned) {
                warned = true;
                LOG.warn("cannot take the time from {} ({}); using the system clock, so times of data written "
                        + "through passthrough may be ordered slightly differently", FILE_NAME, e.getMessage());
            }
            return Clock.SYSTEM.now();
        } finally {
            fd.release();
        }
    }

    @Override
    public long monotonicNanos() {
        return System.nanoTime();
    }

    void close() {
        fd.close();
    }
}
