package dev.strata.core.fs;

import static dev.strata.core.fs.FsState.S_ISGID;
import static dev.strata.core.fs.FsState.S_ISUID;

import dev.strata.core.Caller;
import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.Timespec;
import dev.strata.core.data.LocalFile;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mark;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Open handles and file data: open, create, read, write, sync, release, and the range operations. */
final class DataOps {
    private static final Logger LOG = LoggerFactory.getLogger(DataOps.class);

    static final int O_ACCMODE = 3;
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_EXCL = 0200;
    static final int O_TRUNC = 01000;

    /** relatime: atime moves on read if it is older than mtime/ctime or than this. */
    private static final long RELATIME_SECONDS = 24 * 3600;

    private final FsState s;
    private final NamespaceOps names;

    DataOps(FsState s, NamespaceOps names) {
        this.s = s;
        this.names = names;
    }

    Opened open(Caller c, long ino, int flags) throws FsException {
        s.lock.lock();
        try {
            Node n = s.live(ino);
            return openNode(c, n, flags, false);
        } finally {
            s.lock.unlock();
        }
    }

    /**
     * Creates and opens a regular file in three steps, so that the slowest one — creating the data
     * file, a create(2) in the fast tier that costs as much as the user's own create on a native
     * file system — runs without the namespace lock and does not stall every other operation:
     * <ol>
     *   <li>under the lock: the namespace change is committed and the node pinned (one extra
     *       {@code opens}), so an unlink in the meantime leaves it an orphan instead of purging it;
     *   <li>without the lock: the data file is created;
     *   <li>under the lock: the data file is attached (unless a concurrent open of the new name got
     *       there first) and the handle opened.
     * </ol>
     * A crash between 1 and 2 leaves an inode without a data file, as a crash between the commit
     * and the data file's creation always could: its OPEN_FOR_WRITE mark makes recovery look at it.
     */
    Created create(Caller c, long parent, Name name, int mode, int flags) throws FsException {
        Node n;
        s.lock.lock();
        try {
            Optional<dev.strata.core.meta.DirEntry> existing = s.meta.entry(parent, name);
            if (existing.isPresent()) {
                return openExisting(c, existing.get().ino(), name, flags);
            }
            boolean writer = (flags & O_ACCMODE) != O_RDONLY;
            n = names.createNode(c, parent, name, FileType.REGULAR.modeBits() | (mode & 07777), 0, null, writer);
            n.opens++;
        } finally {
            s.lock.unlock();
        }
        LocalFile local;
        try {
            local = s.data.open(n.ino);
        } catch (FsException | RuntimeException e) {
            // The name stays, an empty file, as after a crash at this point (see above). The kernel
            // gets an error, not the entry, so the reference createNode took is given back.
            s.lock.lock();
            try {
                n.opens--;
                unref(n);
            } finally {
                s.lock.unlock();
            }
            throw e;
        }
        s.lock.lock();
        try {
            n.opens--;
            s.adoptLocal(n, local);
            return new Created(s.entry(n), openNode(c, n, flags & ~O_TRUNC, true));
        } catch (FsException | RuntimeException e) {
            unref(n);
            throw e;
        } finally {
            s.lock.unlock();
        }
    }

    /** Gives back a kernel reference that was never handed out, freeing the node if it was the last. */
    private void unref(Node n) {
        n.lookups--;
        try {
            s.purgeIfUnused(n);
        } catch (FsException e) {
            LOG.warn("freeing inode {} after a failed create: {}", n.ino, e.getMessage());
        }
        s.maybeEvict(n);
    }

    /**
     * The kernel sends CREATE only when it believes the name is free; with O_EXCL that is an error,
     * without it we open what is there, as open(O_CREAT) does. Caller holds the lock.
     */
    private Created openExisting(Caller c, long ino, Name name, int flags) throws FsException {
        if ((flags & O_EXCL) != 0) {
            throw new FsException.AlreadyExists(name.toString());
        }
        Node n = s.ref(ino);
        try {
            return new Created(s.entry(n), openNode(c, n, flags, false));
        } catch (FsException | RuntimeException e) {
            unref(n);
            throw e;
        }
    }

