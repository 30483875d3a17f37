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
        for (int attempt = 0; ; attempt++) {
            s.lock.lock();
            try {
                Node n = s.live(ino);
                if (!needsRestore(n.rec, flags)) {
                    return openNode(c, n, flags, false);
                }
            } finally {
                s.lock.unlock();
            }
            restoreBeforeChange(ino, attempt);
        }
    }

    /** Whether opening {@code r} with {@code flags} may change its data while only the capacity tier holds it. */
    static boolean needsRestore(InodeRecord r, int flags) {
        return r.has(InodeRecord.FLAG_RELEASED) && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0);
    }

    /**
     * Brings a released file back before a change of its data (called without the lock). A release
     * racing in between sends the caller round again; a few rounds mean something keeps releasing it.
     */
    void restoreBeforeChange(long ino, int attempt) throws FsException {
        if (attempt >= 3) {
            throw new FsException.Other(dev.strata.core.Errno.EBUSY,
                    "inode " + ino + " was released again each time it was restored for writing");
        }
        s.tier.restore(ino);
    }

    /**
     * Tells the capacity tier that the data of {@code n} changes, once per change after an archive
     * (then {@link InodeRecord#FLAG_DIRTY} stays set until the next archive). Caller holds the lock.
     */
    void noteDataChange(Node n) throws FsException {
        if (n.rec.has(InodeRecord.FLAG_DIRTY) || n.purged) {
            return;
        }
        Txn t = s.txn();
        noteDataChange(t, n.ino);
        s.commit(t);
    }

    /** The same, as part of {@code t}. */
    void noteDataChange(Txn t, long ino) throws FsException {
        InodeRecord current = t.pending(ino);
        if (current.has(InodeRecord.FLAG_DIRTY)) {
            return;
        }
        s.tier.onDataChange(s.tierChange(t), current);
        t.edit(ino).flag(InodeRecord.FLAG_DIRTY, true);
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
        Node n = null;
        for (int attempt = 0; n == null; attempt++) {
            long restore;
            s.lock.lock();
            try {
                Optional<dev.strata.core.meta.DirEntry> existing = s.meta.entry(parent, name);
                if (existing.isPresent()) {
                    restore = existing.get().ino();
                    if (!needsRestore(s.record(restore), flags)) {
                        return openExisting(c, restore, name, flags);
                    }
                } else {
                    boolean writer = (flags & O_ACCMODE) != O_RDONLY;
                    n = names.createNode(c, parent, name, FileType.REGULAR.modeBits() | (mode & 07777), 0, null,
                            writer);
                    n.opens++;
                    break;
                }
            } finally {
                s.lock.unlock();
            }
            restoreBeforeChange(restore, attempt);
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
                noteDataChange(t, n.ino);
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
        // A released file's bytes are in the capacity tier, not in the local file: no passthrough.
        boolean privileged = (n.rec.mode() & (S_ISUID | S_ISGID)) != 0;
        boolean released = n.rec.has(InodeRecord.FLAG_RELEASED);
        // keepCache off for released files: the object may have been replaced outside since.
        return new Opened(fh, privileged || released ? -1 : n.local.nativeFd(), !released);
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
        InodeRecord r = n.rec;
        int count = r.has(InodeRecord.FLAG_RELEASED) ? s.tier.readReleased(r, offset, dst) : n.local.read(offset, dst);
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
            noteDataChange(n);
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
        Handle.FileHandle h = s.handles.file(ino, fh);
        // Locally nothing to do: data is in the local file at once, attributes are persisted at
        // release and fsync, and the OPEN_FOR_WRITE mark recovers the size should the process die
        // before that. A path whose policy is sync archives now: close() returns after that.
        if (h.writable()) {
            s.lock.lock();
            try {
                noteUnseenWrites(h.node());
            } finally {
                s.lock.unlock();
            }
            s.tier.durable(ino, true);
        }
    }

    /**
     * Writes through passthrough after an archive that committed while the file was open for
     * writing (a sync close or fsync; a shell's redirection flushes once before it writes) never
     * reached the engine: if the local file's mtime or size moved since that archive, tell the
     * tier now. Caller holds the lock.
     */
    private void noteUnseenWrites(Node n) throws FsException {
        if (n.archivedLocalMtime == null || n.local == null || n.purged || n.rec.nlink() == 0) {
            return;
        }
        LocalFile.Stat st = n.local.stat();
        if (!st.mtime().equals(n.archivedLocalMtime) || st.sizeBytes() != n.archivedLocalSize) {
            n.archivedLocalMtime = null;
            s.refreshFromLocal(n);
            noteDataChange(n);
        }
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
            if (lastWriter) {
                noteUnseenWrites(n);
                n.archivedLocalMtime = null;
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
        if (!n.rec.has(InodeRecord.FLAG_RELEASED)) {
            n.local.sync(dataOnly);
        }
        s.data.syncNamespace();
        s.meta.sync();
        s.tier.durable(ino, false);
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
            noteDataChange(n);
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
        if (n.rec.has(InodeRecord.FLAG_RELEASED)) {
            // The local file is one hole; the data, as far as anyone here knows, is all data.
            return whence == 3 ? offset : n.rec.sizeBytes();
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
        if (src.rec.has(InodeRecord.FLAG_RELEASED)) {
            // The kernel copies through read and write instead.
            throw new FsException.NotSupported("copy_file_range from a released file");
        }
        long copied = src.local.copyTo(offIn, dst.local, offOut, length);
        if (copied > 0) {
            s.lock.lock();
            try {
                noteDataChange(dst);
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
