package dev.strata.tier.local;

import dev.strata.core.FsException;
import dev.strata.core.data.DataStore;
import dev.strata.core.data.LocalFile;
import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Errnos;
import dev.strata.nativeio.Libc;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The fast tier's data on a local disk: one sparse file per inode under a data root, laid out as
 * {@link FanOutLayout} describes ({@code <root>/<ino & 0xff>/<ino as 16 hex digits>}), reached
 * through system calls on raw descriptors so FUSE passthrough can hand them to the kernel.
 *
 * <h2>What it promises beyond the port</h2>
 * <ul>
 *   <li>{@link #open(Path)} refuses a missing or read-only root, a root of another layout version,
 *       and a root already held by another store (an exclusive flock on {@code <root>/LAYOUT} that
 *       dies with the process).</li>
 *   <li>{@link #syncNamespace()} fsyncs exactly the fan-out directories that gained or lost a file
 *       since the last call; the root itself is fsynced once, when the store opens.</li>
 *   <li>{@link #clock()} stamps times from this file system's clock, through a scratch file
 *       {@code <root>/CLOCK}.</li>
 *   <li>Errors are mapped once, in {@link DiskErrors}; every message names the inode and its file.</li>
 *   <li>{@link #delete} with a handle of that inode open is an {@link IllegalStateException}.</li>
 *   <li>Closing the store releases the root's lock. Handles still open keep their descriptors and
 *       stay usable until closed themselves: the engine owns them.</li>
 * </ul>
 * It keeps no cache and no state on disk besides the files, so a crash leaves nothing to repair.
 *
 * <h2>Concurrency</h2>
 * Thread-safe without locks: the handle table is a ConcurrentHashMap, the dirty directories a
 * bitmap of atomics, each descriptor reference-counted by an {@link FdGuard}. The bound on open
 * handles is the process's descriptor limit (EMFILE); {@link #openHandleCount()} is the gauge.
 */
public final class LocalDiskDataStore implements DataStore {
    /** A create or delete racing an open (which the engine should not allow) gets this many tries. */
    static final int OPEN_ATTEMPTS = 3;
    /** Only Strata reads the data files; users see them through the mount. */
    static final int FILE_MODE = 0600;

    private final FanOutLayout layout;
    /** The LAYOUT file, flock'ed while the store is open; also the descriptor for fstatvfs. */
    private final FdGuard rootLock;
    private final DirtyDirectories dirtyDirectories = new DirtyDirectories();
    private final ConcurrentHashMap<Long, Integer> openHandles = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private final FileSystemClock clock;

    private LocalDiskDataStore(FanOutLayout layout, int lockFd, int clockFd) {
        this.layout = layout;
        this.rootLock = new FdGuard(lockFd);
        this.clock = new FileSystemClock(this, clockFd);
    }

    /**
     * Opens the data store in {@code root}, which must exist and be writable; prepares an empty one.
     *
     * @throws IllegalArgumentException when the root is missing, not a directory, not writable, or
     *     of another layout (the message says what to do)
     * @throws IllegalStateException when another store holds the root
     * @throws FsException when the disk fails while preparing the root
     */
    public static LocalDiskDataStore open(Path root) throws FsException {
        FanOutLayout layout = new FanOutLayout(root.toAbsolutePath().normalize());
        int lockFd = DataRoot.prepare(layout);
        int clockFd;
        try {
            clockFd = FileSystemClock.openScratch(layout.root());
        } catch (ErrnoException e) {
            Libc.close(lockFd);
            throw DiskErrors.map(e, "creating " + layout.root().resolve(FileSystemClock.FILE_NAME));
        }
        return new LocalDiskDataStore(layout, lockFd, clockFd);
    }

    /**
     * The clock the engine should stamp files with: the kernel's time as this file system gives it
     * to the data files, so that times of data written through passthrough and of every other
     * change are in one order (see {@link FileSystemClock}). Valid until {@link #close}.
     */
    public dev.strata.core.Clock clock() {
        return clock;
    }

    @Override
    public LocalFile open(long ino) throws FsException {
        checkOpen();
        if (ino == 0) {
            throw new IllegalArgumentException("inode 0 does not exist");
        }
        Path path = layout.fileOf(ino);
        // Counted before the descriptor exists, so a racing delete sees the open and refuses.
        openHandles.merge(ino, 1, Integer::sum);
        try {
            return new DiskFile(this, ino, path, openOrCreate(ino, path));
        } catch (FsException | RuntimeException e) {
            handleClosed(ino);
            throw e;
        }
    }

    @Override
    public java.util.Optional<dev.strata.core.data.LocalFile.Stat> stat(long ino) throws FsException {
        checkOpen();
        Path path = layout.fileOf(ino);
        try {
            Libc.Statx st = Libc.stat(path, true);
            return java.util.Optional.of(new dev.strata.core.data.LocalFile.Stat(st.size(), st.blocks() * 512,
                    new dev.strata.core.Timespec(st.mtimeSec(), st.mtimeNsec())));
        } catch (ErrnoException e) {
            if (e.errno() == Errnos.ENOENT) {
                return java.util.Optional.empty();
            }
            throw DiskErrors.map(e, "statx of inode " + ino + " (" + path + ")");
        }
    }

    @Override
    public boolean exists(long ino) throws FsException {
        checkOpen();
        Path path = layout.fileOf(ino);
        try {
            Libc.stat(path, true);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == Errnos.ENOENT) {
                return false;
            }
            throw DiskErrors.map(e, "statx of inode " + ino + " (" + path + ")");
        }
    }

    @Override
    public void delete(long ino) throws FsException {
        checkOpen();
        Integer open = openHandles.get(ino);
        if (open != null) {
            throw new IllegalStateException("delete of inode " + ino + " while " + open + " handle(s) are open");
        }
        Path path = layout.fileOf(ino);
        try {
            Libc.unlink(path);
            dirtyDirectories.mark(FanOutLayout.directoryOf(ino));
        } catch (ErrnoException e) {
            if (e.errno() != Errnos.ENOENT) {
                throw DiskErrors.map(e, "unlink of inode " + ino + " (" + path + ")");
            }
        }
    }

    @Override
    public Space space() throws FsException {
        int fd = rootLock.acquire(this);
        try {
            Libc.StatVfs v = Libc.fstatvfs(fd);
            long unit = v.fragmentSize();
            return new Space(v.blocks() * unit, v.freeBlocks() * unit, v.availableBlocks() * unit);
        } catch (ErrnoException e) {
            throw DiskErrors.map(e, "fstatvfs of " + layout.root());
        } finally {
            rootLock.release();
        }
    }

    @Override
    public void syncNamespace() throws FsException {
        checkOpen();
        int[] directories = dirtyDirectories.drain();
        for (int i = 0; i < directories.length; i++) {
            Path dir = layout.directory(directories[i]);
            try {
                DataRoot.fsyncDirectory(dir);
            } catch (ErrnoException e) {
                // Those not made durable stay owed to the next call.
                for (int j = i; j < directories.length; j++) {
                    dirtyDirectories.mark(directories[j]);
                }
                throw DiskErrors.map(e, "fsync of directory " + dir + " (makes creations and deletions of data files durable)");
            }
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            clock.close();
            rootLock.close();
        }
    }

    /** Handles open now, for the metrics. */
    public int openHandleCount() {
        return openHandles.values().stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public String toString() {
        return "LocalDiskDataStore[" + layout.root() + "]";
    }

    /** The file of {@code ino}, for tests and tools. */
    Path pathOf(long ino) {
        return layout.fileOf(ino);
    }

    /** Fan-out directories whose changes the next {@link #syncNamespace} makes durable. */
    int directoriesToSync() {
        return dirtyDirectories.count();
    }

    void handleClosed(long ino) {
        openHandles.computeIfPresent(ino, (k, n) -> n == 1 ? null : n - 1);
    }

    /**
     * Opens the file, creating it if absent. Create is a separate O_EXCL step so we know that this
     * call added a directory entry, which {@link #syncNamespace} then owes a directory fsync.
     */
    private int openOrCreate(long ino, Path path) throws FsException {
        int flags = Libc.O_RDWR | Libc.O_CLOEXEC | Libc.O_NOFOLLOW;
        ErrnoException last = null;
        for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
            try {
                return Libc.open(path, flags, 0);
            } catch (ErrnoException e) {
                if (e.errno() != Errnos.ENOENT) {
                    throw DiskErrors.map(e, "open of inode " + ino + " (" + path + ")");
                }
            }
            try {
                int fd = Libc.open(path, flags | Libc.O_CREAT | Libc.O_EXCL, FILE_MODE);
                dirtyDirectories.mark(FanOutLayout.directoryOf(ino));
                return fd;
            } catch (ErrnoException e) {
                if (e.errno() != Errnos.EEXIST) {
                    throw DiskErrors.map(e, "create of inode " + ino + " (" + path + ")");
                }
                last = e;
            }
        }
        throw DiskErrors.map(last, "open of inode " + ino + " (" + path + "): created and deleted concurrently "
                + OPEN_ATTEMPTS + " times");
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException(this + " used after close");
        }
    }
}
