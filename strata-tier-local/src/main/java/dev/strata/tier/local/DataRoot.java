package dev.strata.tier.local;

import dev.strata.core.FsException;
import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Errnos;
import dev.strata.nativeio.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks and prepares the data root once, at start: it must exist and be writable, hold layout 1
 * (or nothing yet), and not be in use by another store. Configuration mistakes are
 * {@link IllegalArgumentException}s worded for the operator; disk failures are FsExceptions.
 */
final class DataRoot {
    /** More than the marker ever holds; a longer file is not ours. */
    private static final int MARKER_READ_BYTES = 4096;

    private DataRoot() {}

    /** Returns the marker file's descriptor, flock'ed; the lock lasts as long as it stays open. */
    static int prepare(FanOutLayout layout) throws FsException {
        Path root = layout.root();
        if (!Files.exists(root)) {
            throw new IllegalArgumentException("fast-tier data directory " + root + " does not exist: create it on the "
                    + "local disk meant for the fast tier (mkdir -p " + root + ") or configure another directory");
        }
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("fast-tier data directory " + root + " is not a directory");
        }
        int fd = openMarker(layout);
        try {
            if (!Flock.tryLockExclusive(fd)) {
                throw new IllegalStateException("fast-tier data directory " + root + " is in use by another data store "
                        + "(another Strata process, or a second store in this one); each node needs its own directory");
            }
            checkOrWriteMarker(fd, layout);
            createDirectories(layout);
            fsyncDirectory(root);
            return fd;
        } catch (ErrnoException e) {
            Libc.close(fd);
            throw DiskErrors.map(e, "preparing fast-tier data directory " + root);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    static void fsyncDirectory(Path dir) throws ErrnoException {
        int fd = Libc.open(dir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        try {
            Libc.fsync(fd);
        } finally {
            Libc.close(fd);
        }
    }

    private static int openMarker(FanOutLayout layout) throws FsException {
        try {
            return Libc.open(layout.marker(), Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC | Libc.O_NOFOLLOW, 0600);
        } catch (ErrnoException e) {
            if (e.errno() == Errnos.EROFS || e.errno() == Errnos.EACCES || e.errno() == Errnos.EPERM) {
                throw new IllegalArgumentException("fast-tier data directory " + layout.root() + " is not writable ("
                        + e.getMessage() + "): the fast tier needs a writable local directory; check its permissions "
                        + "and that its file system is not mounted read-only");
            }
            throw DiskErrors.map(e, "creating " + layout.marker());
        }
    }

    private static void checkOrWriteMarker(int fd, FanOutLayout layout) throws ErrnoException {
        byte[] expected = FanOutLayout.MARKER_TEXT.getBytes(StandardCharsets.US_ASCII);
        String found;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(MARKER_READ_BYTES);
            long n = Libc.preadFully(fd, buf, 0);
            found = new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
            if (found.equals(FanOutLayout.MARKER_TEXT)) {
                return;
            }
            // Empty (new root) or a prefix (a crash during the first start): write it whole.
            if (FanOutLayout.MARKER_TEXT.startsWith(found)) {
                MemorySegment text = arena.allocate(expected.length);
                MemorySegment.copy(expected, 0, text, ValueLayout.JAVA_BYTE, 0, expected.length);
                Libc.ftruncate(fd, 0);
                Libc.pwriteFully(fd, text, 0);
                Libc.fdatasync(fd);
                return;
            }
        }
        String firstLine = found.lines().findFirst().orElse("").strip();
        throw new IllegalArgumentException("fast-tier data directory " + layout.root() + " holds a " + layout.marker()
                + " that this Strata does not read (\"" + firstLine.substring(0, Math.min(120, firstLine.length()))
                + "\"); this version reads layout " + FanOutLayout.LAYOUT_VERSION + ". Use the Strata version that "
                + "wrote it, or an empty directory");
    }

    private static void createDirectories(FanOutLayout layout) throws ErrnoException {
        for (int i = 0; i < FanOutLayout.DIRECTORIES; i++) {
            try {
                Libc.mkdir(layout.directory(i), 0700);
            } catch (ErrnoException e) {
                if (e.errno() != Errnos.EEXIST) {
                    throw e;
                }
            }
        }
    }
}
