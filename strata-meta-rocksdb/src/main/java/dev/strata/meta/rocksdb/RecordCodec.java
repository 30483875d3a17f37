package dev.strata.meta.rocksdb;

import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.Timespec;
import dev.strata.core.meta.DirEntry;
import dev.strata.core.meta.InodeRecord;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.function.Function;

/**
 * Encodes and decodes the payloads inside a {@link Frame}. Decoding failures of any kind become an
 * {@link FsException.IoFailure} that names the store and the key, never a wrong value.
 *
 * <p><b>Inode payload</b> (version 1): {@code fixedLen:u16 | fixed[fixedLen] | targetLen:i32 |
 * target[targetLen]}, where fixed is {@code mode:i32 uid:i32 gid:i32 nlink:i32 size:i64 rdev:i64
 * atime mtime ctime btime (each sec:i64 nsec:i32) parent:i64 nextCookie:i64 flags:i32} (100 bytes)
 * and targetLen is -1 for "no target". New fixed-size fields are appended to the fixed section and
 * {@code fixedLen} grows: a reader skips fixed bytes it does not know, and a newer reader gives a
 * field its default when {@code fixedLen} says the record predates it. New variable-size fields go
 * after the target, where older readers ignore them. Only an incompatible change needs a new
 * {@link Frame} version.
 */
final class RecordCodec {
    static final int INODE_FIXED_V1_BYTES = 4 * Integer.BYTES + 2 * Long.BYTES + 4 * (Long.BYTES + Integer.BYTES)
            + 2 * Long.BYTES + Integer.BYTES;
    private static final int NO_TARGET = -1;
    private static final byte[] FORMAT_MAGIC = "strata-meta".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** The layout of keys and records as a whole; bumped only if keys change incompatibly. */
    static final short STORE_LAYOUT_VERSION = 2;

    private final String location;

    /** @param location the store's name in messages, e.g. "metadata at /var/lib/strata/meta" */
    RecordCodec(String location) {
        this.location = location;
    }

    // ---- inodes

    byte[] inodeValue(byte[] key, InodeRecord r) {
        byte[] target = r.target();
        int targetBytes = target == null ? 0 : target.length;
        ByteBuffer b = ByteBuffer.allocate(Short.BYTES + INODE_FIXED_V1_BYTES + Integer.BYTES + targetBytes);
        b.putShort((short) INODE_FIXED_V1_BYTES);
        b.putInt(r.mode()).putInt(r.uid()).putInt(r.gid()).putInt(r.nlink());
        b.putLong(r.sizeBytes()).putLong(r.rdev());
        putTime(b, r.atime());
        putTime(b, r.mtime());
        putTime(b, r.ctime());
        putTime(b, r.btime());
        b.putLong(r.parent()).putLong(r.nextCookie()).putInt(r.flags());
        b.putInt(target == null ? NO_TARGET : target.length);
        if (target != null) {
            b.put(target);
        }
        return Frame.seal(key, b.array());
    }

    InodeRecord inode(byte[] key, byte[] value) throws FsException.IoFailure {
        return decode(key, value, p -> {
            int fixedLen = Short.toUnsignedInt(p.getShort());
            if (fixedLen < INODE_FIXED_V1_BYTES) {
                throw new Frame.CorruptValue("fixed section of " + fixedLen + " bytes, expected at least " + INODE_FIXED_V1_BYTES);
            }
            int fixedEnd = p.position() + fixedLen;
            InodeRecord.Builder r = new InodeRecord.Builder().ino(Keys.getLong(key, 1));
            r.mode(p.getInt()).uid(p.getInt()).gid(p.getInt()).nlink(p.getInt());
            r.sizeBytes(p.getLong()).rdev(p.getLong());
            r.atime(getTime(p)).mtime(getTime(p)).ctime(getTime(p)).btime(getTime(p));
            r.parent(p.getLong()).nextCookie(p.getLong()).flags(p.getInt());
            p.position(fixedEnd);
            int targetLen = p.getInt();
            if (targetLen != NO_TARGET) {
                if (targetLen < 0 || targetLen > p.remaining()) {
                    throw new Frame.CorruptValue("symlink target length " + targetLen + " exceeds the record");
                }
                byte[] target = new byte[targetLen];
                p.get(target);
                r.target(target);
            }
            return r.build();
        });
    }

    // ---- directory entries and their readdir index

