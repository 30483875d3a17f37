package dev.strata.it.posix;

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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The system calls the mount-level tests make that java.nio has no API for (or hides behind its
 * own checks), bound with FFM through glibc. Each method is one plain call: it throws
 * {@link ErrnoException} with the errno the kernel returned and never retries, so a test sees
 * exactly what a C program would. x86-64 and aarch64 Linux only (the struct offsets below are the
 * LP64 ones, equal on both).
 */
final class Posix {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout PTR = ValueLayout.ADDRESS;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ENXIO = 6;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int EXDEV = 18;
    static final int ENOTDIR = 20;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int EFBIG = 27;
    static final int ERANGE = 34;
    static final int ENAMETOOLONG = 36;
    static final int ENOTEMPTY = 39;
    static final int ELOOP = 40;
    static final int ENODATA = 61;
    static final int EOPNOTSUPP = 95;

    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int RENAME_NOREPLACE = 1;
    static final int RENAME_EXCHANGE = 2;
    static final int XATTR_CREATE = 1;
    static final int XATTR_REPLACE = 2;
    static final int LOCK_SH = 1;
    static final int LOCK_EX = 2;
    static final int LOCK_NB = 4;
    static final int LOCK_UN = 8;
    static final int F_GETLK = 5;
    static final int F_SETLK = 6;
    static final short F_RDLCK = 0;
    static final short F_WRLCK = 1;
    static final short F_UNLCK = 2;
    static final int FALLOC_FL_KEEP_SIZE = 1;
    static final int FALLOC_FL_PUNCH_HOLE = 2;
    static final int FALLOC_FL_ZERO_RANGE = 0x10;
    static final int S_IFIFO = 0010000;
    static final int S_IFCHR = 0020000;
    static final int S_IFBLK = 0060000;
    static final int S_IFMT = 0170000;
    static final long UTIME_NOW = (1L << 30) - 1;
    static final long UTIME_OMIT = (1L << 30) - 2;
    /** statfs f_type of every FUSE mount. */
    static final long FUSE_SUPER_MAGIC = 0x65735546L;

    private static final Map<String, MethodHandle> HANDLES = new ConcurrentHashMap<>();

    private Posix() {}

    /** Calls libc's {@code name}; a negative result throws with the captured errno. */
    private static long callVariadic(String name, FunctionDescriptor fd, int firstVariadic, Object... args)
            throws ErrnoException {
        MethodHandle h = HANDLES.computeIfAbsent(name + "/" + fd, k -> firstVariadic < 0
                ? Libc.bind(name, fd)
                : Libc.bind(name, fd, Linker.Option.firstVariadicArg(firstVariadic)));
        MemorySegment cap = Libc.captureSegment();
        List<Object> all = new ArrayList<>(args.length + 1);
        all.add(cap);
        all.addAll(List.of(args));
        Object r;
        try {
            r = h.invokeWithArguments(all);
        } catch (Throwable t) {
            throw new IllegalStateException("downcall " + name + " failed", t);
        }
        long v = r instanceof Integer i ? i : (Long) r;
        if (v < 0) {
            throw new ErrnoException(name, Libc.errno(cap), null);
        }
        return v;
    }

    private static long call(String name, FunctionDescriptor fd, Object... args) throws ErrnoException {
        return callVariadic(name, fd, -1, args);
    }

    static MemorySegment str(Arena a, Path p) {
        return Libc.cString(a, p);
    }

    static MemorySegment str(Arena a, String s) {
        return Libc.cString(a, s.getBytes(StandardCharsets.UTF_8));
    }

