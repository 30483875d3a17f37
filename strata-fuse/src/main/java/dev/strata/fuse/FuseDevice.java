package dev.strata.fuse;

import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One connection's /dev/fuse descriptor, shared by all workers.
 *
 * <p>The descriptor is non-blocking and each worker waits in its own epoll instance on it together
 * with an eventfd, so {@link #requestStop()} can wake them even while the file system stays mounted
 * (a lazy unmount with files still open): closing a descriptor does not wake a thread blocked in
 * read(2) on it. The device is registered with EPOLLEXCLUSIVE, so one queued request wakes one idle
 * worker, not all of them: with poll(2) every idle worker woke, all but one found the queue empty
 * (EAGAIN), and on two cores that herd cost more than serving a GETATTR. The eventfd is registered
 * without it, so a stop wakes everyone. When requests arrive faster than they are served, workers go
 * straight from one read(2) to the next and never wait.
 *
 * <p>We do not clone the descriptor per worker (FUSE_DEV_IOC_CLONE): clones share the connection's
 * single input queue, so they would not spread requests better; they only split the
 * processing-list lock, which two cores do not contend for.
 *
 * <p>Thread-safety: reads, replies and ioctls may run on any thread; {@link #close()} takes the
 * write lock so no call can use a descriptor number after it was closed (and possibly reused).
 */
final class FuseDevice implements AutoCloseable {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final int WAIT_FOREVER = -1;
    private static final long IOVEC_BYTES = 16;

    private final int fd;
    private final int wakeFd;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean stopRequested;
    private boolean closed;

    FuseDevice(int fd) throws IOException {
        int fl = Sys.fcntl(fd, Sys.F_GETFL, 0);
        if (fl < 0 || Sys.fcntl(fd, Sys.F_SETFL, fl | Sys.O_NONBLOCK) < 0) {
            throw new dev.strata.nativeio.ErrnoException("fcntl", fl < 0 ? -fl : Sys.EINVAL, "O_NONBLOCK on /dev/fuse");
        }
        int efd = Sys.eventfd(Sys.EFD_CLOEXEC);
        if (efd < 0) {
            throw new dev.strata.nativeio.ErrnoException("eventfd", -efd, null);
        }
        this.fd = fd;
        this.wakeFd = efd;
    }

    int fd() {
        return fd;
    }

    /** read(2) of one request into {@code buffer}: its length, or -errno (EAGAIN when none is queued). */
    long read(MemorySegment buffer) {
        return Sys.read(fd, buffer, buffer.byteSize());
    }

    /** One worker's wait: its own epoll instance watching the device (exclusively) and the eventfd. */
    final class Waiter implements AutoCloseable {
        private final int epfd;
        private final MemorySegment events;

        private Waiter(int epfd, MemorySegment events) {
            this.epfd = epfd;
            this.events = events;
        }

        /**
         * Waits until a request may be queued or a stop was requested.
         *
         * @return false if the caller should stop
         */
        boolean awaitReadable() {
            if (stopRequested) {
                return false;
            }
            // The result does not matter: on EPOLLERR (connection gone) the next read returns ENODEV,
            // which ends the worker; on EINTR the worker simply reads again.
            Sys.epollWait(epfd, events, 2, WAIT_FOREVER);
            return !stopRequested;
        }

        @Override
        public void close() {
            Libc.close(epfd);
        }
    }

    /** A waiter for one worker; its memory comes from the worker's arena. */
    Waiter waiter(Arena arena) throws IOException {
        int epfd = Sys.epollCreate();
        if (epfd < 0) {
            throw new dev.strata.nativeio.ErrnoException("epoll_create1", -epfd, null);
        }
        MemorySegment events = arena.allocate(2 * Sys.EPOLL_EVENT_BYTES, 8);
        int r = Sys.epollAdd(epfd, fd, Sys.EPOLLIN | Sys.EPOLLEXCLUSIVE, events);
        if (r == 0) {
            r = Sys.epollAdd(epfd, wakeFd, Sys.EPOLLIN, events);
        }
        if (r < 0) {
            Libc.close(epfd);
            throw new dev.strata.nativeio.ErrnoException("epoll_ctl", -r, "/dev/fuse");
        }
        return new Waiter(epfd, events);
    }

    /** Wakes every worker waiting in {@link #awaitReadable}; they then exit. */
    void requestStop() {
        stopRequested = true;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(8);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            lock.readLock().lock();
            try {
                if (!closed) {
                    // The eventfd stays readable (nobody reads it), so every poll sees it, now and later.
                    Libc.write(wakeFd, one, 8);
                }
            } finally {
                lock.readLock().unlock();
            }
        } catch (IOException e) {
            throw new IllegalStateException("eventfd write failed", e);
        }
    }

    boolean stopRequested() {
        return stopRequested;
    }

    /** A sink for one worker's replies: one writev(2) per reply through that worker's iovec. */
    ReplySink sink(Arena arena) {
        MemorySegment iov = arena.allocate(IOVEC_BYTES, 8);
        return message -> {
            iov.set(ValueLayout.ADDRESS, 0, message);
            iov.set(ValueLayout.JAVA_LONG, 8, message.byteSize());
            long r = Sys.writev(fd, iov, 1);
            return r < 0 ? (int) r : 0;
        };
    }

    /** Writes an unsolicited message (a notification); returns 0 or -errno. */
    int writeUnsolicited(MemorySegment message) {
        lock.readLock().lock();
        try {
            if (closed) {
                return -Sys.ENODEV;
            }
            try (Arena arena = Arena.ofConfined()) {
                return sink(arena).send(message);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** FUSE_DEV_IOC_BACKING_OPEN: returns a backing id or -errno. */
    int backingOpen(int backingFd) {
        try (Arena arena = Arena.ofConfined()) {
            // struct fuse_backing_map { int32 fd; uint32 flags; uint64 padding; } - flags and padding must be 0.
            MemorySegment map = arena.allocate(Proto.BACKING_MAP, 8);
            map.set(INT, 0, backingFd);
            return ioctl(Proto.DEV_IOC_BACKING_OPEN, map);
        }
    }

    /** FUSE_DEV_IOC_BACKING_CLOSE: returns 0 or -errno. */
    int backingClose(int backingId) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment id = arena.allocate(INT);
            id.set(INT, 0, backingId);
            return ioctl(Proto.DEV_IOC_BACKING_CLOSE, id);
        }
    }

    private int ioctl(long request, MemorySegment arg) {
        lock.readLock().lock();
        try {
            return closed ? -Sys.ENODEV : Sys.ioctl(fd, request, arg);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Closes the descriptors. If this was the connection's last device descriptor the kernel aborts
     * the connection: processes still using a lazily detached mount get ENOTCONN instead of hanging.
     */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                Libc.close(wakeFd);
                Libc.close(fd);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
