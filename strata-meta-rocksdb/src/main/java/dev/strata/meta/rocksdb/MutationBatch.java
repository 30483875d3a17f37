package dev.strata.meta.rocksdb;

import dev.strata.core.FsException;
import dev.strata.core.meta.DirEntry;
import dev.strata.core.meta.Mark;
import dev.strata.core.meta.Mutation;
import dev.strata.core.meta.RecordSpace;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

/**
 * Translates one {@link Mutation} into a RocksDB write batch. Some operations must read first
 * (replacing an entry drops its old readdir index, deleting an inode finds its xattrs and marks);
 * those reads see the database merged with the operations already in the batch, so that later
 * operations of a mutation see earlier ones. The caller holds the store's commit lock, so nothing
 * changes between these reads and the write.
 */
final class MutationBatch implements AutoCloseable {
    private final RocksDB db;
    private final ReadOptions readOptions;
    private final RecordCodec codec;
    private final WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
    private long inodeDelta;

    MutationBatch(RocksDB db, ReadOptions readOptions, RecordCodec codec) {
        this.db = db;
        this.readOptions = readOptions;
        this.codec = codec;
    }

    WriteBatchWithIndex batch() {
        return batch;
    }

    /** How many inodes the batch adds (negative: removes), for the store's inode count. */
    long inodeDelta() {
        return inodeDelta;
    }

    /**
     * Adds one operation.
     *
     * @throws IllegalArgumentException for an operation that would break the store's invariants
     *                                  (an engine bug); the caller discards the whole batch
     */
    void add(Mutation.Op op) throws RocksDBException, FsException {
        switch (op) {
            case Mutation.PutInode(var r) -> {
                byte[] key = Keys.inode(r.ino());
                if (read(key) == null) {
                    inodeDelta++;
                }
                batch.put(key, codec.inodeValue(key, r));
            }
            case Mutation.DeleteInode(long ino) -> deleteInode(ino);
            case Mutation.PutEntry(long parent, DirEntry e) -> putEntry(parent, e);
            case Mutation.DeleteEntry(long parent, var name, long cookie) -> {
                byte[] key = Keys.entry(parent, name);
                byte[] old = read(key);
                if (old == null) {
                    return; // deleting an absent entry changes nothing, like every delete here
                }
                DirEntry existing = codec.entry(key, old);
                if (existing.cookie() != cookie) {
                    throw new IllegalArgumentException("entry '" + name + "' in directory " + parent + " has cookie "
                            + existing.cookie() + ", not " + cookie);
                }
                batch.delete(key);
                batch.delete(Keys.cookie(parent, cookie));
                batch.delete(Keys.link(existing.ino(), parent, name));
            }
            case Mutation.PutXattr(long ino, byte[] name, byte[] value) -> {
                requireXattrName(ino, name);
                byte[] key = Keys.xattr(ino, name);
                batch.put(key, codec.bytesValue(key, value));
            }
            case Mutation.DeleteXattr(long ino, byte[] name) -> {
                requireXattrName(ino, name);
                batch.delete(Keys.xattr(ino, name));
            }
            case Mutation.SetCounter(String counter, long value) -> {
                if (counter.isEmpty()) {
                    throw new IllegalArgumentException("counter name is empty");
                }
                byte[] key = Keys.counter(counter);
                batch.put(key, codec.longValue(key, value));
            }
            case Mutation.AddMark(Mark mark, long ino) -> {
                byte[] key = Keys.mark(mark, ino);
                batch.put(key, codec.emptyValue(key));
            }
            case Mutation.RemoveMark(Mark mark, long ino) -> batch.delete(Keys.mark(mark, ino));
            case Mutation.PutRecord(RecordSpace space, long id, byte[] value) -> {
                byte[] key = Keys.record(space, id);
                batch.put(key, codec.bytesValue(key, value));
            }
            case Mutation.DeleteRecord(RecordSpace space, long id) -> batch.delete(Keys.record(space, id));
        }
    }

    private void putEntry(long parent, DirEntry e) throws RocksDBException, FsException {
        byte[] key = Keys.entry(parent, e.name());
        byte[] cookieKey = Keys.cookie(parent, e.cookie());
        byte[] atCookie = read(cookieKey);
        if (atCookie != null) {
            DirEntry holder = codec.cookieEntry(cookieKey, atCookie);
            if (!holder.name().equals(e.name())) {
                throw new IllegalArgumentException("cookie " + e.cookie() + " in directory " + parent + " already belongs to '"
                        + holder.name() + "'; cannot give it to '" + e.name() + "'");
            }
        }
        byte[] old = read(key);
        if (old != null) {
            // Replacing a name with a new cookie: its old readdir position must go, or readdir
            // would list the name twice.
            DirEntry replaced = codec.entry(key, old);
            if (replaced.cookie() != e.cookie()) {
                batch.delete(Keys.cookie(parent, replaced.cookie()));
            }
            batch.delete(Keys.link(replaced.ino(), parent, e.name()));
        }
        batch.put(key, codec.entryValue(key, e));
        byte[] linkKey = Keys.link(e.ino(), parent, e.name());
        batch.put(linkKey, codec.emptyValue(linkKey));
        batch.put(cookieKey, codec.cookieValue(cookieKey, e));
    }

    private void deleteInode(long ino) throws RocksDBException {
        byte[] key = Keys.inode(ino);
        if (read(key) != null) {
            inodeDelta--;
            batch.delete(key);
        }
        for (byte[] xattrKey : keysWithPrefix(Keys.xattrPrefix(ino))) {
            batch.delete(xattrKey);
        }
        // Only existing marks get a tombstone: the mark ranges are scanned at every restart, and
        // a tombstone per deleted file would slow that scan until compaction drops them.
        for (Mark mark : Mark.values()) {
            byte[] markKey = Keys.mark(mark, ino);
            if (read(markKey) != null) {
                batch.delete(markKey);
            }
        }
        for (RecordSpace space : RecordSpace.values()) {
            if (space.ownedByInode()) {
                byte[] recordKey = Keys.record(space, ino);
                if (read(recordKey) != null) {
                    batch.delete(recordKey);
                }
            }
        }
    }

    private List<byte[]> keysWithPrefix(byte[] prefix) throws RocksDBException {
        List<byte[]> keys = new ArrayList<>();
        try (RocksIterator it = batch.newIteratorWithBase(db.newIterator(readOptions))) {
            for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
                keys.add(it.key());
            }
            it.status();
        }
        return keys;
    }

    private byte[] read(byte[] key) throws RocksDBException {
        return batch.getFromBatchAndDB(db, readOptions, key);
    }

    private static void requireXattrName(long ino, byte[] name) {
        if (name.length == 0) {
            throw new IllegalArgumentException("empty xattr name for inode " + ino);
        }
    }

    @Override
    public void close() {
        batch.close();
    }
}
