package dev.strata.meta.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.Errno;
import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.Timespec;
import dev.strata.core.meta.DirEntry;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mark;
import dev.strata.core.meta.Mutation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** What only the RocksDB store can show: integrity checks, the lock, the format record, group commit. */
class RocksDbMetadataStoreTest {
    private static final RocksDbMetadataStore.Settings SETTINGS = RocksDbMetadataStoreContractTest.TEST_SETTINGS;

    @TempDir
    Path tmp;

    private Path dir() {
        return tmp.resolve("meta");
    }

    @Test
    void aDamagedInodeIsAnIoFailureNamingTheInode() throws Exception {
        populate();
        rewrite(Keys.inode(42), v -> flip(v, 10));
        try (RocksDbMetadataStore store = RocksDbMetadataStore.open(dir(), SETTINGS)) {
            assertThatThrownBy(() -> store.inode(42)).isInstanceOf(FsException.IoFailure.class)
                    .hasMessageContaining("inode 42").hasMessageContaining("checksum mismatch")
                    .hasMessageContaining(dir().toString());
            assertThat(store.inode(43)).isPresent(); // the damage stays local
        }
    }

    @Test
    void aDamagedEntryOrReaddirIndexIsReportedByLookupAndListing() throws Exception {
        populate();
        rewrite(Keys.entry(1, name("f42")), v -> flip(v, 3));
        rewrite(Keys.cookie(1, 45), v -> flip(v, v.length - 1));
        try (RocksDbMetadataStore store = RocksDbMetadataStore.open(dir(), SETTINGS)) {
            assertThatThrownBy(() -> store.entry(1, name("f42"))).isInstanceOf(FsException.IoFailure.class)
                    .hasMessageContaining("entry 'f42' in directory 1");
            assertThatThrownBy(() -> store.list(1, 0, 100)).isInstanceOf(FsException.IoFailure.class)
                    .hasMessageContaining("readdir index of directory 1 at cookie 45");
            assertThat(store.list(1, 0, 2)).hasSize(2); // pages before the damage still list
        }
    }

    @Test
    void damagedXattrsCountersAndMarksAreReported() throws Exception {
        populate();
        rewrite(Keys.xattr(42, bytes("user.k")), v -> flip(v, 1));
        rewrite(Keys.counter("next-ino"), v -> flip(v, 2));
        rewrite(Keys.mark(Mark.ORPHAN, 42), v -> flip(v, 0));
        try (RocksDbMetadataStore store = RocksDbMetadataStore.open(dir(), SETTINGS)) {
            assertThatThrownBy(() -> store.xattr(42, bytes("user.k"))).isInstanceOf(FsException.IoFailure.class)
                    .hasMessageContaining("xattr 'user.k' of inode 42");
            assertThatThrownBy(() -> store.xattrNames(42)).isInstanceOf(FsException.IoFailure.class)
                    .hasMessageContaining("xattr 'user.k' of inode 42");
            assertThatThrownBy(() -> store.counter("next-ino")).isInstanceOf(FsException.IoFailure.class)
                    .hasMessageContaining("counter 'next-ino'");
            assertThatThrownBy(() -> store.marked(Mark.ORPHAN)).isInstanceOf(FsException.IoFailure.class)
                    .hasMessageContaining("of inode 42");
        }
    }

    @Test
    void aValidValueUnderAnotherKeyFailsBecauseTheChecksumCoversTheKey() throws Exception {
        populate();
        byte[] intact = readRaw(Keys.inode(43));
        rewrite(Keys.inode(42), v -> intact);
        try (RocksDbMetadataStore store = RocksDbMetadataStore.open(dir(), SETTINGS)) {
            assertThatThrownBy(() -> store.inode(42)).isInstanceOf(FsException.IoFailure.class)
                    .hasMessageContaining("inode 42").hasMessageContaining("checksum mismatch");
        }
    }

