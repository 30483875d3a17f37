package dev.strata.hsm;

/**
 * A queue of mover work with its own ordering rule. Each lane owns a range of task ids (its code in
 * the top byte), so leasing scans one lane's records only, in id order, without an index.
 */
public enum Lane {
    /** Uploads of file data. Parallel, any order: each task names one inode. */
    ARCHIVE(1),
    /** Downloads of released files. Parallel, any order. */
    RESTORE(2),
    /**
     * Namespace changes mirrored to the bucket (markers, symlinks, deletes, renames, attributes).
     * Strictly one at a time in id order: a rename of {@code a→b} followed by a create of {@code a}
     * must not reach the bucket the other way round, or the bucket ends with the wrong object under
     * {@code a}. Object stores give no multi-key transactions, so order is the only tool.
     */
    NAMESPACE(3);

    /** Bits of a task id below the lane code: the sequence number. */
    static final int SEQ_BITS = 56;
    static final long SEQ_MASK = (1L << SEQ_BITS) - 1;

    private final int code;

    Lane(int code) {
        this.code = code;
    }

    /** The smallest id of this lane's range (exclusive lower bound for scans is {@code firstId() - 1}). */
    long firstId() {
        return (long) code << SEQ_BITS;
    }

    long idOf(long seq) {
        if (seq <= 0 || seq > SEQ_MASK) {
            throw new IllegalArgumentException("task sequence out of range: " + seq);
        }
        return firstId() | seq;
    }

    boolean owns(long id) {
        return (id >>> SEQ_BITS) == code;
    }

    static Lane ofId(long id) {
        long code = id >>> SEQ_BITS;
        for (Lane lane : values()) {
            if (lane.code == code) {
                return lane;
            }
        }
        return null;
    }
}
