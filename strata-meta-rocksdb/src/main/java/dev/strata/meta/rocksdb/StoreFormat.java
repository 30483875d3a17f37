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
        if (version == 1) {
            upgradeFrom1(db, readOptions, codec, location);
            version = RecordCodec.STORE_LAYOUT_VERSION;
        }
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

    /**
     * Version 1 had no 'L' name index: build it from every entry, and write it together with the new
     * format record in one synced batch, so a crash leaves either the old store or the upgraded one.
     * Memory grows with the number of entries (one key each); stores of version 1 are small.
     */
    private static void upgradeFrom1(RocksDB db, ReadOptions readOptions, RecordCodec codec, String location)
            throws RocksDBException, FsException {
        byte[] formatKey = Keys.format();
        try (WriteBatch batch = new WriteBatch(); WriteOptions durable = new WriteOptions().setSync(true);
                RocksIterator it = db.newIterator(readOptions)) {
            byte[] prefix = {Keys.ENTRY};
            for (it.seek(prefix); it.isValid() && it.key()[0] == Keys.ENTRY; it.next()) {
                byte[] key = it.key();
                dev.strata.core.meta.DirEntry e = codec.entry(key, it.value());
                byte[] link = Keys.link(e.ino(), Keys.getLong(key, 1), e.name());
                batch.put(link, codec.emptyValue(link));
            }
            it.status();
            batch.put(formatKey, codec.formatValue(formatKey));
            db.write(durable, batch);
        }
        org.slf4j.LoggerFactory.getLogger(StoreFormat.class).info("{}: upgraded the metadata layout from version 1 to {}",
                location, RecordCodec.STORE_LAYOUT_VERSION);
    }
}
