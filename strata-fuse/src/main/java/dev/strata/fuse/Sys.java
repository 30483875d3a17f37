package dev.strata.fuse;

import dev.strata.nativeio.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * The system calls the FUSE transport needs beyond {@link Libc}: device I/O that must not throw on
 * the hot path (EAGAIN after every wake-up is normal), ioctl, epoll, eventfd, mount and
 * umount2, and the socket calls that receive a descriptor from fusermount3.
 *
 * <p>Every method returns the call's result, or {@code -errno} when it failed, so the worker loop
 * can branch on ENOENT/EINTR/ENODEV without constructing exceptions. EINTR is retried here where
 * the call is restartable.
 */
final class Sys {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENOENT = 2;
    static final int ENODEV = 19;
    static final int EBUSY = 16;
    static final int EINVAL = 22;
    static final int ENOTCONN = 107;
    static final int ECONNABORTED = 103;

    static final int O_NONBLOCK = 04000;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int F_SETFD = 2;
    static final int FD_CLOEXEC = 1;
    static final int EFD_CLOEXEC = 02000000;
    static final int EPOLL_CLOEXEC = 02000000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLLIN = 0x001;
    static final int EPOLLEXCLUSIVE = 1 << 28;
    /** struct epoll_event is packed on x86-64: uint32 events, uint64 data. */
    static final long EPOLL_EVENT_BYTES = 12;
    static final long MS_NOSUID = 2;
    static final long MS_NODEV = 4;
    static final int MNT_DETACH = 2;
    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    /** The received descriptor gets FD_CLOEXEC atomically. */
    static final int MSG_CMSG_CLOEXEC = 0x40000000;

