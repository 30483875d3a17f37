package dev.strata.meta.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.Timespec;
import dev.strata.core.meta.DirEntry;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mark;
import dev.strata.core.meta.MetadataStore;
import dev.strata.core.meta.Mutation;
import dev.strata.testkit.meta.InMemoryMetadataStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random mutations over a small key space, applied to the RocksDB store and to the in-memory fake,
 * compared as a whole every few steps and after a reopen. The key space is small on purpose, so
 * that operations collide: replaced names, reused and wrong cookies (which both must reject alike),
 * xattrs and marks of deleted inodes.
 */
class RocksDbReferenceModelTest {
    private static final long SEED = 77;
    private static final int STEPS = 1_500;
    private static final int COMPARE_EVERY = 100;
    private static final int INODES = 40;
    private static final int NAMES = 25;
    private static final int DIRECTORIES = 3;
    private static final int XATTR_NAMES = 5;
    private static final int MAX_OPS = 6;
    private static final int MAX_COOKIE = 60;

    @TempDir
    Path dir;

    @Test
    void randomMutationsLeaveTheStoreEqualToTheModel() throws Exception {
        Random random = new Random(SEED);
        InMemoryMetadataStore model = new InMemoryMetadataStore();
        MetadataStore store = RocksDbMetadataStore.open(dir, RocksDbMetadataStoreContractTest.TEST_SETTINGS);
        int rejected = 0;
        try {
            for (int step = 1; step <= STEPS; step++) {
                Mutation m = randomMutation(random, model);
                String modelOutcome = outcome(model, m);
                assertThat(outcome(store, m)).as("step %d: %s", step, m).isEqualTo(modelOutcome);
                rejected += modelOutcome.equals("rejected") ? 1 : 0;
                if (step % COMPARE_EVERY == 0) {
                    assertThat(state(store)).as("after step %d", step).isEqualTo(state(model));
                }
            }
            store.close();
            store = RocksDbMetadataStore.open(dir, RocksDbMetadataStoreContractTest.TEST_SETTINGS);
            assertThat(state(store)).as("after reopening").isEqualTo(state(model));
            // Both paths must have been taken, or the comparison proves less than it seems.
            assertThat(rejected).isBetween(1, STEPS / 2);
        } finally {
            store.close();
        }
    }

    private static String outcome(MetadataStore s, Mutation m) throws FsException {
        try {
            s.commit(m);
            return "committed";
        } catch (IllegalArgumentException e) {
            return "rejected";
        }
    }

    private static Mutation randomMutation(Random random, MetadataStore model) throws FsException {
        Mutation m = new Mutation();
        int ops = 1 + random.nextInt(MAX_OPS);
        for (int i = 0; i < ops; i++) {
            long ino = 2 + random.nextInt(INODES);
            long parent = 1 + random.nextInt(DIRECTORIES);
            Name name = Name.of("n" + random.nextInt(NAMES));
            byte[] xattr = ("user.x" + random.nextInt(XATTR_NAMES)).getBytes(StandardCharsets.US_ASCII);
            Mark mark = Mark.values()[random.nextInt(Mark.values().length)];
            switch (random.nextInt(9)) {
                case 0 -> m.putInode(inode(ino, random.nextInt(1000)));
                case 1 -> m.deleteInode(ino);
                case 2, 3 -> m.putEntry(parent, new DirEntry(name, ino, FileType.REGULAR,
                        InodeRecord.FIRST_COOKIE + random.nextInt(MAX_COOKIE)));
                case 4 -> {
                    // Mostly the right cookie (as the model knows it now), sometimes a wrong one.
                    long cookie = model.entry(parent, name).map(DirEntry::cookie)
                            .orElse(InodeRecord.FIRST_COOKIE + random.nextInt(MAX_COOKIE));
                    m.deleteEntry(parent, new DirEntry(name, ino, FileType.REGULAR, random.nextInt(8) == 0 ? cookie + 1 : cookie));
                }
                case 5 -> {
                    byte[] value = new byte[random.nextInt(300)];
                    random.nextBytes(value);
                    m.putXattr(ino, xattr, value);
                }
                case 6 -> m.deleteXattr(ino, xattr);
                case 7 -> m.setCounter("c" + random.nextInt(3), random.nextLong());
                default -> {
                    if (random.nextBoolean()) {
                        m.addMark(mark, ino);
                    } else {
                        m.removeMark(mark, ino);
                    }
                }
            }
        }
        return m;
    }

    /** Everything observable in the key space, as one comparable value. */
    private static List<String> state(MetadataStore s) throws FsException {
        List<String> out = new ArrayList<>();
        for (long ino = 2; ino < 2 + INODES; ino++) {
            out.add(ino + " " + s.inode(ino).map(InodeRecord::toString).orElse("-"));
            for (byte[] x : s.xattrNames(ino)) {
                out.add(ino + " " + new String(x, StandardCharsets.US_ASCII) + "=" + Arrays.toString(s.xattr(ino, x).orElseThrow()));
            }
        }
        for (long parent = 1; parent <= DIRECTORIES; parent++) {
            out.add(parent + " lists " + s.list(parent, 0, Integer.MAX_VALUE));
            for (int n = 0; n < NAMES; n++) {
                out.add(parent + "/n" + n + " " + s.entry(parent, Name.of("n" + n)));
            }
        }
        for (Mark mark : Mark.values()) {
            out.add(mark + " " + s.marked(mark));
        }
        for (int c = 0; c < 3; c++) {
            out.add("c" + c + "=" + s.counter("c" + c));
        }
        out.add("inodes=" + s.stats().inodes());
        return out;
    }

    private static InodeRecord inode(long ino, int size) {
        Timespec t = new Timespec(size, 0);
        return new InodeRecord.Builder().ino(ino).mode(0100644).nlink(1).sizeBytes(size).atime(t).mtime(t).ctime(t)
                .btime(t).parent(1).build();
    }
}
