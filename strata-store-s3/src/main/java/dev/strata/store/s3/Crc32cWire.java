package dev.strata.store.s3;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * CRC32C values as S3 carries them, and the part tags that remember a part's CRC32C until
 * {@code completeUpload} needs it.
 *
 * <p>S3 wants every part's checksum again in CompleteMultipartUpload when the upload was started
 * with ChecksumAlgorithm CRC32C, but the port's {@code Part} holds only a number, a size and a tag.
 * So the tag is {@code <ETag> crc32c:<base64>}: opaque to callers, as the port says, and decoded
 * here. (A {@code crc32c} field in {@code Part} would be cleaner: proposed as a port change.)
 */
final class Crc32cWire {
    private static final String TAG_SEPARATOR = " crc32c:";

    private Crc32cWire() {}

    /** The {@code x-amz-checksum-crc32c} value: base64 of the four big-endian bytes. */
    static String base64(int crc32c) {
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt(crc32c).array());
    }

    /**
     * S3's checksum of a multipart object uploaded with CRC32C parts ("composite"): the CRC32C of the
     * parts' CRC32C values, each as four big-endian bytes, in part order. S3 reports it with a
     * {@code -N} suffix, N the number of parts; this returns it without.
     */
    static String composite(List<String> partChecksumsBase64) {
        CRC32C crc = new CRC32C();
        for (String part : partChecksumsBase64) {
            crc.update(Base64.getDecoder().decode(part));
        }
        return base64((int) crc.getValue());
    }

    static String partTag(String etag, int crc32c) {
        return etag + TAG_SEPARATOR + base64(crc32c);
    }

    /** The ETag inside a part tag (the whole tag if it carries no checksum). */
    static String etagOf(String partTag) {
        int at = partTag.lastIndexOf(TAG_SEPARATOR);
        return at < 0 ? partTag : partTag.substring(0, at);
    }

    /** The base64 CRC32C inside a part tag, or null if it carries none. */
    static String checksumOf(String partTag) {
        int at = partTag.lastIndexOf(TAG_SEPARATOR);
        return at < 0 ? null : partTag.substring(at + TAG_SEPARATOR.length());
    }
}
