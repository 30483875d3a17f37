package dev.strata.testkit.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.Timespec;
import dev.strata.core.meta.DirEntry;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mark;
import dev.strata.core.meta.MetadataStore;
import dev.strata.core.meta.Link;
import dev.strata.core.meta.Mutation;
import dev.strata.core.meta.RecordSpace;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link MetadataStore}, run against every implementation. A subclass supplies a
 * fresh store and a way to reopen it (process restart: close, then open the same data).
 *
 * <p>Random inputs come from fixed seeds, so a failure replays the same way.
 */
public abstract class AbstractMetadataStoreContractTest {
    /** Upper bound for the tests with threads; they take well under a second when healthy. */
    private static final int CONCURRENCY_TIMEOUT_SECONDS = 60;
    private static final int XATTR_MAX_VALUE_BYTES = 64 * 1024;

    protected MetadataStore store;

    /** A new, empty store. */
    protected abstract MetadataStore newStore() throws Exception;

    /** Closes {@code store} as a process exit would, then opens the same data again. */
    protected abstract MetadataStore reopen(MetadataStore store) throws Exception;

    @BeforeEach
    public void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    public void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // ---- inodes

    @Test
    public void anEmptyStoreHasNothing() throws Exception {
        assertThat(store.inode(1)).isEmpty();
        assertThat(store.entry(1, name("a"))).isEmpty();
        assertThat(store.list(1, 0, 100)).isEmpty();
        assertThat(store.xattr(1, bytes("user.a"))).isEmpty();
        assertThat(store.xattrNames(1)).isEmpty();
        assertThat(store.counter("next-ino")).isZero();
        for (Mark m : Mark.values()) {
            assertThat(store.marked(m)).isEmpty();
        }
        assertThat(store.stats().inodes()).isZero();
    }

    @Test
    public void anInodeKeepsEveryField() throws Exception {
        byte[] target = new byte[255];
        for (int i = 0; i < target.length; i++) {
            target[i] = (byte) (i + 1);
        }
        InodeRecord r = new InodeRecord.Builder().ino(Long.MAX_VALUE).mode(0120777).uid(-2).gid(Integer.MAX_VALUE)
                .nlink(Integer.MAX_VALUE).sizeBytes(Long.MAX_VALUE).rdev(-1L).atime(new Timespec(-1, 999_999_999))
                .mtime(new Timespec(Long.MIN_VALUE, 0)).ctime(new Timespec(Long.MAX_VALUE, 1)).btime(Timespec.EPOCH)
                .parent(7).nextCookie(Long.MAX_VALUE).target(target).flags(-1).build();
        commit(new Mutation().putInode(r));
        assertThat(store.inode(Long.MAX_VALUE)).contains(r);
        assertThat(store.inode(Long.MAX_VALUE).orElseThrow().target()).isEqualTo(target);
    }

    @Test
    public void anInodeWithoutTargetAndOneWithAnEmptyTargetStayDistinct() throws Exception {
        commit(new Mutation().putInode(file(2)).putInode(file(3).toBuilder().target(new byte[0]).build()));
        assertThat(store.inode(2).orElseThrow().target()).isNull();
        assertThat(store.inode(3).orElseThrow().target()).isEmpty();
    }

    @Test
    public void putInodeReplacesAndDeleteInodeRemoves() throws Exception {
        commit(new Mutation().putInode(file(2)));
        InodeRecord bigger = file(2).toBuilder().sizeBytes(4096).nlink(2).build();
        commit(new Mutation().putInode(bigger));
        assertThat(store.inode(2)).contains(bigger);
        commit(new Mutation().deleteInode(2));
        assertThat(store.inode(2)).isEmpty();
    }

