package dev.strata.core.fs;

import dev.strata.core.Clock;
import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.Timespec;
import dev.strata.core.data.DataStore;
import dev.strata.core.data.LocalFile;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mark;
import dev.strata.core.meta.MetadataStore;
import dev.strata.core.meta.Mutation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state the engine's operation classes share.
 *
 * <h2>Concurrency</h2>
 * One lock, {@link #lock}, serializes every change to the namespace and to {@link Node} fields, and
 * every metadata commit; so commits reach the journal in the order their changes were decided, and
 * no operation sees another's half-made change. File data is read and written without it (the local
 * file is thread-safe); only the size/mtime bookkeeping after a write takes it, briefly. Creating a
 * file's data file (a create(2), as slow as the user's own create on a native disk) also runs
 * between two locked steps of {@code DataOps.create}, with the node pinned. The node map
 * is concurrent so that getattr can find a node without the lock; it is only modified under it.
 * Lock order: {@link #lock}, then any lock inside the stores. Nothing here calls out to the kernel.
 */
final class FsState {
    private static final Logger LOG = LoggerFactory.getLogger(FsState.class);

    static final String NEXT_INO = "next-ino";
    static final String INODES = "inodes";
    static final String FORMAT = "format-version";
    static final int FORMAT_VERSION = 1;

    static final int S_ISUID = 04000;
    static final int S_ISGID = 02000;
    static final int S_ISVTX = 01000;
    static final int S_IXGRP = 00010;
    /** Largest link count, as ext4 allows. */
    static final int MAX_LINKS = 65_000;
    /** Size reported for directories, as ext4 reports for small ones. */
    static final long DIRECTORY_SIZE = 4096;
    /** Largest symlink target (PATH_MAX - 1). */
    static final int MAX_SYMLINK_BYTES = 4095;

    final MetadataStore meta;
    final DataStore data;
    final Clock clock;
    final FsOptions options;
    final Tiering tier;
    final ReentrantLock lock = new ReentrantLock();
    final Map<Long, Node> nodes = new ConcurrentHashMap<>();
    final HandleTable handles;

    /** Guarded by {@link #lock}. */
    long nextIno;
    /** Guarded by {@link #lock}. */
    long inodeCount;
    /**
     * Work that needs no commit of its own and rides along with the next one (or the background
     * flush): operations decided earlier, and nodes whose in-memory record is ahead of the store.
     * A crash before that commit loses none of it that matters: the ORPHAN and OPEN_FOR_WRITE marks,
     * committed when they were set, make recovery redo it. Guarded by {@link #lock}.
     */
    final List<Mutation.Op> deferred = new ArrayList<>();
    final java.util.Set<Node> lazilyDirty = new java.util.LinkedHashSet<>();
    long deferredInodeDelta;

    FsState(MetadataStore meta, DataStore data, Clock clock, FsOptions options, Tiering tier) {
        this.tier = tier;
        this.meta = meta;
        this.data = data;
        this.clock = clock;
        this.options = options;
        this.handles = new HandleTable(options.maxOpenHandles());
    }

    Timespec now() {
        return clock.now();
    }

    /** The current record of {@code ino}: the node's if the inode is in memory, else the stored one. */
    InodeRecord record(long ino) throws FsException {
        Node n = nodes.get(ino);
        if (n != null) {
            return n.rec;
        }
        return meta.inode(ino).orElseThrow(() -> new FsException.NoSuchEntry("inode " + ino));
    }

    /** A directory that still exists, or the POSIX error for using {@code ino} as one. */
    InodeRecord directory(long ino) throws FsException {
        InodeRecord r = record(ino);
        if (!r.isDirectory()) {
            throw new FsException.NotADirectory("inode " + ino);
        }
        if (r.nlink() == 0) {
            throw new FsException.NoSuchEntry("directory " + ino + " was removed");
        }
        return r;
    }

    /** The node of {@code ino}, loading it into the table if needed. Caller holds the lock. */
    Node node(long ino) throws FsException {
        Node n = nodes.get(ino);
        if (n == null) {
            InodeRecord r = meta.inode(ino).orElseThrow(() -> new FsException.NoSuchEntry("inode " + ino));
            n = new Node(r);
            nodes.put(ino, n);
        }
        return n;
    }

    /** The node of an inode that still has a record (not freed), for operations that change it. */
    Node live(long ino) throws FsException {
        Node n = node(ino);
        if (n.purged) {
            throw new FsException.NoSuchEntry("inode " + ino + " has been removed");
        }
        return n;
    }

    /** Takes one kernel reference on {@code ino}. Caller holds the lock. */
    Node ref(long ino) throws FsException {
        Node n = node(ino);
        n.lookups++;
        return n;
    }

    /** Drops the node from the table if nothing refers to it any more. Caller holds the lock. */
    void maybeEvict(Node n) {
        if (n.unreferenced() && !n.dirty) {
            nodes.remove(n.ino, n);
        }
    }

    Txn txn() {
        return new Txn(this::record);
    }

    /** The tiering view of {@code t}, stamped now. */
    TierChange tierChange(Txn t) {
        Timespec now = now();
        return t.tierChange(now.seconds() * 1000 + now.nanos() / 1_000_000, nodes::get);
    }

    /**
     * Commits {@code t} with any deferred operations, then brings the in-memory nodes up to date.
     * Caller holds the lock. On failure nothing changed, in the store or in memory.
     */
    void commit(Txn t) throws FsException {
        if (t.isEmpty() && !hasDeferredWork()) {
            return;
        }
        for (Node n : lazilyDirty) {
            if (n.dirty && !n.purged && n.rec.nlink() > 0 && !t.deletedInodes().contains(n.ino)) {
                t.edit(n.ino); // the node's current record
            }
        }
        long delta = t.inodeDelta() + deferredInodeDelta;
        long inodes = inodeCount + delta;
        if (delta != 0) {
            t.setCounter(INODES, inodes);
        }
        Mutation m = t.toMutation(deferred);
        meta.commit(m);
        deferred.clear();
        deferredInodeDelta = 0;
        inodeCount = inodes;
        for (Map.Entry<Long, InodeRecord> e : t.results().entrySet()) {
            Node n = nodes.get(e.getKey());
            if (n != null) {
                n.rec = e.getValue();
                n.dirty = false;
            }
        }
        List<Node> flushed = List.copyOf(lazilyDirty);
        lazilyDirty.clear();
        for (Runnable r : t.afterCommitActions()) {
            r.run();
        }
        for (Node n : flushed) {
            maybeEvict(n);
        }
    }

    /** Commits deferred work now, if there is any. Takes the namespace lock. */
    void commitDeferred() throws FsException {
        lock.lock();
        try {
            if (hasDeferredWork()) {
                commit(txn());
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean hasDeferredWork() {
        return !deferred.isEmpty() || !lazilyDirty.isEmpty() || deferredInodeDelta != 0;
    }

    /** Persists the node's in-memory record with the next commit. Caller holds the lock. */
    void persistLater(Node n) {
        lazilyDirty.add(n);
    }

    /** The number of inodes, counting work not yet committed. Caller holds the lock. */
    long liveInodeCount() {
        return inodeCount + deferredInodeDelta;
    }

    /** A fresh inode number, recorded in {@code t} so a crash never hands it out twice. */
    long allocateIno(Txn t) {
        long ino = nextIno++;
        t.setCounter(NEXT_INO, nextIno);
        return ino;
    }

    /**
     * Folds changes made to the local data behind the engine's back (FUSE passthrough writes, or
     * our own writes whose mtime the device chose) into the node: size always, mtime and ctime when
     * the data's modification time moved. Caller holds the lock; {@code n.local} is open.
     */
    void refreshFromLocal(Node n) throws FsException {
        LocalFile.Stat st = n.local.stat();
        n.allocatedBytes = st.allocatedBytes();
        n.localChanged = false;
        InodeRecord r = n.rec;
        boolean sizeMoved = st.sizeBytes() != r.sizeBytes();
        boolean timeMoved = n.lastLocalMtime == null || !st.mtime().equals(n.lastLocalMtime);
        if (!sizeMoved && !timeMoved) {
            return;
        }
        InodeRecord.Builder b = r.toBuilder().sizeBytes(st.sizeBytes());
        if (timeMoved) {
            b.mtime(st.mtime());
            if (st.mtime().isAfter(r.ctime())) {
                b.ctime(st.mtime());
            }
            n.lastLocalMtime = st.mtime();
        }
        n.rec = b.build();
        n.dirty = true;
    }

    /** Whether the node's data may have changed without the engine having looked. */
    static boolean needsRefresh(Node n) {
        return n.local != null && (n.localChanged || (n.writers > 0 && n.local.nativeFd() >= 0));
    }

    /** Opens the node's local data if it is not open yet. Caller holds the lock. */
    void openLocal(Node n) throws FsException {
        if (n.local != null) {
            return;
        }
        adoptLocal(n, data.open(n.ino));
    }

    /**
     * Makes {@code f}, opened by the caller (possibly without the lock), the node's local data; if
     * another thread attached one in the meantime, {@code f} is closed and that one is kept. Caller
     * holds the lock.
     */
    void adoptLocal(Node n, LocalFile f) throws FsException {
        if (n.local != null) {
            f.close();
            return;
        }
        try {
            LocalFile.Stat st = f.stat();
            n.lastLocalMtime = st.mtime();
            n.allocatedBytes = st.allocatedBytes();
            if (n.rec.has(InodeRecord.FLAG_RELEASED) && st.sizeBytes() != n.rec.sizeBytes()) {
                // Released (or imported and never read): the local file is just a hole of the
                // file's size, made on first use.
                f.truncate(n.rec.sizeBytes());
                st = f.stat();
            }
            if (st.sizeBytes() != n.rec.sizeBytes()) {
                // Only after a crash without recovery, or if someone touched the data directory:
                // the bytes on disk are what readers (and passthrough) will see, so they win.
                LOG.warn("inode {}: recorded size {} but local data holds {} bytes; using the local size",
                        n.ino, n.rec.sizeBytes(), st.sizeBytes());
                n.rec = n.rec.toBuilder().sizeBytes(st.sizeBytes()).build();
                n.dirty = true;
            }
        } catch (FsException | RuntimeException e) {
            f.close();
            throw e;
        }
        n.local = f;
    }

    /** Closes the node's local data after its last handle. Caller holds the lock. */
    void closeLocal(Node n) {
        if (n.local != null) {
            n.local.close();
            n.local = null;
            n.localChanged = false;
        }
    }

    /**
     * Frees an inode whose last link is gone and whose last handle is closed: data first, then (with
     * the next commit) the record, which also clears its ORPHAN mark. A crash in between leaves the
     * mark, and recovery finishes the job. Caller holds the lock.
     */
    void purge(Node n) throws FsException {
        if (n.rec.isRegular()) {
            data.delete(n.ino);
        }
        deferred.add(new Mutation.DeleteInode(n.ino));
        deferredInodeDelta--;
        n.purged = true;
        n.dirty = false;
    }

    /**
     * Frees an inode that has lost its last link once nothing refers to it any more: no open handle
     * and no kernel reference. The kernel may still use an inode it holds a reference to (an open()
     * whose path walk found the name just before a rename replaced it must succeed), so freeing
     * waits for FORGET as well as for the last RELEASE. The record's deletion rides along with the
     * next commit; until then its ORPHAN mark stands for it. Caller holds the lock.
     */
    void purgeIfUnused(Node n) throws FsException {
        if (!n.purged && n.rec.nlink() == 0 && n.unreferenced()) {
            purge(n);
        }
    }

    /** Frees the data of an inode already deleted in the store; failures leave the mark for recovery. */
    void deleteDataLater(long ino) {
        try {
            data.delete(ino);
            deferred.add(new Mutation.RemoveMark(Mark.ORPHAN, ino));
        } catch (FsException e) {
            LOG.warn("could not free the data of deleted inode {} ({}); it is freed at the next start", ino,
                    e.getMessage());
        }
    }

    Attr attr(Node n) throws FsException {
        InodeRecord r = n.rec;
        long allocated = n.allocatedBytes;
        if (r.isRegular() && allocated < 0) {
            if (n.local != null) {
                allocated = n.local.stat().allocatedBytes();
            } else {
                allocated = data.stat(n.ino).map(LocalFile.Stat::allocatedBytes).orElse(0L);
            }
            n.allocatedBytes = allocated;
        }
        return attr(r, allocated);
    }

    Attr attr(InodeRecord r, long allocatedBytes) {
        long blocks = allocatedBytes >= 0 ? allocatedBytes / 512
                : r.type() == FileType.DIRECTORY ? DIRECTORY_SIZE / 512 : 0;
        return new Attr(r.ino(), r.mode(), r.nlink(), r.uid(), r.gid(), r.rdev(), r.sizeBytes(), blocks,
                r.atime(), r.mtime(), r.ctime(), options.blockSize());
    }

    /**
     * The entry the kernel caches for {@code n} (lookup, readdirplus, create, link). Caller holds the
     * lock. Refreshed from the local data first like getattr: the kernel takes the size from every
     * entry reply, so a stale one would shrink the size it shows for a file being written through
     * passthrough until the attribute timeout.
     */
    Entry entry(Node n) throws FsException {
        if (needsRefresh(n)) {
            refreshFromLocal(n);
        }
        return new Entry(n.ino, 0, attr(n));
    }
}
