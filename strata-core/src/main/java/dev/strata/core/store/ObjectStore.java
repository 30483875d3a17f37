package dev.strata.core.store;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The capacity tier: a flat bucket of objects named by keys, as Azure Blob, S3 and a local
 * directory offer it. Strata mirrors its namespace into it 1:1 (file {@code a/b/c} is object
 * {@code a/b/c}); the engine decides what to write, this port only moves bytes and metadata.
 *
 * <h2>Keys</h2>
 * Keys are relative to the store's root (an adapter adds its own prefix, see {@link #describe}):
 * UTF-8, no leading '/', components separated by '/', none empty, '.' or '..', no control
 * characters (U+0000 to U+001F, U+007F: S3 cannot return them in an XML listing), at most 1024 bytes
 * (S3's limit). Every adapter refuses a key breaking these rules with {@link
 * ObjectStoreException.Permanent} ({@link ObjectKeys#checkKey} does the checking), and also a key it
 * cannot represent (say a component longer than a local file system's 255 bytes).
 *
 * <h2>Metadata</h2>
 * User metadata names are lower-case ASCII letters, digits and '-', starting with a letter (the
 * portable subset: S3 lower-cases names; Azure requires C# identifiers, so its adapter maps '-' to
 * '_' and back). Values are printable ASCII (U+0020 to U+007E) without leading or trailing spaces
 * (HTTP trims them from header values, so they would not come back). Names and values together
 * hold at most 2048 bytes (S3's limit). Every adapter refuses metadata breaking these rules with
 * {@link ObjectStoreException.Permanent} ({@link ObjectKeys#checkMetadata}).
 *
 * <h2>Directory markers</h2>
 * A key ending in '/' is a zero-byte directory marker. Adapters store it as their ecosystem expects
 * (S3: the object {@code a/b/}; Azure: the blob {@code a/b} with {@code hdi_isfolder=true}, as ADLS
 * and blobfuse write it) and report it back under the key {@code a/b/} in head and listings; a
 * delimited listing of the parent shows it among the prefixes. A marker holds no bytes (a
 * {@link #put} of content under a key ending in '/' is refused with {@code Permanent}) but carries
 * metadata, as a directory carries its permissions. A listing never reports the marker whose key
 * equals its own prefix (listing {@code a/b/} lists what is inside the directory, not the
 * directory), so S3 adapters drop it and Azure adapters never see it. Deleting a marker leaves the
 * keys under it alone. Whether a key {@code a/b} and keys under {@code a/b/} may coexist is the
 * store's business: a local directory cannot hold both a file and a directory named {@code a/b} and
 * refuses the second with {@code Permanent}; Strata's namespace never asks for both.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Atomic appearance.</b> {@link #put} and {@link #completeUpload} make the whole new
 *       object visible at once, replacing any old one; a reader sees the old or the new object,
 *       never a mix or a truncated one, also if the caller dies half-way. Parts staged by
 *       {@link #uploadPart} are invisible until completed.</li>
 *   <li><b>Idempotence.</b> {@code head}, {@code read}, {@code list}, {@code put}, {@code uploadPart}
 *       (same number, same bytes), {@code delete} (absent is fine), {@code abortUpload} (unknown is
 *       fine), {@code copy} and {@code setMetadata} may be repeated with the same outcome.
 *       {@code completeUpload} may be repeated after a success was lost in transit: adapters
 *       answer with the completed object when the key already holds it (S3 forgets completed
 *       upload ids after a while: its adapter then heads the key and answers with it when its
 *       size is the parts' total). {@code RetryingObjectStore} does the same once more, for
 *       adapters and fakes that answer {@code NotFound}.</li>
 *   <li><b>Integrity.</b> Every byte sent carries a CRC32C of its request body, which the adapter
 *       hands to the store's own verification (S3 {@code x-amz-checksum-crc32c}; Azure a
 *       transactional MD5 computed from the same bytes), so a body damaged in transit is refused,
 *       not stored. A refused checksum is {@code Permanent}: sending the same bytes with the same
       CRC32C again will be refused again (the store answers HTTP 400, not 5xx), and the old
       object, if any, stays as it was. Whole-object checksums are the caller's business.</li>
 *   <li><b>Errors.</b> {@link ObjectStoreException.NotFound}, {@link
 *       ObjectStoreException.PreconditionFailed}, {@link ObjectStoreException.Transient} (throttling,
 *       5xx, resets, timeouts: worth retrying) and {@link ObjectStoreException.Permanent} (bad
 *       credentials, bad key, missing bucket: retrying will not help). Adapters do not retry on their
 *       own beyond what their SDK does for a single request; {@code RetryingObjectStore} does.</li>
 *   <li><b>Consistency.</b> Read-after-write for a key (all three stores give it). Listings may lag
 *       behind writes; callers that need certainty use {@link #head}.</li>
 *   <li><b>Listing pages.</b> A page holds at most {@code maxKeys} entries, objects and prefixes
 *       together (as S3 counts them), possibly fewer even when more follow; following
 *       {@link ListPage#continuation} until it is null yields every key and prefix exactly once, in
 *       order. A continuation is opaque and only valid with the same prefix and delimiter.</li>
 * </ul>
 * It deliberately does not: rename (no store offers it atomically; the mirror copies then
 * deletes), lock, version, or cache. All methods are thread-safe.
 */
public interface ObjectStore extends AutoCloseable {

    /** Where this store points, for messages: {@code az://container/prefix}, {@code file:///path}. */
    String describe();

    /** Size limits of uploads; the caller splits large objects by them. */
    Limits limits();

    /** The object's size, tag and metadata, or empty if there is none. */
    Optional<ObjectInfo> head(String key) throws ObjectStoreException;

    /**
     * Reads up to {@code dst.remaining()} bytes of {@code key} starting at {@code offset} into
     * {@code dst}, advancing its position. Returns the number of bytes read: fewer than asked only at
     * the object's end, 0 at or beyond it.
     *
     * @param ifMatch an {@link ObjectInfo#etag} the object must still have, or null for any version;
     *     a different version fails with {@link ObjectStoreException.PreconditionFailed}
     */
    int read(String key, long offset, ByteBuffer dst, String ifMatch) throws ObjectStoreException;

    /**
     * Stores {@code content} (from its position to its limit, at most {@link Limits#maxPutBytes})
     * under {@code key} in one request, replacing any object there. {@code crc32c} is the CRC32C of
     * those bytes; the store verifies it and refuses a mismatch with {@code Permanent}, leaving any
     * old object in place. A directory-marker key (ending in '/') takes only empty content.
     */
    ObjectInfo put(String key, ByteBuffer content, int crc32c, Map<String, String> metadata)
            throws ObjectStoreException;

    /** Begins a multipart (block) upload whose object will carry {@code metadata}. */
    Upload startUpload(String key, Map<String, String> metadata) throws ObjectStoreException;

    /**
     * Stages part {@code partNumber} (1 to {@link Limits#maxParts}) of {@code upload}. Every part but
     * the last holds at least {@link Limits#minPartBytes}; none more than {@link Limits#maxPartBytes}.
     * Parts may be uploaded concurrently and in any order. A wrong {@code crc32c} is refused with
     * {@code Permanent}. An unknown upload fails with {@code NotFound} here or, on stores that keep
     * no state per upload (Azure's uncommitted blocks), at {@link #completeUpload}.
     */
    Part uploadPart(Upload upload, int partNumber, ByteBuffer content, int crc32c) throws ObjectStoreException;

    /**
     * Makes the object out of {@code parts}, in increasing part number, atomically. A part other than
     * the last smaller than {@link Limits#minPartBytes}, a part not staged, or a tag not the one
     * {@link #uploadPart} returned is refused with {@code Permanent} (S3 EntityTooSmall, InvalidPart);
     * an unknown or aborted upload with {@code NotFound}.
     */
    ObjectInfo completeUpload(Upload upload, List<Part> parts) throws ObjectStoreException;

    /**
     * Drops a started upload and its staged parts; completing it afterwards fails with
     * {@code NotFound}. Unknown or finished uploads are fine.
     */
    void abortUpload(Upload upload) throws ObjectStoreException;

    /** Removes {@code key}. An absent key is fine. */
    void delete(String key) throws ObjectStoreException;

    /**
     * One page of the keys starting with {@code prefix}, in UTF-8 byte order. With {@code delimited},
     * keys with a further '/' after the prefix are rolled up into {@link ListPage#prefixes} (each
     * ending in '/'), as a directory listing needs.
     *
     * @param continuation null for the first page, else {@link ListPage#continuation} of the last
     */
    ListPage list(String prefix, boolean delimited, String continuation, int maxKeys) throws ObjectStoreException;

    /**
     * Copies {@code from} to {@code to} inside the store (no bytes through this process where the
     * store can avoid it), giving the copy {@code metadata}. Fails with {@code NotFound} if
     * {@code from} is absent. Returns the new object.
     */
    ObjectInfo copy(String from, String to, Map<String, String> metadata) throws ObjectStoreException;

    /** Replaces the user metadata of {@code key}, keeping its content. May change its etag. */
    ObjectInfo setMetadata(String key, Map<String, String> metadata) throws ObjectStoreException;

    @Override
    void close();

    /**
     * @param minPartBytes smallest part except the last (S3: 5 MiB)
     * @param maxPartBytes largest part
     * @param maxParts most parts in one upload (S3: 10,000; Azure: 50,000 blocks)
     * @param maxPutBytes largest single-request {@link #put}
     */
    record Limits(long minPartBytes, long maxPartBytes, int maxParts, long maxPutBytes) {}

    /** A started multipart upload: the key it will create and the store's id for it. */
    record Upload(String key, String id) {}

    /** A staged part: its number, size and the store's tag for it (S3 ETag, Azure block id). */
    record Part(int number, long sizeBytes, String tag) {}

    /**
     * What a listing or head knows of an object.
     *
     * @param etag the store's version tag: changes whenever the content (or, on some stores, the
     *     metadata) changes
     * @param metadata user metadata; empty in listings of stores that do not list it (S3), where
     *     {@link #metadataKnown} is false
     */
    record ObjectInfo(String key, long sizeBytes, String etag, java.time.Instant lastModified,
            Map<String, String> metadata, boolean metadataKnown) {
        public ObjectInfo {
            metadata = Map.copyOf(metadata);
        }
    }

    /**
     * @param objects the objects on this page, in key order
     * @param prefixes the rolled-up "directories" of a delimited listing, each ending in '/'
     * @param continuation where the next page starts, or null if this was the last
     */
    record ListPage(List<ObjectInfo> objects, List<String> prefixes, String continuation) {
        public ListPage {
            objects = List.copyOf(objects);
            prefixes = List.copyOf(prefixes);
        }
    }
}
