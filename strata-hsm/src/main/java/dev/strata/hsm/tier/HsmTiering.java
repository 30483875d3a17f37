package dev.strata.hsm.tier;

import dev.strata.core.Caller;
import dev.strata.core.Errno;
import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.data.LocalFile;
import dev.strata.core.fs.PosixFileSystem;
import dev.strata.core.fs.TierChange;
import dev.strata.core.fs.TierHost;
import dev.strata.core.fs.Tiering;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Link;
import dev.strata.core.meta.MetadataStore;
import dev.strata.core.meta.Mutation;
import dev.strata.core.store.ObjectStore;
import dev.strata.hsm.HsmRecord;
import dev.strata.hsm.HsmRefusal;
import dev.strata.hsm.HsmState;
import dev.strata.hsm.HsmTransitions;
import dev.strata.hsm.MirrorKeys;
import dev.strata.hsm.Task;
import dev.strata.hsm.TaskKind;
import dev.strata.hsm.TaskQueue;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capacity tier behind the engine: the 1:1 mirror of the namespace in an {@link ObjectStore},
 * the HSM lifecycle of each file, per-directory durability, and the control attributes of
 * docs/CONTROL-XATTRS.md. See docs/CAPACITY-TIER.md for the design.
 *
 * <p>Hooks run under the engine lock and only read metadata and add to the engine's commit: the
 * HSM state and mirror tasks commit atomically with the change that caused them. Object-store work
 * runs in the {@link Mover}'s workers, or in the caller's thread for {@code sync} durability,
 * restores before a write, and reads of released files.
 */
public final class HsmTiering implements Tiering {
    private static final Logger LOG = LoggerFactory.getLogger(HsmTiering.class);

    static final String STATE = "user.strata.hsm.state";
    static final String INFO = "user.strata.hsm.info";
    static final String REQUEST = "user.strata.hsm.request";
    static final String EFFECTIVE = "user.strata.policy.effective";
    static final String STATUS = "user.strata.status";
    static final String QUEUE = "user.strata.hsm.queue";
    /** Temporary keys of RENAME_EXCHANGE; a name no file can have at the root. */
    static final String EXCHANGE_PREFIX = ".strata-exchange/";

    final ObjectStore store;
    final HsmOptions options;
    final InodeLocks locks = new InodeLocks();
    final ExecutorService fetchers = Executors.newVirtualThreadPerTaskExecutor();
    final Archiver archiver = new Archiver(this);
    final Restorer restorer = new Restorer(this);
    final ReleasedReads reads = new ReleasedReads(this);
    final NamespaceReplay replay = new NamespaceReplay(this);
    Importer importer;
    final AtomicLong unmirrorable = new AtomicLong();
    private final RandomGenerator random;
    private volatile TierHost host;
    TaskQueue queue;
    MirrorPaths paths;
    Policies policies;
    private Mover mover;

    public HsmTiering(ObjectStore store, HsmOptions options, RandomGenerator random) {
        this.store = store;
        this.options = options;
        this.random = random;
    }

    @Override
    public void attach(TierHost h) {
        this.host = h;
        try {
            this.queue = new TaskQueue(h.meta(), options.queue(), random);
        } catch (FsException e) {
            throw new IllegalStateException("cannot open the mover's task queue: " + e.getMessage(), e);
        }
        this.paths = new MirrorPaths(h.meta());
        this.policies = new Policies(h.meta(), options.rootPolicy());
        this.importer = new Importer(this);
        this.mover = new Mover(this);
        mover.start();
        LOG.info("capacity tier {} attached; default policy {}", store.describe(), options.rootPolicy().format());
    }

    TierHost host() {
        return host;
    }

    MetadataStore meta() {
        return host.meta();
    }

    Mover mover() {
        return mover;
    }

    // ---- hooks, under the engine lock ----------------------------------------------------------