    @Test
    void truncatedAndNewerValuesAreRejectedWithReasons() throws Exception {
        populate();
        rewrite(Keys.inode(42), v -> new byte[] {1, 2});
        byte[] key43 = Keys.inode(43);
        rewrite(key43, v -> {
            byte[] newer = Frame.seal(key43, new byte[] {0});
            newer[0] = 9;
            return reseal(key43, newer);
        });
        try (RocksDbMetadataStore store = RocksDbMetadataStore.open(dir(), SETTINGS)) {
            assertThatThrownBy(() -> store.inode(42)).isInstanceOf(FsException.IoFailure.class)
                    .hasMessageContaining("shorter than");
            assertThatThrownBy(() -> store.inode(43)).isInstanceOf(FsException.IoFailure.class)
                    .hasMessageContaining("format version 9").hasMessageContaining("upgrade Strata");
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectorySaysItIsInUse() throws Exception {
        try (RocksDbMetadataStore first = RocksDbMetadataStore.open(dir(), SETTINGS)) {
            assertThatThrownBy(() -> RocksDbMetadataStore.open(dir(), SETTINGS))
                    .isInstanceOfSatisfying(FsException.Other.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBUSY))
                    .hasMessageContaining("metadata at " + dir().toAbsolutePath() + " is in use by another Strata process");
            first.commit(new Mutation().setCounter("still-works", 1));
        }
        try (RocksDbMetadataStore again = RocksDbMetadataStore.open(dir(), SETTINGS)) {
            assertThat(again.counter("still-works")).isEqualTo(1);
        }
    }

    @Test
    void aRocksDbThatIsNotAStrataStoreIsRefused() throws Exception {
        try (Options o = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(o, dir().toString())) {
            db.put(bytes("someone else's"), bytes("data"));
        }
        assertThatThrownBy(() -> RocksDbMetadataStore.open(dir(), SETTINGS)).isInstanceOf(FsException.IoFailure.class)
                .hasMessageContaining("not a Strata metadata store");
    }

    @Test
    void syncWithNothingNewToCoverDoesNotFlush() throws Exception {
        try (RocksDbMetadataStore store = RocksDbMetadataStore.open(dir(), SETTINGS)) {
            store.sync();
            assertThat(store.walSyncs()).isZero();
            store.commit(new Mutation().setCounter("c", 1));
            store.sync();
            store.sync();
            assertThat(store.walSyncs()).isEqualTo(1);
            assertThat(store.syncCalls()).isEqualTo(3);
        }
    }

    @Test
    void statsReportInodesAndDiskBytes() throws Exception {
        populate();
        try (RocksDbMetadataStore store = RocksDbMetadataStore.open(dir(), SETTINGS)) {
            assertThat(store.stats().inodes()).isEqualTo(10);
            assertThat(store.stats().diskBytes()).isPositive();
        }
    }

    @Test
    void settingsRejectNonsense() {
        assertThatThrownBy(() -> new RocksDbMetadataStore.Settings(0, 1L << 20, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RocksDbMetadataStore.Settings(1L << 20, 1L << 20, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Inodes 40..49 in directory 1 with an xattr, a counter and a mark. */
    private void populate() throws FsException {
        try (RocksDbMetadataStore store = RocksDbMetadataStore.open(dir(), SETTINGS)) {
            Mutation m = new Mutation().setCounter("next-ino", 50).addMark(Mark.ORPHAN, 42);
            for (int ino = 40; ino < 50; ino++) {
                Timespec t = new Timespec(ino, 0);
                m.putInode(new InodeRecord.Builder().ino(ino).mode(0100644).nlink(1).atime(t).mtime(t).ctime(t).btime(t)
                        .parent(1).build());
                m.putEntry(1, new DirEntry(name("f" + ino), ino, FileType.REGULAR, ino));
                m.putXattr(ino, bytes("user.k"), bytes("v" + ino));
            }
            store.commit(m);
        }
    }

    @Test
    void aLayout1StoreIsUpgradedWithItsNameIndex() throws Exception {
        try (RocksDbMetadataStore store = RocksDbMetadataStore.open(dir(), SETTINGS)) {
            Timespec t = new Timespec(1, 0);
            store.commit(new Mutation()
                    .putInode(new InodeRecord.Builder().ino(7).mode(0100644).nlink(2).atime(t).mtime(t).ctime(t).btime(t)
                            .parent(1).build())
                    .putEntry(1, new DirEntry(name("x"), 7, FileType.REGULAR, 3))
                    .putEntry(1, new DirEntry(name("y"), 7, FileType.REGULAR, 4)));
        }
        // Make it look like version 1: no name index, format record of version 1.
        try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir().toString());
                org.rocksdb.RocksIterator it = db.newIterator()) {
            java.util.List<byte[]> links = new java.util.ArrayList<>();
            for (it.seek(new byte[] {Keys.LINK}); it.isValid() && it.key()[0] == Keys.LINK; it.next()) {
                links.add(it.key());
            }
            assertThat(links).hasSize(2);
            for (byte[] k : links) {
                db.delete(k);
            }
            byte[] format = db.get(Keys.format());
            java.nio.ByteBuffer.wrap(format).putShort(Frame.HEADER_BYTES, (short) 1);
            db.put(Keys.format(), reseal(Keys.format(), format));
        }
        try (RocksDbMetadataStore store = RocksDbMetadataStore.open(dir(), SETTINGS)) {
            assertThat(store.links(7, 10)).containsExactly(new dev.strata.core.meta.Link(1, name("x")),
                    new dev.strata.core.meta.Link(1, name("y")));
        }
        try (RocksDbMetadataStore store = RocksDbMetadataStore.open(dir(), SETTINGS)) {
            assertThat(store.links(7, 10)).hasSize(2);
        }
    }

    /** Rewrites one stored value behind the store's back, as a bad disk or a stray writer would. */
    private void rewrite(byte[] key, UnaryOperator<byte[]> change) throws Exception {
        try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir().toString())) {
            byte[] value = db.get(key);
            assertThat(value).as(Keys.describe(key)).isNotNull();
            db.put(key, change.apply(value));
        }
    }

    private byte[] readRaw(byte[] key) throws Exception {
        try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir().toString())) {
            return db.get(key);
        }
    }

    private static byte[] flip(byte[] v, int index) {
        byte[] copy = v.clone();
        copy[index] ^= 0x40;
        return copy;
    }

    /** A value with a correct checksum over whatever version byte it carries. */
    private static byte[] reseal(byte[] key, byte[] value) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(key);
        crc.update(value, 0, value.length - Frame.TRAILER_BYTES);
        java.nio.ByteBuffer.wrap(value).putInt(value.length - Frame.TRAILER_BYTES, (int) crc.getValue());
        return value;
    }

    private static Name name(String s) throws FsException {
        return Name.of(s);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
