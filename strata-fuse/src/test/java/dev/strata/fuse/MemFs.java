package dev.strata.fuse;

import dev.strata.core.Caller;
import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.Timespec;
import dev.strata.core.fs.Attr;
import dev.strata.core.fs.Created;
import dev.strata.core.fs.DirPlusSink;
import dev.strata.core.fs.DirSink;
import dev.strata.core.fs.Entry;
import dev.strata.core.fs.Opened;
import dev.strata.core.fs.PosixFileSystem;
import dev.strata.core.fs.SetAttr;
import dev.strata.core.fs.StatFs;
import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A small in-memory {@link PosixFileSystem} for mount tests: one lock around everything, data in
 * byte arrays, or (with a backing directory) in real files whose descriptors are offered for
 * passthrough. Counts the data operations that reach it so tests can prove passthrough.
 */
class MemFs implements PosixFileSystem {
    private static final int BLOCK = 4096;
    /** One copy_file_range call copies at most this much (callers loop), like a real file system. */
    private static final long MAX_COPY_BYTES = 1 << 20;

    private static final class Node {
        final long ino;
        int mode;
        int nlink;
        int uid;
        int gid;
        long rdev;
        byte[] data = new byte[0];
        int size;
        byte[] target;
        TreeMap<Name, Long> children;
        long parent;
        Timespec atime;
        Timespec mtime;
        Timespec ctime;
        final Map<ByteBuffer, byte[]> xattrs = new TreeMap<>();
        long lookups;
        int opens;
        int backingFd = -1;

        Node(long ino, int mode, Caller c) {
            this.ino = ino;
            this.mode = mode;
            this.uid = c.uid();
            this.gid = c.gid();
            Timespec now = now();
            atime = mtime = ctime = now;
        }

        boolean isDir() {
            return (mode & FileType.S_IFMT) == FileType.DIRECTORY.modeBits();
        }

        boolean isReg() {
            return (mode & FileType.S_IFMT) == FileType.REGULAR.modeBits();
        }
    }

    private record Handle(long ino, int passthroughFd) {}

    final LongAdder reads = new LongAdder();
    final LongAdder writes = new LongAdder();
    final AtomicBoolean destroyed = new AtomicBoolean();
    private final Path backingDir;
    private final Map<Long, Node> nodes = new HashMap<>();
    private final Map<Long, Handle> handles = new HashMap<>();
    private long nextIno = ROOT + 1;
    private long nextFh = 1;

    MemFs() {
        this(null);
    }

    /** With {@code backingDir}, regular files live in real files there and are offered for passthrough. */
    MemFs(Path backingDir) {
        this.backingDir = backingDir;
        Node root = new Node(ROOT, FileType.DIRECTORY.modeBits() | 0777, Caller.ROOT);
        root.nlink = 2;
        root.children = new TreeMap<>();
        root.parent = ROOT;
        root.lookups = 1;
        nodes.put(ROOT, root);
    }

    static Timespec now() {
        Instant i = Instant.now();
        return new Timespec(i.getEpochSecond(), i.getNano());
    }

    synchronized int inodeCount() {
        return nodes.size();
    }

    // ---- helpers ----

    private Node node(long ino) throws FsException {
        Node n = nodes.get(ino);
        if (n == null) {
            throw new FsException.NoSuchEntry("inode " + ino);
        }
        return n;
    }

    private Node dir(long ino) throws FsException {
        Node n = node(ino);
        if (!n.isDir()) {
            throw new FsException.NotADirectory("inode " + ino);
        }
        return n;
    }

    private Attr attr(Node n) throws FsException {
        long size = n.isReg() ? dataSize(n) : n.target != null ? n.target.length : n.isDir() ? BLOCK : 0;
        return new Attr(n.ino, n.mode, n.nlink, n.uid, n.gid, n.rdev, size, (size + 511) / 512, n.atime, n.mtime,
                n.ctime, BLOCK);
    }

    private long dataSize(Node n) throws FsException {
        if (n.backingFd >= 0) {
            try {
                return Libc.fstat(n.backingFd).size();
            } catch (ErrnoException e) {
                throw new FsException.IoFailure(e.getMessage());
            }
        }
        return n.size;
    }

    private Entry entry(Node n) throws FsException {
        n.lookups++;
        return new Entry(n.ino, 0, attr(n));
    }