    /**
     * Opens a handle on {@code n}. Caller holds the lock.
     *
     * @param marked the OPEN_FOR_WRITE mark is already committed (create)
     */
    private Opened openNode(Caller c, Node n, int flags, boolean marked) throws FsException {
        InodeRecord r = n.rec;
        int acc = flags & O_ACCMODE;
        boolean readable = acc != O_WRONLY;
        boolean writable = acc != O_RDONLY;
        if (r.isDirectory()) {
            if (writable) {
                throw new FsException.IsADirectory("inode " + n.ino);
            }
            throw new FsException.InvalidArgument("directories are opened with opendir");
        }
        if (!r.isRegular()) {
            // FIFOs and devices are opened by the kernel itself; symlinks are never opened.
            throw new FsException.InvalidArgument("open of a " + r.type() + " (inode " + n.ino + ")");
        }
        Handle.FileHandle h = new Handle.FileHandle(n, readable, writable);
        long fh = s.handles.add(h);
        // Linux truncates on O_TRUNC whatever the access mode (O_RDONLY|O_TRUNC too); the kernel
        // has checked write permission for it already.
        boolean truncate = (flags & O_TRUNC) != 0;
        boolean firstWriter = writable && n.writers == 0 && !marked;
        // Count the handle before any commit: a commit may evict unreferenced nodes it flushed, and
        // this one must stay the node its handle points to.
        n.opens++;
        if (writable) {
            n.writers++;
        }
        try {
            s.openLocal(n);
            if (truncate || firstWriter) {
                Txn t = s.txn();
                if (firstWriter) {
                    t.addMark(Mark.OPEN_FOR_WRITE, n.ino);
                }
                if (truncate) {
                    n.local.truncate(0);
                    n.allocatedBytes = -1;
                    InodeRecord.Builder b = t.edit(n.ino);
                    b.sizeBytes(0).modified(s.now());
                    if (!c.isRoot()) {
                        AttrOps.killSuidGid(b);
                    }
                }
                s.commit(t);
                if (truncate) {
                    n.lastLocalMtime = n.local.stat().mtime();
                }
            }
        } catch (FsException | RuntimeException e) {
            s.handles.remove(fh);
            n.opens--;
            if (writable) {
                n.writers--;
            }
            if (n.opens == 0) {
                s.closeLocal(n);
            }
            throw e;
        }
        // A write by an unprivileged process must clear setuid/setgid (HANDLE_KILLPRIV_V2 leaves that
        // to us, flagged on each WRITE). Passthrough writes never reach the engine, so such files are
        // not offered for passthrough.
        boolean privileged = (n.rec.mode() & (S_ISUID | S_ISGID)) != 0;
        return new Opened(fh, privileged ? -1 : n.local.nativeFd(), true);
    }

    int read(long ino, long fh, long offset, MemorySegment dst) throws FsException {
        Handle.FileHandle h = s.handles.file(ino, fh);
        if (!h.readable()) {
            throw new FsException.BadHandle("handle " + fh + " is not open for reading");
        }
        if (offset < 0) {
            throw new FsException.InvalidArgument("negative offset " + offset);
        }
        Node n = h.node();
        int count = n.local.read(offset, dst);
        touchAtime(n);
        return count;
    }

    private void touchAtime(Node n) {
        InodeRecord r = n.rec;
        Timespec now = s.now();
        if (r.atime().isAfter(r.mtime()) && r.atime().isAfter(r.ctime())
                && now.seconds() - r.atime().seconds() < RELATIME_SECONDS) {
            return;
        }
        s.lock.lock();
        try {
            if (!n.purged) {
                n.rec = n.rec.toBuilder().atime(now).build();
                n.dirty = true;
            }
        } finally {
            s.lock.unlock();
        }
    }

