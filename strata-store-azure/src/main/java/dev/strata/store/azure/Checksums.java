package dev.strata.store.azure;

import dev.strata.core.store.ObjectStoreException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32C;

/**
 * The port hands over a CRC32C of every request body; Azure verifies only MD5 (or CRC64, which
 * Azurite does not check). So the CRC32C is checked here against the bytes about to be sent, and an
 * MD5 of the same bytes goes with the request for Azure to check.
 */
final class Checksums {
    private Checksums() {}

    /** The MD5 of {@code body}'s remaining bytes, after checking them against {@code crc32c}. */
    static byte[] verifiedMd5(String where, String operation, String key, ByteBuffer body, int crc32c)
            throws ObjectStoreException.Permanent {
        CRC32C crc = new CRC32C();
        crc.update(body.duplicate());
        if ((int) crc.getValue() != crc32c) {
            throw new ObjectStoreException.Permanent(where + ": " + operation + " \"" + key + "\": the bytes' CRC32C is "
                    + Integer.toHexString((int) crc.getValue()) + ", not " + Integer.toHexString(crc32c)
                    + " as the caller computed; refusing to store damaged bytes", null);
        }
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
        md5.update(body.duplicate());
        return md5.digest();
    }
}
