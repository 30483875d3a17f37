package dev.strata.testkit.fs;

import dev.strata.core.Errno;
import dev.strata.core.FileType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deliberately simple model of the POSIX namespace the engine implements: a tree of objects in
 * memory, no persistence, no caching, no concurrency. The reference-model test applies the same
 * operations to it and to the engine and demands the same outcome and the same visible state.
 *
 * <p>The order in which errors are checked mirrors the kernel's and the engine's (path resolution
 * first, then the operation's own rules), so that the errno must match exactly.
 */
final class PosixModel {
    /** An operation failed with this errno. */
    static final class Failure extends Exception {
        final Errno errno;

        Failure(Errno errno) {
            super(errno.name(), null, false, false);
            this.errno = errno;
        }
    }

    static final class Ino {
        final int id;
        final FileType type;
        int mode;
        int nlink;
        byte[] data = new byte[0];
        String target;
        final TreeMap<String, Ino> kids = new TreeMap<>();
        Ino parent;
        final Map<String, byte[]> xattrs = new TreeMap<>();

        Ino(int id, FileType type, int mode) {
            this.id = id;
            this.type = type;
            this.mode = mode;
        }
    }

    private int nextId = 1;
    final Ino root = new Ino(nextId++, FileType.DIRECTORY, 0755);
    /** Open handles, by index; an entry may be an unlinked inode. */
    final List<Ino> handles = new ArrayList<>();

    PosixModel() {
        root.nlink = 2;
        root.parent = root;
    }

    private static Failure fail(Errno e) {
        return new Failure(e);
    }

    Ino resolve(String path) throws Failure {
        Ino cur = root;
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (cur.type != FileType.DIRECTORY) {
                throw fail(Errno.ENOTDIR);
            }
            Ino next = cur.kids.get(part);
            if (next == null) {
                throw fail(Errno.ENOENT);
            }
            cur = next;
        }
        return cur;
    }

    Ino dirOf(String path) throws Failure {
        int slash = path.lastIndexOf('/');
        Ino d = resolve(slash == 0 ? "/" : path.substring(0, slash));
        if (d.type != FileType.DIRECTORY) {
            throw fail(Errno.ENOTDIR);
        }
        return d;
    }

    static String leaf(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private Ino newIno(FileType type, int mode) {
        Ino i = new Ino(nextId++, type, mode);
        i.nlink = type == FileType.DIRECTORY ? 2 : 1;
        return i;
    }

    void create(String path) throws Failure {
        Ino d = dirOf(path);
        Ino existing = d.kids.get(leaf(path));
        if (existing != null) {
            if (existing.type == FileType.DIRECTORY) {
                throw fail(Errno.EISDIR);
            }
            if (existing.type != FileType.REGULAR) {
                throw fail(Errno.EINVAL);
            }
            existing.data = new byte[0];
            return;
        }
        Ino f = newIno(FileType.REGULAR, 0644);
        d.kids.put(leaf(path), f);
    }

    private Ino regular(String path) throws Failure {
        Ino f = resolve(path);
        if (f.type == FileType.DIRECTORY) {
            throw fail(Errno.EISDIR);
        }
        if (f.type != FileType.REGULAR) {
            throw fail(Errno.EINVAL);
        }
        return f;
    }

    void writeAt(String path, int offset, byte[] bytes) throws Failure {
        write(regular(path), offset, bytes);
    }

    static void write(Ino f, int offset, byte[] bytes) {
        int end = offset + bytes.length;
        if (end > f.data.length) {
            f.data = Arrays.copyOf(f.data, end);
        }
        System.arraycopy(bytes, 0, f.data, offset, bytes.length);
    }

    void truncate(String path, int size) throws Failure {
        Ino f = regular(path);
        f.data = Arrays.copyOf(f.data, size);
    }

    void mkdir(String path) throws Failure {
        Ino d = dirOf(path);
        if (d.kids.containsKey(leaf(path))) {
            throw fail(Errno.EEXIST);
        }
        Ino n = newIno(FileType.DIRECTORY, 0755);
        n.parent = d;
        d.kids.put(leaf(path), n);
        d.nlink++;
    }

    void symlink(String path, String target) throws Failure {
        Ino d = dirOf(path);
        if (d.kids.containsKey(leaf(path))) {
            throw fail(Errno.EEXIST);
        }
        Ino n = newIno(FileType.SYMLINK, 0777);
        n.target = target;
        d.kids.put(leaf(path), n);
    }

    void unlink(String path) throws Failure {
        Ino d = dirOf(path);
        Ino v = d.kids.get(leaf(path));
        if (v == null) {
            throw fail(Errno.ENOENT);
        }
        if (v.type == FileType.DIRECTORY) {
            throw fail(Errno.EISDIR);
        }
        d.kids.remove(leaf(path));
        v.nlink--;
    }

    void rmdir(String path) throws Failure {
        Ino d = dirOf(path);
        Ino v = d.kids.get(leaf(path));
        if (v == null) {
            throw fail(Errno.ENOENT);
        }
        if (v.type != FileType.DIRECTORY) {
            throw fail(Errno.ENOTDIR);
        }
        if (!v.kids.isEmpty()) {
            throw fail(Errno.ENOTEMPTY);
        }
        d.kids.remove(leaf(path));
        d.nlink--;
        v.nlink = 0;
    }

    void link(String existing, String newPath) throws Failure {
        // linkat(2) resolves the old path before the new one's parent.
        Ino f = resolve(existing);
        Ino d = dirOf(newPath);
        if (f.type == FileType.DIRECTORY) {
            throw fail(Errno.EPERM);
        }
        if (d.kids.containsKey(leaf(newPath))) {
            throw fail(Errno.EEXIST);
        }
        d.kids.put(leaf(newPath), f);
        f.nlink++;
    }

    private static boolean isAncestorOrSelf(Ino ancestor, Ino ino) {
        Ino cur = ino;
        while (true) {
            if (cur == ancestor) {
                return true;
            }
            if (cur.parent == cur) {
                return false;
            }
            cur = cur.parent;
        }
    }

    void rename(String from, String to, int flags) throws Failure {
        Ino fromDir = dirOf(from);
        Ino toDir = dirOf(to);
        if ((flags & 4) != 0 || flags == 3) {
            throw fail(Errno.EINVAL);
        }
        boolean exchange = (flags & 2) != 0;
        Ino src = fromDir.kids.get(leaf(from));
        if (src == null) {
            throw fail(Errno.ENOENT);
        }
        Ino dst = toDir.kids.get(leaf(to));
        if (exchange && dst == null) {
            throw fail(Errno.ENOENT);
        }
        if ((flags & 1) != 0 && dst != null) {
            throw fail(Errno.EEXIST);
        }
        if (dst == src) {
            return;
        }
        boolean srcIsDir = src.type == FileType.DIRECTORY;
        if (srcIsDir && fromDir != toDir && isAncestorOrSelf(src, toDir)) {
            throw fail(Errno.EINVAL);
        }
        if (exchange) {
            if (dst.type == FileType.DIRECTORY && fromDir != toDir && isAncestorOrSelf(dst, fromDir)) {
                throw fail(Errno.EINVAL);
            }
            fromDir.kids.put(leaf(from), dst);
            toDir.kids.put(leaf(to), src);
            moved(src, fromDir, toDir);
            moved(dst, toDir, fromDir);
            return;
        }
        if (dst != null) {
            boolean dstIsDir = dst.type == FileType.DIRECTORY;
            if (srcIsDir && !dstIsDir) {
                throw fail(Errno.ENOTDIR);
            }
            if (!srcIsDir && dstIsDir) {
                throw fail(Errno.EISDIR);
            }
            if (dstIsDir && !dst.kids.isEmpty()) {
                throw fail(Errno.ENOTEMPTY);
            }
            toDir.kids.remove(leaf(to));
            if (dstIsDir) {
                toDir.nlink--;
                dst.nlink = 0;
            } else {
                dst.nlink--;
            }
        }
        fromDir.kids.remove(leaf(from));
        toDir.kids.put(leaf(to), src);
        moved(src, fromDir, toDir);
    }

    private static void moved(Ino i, Ino from, Ino to) {
        if (from == to) {
            return;
        }
        if (i.type == FileType.DIRECTORY) {
            i.parent = to;
            from.nlink--;
            to.nlink++;
        }
    }

    void setxattr(String path, String name, byte[] value, int flags) throws Failure {
        Ino i = resolve(path);
        boolean exists = i.xattrs.containsKey(name);
        if ((flags & 1) != 0 && exists) {
            throw fail(Errno.EEXIST);
        }
        if ((flags & 2) != 0 && !exists) {
            throw fail(Errno.ENODATA);
        }
        i.xattrs.put(name, value.clone());
    }

    void removexattr(String path, String name) throws Failure {
        Ino i = resolve(path);
        if (i.xattrs.remove(name) == null) {
            throw fail(Errno.ENODATA);
        }
    }

    void chmod(String path, int mode) throws Failure {
        Ino i = resolve(path);
        i.mode = mode & 07777;
    }

    int openKeep(String path) throws Failure {
        Ino f = regular(path);
        handles.add(f);
        return handles.size() - 1;
    }

    /** All handles are gone (close of all, or a dead process). */
    void dropHandles() {
        handles.clear();
    }

    /** Inodes that exist: reachable from the root, or unlinked but held open. */
    int liveInodes() {
        java.util.Set<Ino> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        collect(root, seen);
        for (Ino h : handles) {
            seen.add(h);
        }
        return seen.size();
    }

    private static void collect(Ino i, java.util.Set<Ino> seen) {
        if (!seen.add(i)) {
            return;
        }
        for (Ino k : i.kids.values()) {
            collect(k, seen);
        }
    }
}