    int write(long ino, long fh, long offset, MemorySegment src, boolean killSuidGid) throws FsException {
        Handle.FileHandle h = s.handles.file(ino, fh);
        if (!h.writable()) {
            throw new FsException.BadHandle("handle " + fh + " is not open for writing");
        }
        long len = src.byteSize();
        if (offset < 0) {
            throw new FsException.InvalidArgument("negative offset " + offset);
        }
        if (offset + len > s.options.maxFileSizeBytes() || offset + len < 0) {
            throw new FsException.FileTooBig("write up to " + (offset + len) + " bytes");
        }
        Node n = h.node();
        n.local.write(offset, src);
        s.lock.lock();
        try {
            InodeRecord r = n.rec;
            boolean grows = offset + len > r.sizeBytes();
            boolean kill = killSuidGid && (r.mode() & (S_ISUID | S_ISGID)) != 0;
            if (grows || kill) {
                InodeRecord.Builder b = r.toBuilder();
                if (grows) {
                    b.sizeBytes(offset + len);
                }
                if (kill) {
                    AttrOps.killSuidGid(b);
                    b.ctime(s.now());
                }
                n.rec = b.build();
            }
            n.localDataChanged();
        } finally {
            s.lock.unlock();
        }
        return (int) len;
    }

    void flush(long ino, long fh) throws FsException {
        s.handles.file(ino, fh);
        // Nothing to do: data is in the local file at once, attributes are persisted at release and
        // fsync, and the OPEN_FOR_WRITE mark recovers the size should the process die before that.
    }

    void release(long ino, long fh) {
        Handle h = s.handles.remove(fh);
        if (!(h instanceof Handle.FileHandle f)) {
            return;
        }
        s.lock.lock();
        try {
            Node n = f.node();
            if (f.writable()) {
                n.writers--;
            }
            boolean lastWriter = f.writable() && n.writers == 0;
            if (n.local != null && (lastWriter || FsState.needsRefresh(n))) {
                s.refreshFromLocal(n);
            }
            // Nothing here needs a commit of its own: the size and mtime ride along with the next
            // commit (or the background flush), together with the removal of the OPEN_FOR_WRITE
            // mark, which until then makes recovery take them from the local data.
            boolean live = !n.purged && n.rec.nlink() > 0;
            if (live && n.dirty) {
                s.persistLater(n);
            }
            if (live && lastWriter) {
                s.deferred.add(new dev.strata.core.meta.Mutation.RemoveMark(Mark.OPEN_FOR_WRITE, n.ino));
            }
            n.opens--;
            if (n.opens == 0) {
                s.closeLocal(n);
            }
            s.purgeIfUnused(n);
            s.maybeEvict(n);
        } catch (FsException | RuntimeException e) {
            // The kernel does not wait for RELEASE; what failed here is retried by recovery.
            LOG.warn("release of inode {} handle {} failed: {}", ino, fh, e.toString());
        } finally {
            s.lock.unlock();
        }
    }

    void fsync(long ino, long fh, boolean dataOnly) throws FsException {
        Handle.FileHandle h = s.handles.file(ino, fh);
        Node n = h.node();
        s.lock.lock();
        try {
            if (n.local != null) {
                s.refreshFromLocal(n);
            }
            Txn t = s.txn();
            if (n.dirty && !n.purged && n.rec.nlink() > 0) {
                t.edit(n.ino);
            }
            s.commit(t); // with any deferred work

        } finally {
            s.lock.unlock();
        }
        // Data before metadata, so the durable size never covers bytes that are not.
        n.local.sync(dataOnly);
        s.data.syncNamespace();
        s.meta.sync();
    }

    Opened opendir(long ino) throws FsException {
        s.lock.lock();
        try {
            Node n = s.live(ino);
            if (!n.rec.isDirectory()) {
                throw new FsException.NotADirectory("inode " + ino);
            }
            long fh = s.handles.add(new Handle.DirHandle(n));
            n.opens++;
            return new Opened(fh, -1, true);
        } finally {
            s.lock.unlock();
        }
    }

