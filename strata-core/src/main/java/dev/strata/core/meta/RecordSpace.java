package dev.strata.core.meta;

/**
 * Named spaces of opaque records that layers above the POSIX engine keep in the metadata store, so
 * their state commits atomically with the namespace change it belongs to (an inode's HSM state
 * with its data change; a mirror task with the rename that caused it). The store does not read the
 * bytes; their owner encodes them with a version.
 *
 * <p>Each space has a stable one-byte code in every store's layout, independent of declaration order.
 */
public enum RecordSpace {
    /** Per-inode tiering state, keyed by inode number; removed with the inode. */
    HSM('H', true),
    /** Durable data-mover tasks, keyed by task id (increasing); ordered by id. */
    TASK('T', false),
    /**
     * The multipart upload an inode's archive has in flight, keyed by inode number: what a process
     * that died mid-upload left in the object store, aborted by the next attempt. Removed with the inode.
     */
    UPLOAD('U', true);

    private final byte code;
    private final boolean ownedByInode;

    RecordSpace(char code, boolean ownedByInode) {
        this.code = (byte) code;
        this.ownedByInode = ownedByInode;
    }

    /** The stable code stores put in their keys. */
    public byte code() {
        return code;
    }

    /** Whether a record's id is an inode number and {@link Mutation.DeleteInode} removes it. */
    public boolean ownedByInode() {
        return ownedByInode;
    }

    /** One record of a space. */
    public record Record(long id, byte[] value) {}
}
