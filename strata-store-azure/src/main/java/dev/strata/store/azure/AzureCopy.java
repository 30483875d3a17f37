package dev.strata.store.azure;

import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.models.BlobCopyInfo;
import com.azure.storage.blob.models.CopyStatusType;
import com.azure.storage.blob.options.BlobBeginCopyOptions;
import com.azure.storage.blob.options.BlobCopyFromUrlOptions;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStoreException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;

/**
 * Server-side copies inside the account. Up to {@link #SYNC_COPY_MAX_BYTES} (Azure's limit for
 * it) Copy Blob From URL copies synchronously: the target appears whole when the call returns.
 * Above it, Copy Blob starts an asynchronous copy that this class polls for at most
 * {@link #ASYNC_COPY_DEADLINE}; on timeout it aborts the copy and answers Transient.
 *
 * <p>The source is read through a short-lived read-only SAS signed with the account key (Copy Blob
 * From URL does not take the caller's Shared Key for the source). A connection string without an
 * account key (a SAS one) cannot sign it; then the asynchronous path is used for all sizes.
 */
final class AzureCopy {
    static final long SYNC_COPY_MAX_BYTES = 256L << 20;
    static final Duration ASYNC_COPY_DEADLINE = Duration.ofMinutes(10);
    static final Duration ASYNC_COPY_POLL = Duration.ofSeconds(1);
    static final Duration SOURCE_SAS_LIFETIME = Duration.ofMinutes(30);

    private final AzureLocation where;
    private final long syncCopyMaxBytes;

    AzureCopy(AzureLocation where) {
        this(where, SYNC_COPY_MAX_BYTES);
    }

    /** With another size limit of synchronous copies, so tests can take the asynchronous path. */
    AzureCopy(AzureLocation where, long syncCopyMaxBytes) {
        this.where = where;
        this.syncCopyMaxBytes = syncCopyMaxBytes;
    }

    void copy(BlobClient source, ObjectInfo sourceInfo, BlobClient target, String targetKey, Map<String, String> azureMetadata)
            throws ObjectStoreException {
        String sourceUrl = signedUrl(source);
        try {
            if (sourceUrl != null && sourceInfo.sizeBytes() <= syncCopyMaxBytes) {
                target.copyFromUrlWithResponse(new BlobCopyFromUrlOptions(sourceUrl).setMetadata(azureMetadata), null, null);
                return;
            }
            var poller = target.beginCopy(new BlobBeginCopyOptions(sourceUrl == null ? source.getBlobUrl() : sourceUrl)
                    .setMetadata(azureMetadata).setPollInterval(ASYNC_COPY_POLL));
            var last = poller.waitUntil(ASYNC_COPY_DEADLINE, com.azure.core.util.polling.LongRunningOperationStatus.SUCCESSFULLY_COMPLETED);
            BlobCopyInfo info = last.getValue();
            if (info == null || info.getCopyStatus() != CopyStatusType.SUCCESS) {
                String status = info == null ? "unknown" : info.getCopyStatus() + " " + info.getError();
                if (info != null && info.getCopyStatus() == CopyStatusType.PENDING) {
                    target.abortCopyFromUrl(info.getCopyId());
                    throw new ObjectStoreException.Transient(where.describe() + ": copy to \"" + targetKey
                            + "\" did not finish within " + ASYNC_COPY_DEADLINE + "; aborted", false, null);
                }
                throw new ObjectStoreException.Transient(where.describe() + ": copy to \"" + targetKey + "\" ended "
                        + status, false, null);
            }
        } catch (RuntimeException e) {
            throw AzureErrors.map(where.describe(), "copy to", targetKey, e);
        }
    }

    /** The source's URL with a read SAS, or null if the credential cannot sign one. */
    private static String signedUrl(BlobClient source) {
        try {
            String sas = source.generateSas(new BlobServiceSasSignatureValues(
                    OffsetDateTime.now().plus(SOURCE_SAS_LIFETIME), new BlobSasPermission().setReadPermission(true)));
            return source.getBlobUrl() + "?" + sas;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
