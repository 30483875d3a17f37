package dev.strata.store.azure;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.models.DeleteSnapshotsOptionType;
import com.azure.storage.blob.models.DownloadRetryOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import dev.strata.core.store.ObjectKeys;
import dev.strata.core.store.ObjectStore;
import dev.strata.core.store.ObjectStoreException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The capacity tier on Azure Blob Storage (block blobs), for {@code az://container[/prefix]}.
 *
 * <p>Mapping (see {@link AzureNames}): key {@code a/b} is blob {@code prefix/a/b}; the marker
 * {@code a/b/} is the zero-byte blob {@code a/b} with {@code hdi_isfolder=true}; metadata names
 * have '-' stored as '_'. Multipart uploads are staged blocks committed by Put Block List (see
 * {@link AzureMultipart}); copies are server-side ({@link AzureCopy}).
 *
 * <p>Integrity: the adapter checks the caller's CRC32C against the bytes before sending (Azure has
 * no CRC32C), then sends a transactional Content-MD5 of the same bytes, which Azure verifies
 * (400 Md5Mismatch, mapped to Permanent). So damage before the adapter and damage in transit are
 * both refused.
 *
 * <p>Errors are mapped in {@link AzureErrors}; the SDK makes exactly one try per call
 * ({@link AzureClients}). Thread-safe: the SDK's clients are, and this class keeps no mutable state.
 */
public final class AzureBlobObjectStore implements ObjectStore {
    /**
     * Blocks up to 4000 MiB, 50,000 blocks, Put Blob up to 5000 MiB: Azure's limits (service
     * version 2019-12-12 and later). The 1 MiB smallest part is ours, not Azure's (it has none):
     * smaller blocks only cost requests, and completeUpload refuses them, as S3 does below 5 MiB.
     */
    public static final Limits LIMITS = new Limits(1L << 20, 4000L << 20, 50_000, 5000L << 20);

    private final AzureLocation where;
    private final BlobContainerClient container;
    private final AzureListing listing;
    private final AzureMultipart multipart;
    private final AzureCopy copier;

    AzureBlobObjectStore(AzureLocation where, BlobContainerClient container, RandomGenerator random) {
        this(where, container, random, new AzureCopy(where));
    }

    AzureBlobObjectStore(AzureLocation where, BlobContainerClient container, RandomGenerator random, AzureCopy copier) {
        this.where = where;
        this.container = container;
        this.listing = new AzureListing(where, container);
        this.multipart = new AzureMultipart(where, random);
        this.copier = copier;
    }

    /** Opens {@code az://container[/prefix]} without creating the container. */
    public static AzureBlobObjectStore open(URI uri, Map<String, String> env) throws ObjectStoreException {
        return open(uri, env, false);
    }

    /**
     * Opens {@code az://container[/prefix]} with the credentials in {@code env}'s
     * {@code AZURE_STORAGE_CONNECTION_STRING}, checking that the container exists.
     *
     * @param createContainer create the container if it is missing, instead of failing with
     *     {@code Permanent}; off by default so a typo does not quietly start an empty tier
     */
    public static AzureBlobObjectStore open(URI uri, Map<String, String> env, boolean createContainer)
            throws ObjectStoreException {
        AzureLocation where;
        BlobContainerClient container;
        try {
            where = AzureLocation.parse(uri);
            container = AzureClients.container(where, env);
        } catch (IllegalArgumentException e) {
            throw new ObjectStoreException.Permanent(e.getMessage(), e);
        }
        try {
            if (createContainer) {
                container.createIfNotExists();
            } else if (!container.exists()) {
                throw new ObjectStoreException.Permanent(where.describe() + ": container \"" + where.container()
                        + "\" does not exist in " + container.getAccountName() + "; create it (az storage container create"
                        + " --name " + where.container() + ") or open the store with createContainer", null);
            }
        } catch (RuntimeException e) {
            throw AzureErrors.map(where.describe(), "open", null, e);
        }
        return new AzureBlobObjectStore(where, container, new SecureRandom());
    }

    @Override
    public String describe() {
        return where.describe();
    }