    private static final MethodHandle READ = Libc.bind("read", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    private static final MethodHandle WRITEV = Libc.bind("writev", FunctionDescriptor.of(LONG, INT, PTR, INT));
    private static final MethodHandle EVENTFD = Libc.bind("eventfd", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle EPOLL_CREATE1 = Libc.bind("epoll_create1", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle EPOLL_CTL = Libc.bind("epoll_ctl", FunctionDescriptor.of(INT, INT, INT, INT, PTR));
    private static final MethodHandle EPOLL_WAIT = Libc.bind("epoll_wait", FunctionDescriptor.of(INT, INT, PTR, INT, INT));
    private static final MethodHandle IOCTL = Libc.bind("ioctl", FunctionDescriptor.of(INT, INT, LONG, PTR),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL = Libc.bind("fcntl", FunctionDescriptor.of(INT, INT, INT, INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MOUNT = Libc.bind("mount", FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, PTR));
    private static final MethodHandle UMOUNT2 = Libc.bind("umount2", FunctionDescriptor.of(INT, PTR, INT));
    private static final MethodHandle SOCKETPAIR = Libc.bind("socketpair", FunctionDescriptor.of(INT, INT, INT, INT, PTR));
    private static final MethodHandle RECVMSG = Libc.bind("recvmsg", FunctionDescriptor.of(LONG, INT, PTR, INT));
    private static final MethodHandle STATFS = Libc.bind("statfs", FunctionDescriptor.of(INT, PTR, PTR));
    /** struct statfs is 120 bytes on 64-bit Linux; the result is not read, only the errno. */
    private static final long STATFS_BYTES = 256;
    private static final MethodHandle GETEUID = Libc.bind("geteuid", FunctionDescriptor.of(INT));
    private static final MethodHandle GETEGID = Libc.bind("getegid", FunctionDescriptor.of(INT));

    private Sys() {}

    /** read(2) once; EINTR is returned (not retried) so the caller can check for shutdown. */
    static long read(int fd, MemorySegment buf, long count) {
        MemorySegment cap = Libc.captureSegment();
        try {
            long r = (long) READ.invokeExact(cap, fd, buf, count);
            return r >= 0 ? r : -Libc.errno(cap);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** writev(2) once over {@code count} iovecs at {@code iov}; retries EINTR. */
    static long writev(int fd, MemorySegment iov, int count) {
        MemorySegment cap = Libc.captureSegment();
        try {
            while (true) {
                long r = (long) WRITEV.invokeExact(cap, fd, iov, count);
                if (r >= 0) {
                    return r;
                }
                int e = Libc.errno(cap);
                if (e != EINTR) {
                    return -e;
                }
            }
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }


    static int epollCreate() {
        MemorySegment cap = Libc.captureSegment();
        try {
            int r = (int) EPOLL_CREATE1.invokeExact(cap, EPOLL_CLOEXEC);
            return r >= 0 ? r : -Libc.errno(cap);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** epoll_ctl(ADD) of {@code fd} for {@code events}; {@code event} is a scratch struct epoll_event. */
    static int epollAdd(int epfd, int fd, int events, MemorySegment event) {
        event.set(ValueLayout.JAVA_INT_UNALIGNED, 0, events);
        event.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, fd);
        MemorySegment cap = Libc.captureSegment();
        try {
            int r = (int) EPOLL_CTL.invokeExact(cap, epfd, EPOLL_CTL_ADD, fd, event);
            return r >= 0 ? r : -Libc.errno(cap);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** epoll_wait(2) for at most {@code max} events; EINTR is returned as -EINTR. */
    static int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis) {
        MemorySegment cap = Libc.captureSegment();
        try {
            int r = (int) EPOLL_WAIT.invokeExact(cap, epfd, events, max, timeoutMillis);
            return r >= 0 ? r : -Libc.errno(cap);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    static int eventfd(int flags) {
        MemorySegment cap = Libc.captureSegment();
        try {
            int r = (int) EVENTFD.invokeExact(cap, 0, flags);
            return r >= 0 ? r : -Libc.errno(cap);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    static int ioctl(int fd, long request, MemorySegment arg) {
        MemorySegment cap = Libc.captureSegment();
        try {
            while (true) {
                int r = (int) IOCTL.invokeExact(cap, fd, request, arg);
                if (r >= 0) {
                    return r;
                }
                int e = Libc.errno(cap);
                if (e != EINTR) {
                    return -e;
                }
            }
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    static int fcntl(int fd, int cmd, int arg) {
        MemorySegment cap = Libc.captureSegment();
        try {
            int r = (int) FCNTL.invokeExact(cap, fd, cmd, arg);
            return r >= 0 ? r : -Libc.errno(cap);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    static int mount(String source, String target, String type, long flags, String data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cap = Libc.captureSegment();
            int r = (int) MOUNT.invokeExact(cap, c(arena, source), c(arena, target), c(arena, type), flags,
                    c(arena, data));
            return r >= 0 ? r : -Libc.errno(cap);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    static int umount2(String target, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cap = Libc.captureSegment();
            int r = (int) UMOUNT2.invokeExact(cap, c(arena, target), flags);
            return r >= 0 ? r : -Libc.errno(cap);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** socketpair(AF_UNIX, SOCK_STREAM) without CLOEXEC (one end goes to a child); returns both fds. */
    static int[] socketpair() throws java.io.IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sv = arena.allocate(8, 4);
            MemorySegment cap = Libc.captureSegment();
            int r = (int) SOCKETPAIR.invokeExact(cap, AF_UNIX, SOCK_STREAM, 0, sv);
            if (r < 0) {
                throw new dev.strata.nativeio.ErrnoException("socketpair", Libc.errno(cap), null);
            }
            return new int[] {sv.get(INT, 0), sv.get(INT, 4)};
        } catch (java.io.IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * Receives one descriptor sent with SCM_RIGHTS on a stream socket (as fusermount3 sends the
     * /dev/fuse descriptor). Returns the descriptor, or -1 when the peer closed without sending one,
     * or {@code -errno}-1 on failure.
     */
    static int receiveFd(int socket) {
        try (Arena arena = Arena.ofConfined()) {
            // struct msghdr (LP64): name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48.
            MemorySegment data = arena.allocate(16);
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(PTR, 0, data);
            iov.set(LONG, 8, data.byteSize());
            // CMSG_SPACE(sizeof(int)) = 24: cmsg_len 0, cmsg_level 8, cmsg_type 12, data 16.
            MemorySegment control = arena.allocate(24, 8);
            MemorySegment msg = arena.allocate(56, 8);
            msg.set(PTR, 16, iov);
            msg.set(LONG, 24, 1L);
            msg.set(PTR, 32, control);
            msg.set(LONG, 40, control.byteSize());
            MemorySegment cap = Libc.captureSegment();
            while (true) {
                long r = (long) RECVMSG.invokeExact(cap, socket, msg, MSG_CMSG_CLOEXEC);
                if (r < 0) {
                    int e = Libc.errno(cap);
                    if (e == EINTR) {
                        continue;
                    }
                    return -e - 1;
                }
                if (r == 0) {
                    return -1;
                }
                long controlLen = msg.get(LONG, 40);
                if (controlLen >= 20 && control.get(INT, 8) == SOL_SOCKET && control.get(INT, 12) == SCM_RIGHTS) {
                    return control.get(INT, 16);
                }
                // A data byte without a descriptor: keep reading until the peer sends one or closes.
            }
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** statfs(2) of a path: 0 or -errno. */
    static int statfs(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cap = Libc.captureSegment();
            int r = (int) STATFS.invokeExact(cap, c(arena, path), arena.allocate(STATFS_BYTES, 8));
            return r >= 0 ? r : -Libc.errno(cap);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    static int geteuid() {
        try {
            return (int) GETEUID.invokeExact(Libc.captureSegment());
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    static int getegid() {
        try {
            return (int) GETEGID.invokeExact(Libc.captureSegment());
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static MemorySegment c(Arena arena, String s) {
        return Libc.cString(arena, s.getBytes(StandardCharsets.UTF_8));
    }
}