    @Override
    public void onCreate(TierChange c, long parent, Name name, InodeRecord created) throws FsException {
        if (durability(parent) == Policy.Durability.SCRATCH) {
            return;
        }
        FileType type = created.type();
        Mutation m = new Mutation();
        if (type == FileType.DIRECTORY) {
            long dir = created.ino();
            c.afterCommit(() -> importer.createdLocally(dir));
        }
        switch (type) {
            case REGULAR -> {
                HsmTransitions.dataChanged(m, created.ino(), HsmRecord.NEW, c.nowMillis());
                scheduleAfter(c, created.ino(), parent);
            }
            case DIRECTORY -> key(parent, name, true).ifPresent(k ->
                    queue.enqueue(m, Task.Request.of(TaskKind.PUT_DIR_MARKER, created.ino(), k), c.nowMillis()));
            case SYMLINK -> key(parent, name, false).ifPresent(k ->
                    queue.enqueue(m, Task.Request.of(TaskKind.PUT_SYMLINK, created.ino(), k), c.nowMillis()));
            default -> { } // FIFOs, sockets and devices have no object (as in FSx for Lustre)
        }
        m.ops().forEach(c::add);
    }

    @Override
    public void onRemove(TierChange c, long parent, Name name, InodeRecord victim) throws FsException {
        boolean dir = victim.isDirectory();
        Optional<String> key = key(parent, name, dir);
        if (key.isEmpty()) {
            return;
        }
        Mutation m = new Mutation();
        if (victim.isRegular()) {
            HsmRecord h = HsmTransitions.current(meta(), victim.ino());
            if (!h.hasArchivedCopy() && h.state() != HsmState.ARCHIVING) {
                return; // never reached the bucket (an upload in flight cleans up after itself)
            }
            List<Link> others = victim.nlink() > 1 ? paths.otherLinks(victim.ino(), parent, name, 1) : List.of();
            if (!others.isEmpty() && h.objectKey().equals(key.get())) {
                // The object lives under the name going away but the file stays: move it to a name
                // it keeps (a released file's only copy must not be deleted).
                Optional<String> to = key(others.get(0).parent(), others.get(0).name(), false);
                if (to.isPresent()) {
                    queue.enqueue(m, Task.Request.rename(TaskKind.RENAME_KEY, victim.ino(), key.get(), to.get()),
                            c.nowMillis());
                }
                m.ops().forEach(c::add);
                return;
            }
        }
        queue.enqueue(m, Task.Request.of(TaskKind.DELETE_KEY, victim.ino(), key.get()), c.nowMillis());
        m.ops().forEach(c::add);
        if (dir) {
            c.afterCommit(this::namespaceMoved);
        }
    }

    @Override
    public void onRename(TierChange c, long parent, Name name, long newParent, Name newName, InodeRecord moved)
            throws FsException {
        boolean dir = moved.isDirectory();
        Optional<String> from = key(parent, name, dir);
        Optional<String> to = key(newParent, newName, dir);
        Policy.Durability target = durability(newParent);
        Mutation m = new Mutation();
        if (from.isPresent() && (to.isEmpty() || target == Policy.Durability.SCRATCH)) {
            // Moved out of the mirror (into scratch, or to a name with no key): drop the old copy —
            // except a released file's, its only one (it stays until the file is next written).
            if (dir) {
                queue.enqueue(m, Task.Request.of(TaskKind.DELETE_PREFIX, 0, from.get()), c.nowMillis());
            } else if (!moved.has(InodeRecord.FLAG_RELEASED)) {
                queue.enqueue(m, Task.Request.of(TaskKind.DELETE_KEY, moved.ino(), from.get()), c.nowMillis());
                if (moved.isRegular()) {
                    HsmTransitions.detached(m, moved.ino(), HsmTransitions.current(meta(), moved.ino()));
                }
            }
        } else if (from.isPresent()) {
            if (dir) {
                queue.enqueue(m, Task.Request.rename(TaskKind.RENAME_PREFIX, 0, from.get(), to.get()), c.nowMillis());
            } else {
                queue.enqueue(m, Task.Request.rename(TaskKind.RENAME_KEY, moved.ino(), from.get(), to.get()),
                        c.nowMillis());
            }
        } else if (to.isPresent() && moved.isRegular() && !moved.has(InodeRecord.FLAG_DIRTY)
                && !moved.has(InodeRecord.FLAG_RELEASED)) {
            // Came from a name without a key: archive it under the new one.
            HsmTransitions.dataChanged(m, moved.ino(), HsmTransitions.current(meta(), moved.ino()), c.nowMillis());
            c.flag(moved.ino(), InodeRecord.FLAG_DIRTY, true);
        }
        m.ops().forEach(c::add);
        if (dir) {
            c.afterCommit(this::namespaceMoved);
        }
    }

