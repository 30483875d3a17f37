package dev.strata.store.s3;

import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectResult;
import software.amazon.awssdk.services.s3.model.MetadataDirective;

/**
 * Server-side copies: one CopyObject up to {@link S3Config.Settings#maxCopyBytes} (S3: 5 GiB), else
 * a multipart upload of UploadPartCopy ranges. No bytes pass through this process. Every range is
 * copied from the version the caller headed ({@code x-amz-copy-source-if-match}), so an object
 * replaced mid-copy fails the copy with {@code PreconditionFailed} instead of stitching two
 * versions together; a failed multipart copy is aborted.
 *
 * <p>The parts are copied one after the other: a 50 GiB copy is 100 sequential requests. That is
 * slow but bounded; a pool of copy threads is left for when the mover needs it.
 */
final class S3Copier {
    private final S3Client s3;
    private final String bucket;
    private final String describe;
    private final S3Config.Settings settings;

    S3Copier(S3Client s3, String bucket, String describe, S3Config.Settings settings) {
        this.s3 = s3;
        this.bucket = bucket;
        this.describe = describe;
        this.settings = settings;
    }

    /**
     * @param source the bucket key of {@code from}; {@code src} what a head of it said
     * @param target the bucket key of {@code to}
     */
    ObjectInfo copy(String from, String source, ObjectInfo src, String to, String target, Map<String, String> metadata)
            throws ObjectStoreException {
        String op = "CopyObject \"" + from + "\" to";
        if (src.sizeBytes() <= settings.maxCopyBytes()) {
            try {
                CopyObjectResult r = s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(source)
                        .destinationBucket(bucket).destinationKey(target).copySourceIfMatch(src.etag())
                        .metadataDirective(MetadataDirective.REPLACE).metadata(metadata)).copyObjectResult();
                return new ObjectInfo(to, src.sizeBytes(), r.eTag(), r.lastModified(), metadata, true);
            } catch (SdkException e) {
                throw S3Errors.map(describe, op, to, e);
            }
        }
        return copyInParts(op, source, src, to, target, metadata);
    }

    private ObjectInfo copyInParts(String op, String source, ObjectInfo src, String to, String target,
            Map<String, String> metadata) throws ObjectStoreException {
        long size = src.sizeBytes();
        long partBytes = Math.max(settings.copyPartBytes(), (size + S3ObjectStore.S3_LIMITS.maxParts() - 1)
                / S3ObjectStore.S3_LIMITS.maxParts());
        String uploadId;
        try {
            uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(target).metadata(metadata)).uploadId();
        } catch (SdkException e) {
            throw S3Errors.map(describe, op + " (CreateMultipartUpload)", to, e);
        }
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long offset = 0; offset < size; offset += partBytes, number++) {
                String range = "bytes=" + offset + "-" + (Math.min(size, offset + partBytes) - 1);
                int partNumber = number;
                String etag = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(source)
                        .destinationBucket(bucket).destinationKey(target).uploadId(uploadId).partNumber(partNumber)
                        .copySourceRange(range).copySourceIfMatch(src.etag())).copyPartResult().eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
            }
            CompleteMultipartUploadResponse r = s3.completeMultipartUpload(b -> b.bucket(bucket).key(target)
                    .uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
            return new ObjectInfo(to, size, r.eTag(), S3ObjectStore.responseDate(r), metadata, true);
        } catch (SdkException e) {
            abortQuietly(target, uploadId);
            throw S3Errors.map(describe, op + " (UploadPartCopy)", to, e);
        } catch (RuntimeException e) {
            abortQuietly(target, uploadId);
            throw e;
        }
    }

    private void abortQuietly(String target, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(target).uploadId(uploadId));
        } catch (SdkException ignored) {
            // The copy already failed; an orphaned upload is reclaimed by the bucket's lifecycle rule.
        }
    }
}
