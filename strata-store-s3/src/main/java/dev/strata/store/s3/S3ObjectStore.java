package dev.strata.store.s3;

import dev.strata.core.store.ObjectKeys;
import dev.strata.core.store.ObjectStore;
import dev.strata.core.store.ObjectStoreException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;
import software.amazon.awssdk.awscore.AwsResponse;

/**
 * The capacity tier on Amazon S3 or an S3-compatible server, through the AWS SDK's synchronous
 * client. The port's key {@code a/b/c} is the object {@code prefix + "a/b/c"}; a directory marker
 * {@code a/b/} is the zero-byte object {@code prefix + "a/b/"}, as the S3 console and FSx for Lustre
 * write it; user metadata names go to S3 as they are ({@code x-amz-meta-file-permissions}).
 *
 * <p>Every byte sent carries the caller's CRC32C ({@code x-amz-checksum-crc32c}) for the server to
 * verify. Retries are {@code RetryingObjectStore}'s: the SDK makes one attempt per call. Listings
 * (ListObjectsV2) carry no user metadata, so listed objects have {@code metadataKnown == false}.
 *
 * <p>Threads: the SDK client is thread-safe and this class keeps no other mutable state; the HTTP
 * connection pool is bounded by {@link S3Config.Settings#maxConnections}.
 */
public final class S3ObjectStore implements ObjectStore {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    /** S3's limits: parts of 5 MiB to 5 GiB, at most 10,000 of them; one PutObject up to 5 GiB. */
    static final Limits S3_LIMITS = new Limits(5 * MIB, 5 * GIB, 10_000, 5 * GIB);
    /** Reads into direct buffers go through a heap chunk of this size. */
    private static final int READ_CHUNK_BYTES = 64 * 1024;

    private final S3Config config;
    private final S3Client s3;
    private final String describe;
    private final S3Copier copier;
    private final S3Listing listing;

    private S3ObjectStore(S3Config config, S3Config.Settings settings, S3Client s3) {
        this.config = config;
        this.s3 = s3;
        this.describe = config.describe();
        this.copier = new S3Copier(s3, config.bucket(), describe, settings);
        this.listing = new S3Listing(s3, config.bucket(), config.prefix(), describe);
    }

    /**
     * Opens {@code s3://bucket[/prefix]} with the standard AWS environment: AWS_ACCESS_KEY_ID,
     * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (else the SDK's profile and instance chain,
     * with AWS_PROFILE), AWS_REGION or AWS_DEFAULT_REGION (us-east-1 with a custom endpoint),
     * AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (a custom endpoint, addressed path-style). Checks
     * that credentials exist and the bucket answers; fails {@code Permanent} with what to do if not.
     */
    public static S3ObjectStore open(URI uri, Map<String, String> env) throws ObjectStoreException {
        return open(uri, env, S3Config.Settings.DEFAULT);
    }