    @Override
    public Limits limits() {
        return LIMITS;
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws ObjectStoreException {
        AzureNames.checkKey(where, key);
        BlobProperties p;
        try {
            p = blob(key).getPropertiesWithResponse(null, null, null).getValue();
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404 && BlobErrorCode.BLOB_NOT_FOUND.equals(e.getErrorCode())) {
                return Optional.empty();
            }
            throw AzureErrors.map(describe(), "head", key, e);
        } catch (RuntimeException e) {
            throw AzureErrors.map(describe(), "head", key, e);
        }
        // A marker and a file of the same name are the same blob: report it only under its own kind.
        if (AzureNames.isFolder(p.getMetadata()) != ObjectKeys.isMarker(key)) {
            return Optional.empty();
        }
        return Optional.of(new ObjectInfo(key, p.getBlobSize(), p.getETag(), instant(p.getLastModified()),
                AzureNames.fromAzure(p.getMetadata()), true));
    }

    @Override
    public int read(String key, long offset, ByteBuffer dst, String ifMatch) throws ObjectStoreException {
        AzureNames.checkKey(where, key);
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        if (dst.remaining() == 0 || ObjectKeys.isMarker(key)) {
            return readNothing(key, ifMatch); // a marker holds no bytes
        }
        int start = dst.position();
        try {
            var response = blob(key).downloadStreamWithResponse(new BufferSink(dst),
                    new BlobRange(offset, (long) dst.remaining()), new DownloadRetryOptions().setMaxRetryRequests(0),
                    ifMatch == null ? null : new BlobRequestConditions().setIfMatch(ifMatch), false, null, null);
            if (AzureNames.isFolder(response.getDeserializedHeaders().getMetadata())) {
                dst.position(start);
                throw new ObjectStoreException.NotFound(describe() + ": read \"" + key + "\": it is a directory marker");
            }
            return dst.position() - start;
        } catch (BlobStorageException e) {
            dst.position(start);
            if (e.getStatusCode() == 416) {
                return readNothing(key, ifMatch); // at or past the end (or an empty blob)
            }
            throw AzureErrors.map(describe(), "read", key, e);
        } catch (RuntimeException e) {
            dst.position(start);
            throw AzureErrors.map(describe(), "read", key, e);
        }
    }

    /** A read that returns no bytes still fails as a real one would: absent, or another version. */
    private int readNothing(String key, String ifMatch) throws ObjectStoreException {
        ObjectInfo info = head(key).orElseThrow(() -> new ObjectStoreException.NotFound(
                describe() + ": read \"" + key + "\": HTTP 404 BlobNotFound"));
        if (ifMatch != null && !ifMatch.equals(info.etag())) {
            throw new ObjectStoreException.PreconditionFailed(describe() + ": read \"" + key + "\": etag is "
                    + info.etag() + ", not " + ifMatch);
        }
        return 0;
    }

    @Override
    public ObjectInfo put(String key, ByteBuffer content, int crc32c, Map<String, String> metadata)
            throws ObjectStoreException {
        AzureNames.checkKey(where, key);
        ObjectKeys.checkMetadata(describe(), metadata);
        boolean marker = ObjectKeys.isMarker(key);
        long size = content.remaining();
        if (marker && size > 0) {
            throw new ObjectStoreException.Permanent(describe() + ": put \"" + key + "\": a directory marker holds no"
                    + " bytes, not " + size, null);
        }
        if (size > LIMITS.maxPutBytes()) {
            throw new IllegalArgumentException("put of " + size + " bytes exceeds maxPutBytes " + LIMITS.maxPutBytes());
        }
        ByteBuffer body = content.slice();
        byte[] md5 = Checksums.verifiedMd5(describe(), "put", key, body, crc32c);
        try {
            BlockBlobItem item = blob(key).getBlockBlobClient().uploadWithResponse(
                    new BlockBlobSimpleUploadOptions(BinaryData.fromByteBuffer(body))
                            .setMetadata(AzureNames.toAzure(metadata, marker))
                            .setContentMd5(md5), null, null).getValue();
            content.position(content.limit());
            return new ObjectInfo(key, size, item.getETag(), instant(item.getLastModified()), metadata, true);
        } catch (RuntimeException e) {
            throw AzureErrors.map(describe(), "put", key, e);
        }
    }

    @Override
    public Upload startUpload(String key, Map<String, String> metadata) throws ObjectStoreException {
        AzureNames.checkKey(where, key);
        ObjectKeys.checkMetadata(describe(), metadata);
        return multipart.start(key, metadata);
    }

    @Override
    public Part uploadPart(Upload upload, int partNumber, ByteBuffer content, int crc32c) throws ObjectStoreException {
        AzureNames.checkKey(where, upload.key());
        return multipart.uploadPart(blob(upload.key()), upload, partNumber, content, crc32c);
    }

