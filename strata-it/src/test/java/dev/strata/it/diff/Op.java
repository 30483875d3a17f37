package dev.strata.it.diff;

import dev.strata.nativeio.Libc;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * One step of a differential sequence: a system call with concrete arguments, applied to a
 * {@link Side}. {@link #apply} returns the outcome as text that must be identical on both sides
 * (a value, an errno name, or a normalized summary of what came back). {@link #java} prints the
 * step as the Java expression that makes it, so a shrunk failing sequence pastes into a test.
 * Steps on an empty descriptor slot do nothing on either side ("no-slot"), so any subsequence of
 * a sequence is itself a valid sequence.
 */
sealed interface Op {
    String apply(Side s);

    String java();

    /** open(2); the slot's previous descriptor, if any, is closed first. */
    record Open(int slot, String path, int flags, int mode) implements Op {
        public String apply(Side s) {
            if (s.fds[slot] >= 0) {
                PosixCalls.close(s.fds[slot]);
                s.fds[slot] = -1;
            }
            int fd = PosixCalls.open(s.path(path), flags | Libc.O_CLOEXEC, mode);
            if (fd < 0) {
                return err(fd);
            }
            s.fds[slot] = fd;
            return "ok";
        }

        public String java() {
            return "new Op.Open(" + slot + ", " + q(path) + ", " + Flags.open(flags) + ", 0" + Integer.toOctalString(mode) + ")";
        }
    }

    record Close(int slot) implements Op {
        public String apply(Side s) {
            int fd = s.fds[slot];
            if (fd < 0) {
                return "no-slot";
            }
            s.fds[slot] = -1;
            return result(PosixCalls.close(fd));
        }

        public String java() {
            return "new Op.Close(" + slot + ")";
        }
    }

    record Pwrite(int slot, long offset, int length, long seed) implements Op {
        public String apply(Side s) {
            return s.fds[slot] < 0 ? "no-slot" : result(PosixCalls.pwrite(s.fds[slot], bytes(seed, length), offset));
        }

        public String java() {
            return "new Op.Pwrite(" + slot + ", " + offset + ", " + length + ", " + seed + "L)";
        }
    }

    /** write(2) at the descriptor's position (or at the end with O_APPEND). */
    record Write(int slot, int length, long seed) implements Op {
        public String apply(Side s) {
            return s.fds[slot] < 0 ? "no-slot" : result(PosixCalls.write(s.fds[slot], bytes(seed, length)));
        }

        public String java() {
            return "new Op.Write(" + slot + ", " + length + ", " + seed + "L)";
        }
    }

    record Pread(int slot, long offset, int length) implements Op {
        public String apply(Side s) {
            if (s.fds[slot] < 0) {
                return "no-slot";
            }
            PosixCalls.Result<byte[]> r = PosixCalls.pread(s.fds[slot], offset, length);
            return r.ok() ? summary(r.value()) : "-" + PosixCalls.errnoName(r.errno());
        }

        public String java() {
            return "new Op.Pread(" + slot + ", " + offset + ", " + length + ")";
        }
    }

    /** read(2) at the descriptor's position. */
    record Read(int slot, int length) implements Op {
        public String apply(Side s) {
            if (s.fds[slot] < 0) {
                return "no-slot";
            }
            PosixCalls.Result<byte[]> r = PosixCalls.read(s.fds[slot], length);
            return r.ok() ? summary(r.value()) : "-" + PosixCalls.errnoName(r.errno());
        }

        public String java() {
            return "new Op.Read(" + slot + ", " + length + ")";
        }
    }

    /**
     * lseek(2). On a directory only SEEK_SET and SEEK_CUR are compared: for SEEK_END, SEEK_DATA and
     * SEEK_HOLE ext4 uses its hashed directory's end (2^31 - 1), the kernel's generic llseek for
     * FUSE directories the directory's size; neither is data, and no file system code of Strata
     * takes part.
     */
    record Lseek(int slot, long offset, int whence) implements Op {
        public String apply(Side s) {
            if (s.fds[slot] < 0) {
                return "no-slot";
            }
            if (whence > 1 && isDirectory(s.fds[slot])) {
                return "directory: not compared";
            }
            return result(PosixCalls.lseek(s.fds[slot], offset, whence));
        }

        public String java() {
            return "new Op.Lseek(" + slot + ", " + offset + ", " + whence + ")";
        }
    }

    record Ftruncate(int slot, long size) implements Op {
        public String apply(Side s) {
            return s.fds[slot] < 0 ? "no-slot" : result(PosixCalls.ftruncate(s.fds[slot], size));
        }

        public String java() {
            return "new Op.Ftruncate(" + slot + ", " + size + ")";
        }
    }

    record Fsync(int slot, boolean dataOnly) implements Op {
        public String apply(Side s) {
            return s.fds[slot] < 0 ? "no-slot" : result(PosixCalls.fsync(s.fds[slot], dataOnly));
        }

        public String java() {
            return "new Op.Fsync(" + slot + ", " + dataOnly + ")";
        }
    }

    record Fallocate(int slot, int mode, long offset, long length) implements Op {
        public String apply(Side s) {
            return s.fds[slot] < 0 ? "no-slot" : result(PosixCalls.fallocate(s.fds[slot], mode, offset, length));
        }

        public String java() {
            return "new Op.Fallocate(" + slot + ", 0x" + Integer.toHexString(mode) + ", " + offset + ", " + length + ")";
        }
    }

    record CopyRange(int in, long inOffset, int out, long outOffset, long length) implements Op {
        public String apply(Side s) {
            if (s.fds[in] < 0 || s.fds[out] < 0) {
                return "no-slot";
            }
            return result(PosixCalls.copyFileRange(s.fds[in], inOffset, s.fds[out], outOffset, length));
        }

        public String java() {
            return "new Op.CopyRange(" + in + ", " + inOffset + ", " + out + ", " + outOffset + ", " + length + ")";
        }
    }

    record Fstat(int slot) implements Op {
        public String apply(Side s) {
            if (s.fds[slot] < 0) {
                return "no-slot";
            }
            PosixCalls.Result<Libc.Statx> r = PosixCalls.fstat(s.fds[slot]);
            return r.ok() ? stat(r.value()) : "-" + PosixCalls.errnoName(r.errno());
        }

        public String java() {
            return "new Op.Fstat(" + slot + ")";
        }
    }

    record Truncate(String path, long size) implements Op {
        public String apply(Side s) {
            return result(PosixCalls.truncate(s.path(path), size));
        }

        public String java() {
            return "new Op.Truncate(" + q(path) + ", " + size + ")";
        }
    }

    record Mkdir(String path, int mode) implements Op {
        public String apply(Side s) {
            return result(PosixCalls.mkdir(s.path(path), mode));
        }

        public String java() {
            return "new Op.Mkdir(" + q(path) + ", 0" + Integer.toOctalString(mode) + ")";
        }
    }

    record Rmdir(String path) implements Op {
        public String apply(Side s) {
            return result(PosixCalls.rmdir(s.path(path)));
        }

        public String java() {
            return "new Op.Rmdir(" + q(path) + ")";
        }
    }

    record Unlink(String path) implements Op {
        public String apply(Side s) {
            return result(PosixCalls.unlink(s.path(path)));
        }

        public String java() {
            return "new Op.Unlink(" + q(path) + ")";
        }
    }

    /** renameat2 with 0, RENAME_NOREPLACE (1) or RENAME_EXCHANGE (2). */
    record Rename(String from, String to, int flags) implements Op {
        public String apply(Side s) {
            return result(PosixCalls.rename(s.path(from), s.path(to), flags));
        }

        public String java() {
            return "new Op.Rename(" + q(from) + ", " + q(to) + ", " + flags + ")";
        }
    }

    record Link(String from, String to) implements Op {
        public String apply(Side s) {
            return result(PosixCalls.link(s.path(from), s.path(to)));
        }

        public String java() {
            return "new Op.Link(" + q(from) + ", " + q(to) + ")";
        }
    }

    record Symlink(String target, String path) implements Op {
        public String apply(Side s) {
            return result(PosixCalls.symlink(target, s.path(path)));
        }

        public String java() {
            return "new Op.Symlink(" + q(target) + ", " + q(path) + ")";
        }
    }

    record Readlink(String path) implements Op {
        public String apply(Side s) {
            return PosixCalls.readlink(s.path(path)).toString();
        }

        public String java() {
            return "new Op.Readlink(" + q(path) + ")";
        }
    }

    record Chmod(String path, int mode) implements Op {
        public String apply(Side s) {
            return result(PosixCalls.chmod(s.path(path), mode));
        }

        public String java() {
            return "new Op.Chmod(" + q(path) + ", 0" + Integer.toOctalString(mode) + ")";
        }
    }

    /** utimensat with explicit times (seconds; nanoseconds derived), optionally not following a symlink. */
    record Utimens(String path, long atime, long mtime, boolean noFollow) implements Op {
        public String apply(Side s) {
            return result(PosixCalls.utimens(s.path(path), atime, atime % 1_000_000_000L, mtime, mtime % 999_999_937L,
                    noFollow ? PosixCalls.AT_SYMLINK_NOFOLLOW : 0));
        }

        public String java() {
            return "new Op.Utimens(" + q(path) + ", " + atime + "L, " + mtime + "L, " + noFollow + ")";
        }
    }

    record Setxattr(String path, String name, String value, int flags) implements Op {
        public String apply(Side s) {
            return result(PosixCalls.setxattr(s.path(path), name, value.getBytes(StandardCharsets.UTF_8), flags));
        }

        public String java() {
            return "new Op.Setxattr(" + q(path) + ", " + q(name) + ", " + q(value) + ", " + flags + ")";
        }
    }

    record Removexattr(String path, String name) implements Op {
        public String apply(Side s) {
            return result(PosixCalls.removexattr(s.path(path), name));
        }

        public String java() {
            return "new Op.Removexattr(" + q(path) + ", " + q(name) + ")";
        }
    }

    record Getxattr(String path, String name) implements Op {
        public String apply(Side s) {
            PosixCalls.Result<byte[]> r = PosixCalls.getxattr(s.path(path), name);
            return r.ok() ? "'" + new String(r.value(), StandardCharsets.UTF_8) + "'" : "-" + PosixCalls.errnoName(r.errno());
        }

        public String java() {
            return "new Op.Getxattr(" + q(path) + ", " + q(name) + ")";
        }
    }

    /** listxattr, the user.* names sorted (other namespaces are the file systems' own business). */
    record Listxattr(String path) implements Op {
        public String apply(Side s) {
            PosixCalls.Result<List<String>> r = PosixCalls.listxattr(s.path(path));
            return r.ok() ? r.value().stream().filter(n -> n.startsWith("user.")).sorted().toList().toString()
                    : "-" + PosixCalls.errnoName(r.errno());
        }

        public String java() {
            return "new Op.Listxattr(" + q(path) + ")";
        }
    }

    record Stat(String path, boolean noFollow) implements Op {
        public String apply(Side s) {
            PosixCalls.Result<Libc.Statx> r = PosixCalls.stat(s.path(path), noFollow);
            return r.ok() ? stat(r.value()) : "-" + PosixCalls.errnoName(r.errno());
        }

        public String java() {
            return "new Op.Stat(" + q(path) + ", " + noFollow + ")";
        }
    }

    /** The names a directory lists, sorted, or the errno of opening it. */
    record Readdir(String path) implements Op {
        public String apply(Side s) {
            int fd = PosixCalls.open(s.path(path), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
            if (fd < 0) {
                return err(fd);
            }
            PosixCalls.close(fd);
            try (var ds = java.nio.file.Files.newDirectoryStream(s.path(path))) {
                List<String> names = new java.util.ArrayList<>();
                ds.forEach(p -> names.add(p.getFileName().toString()));
                names.sort(null);
                return names.toString();
            } catch (java.io.IOException e) {
                return "listing failed: " + e.getClass().getSimpleName();
            }
        }

        public String java() {
            return "new Op.Readdir(" + q(path) + ")";
        }
    }

    // ---- shared helpers

    static byte[] bytes(long seed, int length) {
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static boolean isDirectory(int fd) {
        PosixCalls.Result<Libc.Statx> st = PosixCalls.fstat(fd);
        return st.ok() && (st.value().mode() & 0170000) == 0040000;
    }

    static String result(long r) {
        return r >= 0 ? Long.toString(r) : "-" + PosixCalls.errnoName((int) -r);
    }

    static String err(long r) {
        return "-" + PosixCalls.errnoName((int) -r);
    }

    static String summary(byte[] data) {
        CRC32C c = new CRC32C();
        c.update(data);
        int head = Math.min(8, data.length);
        return data.length + " bytes crc=" + Long.toHexString(c.getValue()) + " head="
                + HexFormat.of().formatHex(data, 0, head);
    }

    /** What must agree of a stat: type, permissions, link count, size (not of directories), owner. */
    static String stat(Libc.Statx x) {
        int type = x.mode() & 0170000;
        String t = switch (type) {
            case 0040000 -> "dir";
            case 0100000 -> "file";
            case 0120000 -> "symlink";
            default -> "type" + Integer.toOctalString(type);
        };
        return t + " 0" + Integer.toOctalString(x.mode() & 07777) + " nlink=" + x.nlink()
                + (type == 0040000 ? "" : " size=" + x.size()) + " uid=" + x.uid() + " gid=" + x.gid();
    }

    static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
