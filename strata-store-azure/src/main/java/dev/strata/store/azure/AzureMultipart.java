package dev.strata.store.azure;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.models.Block;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.models.BlockList;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import dev.strata.core.store.ObjectKeys;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStore.Part;
import dev.strata.core.store.ObjectStore.Upload;
import dev.strata.core.store.ObjectStoreException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Multipart uploads as Azure block blobs: start makes an {@link UploadId} (no request), a part is
 * Stage Block under a block id naming the upload and part, complete is Put Block List with the
 * metadata carried in the id.
 *
 * <p>Complete first reads the blob's block lists (one Get Block List), which makes it idempotent and
 * precise about failures: if the committed list is exactly this upload's blocks, the upload was
 * completed before (a success lost in transit) and the object is returned; if the abort tombstone
 * is staged, or none of this upload's blocks are, the upload is unknown (NotFound); if only some
 * parts are missing or differ in size from what the caller says, Permanent.
 *
 * <p>Caveat (Azure's, documented in the README): Put Block List and Put Blob discard every
 * uncommitted block of the blob, so two uploads to one key at once do not both succeed. Strata
 * writes a key from one mover at a time.
 */
final class AzureMultipart {
    private final AzureLocation where;
    private final RandomGenerator random;

    AzureMultipart(AzureLocation where, RandomGenerator random) {
        this.where = where;
        this.random = random;
    }

    /** Heads the completed object. */
    @FunctionalInterface
    interface Header {
        Optional<ObjectInfo> head() throws ObjectStoreException;
    }

    Upload start(String key, Map<String, String> metadata) throws ObjectStoreException {
        if (ObjectKeys.isMarker(key)) {
            throw new ObjectStoreException.Permanent(where.describe() + ": start upload \"" + key
                    + "\": a directory marker holds no bytes", null);
        }
        byte[] nonce = new byte[UploadId.NONCE_BYTES];
        random.nextBytes(nonce);
        return new Upload(key, new UploadId(nonce, metadata).encode());
    }

    Part uploadPart(BlobClient blob, Upload upload, int partNumber, ByteBuffer content, int crc32c)
            throws ObjectStoreException {
        UploadId id = known(upload, "upload part of");
        if (partNumber < 1 || partNumber > AzureBlobObjectStore.LIMITS.maxParts()) {
            throw new IllegalArgumentException("part number " + partNumber + " outside 1.."
                    + AzureBlobObjectStore.LIMITS.maxParts());
        }
        long size = content.remaining();
        if (size > AzureBlobObjectStore.LIMITS.maxPartBytes()) {
            throw new IllegalArgumentException("part of " + size + " bytes exceeds maxPartBytes");
        }
        ByteBuffer body = content.slice();
        byte[] md5 = Checksums.verifiedMd5(where.describe(), "upload part " + partNumber + " of", upload.key(), body, crc32c);
        String blockId = id.blockId(partNumber);
        try {
            blob.getBlockBlobClient().stageBlockWithResponse(
                    new BlockBlobStageBlockOptions(blockId, BinaryData.fromByteBuffer(body)).setContentMd5(md5), null, null);
        } catch (RuntimeException e) {
            throw AzureErrors.map(where.describe(), "upload part " + partNumber + " of", upload.key(), e);
        }
        content.position(content.limit());
        return new Part(partNumber, size, blockId);
    }

    ObjectInfo complete(BlobClient blob, Upload upload, List<Part> parts, Header header) throws ObjectStoreException {
        UploadId id = known(upload, "complete upload of");
        String what = where.describe() + ": complete upload of \"" + upload.key() + "\"";
        List<String> blockIds = new ArrayList<>();
        long total = 0;
        int previous = 0;
        for (Part part : parts) {
            if (part.number() <= previous) {
                throw new IllegalArgumentException("parts must be in increasing part number: " + parts);
            }
            previous = part.number();
            String expected = id.blockId(part.number());
            if (!expected.equals(part.tag())) {
                throw new ObjectStoreException.Permanent(what + ": part " + part.number() + " has tag " + part.tag()
                        + ", not the one uploadPart returned", null);
            }
            if (part != parts.getLast() && part.sizeBytes() < AzureBlobObjectStore.LIMITS.minPartBytes()) {
                throw new ObjectStoreException.Permanent(what + ": part " + part.number() + " holds " + part.sizeBytes()
                        + " bytes, fewer than the " + AzureBlobObjectStore.LIMITS.minPartBytes()
                        + " every part but the last must hold", null);
            }
            blockIds.add(expected);
            total += part.sizeBytes();
        }
        BlockList lists = blockLists(blob, upload);
        if (matches(lists.getCommittedBlocks(), blockIds, parts)) {
            return header.head().orElseThrow(() -> new ObjectStoreException.NotFound(what + ": committed but gone"));
        }
        Map<String, Long> staged = new HashMap<>();
        for (Block b : lists.getUncommittedBlocks() == null ? List.<Block>of() : lists.getUncommittedBlocks()) {
            if (id.owns(b.getName())) {
                staged.put(b.getName(), b.getSizeLong());
            }
        }
        if (staged.containsKey(id.abortBlockId())) {
            throw new ObjectStoreException.NotFound(what + ": the upload was aborted");
        }
        if (staged.isEmpty()) {
            throw new ObjectStoreException.NotFound(what + ": no staged block of upload " + upload.id() + " (unknown,"
                    + " aborted, collected after 7 days, or discarded by another write to the blob)");
        }
        for (Part part : parts) {
            Long size = staged.get(id.blockId(part.number()));
            if (size == null || size != part.sizeBytes()) {
                throw new ObjectStoreException.Permanent(what + ": part " + part.number() + " of " + part.sizeBytes()
                        + " bytes is not staged" + (size == null ? "" : " (a block of " + size + " bytes is)"), null);
            }
        }
        try {
            BlockBlobItem item = blob.getBlockBlobClient().commitBlockListWithResponse(
                    new BlockBlobCommitBlockListOptions(blockIds)
                            .setMetadata(AzureNames.toAzure(id.metadata(), false)), null, null).getValue();
            return new ObjectInfo(upload.key(), total, item.getETag(), AzureBlobObjectStore.instant(item.getLastModified()),
                    id.metadata(), true);
        } catch (RuntimeException e) {
            throw AzureErrors.map(where.describe(), "complete upload of", upload.key(), e);
        }
    }

    /**
     * Azure cannot drop staged blocks on request (they go when a commit on the blob discards them,
     * or after 7 days), so abort stages a one-byte tombstone block that makes a later complete
     * answer NotFound; see {@link UploadId#abortBlockId}. An id this store did not make is fine.
     */
    void abort(BlobClient blob, Upload upload) throws ObjectStoreException {
        Optional<UploadId> id = UploadId.decode(upload.id());
        if (id.isEmpty()) {
            return;
        }
        try {
            blob.getBlockBlobClient().stageBlockWithResponse(
                    new BlockBlobStageBlockOptions(id.get().abortBlockId(), BinaryData.fromBytes(new byte[] {0})), null, null);
        } catch (RuntimeException e) {
            throw AzureErrors.map(where.describe(), "abort upload of", upload.key(), e);
        }
    }

    private UploadId known(Upload upload, String operation) throws ObjectStoreException.NotFound {
        return UploadId.decode(upload.id()).orElseThrow(() -> new ObjectStoreException.NotFound(where.describe() + ": "
                + operation + " \"" + upload.key() + "\": \"" + upload.id() + "\" is not an upload id of this store"));
    }

    private BlockList blockLists(BlobClient blob, Upload upload) throws ObjectStoreException {
        try {
            return blob.getBlockBlobClient().listBlocks(BlockListType.ALL);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404 && !BlobErrorCode.CONTAINER_NOT_FOUND.equals(e.getErrorCode())) {
                return new BlockList(); // neither committed nor staged blocks
            }
            throw AzureErrors.map(where.describe(), "complete upload of", upload.key(), e);
        } catch (RuntimeException e) {
            throw AzureErrors.map(where.describe(), "complete upload of", upload.key(), e);
        }
    }

    private static boolean matches(List<Block> committed, List<String> blockIds, List<Part> parts) {
        if (committed == null || committed.size() != blockIds.size()) {
            return false;
        }
        for (int i = 0; i < committed.size(); i++) {
            if (!committed.get(i).getName().equals(blockIds.get(i))
                    || committed.get(i).getSizeLong() != parts.get(i).sizeBytes()) {
                return false;
            }
        }
        return true;
    }
}
