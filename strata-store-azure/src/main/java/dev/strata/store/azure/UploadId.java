package dev.strata.store.azure;

import dev.strata.core.store.ObjectKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A multipart upload on Azure, which has no upload object: blocks are staged against the blob
 * and stay invisible until Put Block List commits them. So the upload id is made here and
 * carries everything {@code completeUpload} needs: a random nonce that names this upload's blocks,
 * and the object's metadata (which Put Block List must be given, and which a new process
 * completing the upload after a crash could not know otherwise).
 *
 * <p>Id form: {@code az1.<32 hex nonce>.<base64url of "name=value" lines>}, at most ~3 KiB
 * (metadata is bounded by the port's 2 KiB).
 *
 * <p>Block ids: base64 of 20 bytes, the 16-byte nonce then the part number (big-endian int), so
 * every block id of every Strata upload has the same length (Azure requires that per blob) and a
 * block names its upload. Part number 0 is the abort tombstone (see {@link #abortBlockId}).
 */
record UploadId(byte[] nonce, Map<String, String> metadata) {
    static final int NONCE_BYTES = 16;
    private static final String VERSION = "az1";

    UploadId {
        if (nonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException("nonce must have " + NONCE_BYTES + " bytes, not " + nonce.length);
        }
        metadata = Map.copyOf(metadata);
    }

    String encode() {
        StringBuilder lines = new StringBuilder();
        new TreeMap<>(metadata).forEach((name, value) -> lines.append(name).append('=').append(value).append('\n'));
        return VERSION + "." + HexFormat.of().formatHex(nonce) + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(lines.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** The upload an id names, or empty if this store did not make it. */
    static Optional<UploadId> decode(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String[] fields = id.split("\\.", -1);
        if (fields.length != 3 || !fields[0].equals(VERSION) || fields[1].length() != 2 * NONCE_BYTES) {
            return Optional.empty();
        }
        try {
            byte[] nonce = HexFormat.of().parseHex(fields[1]);
            String lines = new String(Base64.getUrlDecoder().decode(fields[2]), StandardCharsets.US_ASCII);
            Map<String, String> metadata = new LinkedHashMap<>();
            for (String line : lines.split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    return Optional.empty();
                }
                metadata.put(line.substring(0, eq), line.substring(eq + 1));
            }
            if (ObjectKeys.metadataProblem(metadata) != null) {
                return Optional.empty();
            }
            return Optional.of(new UploadId(nonce, metadata));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The block id of part {@code partNumber} (1 and up). */
    String blockId(int partNumber) {
        return Base64.getEncoder().encodeToString(
                ByteBuffer.allocate(NONCE_BYTES + 4).put(nonce).putInt(partNumber).array());
    }

    /**
     * The block {@code abortUpload} stages: Azure cannot drop uncommitted blocks on request, so
     * abort leaves this one-byte tombstone, and a later complete that finds it answers NotFound,
     * in this process or any other, until Azure collects uncommitted blocks (7 days) or another
     * commit on the blob discards them (after which the upload's parts are gone anyway).
     */
    String abortBlockId() {
        return blockId(0);
    }

    /** Whether {@code blockId} belongs to this upload (any part, or the tombstone). */
    boolean owns(String blockId) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(blockId);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (raw.length != NONCE_BYTES + 4) {
            return false;
        }
        for (int i = 0; i < NONCE_BYTES; i++) {
            if (raw[i] != nonce[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UploadId u && java.util.Arrays.equals(nonce, u.nonce) && metadata.equals(u.metadata);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(nonce) * 31 + metadata.hashCode();
    }

    @Override
    public String toString() {
        return encode();
    }
}
