package dev.strata.meta.rocksdb;

import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.Timespec;
import dev.strata.core.meta.DirEntry;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mark;
import dev.strata.core.meta.MetadataStore;
import dev.strata.core.meta.Mutation;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * The mutations of the crash test, a pure function of (seed, id), so that the child that commits
 * them and the parent that checks the survivors agree without talking. Mutation {@code id} creates
 * file "f{id}" (inode, entry, sometimes an xattr and a mark), sometimes deletes an earlier file, and
 * always sets counter "last" to {@code id}: the counter tells which mutation was applied last.
 */
final class CrashWorkload {
    static final String LAST = "last";
    static final int DIRECTORIES = 3;
    static final byte[] XATTR = "user.payload".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_XATTR_BYTES = 3000;
    private static final int DELETE_LOOKBACK = 10;

    private CrashWorkload() {}

    static Mutation mutation(long seed, int id) throws FsException {
        Random random = new Random(seed * 1_000_003L + id);
        long ino = ino(id);
        Timespec t = new Timespec(1_700_000_000L + id, id % 1_000_000_000);
        Mutation m = new Mutation()
                .putInode(new InodeRecord.Builder().ino(ino).mode(0100600).nlink(1).sizeBytes(random.nextInt(1 << 20))
                        .atime(t).mtime(t).ctime(t).btime(t).parent(directory(id)).build())
                .putEntry(directory(id), entry(id));
        if (random.nextBoolean()) {
            byte[] payload = new byte[random.nextInt(MAX_XATTR_BYTES)];
            random.nextBytes(payload);
            m.putXattr(ino, XATTR, payload);
        }
        if (random.nextInt(4) == 0) {
            m.addMark(Mark.ORPHAN, ino);
        }
        if (id > DELETE_LOOKBACK && random.nextInt(3) == 0) {
            int victim = id - 1 - random.nextInt(DELETE_LOOKBACK);
            m.deleteEntry(directory(victim), entry(victim)).deleteInode(ino(victim));
        }
        return m.setCounter(LAST, id);
    }

    static long ino(int id) {
        return 100L + id;
    }

    static long directory(int id) {
        return 1 + id % DIRECTORIES;
    }

    static DirEntry entry(int id) throws FsException {
        return new DirEntry(Name.of("f" + id), ino(id), FileType.REGULAR, InodeRecord.FIRST_COOKIE + id);
    }

    /** Applies mutations {@code from..to} to {@code store}: the parent's model of what must have survived. */
    static void replay(MetadataStore store, long seed, int from, int to) throws FsException {
        for (int id = from; id <= to; id++) {
            store.commit(mutation(seed, id));
        }
    }
}
