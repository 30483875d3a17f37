package dev.strata.hsm.tier;

import dev.strata.core.FsException;
import dev.strata.core.data.LocalFile;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mutation;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStoreException;
import dev.strata.core.store.Transfers;
import dev.strata.hsm.HsmRecord;
import dev.strata.hsm.HsmRefusal;
import dev.strata.hsm.HsmState;
import dev.strata.hsm.HsmTransitions;
import dev.strata.hsm.MirrorAttributes;
import dev.strata.hsm.MirrorKeys;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a released file's data back from its object, verifies the whole-object CRC32C, and only
 * then makes it {@code archived} again; and finds a released file's object when its recorded key
 * or tag went stale (a rename or attribute change reached the bucket after the archive).
 */
final class Restorer {
    private static final Logger LOG = LoggerFactory.getLogger(Restorer.class);

    private final HsmTiering t;

    Restorer(HsmTiering t) {
        this.t = t;
    }

    /** Restores {@code ino} if it is released; returns when its data is local (or throws). */
    void restore(long ino) throws FsException {
        ReentrantLock lock = t.locks.of(ino);
        lock.lock();
        try {
            restoreLocked(ino);
        } finally {
            lock.unlock();
        }
    }

    private void restoreLocked(long ino) throws FsException {
        HsmRecord rec = t.host().update(ino, (c, r, writers, opens) -> {
            if (r == null) {
                throw new FsException.NoSuchEntry("inode " + ino);
            }
            return r.has(InodeRecord.FLAG_RELEASED) ? HsmTransitions.current(t.meta(), ino) : null;
        });
        if (rec == null) {
            return;
        }
        if (rec.state() == HsmState.LOST) {
            throw new FsException.IoFailure("inode " + ino + " is lost: " + rec.lastError());
        }
        ObjectInfo object = locate(ino, rec);
        Transfers.Result result;
        try (LocalFile local = t.host().openData(ino)) {
            result = Transfers.download(t.store, object.key(), object.etag(), new LocalChannel(local), t.options.transfers());
        } catch (ObjectStoreException.NotFound | ObjectStoreException.PreconditionFailed e) {
            throw markLost(ino, "the archived object " + object.key() + " changed or vanished during restore: "
                    + e.getMessage());
        } catch (ObjectStoreException | IOException | RuntimeException e) {
            FsException f = new FsException.IoFailure("restore of inode " + ino + " from " + object.key() + " failed: "
                    + e.getMessage());
            f.initCause(e);
            throw f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FsException.IoFailure("restore of inode " + ino + " interrupted");
        }
        if (result.object().sizeBytes() != rec.archivedSizeBytes()
                || (rec.crc32c() != 0 && result.crc32c() != rec.crc32c())) {
            throw markLost(ino, String.format("the archived object %s fails its check (size %d, CRC32C %08x; "
                    + "expected %d, %08x)", object.key(), result.object().sizeBytes(), result.crc32c(),
                    rec.archivedSizeBytes(), rec.crc32c()));
        }
        t.host().update(ino, (c, r, writers, opens) -> {
            if (r == null || !r.has(InodeRecord.FLAG_RELEASED)) {
                return null;
            }
            HsmRecord cur = HsmTransitions.current(t.meta(), ino);
            Mutation m = new Mutation();
            try {
                HsmTransitions.restored(m, ino, cur);
            } catch (HsmRefusal e) {
                throw new FsException.IoFailure("inode " + ino + " changed state during restore: " + e.getMessage());
            }
            m.ops().forEach(c::add);
            c.flag(ino, InodeRecord.FLAG_RELEASED, false);
            return null;
        });
        t.host().localDataReplaced(ino);
        t.reads.forget(ino);
        LOG.info("restored inode {} from {} ({} bytes)", ino, object.key(), result.object().sizeBytes());
    }

    /**
     * The object holding {@code rec}'s archived copy: the recorded key and tag if they still match;
     * else the same inode and generation (Strata's identity metadata) under the recorded key or the
     * file's current name, adopted into the record. Neither: the file is lost.
     */
    ObjectInfo locate(long ino, HsmRecord rec) throws FsException {
        Optional<ObjectInfo> found = find(ino, rec);
        if (found.isPresent()) {
            return found.get();
        }
        throw markLost(ino, "archived object " + rec.objectKey() + " (etag " + rec.etag() + ") is gone");
    }

    /** As {@link #locate}, but empty instead of marking the file lost. */
    Optional<ObjectInfo> find(long ino, HsmRecord rec) throws FsException {
        try {
            Optional<ObjectInfo> recorded = t.store.head(rec.objectKey());
            if (recorded.isPresent() && recorded.get().etag().equals(rec.etag())) {
                return recorded;
            }
            List<String> candidates = new java.util.ArrayList<>();
            candidates.add(rec.objectKey());
            try {
                t.paths.currentKey(ino, false).ifPresent(k -> {
                    if (!k.equals(rec.objectKey())) {
                        candidates.add(k);
                    }
                });
            } catch (MirrorKeys.Unmirrorable e) {
                // no other candidate
            }
            for (String key : candidates) {
                Optional<ObjectInfo> info = key.equals(rec.objectKey()) ? recorded : t.store.head(key);
                if (info.isPresent() && sameCopy(info.get(), ino, rec)) {
                    t.objectMoved(ino, rec.objectKey(), info.get());
                    return info;
                }
            }
        } catch (ObjectStoreException e) {
            FsException f = new FsException.IoFailure("capacity tier unreachable for inode " + ino + ": " + e.getMessage());
            f.initCause(e);
            throw f;
        }
        return Optional.empty();
    }

    private static boolean sameCopy(ObjectInfo info, long ino, HsmRecord rec) {
        String i = info.metadata().get(MirrorAttributes.INO);
        String g = info.metadata().get(MirrorAttributes.GEN);
        return i != null && g != null && i.equals(Long.toUnsignedString(ino))
                && g.equals(Long.toString(rec.archivedGeneration())) && info.sizeBytes() == rec.archivedSizeBytes();
    }

    /** Records that no intact copy is reachable and returns the error to give the caller. */
    FsException markLost(long ino, String reason) {
        LOG.error("inode {} is LOST: {}", ino, reason);
        try {
            t.host().update(ino, (c, r, writers, opens) -> {
                if (r == null) {
                    return null;
                }
                Mutation m = new Mutation();
                HsmTransitions.lost(m, ino, HsmTransitions.current(t.meta(), ino), reason);
                m.ops().forEach(c::add);
                return null;
            });
        } catch (FsException | RuntimeException e) {
            LOG.warn("could not record inode {} as lost: {}", ino, e.getMessage());
        }
        t.reads.forget(ino);
        return new FsException.IoFailure("inode " + ino + " is lost: " + reason);
    }
}
