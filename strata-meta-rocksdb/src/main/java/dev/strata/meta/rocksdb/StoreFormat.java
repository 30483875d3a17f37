package dev.strata.meta.rocksdb;

import dev.strata.core.FsException;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The store's self-description at open: a new, empty database gets the format record and an inode
 * count of zero (written with fsync, so a crash right after creation leaves a valid store); an
 * existing one must carry a format record of a layout this code reads. A RocksDB database without
 * one belongs to someone else and is refused rather than written into.
 */
final class StoreFormat {
    private StoreFormat() {}

    /** @return the stored inode count, after checking or creating the format record */
    static long checkOrCreate(RocksDB db, ReadOptions readOptions, RecordCodec codec, String location)
            throws RocksDBException, FsException {
        byte[] formatKey = Keys.format();
        byte[] countKey = Keys.inodeCount();
        byte[] format = db.get(readOptions, formatKey);
        if (format == null) {
            try (RocksIterator it = db.newIterator(readOptions)) {
                it.seekToFirst();
                if (it.isValid()) {
                    throw new FsException.IoFailure(location + " holds a RocksDB database that is not a Strata metadata store"
                            + " (it has no format record); refusing to use it");
                }
            }
            try (WriteBatch batch = new WriteBatch(); WriteOptions durable = new WriteOptions().setSync(true)) {
                batch.put(formatKey, codec.formatValue(formatKey));
                batch.put(countKey, codec.longValue(countKey, 0));
                db.write(durable, batch);
            }
            return 0;
        }
        int version = codec.layoutVersion(formatKey, format);
        if (version != RecordCodec.STORE_LAYOUT_VERSION) {
            throw new FsException.IoFailure(location + " has layout version " + version + "; this Strata reads version "
                    + RecordCodec.STORE_LAYOUT_VERSION + " only");
        }
        byte[] count = db.get(readOptions, countKey);
        if (count == null) {
            throw codec.corrupt(countKey, "missing, though the format record is present");
        }
        return codec.longOf(countKey, count);
    }
}