    @Override
    public ObjectInfo completeUpload(Upload upload, List<Part> parts) throws ObjectStoreException {
        AzureNames.checkKey(where, upload.key());
        return multipart.complete(blob(upload.key()), upload, parts, () -> head(upload.key()));
    }

    @Override
    public void abortUpload(Upload upload) throws ObjectStoreException {
        AzureNames.checkKey(where, upload.key());
        multipart.abort(blob(upload.key()), upload);
    }

    @Override
    public void delete(String key) throws ObjectStoreException {
        // Head first: blob a/b is file a/b or marker a/b/, and deleting one must not take the other.
        Optional<ObjectInfo> info = head(key);
        if (info.isEmpty()) {
            return;
        }
        try {
            blob(key).deleteWithResponse(DeleteSnapshotsOptionType.INCLUDE,
                    new BlobRequestConditions().setIfMatch(info.get().etag()), null, null);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return;
            }
            if (e.getStatusCode() == 412) {
                throw new ObjectStoreException.Transient(describe() + ": delete \"" + key
                        + "\": the blob changed between head and delete; repeat", false, e);
            }
            throw AzureErrors.map(describe(), "delete", key, e);
        } catch (RuntimeException e) {
            throw AzureErrors.map(describe(), "delete", key, e);
        }
    }

    @Override
    public ListPage list(String prefix, boolean delimited, String continuation, int maxKeys) throws ObjectStoreException {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be positive: " + maxKeys);
        }
        if (prefix.startsWith("/")) {
            throw new ObjectStoreException.Permanent(describe() + ": list prefix \"" + prefix + "\" starts with '/'", null);
        }
        return listing.page(prefix, delimited, continuation, maxKeys, key -> head(key).orElse(null));
    }

    @Override
    public ObjectInfo copy(String from, String to, Map<String, String> metadata) throws ObjectStoreException {
        AzureNames.checkKey(where, from);
        AzureNames.checkKey(where, to);
        ObjectKeys.checkMetadata(describe(), metadata);
        if (ObjectKeys.isMarker(from) != ObjectKeys.isMarker(to)) {
            throw new ObjectStoreException.Permanent(describe() + ": copy \"" + from + "\" to \"" + to
                    + "\": a directory marker copies only to a marker", null);
        }
        ObjectInfo source = head(from).orElseThrow(() -> new ObjectStoreException.NotFound(
                describe() + ": copy from \"" + from + "\": HTTP 404 BlobNotFound"));
        copier.copy(blob(from), source, blob(to), to, AzureNames.toAzure(metadata, ObjectKeys.isMarker(to)));
        return head(to).orElseThrow(() -> new ObjectStoreException.Transient(
                describe() + ": copy to \"" + to + "\": the copy vanished before it could be headed", false, null));
    }

    @Override
    public ObjectInfo setMetadata(String key, Map<String, String> metadata) throws ObjectStoreException {
        ObjectKeys.checkMetadata(describe(), metadata);
        ObjectInfo info = head(key).orElseThrow(() -> new ObjectStoreException.NotFound(
                describe() + ": set metadata of \"" + key + "\": HTTP 404 BlobNotFound"));
        try {
            var response = blob(key).setMetadataWithResponse(AzureNames.toAzure(metadata, ObjectKeys.isMarker(key)),
                    new BlobRequestConditions().setIfMatch(info.etag()), null, null);
            String etag = response.getHeaders().getValue(com.azure.core.http.HttpHeaderName.ETAG);
            return new ObjectInfo(key, info.sizeBytes(), etag == null ? info.etag() : etag, info.lastModified(),
                    metadata, true);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 412) {
                throw new ObjectStoreException.Transient(describe() + ": set metadata of \"" + key
                        + "\": the blob changed between head and update; repeat", false, e);
            }
            throw AzureErrors.map(describe(), "set metadata of", key, e);
        } catch (RuntimeException e) {
            throw AzureErrors.map(describe(), "set metadata of", key, e);
        }
    }

    @Override
    public void close() {
        // The SDK's JDK HttpClient holds no resources that need closing before JDK 21's close().
    }

    private BlobClient blob(String key) {
        return container.getBlobClient(AzureNames.blobName(where, key));
    }

    static Instant instant(java.time.OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    /** Writes a download into the caller's buffer, refusing more than it has room for. */
    private static final class BufferSink extends OutputStream {
        private final ByteBuffer dst;

        BufferSink(ByteBuffer dst) {
            this.dst = dst;
        }

        @Override
        public void write(int b) {
            dst.put((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            dst.put(b, off, len);
        }
    }
}
