package dev.strata.store.s3;

import dev.strata.core.store.ObjectKeys;
import dev.strata.core.store.ObjectStore.ListPage;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link S3ObjectStore#list}: ListObjectsV2 with delimiter '/' and continuation tokens, keys made
 * relative to the store's prefix. Listings carry no user metadata on S3 ({@code metadataKnown}
 * false).
 */
final class S3Listing {
    /** S3 answers at most 1000 keys per ListObjectsV2 page. */
    private static final int MAX_LIST_KEYS = 1000;
    /** Starts the continuations this adapter makes itself; S3's own tokens never look like this. */
    private static final String RESUME_AFTER = "strata-resume-after:";

    private final S3Client s3;
    private final String bucket;
    private final String rootPrefix;
    private final String describe;

    S3Listing(S3Client s3, String bucket, String rootPrefix, String describe) {
        this.s3 = s3;
        this.bucket = bucket;
        this.rootPrefix = rootPrefix;
        this.describe = describe;
    }

    ListPage list(String prefix, boolean delimited, String continuation, int maxKeys) throws ObjectStoreException {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be at least 1, not " + maxKeys);
        }
        if (!prefix.isEmpty() && ObjectKeys.keyProblem(prefix.endsWith("/") ? prefix : prefix + "x") != null) {
            throw new ObjectStoreException.Permanent(describe + ": ListObjectsV2: refusing prefix \"" + prefix + "\": "
                    + ObjectKeys.keyProblem(prefix.endsWith("/") ? prefix : prefix + "x"), null);
        }
        String listPrefix = rootPrefix + prefix;
        // A continuation of ours (see below) resumes after a key with start-after; any other is S3's.
        String startAfter = continuation != null && continuation.startsWith(RESUME_AFTER)
                ? rootPrefix + continuation.substring(RESUME_AFTER.length()) : null;
        String token = startAfter == null ? continuation : null;
        ListObjectsV2Response r;
        try {
            r = s3.listObjectsV2(b -> b.bucket(bucket).prefix(listPrefix).delimiter(delimited ? "/" : null)
                    .continuationToken(token).startAfter(startAfter).maxKeys(Math.min(maxKeys, MAX_LIST_KEYS)));
        } catch (SdkException e) {
            throw S3Errors.map(describe, "ListObjectsV2", prefix, e);
        }
        List<ObjectInfo> objects = new ArrayList<>(r.contents().size());
        for (S3Object o : r.contents()) {
            if (o.key().equals(listPrefix) || o.key().equals(startAfter)) {
                // The port: a listing never reports the marker equal to its own prefix; and the key
                // a continuation of ours resumes after was on the previous page.
                continue;
            }
            objects.add(new ObjectInfo(relative(o.key()), o.size(), o.eTag(), o.lastModified(), Map.of(), false));
        }
        List<String> prefixes = new ArrayList<>(r.commonPrefixes().size());
        for (CommonPrefix p : r.commonPrefixes()) {
            if (!p.prefix().equals(startAfter)) { // reported at the end of the previous page
                prefixes.add(relative(p.prefix()));
            }
        }
        boolean more = Boolean.TRUE.equals(r.isTruncated()) && r.nextContinuationToken() != null;
        if (objects.size() + prefixes.size() > maxKeys) {
            return trimmed(objects, prefixes, maxKeys);
        }
        return new ListPage(objects, prefixes, more ? r.nextContinuationToken() : null);
    }

    /**
     * Some S3-compatible servers (S3Mock) count only objects against max-keys and add every common
     * prefix on top; S3 counts both, and so does the port. Such a page is cut to {@code maxKeys}
     * entries in key order and continued after its last entry with start-after. After a common
     * prefix {@code p/} the server rolls the keys under it up into {@code p/} again; the next page
     * drops that repeat ({@link #list}), which needs no assumption about the server's key order.
     */
    private static ListPage trimmed(List<ObjectInfo> objects, List<String> prefixes, int maxKeys) {
        List<ObjectInfo> keptObjects = new ArrayList<>();
        List<String> keptPrefixes = new ArrayList<>();
        int o = 0;
        int p = 0;
        String last = null;
        while (keptObjects.size() + keptPrefixes.size() < maxKeys) {
            boolean takeObject = p >= prefixes.size()
                    || (o < objects.size() && ObjectKeys.UTF8_ORDER.compare(objects.get(o).key(), prefixes.get(p)) < 0);
            if (takeObject) {
                keptObjects.add(objects.get(o));
                last = objects.get(o++).key();
            } else {
                keptPrefixes.add(prefixes.get(p));
                last = prefixes.get(p++);
            }
        }
        return new ListPage(keptObjects, keptPrefixes, RESUME_AFTER + last);
    }

    private String relative(String objectKey) {
        return objectKey.substring(rootPrefix.length());
    }
}
