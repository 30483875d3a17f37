package dev.strata.core.fs;

import static dev.strata.core.fs.FsState.S_ISGID;
import static dev.strata.core.fs.FsState.S_ISUID;
import static dev.strata.core.fs.FsState.S_IXGRP;

import dev.strata.core.Caller;
import dev.strata.core.Errno;
import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.Timespec;
import dev.strata.core.data.DataStore;
import dev.strata.core.data.LocalFile;
import dev.strata.core.meta.InodeRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Attributes, extended attributes, symlink targets and statfs. */
final class AttrOps {
    /** XATTR_NAME_MAX and XATTR_SIZE_MAX of Linux. */
    static final int XATTR_NAME_MAX = 255;
    static final int XATTR_SIZE_MAX = 65_536;

    /** Control attributes of the capacity tier start with this (see docs/CONTROL-XATTRS.md). */
    static final String CONTROL_PREFIX = "user.strata.";

    private final FsState s;
    private final DataOps files;

    AttrOps(FsState s, DataOps files) {
        this.s = s;
        this.files = files;
    }

    Attr getattr(long ino) throws FsException {
        Node n = s.nodes.get(ino);
        if (n == null) {
            InodeRecord r = s.meta.inode(ino).orElseThrow(() -> new FsException.NoSuchEntry("inode " + ino));
            long allocated = r.isRegular() ? s.data.stat(ino).map(LocalFile.Stat::allocatedBytes).orElse(0L) : -1;
            return s.attr(r, allocated);
        }
        if (n.local == null) {
            // Not open: the record is final (release refreshed it before closing the local data).
            return s.attr(n);
        }
        // Open: take the lock even if no refresh looks needed, because a concurrent release may
        // be folding passthrough writes into the record right now (it drops the writer count
        // first); answering from the record without waiting returned the mtime from before the
        // writes.
        s.lock.lock();
        try {
            if (FsState.needsRefresh(n)) {
                s.refreshFromLocal(n);
            }
            return s.attr(n);
        } finally {
            s.lock.unlock();
        }
    }

    Attr setattr(Caller c, long ino, SetAttr a) throws FsException {
        for (int attempt = 0; ; attempt++) {
            s.lock.lock();
            try {
                Node n = s.live(ino);
                if (a.sizeBytes() == null || !n.rec.has(InodeRecord.FLAG_RELEASED)) {
                    return setattrLocked(c, n, a);
                }
            } finally {
                s.lock.unlock();
            }
            files.restoreBeforeChange(ino, attempt); // a truncate keeps the bytes below the new size
        }
    }

