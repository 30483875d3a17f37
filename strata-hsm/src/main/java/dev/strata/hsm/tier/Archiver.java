package dev.strata.hsm.tier;

import dev.strata.core.FsException;
import dev.strata.core.Timespec;
import dev.strata.core.data.LocalFile;
import dev.strata.core.fs.TierHost;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mutation;
import dev.strata.core.store.ObjectStoreException;
import dev.strata.core.store.Transfers;
import dev.strata.hsm.HsmRecord;
import dev.strata.hsm.HsmRefusal;
import dev.strata.hsm.HsmState;
import dev.strata.hsm.HsmTransitions;
import dev.strata.hsm.MirrorAttributes;
import dev.strata.hsm.MirrorKeys;
import dev.strata.hsm.Task;
import dev.strata.hsm.TaskKind;
import dev.strata.core.meta.RecordSpace;
import dev.strata.core.store.ObjectStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one file's local data to its object, in three steps so that no lock is held across the
 * upload: (1) under the engine lock, the file becomes {@code archiving} at its current generation,
 * and its key and the local file's mtime and size are noted; (2) the upload, from the fast tier,
 * in parallel parts; (3) under the engine lock again, the file becomes {@code archived} only if the
 * generation, the name and the local mtime and size are all unchanged — otherwise the object is
 * just a draft and the file stays {@code dirty} to be archived again.
 */
final class Archiver {
    private static final Logger LOG = LoggerFactory.getLogger(Archiver.class);

    /** How an archive attempt ended. */
    enum Outcome {
        /** The object holds the file's current data; the file is archived. */
        ARCHIVED,
        /** Nothing to do (already archived or released, gone, not a regular file). */
        NOTHING,
        /** The file changed or moved meanwhile; it stays dirty and is archived again later. */
        CHANGED
    }

    private record Snapshot(long generation, String key, Map<String, String> metadata) {}

    private final HsmTiering t;

    Archiver(HsmTiering t) {
        this.t = t;
    }

    /** Archives {@code ino} now; blocks for the upload. At most one archive of a file runs at a time. */
    Outcome archive(long ino) throws FsException {
        ReentrantLock lock = t.locks.of(ino);
        lock.lock();
        try {
            return archiveLocked(ino);
        } finally {
            lock.unlock();
        }
    }

