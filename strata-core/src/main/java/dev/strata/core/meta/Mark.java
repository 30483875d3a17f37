package dev.strata.core.meta;

/**
 * Small sets of inodes that recovery must visit after a crash, so that restart work is bounded by
 * what was in flight rather than by the size of the namespace.
 */
public enum Mark {
    /** Link count reached zero while the file was still open; its data is freed at last close or at restart. */
    ORPHAN,
    /** Open for writing: the local data may be newer than the recorded size; refreshed at restart. */
    OPEN_FOR_WRITE,
    /**
     * The local data is newer than the capacity tier's copy (or there is none yet) and policy says it
     * must get there: the archive scheduler's work list and the source of "bytes at risk".
     */
    DIRTY
}