    private Attr setattrLocked(Caller c, Node n, SetAttr a) throws FsException {
        long ino = n.ino;
        {
            if (n.local != null) {
                s.refreshFromLocal(n);
            }
            InodeRecord r = n.rec;
            boolean owner = c.isRoot() || c.uid() == r.uid();
            Timespec now = s.now();
            Txn t = s.txn();
            InodeRecord.Builder b = t.edit(ino);
            if (a.mode() != null) {
                if (!owner) {
                    throw new FsException.NotPermitted("chmod of inode " + ino + " by uid " + c.uid());
                }
                // The kernel has already dropped S_ISGID if the caller may not set it (setattr_prepare).
                b.mode((r.mode() & FileType.S_IFMT) | (a.mode() & 07777));
            }
            if (a.uid() != null || a.gid() != null) {
                if (!c.isRoot() && a.uid() != null && a.uid() != r.uid()) {
                    throw new FsException.NotPermitted("chown of inode " + ino + " by uid " + c.uid());
                }
                if (!c.isRoot() && a.gid() != null && a.gid() != r.gid() && c.uid() != r.uid()) {
                    throw new FsException.NotPermitted("chgrp of inode " + ino + " by uid " + c.uid());
                }
                if (a.uid() != null) {
                    b.uid(a.uid());
                }
                if (a.gid() != null) {
                    b.gid(a.gid());
                }
                if (!r.isDirectory()) {
                    killSuidGid(b); // Linux clears them on every chown of a non-directory, root's too
                }
            }
            if (a.sizeBytes() != null) {
                files.noteDataChange(t, ino);
                truncate(n, a.sizeBytes(), b, now);
                if (!c.isRoot()) {
                    killSuidGid(b);
                }
            }
            if (a.atimeNow() || a.atime() != null || a.mtimeNow() || a.mtime() != null) {
                // With the writeback cache (the request carries a ctime) the kernel keeps mtime itself:
                // for UTIME_NOW and for the mtime a truncate moves it sends its own clock as an explicit
                // mtime, which is then not the caller's choice, and it has already applied the owner
                // rule for explicit times (setattr_prepare, default_permissions). An explicit atime it
                // never fills in itself, so that one is still checked here.
                boolean kernelMtime = a.ctime() != null;
                boolean explicit = (a.atime() != null && !a.atimeNow())
                        || (a.mtime() != null && !a.mtimeNow() && !kernelMtime);
                if (explicit && !owner) {
                    throw new FsException.NotPermitted("setting explicit times on inode " + ino + " by uid " + c.uid());
                }
                if (a.atimeNow()) {
                    b.atime(now);
                } else if (a.atime() != null) {
                    b.atime(a.atime());
                }
                if (a.mtimeNow()) {
                    b.mtime(now);
                } else if (a.mtime() != null) {
                    b.mtime(a.mtime());
                }
            }
            if (a.killSuidGid() && !r.isDirectory()) {
                killSuidGid(b);
            }
            b.ctime(a.ctime() != null ? a.ctime() : now);
            if (a.mode() != null || a.uid() != null || a.gid() != null || a.atimeNow() || a.atime() != null
                    || a.mtimeNow() || a.mtime() != null) {
                s.tier.onAttrs(s.tierChange(t), t.pending(ino));
            }
            s.commit(t);
            if (n.local != null && (a.mtime() != null || a.mtimeNow() || a.sizeBytes() != null)) {
                // From now on only a new write moves mtime again.
                n.lastLocalMtime = n.local.stat().mtime();
            }
            return s.attr(n);
        }
    }

    private void truncate(Node n, long size, InodeRecord.Builder b, Timespec now) throws FsException {
        InodeRecord r = n.rec;
        if (r.isDirectory()) {
            throw new FsException.IsADirectory("truncate of directory " + n.ino);
        }
        if (!r.isRegular()) {
            throw new FsException.InvalidArgument("truncate of a " + r.type() + " (inode " + n.ino + ")");
        }
        if (size < 0) {
            throw new FsException.InvalidArgument("negative size " + size);
        }
        if (size > s.options.maxFileSizeBytes()) {
            throw new FsException.FileTooBig(size + " bytes (limit " + s.options.maxFileSizeBytes() + ")");
        }
        if (n.local != null) {
            n.local.truncate(size);
            n.allocatedBytes = -1;
        } else {
            try (LocalFile f = s.data.open(n.ino)) {
                f.truncate(size);
            }
            n.allocatedBytes = -1;
        }
        // POSIX updates mtime and ctime only when the size changes; Linux always does for truncate(2)
        // and O_TRUNC, and the kernel tells us via FATTR_MTIME when it wants it. We follow Linux.
        b.sizeBytes(size).modified(now);
    }

    static void killSuidGid(InodeRecord.Builder b) {
        int mode = b.mode() & ~S_ISUID;
        if ((mode & S_IXGRP) != 0) {
            mode &= ~S_ISGID; // without group-exec, setgid marks mandatory locking and stays
        }
        b.mode(mode);
    }

    byte[] readlink(long ino) throws FsException {
        InodeRecord r = s.record(ino);
        if (r.type() != FileType.SYMLINK) {
            throw new FsException.InvalidArgument("inode " + ino + " is not a symlink");
        }
        return r.target().clone();
    }

    StatFs statfs() throws FsException {
        DataStore.Space space = s.data.space();
        int bs = s.options.blockSize();
        long inodes;
        s.lock.lock();
        try {
            inodes = s.liveInodeCount();
        } finally {
            s.lock.unlock();
        }
        // The metadata store has no fixed inode table: report a large, stable pool.
        long freeFiles = Math.max(0, (1L << 32) - inodes);
        return new StatFs(space.totalBytes() / bs, space.freeBytes() / bs, space.availableBytes() / bs,
                inodes + freeFiles, freeFiles, bs, bs, 255);
    }