    private Node newNode(Caller c, Node parent, Name name, int mode) throws FsException {
        if (parent.children.containsKey(name)) {
            throw new FsException.AlreadyExists(name.toString());
        }
        Node n = new Node(nextIno++, mode, c);
        n.nlink = 1;
        n.parent = parent.ino;
        if (n.isReg() && backingDir != null) {
            try {
                n.backingFd = Libc.open(backingDir.resolve(Long.toString(n.ino)),
                        Libc.O_RDWR | Libc.O_CREAT | Libc.O_TRUNC | Libc.O_CLOEXEC, 0600);
            } catch (ErrnoException e) {
                throw new FsException.IoFailure(e.getMessage());
            }
        }
        nodes.put(n.ino, n);
        parent.children.put(name, n.ino);
        parent.mtime = parent.ctime = now();
        return n;
    }

    private void maybeFree(Node n) {
        if (n.nlink == 0 && n.lookups <= 0 && n.opens == 0 && n.ino != ROOT) {
            nodes.remove(n.ino);
            if (n.backingFd >= 0) {
                Libc.close(n.backingFd);
                try {
                    Libc.unlink(backingDir.resolve(Long.toString(n.ino)));
                } catch (ErrnoException ignored) {
                    // test data
                }
            }
        }
    }

    private void truncate(Node n, long size) throws FsException {
        if (size < 0) {
            throw new FsException.InvalidArgument("negative size");
        }
        if (n.backingFd >= 0) {
            try {
                Libc.ftruncate(n.backingFd, size);
            } catch (ErrnoException e) {
                throw new FsException.IoFailure(e.getMessage());
            }
        } else {
            if (size > Integer.MAX_VALUE - 8) {
                throw new FsException.FileTooBig("in-memory file of " + size + " bytes");
            }
            n.data = Arrays.copyOf(n.data, (int) size);
            n.size = (int) size;
        }
        n.mtime = n.ctime = now();
    }

    // ---- PosixFileSystem ----

    @Override
    public synchronized Entry lookup(Caller caller, long parent, Name name) throws FsException {
        Long ino = dir(parent).children.get(name);
        if (ino == null) {
            throw new FsException.NoSuchEntry(name.toString());
        }
        return entry(node(ino));
    }

    @Override
    public synchronized void forget(long ino, long nlookup) {
        Node n = nodes.get(ino);
        if (n != null) {
            n.lookups -= nlookup;
            maybeFree(n);
        }
    }

    @Override
    public synchronized Attr getattr(long ino, long fh) throws FsException {
        return attr(node(ino));
    }

    @Override
    public synchronized Attr setattr(Caller caller, long ino, SetAttr c) throws FsException {
        Node n = node(ino);
        if (c.mode() != null) {
            n.mode = (n.mode & FileType.S_IFMT) | (c.mode() & 07777);
        }
        if (c.uid() != null) {
            n.uid = c.uid();
        }
        if (c.gid() != null) {
            n.gid = c.gid();
        }
        if (c.sizeBytes() != null) {
            if (n.isDir()) {
                throw new FsException.IsADirectory("truncate");
            }
            truncate(n, c.sizeBytes());
        }
        if (c.killSuidGid()) {
            n.mode &= ~06000;
        }
        Timespec now = now();
        if (c.atimeNow()) {
            n.atime = now;
        } else if (c.atime() != null) {
            n.atime = c.atime();
        }
        if (c.mtimeNow()) {
            n.mtime = now;
        } else if (c.mtime() != null) {
            n.mtime = c.mtime();
        }
        n.ctime = c.ctime() != null ? c.ctime() : now;
        return attr(n);
    }

    @Override
    public synchronized byte[] readlink(long ino) throws FsException {
        Node n = node(ino);
        if (n.target == null) {
            throw new FsException.InvalidArgument("not a symlink");
        }
        return n.target.clone();
    }

    @Override
    public synchronized Entry mknod(Caller caller, long parent, Name name, int mode, long rdev, int umask)
            throws FsException {
        Node n = newNode(caller, dir(parent), name, mode & ~(umask & 0777));
        n.rdev = rdev;
        return entry(n);
    }

