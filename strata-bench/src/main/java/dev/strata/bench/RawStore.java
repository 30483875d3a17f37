package dev.strata.bench;

import java.nio.file.Path;

/**
 * An object store driven through its own SDK the way an application would: the baseline that
 * TierBench holds Strata's capacity tier against.
 */
interface RawStore extends AutoCloseable {
    /** Strata's transfer settings (Transfers.Options.DEFAULT), which the raw uploads copy. */
    long PART_BYTES = 16L << 20;
    int PARALLELISM = 4;
    /** Strata's download chunk (ranged reads of a restore). */
    long CHUNK_BYTES = 8L << 20;

    /** A short name: az, s3. */
    String name();

    /** Uploads the file as object {@code key}. */
    void upload(String key, Path file) throws Exception;

    /** Downloads object {@code key} into the new file {@code dest}. */
    void download(String key, Path dest) throws Exception;

    /** What the upload and download calls are, for the report. */
    String describe();

    @Override
    void close();
}
