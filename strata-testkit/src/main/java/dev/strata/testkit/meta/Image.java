package dev.strata.testkit.meta;

import dev.strata.core.Name;
import dev.strata.core.meta.DirEntry;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mark;
import dev.strata.core.meta.Mutation;
import dev.strata.core.meta.RecordSpace;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One state of the namespace as plain sorted maps: what {@link InMemoryMetadataStore} serves and
 * what it keeps as the "synced" state for crash simulation. Stored values are never mutated after
 * they are put (callers copy arrays on the way in and out), so two images may share them.
 * Not thread-safe: the store locks around it.
 */
final class Image {
    record EntryKey(long parent, Name name) {}

    record CookieKey(long parent, long cookie) {}

    record XattrKey(long ino, byte[] name) {}

    record MarkKey(Mark mark, long ino) {}

    record LinkKey(long ino, long parent, Name name) {}

    record RecordKey(RecordSpace space, long id) {}

    static final Comparator<EntryKey> ENTRY_ORDER =
            Comparator.comparingLong(EntryKey::parent).thenComparing(EntryKey::name);
    static final Comparator<CookieKey> COOKIE_ORDER =
            Comparator.comparingLong(CookieKey::parent).thenComparingLong(CookieKey::cookie);
    static final Comparator<XattrKey> XATTR_ORDER = Comparator.comparingLong(XattrKey::ino)
            .thenComparing(XattrKey::name, Arrays::compareUnsigned);
    static final Comparator<MarkKey> MARK_ORDER =
            Comparator.comparing(MarkKey::mark).thenComparingLong(MarkKey::ino);
    static final Comparator<LinkKey> LINK_ORDER = Comparator.comparingLong(LinkKey::ino)
            .thenComparingLong(LinkKey::parent).thenComparing(LinkKey::name);
    static final Comparator<RecordKey> RECORD_ORDER =
            Comparator.comparing(RecordKey::space).thenComparingLong(RecordKey::id);

    final TreeMap<Long, InodeRecord> inodes;
    final TreeMap<EntryKey, DirEntry> entries;
    final TreeMap<CookieKey, DirEntry> cookies;
    final TreeMap<XattrKey, byte[]> xattrs;
    final TreeMap<String, Long> counters;
    final TreeMap<MarkKey, Boolean> marks;
    final TreeMap<LinkKey, Boolean> links;
    final TreeMap<RecordKey, byte[]> records;

    /** Inverse actions of the mutation being applied, newest first; replayed if it fails. */
    private final Deque<Runnable> undo = new ArrayDeque<>();

    Image() {
        inodes = new TreeMap<>();
        entries = new TreeMap<>(ENTRY_ORDER);
        cookies = new TreeMap<>(COOKIE_ORDER);
        xattrs = new TreeMap<>(XATTR_ORDER);
        counters = new TreeMap<>();
        marks = new TreeMap<>(MARK_ORDER);
        links = new TreeMap<>(LINK_ORDER);
        records = new TreeMap<>(RECORD_ORDER);
    }

    private Image(Image o) {
        inodes = new TreeMap<>(o.inodes);
        entries = new TreeMap<>(o.entries);
        cookies = new TreeMap<>(o.cookies);
        xattrs = new TreeMap<>(o.xattrs);
        counters = new TreeMap<>(o.counters);
        marks = new TreeMap<>(o.marks);
        links = new TreeMap<>(o.links);
        records = new TreeMap<>(o.records);
    }

    Image copy() {
        return new Image(this);
    }

    /**
     * Applies all operations or, if one is rejected, none.
     *
     * @param ops operations whose arrays the caller already copied
     * @throws IllegalArgumentException for an operation that breaks an invariant (an engine bug)
     */
    void apply(Iterable<Mutation.Op> ops) {
        undo.clear();
        try {
            for (Mutation.Op op : ops) {
                apply(op);
            }
        } catch (RuntimeException e) {
            while (!undo.isEmpty()) {
                undo.pop().run();
            }
            throw e;
        } finally {
            undo.clear();
        }
    }