    @Override
    public synchronized Entry mkdir(Caller caller, long parent, Name name, int mode, int umask) throws FsException {
        Node p = dir(parent);
        Node n = newNode(caller, p, name, FileType.DIRECTORY.modeBits() | (mode & ~umask & 07777));
        n.children = new TreeMap<>();
        n.nlink = 2;
        p.nlink++;
        return entry(n);
    }

    @Override
    public synchronized Entry symlink(Caller caller, long parent, Name name, byte[] target) throws FsException {
        Node n = newNode(caller, dir(parent), name, FileType.SYMLINK.modeBits() | 0777);
        n.target = target.clone();
        return entry(n);
    }

    @Override
    public synchronized void unlink(Caller caller, long parent, Name name) throws FsException {
        Node p = dir(parent);
        Long ino = p.children.get(name);
        if (ino == null) {
            throw new FsException.NoSuchEntry(name.toString());
        }
        Node n = node(ino);
        if (n.isDir()) {
            throw new FsException.IsADirectory(name.toString());
        }
        p.children.remove(name);
        n.nlink--;
        n.ctime = p.mtime = p.ctime = now();
        maybeFree(n);
    }

    @Override
    public synchronized void rmdir(Caller caller, long parent, Name name) throws FsException {
        Node p = dir(parent);
        Long ino = p.children.get(name);
        if (ino == null) {
            throw new FsException.NoSuchEntry(name.toString());
        }
        Node n = dir(ino);
        if (!n.children.isEmpty()) {
            throw new FsException.NotEmpty(name.toString());
        }
        p.children.remove(name);
        p.nlink--;
        n.nlink = 0;
        p.mtime = p.ctime = now();
        maybeFree(n);
    }

    @Override
    public synchronized void rename(Caller caller, long parent, Name name, long newParent, Name newName, int flags)
            throws FsException {
        Node from = dir(parent);
        Node to = dir(newParent);
        Long ino = from.children.get(name);
        if (ino == null) {
            throw new FsException.NoSuchEntry(name.toString());
        }
        Long existing = to.children.get(newName);
        if ((flags & RENAME_NOREPLACE) != 0 && existing != null) {
            throw new FsException.AlreadyExists(newName.toString());
        }
        if ((flags & RENAME_EXCHANGE) != 0) {
            if (existing == null) {
                throw new FsException.NoSuchEntry(newName.toString());
            }
            from.children.put(name, existing);
            to.children.put(newName, ino);
            return;
        }
        Node n = node(ino);
        if (existing != null && existing.longValue() != ino) {
            Node old = node(existing);
            if (old.isDir() && !n.isDir()) {
                throw new FsException.IsADirectory(newName.toString());
            }
            if (!old.isDir() && n.isDir()) {
                throw new FsException.NotADirectory(newName.toString());
            }
            if (old.isDir() && !old.children.isEmpty()) {
                throw new FsException.NotEmpty(newName.toString());
            }
            old.nlink = old.isDir() ? 0 : old.nlink - 1;
            if (old.isDir()) {
                to.nlink--;
            }
            maybeFree(old);
        }
        from.children.remove(name);
        to.children.put(newName, ino);
        if (n.isDir() && from != to) {
            from.nlink--;
            to.nlink++;
            n.parent = to.ino;
        }
        n.ctime = from.mtime = to.mtime = now();
    }

    @Override
    public synchronized Entry link(Caller caller, long ino, long newParent, Name newName) throws FsException {
        Node n = node(ino);
        if (n.isDir()) {
            throw new FsException.NotPermitted("hard link to a directory");
        }
        Node p = dir(newParent);
        if (p.children.containsKey(newName)) {
            throw new FsException.AlreadyExists(newName.toString());
        }
        p.children.put(newName, ino);
        n.nlink++;
        n.ctime = now();
        return entry(n);
    }

    @Override
    public synchronized Opened open(Caller caller, long ino, int flags) throws FsException {
        Node n = node(ino);
        if (n.isDir()) {
            throw new FsException.IsADirectory("open");
        }
        if ((flags & Libc.O_TRUNC) != 0 && n.isReg()) {
            truncate(n, 0);
        }
        return handle(n, flags);
    }