    private Outcome archiveLocked(long ino) throws FsException {
        TierHost host = t.host();
        Snapshot snap = host.update(ino, (c, rec, writers, opens) -> {
            if (rec == null || !rec.isRegular() || rec.nlink() == 0) {
                return null;
            }
            HsmRecord cur = HsmTransitions.current(t.meta(), ino);
            if (cur.state() == HsmState.RELEASED || cur.state() == HsmState.LOST
                    || (cur.state() == HsmState.ARCHIVED && cur.archivedGeneration() == cur.dataGeneration())) {
                return null;
            }
            Optional<String> key;
            try {
                key = t.paths.currentKey(ino, false);
            } catch (MirrorKeys.Unmirrorable e) {
                throw new FsException.InvalidArgument("inode " + ino + " cannot be archived: " + e.getMessage());
            }
            if (key.isEmpty()) {
                return null;
            }
            Mutation m = new Mutation();
            try {
                HsmTransitions.archiveStarted(m, ino, cur, cur.dataGeneration());
            } catch (HsmRefusal e) {
                return null;
            }
            m.ops().forEach(c::add);
            c.flag(ino, InodeRecord.FLAG_DIRTY, false); // a change from now on must tell the tier again
            return new Snapshot(cur.dataGeneration(), key.get(), metadata(rec, cur.dataGeneration()));
        });
        if (snap == null) {
            return Outcome.NOTHING;
        }
        Transfers.Result result;
        LocalFile.Stat before;
        LocalFile.Stat after;
        try (LocalFile local = host.openData(ino)) {
            abortLeftover(ino);
            before = local.stat();
            result = Transfers.upload(t.store, snap.key(), new LocalChannel(local), before.sizeBytes(), snap.metadata(),
                    t.options.transfers(), upload -> remember(ino, upload));
            forget(ino);
            after = local.stat();
        } catch (ObjectStoreException | IOException | FsException | RuntimeException e) {
            abandon(ino, snap.generation());
            throw failure(ino, snap.key(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(ino, snap.generation());
            throw new FsException.IoFailure("archive of inode " + ino + " interrupted");
        }
        return host.update(ino, (c, rec, writers, opens) -> {
            Mutation m = new Mutation();
            try {
                if (rec == null || rec.nlink() == 0) {
                    // Removed while uploading: the object must not outlive the file.
                    t.queue.enqueue(m, new Task.Request(TaskKind.DELETE_KEY, ino, snap.key(), "", 0), c.nowMillis());
                    m.ops().forEach(c::add);
                    return Outcome.CHANGED;
                }
                HsmRecord cur = HsmTransitions.current(t.meta(), ino);
                Optional<String> nowKey = t.paths.currentKey(ino, false);
                boolean moved = nowKey.isEmpty() || !nowKey.get().equals(snap.key());
                boolean touched = !before.mtime().equals(after.mtime()) || before.sizeBytes() != after.sizeBytes();
                if (moved) {
                    // Renamed while uploading. Any rename task was queued before this delete, so it
                    // runs first (the namespace lane is ordered) and the delete only removes a stray.
                    t.queue.enqueue(m, new Task.Request(TaskKind.DELETE_KEY, ino, snap.key(), "", 0), c.nowMillis());
                }
                if (moved || touched) {
                    cur = redirty(m, c, ino, cur);
                    if (!moved) {
                        HsmTransitions.archiveCommitted(m, ino, cur, snap.generation(), snap.key(),
                                result.object().etag(), result.object().sizeBytes(), result.crc32c(), c.nowMillis());
                    }
                    m.ops().forEach(c::add);
                    return Outcome.CHANGED;
                }
                HsmRecord next = HsmTransitions.archiveCommitted(m, ino, cur, snap.generation(), snap.key(),
                        result.object().etag(), result.object().sizeBytes(), result.crc32c(), c.nowMillis());
                m.ops().forEach(c::add);
                if (next.state() == HsmState.ARCHIVED) {
                    c.archivedAt(ino, after.mtime(), after.sizeBytes());
                    t.reads.forget(ino);
                    return Outcome.ARCHIVED;
                }
                return Outcome.CHANGED;
            } catch (HsmRefusal | MirrorKeys.Unmirrorable e) {
                LOG.warn("archive of inode {} to {} not recorded: {}", ino, snap.key(), e.getMessage());
                return Outcome.CHANGED;
            }
        });
    }

    /**
     * Notes an upload in flight, so that if this process dies before completing or aborting it the
     * next archive of the file aborts it (S3 keeps the parts of an unfinished upload, and bills them,
     * until then). Failures here fail the upload, which Transfers then aborts itself.
     */
    private void remember(long ino, ObjectStore.Upload upload) throws IOException {
        byte[] key = upload.key().getBytes(StandardCharsets.UTF_8);
        byte[] id = upload.id().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + key.length + id.length);
        b.putInt(key.length).put(key).putInt(id.length).put(id);
        try {
            t.meta().commit(new Mutation().putRecord(RecordSpace.UPLOAD, ino, b.array()));
        } catch (FsException e) {
            throw new IOException("cannot note the upload of inode " + ino + ": " + e.getMessage(), e);
        }
    }

    private void forget(long ino) {
        try {
            t.meta().commit(new Mutation().deleteRecord(RecordSpace.UPLOAD, ino));
        } catch (FsException e) {
            LOG.warn("inode {}: could not clear its finished upload's note ({}); the next archive retries", ino,
                    e.getMessage());
        }
    }

    /** Aborts the upload a previous attempt (a dead process) left unfinished, if any. */
    private void abortLeftover(long ino) throws FsException, ObjectStoreException {
        Optional<byte[]> noted = t.meta().record(RecordSpace.UPLOAD, ino);
        if (noted.isEmpty()) {
            return;
        }
        ObjectStore.Upload upload;
        try {
            ByteBuffer b = ByteBuffer.wrap(noted.get());
            byte[] key = new byte[b.getInt()];
            b.get(key);
            byte[] id = new byte[b.getInt()];
            b.get(id);
            upload = new ObjectStore.Upload(new String(key, StandardCharsets.UTF_8), new String(id, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            LOG.warn("inode {}: unreadable note of an unfinished upload; dropping it", ino);
            forget(ino);
            return;
        }
        try {
            t.store.abortUpload(upload);
            LOG.info("aborted the unfinished upload {} of {} left by an earlier attempt", upload.id(), upload.key());
        } catch (ObjectStoreException.NotFound e) {
            // completed or aborted already
        }
        forget(ino);
    }

    /** The object metadata of a file: its attributes as FSx for Lustre writes them, and Strata's identity. */
    static Map<String, String> metadata(InodeRecord rec, long generation) {
        Map<String, String> md = new java.util.LinkedHashMap<>(MirrorAttributes.encode(
                new MirrorAttributes.Posix(rec.mode(), rec.uid(), rec.gid(), rec.mtime()),
                new MirrorAttributes.Identity(rec.ino(), generation, 0)));
        md.remove(MirrorAttributes.CRC32C); // not known before the bytes are read; kept in the HSM record
        return md;
    }

    /** Back to dirty, with the generation moved so the interrupted upload can never count as current. */
    private HsmRecord redirty(Mutation m, dev.strata.core.fs.TierChange c, long ino, HsmRecord cur)
            throws FsException {
        if (cur.state() == HsmState.RELEASED) {
            return cur;
        }
        HsmRecord next = HsmTransitions.dataChanged(m, ino, cur, c.nowMillis());
        c.flag(ino, InodeRecord.FLAG_DIRTY, true);
        return next;
    }

    /** After a failed upload: the file is dirty again (it was archiving). */
    private void abandon(long ino, long generation) {
        try {
            t.host().update(ino, (c, rec, writers, opens) -> {
                if (rec == null) {
                    return null;
                }
                HsmRecord cur = HsmTransitions.current(t.meta(), ino);
                if (cur.state() == HsmState.ARCHIVING) {
                    Mutation m = new Mutation();
                    redirty(m, c, ino, cur);
                    m.ops().forEach(c::add);
                }
                return null;
            });
        } catch (FsException | RuntimeException e) {
            LOG.warn("inode {}: could not mark dirty again after a failed archive ({}); the next start retries",
                    ino, e.getMessage());
        }
    }

    private static FsException failure(long ino, String key, Exception e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        FsException f = new FsException.IoFailure("archive of inode " + ino + " to " + key + " failed: " + why);
        f.initCause(e);
        return f;
    }

    /** The instant as milliseconds, for logs. */
    static long millis(Timespec t) {
        return t.seconds() * 1000 + t.nanos() / 1_000_000;
    }
}