    /** Entry value: {@code ino:i64 cookie:i64 dtype:u8}. */
    byte[] entryValue(byte[] key, DirEntry e) {
        ByteBuffer b = ByteBuffer.allocate(2 * Long.BYTES + 1);
        b.putLong(e.ino()).putLong(e.cookie()).put((byte) e.type().direntType());
        return Frame.seal(key, b.array());
    }

    DirEntry entry(byte[] key, byte[] value) throws FsException.IoFailure {
        return decode(key, value, p -> {
            long ino = p.getLong();
            long cookie = p.getLong();
            FileType type = fileType(p.get());
            return new DirEntry(Name.trusted(Keys.tail(key)), ino, type, cookie);
        });
    }

    /** Readdir index value: {@code ino:i64 dtype:u8 name[rest]}; the cookie is in the key. */
    byte[] cookieValue(byte[] key, DirEntry e) {
        byte[] name = e.name().unsafeBytes();
        ByteBuffer b = ByteBuffer.allocate(Long.BYTES + 1 + name.length);
        b.putLong(e.ino()).put((byte) e.type().direntType()).put(name);
        return Frame.seal(key, b.array());
    }

    DirEntry cookieEntry(byte[] key, byte[] value) throws FsException.IoFailure {
        return decode(key, value, p -> {
            long ino = p.getLong();
            FileType type = fileType(p.get());
            byte[] name = new byte[p.remaining()];
            p.get(name);
            if (name.length == 0 || name.length > Name.MAX_BYTES) {
                throw new Frame.CorruptValue("name of " + name.length + " bytes");
            }
            return new DirEntry(Name.trusted(name), ino, type, Keys.getLong(key, Keys.TAG_AND_LONG));
        });
    }

    // ---- xattrs, counters, marks, store records

    byte[] bytesValue(byte[] key, byte[] raw) {
        return Frame.seal(key, raw);
    }

    byte[] bytes(byte[] key, byte[] value) throws FsException.IoFailure {
        return decode(key, value, p -> {
            byte[] raw = new byte[p.remaining()];
            p.get(raw);
            return raw;
        });
    }

    byte[] longValue(byte[] key, long v) {
        return Frame.seal(key, ByteBuffer.allocate(Long.BYTES).putLong(v).array());
    }

    long longOf(byte[] key, byte[] value) throws FsException.IoFailure {
        return decode(key, value, ByteBuffer::getLong);
    }

    byte[] emptyValue(byte[] key) {
        return Frame.seal(key, new byte[0]);
    }

    void verify(byte[] key, byte[] value) throws FsException.IoFailure {
        decode(key, value, p -> Boolean.TRUE);
    }

    /** The format record: {@code layoutVersion:u16 magic}. */
    byte[] formatValue(byte[] key) {
        return Frame.seal(key, ByteBuffer.allocate(Short.BYTES + FORMAT_MAGIC.length)
                .putShort(STORE_LAYOUT_VERSION).put(FORMAT_MAGIC).array());
    }

    /** The layout version in a format record, after checking that the record is Strata's. */
    int layoutVersion(byte[] key, byte[] value) throws FsException.IoFailure {
        return decode(key, value, p -> {
            int version = Short.toUnsignedInt(p.getShort());
            byte[] magic = new byte[p.remaining()];
            p.get(magic);
            if (!java.util.Arrays.equals(magic, FORMAT_MAGIC)) {
                throw new Frame.CorruptValue("not a Strata metadata store");
            }
            return version;
        });
    }

    FsException.IoFailure corrupt(byte[] key, String reason) {
        return new FsException.IoFailure(location + ": " + Keys.describe(key) + " is corrupt: " + reason);
    }

    private <T> T decode(byte[] key, byte[] value, Function<ByteBuffer, T> payloadDecoder) throws FsException.IoFailure {
        try {
            return payloadDecoder.apply(Frame.open(key, value));
        } catch (Frame.CorruptValue e) {
            throw corrupt(key, e.getMessage());
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            // The checksum matched, so the bytes are what was written: this is a codec bug or a
            // record from an incompatible build, reported the same way so nothing wrong is returned.
            throw corrupt(key, "undecodable payload (" + e + ")");
        }
    }

    private static void putTime(ByteBuffer b, Timespec t) {
        b.putLong(t.seconds()).putInt(t.nanos());
    }

    private static Timespec getTime(ByteBuffer b) {
        return new Timespec(b.getLong(), b.getInt());
    }

    private static FileType fileType(byte direntType) {
        for (FileType t : FileType.values()) {
            if (t.direntType() == direntType) {
                return t;
            }
        }
        throw new Frame.CorruptValue("unknown file type code " + direntType);
    }
}
