package dev.strata.hsm;

import dev.strata.core.FsException;
import dev.strata.core.meta.Mark;
import dev.strata.core.meta.MetadataStore;
import dev.strata.core.meta.Mutation;
import dev.strata.core.meta.RecordSpace;
import java.util.Objects;

/**
 * The legal moves of a file's {@link HsmRecord}, as pure functions: each takes the current record,
 * returns the new one and adds to the caller's {@link Mutation} the ops that persist it (the HSM
 * record, and {@code Mark.DIRTY} added or removed to match {@link HsmState#needsArchive()}), so
 * the caller commits the state change atomically with whatever caused it (a write's size change,
 * a completed mover task). Nothing here reads the store or the clock.
 *
 * <pre>
 * dataChanged       resident, dirty, archiving, archived, lost → dirty (generation + 1); released: error
 * archiveStarted    resident, dirty, archiving → archiving
 * archiveCommitted  archiving, dirty, archived → archived if the generation is unchanged, else unchanged
 * released          archived → released
 * restored          released → archived
 * lost              any → lost
 * imported          (new inode) → released
 * </pre>
 *
 * <h2>Rules for callers</h2>
 * <ul>
 *   <li>Hold the inode's lock from reading {@code current} to committing the mutation: these are
 *       read-modify-write steps, and a mover committing {@code archived} on a record a writer has
 *       just made {@code dirty} would lose that change's archive.</li>
 *   <li>Call {@link #dataChanged} before acknowledging a change of the data unless the file is
 *       already {@code dirty}: then no archive has started since the last bump, so any later one
 *       will copy this change too. A change during {@code archiving} must bump the generation, which
 *       is what keeps the upload in flight from being taken as current.</li>
 *   <li>At most one upload per inode in flight (the mover's job): an older upload finishing after a
 *       newer one could leave old bytes in the bucket under a record that says newer.</li>
 * </ul>
 * Refusals are {@link HsmRefusal}s for a command that does not fit the state (printable);
 * programmer errors (a generation from the future, changing a released file's data) are unchecked.
 */
public final class HsmTransitions {
    private HsmTransitions() {}

    /** The record of {@code ino}, or {@link HsmRecord#NEW} if it has none. */
    public static HsmRecord current(MetadataStore store, long ino) throws FsException {
        var value = store.record(RecordSpace.HSM, ino);
        return value.isPresent() ? HsmRecordCodec.decode(ino, value.get()) : HsmRecord.NEW;
    }

    /**
     * The local data changed (write, truncate, fallocate, copy into it): any state but released →
     * dirty with the generation bumped. The dirty age starts now unless the file already had
     * unarchived changes.
     *
     * @throws IllegalStateException if the file is released: its data must be restored first
     */
    public static HsmRecord dataChanged(Mutation m, long ino, HsmRecord current, long nowMillis) {
        long dirtySince = switch (current.state()) {
            case RELEASED -> throw new IllegalStateException(
                    "inode " + ino + " is released: restore its data before changing it");
            case DIRTY, ARCHIVING -> current.dirtySinceMillis();
            case RESIDENT, ARCHIVED, LOST -> nowMillis;
        };
        HsmRecord next = new HsmRecord(HsmState.DIRTY, current.dataGeneration() + 1, current.archivedGeneration(),
                current.objectKey(), current.etag(), current.archivedSizeBytes(), current.crc32c(), dirtySince,
                current.archivedAtMillis(), "");
        return put(m, ino, next);
    }

    /**
     * A mover is about to copy generation {@code generation} to the bucket. Allowed from resident
     * (an explicit archive), dirty, and archiving (a task redone after a crash).
     */
    public static HsmRecord archiveStarted(Mutation m, long ino, HsmRecord current, long generation)
            throws HsmRefusal {
        switch (current.state()) {
            case RESIDENT, DIRTY, ARCHIVING -> { }
            case ARCHIVED, RELEASED, LOST -> throw new HsmRefusal.CannotArchive(current.state());
        }
        requireKnownGeneration(ino, current, generation);
        if (generation != current.dataGeneration()) {
            throw new HsmRefusal.StaleGeneration(current.state(), generation, current.dataGeneration());
        }
        return put(m, ino, current.with(HsmState.ARCHIVING));
    }

