package dev.strata.testkit.meta;

import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.meta.DirEntry;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mark;
import dev.strata.core.meta.MetadataStore;
import dev.strata.core.meta.Link;
import dev.strata.core.meta.Mutation;
import dev.strata.core.meta.RecordSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * A strict in-memory {@link MetadataStore} for engine tests. Stricter than the real store where
 * that catches bugs: it copies every array on the way in and out (a caller that keeps and mutates
 * one sees no effect), rejects every call after {@link #close} with {@link IllegalStateException},
 * and rejects the same invariant-breaking operations as the RocksDB store (a reused readdir cookie,
 * a delete with the wrong cookie, empty xattr or counter names).
 *
 * <h2>Faults and crashes</h2>
 * <ul>
 *   <li>{@link #failCommit} makes the Nth commit from now fail, {@link #diskFull} every commit, as
 *       the real store would: nothing of the failed mutation is applied.</li>
 *   <li>{@link #reopen} simulates a process restart: everything committed survives.</li>
 *   <li>{@link #crash()} simulates power loss: only what a {@link #sync} covered survives;
 *       {@link #crash(RandomGenerator)} keeps a random prefix of the unsynced commits as well, which
 *       a real journal may also do — code must be correct either way.</li>
 * </ul>
 * The instance that reopened or crashed is closed; the returned one shares the surviving state.
 *
 * <p>Thread-safety: all state lives in one {@link Medium}; every call synchronizes on it.
 */
public final class InMemoryMetadataStore implements MetadataStore {
    /** The failures {@link #failCommit} can inject. */
    public enum Fault {
        NO_SPACE, IO_FAILURE
    }

    /** The state that outlives a store instance, like a disk outlives a process. */
    private static final class Medium {
        Image live = new Image();
        Image durable = new Image();
        /** Commits since the last sync, oldest first, with arrays already copied. */
        final List<List<Mutation.Op>> unsynced = new ArrayList<>();
        long commitNumber;
        long failAtCommit = -1;
        Fault failWith;
        boolean diskFull;
    }

    private final Medium medium;
    private final AtomicLong syncCalls = new AtomicLong();
    private volatile boolean closed;

    public InMemoryMetadataStore() {
        this(new Medium());
    }

    private InMemoryMetadataStore(Medium medium) {
        this.medium = medium;
    }

    // ---- reads

    @Override
    public Optional<InodeRecord> inode(long ino) {
        synchronized (medium) {
            ensureOpen();
            return Optional.ofNullable(medium.live.inodes.get(ino)).map(InMemoryMetadataStore::copy);
        }
    }

    @Override
    public Optional<DirEntry> entry(long parent, Name name) {
        Objects.requireNonNull(name, "name");
        synchronized (medium) {
            ensureOpen();
            return Optional.ofNullable(medium.live.entries.get(new Image.EntryKey(parent, name)));
        }
    }

    @Override
    public List<DirEntry> list(long parent, long afterCookie, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("negative limit " + limit);
        }
        synchronized (medium) {
            ensureOpen();
            List<DirEntry> out = new ArrayList<>();
            if (afterCookie == Long.MAX_VALUE) {
                return out;
            }
            for (DirEntry e : medium.live.cookies.subMap(new Image.CookieKey(parent, afterCookie + 1), true,
                    new Image.CookieKey(parent, Long.MAX_VALUE), true).values()) {
                if (out.size() >= limit) {
                    break;
                }
                out.add(e);
            }
            return out;
        }
    }

    @Override
    public Optional<byte[]> xattr(long ino, byte[] name) {
        Objects.requireNonNull(name, "name");
        synchronized (medium) {
            ensureOpen();
            return Optional.ofNullable(medium.live.xattrs.get(new Image.XattrKey(ino, name))).map(byte[]::clone);
        }
    }

    @Override
    public List<byte[]> xattrNames(long ino) {
        synchronized (medium) {
            ensureOpen();
            List<byte[]> names = new ArrayList<>();
            for (Image.XattrKey k : medium.live.xattrs.subMap(new Image.XattrKey(ino, new byte[0]), true,
                    new Image.XattrKey(ino + 1, new byte[0]), false).keySet()) {
                names.add(k.name().clone());
            }
            return names;
        }
    }

    @Override
    public long counter(String counter) {
        Objects.requireNonNull(counter, "counter");
        synchronized (medium) {
            ensureOpen();
            return medium.live.counters.getOrDefault(counter, 0L);
        }
    }

    @Override
    public List<Long> marked(Mark mark) {
        Objects.requireNonNull(mark, "mark");
        synchronized (medium) {
            ensureOpen();
            List<Long> inos = new ArrayList<>();
            for (Image.MarkKey k : medium.live.marks.subMap(new Image.MarkKey(mark, Long.MIN_VALUE), true,
                    new Image.MarkKey(mark, Long.MAX_VALUE), true).keySet()) {
                inos.add(k.ino());
            }
            return inos;
        }
    }

    @Override
    public List<Link> links(long ino, int limit) {
        requireLimit(limit);
        synchronized (medium) {
            ensureOpen();
            List<Link> out = new ArrayList<>();
            for (Image.LinkKey k : medium.live.links.subMap(new Image.LinkKey(ino, Long.MIN_VALUE, Name.trusted(new byte[0])), true,
                    new Image.LinkKey(ino + 1, Long.MIN_VALUE, Name.trusted(new byte[0])), false).keySet()) {
                if (out.size() >= limit) {
                    break;
                }
                out.add(new Link(k.parent(), k.name()));
            }
            return out;
        }
    }

    @Override
    public Optional<byte[]> record(RecordSpace space, long id) {
        Objects.requireNonNull(space, "space");
        synchronized (medium) {
            ensureOpen();
            return Optional.ofNullable(medium.live.records.get(new Image.RecordKey(space, id))).map(byte[]::clone);
        }
    }

    @Override
    public List<RecordSpace.Record> records(RecordSpace space, long afterId, int limit) {
        Objects.requireNonNull(space, "space");
        requireLimit(limit);
        synchronized (medium) {
            ensureOpen();
            List<RecordSpace.Record> out = new ArrayList<>();
            if (afterId == Long.MAX_VALUE) {
                return out;
            }
            for (var e : medium.live.records.subMap(new Image.RecordKey(space, afterId), false,
                    new Image.RecordKey(space, Long.MAX_VALUE), true).entrySet()) {
                if (out.size() >= limit) {
                    break;
                }
                out.add(new RecordSpace.Record(e.getKey().id(), e.getValue().clone()));
            }
            return out;
        }
    }

    private static void requireLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("negative limit " + limit);
        }
    }

    // ---- writes

    @Override
    public void commit(Mutation mutation) throws FsException {
        Objects.requireNonNull(mutation, "mutation");
        ensureOpen(); // before validating the ops, as the real store does; checked again under the lock
        List<Mutation.Op> ops = new ArrayList<>(mutation.ops().size());
        for (Mutation.Op op : mutation.ops()) {
            ops.add(copy(op));
        }
        synchronized (medium) {
            ensureOpen();
            if (ops.isEmpty()) {
                return;
            }
            long number = ++medium.commitNumber;
            if (medium.diskFull) {
                throw new FsException.NoSpace("in-memory metadata store: disk full (injected)");
            }
            if (number == medium.failAtCommit) {
                medium.failAtCommit = -1;
                throw switch (medium.failWith) {
                    case NO_SPACE -> new FsException.NoSpace("in-memory metadata store: commit " + number + " (injected)");
                    case IO_FAILURE -> new FsException.IoFailure("in-memory metadata store: commit " + number + " (injected)");
                };
            }
            medium.live.apply(ops);
            medium.unsynced.add(ops);
        }
    }

    /** Makes everything committed so far survive {@link #crash()}; counts the calls. */
    @Override
    public void sync() {
        synchronized (medium) {
            ensureOpen();
            syncCalls.incrementAndGet();
            for (List<Mutation.Op> ops : medium.unsynced) {
                medium.durable.apply(ops);
            }
            medium.unsynced.clear();
        }
    }

    @Override
    public StoreStats stats() {
        synchronized (medium) {
            ensureOpen();
            return new StoreStats(medium.live.inodes.size(), medium.live.estimatedBytes());
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    // ---- test controls

    /** How often {@link #sync} was called on this instance. */
    public long syncCalls() {
        return syncCalls.get();
    }

    /** How many commits have been attempted on this medium, failed ones included. */
    public long commits() {
        synchronized (medium) {
            return medium.commitNumber;
        }
    }

    /** Makes the {@code nth} commit from now (1 = the next) fail with {@code fault}, changing nothing. */
    public void failCommit(int nth, Fault fault) {
        if (nth < 1) {
            throw new IllegalArgumentException("nth must be at least 1: " + nth);
        }
        synchronized (medium) {
            medium.failAtCommit = medium.commitNumber + nth;
            medium.failWith = Objects.requireNonNull(fault, "fault");
        }
    }

    /** While {@code full}, every commit fails with {@link FsException.NoSpace}; reads and sync still work. */
    public void diskFull(boolean full) {
        synchronized (medium) {
            medium.diskFull = full;
        }
    }

    /** A process restart: closes this instance and returns one that sees everything committed. */
    public InMemoryMetadataStore reopen() {
        close();
        return new InMemoryMetadataStore(medium);
    }

    /** Power loss: closes this instance and returns one that sees only what {@link #sync} covered. */
    public InMemoryMetadataStore crash() {
        return crashKeeping(0);
    }

    /** Power loss after which a random prefix of the unsynced commits made it to disk anyway. */
    public InMemoryMetadataStore crash(RandomGenerator random) {
        synchronized (medium) {
            return crashKeeping(random.nextInt(medium.unsynced.size() + 1));
        }
    }

    private InMemoryMetadataStore crashKeeping(int unsyncedKept) {
        close();
        synchronized (medium) {
            for (List<Mutation.Op> ops : medium.unsynced.subList(0, unsyncedKept)) {
                medium.durable.apply(ops);
            }
            medium.unsynced.clear();
            medium.live = medium.durable.copy();
            return new InMemoryMetadataStore(medium);
        }
    }

    @Override
    public String toString() {
        return "InMemoryMetadataStore" + (closed ? "[closed]" : "");
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("in-memory metadata store is closed");
        }
    }

    private static InodeRecord copy(InodeRecord r) {
        return r.target() == null ? r : r.toBuilder().target(r.target().clone()).build();
    }

    /** A copy that shares no array with the caller; also checks what the RocksDB store checks. */
    private static Mutation.Op copy(Mutation.Op op) {
        return switch (op) {
            case Mutation.PutInode(var r) -> new Mutation.PutInode(copy(r));
            case Mutation.PutXattr(long ino, byte[] name, byte[] value) ->
                    new Mutation.PutXattr(ino, xattrName(ino, name), value.clone());
            case Mutation.DeleteXattr(long ino, byte[] name) -> new Mutation.DeleteXattr(ino, xattrName(ino, name));
            case Mutation.SetCounter(String counter, long value) -> {
                if (counter.isEmpty()) {
                    throw new IllegalArgumentException("counter name is empty");
                }
                yield op;
            }
            case Mutation.DeleteInode d -> d;
            case Mutation.PutEntry p -> p;
            case Mutation.DeleteEntry d -> d;
            case Mutation.AddMark a -> a;
            case Mutation.RemoveMark r -> r;
            case Mutation.PutRecord(RecordSpace space, long id, byte[] value) ->
                    new Mutation.PutRecord(Objects.requireNonNull(space, "space"), id, value.clone());
            case Mutation.DeleteRecord d -> d;
        };
    }

    private static byte[] xattrName(long ino, byte[] name) {
        if (name.length == 0) {
            throw new IllegalArgumentException("empty xattr name for inode " + ino);
        }
        return name.clone();
    }
}
