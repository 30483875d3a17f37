package dev.strata.it.tier;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One capacity tier a test mounts Strata against, seen from outside Strata: the {@code --store}
 * URI and environment the server gets, an rclone remote on the same place, and the store's own API
 * for what rclone does not show (object metadata, uploads in progress).
 */
sealed interface TierStore permits FileTierStore, AzureTierStore, S3TierStore {

    /** A short name for messages: file, az, s3. */
    String kind();

    /** The {@code --store} argument. */
    String uri();

    /** What the server's environment needs for {@link #uri()} (credentials, endpoint). */
    Map<String, String> serverEnv();

    /** rclone on the store's root (bucket and prefix), its scratch files in {@code scratch}. */
    Rclone rclone(Path scratch) throws IOException;

    /**
     * The user metadata of the object holding file or symlink {@code key}, or of the marker of
     * directory {@code key} when {@code directory}, under the port's names ({@code file-permissions},
     * ...); empty if there is no such object.
     */
    Optional<Map<String, String>> metadata(String key, boolean directory) throws IOException, InterruptedException;

    /**
     * Whether rclone lists directories that hold no object but their marker. rclone 1.60 (Debian 12)
     * hides Azure's {@code hdi_isfolder} marker blobs, so empty directories are invisible to it
     * there; {@link #metadata} still finds their markers.
     */
    default boolean rcloneShowsEmptyDirectories() {
        return true;
    }

    /** Uploads of {@code key} started and neither completed nor aborted (staged parts). */
    List<String> pendingUploads(String key) throws IOException;
}