    void setxattr(Caller c, long ino, byte[] name, byte[] value, int flags) throws FsException {
        checkXattrName(name);
        String control = controlName(name);
        if (control != null && s.tier.setControl(c, ino, control, value) == Tiering.ControlResult.HANDLED) {
            return;
        }
        if (value.length > XATTR_SIZE_MAX) {
            throw new FsException.Other(Errno.E2BIG, "xattr value of " + value.length + " bytes");
        }
        if ((flags & ~(PosixFileSystem.XATTR_CREATE | PosixFileSystem.XATTR_REPLACE)) != 0) {
            throw new FsException.InvalidArgument("setxattr flags " + flags);
        }
        s.lock.lock();
        try {
            s.live(ino);
            boolean exists = s.meta.xattr(ino, name).isPresent();
            if ((flags & PosixFileSystem.XATTR_CREATE) != 0 && exists) {
                throw new FsException.AlreadyExists("xattr " + new String(name, StandardCharsets.UTF_8));
            }
            if ((flags & PosixFileSystem.XATTR_REPLACE) != 0 && !exists) {
                throw new FsException.NoData(new String(name, StandardCharsets.UTF_8));
            }
            Txn t = s.txn();
            t.putXattr(ino, name.clone(), value.clone());
            t.edit(ino).ctime(s.now());
            s.commit(t);
        } finally {
            s.lock.unlock();
        }
    }

    byte[] getxattr(long ino, byte[] name) throws FsException {
        checkXattrName(name);
        s.record(ino);
        String control = controlName(name);
        if (control != null) {
            java.util.Optional<byte[]> v = s.tier.getControl(ino, control);
            if (v.isPresent()) {
                return v.get();
            }
        }
        return s.meta.xattr(ino, name)
                .orElseThrow(() -> new FsException.NoData(new String(name, StandardCharsets.UTF_8)));
    }

    List<byte[]> listxattr(long ino) throws FsException {
        s.record(ino);
        List<byte[]> names = new java.util.ArrayList<>(s.meta.xattrNames(ino));
        names.removeIf(n -> {
            String control = controlName(n);
            return control != null && s.tier.hiddenAttribute(control);
        });
        return names;
    }

    void removexattr(long ino, byte[] name) throws FsException {
        checkXattrName(name);
        s.lock.lock();
        try {
            s.live(ino);
            if (s.meta.xattr(ino, name).isEmpty()) {
                throw new FsException.NoData(new String(name, StandardCharsets.UTF_8));
            }
            Txn t = s.txn();
            t.deleteXattr(ino, name.clone());
            t.edit(ino).ctime(s.now());
            s.commit(t);
        } finally {
            s.lock.unlock();
        }
        String control = controlName(name);
        if (control != null) {
            s.tier.controlRemoved(ino, control);
        }
    }

    /** The name as a string if it is a control attribute's, else null. */
    private static String controlName(byte[] name) {
        String n = new String(name, StandardCharsets.UTF_8);
        return n.startsWith(CONTROL_PREFIX) ? n : null;
    }

    /**
     * Names must be 1..255 bytes in a namespace Linux knows. POSIX ACLs (system.posix_acl_*) are not
     * supported: answering EOPNOTSUPP makes the kernel fall back to the mode bits.
     */
    private static void checkXattrName(byte[] name) throws FsException {
        if (name.length == 0 || name.length > XATTR_NAME_MAX) {
            throw new FsException.OutOfRange("xattr name of " + name.length + " bytes");
        }
        String n = new String(name, StandardCharsets.ISO_8859_1);
        if (!(n.startsWith("user.") || n.startsWith("trusted.") || n.startsWith("security."))) {
            throw new FsException.NotSupported("xattr namespace of '" + new String(name, StandardCharsets.UTF_8) + "'");
        }
    }
}