    private Opened handle(Node n, int flags) throws FsException {
        long fh = nextFh++;
        n.opens++;
        int passthroughFd = -1;
        if (n.backingFd >= 0) {
            try {
                // A descriptor for the kernel to register; it may be closed after the open (the kernel
                // keeps the path), but we keep it until release as the contract says.
                passthroughFd = Libc.open(backingDir.resolve(Long.toString(n.ino)),
                        (flags & Libc.O_ACCMODE) | Libc.O_CLOEXEC, 0);
            } catch (ErrnoException e) {
                throw new FsException.IoFailure(e.getMessage());
            }
        }
        handles.put(fh, new Handle(n.ino, passthroughFd));
        return new Opened(fh, passthroughFd, false);
    }

    @Override
    public synchronized Created create(Caller caller, long parent, Name name, int mode, int umask, int flags)
            throws FsException {
        Node p = dir(parent);
        Long existing = p.children.get(name);
        if (existing != null) {
            if ((flags & Libc.O_EXCL) != 0) {
                throw new FsException.AlreadyExists(name.toString());
            }
            Node n = node(existing);
            return new Created(entry(n), open(caller, existing, flags));
        }
        Node n = newNode(caller, p, name, FileType.REGULAR.modeBits() | (mode & ~umask & 07777));
        return new Created(entry(n), handle(n, flags));
    }

    @Override
    public int read(long ino, long fh, long offset, MemorySegment dst) throws FsException {
        reads.increment();
        synchronized (this) {
            Node n = node(ino);
            if (n.backingFd >= 0) {
                try {
                    return (int) Libc.preadFully(n.backingFd, dst, offset);
                } catch (ErrnoException e) {
                    throw new FsException.IoFailure(e.getMessage());
                }
            }
            if (offset < 0) {
                throw new FsException.InvalidArgument("negative offset");
            }
            if (offset >= n.size) {
                return 0;
            }
            int len = (int) Math.min(dst.byteSize(), n.size - offset);
            MemorySegment.copy(n.data, (int) offset, dst, ValueLayout.JAVA_BYTE, 0, len);
            n.atime = now();
            return len;
        }
    }

