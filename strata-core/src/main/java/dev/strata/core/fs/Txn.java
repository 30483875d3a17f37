package dev.strata.core.fs;

import dev.strata.core.FsException;
import dev.strata.core.meta.DirEntry;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mark;
import dev.strata.core.meta.Mutation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The changes of one namespace operation, gathered so that each inode touched is edited through a
 * single builder and everything is committed as one atomic mutation.
 *
 * <p>Operation order inside the mutation: deferred operations of earlier work, entry and xattr
 * changes, inode records, inode deletions, then marks and counters — so a mark added for a deleted
 * inode (data still to free) survives the deletion.
 */
final class Txn {
    /** Loads the current record of an inode (from the node table or the store). */
    interface Loader {
        InodeRecord load(long ino) throws FsException;
    }

    private final Loader loader;
    private final Map<Long, InodeRecord.Builder> edits = new LinkedHashMap<>();
    private final Set<Long> deleted = new LinkedHashSet<>();
    private final Mutation head = new Mutation();
    private final List<Runnable> tail = new ArrayList<>();
    private final Mutation tailOps = new Mutation();
    private long inodeDelta;

    Txn(Loader loader) {
        this.loader = loader;
    }

    /** The builder of {@code ino}'s next record; the same builder for every call within this txn. */
    InodeRecord.Builder edit(long ino) throws FsException {
        InodeRecord.Builder b = edits.get(ino);
        if (b == null) {
            if (deleted.contains(ino)) {
                throw new IllegalStateException("inode " + ino + " edited after deletion in one txn");
            }
            b = loader.load(ino).toBuilder();
            edits.put(ino, b);
        }
        return b;
    }

    /** Adds a new inode. */
    void create(InodeRecord rec) {
        edits.put(rec.ino(), rec.toBuilder());
    }

    /** Removes an inode record (with its xattrs and marks). */
    void delete(long ino) {
        edits.remove(ino);
        deleted.add(ino);
    }

    void putEntry(long parent, DirEntry e) {
        head.putEntry(parent, e);
    }

    void deleteEntry(long parent, DirEntry e) {
        head.deleteEntry(parent, e);
    }

    void putXattr(long ino, byte[] name, byte[] value) {
        head.putXattr(ino, name, value);
    }

    void deleteXattr(long ino, byte[] name) {
        head.deleteXattr(ino, name);
    }

    void addMark(Mark mark, long ino) {
        tailOps.addMark(mark, ino);
    }

    void removeMark(Mark mark, long ino) {
        tailOps.removeMark(mark, ino);
    }

    void setCounter(String name, long value) {
        tailOps.setCounter(name, value);
    }

    /** Changes the count of inodes by {@code delta} when this txn commits. */
    void adjustInodes(long delta) {
        inodeDelta += delta;
    }

    long inodeDelta() {
        return inodeDelta;
    }

    /** Adds an operation of a layer above (tiering) after the inode changes. */
    void addOp(Mutation.Op op) {
        tailOps.add(op);
    }

    /** The record {@code ino} gets if this txn commits now. */
    InodeRecord pending(long ino) throws FsException {
        InodeRecord.Builder b = edits.get(ino);
        return b != null ? b.build() : loader.load(ino);
    }

    /** This txn as the tiering hooks see it; {@code nodes} resolves in-memory inodes for {@link TierChange#archivedAt}. */
    TierChange tierChange(long nowMillis, java.util.function.LongFunction<Node> nodes) {
        return new TierChange() {
            @Override
            public void archivedAt(long ino, dev.strata.core.Timespec localMtime, long localSizeBytes) {
                afterCommit(() -> {
                    Node n = nodes.apply(ino);
                    if (n != null && n.writers > 0) {
                        n.archivedLocalMtime = localMtime;
                        n.archivedLocalSize = localSizeBytes;
                    }
                });
            }

            @Override
            public void add(Mutation.Op op) {
                addOp(op);
            }

            @Override
            public InodeRecord.Builder edit(long ino) throws FsException {
                return Txn.this.edit(ino);
            }

            @Override
            public void flag(long ino, int flag, boolean on) throws FsException {
                edit(ino).flag(flag, on);
            }

            @Override
            public long nowMillis() {
                return nowMillis;
            }

            @Override
            public void afterCommit(Runnable r) {
                Txn.this.afterCommit(r);
            }

            @Override
            public InodeRecord pending(long ino) throws FsException {
                return Txn.this.pending(ino);
            }
        };
    }

    /** Runs after a successful commit, still under the namespace lock. */
    void afterCommit(Runnable r) {
        tail.add(r);
    }

    boolean isEmpty() {
        return edits.isEmpty() && deleted.isEmpty() && head.isEmpty() && tailOps.isEmpty();
    }

    /** The records this txn writes, by inode. Valid after {@link #toMutation}. */
    Map<Long, InodeRecord> results() {
        Map<Long, InodeRecord> out = new LinkedHashMap<>();
        edits.forEach((ino, b) -> out.put(ino, b.build()));
        return out;
    }

    Set<Long> deletedInodes() {
        return deleted;
    }

    List<Runnable> afterCommitActions() {
        return tail;
    }

    Mutation toMutation(List<Mutation.Op> deferred) {
        Mutation m = new Mutation();
        // Deferred operations were decided before this txn: they go first so this txn's own
        // operations on the same keys (a mark re-added, say) win.
        for (Mutation.Op op : deferred) {
            m.add(op);
        }
        for (Mutation.Op op : head.ops()) {
            m.add(op);
        }
        edits.forEach((ino, b) -> m.putInode(b.build()));
        for (long ino : deleted) {
            m.deleteInode(ino);
        }
        for (Mutation.Op op : tailOps.ops()) {
            m.add(op);
        }
        return m;
    }
}
