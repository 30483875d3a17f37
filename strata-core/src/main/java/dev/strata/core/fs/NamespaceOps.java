package dev.strata.core.fs;

import static dev.strata.core.fs.FsState.MAX_LINKS;
import static dev.strata.core.fs.FsState.S_ISGID;
import static dev.strata.core.fs.FsState.S_ISVTX;

import dev.strata.core.Caller;
import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.Timespec;
import dev.strata.core.meta.DirEntry;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mark;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Names: lookup, creation, removal, rename, links and listings. Every method takes the namespace lock. */
final class NamespaceOps {
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceOps.class);

    private final FsState s;

    NamespaceOps(FsState s) {
        this.s = s;
    }

    Entry lookup(long parent, Name name) throws FsException {
        s.lock.lock();
        try {
            s.directory(parent);
            DirEntry e = s.meta.entry(parent, name).orElseThrow(() -> new FsException.NoSuchEntry(name.toString()));
            return s.entry(s.ref(e.ino()));
        } finally {
            s.lock.unlock();
        }
    }

    void forget(long ino, long nlookup) {
        s.lock.lock();
        try {
            Node n = s.nodes.get(ino);
            if (n == null) {
                return;
            }
            n.lookups = Math.max(0, n.lookups - nlookup);
            s.purgeIfUnused(n);
            s.maybeEvict(n);
        } catch (FsException e) {
            // FORGET has no reply; the ORPHAN mark makes the next start free the inode.
            LOG.warn("freeing unlinked inode {} after FORGET failed: {}", ino, e.getMessage());
        } finally {
            s.lock.unlock();
        }
    }

    /**
     * Creates a new inode named {@code name} in {@code parent} and takes one kernel reference on it.
     * Caller holds the lock.
     *
     * @param mode type and permission bits, the umask already applied
     * @param writer the new file is opened for writing in the same step (create): mark it so a crash
     *               refreshes its size from the local data
     */
    Node createNode(Caller c, long parent, Name name, int mode, long rdev, byte[] target, boolean writer)
            throws FsException {
        InodeRecord dir = s.directory(parent);
        if (s.meta.entry(parent, name).isPresent()) {
            throw new FsException.AlreadyExists(name.toString());
        }
        FileType type = FileType.fromMode(mode);
        if (type == FileType.DIRECTORY && dir.nlink() >= MAX_LINKS) {
            throw new FsException.TooManyLinks("directory " + parent + " has " + dir.nlink() + " links");
        }
        Timespec now = s.now();
        // BSD group semantics of a setgid directory: the new inode takes the directory's group and
        // a new subdirectory inherits the setgid bit. The kernel does not do this for FUSE.
        boolean setgidDir = (dir.mode() & S_ISGID) != 0;
        int gid = setgidDir ? dir.gid() : c.gid();
        if (setgidDir && type == FileType.DIRECTORY) {
            mode |= S_ISGID;
        }
        Txn t = s.txn();
        long ino = s.allocateIno(t);
        InodeRecord rec = new InodeRecord.Builder()
                .ino(ino).mode(mode).uid(c.uid()).gid(gid)
                .nlink(type == FileType.DIRECTORY ? 2 : 1)
                .sizeBytes(switch (type) {
                    case DIRECTORY -> FsState.DIRECTORY_SIZE;
                    case SYMLINK -> target.length;
                    default -> 0;
                })
                .rdev(type == FileType.CHAR_DEVICE || type == FileType.BLOCK_DEVICE ? rdev : 0)
                .atime(now).mtime(now).ctime(now).btime(now)
                .parent(parent)
                .nextCookie(type == FileType.DIRECTORY ? InodeRecord.FIRST_COOKIE : 0)
                .target(target)
                .build();
        t.create(rec);
        t.adjustInodes(1);
        addEntry(t, parent, name, ino, type, now);
        if (type == FileType.DIRECTORY) {
            InodeRecord.Builder d = t.edit(parent);
            d.nlink(d.nlink() + 1);
        }
        if (writer) {
            t.addMark(Mark.OPEN_FOR_WRITE, ino);
        }
        s.tier.onCreate(s.tierChange(t), parent, name, rec);
        if (type == FileType.REGULAR) {
            t.edit(ino).flag(InodeRecord.FLAG_DIRTY, true); // the tier has just been told of its data
        }
        InodeRecord created = t.pending(ino);
        s.commit(t);
        Node n = new Node(created);
        n.lookups = 1;
        s.nodes.put(ino, n);
        return n;
    }

    /** See {@link TierHost#importChildren}. */
    int importChildren(long parent, List<TierHost.NewChild> children, TierHost.ChildHook hook,
            java.util.function.BooleanSupplier stillValid) throws FsException {
        s.lock.lock();
        try {
            InodeRecord dir;
            try {
                dir = s.directory(parent);
            } catch (FsException.NoSuchEntry | FsException.NotADirectory e) {
                return 0;
            }
            if (!stillValid.getAsBoolean()) {
                return 0;
            }
            Timespec now = s.now();
            Txn t = s.txn();
            int added = 0;
            java.util.Set<Name> seen = new java.util.HashSet<>();
            for (TierHost.NewChild child : children) {
                if (!seen.add(child.name()) || s.meta.entry(parent, child.name()).isPresent()) {
                    continue;
                }
                if (child.directory() && dir.nlink() + added >= MAX_LINKS) {
                    continue;
                }
                FileType type = child.directory() ? FileType.DIRECTORY : FileType.REGULAR;
                long ino = s.allocateIno(t);
                InodeRecord rec = new InodeRecord.Builder()
                        .ino(ino).mode(type.modeBits() | (child.mode() & 07777)).uid(child.uid()).gid(child.gid())
                        .nlink(child.directory() ? 2 : 1)
                        .sizeBytes(child.directory() ? FsState.DIRECTORY_SIZE : child.sizeBytes())
                        .atime(child.mtime()).mtime(child.mtime()).ctime(now).btime(now)
                        .parent(parent)
                        .nextCookie(child.directory() ? InodeRecord.FIRST_COOKIE : 0)
                        .flags(child.directory() ? 0 : InodeRecord.FLAG_RELEASED)
                        .build();
                t.create(rec);
                t.adjustInodes(1);
                addEntry(t, parent, child.name(), ino, type, now);
                if (child.directory()) {
                    InodeRecord.Builder d = t.edit(parent);
                    d.nlink(d.nlink() + 1);
                }
                hook.created(s.tierChange(t), ino, child);
                added++;
            }
            if (added > 0) {
                s.commit(t);
            }
            return added;
        } finally {
            s.lock.unlock();
        }
    }

    Entry mknod(Caller c, long parent, Name name, int mode, long rdev) throws FsException {
        FileType type = FileType.fromMode(mode);
        if (type == FileType.DIRECTORY || type == FileType.SYMLINK) {
            throw new FsException.InvalidArgument("mknod cannot make a " + type);
        }
        s.lock.lock();
        try {
            return s.entry(createNode(c, parent, name, mode, rdev, null, false));
        } finally {
            s.lock.unlock();
        }
    }

    Entry mkdir(Caller c, long parent, Name name, int mode) throws FsException {
        s.lock.lock();
        try {
            int m = FileType.DIRECTORY.modeBits() | (mode & 07777);
            return s.entry(createNode(c, parent, name, m, 0, null, false));
        } finally {
            s.lock.unlock();
        }
    }

    Entry symlink(Caller c, long parent, Name name, byte[] target) throws FsException {
        if (target.length == 0) {
            throw new FsException.NoSuchEntry("empty symlink target");
        }
        if (target.length > FsState.MAX_SYMLINK_BYTES) {
            throw new FsException.NameTooLong("symlink target of " + target.length + " bytes");
        }
        s.lock.lock();
        try {
            return s.entry(createNode(c, parent, name, FileType.SYMLINK.modeBits() | 0777, 0, target.clone(), false));
        } finally {
            s.lock.unlock();
        }
    }

    void unlink(Caller c, long parent, Name name) throws FsException {
        s.lock.lock();
        try {
            InodeRecord dir = s.directory(parent);
            DirEntry e = s.meta.entry(parent, name).orElseThrow(() -> new FsException.NoSuchEntry(name.toString()));
            if (e.type() == FileType.DIRECTORY) {
                throw new FsException.IsADirectory(name.toString());
            }
            InodeRecord victim = s.record(e.ino());
            checkSticky(c, dir, victim);
            Txn t = s.txn();
            Timespec now = s.now();
            s.tier.onRemove(s.tierChange(t), parent, name, victim);
            t.deleteEntry(parent, e);
            t.edit(parent).modified(now);
            dropLink(t, victim, now);
            s.commit(t);
        } finally {
            s.lock.unlock();
        }
    }

    void rmdir(Caller c, long parent, Name name) throws FsException {
        s.lock.lock();
        try {
            InodeRecord dir = s.directory(parent);
            DirEntry e = s.meta.entry(parent, name).orElseThrow(() -> new FsException.NoSuchEntry(name.toString()));
            if (e.type() != FileType.DIRECTORY) {
                throw new FsException.NotADirectory(name.toString());
            }
            InodeRecord victim = s.record(e.ino());
            if (!s.meta.list(e.ino(), 0, 1).isEmpty()) {
                throw new FsException.NotEmpty(name.toString());
            }
            checkSticky(c, dir, victim);
            Txn t = s.txn();
            Timespec now = s.now();
            s.tier.onRemove(s.tierChange(t), parent, name, victim);
            t.deleteEntry(parent, e);
            InodeRecord.Builder d = t.edit(parent);
            d.nlink(d.nlink() - 1).modified(now);
            dropLink(t, victim, now);
            s.commit(t);
        } finally {
            s.lock.unlock();
        }
    }

    Entry link(long ino, long newParent, Name newName) throws FsException {
        s.lock.lock();
        try {
            s.directory(newParent);
            InodeRecord r = s.record(ino);
            if (r.isDirectory()) {
                throw new FsException.NotPermitted("hard link to a directory");
            }
            if (r.nlink() == 0) {
                throw new FsException.NoSuchEntry("inode " + ino + " has been unlinked");
            }
            if (r.nlink() >= MAX_LINKS) {
                throw new FsException.TooManyLinks("inode " + ino + " has " + r.nlink() + " links");
            }
            if (s.meta.entry(newParent, newName).isPresent()) {
                throw new FsException.AlreadyExists(newName.toString());
            }
            Txn t = s.txn();
            Timespec now = s.now();
            addEntry(t, newParent, newName, ino, r.type(), now);
            InodeRecord.Builder b = t.edit(ino);
            b.nlink(b.nlink() + 1).ctime(now);
            s.commit(t);
            return s.entry(s.ref(ino));
        } finally {
            s.lock.unlock();
        }
    }

    void rename(Caller c, long parent, Name name, long newParent, Name newName, int flags) throws FsException {
        if ((flags & PosixFileSystem.RENAME_WHITEOUT) != 0) {
            throw new FsException.InvalidArgument("RENAME_WHITEOUT is not supported");
        }
        if ((flags & ~(PosixFileSystem.RENAME_NOREPLACE | PosixFileSystem.RENAME_EXCHANGE)) != 0
                || flags == (PosixFileSystem.RENAME_NOREPLACE | PosixFileSystem.RENAME_EXCHANGE)) {
            throw new FsException.InvalidArgument("rename flags " + flags);
        }
        boolean exchange = (flags & PosixFileSystem.RENAME_EXCHANGE) != 0;
        s.lock.lock();
        try {
            InodeRecord fromDir = s.directory(parent);
            InodeRecord toDir = s.directory(newParent);
            DirEntry src = s.meta.entry(parent, name).orElseThrow(() -> new FsException.NoSuchEntry(name.toString()));
            Optional<DirEntry> dstOpt = s.meta.entry(newParent, newName);
            if (exchange && dstOpt.isEmpty()) {
                throw new FsException.NoSuchEntry(newName.toString());
            }
            if ((flags & PosixFileSystem.RENAME_NOREPLACE) != 0 && dstOpt.isPresent()) {
                throw new FsException.AlreadyExists(newName.toString());
            }
            if (dstOpt.isPresent() && dstOpt.get().ino() == src.ino()) {
                return; // POSIX: both names are links to the same file; nothing happens
            }
            boolean srcIsDir = src.type() == FileType.DIRECTORY;
            if (srcIsDir && parent != newParent && isAncestorOrSelf(src.ino(), newParent)) {
                throw new FsException.InvalidArgument("cannot move a directory into itself");
            }
            InodeRecord srcRec = s.record(src.ino());
            checkSticky(c, fromDir, srcRec);
            Timespec now = s.now();
            Txn t = s.txn();
            if (exchange) {
                DirEntry dst = dstOpt.get();
                boolean dstIsDir = dst.type() == FileType.DIRECTORY;
                if (dstIsDir && parent != newParent && isAncestorOrSelf(dst.ino(), parent)) {
                    throw new FsException.InvalidArgument("cannot move a directory into itself");
                }
                InodeRecord dstRec = s.record(dst.ino());
                checkSticky(c, toDir, dstRec);
                s.tier.onExchange(s.tierChange(t), parent, name, srcRec, newParent, newName, dstRec);
                exchange(t, parent, src, newParent, dst, now);
            } else {
                if (dstOpt.isPresent()) {
                    DirEntry dst = dstOpt.get();
                    boolean dstIsDir = dst.type() == FileType.DIRECTORY;
                    if (srcIsDir && !dstIsDir) {
                        throw new FsException.NotADirectory(newName.toString());
                    }
                    if (!srcIsDir && dstIsDir) {
                        throw new FsException.IsADirectory(newName.toString());
                    }
                    if (dstIsDir && !s.meta.list(dst.ino(), 0, 1).isEmpty()) {
                        throw new FsException.NotEmpty(newName.toString());
                    }
                    InodeRecord victim = s.record(dst.ino());
                    checkSticky(c, toDir, victim);
                    s.tier.onRemove(s.tierChange(t), newParent, newName, victim);
                    t.deleteEntry(newParent, dst);
                    if (dstIsDir) {
                        InodeRecord.Builder d = t.edit(newParent);
                        d.nlink(d.nlink() - 1);
                    }
                    dropLink(t, victim, now);
                } else if (srcIsDir && parent != newParent && toDir.nlink() >= MAX_LINKS) {
                    throw new FsException.TooManyLinks("directory " + newParent);
                }
                s.tier.onRename(s.tierChange(t), parent, name, newParent, newName, srcRec);
                t.deleteEntry(parent, src);
                t.edit(parent).modified(now);
                addEntry(t, newParent, newName, src.ino(), src.type(), now);
                moved(t, src, parent, newParent, now);
            }
            s.commit(t);
        } finally {
            s.lock.unlock();
        }
    }

    /** Swaps the inodes behind two names; each name keeps its readdir cookie. */
    private void exchange(Txn t, long parent, DirEntry src, long newParent, DirEntry dst, Timespec now)
            throws FsException {
        t.putEntry(parent, new DirEntry(src.name(), dst.ino(), dst.type(), src.cookie()));
        t.putEntry(newParent, new DirEntry(dst.name(), src.ino(), src.type(), dst.cookie()));
        t.edit(parent).modified(now);
        t.edit(newParent).modified(now);
        moved(t, src, parent, newParent, now);
        moved(t, dst, newParent, parent, now);
    }

    /** Bookkeeping for an inode that moved from one directory to another: parent, link counts, ctime. */
    private void moved(Txn t, DirEntry e, long from, long to, Timespec now) throws FsException {
        InodeRecord.Builder b = t.edit(e.ino());
        b.ctime(now);
        if (from == to) {
            return;
        }
        b.parent(to);
        if (e.type() == FileType.DIRECTORY) {
            InodeRecord.Builder f = t.edit(from);
            f.nlink(f.nlink() - 1);
            InodeRecord.Builder d = t.edit(to);
            d.nlink(d.nlink() + 1);
        }
    }

    /** Adds a name to {@code parent} with the directory's next cookie, updating its times. */
    private void addEntry(Txn t, long parent, Name name, long ino, FileType type, Timespec now) throws FsException {
        InodeRecord.Builder d = t.edit(parent);
        long cookie = d.nextCookie();
        d.nextCookie(cookie + 1).modified(now);
        t.putEntry(parent, new DirEntry(name, ino, type, cookie));
    }

    /**
     * Removes one link of {@code victim}. At zero links the inode is freed now, or, if still open or
     * still referenced by the kernel, marked as an orphan to be freed once neither is true
     * ({@link FsState#purgeIfUnused}) or at restart.
     */
    private void dropLink(Txn t, InodeRecord victim, Timespec now) throws FsException {
        long ino = victim.ino();
        int links = victim.isDirectory() ? 0 : victim.nlink() - 1;
        Node n = s.nodes.get(ino);
        if (links > 0) {
            t.edit(ino).nlink(links).ctime(now);
            return;
        }
        if (n != null && (n.opens > 0 || n.lookups > 0)) {
            t.edit(ino).nlink(0).ctime(now);
            t.addMark(Mark.ORPHAN, ino);
            return;
        }
        t.delete(ino);
        t.adjustInodes(-1);
        if (victim.isRegular()) {
            // The record goes now; the data file right after the commit. The mark covers a crash
            // in between and is dropped with the next commit.
            t.addMark(Mark.ORPHAN, ino);
            t.afterCommit(() -> s.deleteDataLater(ino));
        }
        if (n != null) {
            InodeRecord gone = victim.toBuilder().nlink(0).ctime(now).build();
            t.afterCommit(() -> {
                n.rec = gone;
                n.purged = true;
            });
        }
    }

    /** Whether {@code ancestor} is {@code ino} or one of the directories above it. */
    private boolean isAncestorOrSelf(long ancestor, long ino) throws FsException {
        long cur = ino;
        for (int depth = 0; depth < 100_000; depth++) {
            if (cur == ancestor) {
                return true;
            }
            if (cur == PosixFileSystem.ROOT) {
                return false;
            }
            cur = s.record(cur).parent();
        }
        throw new FsException.IoFailure("directory parent chain from " + ino + " does not reach the root");
    }

    /** In a sticky directory only the owner of the entry, of the directory, or root may remove it. */
    private static void checkSticky(Caller c, InodeRecord dir, InodeRecord victim) throws FsException {
        if ((dir.mode() & S_ISVTX) != 0 && !c.isRoot() && c.uid() != victim.uid() && c.uid() != dir.uid()) {
            throw new FsException.NotPermitted("sticky directory " + dir.ino());
        }
    }

    void readdir(long ino, long offset, DirSink sink) throws FsException {
        InodeRecord dir = s.directory(ino);
        if (offset < 1 && !sink.add(DOT, ino, FileType.DIRECTORY, 1)) {
            return;
        }
        if (offset < 2 && !sink.add(DOTDOT, dir.parent(), FileType.DIRECTORY, 2)) {
            return;
        }
        long after = Math.max(offset, 2);
        while (true) {
            List<DirEntry> batch = s.meta.list(ino, after, s.options.readdirBatch());
            for (DirEntry e : batch) {
                if (!sink.add(e.name().unsafeBytes(), e.ino(), e.type(), e.cookie())) {
                    return;
                }
                after = e.cookie();
            }
            if (batch.size() < s.options.readdirBatch()) {
                return;
            }
        }
    }

    void readdirplus(long ino, long offset, DirPlusSink sink) throws FsException {
        s.lock.lock();
        try {
            InodeRecord dir = s.directory(ino);
            if (offset < 1 && !sink.add(DOT, null, FileType.DIRECTORY.direntType(), ino, 1)) {
                return;
            }
            if (offset < 2 && !sink.add(DOTDOT, null, FileType.DIRECTORY.direntType(), dir.parent(), 2)) {
                return;
            }
            long after = Math.max(offset, 2);
            while (true) {
                List<DirEntry> batch = s.meta.list(ino, after, s.options.readdirBatch());
                for (DirEntry e : batch) {
                    Node n = s.node(e.ino());
                    if (!sink.add(e.name().unsafeBytes(), s.entry(n), e.type().direntType(), e.ino(), e.cookie())) {
                        s.maybeEvict(n);
                        return;
                    }
                    n.lookups++;
                    after = e.cookie();
                }
                if (batch.size() < s.options.readdirBatch()) {
                    return;
                }
            }
        } finally {
            s.lock.unlock();
        }
    }

    private static final byte[] DOT = {'.'};
    private static final byte[] DOTDOT = {'.', '.'};
}
