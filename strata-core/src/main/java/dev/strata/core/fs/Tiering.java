package dev.strata.core.fs;

import dev.strata.core.Caller;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.meta.InodeRecord;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * The capacity tier as the engine sees it: what the engine tells it about namespace and data
 * changes, and what it asks of it (released data, control attributes, durability). Implemented by
 * {@code strata-hsm}; {@link #NONE} is a file system without a capacity tier.
 *
 * <h2>Calls under the engine lock</h2>
 * The {@code on…} methods run under the engine's namespace lock while an operation is being
 * decided, before its commit. They must be quick (metadata reads, no object-store calls) and add
 * whatever they need persisted through the {@link TierChange}, which commits it atomically with
 * the operation: a mirror task with the rename that caused it, a file's HSM state with its first
 * write. If one throws, the operation fails and nothing is committed.
 *
 * <h2>Calls without it</h2>
 * {@link #readReleased}, {@link #restore}, {@link #durable} and the control methods may block on
 * the object store; the engine calls them without holding its lock, and they call back through
 * the {@link TierHost} to change state.
 */
public interface Tiering extends AutoCloseable {

    /** No capacity tier: nothing is mirrored, nothing is ever released. */
    Tiering NONE = new Tiering() {};

    /** Called once when the engine opens, before any other call. */
    default void attach(TierHost host) {}

    /**
     * A new inode got its first name. For a regular file this is also the first news of its data:
     * the engine sets {@link InodeRecord#FLAG_DIRTY} after this call.
     */
    default void onCreate(TierChange c, long parent, Name name, InodeRecord created) throws FsException {}

    /** The name {@code parent/name} of {@code victim} is being removed (unlink, rmdir, replaced by rename). */
    default void onRemove(TierChange c, long parent, Name name, InodeRecord victim) throws FsException {}

    /** {@code moved} goes from {@code parent/name} to {@code newParent/newName} (after any replaced target was removed). */
    default void onRename(TierChange c, long parent, Name name, long newParent, Name newName, InodeRecord moved)
            throws FsException {}

    /** The inodes behind two names are swapped (RENAME_EXCHANGE). */
    default void onExchange(TierChange c, long parent, Name name, InodeRecord first, long newParent, Name newName,
            InodeRecord second) throws FsException {}

    /** Mode, owner or times of {@code after} changed (chmod, chown, utimens). */
    default void onAttrs(TierChange c, InodeRecord after) throws FsException {}

    /**
     * The local data of regular file {@code current} is about to change and {@link InodeRecord#FLAG_DIRTY}
     * is clear: the first writer's open, a truncate, a write after an archive. Never called for a
     * released file (the engine restores it first).
     */
    default void onDataChange(TierChange c, InodeRecord current) throws FsException {}

    /**
     * A lookup or listing of directory {@code dir} is about to happen (called without the engine
     * lock): the tier may add names that exist only in the capacity tier (import), if it has not
     * looked recently.
     */
    default void refreshDirectory(long dir) throws FsException {}

    /**
     * Reads from the capacity tier for a released file: like {@code pread}, fewer bytes only at the
     * end of the file.
     */
    default int readReleased(InodeRecord file, long offset, MemorySegment dst) throws FsException {
        throw new FsException.IoFailure("inode " + file.ino() + " is released but there is no capacity tier");
    }

    /** Brings a released file's data back to the fast tier and clears {@link InodeRecord#FLAG_RELEASED}; blocks. */
    default void restore(long ino) throws FsException {
        throw new FsException.IoFailure("inode " + ino + " is released but there is no capacity tier");
    }

    /**
     * A handle that may have written is flushed ({@code closing}: close(2)) or fsynced: returns once
     * the file is as durable as its policy asks (for {@code sync}, committed in the capacity tier).
     */
    default void durable(long ino, boolean closing) throws FsException {}

    /**
     * The value of a control attribute ({@code user.strata.…}), or empty if {@code name} is not one
     * the tier answers (the engine then treats it as an ordinary attribute).
     */
    default Optional<byte[]> getControl(long ino, String name) throws FsException {
        return Optional.empty();
    }

    /**
     * Handles a set of a control attribute. Returns false if {@code name} is not one (the engine
     * stores it as an ordinary attribute); true if handled. A control attribute that is also stored
     * (a directory's policy) is validated here and then stored by the engine when this returns
     * {@link ControlResult#STORE}.
     */
    default ControlResult setControl(Caller caller, long ino, String name, byte[] value) throws FsException {
        return ControlResult.NOT_CONTROL;
    }

    /** Whether {@code name} is a control attribute to leave out of listxattr. */
    default boolean hiddenAttribute(String name) {
        return false;
    }

    /** A stored control attribute was removed (the engine has removed it). */
    default void controlRemoved(long ino, String name) {}

    /** Stops background work. The engine's stores are still open. */
    @Override
    default void close() {}

    /** What {@link #setControl} did. */
    enum ControlResult {
        /** Not a control attribute: store it as an ordinary one. */
        NOT_CONTROL,
        /** Done; nothing to store. */
        HANDLED,
        /** Valid; store it as given. */
        STORE
    }
}