    void releasedir(long fh) {
        Handle h = s.handles.remove(fh);
        if (h instanceof Handle.DirHandle d) {
            s.lock.lock();
            try {
                d.node().opens--;
                s.purgeIfUnused(d.node());
                s.maybeEvict(d.node());
            } catch (FsException | RuntimeException e) {
                LOG.warn("releasedir of inode {} handle {} failed: {}", d.node().ino, fh, e.toString());
            } finally {
                s.lock.unlock();
            }
        }
    }

    void fsyncdir() throws FsException {
        s.commitDeferred();
        s.data.syncNamespace();
        s.meta.sync();
    }

    void fallocate(long ino, long fh, int mode, long offset, long length) throws FsException {
        Handle.FileHandle h = s.handles.file(ino, fh);
        if (!h.writable()) {
            throw new FsException.BadHandle("handle " + fh + " is not open for writing");
        }
        if (offset < 0 || length <= 0) {
            throw new FsException.InvalidArgument("fallocate range " + offset + "+" + length);
        }
        long end = offset + length;
        boolean keepSize = (mode & LocalFile.FALLOC_KEEP_SIZE) != 0;
        if (!keepSize && (end > s.options.maxFileSizeBytes() || end < 0)) {
            throw new FsException.FileTooBig("fallocate up to " + end + " bytes");
        }
        Node n = h.node();
        n.local.allocate(mode, offset, length);
        s.lock.lock();
        try {
            InodeRecord r = n.rec;
            InodeRecord.Builder b = r.toBuilder();
            if (!keepSize && end > r.sizeBytes()) {
                b.sizeBytes(end);
            }
            if ((mode & (LocalFile.FALLOC_PUNCH_HOLE | LocalFile.FALLOC_ZERO_RANGE)) != 0 || end > r.sizeBytes()) {
                b.modified(s.now());
            }
            n.rec = b.build();
            n.localDataChanged();
        } finally {
            s.lock.unlock();
        }
    }

    long lseek(long ino, long fh, long offset, int whence) throws FsException {
        Handle.FileHandle h = s.handles.file(ino, fh);
        if (whence != 3 && whence != 4) {
            throw new FsException.InvalidArgument("lseek whence " + whence + " (only SEEK_DATA, SEEK_HOLE)");
        }
        if (offset < 0) {
            throw new FsException.NoSuchAddress("negative offset " + offset);
        }
        Node n = h.node();
        if (offset >= n.rec.sizeBytes() && !FsState.needsRefresh(n)) {
            throw new FsException.NoSuchAddress("offset " + offset + " at or past end of file");
        }
        return n.local.seek(offset, whence);
    }

    long copyFileRange(long inoIn, long fhIn, long offIn, long inoOut, long fhOut, long offOut, long length)
            throws FsException {
        Handle.FileHandle in = s.handles.file(inoIn, fhIn);
        Handle.FileHandle out = s.handles.file(inoOut, fhOut);
        if (!in.readable() || !out.writable()) {
            throw new FsException.BadHandle("copy_file_range needs a readable source and a writable target");
        }
        if (offIn < 0 || offOut < 0 || length < 0) {
            throw new FsException.InvalidArgument("copy_file_range range");
        }
        if (inoIn == inoOut && offIn < offOut + length && offOut < offIn + length) {
            throw new FsException.InvalidArgument("copy_file_range within one file with overlapping ranges");
        }
        if (offOut + length > s.options.maxFileSizeBytes() || offOut + length < 0) {
            throw new FsException.FileTooBig("copy up to " + (offOut + length) + " bytes");
        }
        Node src = in.node();
        Node dst = out.node();
        long copied = src.local.copyTo(offIn, dst.local, offOut, length);
        if (copied > 0) {
            s.lock.lock();
            try {
                InodeRecord r = dst.rec;
                if (offOut + copied > r.sizeBytes()) {
                    dst.rec = r.toBuilder().sizeBytes(offOut + copied).build();
                }
                dst.localDataChanged();
            } finally {
                s.lock.unlock();
            }
            touchAtime(src);
        }
        return copied;
    }
}