    /**
     * The object {@code key} (tag {@code etag}) now holds generation {@code generation}. The file
     * becomes archived only if that is still its current generation; otherwise it keeps its state
     * (dirty, or archiving a newer generation) and only the record of what the bucket holds moves
     * forward. The dirty age is kept in that case: it over-states the age of the newer changes,
     * which errs on the safe side for an RPO.
     */
    public static HsmRecord archiveCommitted(Mutation m, long ino, HsmRecord current, long generation, String key,
            String etag, long sizeBytes, int crc32c, long nowMillis) throws HsmRefusal {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(etag, "etag");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("empty object key for inode " + ino);
        }
        switch (current.state()) {
            case DIRTY, ARCHIVING, ARCHIVED -> { }
            case RESIDENT, RELEASED, LOST -> throw new HsmRefusal.NotArchiving(current.state());
        }
        requireKnownGeneration(ino, current, generation);
        if (generation < current.archivedGeneration()) {
            // A slower, older upload: the bucket record already names a newer copy. Nothing to record.
            return current;
        }
        boolean isCurrent = generation == current.dataGeneration();
        HsmState state = isCurrent ? HsmState.ARCHIVED : current.state();
        long dirtySince = isCurrent ? 0 : current.dirtySinceMillis();
        HsmRecord next = new HsmRecord(state, current.dataGeneration(), generation, key, etag, sizeBytes, crc32c,
                dirtySince, nowMillis, "");
        return put(m, ino, next);
    }

    /** The local copy of an archived file is dropped. Only from archived: anything else would lose data. */
    public static HsmRecord released(Mutation m, long ino, HsmRecord current) throws HsmRefusal {
        return switch (current.state()) {
            case ARCHIVED -> put(m, ino, current.with(HsmState.RELEASED));
            case RESIDENT, DIRTY, ARCHIVING, RELEASED, LOST -> throw new HsmRefusal.NotArchived(current.state());
        };
    }

    /** The archived copy was fetched back whole and verified: released → archived. */
    public static HsmRecord restored(Mutation m, long ino, HsmRecord current) throws HsmRefusal {
        return switch (current.state()) {
            case RELEASED -> put(m, ino, current.with(HsmState.ARCHIVED));
            case RESIDENT, DIRTY, ARCHIVING, ARCHIVED, LOST -> throw new HsmRefusal.NotReleased(current.state());
        };
    }

    /**
     * No intact copy is reachable any more (the object is gone, or fails its CRC32C on restore): from
     * any state to lost, with the reason kept for status output. The engine calls this only when the
     * fast tier has no good copy either; a file whose local data is intact but whose bucket copy is
     * gone is dirty, not lost. Writing new data ({@link #dataChanged}) makes a lost file dirty again.
     */
    public static HsmRecord lost(Mutation m, long ino, HsmRecord current, String reason) {
        Objects.requireNonNull(reason, "reason");
        HsmRecord next = new HsmRecord(HsmState.LOST, current.dataGeneration(), current.archivedGeneration(),
                current.objectKey(), current.etag(), current.archivedSizeBytes(), current.crc32c(), 0,
                current.archivedAtMillis(), reason.isEmpty() ? "unknown" : reason);
        return put(m, ino, next);
    }

    /**
     * A file created by import from an object already in the bucket: released, generation 0, the
     * object as its archived copy. Its data arrives by restore or pass-through reads.
     */
    public static HsmRecord imported(Mutation m, long ino, String key, String etag, long sizeBytes, int crc32c,
            long nowMillis) {
        if (key.isEmpty()) {
            throw new IllegalArgumentException("empty object key for inode " + ino);
        }
        return put(m, ino, new HsmRecord(HsmState.RELEASED, 0, 0, key, Objects.requireNonNull(etag, "etag"),
                sizeBytes, crc32c, 0, nowMillis, ""));
    }

    /**
     * The archived copy moved from {@code fromKey} to {@code toKey} (a rename reached the bucket; a
     * store copy may give it a new tag). Nothing changes if the record names another key by now.
     */
    public static HsmRecord objectMoved(Mutation m, long ino, HsmRecord current, String fromKey, String toKey,
            String etag) {
        if (!current.objectKey().equals(fromKey) || toKey.isEmpty()) {
            return current;
        }
        return put(m, ino, new HsmRecord(current.state(), current.dataGeneration(), current.archivedGeneration(), toKey,
                etag, current.archivedSizeBytes(), current.crc32c(), current.dirtySinceMillis(),
                current.archivedAtMillis(), current.lastError()));
    }

    /**
     * The file leaves the tier's care (it is now under a scratch policy and its data changed, or it
     * moved there): its record goes, so it is {@link HsmRecord#NEW} — resident — and can never be
     * released on the strength of an archive that no longer matches its data. Not for released
     * files: their data is only in the bucket.
     */
    public static HsmRecord detached(Mutation m, long ino, HsmRecord current) {
        if (current.state() == HsmState.RELEASED) {
            throw new IllegalStateException("inode " + ino + " is released: restore it before detaching it");
        }
        m.deleteRecord(RecordSpace.HSM, ino);
        m.removeMark(Mark.DIRTY, ino);
        return HsmRecord.NEW;
    }

    private static void requireKnownGeneration(long ino, HsmRecord current, long generation) {
        if (generation < 0 || generation > current.dataGeneration()) {
            throw new IllegalArgumentException("inode " + ino + ": generation " + generation
                    + " is not one the file has had (current " + current.dataGeneration() + ")");
        }
    }

    private static HsmRecord put(Mutation m, long ino, HsmRecord next) {
        m.putRecord(RecordSpace.HSM, ino, HsmRecordCodec.encode(next));
        if (next.state().needsArchive()) {
            m.addMark(Mark.DIRTY, ino);
        } else {
            m.removeMark(Mark.DIRTY, ino);
        }
        return next;
    }
}
