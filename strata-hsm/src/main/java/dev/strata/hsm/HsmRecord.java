package dev.strata.hsm;

import java.util.Objects;

/**
 * The tiering state of one regular file, stored as record {@code ino} of {@code RecordSpace.HSM}
 * (removed with the inode). An inode without a record is {@link #NEW}: resident, generation 0.
 *
 * <p>Generations make the archive race-free without locks held across an upload: a mover copies
 * the data of {@code dataGeneration} g, and the file becomes {@code archived} only if no change
 * bumped the generation while the copy was in flight.
 *
 * @param state where the data lives
 * @param dataGeneration bumped by every change of the local data; 0 for a file never written
 * @param archivedGeneration the generation the object in the bucket holds; meaningful when
 *     {@link #hasArchivedCopy()}
 * @param objectKey key of the archived copy, relative to the store root; "" if none
 * @param etag the store's tag of that object (for conditional reads); "" if none
 * @param archivedSizeBytes size of the archived copy
 * @param crc32c CRC32C of the whole archived object, verified on restore
 * @param dirtySinceMillis wall-clock time of the first change not yet archived, 0 if none: the age
 *     the RPO is measured by
 * @param archivedAtMillis when the archived copy was committed, 0 if never
 * @param lastError why the file is {@code lost} (short, for status output); "" otherwise
 */
public record HsmRecord(HsmState state, long dataGeneration, long archivedGeneration, String objectKey, String etag,
        long archivedSizeBytes, int crc32c, long dirtySinceMillis, long archivedAtMillis, String lastError) {

    /** The state of an inode that has no HSM record. */
    public static final HsmRecord NEW = new HsmRecord(HsmState.RESIDENT, 0, 0, "", "", 0, 0, 0, 0, "");

    /** Longest {@link #lastError} kept; longer texts are cut, they are for people, not parsers. */
    public static final int MAX_ERROR_CHARS = 200;

    public HsmRecord {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(objectKey, "objectKey");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(lastError, "lastError");
        if (dataGeneration < 0 || archivedGeneration < 0 || archivedGeneration > dataGeneration) {
            throw new IllegalArgumentException("generations out of order: data " + dataGeneration
                    + ", archived " + archivedGeneration);
        }
        if (archivedSizeBytes < 0) {
            throw new IllegalArgumentException("negative archived size " + archivedSizeBytes);
        }
        lastError = shorten(lastError);
    }

    /** Cuts an error text to {@link #MAX_ERROR_CHARS}, never inside a surrogate pair. */
    static String shorten(String text) {
        if (text.length() <= MAX_ERROR_CHARS) {
            return text;
        }
        int cut = MAX_ERROR_CHARS - 1;
        if (Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--;
        }
        return text.substring(0, cut) + "…";
    }

    /** Whether the bucket holds some generation of this file (not necessarily the current one). */
    public boolean hasArchivedCopy() {
        return !objectKey.isEmpty();
    }

    HsmRecord with(HsmState newState) {
        return new HsmRecord(newState, dataGeneration, archivedGeneration, objectKey, etag, archivedSizeBytes, crc32c,
                dirtySinceMillis, archivedAtMillis, lastError);
    }
}