    private void apply(Mutation.Op op) {
        switch (op) {
            case Mutation.PutInode(var r) -> put(inodes, r.ino(), r);
            case Mutation.DeleteInode(long ino) -> {
                remove(inodes, ino);
                for (XattrKey k : xattrs.subMap(new XattrKey(ino, new byte[0]), true, new XattrKey(ino + 1, new byte[0]), false)
                        .keySet().toArray(XattrKey[]::new)) {
                    remove(xattrs, k);
                }
                for (Mark m : Mark.values()) {
                    remove(marks, new MarkKey(m, ino));
                }
                for (RecordSpace space : RecordSpace.values()) {
                    if (space.ownedByInode()) {
                        remove(records, new RecordKey(space, ino));
                    }
                }
            }
            case Mutation.PutEntry(long parent, DirEntry e) -> {
                DirEntry atCookie = cookies.get(new CookieKey(parent, e.cookie()));
                if (atCookie != null && !atCookie.name().equals(e.name())) {
                    throw new IllegalArgumentException("cookie " + e.cookie() + " in directory " + parent
                            + " already belongs to '" + atCookie.name() + "'; cannot give it to '" + e.name() + "'");
                }
                DirEntry old = entries.get(new EntryKey(parent, e.name()));
                if (old != null) {
                    remove(cookies, new CookieKey(parent, old.cookie()));
                    remove(links, new LinkKey(old.ino(), parent, old.name()));
                }
                put(entries, new EntryKey(parent, e.name()), e);
                put(links, new LinkKey(e.ino(), parent, e.name()), Boolean.TRUE);
                put(cookies, new CookieKey(parent, e.cookie()), e);
            }
            case Mutation.DeleteEntry(long parent, Name name, long cookie) -> {
                DirEntry old = entries.get(new EntryKey(parent, name));
                if (old == null) {
                    return;
                }
                if (old.cookie() != cookie) {
                    throw new IllegalArgumentException("entry '" + name + "' in directory " + parent + " has cookie "
                            + old.cookie() + ", not " + cookie);
                }
                remove(entries, new EntryKey(parent, name));
                remove(cookies, new CookieKey(parent, cookie));
                remove(links, new LinkKey(old.ino(), parent, name));
            }
            case Mutation.PutXattr(long ino, byte[] name, byte[] value) -> put(xattrs, new XattrKey(ino, name), value);
            case Mutation.DeleteXattr(long ino, byte[] name) -> remove(xattrs, new XattrKey(ino, name));
            case Mutation.SetCounter(String counter, long value) -> put(counters, counter, value);
            case Mutation.AddMark(Mark mark, long ino) -> put(marks, new MarkKey(mark, ino), Boolean.TRUE);
            case Mutation.RemoveMark(Mark mark, long ino) -> remove(marks, new MarkKey(mark, ino));
            case Mutation.PutRecord(RecordSpace space, long id, byte[] value) -> put(records, new RecordKey(space, id), value);
            case Mutation.DeleteRecord(RecordSpace space, long id) -> remove(records, new RecordKey(space, id));
        }
    }

    /** A rough size for {@code stats()}: what the records would take on disk, give or take. */
    long estimatedBytes() {
        final int recordOverhead = 24;
        long bytes = inodes.size() * (128L + recordOverhead);
        for (DirEntry e : entries.values()) {
            bytes += 2L * (e.name().length() + 2 * recordOverhead);
        }
        for (Map.Entry<XattrKey, byte[]> x : xattrs.entrySet()) {
            bytes += x.getKey().name().length + x.getValue().length + recordOverhead;
        }
        for (byte[] r : records.values()) {
            bytes += r.length + recordOverhead;
        }
        return bytes + (counters.size() + marks.size() + links.size()) * (long) recordOverhead;
    }

    private <K, V> void put(NavigableMap<K, V> map, K key, V value) {
        V previous = map.put(key, value);
        undo.push(() -> restore(map, key, previous));
    }

    private <K, V> void remove(NavigableMap<K, V> map, K key) {
        V previous = map.remove(key);
        if (previous != null) {
            undo.push(() -> map.put(key, previous));
        }
    }

    private static <K, V> void restore(NavigableMap<K, V> map, K key, V previous) {
        if (previous == null) {
            map.remove(key);
        } else {
            map.put(key, previous);
        }
    }
}