    @Override
    public void onExchange(TierChange c, long parent, Name name, InodeRecord first, long newParent, Name newName,
            InodeRecord second) throws FsException {
        Optional<String> a1 = key(parent, name, first.isDirectory());
        Optional<String> b2 = key(newParent, newName, second.isDirectory());
        Optional<String> a2 = key(newParent, newName, first.isDirectory());
        Optional<String> b1 = key(parent, name, second.isDirectory());
        if (a1.isEmpty() || b2.isEmpty() || a2.isEmpty() || b1.isEmpty()) {
            return;
        }
        String tmp = EXCHANGE_PREFIX + first.ino() + (first.isDirectory() ? "/" : "");
        Mutation m = new Mutation();
        long now = c.nowMillis();
        queue.enqueue(m, move(first, a1.get(), tmp), now);
        queue.enqueue(m, move(second, b2.get(), b1.get()), now);
        queue.enqueue(m, move(first, tmp, a2.get()), now);
        m.ops().forEach(c::add);
        c.afterCommit(this::namespaceMoved);
    }

    private static Task.Request move(InodeRecord r, String from, String to) {
        return r.isDirectory() ? Task.Request.rename(TaskKind.RENAME_PREFIX, 0, from, to)
                : Task.Request.rename(TaskKind.RENAME_KEY, r.ino(), from, to);
    }

    @Override
    public void onAttrs(TierChange c, InodeRecord after) throws FsException {
        if (after.ino() == PosixFileSystem.ROOT) {
            return;
        }
        if (after.isRegular()) {
            HsmRecord h = HsmTransitions.current(meta(), after.ino());
            if (!h.hasArchivedCopy()) {
                return; // the archive will carry the attributes
            }
        } else if (!after.isDirectory() && after.type() != FileType.SYMLINK) {
            return;
        }
        Optional<String> key;
        try {
            key = paths.currentKey(after.ino(), after.isDirectory());
        } catch (MirrorKeys.Unmirrorable e) {
            return;
        }
        if (key.isPresent()) {
            Mutation m = new Mutation();
            queue.enqueue(m, Task.Request.of(TaskKind.SET_ATTRS, after.ino(), key.get()), c.nowMillis());
            m.ops().forEach(c::add);
        }
    }

    @Override
    public void onDataChange(TierChange c, InodeRecord current) throws FsException {
        Mutation m = new Mutation();
        HsmRecord h = HsmTransitions.current(meta(), current.ino());
        if (durability(current.parent()) == Policy.Durability.SCRATCH) {
            // Not archived from now on; an archive from before must not count as a copy of this data.
            if (!h.equals(HsmRecord.NEW) && h.state() != HsmState.RELEASED) {
                HsmTransitions.detached(m, current.ino(), h);
            }
        } else {
            HsmRecord next = HsmTransitions.dataChanged(m, current.ino(), h, c.nowMillis());
            if (next.dirtySinceMillis() == c.nowMillis()) {
                scheduleAfter(c, current.ino(), current.parent());
            }
        }
        m.ops().forEach(c::add);
    }

    /** Tells the scheduler, once the change commits, when {@code ino} is due for archiving. */
    private void scheduleAfter(TierChange c, long ino, long dir) throws FsException {
        Policy p = policies.of(dir).policy();
        long since = c.nowMillis();
        c.afterCommit(() -> mover.dirtied(ino, since, p));
    }

    private Policy.Durability durability(long dir) throws FsException {
        return policies.of(dir).policy().durability();
    }

    /** The key of {@code parent/name}, or empty (with a counted warning) if it cannot have one. */
    private Optional<String> key(long parent, Name name, boolean dir) throws FsException {
        try {
            return paths.key(parent, name, dir);
        } catch (MirrorKeys.Unmirrorable e) {
            unmirrorable.incrementAndGet();
            LOG.warn("not mirrored: {}", e.getMessage());
            return Optional.empty();
        }
    }

    /** Directory names or policies moved: cached paths and policies are stale. */
    private void namespaceMoved() {
        paths.invalidate();
        policies.invalidate();
    }

    // ---- data, without the engine lock ------------------------------------------------------------

