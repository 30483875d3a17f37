package dev.strata.it.diff;

import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The system calls the integration tests make, each returning what the kernel returned: a value
 * {@code >= 0}, or {@code -errno}. Nothing here throws for an errno, because the differential test
 * compares errnos and the crash workload stops on them. Paths are byte strings, so no call goes
 * through a Java abstraction that could add its own checks or retries (EINTR is retried, as libc
 * callers do).
 */
public final class PosixCalls {
    public static final int RENAME_NOREPLACE = 1;
    public static final int RENAME_EXCHANGE = 2;
    public static final int XATTR_CREATE = 1;
    public static final int XATTR_REPLACE = 2;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int EINTR = 4;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    private static final MethodHandle OPEN = Libc.bind("open", FunctionDescriptor.of(INT, PTR, INT, INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = Libc.bind("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle PREAD = Libc.bind("pread64", FunctionDescriptor.of(LONG, INT, PTR, LONG, LONG));
    private static final MethodHandle PWRITE = Libc.bind("pwrite64", FunctionDescriptor.of(LONG, INT, PTR, LONG, LONG));
    private static final MethodHandle READ = Libc.bind("read", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    private static final MethodHandle WRITE = Libc.bind("write", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    private static final MethodHandle LSEEK = Libc.bind("lseek64", FunctionDescriptor.of(LONG, INT, LONG, INT));
    private static final MethodHandle FTRUNCATE = Libc.bind("ftruncate64", FunctionDescriptor.of(INT, INT, LONG));
    private static final MethodHandle TRUNCATE = Libc.bind("truncate64", FunctionDescriptor.of(INT, PTR, LONG));
    private static final MethodHandle FSYNC = Libc.bind("fsync", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle FDATASYNC = Libc.bind("fdatasync", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle FALLOCATE = Libc.bind("fallocate64", FunctionDescriptor.of(INT, INT, INT, LONG, LONG));
    private static final MethodHandle MKDIR = Libc.bind("mkdir", FunctionDescriptor.of(INT, PTR, INT));
    private static final MethodHandle RMDIR = Libc.bind("rmdir", FunctionDescriptor.of(INT, PTR));
    private static final MethodHandle UNLINK = Libc.bind("unlink", FunctionDescriptor.of(INT, PTR));
    private static final MethodHandle RENAMEAT2 = Libc.bind("renameat2",
            FunctionDescriptor.of(INT, INT, PTR, INT, PTR, INT));
    private static final MethodHandle LINK = Libc.bind("link", FunctionDescriptor.of(INT, PTR, PTR));
    private static final MethodHandle SYMLINK = Libc.bind("symlink", FunctionDescriptor.of(INT, PTR, PTR));
    private static final MethodHandle READLINK = Libc.bind("readlink", FunctionDescriptor.of(LONG, PTR, PTR, LONG));
    private static final MethodHandle CHMOD = Libc.bind("chmod", FunctionDescriptor.of(INT, PTR, INT));
    private static final MethodHandle UTIMENSAT = Libc.bind("utimensat", FunctionDescriptor.of(INT, INT, PTR, PTR, INT));
    private static final MethodHandle SETXATTR = Libc.bind("setxattr", FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, INT));
    private static final MethodHandle GETXATTR = Libc.bind("getxattr", FunctionDescriptor.of(LONG, PTR, PTR, PTR, LONG));
    private static final MethodHandle LISTXATTR = Libc.bind("listxattr", FunctionDescriptor.of(LONG, PTR, PTR, LONG));
    private static final MethodHandle REMOVEXATTR = Libc.bind("removexattr", FunctionDescriptor.of(INT, PTR, PTR));
    private static final MethodHandle STATVFS = Libc.bind("statvfs64", FunctionDescriptor.of(INT, PTR, PTR));
    private static final MethodHandle COPY_FILE_RANGE = Libc.bind("copy_file_range",
            FunctionDescriptor.of(LONG, INT, PTR, INT, PTR, LONG, INT));

    /** Largest xattr value or list we read back; the tests use far smaller ones. */
    static final int XATTR_BUFFER_BYTES = 64 * 1024;

    private PosixCalls() {}

    /** A value or an errno, for calls that return data. */
    public record Result<T>(int errno, T value) {
        public boolean ok() {
            return errno == 0;
        }

        @Override
        public String toString() {
            return errno == 0 ? String.valueOf(value) : "-" + errnoName(errno);
        }
    }

    public static int open(Path p, int flags, int mode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment path = Libc.cString(a, p);
            while (true) {
                int r = (int) OPEN.invokeExact(cap(), path, flags, mode);
                if (r >= 0 || errno() != EINTR) {
                    return r >= 0 ? r : -errno();
                }
            }
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static int close(int fd) {
        try {
            int r = (int) CLOSE.invokeExact(cap(), fd);
            return r == 0 ? 0 : -errno();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** One pwrite of all of {@code data} (retried while short); the bytes written or -errno. */
    public static long pwrite(int fd, byte[] data, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
            long done = 0;
            while (done < data.length || data.length == 0) {
                long r = (long) PWRITE.invokeExact(cap(), fd, buf.asSlice(done), (long) data.length - done, offset + done);
                if (r < 0) {
                    if (errno() == EINTR) {
                        continue;
                    }
                    return done > 0 ? done : -errno();
                }
                if (data.length == 0 || r == 0) {
                    return done;
                }
                done += r;
            }
            return done;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** write(2) at the file position: one call, as the caller would make it. */
    public static long write(int fd, byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
            while (true) {
                long r = (long) WRITE.invokeExact(cap(), fd, buf, (long) data.length);
                if (r >= 0 || errno() != EINTR) {
                    return r >= 0 ? r : -errno();
                }
            }
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Reads up to {@code length} bytes at {@code offset}, until end of file. */
    public static Result<byte[]> pread(int fd, long offset, int length) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, length));
            long done = 0;
            while (done < length) {
                long r = (long) PREAD.invokeExact(cap(), fd, buf.asSlice(done), (long) length - done, offset + done);
                if (r < 0) {
                    if (errno() == EINTR) {
                        continue;
                    }
                    return new Result<>(errno(), null);
                }
                if (r == 0) {
                    break;
                }
                done += r;
            }
            if (length == 0) {
                long r = (long) PREAD.invokeExact(cap(), fd, buf, 0L, offset);
                if (r < 0) {
                    return new Result<>(errno(), null);
                }
            }
            return new Result<>(0, buf.asSlice(0, done).toArray(ValueLayout.JAVA_BYTE));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** read(2) at the file position: one call. */
    public static Result<byte[]> read(int fd, int length) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, length));
            while (true) {
                long r = (long) READ.invokeExact(cap(), fd, buf, (long) length);
                if (r >= 0) {
                    return new Result<>(0, buf.asSlice(0, r).toArray(ValueLayout.JAVA_BYTE));
                }
                if (errno() != EINTR) {
                    return new Result<>(errno(), null);
                }
            }
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static long lseek(int fd, long offset, int whence) {
        try {
            long r = (long) LSEEK.invokeExact(cap(), fd, offset, whence);
            return r >= 0 ? r : -errno();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static int ftruncate(int fd, long size) {
        try {
            int r = (int) FTRUNCATE.invokeExact(cap(), fd, size);
            return r == 0 ? 0 : -errno();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static int truncate(Path p, long size) {
        try (Arena a = Arena.ofConfined()) {
            int r = (int) TRUNCATE.invokeExact(cap(), Libc.cString(a, p), size);
            return r == 0 ? 0 : -errno();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static int fsync(int fd, boolean dataOnly) {
        try {
            while (true) {
                int r = dataOnly ? (int) FDATASYNC.invokeExact(cap(), fd) : (int) FSYNC.invokeExact(cap(), fd);
                if (r == 0) {
                    return 0;
                }
                if (errno() != EINTR) {
                    return -errno();
                }
            }
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static int fallocate(int fd, int mode, long offset, long length) {
        try {
            int r = (int) FALLOCATE.invokeExact(cap(), fd, mode, offset, length);
            return r == 0 ? 0 : -errno();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static long copyFileRange(int fdIn, long offIn, int fdOut, long offOut, long length) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment in = a.allocate(LONG);
            MemorySegment out = a.allocate(LONG);
            in.set(LONG, 0, offIn);
            out.set(LONG, 0, offOut);
            long r = (long) COPY_FILE_RANGE.invokeExact(cap(), fdIn, in, fdOut, out, length, 0);
            return r >= 0 ? r : -errno();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static int mkdir(Path p, int mode) {
        return pathCall(MKDIR, p, mode);
    }

    public static int rmdir(Path p) {
        return pathCall(RMDIR, p);
    }

    public static int unlink(Path p) {
        return pathCall(UNLINK, p);
    }

    public static int chmod(Path p, int mode) {
        return pathCall(CHMOD, p, mode);
    }

    public static int rename(Path from, Path to, int flags) {
        try (Arena a = Arena.ofConfined()) {
            int r = (int) RENAMEAT2.invokeExact(cap(), Libc.AT_FDCWD, Libc.cString(a, from), Libc.AT_FDCWD,
                    Libc.cString(a, to), flags);
            return r == 0 ? 0 : -errno();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static int link(Path from, Path to) {
        try (Arena a = Arena.ofConfined()) {
            int r = (int) LINK.invokeExact(cap(), Libc.cString(a, from), Libc.cString(a, to));
            return r == 0 ? 0 : -errno();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static int symlink(String target, Path link) {
        try (Arena a = Arena.ofConfined()) {
            int r = (int) SYMLINK.invokeExact(cap(), Libc.cString(a, target.getBytes(StandardCharsets.UTF_8)),
                    Libc.cString(a, link));
            return r == 0 ? 0 : -errno();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static Result<String> readlink(Path p) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4096);
            long r = (long) READLINK.invokeExact(cap(), Libc.cString(a, p), buf, 4096L);
            if (r < 0) {
                return new Result<>(errno(), null);
            }
            return new Result<>(0, new String(buf.asSlice(0, r).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** utimensat(AT_FDCWD, p, {atime, mtime}, flags) with explicit times. */
    public static int utimens(Path p, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ts = a.allocate(32, 8);
            ts.set(LONG, 0, atimeSec);
            ts.set(LONG, 8, atimeNsec);
            ts.set(LONG, 16, mtimeSec);
            ts.set(LONG, 24, mtimeNsec);
            int r = (int) UTIMENSAT.invokeExact(cap(), Libc.AT_FDCWD, Libc.cString(a, p), ts, flags);
            return r == 0 ? 0 : -errno();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static int setxattr(Path p, String name, byte[] value, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            int r = (int) SETXATTR.invokeExact(cap(), Libc.cString(a, p),
                    Libc.cString(a, name.getBytes(StandardCharsets.UTF_8)), v, (long) value.length, flags);
            return r == 0 ? 0 : -errno();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static Result<byte[]> getxattr(Path p, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(XATTR_BUFFER_BYTES);
            long r = (long) GETXATTR.invokeExact(cap(), Libc.cString(a, p),
                    Libc.cString(a, name.getBytes(StandardCharsets.UTF_8)), buf, (long) XATTR_BUFFER_BYTES);
            if (r < 0) {
                return new Result<>(errno(), null);
            }
            return new Result<>(0, buf.asSlice(0, r).toArray(ValueLayout.JAVA_BYTE));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** The xattr names of {@code p}, in the order the file system lists them. */
    public static Result<List<String>> listxattr(Path p) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(XATTR_BUFFER_BYTES);
            long r = (long) LISTXATTR.invokeExact(cap(), Libc.cString(a, p), buf, (long) XATTR_BUFFER_BYTES);
            if (r < 0) {
                return new Result<>(errno(), null);
            }
            List<String> names = new ArrayList<>();
            byte[] raw = buf.asSlice(0, r).toArray(ValueLayout.JAVA_BYTE);
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    names.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return new Result<>(0, names);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static int removexattr(Path p, String name) {
        try (Arena a = Arena.ofConfined()) {
            int r = (int) REMOVEXATTR.invokeExact(cap(), Libc.cString(a, p),
                    Libc.cString(a, name.getBytes(StandardCharsets.UTF_8)));
            return r == 0 ? 0 : -errno();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static Result<Libc.Statx> stat(Path p, boolean noFollow) {
        try {
            return new Result<>(0, Libc.stat(p, noFollow));
        } catch (ErrnoException e) {
            return new Result<>(e.errno(), null);
        }
    }

    /**
     * statvfs(2) of a path, for its errno only. Unlike stat, a FUSE file system answers it itself
     * every time (the kernel caches no statfs), so it tells a live mount from a stale one.
     */
    public static int statfs(Path p) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(112, 8);
            int r = (int) STATVFS.invokeExact(cap(), Libc.cString(a, p), buf);
            return r == 0 ? 0 : -errno();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static Result<Libc.Statx> fstat(int fd) {
        try {
            return new Result<>(0, Libc.fstat(fd));
        } catch (ErrnoException e) {
            return new Result<>(e.errno(), null);
        }
    }

    /** fsync of a directory, as applications make a rename or a create durable. */
    public static int fsyncDirectory(Path dir) {
        int fd = open(dir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) {
            return fd;
        }
        int r = fsync(fd, false);
        close(fd);
        return r;
    }

    /** A short symbolic name for an errno, for messages and printed sequences. */
    public static String errnoName(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 5 -> "EIO";
            case 6 -> "ENXIO";
            case 9 -> "EBADF";
            case 13 -> "EACCES";
            case 16 -> "EBUSY";
            case 17 -> "EEXIST";
            case 18 -> "EXDEV";
            case 20 -> "ENOTDIR";
            case 21 -> "EISDIR";
            case 22 -> "EINVAL";
            case 23 -> "ENFILE";
            case 27 -> "EFBIG";
            case 28 -> "ENOSPC";
            case 31 -> "EMLINK";
            case 34 -> "ERANGE";
            case 36 -> "ENAMETOOLONG";
            case 39 -> "ENOTEMPTY";
            case 40 -> "ELOOP";
            case 61 -> "ENODATA";
            case 95 -> "EOPNOTSUPP";
            case 103 -> "ECONNABORTED";
            case 107 -> "ENOTCONN";
            default -> "errno" + errno;
        };
    }

    private static int pathCall(MethodHandle h, Path p) {
        try (Arena a = Arena.ofConfined()) {
            int r = (int) h.invokeExact(cap(), Libc.cString(a, p));
            return r == 0 ? 0 : -errno();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static int pathCall(MethodHandle h, Path p, int arg) {
        try (Arena a = Arena.ofConfined()) {
            int r = (int) h.invokeExact(cap(), Libc.cString(a, p), arg);
            return r == 0 ? 0 : -errno();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static MemorySegment cap() {
        return Libc.captureSegment();
    }

    private static int errno() {
        return Libc.errno(Libc.captureSegment());
    }
}
