package dev.strata.fuse;

import dev.strata.core.FileType;
import dev.strata.core.fs.DirPlusSink;
import dev.strata.core.fs.DirSink;
import dev.strata.core.fs.Entry;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Packs readdir answers into the reply payload: struct fuse_dirent (24 bytes + name) or struct
 * fuse_direntplus (128-byte fuse_entry_out + dirent), each padded with zeros to 8 bytes, until the
 * size the kernel asked for is reached. An entry that does not fit is refused, which tells the
 * engine to stop (and, for readdirplus, not to count a lookup for it).
 *
 * <p>One packer per worker, reset per request; not thread-safe.
 */
final class DirPacker implements DirSink, DirPlusSink {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    /** The kernel rejects a dirent whose name is longer than FUSE_NAME_MAX. */
    static final int NAME_MAX_BYTES = 1024;
    static final int DT_UNKNOWN = 0;

    private MemorySegment out = MemorySegment.NULL;
    private long limit;
    private long position;
    private int count;
    private Timeout entryTtl = Timeout.ZERO;
    private Timeout attrTtl = Timeout.ZERO;

    /** Starts packing into {@code out} (at offset 0) up to {@code limit} bytes. */
    void reset(MemorySegment out, long limit, Timeout entryTtl, Timeout attrTtl) {
        if (limit > out.byteSize()) {
            throw new IllegalArgumentException("limit " + limit + " beyond buffer of " + out.byteSize());
        }
        this.out = out;
        this.limit = limit;
        this.position = 0;
        this.count = 0;
        this.entryTtl = entryTtl;
        this.attrTtl = attrTtl;
    }

    /** Bytes packed so far. */
    long size() {
        return position;
    }

    int count() {
        return count;
    }

    static int direntSize(int nameLength) {
        return Proto.align8(Proto.DIRENT_HEADER + nameLength);
    }

    static int direntPlusSize(int nameLength) {
        return Proto.align8(Proto.DIRENTPLUS_HEADER + nameLength);
    }

    @Override
    public boolean add(byte[] name, long ino, FileType type, long nextOffset) {
        checkName(name);
        int size = direntSize(name.length);
        if (position + size > limit) {
            return false;
        }
        putDirent(position, name, ino, type == null ? DT_UNKNOWN : type.direntType(), nextOffset, size);
        position += size;
        count++;
        return true;
    }

    @Override
    public boolean add(byte[] name, Entry entry, int direntType, long ino, long nextOffset) {
        checkName(name);
        int size = direntPlusSize(name.length);
        if (position + size > limit) {
            return false;
        }
        if (entry == null) {
            // "." and "..": nodeid 0 tells the kernel to create no dentry and take no lookup.
            Structs.putEmptyEntry(out, position);
        } else {
            Structs.putEntryOut(out, position, entry, entryTtl, attrTtl);
        }
        putDirent(position + Proto.ENTRY_OUT, name, ino, direntType, nextOffset, size - Proto.ENTRY_OUT);
        position += size;
        count++;
        return true;
    }

    private void putDirent(long at, byte[] name, long ino, int type, long nextOffset, int size) {
        out.set(U64, at, ino);
        out.set(U64, at + 8, nextOffset);
        out.set(U32, at + 16, name.length);
        out.set(U32, at + 20, type);
        MemorySegment.copy(name, 0, out, ValueLayout.JAVA_BYTE, at + Proto.DIRENT_HEADER, name.length);
        long end = at + Proto.DIRENT_HEADER + name.length;
        out.asSlice(end, at + size - end).fill((byte) 0);
    }

    private static void checkName(byte[] name) {
        if (name.length == 0 || name.length > NAME_MAX_BYTES) {
            throw new IllegalArgumentException("directory entry name of " + name.length + " bytes");
        }
    }
}