    @Override
    public int write(long ino, long fh, long offset, MemorySegment src, boolean killSuidGid) throws FsException {
        writes.increment();
        synchronized (this) {
            Node n = node(ino);
            int len = (int) src.byteSize();
            if (offset < 0) {
                throw new FsException.InvalidArgument("negative offset");
            }
            if (n.backingFd >= 0) {
                try {
                    Libc.pwriteFully(n.backingFd, src, offset);
                } catch (ErrnoException e) {
                    throw new FsException.IoFailure(e.getMessage());
                }
            } else {
                long end = offset + len;
                if (end > Integer.MAX_VALUE - 8) {
                    throw new FsException.FileTooBig("in-memory file to " + end + " bytes");
                }
                if (end > n.data.length) {
                    n.data = Arrays.copyOf(n.data, (int) Math.max(end, Math.min(Integer.MAX_VALUE - 8, n.data.length * 2L)));
                }
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 0, n.data, (int) offset, len);
                n.size = (int) Math.max(n.size, end);
            }
            if (killSuidGid) {
                n.mode &= ~06000;
            }
            n.mtime = n.ctime = now();
            return len;
        }
    }

    @Override
    public void flush(long ino, long fh, long lockOwner) {
    }

    @Override
    public synchronized void release(long ino, long fh) {
        Handle h = handles.remove(fh);
        if (h != null && h.passthroughFd() >= 0) {
            Libc.close(h.passthroughFd());
        }
        Node n = nodes.get(ino);
        if (n != null) {
            n.opens--;
            maybeFree(n);
        }
    }

    @Override
    public void fsync(long ino, long fh, boolean dataOnly) {
    }

    @Override
    public synchronized Opened opendir(Caller caller, long ino, int flags) throws FsException {
        dir(ino);
        return new Opened(nextFh++, -1, false);
    }

    private record DirItem(byte[] name, long ino) {}

    private List<DirItem> listing(Node d) {
        List<DirItem> all = new ArrayList<>();
        all.add(new DirItem(new byte[] {'.'}, d.ino));
        all.add(new DirItem(new byte[] {'.', '.'}, d.parent));
        d.children.forEach((k, v) -> all.add(new DirItem(k.bytes(), v)));
        return all;
    }

    @Override
    public synchronized void readdir(long ino, long fh, long offset, DirSink sink) throws FsException {
        List<DirItem> all = listing(dir(ino));
        for (int i = (int) Math.clamp(offset, 0, all.size()); i < all.size(); i++) {
            DirItem it = all.get(i);
            Node n = nodes.get(it.ino());
            FileType t = n == null ? FileType.DIRECTORY : FileType.fromMode(n.mode);
            if (!sink.add(it.name(), it.ino(), t, i + 1)) {
                return;
            }
        }
    }

    @Override
    public synchronized void readdirplus(long ino, long fh, long offset, DirPlusSink sink) throws FsException {
        List<DirItem> all = listing(dir(ino));
        for (int i = (int) Math.clamp(offset, 0, all.size()); i < all.size(); i++) {
            DirItem it = all.get(i);
            Node n = node(it.ino());
            boolean dot = i < 2;
            Entry e = dot ? null : new Entry(n.ino, 0, attr(n));
            if (!sink.add(it.name(), e, FileType.fromMode(n.mode).direntType(), it.ino(), i + 1)) {
                return;
            }
            if (!dot) {
                n.lookups++; // only entries the sink took count as lookups
            }
        }
    }

    @Override
    public void releasedir(long ino, long fh) {
    }

    @Override
    public void fsyncdir(long ino, long fh, boolean dataOnly) {
    }

    @Override
    public StatFs statfs(long ino) {
        return new StatFs(1_000_000, 600_000, 500_000, 100_000, 90_000, BLOCK, BLOCK, 255);
    }

    @Override
    public synchronized void setxattr(Caller caller, long ino, byte[] name, byte[] value, int flags)
            throws FsException {
        Node n = node(ino);
        ByteBuffer key = ByteBuffer.wrap(name.clone());
        boolean exists = n.xattrs.containsKey(key);
        if ((flags & XATTR_CREATE) != 0 && exists) {
            throw new FsException.AlreadyExists("xattr");
        }
        if ((flags & XATTR_REPLACE) != 0 && !exists) {
            throw new FsException.NoData("xattr");
        }
        n.xattrs.put(key, value.clone());
        n.ctime = now();
    }

    @Override
    public synchronized byte[] getxattr(long ino, byte[] name) throws FsException {
        byte[] v = node(ino).xattrs.get(ByteBuffer.wrap(name));
        if (v == null) {
            throw new FsException.NoData("xattr");
        }
        return v.clone();
    }

    @Override
    public synchronized List<byte[]> listxattr(long ino) throws FsException {
        List<byte[]> names = new ArrayList<>();
        for (ByteBuffer b : node(ino).xattrs.keySet()) {
            names.add(Arrays.copyOfRange(b.array(), b.position(), b.limit()));
        }
        return names;
    }

    @Override
    public synchronized void removexattr(Caller caller, long ino, byte[] name) throws FsException {
        if (node(ino).xattrs.remove(ByteBuffer.wrap(name)) == null) {
            throw new FsException.NoData("xattr");
        }
    }

    @Override
    public synchronized void fallocate(long ino, long fh, int mode, long offset, long length) throws FsException {
        Node n = node(ino);
        if (mode != 0) {
            throw new FsException.NotSupported("fallocate mode " + mode);
        }
        if (offset + length > dataSize(n)) {
            truncate(n, offset + length);
        }
    }

    @Override
    public synchronized long lseek(long ino, long fh, long offset, int whence) throws FsException {
        long size = dataSize(node(ino));
        if (offset >= size) {
            throw new FsException.NoSuchAddress("offset " + offset);
        }
        return whence == Libc.SEEK_DATA ? offset : size;
    }

    @Override
    public long copyFileRange(long inoIn, long fhIn, long offsetIn, long inoOut, long fhOut, long offsetOut,
            long length) throws FsException {
        try (Arena arena = Arena.ofConfined()) {
            long size;
            synchronized (this) {
                size = dataSize(node(inoIn));
            }
            if (offsetIn < 0 || offsetOut < 0 || length < 0) {
                throw new FsException.InvalidArgument("negative offset or length");
            }
            long n = Math.max(0, Math.min(Math.min(length, size - offsetIn), MAX_COPY_BYTES));
            MemorySegment buf = arena.allocate(Math.max(1, n));
            int got = read(inoIn, fhIn, offsetIn, buf.asSlice(0, n));
            write(inoOut, fhOut, offsetOut, buf.asSlice(0, got), false);
            return got;
        }
    }

    @Override
    public void destroy() {
        destroyed.set(true);
    }
}