    static S3ObjectStore open(URI uri, Map<String, String> env, S3Config.Settings settings) throws ObjectStoreException {
        S3Config config = S3Config.parse(uri, env);
        AwsCredentialsProvider credentials = S3Config.credentials(env);
        try {
            credentials.resolveCredentials();
        } catch (SdkClientException e) {
            throw new ObjectStoreException.Permanent(config.describe() + ": no AWS credentials found: set "
                    + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE naming a profile in ~/.aws", e);
        }
        S3Client s3 = config.client(credentials, settings);
        try {
            checkBucket(config, s3);
        } catch (ObjectStoreException | RuntimeException e) {
            s3.close();
            throw e;
        }
        return new S3ObjectStore(config, settings, s3);
    }

    private static void checkBucket(S3Config config, S3Client s3) throws ObjectStoreException {
        String at = config.endpoint() != null ? " at " + config.endpoint() : " in " + config.region();
        try {
            s3.headBucket(b -> b.bucket(config.bucket()));
        } catch (S3Exception e) {
            String region = e.awsErrorDetails() == null || e.awsErrorDetails().sdkHttpResponse() == null ? null
                    : e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region").orElse(null);
            String what = switch (e.statusCode()) {
                case 404 -> "bucket \"" + config.bucket() + "\" does not exist" + at + ": create it or fix the s3:// URI";
                case 301, 400 -> region != null
                        ? "bucket \"" + config.bucket() + "\" is in region " + region + ": set AWS_REGION=" + region
                        : null;
                case 403 -> "no access to bucket \"" + config.bucket() + "\"" + at + ": " + S3Errors.credentialsHint(null);
                default -> null;
            };
            if (what != null) {
                throw new ObjectStoreException.Permanent(config.describe() + ": " + what + " (HTTP " + e.statusCode() + ")", e);
            }
            throw S3Errors.map(config.describe(), "HeadBucket", null, e);
        } catch (SdkException e) {
            throw S3Errors.map(config.describe(), "HeadBucket" + at, null, e);
        }
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public Limits limits() {
        return S3_LIMITS;
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws ObjectStoreException {
        String objectKey = objectKey(key);
        try {
            HeadObjectResponse r = call("HeadObject", key, () -> s3.headObject(b -> b.bucket(config.bucket()).key(objectKey)));
            return Optional.of(new ObjectInfo(key, r.contentLength(), r.eTag(), r.lastModified(), r.metadata(), true));
        } catch (ObjectStoreException.NotFound absent) {
            return Optional.empty();
        }
    }

    @Override
    public int read(String key, long offset, ByteBuffer dst, String ifMatch) throws ObjectStoreException {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset + " reading " + key);
        }
        String objectKey = objectKey(key);
        int want = dst.remaining();
        if (want == 0) {
            checkVersion(key, ifMatch);
            return 0;
        }
        String range = "bytes=" + offset + "-" + (offset + want - 1);
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = s3.getObject(b -> b.bucket(config.bucket()).key(objectKey).range(range).ifMatch(ifMatch));
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                // The range starts at or beyond the end (S3 also says so for any range of an empty
                // object): nothing to read, if the object is still the version asked for.
                checkVersion(key, ifMatch);
                return 0;
            }
            throw S3Errors.map(describe, "GetObject", key, e);
        } catch (SdkException e) {
            throw S3Errors.map(describe, "GetObject", key, e);
        }
        try (in) {
            if (offset > 0 && in.response().contentRange() == null) {
                in.abort();
                throw new ObjectStoreException.Permanent(describe + ": GetObject \"" + key + "\" " + range
                        + ": the server ignored the Range header", null);
            }
            return drain(in, dst, want);
        } catch (IOException e) {
            throw new ObjectStoreException.Transient(describe + ": GetObject \"" + key + "\" " + range
                    + ": connection lost while reading: " + e, false, e);
        } catch (SdkException e) {
            throw S3Errors.map(describe, "GetObject", key, e);
        }
    }

    /** Copies at most {@code want} bytes of {@code in} into {@code dst}; stops early only at EOF. */
    private static int drain(ResponseInputStream<GetObjectResponse> in, ByteBuffer dst, int want) throws IOException {
        int total = 0;
        byte[] chunk = dst.hasArray() ? null : new byte[Math.min(want, READ_CHUNK_BYTES)];
        while (total < want) {
            int n = chunk == null
                    ? in.read(dst.array(), dst.arrayOffset() + dst.position(), want - total)
                    : in.read(chunk, 0, Math.min(chunk.length, want - total));
            if (n < 0) {
                return total;
            }
            if (chunk == null) {
                dst.position(dst.position() + n);
            } else {
                dst.put(chunk, 0, n);
            }
            total += n;
        }
        if (in.read() >= 0) {
            // More than the range asked for: drop the connection rather than drain it.
            in.abort();
        }
        return total;
    }

    /** NotFound if {@code key} is absent, PreconditionFailed if it is not version {@code ifMatch}. */
    private void checkVersion(String key, String ifMatch) throws ObjectStoreException {
        ObjectInfo info = head(key).orElseThrow(() -> new ObjectStoreException.NotFound(
                describe + ": GetObject \"" + key + "\": no such key"));
        if (ifMatch != null && !ifMatch.equals(info.etag())) {
            throw new ObjectStoreException.PreconditionFailed(describe + ": GetObject \"" + key + "\": etag is "
                    + info.etag() + ", not " + ifMatch);
        }
    }

    @Override
    public ObjectInfo put(String key, ByteBuffer content, int crc32c, Map<String, String> metadata)
            throws ObjectStoreException {
        String objectKey = objectKey(key);
        ObjectKeys.checkMetadata(describe, metadata);
        long size = content.remaining();
        if (ObjectKeys.isMarker(key) && size > 0) {
            throw new ObjectStoreException.Permanent(describe + ": PutObject \"" + key + "\": a directory marker holds no bytes, not "
                    + size, null);
        }
        if (size > S3_LIMITS.maxPutBytes()) {
            throw new ObjectStoreException.Permanent(describe + ": PutObject \"" + key + "\": " + size
                    + " bytes is more than one PutObject takes; upload it in parts", null);
        }
        PutObjectResponse r = call("PutObject", key, () -> s3.putObject(b -> b.bucket(config.bucket()).key(objectKey)
                .metadata(metadata).contentLength(size).checksumCRC32C(Crc32cWire.base64(crc32c)),
                body(content)));
        return new ObjectInfo(key, size, r.eTag(), responseDate(r), metadata, true);
    }

    @Override
    public Upload startUpload(String key, Map<String, String> metadata) throws ObjectStoreException {
        String objectKey = objectKey(key);
        ObjectKeys.checkMetadata(describe, metadata);
        if (ObjectKeys.isMarker(key)) {
            throw new ObjectStoreException.Permanent(describe + ": CreateMultipartUpload \"" + key
                    + "\": a directory marker holds no bytes; put it", null);
        }
        String id = call("CreateMultipartUpload", key, () -> s3.createMultipartUpload(b -> b.bucket(config.bucket())
                .key(objectKey).metadata(metadata).checksumAlgorithm(ChecksumAlgorithm.CRC32_C))).uploadId();
        return new Upload(key, id);
    }

    @Override
    public Part uploadPart(Upload upload, int partNumber, ByteBuffer content, int crc32c) throws ObjectStoreException {
        String objectKey = objectKey(upload.key());
        long size = content.remaining();
        if (partNumber < 1 || partNumber > S3_LIMITS.maxParts() || size > S3_LIMITS.maxPartBytes()) {
            throw new ObjectStoreException.Permanent(describe + ": UploadPart \"" + upload.key() + "\": part " + partNumber
                    + " of " + size + " bytes is outside 1.." + S3_LIMITS.maxParts() + " parts of at most "
                    + S3_LIMITS.maxPartBytes() + " bytes", null);
        }
        UploadPartResponse r = call("UploadPart", upload.key(), () -> s3.uploadPart(b -> b.bucket(config.bucket())
                .key(objectKey).uploadId(upload.id()).partNumber(partNumber).contentLength(size)
                .checksumCRC32C(Crc32cWire.base64(crc32c)), body(content)));
        return new Part(partNumber, size, Crc32cWire.partTag(r.eTag(), crc32c));
    }

    @Override
    public ObjectInfo completeUpload(Upload upload, List<Part> parts) throws ObjectStoreException {
        String objectKey = objectKey(upload.key());
        List<CompletedPart> completed = new ArrayList<>(parts.size());
        long total = 0;
        int last = 0;
        for (Part part : parts) {
            if (part.number() <= last) {
                throw new IllegalArgumentException("parts of " + upload + " not in increasing number: " + parts);
            }
            last = part.number();
            total += part.sizeBytes();
            completed.add(CompletedPart.builder().partNumber(part.number()).eTag(Crc32cWire.etagOf(part.tag()))
                    .checksumCRC32C(Crc32cWire.checksumOf(part.tag())).build());
        }
        try {
            CompleteMultipartUploadResponse r = call("CompleteMultipartUpload", upload.key(), () -> s3.completeMultipartUpload(
                    b -> b.bucket(config.bucket()).key(objectKey).uploadId(upload.id())
                            .multipartUpload(m -> m.parts(completed))));
            return new ObjectInfo(upload.key(), total, r.eTag(), responseDate(r), Map.of(), false);
        } catch (ObjectStoreException.NotFound gone) {
            return alreadyCompleted(upload, parts, total, gone);
        }
    }

    /**
     * The upload is unknown. If a success of this very call was lost in transit, the key holds an
     * object of the parts' total size (and, where the server reports it, their composite CRC32C):
     * answer with it. S3 forgets completed uploads, so this is the only evidence left.
     */
    private ObjectInfo alreadyCompleted(Upload upload, List<Part> parts, long total, ObjectStoreException.NotFound gone)
            throws ObjectStoreException {
        String objectKey = objectKey(upload.key());
        HeadObjectResponse r;
        try {
            r = call("HeadObject", upload.key(), () -> s3.headObject(b -> b.bucket(config.bucket()).key(objectKey)
                    .checksumMode(ChecksumMode.ENABLED)));
        } catch (ObjectStoreException.NotFound absent) {
            throw gone;
        }
        if (r.contentLength() != total) {
            throw gone;
        }
        String reported = r.checksumCRC32C();
        List<String> partChecksums = parts.stream().map(p -> Crc32cWire.checksumOf(p.tag())).toList();
        if (reported != null && reported.endsWith("-" + parts.size()) && !partChecksums.contains(null)) {
            String composite = reported.substring(0, reported.lastIndexOf('-'));
            if (!composite.equals(Crc32cWire.composite(partChecksums))) {
                throw gone;
            }
        }
        return new ObjectInfo(upload.key(), r.contentLength(), r.eTag(), r.lastModified(), r.metadata(), true);
    }

    @Override
    public void abortUpload(Upload upload) throws ObjectStoreException {
        String objectKey = objectKey(upload.key());
        try {
            call("AbortMultipartUpload", upload.key(), () -> s3.abortMultipartUpload(b -> b.bucket(config.bucket())
                    .key(objectKey).uploadId(upload.id())));
        } catch (ObjectStoreException.NotFound unknownOrFinished) {
            // The port allows aborting an unknown or finished upload.
        }
    }

    @Override
    public void delete(String key) throws ObjectStoreException {
        String objectKey = objectKey(key);
        try {
            call("DeleteObject", key, () -> s3.deleteObject(b -> b.bucket(config.bucket()).key(objectKey)));
        } catch (ObjectStoreException.NotFound absent) {
            // S3 answers 204 for an absent key; some compatible servers answer 404.
        }
    }

    @Override
    public ListPage list(String prefix, boolean delimited, String continuation, int maxKeys) throws ObjectStoreException {
        return listing.list(prefix, delimited, continuation, maxKeys);
    }

    @Override
    public ObjectInfo copy(String from, String to, Map<String, String> metadata) throws ObjectStoreException {
        String source = objectKey(from);
        String target = objectKey(to);
        ObjectKeys.checkMetadata(describe, metadata);
        ObjectInfo src = head(from).orElseThrow(() -> new ObjectStoreException.NotFound(
                describe + ": CopyObject \"" + from + "\" to \"" + to + "\": no such source key"));
        if (ObjectKeys.isMarker(to) && src.sizeBytes() > 0) {
            throw new ObjectStoreException.Permanent(describe + ": CopyObject \"" + from + "\" to marker \"" + to
                    + "\": a directory marker holds no bytes", null);
        }
        return copier.copy(from, source, src, to, target, metadata);
    }

    @Override
    public ObjectInfo setMetadata(String key, Map<String, String> metadata) throws ObjectStoreException {
        // S3 cannot change metadata in place: the object is copied onto itself with REPLACE.
        return copy(key, key, metadata);
    }

    @Override
    public void close() {
        s3.close();
    }

    @Override
    public String toString() {
        return "S3ObjectStore[" + describe + (config.endpoint() == null ? "" : " at " + config.endpoint()) + "]";
    }

    /** The bucket's key for the port's {@code key}, after checking the port's rules. */
    private String objectKey(String key) throws ObjectStoreException.Permanent {
        ObjectKeys.checkKey(describe, key);
        String objectKey = config.prefix() + key;
        if (objectKey.getBytes(StandardCharsets.UTF_8).length > ObjectKeys.MAX_KEY_BYTES) {
            throw new ObjectStoreException.Permanent(describe + ": refusing key \"" + key + "\": with the prefix \""
                    + config.prefix() + "\" it is longer than S3's " + ObjectKeys.MAX_KEY_BYTES + " bytes", null);
        }
        return objectKey;
    }

    private <T> T call(String op, String key, Supplier<T> action) throws ObjectStoreException {
        try {
            return action.get();
        } catch (SdkException e) {
            throw S3Errors.map(describe, op, key, e);
        }
    }

    /** The remaining bytes of {@code content}, read in place (the caller's position is not moved). */
    private static RequestBody body(ByteBuffer content) {
        ByteBuffer slice = content.slice();
        return RequestBody.fromContentProvider(() -> new ByteBufferInputStream(slice), slice.remaining(),
                "application/octet-stream");
    }

    /**
     * PutObject and CompleteMultipartUpload do not return Last-Modified; the response's Date is the
     * server's clock at the same moment, close enough for the port's "what a listing knows".
     */
    static Instant responseDate(AwsResponse r) {
        Optional<String> date = r.sdkHttpResponse().firstMatchingHeader("Date");
        if (date.isPresent()) {
            try {
                return ZonedDateTime.parse(date.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            } catch (DateTimeParseException ignored) {
                // Fall through to the local clock.
            }
        }
        return Instant.now();
    }
}
