package dev.strata.meta.rocksdb;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The envelope around every stored value: {@code version:u8 | payload | crc32c:u32}. The checksum
 * covers the key as well as the version and payload, so a value that ends up under the wrong key
 * (a bug, a bit flip in a key) fails verification just like a damaged value.
 */
final class Frame {
    /** The only value format so far; readers reject versions they do not know. */
    static final byte VERSION_1 = 1;
    static final int HEADER_BYTES = 1;
    static final int TRAILER_BYTES = Integer.BYTES;
    static final int OVERHEAD_BYTES = HEADER_BYTES + TRAILER_BYTES;

    private Frame() {}

    static byte[] seal(byte[] key, byte[] payload) {
        byte[] value = new byte[OVERHEAD_BYTES + payload.length];
        value[0] = VERSION_1;
        System.arraycopy(payload, 0, value, HEADER_BYTES, payload.length);
        int crc = checksum(key, value, value.length - TRAILER_BYTES);
        ByteBuffer.wrap(value).putInt(value.length - TRAILER_BYTES, crc);
        return value;
    }

    /**
     * The payload of {@code value} after checking length, checksum and version.
     *
     * @throws CorruptValue naming what is wrong (the caller adds which key and which store)
     */
    static ByteBuffer open(byte[] key, byte[] value) {
        if (value.length < OVERHEAD_BYTES) {
            throw new CorruptValue("value of " + value.length + " bytes is shorter than its " + OVERHEAD_BYTES + "-byte envelope");
        }
        int stored = ByteBuffer.wrap(value).getInt(value.length - TRAILER_BYTES);
        int computed = checksum(key, value, value.length - TRAILER_BYTES);
        if (stored != computed) {
            throw new CorruptValue(String.format("checksum mismatch (stored crc32c %08x, computed %08x)", stored, computed));
        }
        // The version is checked after the checksum: a damaged version byte is corruption, an
        // intact unknown one means a newer Strata wrote it.
        if (value[0] != VERSION_1) {
            throw new CorruptValue("format version " + (value[0] & 0xFF) + " is newer than this Strata understands ("
                    + VERSION_1 + "); upgrade Strata");
        }
        return ByteBuffer.wrap(value, HEADER_BYTES, value.length - OVERHEAD_BYTES).slice();
    }

    private static int checksum(byte[] key, byte[] value, int valueBytes) {
        CRC32C crc = new CRC32C();
        crc.update(key);
        crc.update(value, 0, valueBytes);
        return (int) crc.getValue();
    }

    /** A stored value failed verification; {@link RecordCodec} turns it into an {@code IoFailure} naming the key. */
    static final class CorruptValue extends RuntimeException {
        CorruptValue(String reason) {
            super(reason, null, false, false);
        }
    }
}
