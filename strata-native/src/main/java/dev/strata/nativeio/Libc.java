package dev.strata.nativeio;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The Linux system calls Strata uses, called through the FFM API (glibc's wrappers).
 *
 * <p>Why not {@code java.nio}: FileChannel has no fallocate, hole punching, SEEK_DATA/SEEK_HOLE,
 * copy_file_range or raw descriptors, and FUSE passthrough needs the raw descriptor of the backing
 * file. Every call here retries on EINTR where the call is restartable and otherwise throws
 * {@link ErrnoException} with the errno it set.
 *
 * <p>Only Linux on x86-64 and aarch64 is supported; flag values that differ between the two are
 * chosen by {@code os.arch}.
 */
public final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final AddressLayout PTR = ValueLayout.ADDRESS;

    private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_ACCMODE = 3;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = AARCH64 ? 040000 : 0200000;
    public static final int O_NOFOLLOW = AARCH64 ? 0100000 : 0400000;
    public static final int O_DIRECT = AARCH64 ? 0200000 : 040000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_PATH = 010000000;

    public static final int SEEK_SET = 0;
    public static final int SEEK_CUR = 1;
    public static final int SEEK_END = 2;
    public static final int SEEK_DATA = 3;
    public static final int SEEK_HOLE = 4;

    public static final int AT_FDCWD = -100;
    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int STATX_BASIC_STATS = 0x7ff;

    /** Per-thread scratch space for the captured errno, so a call allocates nothing. */
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private static final MethodHandle OPEN = handle("open", FunctionDescriptor.of(INT, PTR, INT, INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle READ = handle("read", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    private static final MethodHandle WRITE = handle("write", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    private static final MethodHandle WRITEV = handle("writev", FunctionDescriptor.of(LONG, INT, PTR, INT));
    private static final MethodHandle PREAD = handle("pread64", FunctionDescriptor.of(LONG, INT, PTR, LONG, LONG));
    private static final MethodHandle PWRITE = handle("pwrite64", FunctionDescriptor.of(LONG, INT, PTR, LONG, LONG));
    private static final MethodHandle FTRUNCATE = handle("ftruncate64", FunctionDescriptor.of(INT, INT, LONG));
    private static final MethodHandle FALLOCATE = handle("fallocate64", FunctionDescriptor.of(INT, INT, INT, LONG, LONG));
    private static final MethodHandle FSYNC = handle("fsync", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle FDATASYNC = handle("fdatasync", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle LSEEK = handle("lseek64", FunctionDescriptor.of(LONG, INT, LONG, INT));
    private static final MethodHandle COPY_FILE_RANGE =
            handle("copy_file_range", FunctionDescriptor.of(LONG, INT, PTR, INT, PTR, LONG, INT));
    private static final MethodHandle STATX = handle("statx", FunctionDescriptor.of(INT, INT, PTR, INT, INT, PTR));
    private static final MethodHandle FSTATVFS = handle("fstatvfs64", FunctionDescriptor.of(INT, INT, PTR));
    private static final MethodHandle UNLINK = handle("unlink", FunctionDescriptor.of(INT, PTR));
    private static final MethodHandle MKDIR = handle("mkdir", FunctionDescriptor.of(INT, PTR, INT));
    private static final MethodHandle FUTIMENS = handle("futimens", FunctionDescriptor.of(INT, INT, PTR));
    private static final MethodHandle GETUID = handle("getuid", FunctionDescriptor.of(INT));
    private static final MethodHandle GETGID = handle("getgid", FunctionDescriptor.of(INT));
    private static final MethodHandle GETPID = handle("getpid", FunctionDescriptor.of(INT));
    private static final MethodHandle UMASK = handle("umask", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle GETXATTR = handle("getxattr", FunctionDescriptor.of(LONG, PTR, PTR, PTR, LONG));
    private static final MethodHandle LGETXATTR = handle("lgetxattr", FunctionDescriptor.of(LONG, PTR, PTR, PTR, LONG));
    private static final MethodHandle SETXATTR = handle("setxattr", FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, INT));
    private static final MethodHandle LSETXATTR = handle("lsetxattr", FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, INT));
    private static final MethodHandle REMOVEXATTR = handle("removexattr", FunctionDescriptor.of(INT, PTR, PTR));
    private static final MethodHandle LREMOVEXATTR = handle("lremovexattr", FunctionDescriptor.of(INT, PTR, PTR));

    /** setxattr flags: fail with EEXIST if the attribute exists / with ENODATA if it does not. */
    public static final int XATTR_CREATE = 1;
    public static final int XATTR_REPLACE = 2;
    /** Linux's bound on one attribute value (XATTR_SIZE_MAX). */
    public static final int XATTR_SIZE_MAX = 65536;
    /**
     * How often {@link #getxattr} re-probes when the value grew between its size probe and its
     * read (ERANGE); a value that keeps growing past this is reported as ERANGE.
     */
    static final int GETXATTR_ATTEMPTS = 8;

    private Libc() {}

    private static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... extra) {
        MemorySegment symbol = LOOKUP.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        Linker.Option[] opts = new Linker.Option[extra.length + 1];
        opts[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, opts, 1, extra.length);
        return LINKER.downcallHandle(symbol, fd, opts);
    }

    /**
     * A handle for a libc function that other modules (the FUSE transport) bind themselves; errno is
     * captured into the segment passed as the first argument, read with {@link #errno(MemorySegment)}.
     */
    public static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... extra) {
        return handle(name, fd, extra);
    }

    /** The per-thread errno capture segment to pass as first argument to handles made by {@link #bind}. */
    public static MemorySegment captureSegment() {
        return CAPTURE.get();
    }

    public static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /** A NUL-terminated C string of a path, allocated in {@code arena}. */
    public static MemorySegment cString(Arena arena, Path path) {
        return cString(arena, path.toString().getBytes(StandardCharsets.UTF_8));
    }

    public static MemorySegment cString(Arena arena, byte[] bytes) {
        MemorySegment s = arena.allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
        s.set(ValueLayout.JAVA_BYTE, bytes.length, (byte) 0);
        return s;
    }

    // ---- file descriptors ----

    public static int open(Path path, int flags, int mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = cString(arena, path);
            MemorySegment cap = CAPTURE.get();
            while (true) {
                int fd = (int) OPEN.invokeExact(cap, p, flags, mode);
                if (fd >= 0) {
                    return fd;
                }
                int e = errno(cap);
                if (e != Errnos.EINTR) {
                    throw new ErrnoException("open", e, path.toString());
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Closes; errors other than EBADF are ignored, as Linux always releases the descriptor. */
    public static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int r = (int) CLOSE.invokeExact(CAPTURE.get(), fd);
            if (r < 0 && errno(CAPTURE.get()) == Errnos.EBADF) {
                throw new IllegalStateException("close of a descriptor that is not open: " + fd);
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** read(2) once; returns 0 at end of file. Retries EINTR. */
    public static long read(int fd, MemorySegment buf, long count) throws ErrnoException {
        MemorySegment cap = CAPTURE.get();
        try {
            while (true) {
                long r = (long) READ.invokeExact(cap, fd, buf, count);
                if (r >= 0) {
                    return r;
                }
                int e = errno(cap);
                if (e != Errnos.EINTR) {
                    throw new ErrnoException("read", e, null);
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** write(2) once; returns bytes written. Retries EINTR. */
    public static long write(int fd, MemorySegment buf, long count) throws ErrnoException {
        MemorySegment cap = CAPTURE.get();
        try {
            while (true) {
                long r = (long) WRITE.invokeExact(cap, fd, buf, count);
                if (r >= 0) {
                    return r;
                }
                int e = errno(cap);
                if (e != Errnos.EINTR) {
                    throw new ErrnoException("write", e, null);
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** writev(2) once over {@code iovcnt} struct iovec entries at {@code iov}. Retries EINTR. */
    public static long writev(int fd, MemorySegment iov, int iovcnt) throws ErrnoException {
        MemorySegment cap = CAPTURE.get();
        try {
            while (true) {
                long r = (long) WRITEV.invokeExact(cap, fd, iov, iovcnt);
                if (r >= 0) {
                    return r;
                }
                int e = errno(cap);
                if (e != Errnos.EINTR) {
                    throw new ErrnoException("writev", e, null);
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Reads until {@code dst} is full or end of file; returns the bytes read. */
    public static long preadFully(int fd, MemorySegment dst, long offset) throws ErrnoException {
        MemorySegment cap = CAPTURE.get();
        long done = 0;
        long want = dst.byteSize();
        try {
            while (done < want) {
                long r = (long) PREAD.invokeExact(cap, fd, dst.asSlice(done), want - done, offset + done);
                if (r > 0) {
                    done += r;
                } else if (r == 0) {
                    break;
                } else {
                    int e = errno(cap);
                    if (e != Errnos.EINTR) {
                        throw new ErrnoException("pread", e, null);
                    }
                }
            }
            return done;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Writes all of {@code src} at {@code offset}. */
    public static void pwriteFully(int fd, MemorySegment src, long offset) throws ErrnoException {
        MemorySegment cap = CAPTURE.get();
        long done = 0;
        long want = src.byteSize();
        try {
            while (done < want) {
                long r = (long) PWRITE.invokeExact(cap, fd, src.asSlice(done), want - done, offset + done);
                if (r >= 0) {
                    done += r;
                } else {
                    int e = errno(cap);
                    if (e != Errnos.EINTR) {
                        throw new ErrnoException("pwrite", e, null);
                    }
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void ftruncate(int fd, long length) throws ErrnoException {
        intCall(FTRUNCATE, "ftruncate", fd, length);
    }

    public static void fallocate(int fd, int mode, long offset, long length) throws ErrnoException {
        MemorySegment cap = CAPTURE.get();
        try {
            while (true) {
                int r = (int) FALLOCATE.invokeExact(cap, fd, mode, offset, length);
                if (r == 0) {
                    return;
                }
                int e = errno(cap);
                if (e != Errnos.EINTR) {
                    throw new ErrnoException("fallocate", e, null);
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void fsync(int fd) throws ErrnoException {
        intCall(FSYNC, "fsync", fd);
    }

    public static void fdatasync(int fd) throws ErrnoException {
        intCall(FDATASYNC, "fdatasync", fd);
    }

    public static long lseek(int fd, long offset, int whence) throws ErrnoException {
        MemorySegment cap = CAPTURE.get();
        try {
            long r = (long) LSEEK.invokeExact(cap, fd, offset, whence);
            if (r < 0) {
                throw new ErrnoException("lseek", errno(cap), null);
            }
            return r;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * copy_file_range(2) with explicit offsets; returns the bytes copied (may be fewer than asked,
     * 0 at end of the source).
     */
    public static long copyFileRange(int fdIn, long offIn, int fdOut, long offOut, long length) throws ErrnoException {
        MemorySegment cap = CAPTURE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(LONG);
            MemorySegment out = arena.allocate(LONG);
            in.set(LONG, 0, offIn);
            out.set(LONG, 0, offOut);
            while (true) {
                long r = (long) COPY_FILE_RANGE.invokeExact(cap, fdIn, in, fdOut, out, length, 0);
                if (r >= 0) {
                    return r;
                }
                int e = errno(cap);
                if (e != Errnos.EINTR) {
                    throw new ErrnoException("copy_file_range", e, null);
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** statx(2) of an open descriptor. */
    public static Statx fstat(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256, 8);
            MemorySegment empty = arena.allocate(1);
            MemorySegment cap = CAPTURE.get();
            int r = (int) STATX.invokeExact(cap, fd, empty, AT_EMPTY_PATH, STATX_BASIC_STATS, buf);
            if (r < 0) {
                throw new ErrnoException("statx", errno(cap), "fd " + fd);
            }
            return Statx.decode(buf);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** statx(2) of a path; follows symlinks unless {@code noFollow}. */
    public static Statx stat(Path path, boolean noFollow) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256, 8);
            MemorySegment p = cString(arena, path);
            MemorySegment cap = CAPTURE.get();
            int flags = noFollow ? 0x100 /* AT_SYMLINK_NOFOLLOW */ : 0;
            int r = (int) STATX.invokeExact(cap, AT_FDCWD, p, flags, STATX_BASIC_STATS, buf);
            if (r < 0) {
                throw new ErrnoException("statx", errno(cap), path.toString());
            }
            return Statx.decode(buf);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fstatvfs(3) of an open descriptor. */
    public static StatVfs fstatvfs(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            // struct statvfs on 64-bit Linux: 11 unsigned longs then int __f_spare[6].
            MemorySegment buf = arena.allocate(112, 8);
            MemorySegment cap = CAPTURE.get();
            int r = (int) FSTATVFS.invokeExact(cap, fd, buf);
            if (r < 0) {
                throw new ErrnoException("fstatvfs", errno(cap), null);
            }
            return new StatVfs(buf.get(LONG, 0), buf.get(LONG, 8), buf.get(LONG, 16), buf.get(LONG, 24),
                    buf.get(LONG, 32), buf.get(LONG, 40), buf.get(LONG, 48), buf.get(LONG, 80));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void unlink(Path path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cap = CAPTURE.get();
            int r = (int) UNLINK.invokeExact(cap, cString(arena, path));
            if (r < 0) {
                throw new ErrnoException("unlink", errno(cap), path.toString());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void mkdir(Path path, int mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cap = CAPTURE.get();
            int r = (int) MKDIR.invokeExact(cap, cString(arena, path), mode);
            if (r < 0) {
                throw new ErrnoException("mkdir", errno(cap), path.toString());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** futimens(2) with explicit times (seconds, nanoseconds) for atime and mtime. */
    public static void futimens(int fd, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec)
            throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ts = arena.allocate(32, 8);
            ts.set(LONG, 0, atimeSec);
            ts.set(LONG, 8, atimeNsec);
            ts.set(LONG, 16, mtimeSec);
            ts.set(LONG, 24, mtimeNsec);
            MemorySegment cap = CAPTURE.get();
            int r = (int) FUTIMENS.invokeExact(cap, fd, ts);
            if (r < 0) {
                throw new ErrnoException("futimens", errno(cap), null);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int getuid() {
        return simpleInt(GETUID);
    }

    public static int getgid() {
        return simpleInt(GETGID);
    }

    public static int getpid() {
        return simpleInt(GETPID);
    }

    /** Sets the process umask and returns the previous one. */
    public static int umask(int mask) {
        try {
            return (int) UMASK.invokeExact(CAPTURE.get(), mask);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- extended attributes ----

    /**
     * getxattr(2), or lgetxattr(2) when {@code noFollow} (the attribute of a symlink itself): the
     * value of attribute {@code name}. Asks for the size first, then reads into a buffer of that
     * size; if the value grew in between (ERANGE) it asks again, at most {@link #GETXATTR_ATTEMPTS}
     * times. Retries EINTR. A missing attribute is ENODATA; a file system without extended
     * attributes answers EOPNOTSUPP.
     */
    public static byte[] getxattr(Path path, String name, boolean noFollow) throws ErrnoException {
        MethodHandle h = noFollow ? LGETXATTR : GETXATTR;
        String call = noFollow ? "lgetxattr" : "getxattr";
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = cString(arena, path);
            MemorySegment n = cString(arena, name.getBytes(StandardCharsets.UTF_8));
            MemorySegment cap = CAPTURE.get();
            for (int attempt = 1; ; attempt++) {
                long size = (long) h.invokeExact(cap, p, n, MemorySegment.NULL, 0L);
                if (size < 0) {
                    int e = errno(cap);
                    if (e == Errnos.EINTR) {
                        continue;
                    }
                    throw new ErrnoException(call, e, path + " " + name);
                }
                if (size == 0) {
                    return new byte[0];
                }
                // One spare byte tells a value that grew to exactly the next size from one that did not.
                MemorySegment buf = arena.allocate(Math.min(size + 1, XATTR_SIZE_MAX));
                long got = (long) h.invokeExact(cap, p, n, buf, buf.byteSize());
                if (got >= 0) {
                    return buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
                }
                int e = errno(cap);
                if (e == Errnos.EINTR || (e == Errnos.ERANGE && attempt < GETXATTR_ATTEMPTS)) {
                    continue;
                }
                throw new ErrnoException(call, e, path + " " + name);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * setxattr(2), or lsetxattr(2) when {@code noFollow}: sets attribute {@code name} to
     * {@code value}. {@code flags} is 0, {@link #XATTR_CREATE} or {@link #XATTR_REPLACE}. Retries EINTR.
     */
    public static void setxattr(Path path, String name, byte[] value, int flags, boolean noFollow)
            throws ErrnoException {
        MethodHandle h = noFollow ? LSETXATTR : SETXATTR;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = cString(arena, path);
            MemorySegment n = cString(arena, name.getBytes(StandardCharsets.UTF_8));
            MemorySegment v = arena.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            MemorySegment cap = CAPTURE.get();
            while (true) {
                int r = (int) h.invokeExact(cap, p, n, v, (long) value.length, flags);
                if (r == 0) {
                    return;
                }
                int e = errno(cap);
                if (e != Errnos.EINTR) {
                    throw new ErrnoException(noFollow ? "lsetxattr" : "setxattr", e, path + " " + name);
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** removexattr(2), or lremovexattr(2) when {@code noFollow}. A missing attribute is ENODATA. Retries EINTR. */
    public static void removexattr(Path path, String name, boolean noFollow) throws ErrnoException {
        MethodHandle h = noFollow ? LREMOVEXATTR : REMOVEXATTR;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = cString(arena, path);
            MemorySegment n = cString(arena, name.getBytes(StandardCharsets.UTF_8));
            MemorySegment cap = CAPTURE.get();
            while (true) {
                int r = (int) h.invokeExact(cap, p, n);
                if (r == 0) {
                    return;
                }
                int e = errno(cap);
                if (e != Errnos.EINTR) {
                    throw new ErrnoException(noFollow ? "lremovexattr" : "removexattr", e, path + " " + name);
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- helpers ----

    private static int simpleInt(MethodHandle h) {
        try {
            return (int) h.invokeExact(CAPTURE.get());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void intCall(MethodHandle h, String name, int fd) throws ErrnoException {
        MemorySegment cap = CAPTURE.get();
        try {
            while (true) {
                int r = (int) h.invokeExact(cap, fd);
                if (r == 0) {
                    return;
                }
                int e = errno(cap);
                if (e != Errnos.EINTR) {
                    throw new ErrnoException(name, e, null);
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void intCall(MethodHandle h, String name, int fd, long arg) throws ErrnoException {
        MemorySegment cap = CAPTURE.get();
        try {
            while (true) {
                int r = (int) h.invokeExact(cap, fd, arg);
                if (r == 0) {
                    return;
                }
                int e = errno(cap);
                if (e != Errnos.EINTR) {
                    throw new ErrnoException(name, e, null);
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A downcall can only fail with an Error or a RuntimeException; anything else is a bug here. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("unexpected checked exception from a downcall", t);
    }

    /** The fields of struct statx that Strata reads. */
    public record Statx(
            int mode,
            int nlink,
            int uid,
            int gid,
            long ino,
            long size,
            long blocks,
            int blockSize,
            long atimeSec,
            int atimeNsec,
            long mtimeSec,
            int mtimeNsec,
            long ctimeSec,
            int ctimeNsec,
            int rdevMajor,
            int rdevMinor,
            int devMajor,
            int devMinor) {

        static Statx decode(MemorySegment b) {
            return new Statx(
                    Short.toUnsignedInt(b.get(ValueLayout.JAVA_SHORT, 28)),
                    b.get(INT, 16), b.get(INT, 20), b.get(INT, 24),
                    b.get(LONG, 32), b.get(LONG, 40), b.get(LONG, 48), b.get(INT, 4),
                    b.get(LONG, 64), b.get(INT, 72),
                    b.get(LONG, 112), b.get(INT, 120),
                    b.get(LONG, 96), b.get(INT, 104),
                    b.get(INT, 128), b.get(INT, 132), b.get(INT, 136), b.get(INT, 140));
        }
    }

    /** The fields of struct statvfs. */
    public record StatVfs(
            long blockSize,
            long fragmentSize,
            long blocks,
            long freeBlocks,
            long availableBlocks,
            long files,
            long freeFiles,
            long maxNameLength) {}
}
