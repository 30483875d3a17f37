package dev.strata.hsm;

import dev.strata.core.FsException;

/**
 * The stored form of an {@link HsmRecord}.
 *
 * <pre>
 * version 1:  u8 version=1 | u8 state code | i64 dataGeneration | i64 archivedGeneration
 *             | i64 archivedSizeBytes | i32 crc32c | i64 dirtySinceMillis | i64 archivedAtMillis
 *             | str objectKey | str etag | str lastError          (str = i32 length + UTF-8)
 * </pre>
 * Fixed fields first so a later version can append fields and still read the old ones by offset.
 * A value of an unknown version, truncated, with trailing bytes, or with fields that break the
 * record's invariants is {@link FsException.IoFailure} naming the inode: the store checksums values,
 * so such a value means a bug or a downgrade, and guessing would be worse than stopping.
 */
public final class HsmRecordCodec {
    static final int VERSION = 1;

    private HsmRecordCodec() {}

    public static byte[] encode(HsmRecord r) {
        return new Wire.Writer()
                .u8(VERSION)
                .u8(r.state().code())
                .i64(r.dataGeneration())
                .i64(r.archivedGeneration())
                .i64(r.archivedSizeBytes())
                .i32(r.crc32c())
                .i64(r.dirtySinceMillis())
                .i64(r.archivedAtMillis())
                .string(r.objectKey())
                .string(r.etag())
                .string(r.lastError())
                .toByteArray();
    }

    public static HsmRecord decode(long ino, byte[] value) throws FsException.IoFailure {
        try {
            Wire.Reader in = new Wire.Reader(value);
            int version = in.u8();
            if (version != VERSION) {
                throw new Wire.Malformed("unknown format version " + version + " (this build reads " + VERSION + ")");
            }
            int code = in.u8();
            HsmState state = HsmState.ofCode(code);
            if (state == null) {
                throw new Wire.Malformed("unknown state code " + code);
            }
            long dataGeneration = in.i64();
            long archivedGeneration = in.i64();
            long archivedSize = in.i64();
            int crc = in.i32();
            long dirtySince = in.i64();
            long archivedAt = in.i64();
            String key = in.string();
            String etag = in.string();
            String lastError = in.string();
            in.end();
            try {
                return new HsmRecord(state, dataGeneration, archivedGeneration, key, etag, archivedSize, crc,
                        dirtySince, archivedAt, lastError);
            } catch (IllegalArgumentException e) {
                throw new Wire.Malformed(e.getMessage());
            }
        } catch (Wire.Malformed e) {
            throw new FsException.IoFailure("HSM record of inode " + ino + ": " + e.getMessage());
        }
    }
}