    @Override
    public void refreshDirectory(long dir) throws FsException {
        importer.refresh(dir);
    }

    @Override
    public int readReleased(InodeRecord file, long offset, MemorySegment dst) throws FsException {
        return reads.read(file, offset, dst);
    }

    @Override
    public void restore(long ino) throws FsException {
        restorer.restore(ino);
    }

    @Override
    public void durable(long ino, boolean closing) throws FsException {
        Optional<InodeRecord> rec = meta().inode(ino);
        if (rec.isEmpty() || !rec.get().isRegular() || rec.get().nlink() == 0) {
            return;
        }
        if (policies.of(rec.get().parent()).policy().durability() != Policy.Durability.SYNC) {
            return;
        }
        // Attempt until the object holds what is local now: a change racing with the upload sends
        // it round again (bounded: a writer that never stops would otherwise hold close() forever).
        for (int round = 0; round < 5; round++) {
            Archiver.Outcome o = archiver.archive(ino);
            if (o != Archiver.Outcome.CHANGED) {
                return;
            }
        }
        throw new FsException.IoFailure("inode " + ino + " kept changing while being archived for a sync close");
    }

    /**
     * The archived copy of {@code ino} is now {@code now} (moved by a rename, or re-tagged by an
     * attribute update): the HSM record follows if it still named {@code fromKey}.
     */
    void objectMoved(long ino, String fromKey, dev.strata.core.store.ObjectStore.ObjectInfo now) throws FsException {
        host.update(ino, (c, r, writers, opens) -> {
            if (r == null || !r.isRegular()) {
                return null;
            }
            Mutation m = new Mutation();
            HsmTransitions.objectMoved(m, ino, HsmTransitions.current(meta(), ino), fromKey, now.key(), now.etag());
            m.ops().forEach(c::add);
            return null;
        });
        reads.forget(ino);
    }

    /** Drops the local copy of an archived file (after checking its object is there). */
    void release(long ino) throws FsException {
        var lock = locks.of(ino);
        lock.lock();
        try {
            HsmRecord h = HsmTransitions.current(meta(), ino);
            if (h.state() == HsmState.RELEASED) {
                return;
            }
            if (h.state() != HsmState.ARCHIVED) {
                throw new FsException.NotPermitted("inode " + ino + " is " + h.state().label() + ", not archived");
            }
            if (restorer.find(ino, h).isEmpty()) {
                // The local data is intact: not lost, just not archived any more.
                host.update(ino, (c, r, writers, opens) -> {
                    if (r != null && r.isRegular()) {
                        Mutation m = new Mutation();
                        HsmTransitions.dataChanged(m, ino, HsmTransitions.current(meta(), ino), c.nowMillis());
                        m.ops().forEach(c::add);
                        c.flag(ino, InodeRecord.FLAG_DIRTY, true);
                    }
                    return null;
                });
                throw new FsException.IoFailure("inode " + ino + ": its archived object " + h.objectKey()
                        + " is gone from the capacity tier; it is dirty again and will be archived anew");
            }
            long size = host.update(ino, (c, r, writers, opens) -> {
                if (r == null || !r.isRegular()) {
                    throw new FsException.InvalidArgument("inode " + ino + " is not a regular file");
                }
                if (opens > 0) {
                    throw new FsException.Other(Errno.EBUSY, "inode " + ino + " is open");
                }
                Mutation m = new Mutation();
                try {
                    HsmTransitions.released(m, ino, HsmTransitions.current(meta(), ino));
                } catch (HsmRefusal e) {
                    throw new FsException.NotPermitted("inode " + ino + " is " + e.state().label() + ", not archived");
                }
                m.ops().forEach(c::add);
                c.flag(ino, InodeRecord.FLAG_RELEASED, true);
                return r.sizeBytes();
            });
            // Committed first, punched after: a crash in between leaves a released file whose
            // local bytes are merely not used, never a hole taken for data.
            try (LocalFile f = host.openData(ino)) {
                f.truncate(0);
                f.truncate(size);
            }
            host.localDataReplaced(ino);
        } finally {
            lock.unlock();
        }
    }

    // ---- control attributes --------------------------------------------------------------------

    @Override
    public boolean hiddenAttribute(String name) {
        return !name.equals(Policy.XATTR);
    }