    @Test
    public void laterOperationsOnTheSameKeyWin() throws Exception {
        InodeRecord second = file(2).toBuilder().sizeBytes(2).build();
        commit(new Mutation().putInode(file(2)).putInode(second)
                .putXattr(2, bytes("user.gone"), bytes("x")).deleteXattr(2, bytes("user.gone"))
                .deleteXattr(2, bytes("user.kept")).putXattr(2, bytes("user.kept"), bytes("y"))
                .setCounter("c", 1).setCounter("c", 2)
                .addMark(Mark.ORPHAN, 2).removeMark(Mark.ORPHAN, 2).removeMark(Mark.OPEN_FOR_WRITE, 2)
                .addMark(Mark.OPEN_FOR_WRITE, 2));
        assertThat(store.inode(2)).contains(second);
        assertThat(store.xattr(2, bytes("user.gone"))).isEmpty();
        assertThat(store.xattr(2, bytes("user.kept"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("y")));
        assertThat(store.counter("c")).isEqualTo(2);
        assertThat(store.marked(Mark.ORPHAN)).isEmpty();
        assertThat(store.marked(Mark.OPEN_FOR_WRITE)).containsExactly(2L);
    }

    @Test
    public void anEmptyMutationChangesNothing() throws Exception {
        commit(new Mutation());
        assertThat(store.stats().inodes()).isZero();
    }

    @Test
    public void commitRejectsNull() {
        assertThatThrownBy(() -> store.commit(null)).isInstanceOf(NullPointerException.class);
    }

    // ---- directory entries

    @Test
    public void entriesAreFoundByNameAndListedInCookieOrder() throws Exception {
        FileType[] types = FileType.values();
        Mutation m = new Mutation().putInode(dir(1));
        List<DirEntry> expected = new ArrayList<>();
        // Names run against cookie order, so a store that lists by name fails.
        for (int i = 0; i < types.length; i++) {
            DirEntry e = new DirEntry(name("n" + (types.length - i)), 100 + i, types[i], InodeRecord.FIRST_COOKIE + i);
            expected.add(e);
            m.putEntry(1, e);
        }
        commit(m);
        assertThat(store.list(1, 0, 100)).containsExactlyElementsOf(expected);
        for (DirEntry e : expected) {
            assertThat(store.entry(1, e.name())).contains(e);
        }
    }

    @Test
    public void listResumesAfterACookieAndHonoursTheLimit() throws Exception {
        List<DirEntry> all = populate(1, 10);
        assertThat(store.list(1, 0, 4)).containsExactlyElementsOf(all.subList(0, 4));
        assertThat(store.list(1, all.get(3).cookie(), 4)).containsExactlyElementsOf(all.subList(4, 8));
        assertThat(store.list(1, all.get(7).cookie(), 4)).containsExactlyElementsOf(all.subList(8, 10));
        assertThat(store.list(1, all.get(9).cookie(), 4)).isEmpty();
        assertThat(store.list(1, all.get(4).cookie() - 1, 1)).containsExactly(all.get(4));
        assertThat(store.list(1, -5, 1)).containsExactly(all.get(0));
        assertThat(store.list(1, 0, 0)).isEmpty();
        assertThat(store.list(1, Long.MAX_VALUE, 10)).isEmpty();
        assertThatThrownBy(() -> store.list(1, 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    public void directoriesDoNotSeeEachOthersEntries() throws Exception {
        long[] parents = {1, 2, 3, 255, 256, Long.MAX_VALUE - 1, Long.MAX_VALUE};
        for (long p : parents) {
            commit(new Mutation().putEntry(p, new DirEntry(name("only-in-" + p), 10, FileType.REGULAR, 3)));
        }
        for (long p : parents) {
            assertThat(store.list(p, 0, 10)).extracting(DirEntry::name).containsExactly(name("only-in-" + p));
            assertThat(store.entry(p, name("only-in-" + p))).isPresent();
            assertThat(store.entry(p == 1 ? 2 : 1, name("only-in-" + p))).isEmpty();
        }
        assertThat(store.list(4, 0, 10)).isEmpty();
    }

    @Test
    public void namesAreArbitraryBytes() throws Exception {
        List<Name> names = new ArrayList<>();
        for (int b = 1; b <= 0xFF; b++) {
            if (b != '/' && b != '.') {
                names.add(name(new byte[] {(byte) b}));
            }
        }
        byte[] longest = new byte[Name.MAX_BYTES];
        Arrays.fill(longest, (byte) 0xFF);
        names.add(name(longest));
        longest[Name.MAX_BYTES - 1] = (byte) 0xFE;
        names.add(name(longest));
        // Prefixes of each other, and names that differ only in the top bit of a byte.
        names.add(name("pq"));
        names.add(name(new byte[] {'p', 'q', 0x01}));
        names.add(name(new byte[] {'p', 'q', (byte) 0xFF}));
        names.add(name(new byte[] {'p', 'q', 0x7F}));
        names.add(name(new byte[] {'p', 'q', (byte) 0x80}));
        names.add(name(new byte[] {'.', '.', '.'}));
        Mutation m = new Mutation();
        Map<Name, DirEntry> byName = new HashMap<>();
        long cookie = InodeRecord.FIRST_COOKIE;
        for (Name n : names) {
            DirEntry e = new DirEntry(n, 1000 + cookie, FileType.REGULAR, cookie++);
            byName.put(n, e);
            m.putEntry(1, e);
        }
        commit(m);
        for (Name n : names) {
            assertThat(store.entry(1, n)).contains(byName.get(n));
        }
        assertThat(store.list(1, 0, 10_000)).hasSize(names.size()).extracting(DirEntry::name)
                .containsExactlyElementsOf(names);
        Mutation delete = new Mutation();
        for (int i = 0; i < names.size(); i += 2) {
            delete.deleteEntry(1, byName.get(names.get(i)));
        }
        commit(delete);
        for (int i = 0; i < names.size(); i++) {
            assertThat(store.entry(1, names.get(i)).isPresent()).as("entry %s", i).isEqualTo(i % 2 == 1);
        }
        assertThat(store.list(1, 0, 10_000)).hasSize(names.size() / 2);
    }

    @Test
    public void replacingANameWithANewCookieMovesItInTheListing() throws Exception {
        DirEntry first = new DirEntry(name("target"), 10, FileType.REGULAR, 3);
        DirEntry other = new DirEntry(name("other"), 11, FileType.REGULAR, 4);
        DirEntry replaced = new DirEntry(name("target"), 12, FileType.DIRECTORY, 5);
        commit(new Mutation().putEntry(1, first).putEntry(1, other));
        commit(new Mutation().putEntry(1, replaced));
        assertThat(store.entry(1, name("target"))).contains(replaced);
        assertThat(store.list(1, 0, 10)).containsExactly(other, replaced);
    }

    @Test
    public void deletingWithTheWrongCookieIsRejectedAndTheMutationChangesNothing() throws Exception {
        DirEntry e = new DirEntry(name("a"), 10, FileType.REGULAR, 3);
        commit(new Mutation().putEntry(1, e));
        Mutation bad = new Mutation().putInode(file(10)).setCounter("c", 5)
                .deleteEntry(1, new DirEntry(name("a"), 10, FileType.REGULAR, 4));
        assertThatThrownBy(() -> store.commit(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cookie");
        assertThat(store.entry(1, name("a"))).contains(e);
        assertThat(store.inode(10)).isEmpty();
        assertThat(store.counter("c")).isZero();
        assertThat(store.stats().inodes()).isZero();
    }

    @Test
    public void givingACookieToASecondNameIsRejected() throws Exception {
        commit(new Mutation().putEntry(1, new DirEntry(name("a"), 10, FileType.REGULAR, 3)));
        assertThatThrownBy(() -> store.commit(new Mutation()
                .putEntry(1, new DirEntry(name("b"), 11, FileType.REGULAR, 3))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cookie 3");
        assertThat(store.entry(1, name("b"))).isEmpty();
        assertThat(store.list(1, 0, 10)).extracting(DirEntry::name).containsExactly(name("a"));
    }

    @Test
    public void deletingWhatIsNotThereIsANoOp() throws Exception {
        commit(new Mutation().deleteInode(5).deleteEntry(1, new DirEntry(name("x"), 5, FileType.REGULAR, 3))
                .deleteXattr(5, bytes("user.x")).removeMark(Mark.ORPHAN, 5));
        assertThat(store.inode(5)).isEmpty();
        assertThat(store.stats().inodes()).isZero();
    }

    /**
     * A reader pages through a directory while entries come and go. Every entry that exists for
     * the whole listing is seen exactly once; nothing is seen twice; everything seen existed when
     * its page was read.
     */
    @Test
    public void listingWithCookiesSurvivesConcurrentAddsAndRemoves() throws Exception {
        Random random = new Random(42);
        TreeMap<Long, DirEntry> model = new TreeMap<>();
        long nextCookie = InodeRecord.FIRST_COOKIE;
        Mutation initial = new Mutation();
        for (int i = 0; i < 200; i++, nextCookie++) {
            DirEntry e = new DirEntry(name("f" + i), 1000 + i, FileType.REGULAR, nextCookie);
            model.put(nextCookie, e);
            initial.putEntry(1, e);
        }
        commit(initial);
        Set<Long> survivors = new HashSet<>(model.keySet());
        Set<Long> seen = new HashSet<>();
        long after = 0;
        int extra = 0;
        while (true) {
            List<DirEntry> page = store.list(1, after, 7);
            if (page.isEmpty()) {
                break;
            }
            for (DirEntry e : page) {
                assertThat(e.cookie()).isGreaterThan(after);
                assertThat(seen.add(e.cookie())).as("seen twice: %s", e).isTrue();
                assertThat(model.get(e.cookie())).as("listed but absent: %s", e).isEqualTo(e);
                after = e.cookie();
            }
            Mutation churn = new Mutation();
            for (int k = 0; k < 3; k++) {
                if (random.nextBoolean() && !model.isEmpty()) {
                    Long victim = pick(random, model);
                    churn.deleteEntry(1, model.remove(victim));
                    survivors.remove(victim);
                } else {
                    DirEntry e = new DirEntry(name("new" + extra++), 5000 + extra, FileType.REGULAR, nextCookie);
                    model.put(nextCookie++, e);
                    churn.putEntry(1, e);
                }
            }
            commit(churn);
        }
        assertThat(seen).containsAll(survivors);
        assertThat(store.list(1, 0, 10_000)).containsExactlyElementsOf(model.values());
    }

    // ---- xattrs

    @Test
    public void xattrsAreStoredReplacedAndRemoved() throws Exception {
        byte[] big = new byte[XATTR_MAX_VALUE_BYTES];
        new Random(7).nextBytes(big);
        commit(new Mutation().putXattr(2, bytes("user.big"), big).putXattr(2, bytes("user.empty"), new byte[0])
                .putXattr(2, bytes("user.v"), bytes("1")).putXattr(3, bytes("user.v"), bytes("other inode")));
        assertThat(store.xattr(2, bytes("user.big"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(big));
        assertThat(store.xattr(2, bytes("user.empty"))).hasValueSatisfying(v -> assertThat(v).isEmpty());
        commit(new Mutation().putXattr(2, bytes("user.v"), bytes("2")));
        assertThat(store.xattr(2, bytes("user.v"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("2")));
        assertThat(store.xattr(3, bytes("user.v"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("other inode")));
        commit(new Mutation().deleteXattr(2, bytes("user.v")));
        assertThat(store.xattr(2, bytes("user.v"))).isEmpty();
        assertThat(store.xattrNames(2)).containsExactly(bytes("user.big"), bytes("user.empty"));
        assertThat(store.xattrNames(3)).containsExactly(bytes("user.v"));
        assertThat(store.xattrNames(4)).isEmpty();
    }

    @Test
    public void xattrNamesComeInUnsignedByteOrder() throws Exception {
        byte[][] names = {{(byte) 0xFF}, {(byte) 0x80}, {0x7F}, {'a'}, {'a', 0x01}, {'a', (byte) 0xFF}, {0x01}};
        Mutation m = new Mutation();
        for (byte[] n : names) {
            m.putXattr(2, n, n);
        }
        commit(m);
        List<byte[]> sorted = new ArrayList<>(List.of(names));
        sorted.sort(Arrays::compareUnsigned);
        assertThat(store.xattrNames(2)).containsExactlyElementsOf(sorted);
        for (byte[] n : names) {
            assertThat(store.xattr(2, n)).hasValueSatisfying(v -> assertThat(v).isEqualTo(n));
        }
    }

    @Test
    public void arraysAreCopiedInAndOut() throws Exception {
        byte[] xname = bytes("user.a");
        byte[] value = bytes("value");
        byte[] target = bytes("target");
        commit(new Mutation().putXattr(2, xname, value).putInode(file(2).toBuilder().target(target).build()));
        value[0] = 'X';
        xname[0] = 'X';
        target[0] = 'X';
        byte[] read = store.xattr(2, bytes("user.a")).orElseThrow();
        assertThat(read).isEqualTo(bytes("value"));
        read[0] = 'Y';
        store.xattrNames(2).getFirst()[0] = 'Y';
        store.inode(2).orElseThrow().target()[0] = 'Y';
        assertThat(store.xattr(2, bytes("user.a"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("value")));
        assertThat(store.xattrNames(2)).containsExactly(bytes("user.a"));
        assertThat(store.inode(2).orElseThrow().target()).isEqualTo(bytes("target"));
    }

    // ---- the name index

    @Test
    public void linksFollowEntriesThroughPutReplaceAndDelete() throws Exception {
        commit(new Mutation().putInode(dir(1)).putInode(dir(5)).putInode(file(7)).putInode(file(8))
                .putEntry(1, new DirEntry(name("b"), 7, FileType.REGULAR, 3))
                .putEntry(5, new DirEntry(name("a"), 7, FileType.REGULAR, 3))
                .putEntry(1, new DirEntry(name("a"), 7, FileType.REGULAR, 4)));
        assertThat(store.links(7, 10)).containsExactly(
                new Link(1, name("a")), new Link(1, name("b")), new Link(5, name("a")));
        assertThat(store.links(7, 2)).hasSize(2);
        assertThat(store.links(8, 10)).isEmpty();
        // Replacing a name moves it to the new inode (a rename over an existing file).
        commit(new Mutation().putEntry(1, new DirEntry(name("b"), 8, FileType.REGULAR, 5)));
        assertThat(store.links(7, 10)).containsExactly(new Link(1, name("a")), new Link(5, name("a")));
        assertThat(store.links(8, 10)).containsExactly(new Link(1, name("b")));
        commit(new Mutation().deleteEntry(1, new DirEntry(name("a"), 7, FileType.REGULAR, 4)));
        assertThat(store.links(7, 10)).containsExactly(new Link(5, name("a")));
        // A failed mutation leaves the index as it was.
        assertThatThrownBy(() -> store.commit(new Mutation()
                .deleteEntry(5, new DirEntry(name("a"), 7, FileType.REGULAR, 3))
                .deleteEntry(1, new DirEntry(name("b"), 8, FileType.REGULAR, 99))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.links(7, 10)).containsExactly(new Link(5, name("a")));
    }

    // ---- records

    @Test
    public void recordsAreStoredPerSpaceInIdOrder() throws Exception {
        commit(new Mutation().putRecord(RecordSpace.TASK, 9, bytes("nine")).putRecord(RecordSpace.TASK, 2, bytes("two"))
                .putRecord(RecordSpace.HSM, 5, bytes("hsm")).putRecord(RecordSpace.TASK, 300, new byte[0]));
        assertThat(store.record(RecordSpace.TASK, 9)).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("nine")));
        assertThat(store.record(RecordSpace.HSM, 9)).isEmpty();
        assertThat(store.records(RecordSpace.TASK, 0, 10)).extracting(RecordSpace.Record::id).containsExactly(2L, 9L, 300L);
        assertThat(store.records(RecordSpace.TASK, 2, 1)).extracting(RecordSpace.Record::id).containsExactly(9L);
        assertThat(store.records(RecordSpace.TASK, 300, 10)).isEmpty();
        assertThat(store.records(RecordSpace.TASK, 299, 10).getFirst().value()).isEmpty();
        commit(new Mutation().deleteRecord(RecordSpace.TASK, 9).deleteRecord(RecordSpace.TASK, 12345)
                .putRecord(RecordSpace.TASK, 2, bytes("TWO")));
        assertThat(store.records(RecordSpace.TASK, 0, 10)).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("TWO", "");
        store = reopen(store);
        assertThat(store.records(RecordSpace.TASK, 0, 10)).extracting(RecordSpace.Record::id).containsExactly(2L, 300L);
        assertThat(store.record(RecordSpace.HSM, 5)).isPresent();
    }

    @Test
    public void deleteInodeRemovesItsInodeOwnedRecordsOnly() throws Exception {
        commit(new Mutation().putInode(file(2)).putRecord(RecordSpace.HSM, 2, bytes("h2"))
                .putRecord(RecordSpace.HSM, 3, bytes("h3")).putRecord(RecordSpace.TASK, 2, bytes("t2")));
        commit(new Mutation().deleteInode(2));
        assertThat(store.record(RecordSpace.HSM, 2)).isEmpty();
        assertThat(store.record(RecordSpace.HSM, 3)).isPresent();
        assertThat(store.record(RecordSpace.TASK, 2)).isPresent();
    }

    @Test
    public void deleteInodeRemovesItsXattrsAndMarksButNoOneElses() throws Exception {
        commit(new Mutation().putInode(file(2)).putInode(file(3))
                .putXattr(2, bytes("user.a"), bytes("1")).putXattr(2, bytes("user.b"), bytes("2"))
                .putXattr(3, bytes("user.a"), bytes("3")).putXattr(1, bytes("user.a"), bytes("4"))
                .addMark(Mark.ORPHAN, 2).addMark(Mark.OPEN_FOR_WRITE, 2).addMark(Mark.ORPHAN, 3));
        commit(new Mutation().deleteInode(2));
        assertThat(store.inode(2)).isEmpty();
        assertThat(store.xattrNames(2)).isEmpty();
        assertThat(store.xattr(2, bytes("user.a"))).isEmpty();
        assertThat(store.marked(Mark.ORPHAN)).containsExactly(3L);
        assertThat(store.marked(Mark.OPEN_FOR_WRITE)).isEmpty();
        assertThat(store.inode(3)).isPresent();
        assertThat(store.xattrNames(3)).containsExactly(bytes("user.a"));
        assertThat(store.xattrNames(1)).containsExactly(bytes("user.a"));
        assertThat(store.stats().inodes()).isEqualTo(1);
    }

    @Test
    public void deleteInodeSeesEarlierOperationsOfTheSameMutation() throws Exception {
        commit(new Mutation().putInode(file(2)).putXattr(2, bytes("user.new"), bytes("1"))
                .addMark(Mark.ORPHAN, 2).deleteInode(2));
        assertThat(store.inode(2)).isEmpty();
        assertThat(store.xattrNames(2)).isEmpty();
        assertThat(store.marked(Mark.ORPHAN)).isEmpty();
        commit(new Mutation().deleteInode(3).putInode(file(3)).putXattr(3, bytes("user.after"), bytes("1")));
        assertThat(store.inode(3)).isPresent();
        assertThat(store.xattrNames(3)).containsExactly(bytes("user.after"));
        assertThat(store.stats().inodes()).isEqualTo(1);
    }

    // ---- counters and marks

    @Test
    public void countersStartAtZeroAndKeepWhatWasSet() throws Exception {
        commit(new Mutation().setCounter("a", 1).setCounter("ab", Long.MAX_VALUE).setCounter("b", Long.MIN_VALUE)
                .setCounter("zählers", -5));
        assertThat(store.counter("a")).isEqualTo(1);
        assertThat(store.counter("ab")).isEqualTo(Long.MAX_VALUE);
        assertThat(store.counter("b")).isEqualTo(Long.MIN_VALUE);
        assertThat(store.counter("zählers")).isEqualTo(-5);
        assertThat(store.counter("abc")).isZero();
        commit(new Mutation().setCounter("a", 2));
        assertThat(store.counter("a")).isEqualTo(2);
    }

    @Test
    public void marksListInodesInIncreasingOrder() throws Exception {
        long[] inos = {1L << 40, 256, 1, 255, Long.MAX_VALUE, 65_536};
        Mutation m = new Mutation();
        for (long ino : inos) {
            m.addMark(Mark.ORPHAN, ino);
        }
        m.addMark(Mark.ORPHAN, 256).addMark(Mark.OPEN_FOR_WRITE, 9);
        commit(m);
        assertThat(store.marked(Mark.ORPHAN)).containsExactly(1L, 255L, 256L, 65_536L, 1L << 40, Long.MAX_VALUE);
        assertThat(store.marked(Mark.OPEN_FOR_WRITE)).containsExactly(9L);
        commit(new Mutation().removeMark(Mark.ORPHAN, 256).removeMark(Mark.OPEN_FOR_WRITE, 256));
        assertThat(store.marked(Mark.ORPHAN)).containsExactly(1L, 255L, 65_536L, 1L << 40, Long.MAX_VALUE);
        assertThat(store.marked(Mark.OPEN_FOR_WRITE)).containsExactly(9L);
    }

    // ---- durability across reopen

    @Test
    public void reopeningKeepsEverything() throws Exception {
        Snapshot before = populateEverything();
        store = reopen(store);
        assertThat(Snapshot.of(store)).isEqualTo(before);
    }

    @Test
    public void reopeningAfterSyncKeepsEverything() throws Exception {
        Snapshot before = populateEverything();
        store.sync();
        store.sync();
        store = reopen(store);
        assertThat(Snapshot.of(store)).isEqualTo(before);
        commit(new Mutation().putInode(file(99)));
        store.sync();
        assertThat(store.inode(99)).isPresent();
    }

    // ---- statistics and lifecycle

    @Test
    public void statsCountInodes() throws Exception {
        for (int i = 0; i < 100; i++) {
            commit(new Mutation().putInode(file(10 + i)));
        }
        commit(new Mutation().putInode(file(10).toBuilder().sizeBytes(1).build()));
        for (int i = 0; i < 10; i++) {
            commit(new Mutation().deleteInode(10 + i));
        }
        MetadataStore.StoreStats stats = store.stats();
        assertThat(stats.inodes()).isBetween(81L, 99L);
        assertThat(stats.diskBytes()).isNotNegative();
    }

    @Test
    public void closeIsIdempotentAndUseAfterCloseFails() throws Exception {
        commit(new Mutation().putInode(file(2)));
        store.close();
        store.close();
        Mutation m = new Mutation().putInode(file(3));
        assertThatThrownBy(() -> store.inode(2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.entry(1, name("a"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.list(1, 0, 10)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.xattr(2, bytes("user.a"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.xattrNames(2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.counter("c")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.marked(Mark.ORPHAN)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.commit(m)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.sync()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.stats()).isInstanceOf(IllegalStateException.class);
    }

    // ---- concurrency

    @Test
    @Timeout(CONCURRENCY_TIMEOUT_SECONDS)
    public void concurrentCommitsFromSeveralThreadsAllLand() throws Exception {
        final int threads = 4;
        final int commitsPerThread = 250;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long parent = 1_000 + t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < commitsPerThread; i++) {
                        long ino = parent * 10_000 + i;
                        commit(new Mutation().putInode(file(ino))
                                .putEntry(parent, new DirEntry(name("f" + i), ino, FileType.REGULAR, InodeRecord.FIRST_COOKIE + i))
                                .putXattr(ino, bytes("user.i"), bytes(Integer.toString(i)))
                                .setCounter("thread-" + parent, i + 1));
                        if (i % 50 == 0) {
                            store.sync();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(CONCURRENCY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        }
        store.sync();
        for (int t = 0; t < threads; t++) {
            long parent = 1_000 + t;
            assertThat(store.counter("thread-" + parent)).isEqualTo(commitsPerThread);
            assertThat(store.list(parent, 0, 10_000)).hasSize(commitsPerThread);
            for (int i = 0; i < commitsPerThread; i += 17) {
                long ino = parent * 10_000 + i;
                assertThat(store.inode(ino)).isPresent();
                assertThat(store.xattr(ino, bytes("user.i"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes(Long.toString(ino % 10_000))));
            }
        }
        assertThat(store.stats().inodes()).isEqualTo((long) threads * commitsPerThread);
    }

    /**
     * Commit k sets xattr "user.k" and the inode's size to k together. A reader that reads the xattr
     * first and the inode second must never find the inode behind the xattr: that would mean it saw
     * half of a commit.
     */
    @Test
    @Timeout(CONCURRENCY_TIMEOUT_SECONDS)
    public void readersNeverSeeHalfAMutation() throws Exception {
        final int commits = 2_000;
        final int readers = 2;
        commit(new Mutation().putInode(file(2)).putXattr(2, bytes("user.k"), longBytes(0)));
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong checks = new AtomicLong();
        try (ExecutorService pool = Executors.newFixedThreadPool(readers + 1)) {
            List<Future<?>> readerResults = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                readerResults.add(pool.submit(() -> {
                    while (writing.get()) {
                        long x = bytesLong(store.xattr(2, bytes("user.k")).orElseThrow());
                        long size = store.inode(2).orElseThrow().sizeBytes();
                        assertThat(size).as("inode behind its xattr").isGreaterThanOrEqualTo(x);
                        checks.incrementAndGet();
                    }
                    return null;
                }));
            }
            Future<?> writer = pool.submit(() -> {
                try {
                    for (long k = 1; k <= commits; k++) {
                        commit(new Mutation().putXattr(2, bytes("user.k"), longBytes(k))
                                .putInode(file(2).toBuilder().sizeBytes(k).build()));
                    }
                } finally {
                    writing.set(false);
                }
                return null;
            });
            writer.get(CONCURRENCY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (Future<?> f : readerResults) {
                f.get(CONCURRENCY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        }
        assertThat(checks.get()).isPositive();
        assertThat(store.inode(2).orElseThrow().sizeBytes()).isEqualTo(commits);
    }

    @Test
    @Timeout(CONCURRENCY_TIMEOUT_SECONDS)
    public void concurrentSyncsAllReturn() throws Exception {
        final int threads = 4;
        final int rounds = 50;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long base = (t + 1) * 1_000L;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < rounds; i++) {
                        commit(new Mutation().putInode(file(base + i)));
                        store.sync();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(CONCURRENCY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        }
        assertThat(store.stats().inodes()).isEqualTo((long) threads * rounds);
    }

    // ---- helpers for subclasses and tests

    protected final void commit(Mutation m) throws FsException {
        store.commit(m);
    }

    protected static Name name(String s) {
        return name(s.getBytes(StandardCharsets.UTF_8));
    }

    protected static Name name(byte[] raw) {
        try {
            return Name.of(raw);
        } catch (FsException e) {
            throw new IllegalArgumentException("bad test name", e);
        }
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static InodeRecord file(long ino) {
        Timespec t = new Timespec(1_700_000_000L + ino, (int) (ino % 1_000_000_000L));
        return new InodeRecord.Builder().ino(ino).mode(FileType.REGULAR.modeBits() | 0644).uid(1000).gid(1000).nlink(1)
                .sizeBytes(ino * 3).atime(t).mtime(t).ctime(t).btime(t).parent(1).build();
    }

    protected static InodeRecord dir(long ino) {
        Timespec t = new Timespec(1_700_000_000L, 0);
        return new InodeRecord.Builder().ino(ino).mode(FileType.DIRECTORY.modeBits() | 0755).nlink(2)
                .atime(t).mtime(t).ctime(t).btime(t).parent(ino).nextCookie(InodeRecord.FIRST_COOKIE).build();
    }

    private List<DirEntry> populate(long parent, int count) throws FsException {
        List<DirEntry> all = new ArrayList<>();
        Mutation m = new Mutation();
        for (int i = 0; i < count; i++) {
            DirEntry e = new DirEntry(name("e" + i), 100 + i, FileType.REGULAR, InodeRecord.FIRST_COOKIE + 2L * i);
            all.add(e);
            m.putEntry(parent, e);
        }
        commit(m);
        return all;
    }

    /** One of everything, then a snapshot of it for comparison after reopening. */
    private Snapshot populateEverything() throws FsException {
        byte[] target = bytes("../some/where");
        commit(new Mutation().putInode(dir(1)).putInode(file(2)).putInode(file(3).toBuilder().target(target).build())
                .putEntry(1, new DirEntry(name("a"), 2, FileType.REGULAR, 3))
                .putEntry(1, new DirEntry(name(new byte[] {(byte) 0xC3, 0x28}), 3, FileType.SYMLINK, 4))
                .putXattr(2, bytes("user.a"), bytes("1")).putXattr(2, bytes("trusted.b"), new byte[XATTR_MAX_VALUE_BYTES])
                .setCounter("next-ino", 4).addMark(Mark.ORPHAN, 3).addMark(Mark.OPEN_FOR_WRITE, 2));
        commit(new Mutation().putEntry(1, new DirEntry(name("later"), 2, FileType.REGULAR, 5)));
        return Snapshot.of(store);
    }

    private static long pick(Random random, TreeMap<Long, DirEntry> model) {
        Long[] keys = model.keySet().toArray(Long[]::new);
        return keys[random.nextInt(keys.length)];
    }

    private static byte[] longBytes(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }

    private static long bytesLong(byte[] b) {
        return Long.parseLong(new String(b, StandardCharsets.US_ASCII));
    }

    /** What {@link #populateEverything} wrote, as comparable values. */
    private record Snapshot(List<InodeRecord> inodes, List<DirEntry> entries, List<String> xattrs, long counter,
            List<Long> orphans, List<Long> open, long inodeCount) {
        static Snapshot of(MetadataStore s) throws FsException {
            List<InodeRecord> inodes = new ArrayList<>();
            for (long ino = 1; ino <= 3; ino++) {
                s.inode(ino).ifPresent(inodes::add);
            }
            List<String> xattrs = new ArrayList<>();
            for (byte[] n : s.xattrNames(2)) {
                xattrs.add(new String(n, StandardCharsets.UTF_8) + "=" + Arrays.hashCode(s.xattr(2, n).orElseThrow()));
            }
            return new Snapshot(inodes, s.list(1, 0, 100), xattrs, s.counter("next-ino"), s.marked(Mark.ORPHAN),
                    s.marked(Mark.OPEN_FOR_WRITE), s.stats().inodes());
        }
    }
}