    static void renameat2(Path from, Path to, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            call("renameat2", FunctionDescriptor.of(INT, INT, PTR, INT, PTR, INT),
                    AT_FDCWD, str(a, from), AT_FDCWD, str(a, to), flags);
        }
    }

    static void rename(Path from, Path to) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            call("rename", FunctionDescriptor.of(INT, PTR, PTR), str(a, from), str(a, to));
        }
    }

    static void rmdir(Path p) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            call("rmdir", FunctionDescriptor.of(INT, PTR), str(a, p));
        }
    }

    static void link(Path existing, Path newName) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            call("link", FunctionDescriptor.of(INT, PTR, PTR), str(a, existing), str(a, newName));
        }
    }

    static void symlink(String target, Path link) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            call("symlink", FunctionDescriptor.of(INT, PTR, PTR), str(a, target), str(a, link));
        }
    }

    static void mknod(Path p, int mode, long dev) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            call("mknodat", FunctionDescriptor.of(INT, INT, PTR, INT, LONG), AT_FDCWD, str(a, p), mode, dev);
        }
    }

    /** makedev(3) of glibc. */
    static long makedev(int major, int minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    static void chmod(Path p, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            call("chmod", FunctionDescriptor.of(INT, PTR, INT), str(a, p), mode);
        }
    }

    static void chown(Path p, int uid, int gid) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            call("chown", FunctionDescriptor.of(INT, PTR, INT, INT), str(a, p), uid, gid);
        }
    }

    static void lchown(Path p, int uid, int gid) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            call("lchown", FunctionDescriptor.of(INT, PTR, INT, INT), str(a, p), uid, gid);
        }
    }

    static void truncate(Path p, long length) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            call("truncate64", FunctionDescriptor.of(INT, PTR, LONG), str(a, p), length);
        }
    }

    /** utimensat(2) on a path; pass {@link #UTIME_NOW} or {@link #UTIME_OMIT} as nanoseconds to use those. */
    static void utimensat(Path p, long aSec, long aNsec, long mSec, long mNsec, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ts = a.allocate(32, 8);
            ts.set(LONG, 0, aSec);
            ts.set(LONG, 8, aNsec);
            ts.set(LONG, 16, mSec);
            ts.set(LONG, 24, mNsec);
            call("utimensat", FunctionDescriptor.of(INT, INT, PTR, PTR, INT), AT_FDCWD, str(a, p), ts, flags);
        }
    }

    static void flock(int fd, int op) throws ErrnoException {
        call("flock", FunctionDescriptor.of(INT, INT, INT), fd, op);
    }

    /** A POSIX record lock, as fcntl(F_SETLK) takes it and F_GETLK answers. */
    record RecordLock(short type, long start, long length, int pid) {}

    /** fcntl(F_SETLK): takes or releases a record lock without waiting. */
    static void setlk(int fd, short type, long start, long length) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fl = flock(a, type, start, length);
            callVariadic("fcntl", FunctionDescriptor.of(INT, INT, INT, PTR), 2, fd, F_SETLK, fl);
        }
    }

    /** fcntl(F_GETLK): the first lock that would block {@code type} on the range, or an F_UNLCK answer. */
    static RecordLock getlk(int fd, short type, long start, long length) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fl = flock(a, type, start, length);
            callVariadic("fcntl", FunctionDescriptor.of(INT, INT, INT, PTR), 2, fd, F_GETLK, fl);
            return new RecordLock(fl.get(ValueLayout.JAVA_SHORT, 0), fl.get(LONG, 8), fl.get(LONG, 16),
                    fl.get(INT, 24));
        }
    }

    /** struct flock: short l_type, short l_whence, off_t l_start (8), off_t l_len (16), pid_t l_pid (24). */
    private static MemorySegment flock(Arena a, short type, long start, long length) {
        MemorySegment fl = a.allocate(32, 8);
        fl.set(ValueLayout.JAVA_SHORT, 0, type);
        fl.set(ValueLayout.JAVA_SHORT, 2, (short) Libc.SEEK_SET);
        fl.set(LONG, 8, start);
        fl.set(LONG, 16, length);
        return fl;
    }

    /** getxattr(2) into a buffer of {@code size} bytes (0 asks for the size); returns the value or its size. */
    static byte[] getxattr(Path p, String name, int size) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = size == 0 ? MemorySegment.NULL : a.allocate(size);
            long n = call("getxattr", FunctionDescriptor.of(LONG, PTR, PTR, PTR, LONG), str(a, p), str(a, name), buf,
                    (long) size);
            return size == 0 ? new byte[(int) n] : buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    static void setxattr(Path p, String name, byte[] value, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            call("setxattr", FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, INT), str(a, p), str(a, name), v,
                    (long) value.length, flags);
        }
    }

    static void removexattr(Path p, String name) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            call("removexattr", FunctionDescriptor.of(INT, PTR, PTR), str(a, p), str(a, name));
        }
    }

    /** listxattr(2) into a buffer of {@code size} bytes (0 asks for the size); returns the raw list or its size. */
    static byte[] listxattr(Path p, int size) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = size == 0 ? MemorySegment.NULL : a.allocate(size);
            long n = call("listxattr", FunctionDescriptor.of(LONG, PTR, PTR, LONG), str(a, p), buf, (long) size);
            return size == 0 ? new byte[(int) n] : buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** The fields of struct statfs the tests read. */
    record StatFs(long type, long blockSize, long blocks, long freeBlocks, long availableBlocks, long files,
            long freeFiles, long nameMax) {}

    static StatFs statfs(Path p) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            // struct statfs (LP64): f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree (8 bytes
            // each), f_fsid (8), f_namelen (64), f_frsize, f_flags, f_spare[4].
            MemorySegment b = a.allocate(120, 8);
            call("statfs", FunctionDescriptor.of(INT, PTR, PTR), str(a, p), b);
            return new StatFs(b.get(LONG, 0), b.get(LONG, 8), b.get(LONG, 16), b.get(LONG, 24), b.get(LONG, 32),
                    b.get(LONG, 40), b.get(LONG, 48), b.get(LONG, 64));
        }
    }

    static void mkfifo(Path p, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            call("mkfifo", FunctionDescriptor.of(INT, PTR, INT), str(a, p), mode);
        }
    }

    /** lseek(2) that reports errors instead of hiding ENXIO. */
    static long lseek(int fd, long offset, int whence) throws ErrnoException {
        return call("lseek64", FunctionDescriptor.of(LONG, INT, LONG, INT), fd, offset, whence);
    }

    static int open(Path p, int flags, int mode) throws ErrnoException {
        return Libc.open(p, flags, mode);
    }

    /** A path made of a directory and a raw name, any bytes but NUL. */
    static byte[] rawPath(Path dir, byte[] name) {
        byte[] d = (dir.toString() + "/").getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(d, d.length + name.length);
        System.arraycopy(name, 0, all, d.length, name.length);
        return all;
    }

    /** open(2) of a raw path; returns the descriptor. */
    static int openRaw(byte[] path, int flags, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            return (int) callVariadic("open", FunctionDescriptor.of(INT, PTR, INT, INT), 2, Libc.cString(a, path), flags,
                    mode);
        }
    }

    static void mkdirRaw(byte[] path, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            call("mkdir", FunctionDescriptor.of(INT, PTR, INT), Libc.cString(a, path), mode);
        }
    }

    static void unlinkRaw(byte[] path) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            call("unlink", FunctionDescriptor.of(INT, PTR), Libc.cString(a, path));
        }
    }

    static void renameRaw(byte[] from, byte[] to) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            call("rename", FunctionDescriptor.of(INT, PTR, PTR), Libc.cString(a, from), Libc.cString(a, to));
        }
    }

    /** The raw names in a directory, "." and ".." left out, read with getdents64(2). */
    static List<byte[]> listRaw(Path dir) throws ErrnoException {
        int fd = Libc.open(dir, Libc.O_RDONLY | Libc.O_DIRECTORY, 0);
        List<byte[]> names = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(32 * 1024, 8);
            for (int rounds = 0; rounds < 1_000_000; rounds++) {
                long n = call("getdents64", FunctionDescriptor.of(LONG, INT, PTR, LONG), fd, buf, buf.byteSize());
                if (n == 0) {
                    return names;
                }
                // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[].
                for (long at = 0; at < n; ) {
                    int reclen = Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, at + 16));
                    byte[] name = buf.getString(at + 19, StandardCharsets.ISO_8859_1).getBytes(StandardCharsets.ISO_8859_1);
                    if (!Arrays.equals(name, new byte[] {'.'}) && !Arrays.equals(name, new byte[] {'.', '.'})) {
                        names.add(name);
                    }
                    at += reclen;
                }
            }
            throw new IllegalStateException("getdents64 never reached the end of " + dir);
        } finally {
            Libc.close(fd);
        }
    }

    /** Writes all of {@code bytes} at {@code offset}. */
    static void pwrite(int fd, byte[] bytes, long offset) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
            Libc.pwriteFully(fd, s.asSlice(0, bytes.length), offset);
        }
    }

    /** write(2) of all of {@code bytes} at the descriptor's offset (O_APPEND decides where). */
    static void write(int fd, byte[] bytes) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
            long done = 0;
            while (done < bytes.length) {
                done += Libc.write(fd, s.asSlice(done), bytes.length - done);
            }
        }
    }

    /** Reads up to {@code length} bytes at {@code offset}; fewer only at end of file. */
    static byte[] pread(int fd, long offset, int length) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Math.max(1, length));
            long n = Libc.preadFully(fd, s.asSlice(0, length), offset);
            return s.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }
}
