package dev.strata.hsm;

/**
 * What a mover task does, and so which {@link Lane} it runs in. Each kind has a stable one-byte
 * code for {@link TaskCodec}. Keys are captured when the task is enqueued: the mover acts on the
 * names as they were at that point of the namespace's history, which is what ordered replay needs.
 */
public enum TaskKind {
    /** Upload an inode's data to {@code key}. */
    ARCHIVE('A', Lane.ARCHIVE, false),
    /** Download {@code key} into an inode's local data. */
    RESTORE('R', Lane.RESTORE, false),
    /** Create the directory marker {@code key} (ends in '/'). */
    PUT_DIR_MARKER('M', Lane.NAMESPACE, false),
    /** Write a symlink object {@code key} whose content is the target (FSx for Lustre's layout). */
    PUT_SYMLINK('L', Lane.NAMESPACE, false),
    /** Delete the object or marker {@code key}. */
    DELETE_KEY('D', Lane.NAMESPACE, false),
    /** Delete every object under the prefix {@code key} that is Strata's or nobody's (a directory left the mirror). */
    DELETE_PREFIX('X', Lane.NAMESPACE, false),
    /** Copy {@code key} to {@code toKey}, then delete {@code key}. */
    RENAME_KEY('N', Lane.NAMESPACE, true),
    /** Rename every key under the prefix {@code key} to the prefix {@code toKey} (a directory rename). */
    RENAME_PREFIX('P', Lane.NAMESPACE, true),
    /** Rewrite the object metadata of {@code key} (chmod, chown, utimes) from the inode's attributes. */
    SET_ATTRS('S', Lane.NAMESPACE, false);

    private final byte code;
    private final Lane lane;
    private final boolean needsToKey;

    TaskKind(char code, Lane lane, boolean needsToKey) {
        this.code = (byte) code;
        this.lane = lane;
        this.needsToKey = needsToKey;
    }

    public Lane lane() {
        return lane;
    }

    /** Whether the task names a second key (the destination of a rename). */
    public boolean needsToKey() {
        return needsToKey;
    }

    byte code() {
        return code;
    }

    static TaskKind ofCode(int code) {
        for (TaskKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return null;
    }
}