    @Override
    public Optional<byte[]> getControl(long ino, String name) throws FsException {
        String text = switch (name) {
            case STATE -> stateOf(ino);
            case INFO -> Control.info(this, ino);
            case EFFECTIVE -> policies.of(dirOf(ino)).format();
            case STATUS -> Control.status(this);
            case QUEUE -> Control.queue(this);
            case Policy.XATTR -> null; // stored: the engine answers
            default -> throw new FsException.NoData(name);
        };
        return text == null ? Optional.empty() : Optional.of(text.getBytes(StandardCharsets.UTF_8));
    }

    private String stateOf(long ino) throws FsException {
        InodeRecord r = meta().inode(ino).orElseThrow(() -> new FsException.NoSuchEntry("inode " + ino));
        if (r.isDirectory()) {
            return "directory";
        }
        if (!r.isRegular()) {
            return r.type().name().toLowerCase(Locale.ROOT);
        }
        return HsmTransitions.current(meta(), ino).state().label();
    }

    /** The directory whose policy applies to {@code ino}: itself, or a file's parent. */
    long dirOf(long ino) throws FsException {
        InodeRecord r = meta().inode(ino).orElseThrow(() -> new FsException.NoSuchEntry("inode " + ino));
        return r.isDirectory() ? ino : r.parent();
    }

    @Override
    public ControlResult setControl(Caller caller, long ino, String name, byte[] value) throws FsException {
        String v = new String(value, StandardCharsets.UTF_8).trim();
        switch (name) {
            case REQUEST -> {
                request(ino, v);
                return ControlResult.HANDLED;
            }
            case Policy.XATTR -> {
                InodeRecord r = meta().inode(ino).orElseThrow(() -> new FsException.NoSuchEntry("inode " + ino));
                if (!r.isDirectory()) {
                    throw new FsException.NotADirectory("a policy is set on a directory, not on inode " + ino);
                }
                Policy p;
                try {
                    p = Policy.parse(v, options.rootPolicy());
                } catch (IllegalArgumentException e) {
                    throw new FsException.InvalidArgument("policy '" + v + "': " + e.getMessage());
                }
                byte[] canonical = p.format().getBytes(StandardCharsets.UTF_8);
                host.update(ino, (c, rec, writers, opens) -> {
                    c.add(new Mutation.PutXattr(ino, Policy.XATTR.getBytes(StandardCharsets.UTF_8), canonical));
                    return null;
                });
                policies.invalidate();
                return ControlResult.HANDLED;
            }
            case QUEUE -> {
                Control.queueCommand(this, v);
                return ControlResult.HANDLED;
            }
            default -> throw new FsException.NotSupported("'" + name + "' is not a Strata control attribute "
                    + "(see docs/CONTROL-XATTRS.md); the user.strata. namespace is reserved");
        }
    }

    @Override
    public void controlRemoved(long ino, String name) {
        if (name.equals(Policy.XATTR)) {
            policies.invalidate();
        }
    }

    private void request(long ino, String what) throws FsException {
        InodeRecord r = meta().inode(ino).orElseThrow(() -> new FsException.NoSuchEntry("inode " + ino));
        if (!r.isRegular()) {
            throw new FsException.InvalidArgument("hsm " + what + ": inode " + ino + " is not a regular file");
        }
        switch (what) {
            case "archive" -> {
                if (durability(r.parent()) == Policy.Durability.SCRATCH) {
                    throw new FsException.NotPermitted("inode " + ino + " is under a scratch policy");
                }
                HsmRecord h = HsmTransitions.current(meta(), ino);
                switch (h.state()) {
                    case ARCHIVED, RELEASED -> { }
                    case LOST -> throw new FsException.IoFailure("inode " + ino + " is lost: " + h.lastError());
                    case RESIDENT, DIRTY, ARCHIVING -> mover.enqueueArchive(ino);
                }
            }
            case "release" -> release(ino);
            case "restore" -> {
                if (r.has(InodeRecord.FLAG_RELEASED)) {
                    mover.enqueueRestore(ino);
                }
            }
            default -> throw new FsException.InvalidArgument("hsm request '" + what
                    + "': use archive, release or restore");
        }
    }

    @Override
    public void close() {
        if (mover != null) {
            mover.stop();
        }
        fetchers.shutdownNow();
    }
}
