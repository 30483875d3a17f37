package dev.strata.hsm.tier;

import dev.strata.core.FsException;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mutation;
import dev.strata.core.store.ObjectStore.ListPage;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStoreException;
import dev.strata.hsm.HsmTransitions;
import dev.strata.hsm.MirrorAttributes;
import dev.strata.hsm.Task;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one namespace task out in the bucket. Every task is idempotent — it may run again after
 * a crash — and careful about identity: an object is deleted, moved or changed only if it is the
 * inode's own (its {@code strata-ino} matches) or carries no Strata identity at all (written by
 * another tool under a name this inode now owns).
 */
final class NamespaceReplay {
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceReplay.class);
    private static final int PAGE = 1000;

    private final HsmTiering t;

    NamespaceReplay(HsmTiering t) {
        this.t = t;
    }

    /** Runs {@code task}; {@code renew} is called between objects of long tasks to keep the lease. */
    void run(Task task, Runnable renew) throws ObjectStoreException, FsException {
        switch (task.kind()) {
            case PUT_DIR_MARKER -> putMarker(task);
            case PUT_SYMLINK -> putSymlink(task);
            case DELETE_KEY -> deleteIfOwn(task.key(), task.ino());
            case DELETE_PREFIX -> deletePrefix(task.key(), renew);
            case RENAME_KEY -> move(task.key(), task.toKey(), task.ino());
            case RENAME_PREFIX -> movePrefix(task.key(), task.toKey(), renew);
            case SET_ATTRS -> setAttrs(task.key(), task.ino());
            case ARCHIVE, RESTORE -> throw new IllegalArgumentException(task.kind() + " is not a namespace task");
        }
    }

    private void putMarker(Task task) throws ObjectStoreException, FsException {
        Optional<InodeRecord> rec = t.meta().inode(task.ino());
        if (rec.isEmpty() || rec.get().nlink() == 0) {
            return; // removed since; its delete task follows
        }
        t.store.put(task.key(), ByteBuffer.allocate(0), 0, attrs(rec.get(), 0));
    }

    private void putSymlink(Task task) throws ObjectStoreException, FsException {
        Optional<InodeRecord> rec = t.meta().inode(task.ino());
        if (rec.isEmpty() || rec.get().nlink() == 0 || rec.get().target() == null) {
            return;
        }
        byte[] target = rec.get().target();
        CRC32C crc = new CRC32C();
        crc.update(target);
        t.store.put(task.key(), ByteBuffer.wrap(target), (int) crc.getValue(), attrs(rec.get(), 0));
    }

    private void deleteIfOwn(String key, long ino) throws ObjectStoreException, FsException {
        Optional<ObjectInfo> info = t.store.head(key);
        if (info.isEmpty()) {
            return;
        }
        if (ino != 0 && !owned(info.get(), ino)) {
            LOG.debug("not deleting {}: it belongs to another inode now", key);
            return;
        }
        long owner = inoOf(info.get());
        if (ino == 0 && owner != 0) {
            Optional<InodeRecord> rec = t.meta().inode(owner);
            if (rec.isPresent() && rec.get().has(InodeRecord.FLAG_RELEASED)) {
                LOG.info("keeping {}: the only copy of released inode {}", key, owner);
                return;
            }
        }
        t.store.delete(key);
    }

    /** Moves one object, giving the copy the inode's attributes as they are now. */
    private void move(String from, String to, long ino) throws ObjectStoreException, FsException {
        Optional<ObjectInfo> src = t.store.head(from);
        if (src.isEmpty()) {
            return; // moved already, or never archived
        }
        long owner = ino != 0 ? ino : inoOf(src.get());
        if (ino != 0 && !owned(src.get(), ino)) {
            return;
        }
        Optional<ObjectInfo> dst = t.store.head(to);
        if (dst.isPresent() && owner != 0 && owned(dst.get(), owner) && inoOf(dst.get()) == owner
                && generation(dst.get()) > generation(src.get())) {
            // A newer archive under the new name got there first: keep it, drop the old copy.
            t.store.delete(from);
            return;
        }
        Map<String, String> md = new LinkedHashMap<>(src.get().metadata());
        if (owner != 0) {
            Optional<InodeRecord> rec = t.meta().inode(owner);
            if (rec.isPresent()) {
                md.putAll(MirrorAttributes.encode(posix(rec.get()), null));
            }
        }
        ObjectInfo copied = t.store.copy(from, to, md);
        t.store.delete(from);
        if (owner != 0) {
            recordMove(owner, from, copied);
        }
    }

    private void movePrefix(String from, String to, Runnable renew) throws ObjectStoreException, FsException {
        // Collect first, then move: a listing of `from` must not see the keys being created when
        // `to` starts with `from` (impossible for directories, which cannot move into themselves,
        // but cheap to be safe about), and page continuations stay valid while nothing changes.
        java.util.List<String> keys = keysUnder(from, renew);
        // A listing never reports the prefix's own marker (the port's rule): move it by name.
        move(from, to, 0);
        int moved = 0;
        for (String key : keys) {
            move(key, to + key.substring(from.length()), 0);
            if (++moved % 100 == 0) {
                renew.run();
            }
        }
    }

    private void deletePrefix(String prefix, Runnable renew) throws ObjectStoreException, FsException {
        java.util.List<String> keys = keysUnder(prefix, renew);
        int done = 0;
        for (String key : keys) {
            deleteIfOwn(key, 0);
            if (++done % 100 == 0) {
                renew.run();
            }
        }
        deleteIfOwn(prefix, 0); // the marker itself, which listings never report
    }

    /** Every key under {@code prefix} (not its own marker: listings never report it). */
    private java.util.List<String> keysUnder(String prefix, Runnable renew) throws ObjectStoreException {
        String continuation = null;
        java.util.List<String> keys = new java.util.ArrayList<>();
        do {
            ListPage page = t.store.list(prefix, false, continuation, PAGE);
            for (ObjectInfo o : page.objects()) {
                keys.add(o.key());
            }
            continuation = page.continuation();
            renew.run();
        } while (continuation != null);
        return keys;
    }

    private void setAttrs(String key, long ino) throws ObjectStoreException, FsException {
        Optional<InodeRecord> rec = t.meta().inode(ino);
        if (rec.isEmpty()) {
            return;
        }
        Optional<ObjectInfo> info = t.store.head(key);
        if (info.isEmpty() || !owned(info.get(), ino)) {
            return;
        }
        Map<String, String> md = new LinkedHashMap<>(info.get().metadata());
        md.putAll(MirrorAttributes.encode(posix(rec.get()), null));
        ObjectInfo updated = t.store.setMetadata(key, md);
        recordMove(ino, key, updated); // same key, perhaps a new tag
    }

    private void recordMove(long ino, String from, ObjectInfo now) throws FsException {
        if (!now.key().isEmpty()) {
            t.objectMoved(ino, from, now);
        }
    }

    /** Metadata of a marker or symlink: attributes and identity (no checksum: there is no data to check). */
    static Map<String, String> attrs(InodeRecord rec, long generation) {
        Map<String, String> md = new LinkedHashMap<>(
                MirrorAttributes.encode(posix(rec), new MirrorAttributes.Identity(rec.ino(), generation, 0)));
        md.remove(MirrorAttributes.CRC32C);
        return md;
    }

    static MirrorAttributes.Posix posix(InodeRecord rec) {
        return new MirrorAttributes.Posix(rec.mode(), rec.uid(), rec.gid(), rec.mtime());
    }

    /** Whether the object is {@code ino}'s, or nobody's in particular (no Strata identity). */
    private static boolean owned(ObjectInfo info, long ino) {
        String i = info.metadata().get(MirrorAttributes.INO);
        return i == null || i.equals(Long.toUnsignedString(ino));
    }

    private static long inoOf(ObjectInfo info) {
        String i = info.metadata().get(MirrorAttributes.INO);
        try {
            return i == null ? 0 : Long.parseUnsignedLong(i);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static long generation(ObjectInfo info) {
        String g = info.metadata().get(MirrorAttributes.GEN);
        try {
            return g == null ? -1 : Long.parseLong(g);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
