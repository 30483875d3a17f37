package dev.strata.fuse;

import dev.strata.core.Timespec;
import dev.strata.core.fs.Attr;
import dev.strata.core.fs.Entry;
import dev.strata.core.fs.SetAttr;
import dev.strata.core.fs.StatFs;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Encoders for the fixed-size reply structs and the decoder of fuse_setattr_in. Offsets are those
 * of the C structs on every Linux ABI (the protocol pads all structs to 64-bit alignment); each
 * encoder writes every byte of its struct, padding included, so no stale bytes reach the kernel.
 */
final class Structs {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private Structs() {}

    /** struct fuse_attr (88 bytes). */
    static void putAttr(MemorySegment s, long off, Attr a) {
        s.set(U64, off, a.ino());
        s.set(U64, off + 8, a.sizeBytes());
        s.set(U64, off + 16, a.blocks());
        s.set(U64, off + 24, a.atime().seconds());
        s.set(U64, off + 32, a.mtime().seconds());
        s.set(U64, off + 40, a.ctime().seconds());
        s.set(U32, off + 48, a.atime().nanos());
        s.set(U32, off + 52, a.mtime().nanos());
        s.set(U32, off + 56, a.ctime().nanos());
        s.set(U32, off + 60, a.mode());
        s.set(U32, off + 64, a.nlink());
        s.set(U32, off + 68, a.uid());
        s.set(U32, off + 72, a.gid());
        // fuse_attr.rdev is the kernel's 32-bit new_encode_dev(); it equals glibc's makedev() for
        // majors below 4096, which is every device number Linux hands out.
        s.set(U32, off + 76, (int) a.rdev());
        s.set(U32, off + 80, a.blockSize());
        s.set(U32, off + 84, 0);
    }

    /** struct fuse_entry_out (128 bytes). */
    static void putEntryOut(MemorySegment s, long off, Entry e, Timeout entryTtl, Timeout attrTtl) {
        s.set(U64, off, e.ino());
        s.set(U64, off + 8, e.generation());
        s.set(U64, off + 16, entryTtl.seconds());
        s.set(U64, off + 24, attrTtl.seconds());
        s.set(U32, off + 32, entryTtl.nanos());
        s.set(U32, off + 36, attrTtl.nanos());
        putAttr(s, off + 40, e.attr());
    }

    /**
     * A negative entry: nodeid 0 with an entry timeout makes the kernel cache "no such name" for
     * that long. Safe on one node because every create goes through this kernel, which drops the
     * negative dentry itself.
     */
    static void putNegativeEntry(MemorySegment s, long off, Timeout entryTtl) {
        s.asSlice(off, Proto.ENTRY_OUT).fill((byte) 0);
        s.set(U64, off + 16, entryTtl.seconds());
        s.set(U32, off + 32, entryTtl.nanos());
    }

    /** An entry_out with nodeid 0 and no attributes, as readdirplus sends for "." and "..". */
    static void putEmptyEntry(MemorySegment s, long off) {
        s.asSlice(off, Proto.ENTRY_OUT).fill((byte) 0);
    }

    /** struct fuse_attr_out (104 bytes). */
    static void putAttrOut(MemorySegment s, long off, Attr a, Timeout attrTtl) {
        s.set(U64, off, attrTtl.seconds());
        s.set(U32, off + 8, attrTtl.nanos());
        s.set(U32, off + 12, 0);
        putAttr(s, off + 16, a);
    }

    /** struct fuse_open_out (16 bytes). */
    static void putOpenOut(MemorySegment s, long off, long fh, int openFlags, int backingId) {
        s.set(U64, off, fh);
        s.set(U32, off + 8, openFlags);
        s.set(U32, off + 12, backingId);
    }

    /** struct fuse_statfs_out / fuse_kstatfs (80 bytes). */
    static void putStatfs(MemorySegment s, long off, StatFs f) {
        s.asSlice(off, Proto.STATFS_OUT).fill((byte) 0);
        s.set(U64, off, f.blocks());
        s.set(U64, off + 8, f.freeBlocks());
        s.set(U64, off + 16, f.availableBlocks());
        s.set(U64, off + 24, f.files());
        s.set(U64, off + 32, f.freeFiles());
        s.set(U32, off + 40, f.blockSize());
        s.set(U32, off + 44, f.maxNameLength());
        s.set(U32, off + 48, f.fragmentSize());
    }

    /** struct fuse_write_out (8 bytes), also the reply of COPY_FILE_RANGE. */
    static void putWriteOut(MemorySegment s, long off, int size) {
        s.set(U32, off, size);
        s.set(U32, off + 4, 0);
    }

    /** struct fuse_getxattr_out (8 bytes): the size a getxattr/listxattr size probe asked for. */
    static void putGetxattrOut(MemorySegment s, long off, int size) {
        s.set(U32, off, size);
        s.set(U32, off + 4, 0);
    }

    /** Permission and special bits of a mode; the file type is not the caller's to change. */
    static final int PERMISSION_BITS = 07777;

    /** Decodes fuse_setattr_in (88 bytes) into the engine's change record. */
    static SetAttr setAttr(Request r) throws MalformedRequest {
        r.require(Proto.SETATTR_IN);
        int valid = r.u32(0);
        boolean has = (valid & Proto.FATTR_FH) != 0;
        long fh = has ? r.u64(8) : -1;
        Long size = (valid & Proto.FATTR_SIZE) != 0 ? r.u64(16) : null;
        boolean atimeNow = (valid & Proto.FATTR_ATIME_NOW) != 0;
        boolean mtimeNow = (valid & Proto.FATTR_MTIME_NOW) != 0;
        // With UTIME_NOW the kernel sets both FATTR_ATIME and FATTR_ATIME_NOW; the explicit time is then unused.
        Timespec atime = (valid & Proto.FATTR_ATIME) != 0 && !atimeNow ? time(r.u64(32), r.u32(56)) : null;
        Timespec mtime = (valid & Proto.FATTR_MTIME) != 0 && !mtimeNow ? time(r.u64(40), r.u32(60)) : null;
        Timespec ctime = (valid & Proto.FATTR_CTIME) != 0 ? time(r.u64(48), r.u32(64)) : null;
        Integer mode = (valid & Proto.FATTR_MODE) != 0 ? r.u32(68) & PERMISSION_BITS : null;
        Integer uid = (valid & Proto.FATTR_UID) != 0 ? r.u32(76) : null;
        Integer gid = (valid & Proto.FATTR_GID) != 0 ? r.u32(80) : null;
        boolean kill = (valid & Proto.FATTR_KILL_SUIDGID) != 0;
        return new SetAttr(mode, uid, gid, size, atime, atimeNow, mtime, mtimeNow, ctime, fh, kill);
    }

    private static Timespec time(long seconds, int nanos) throws MalformedRequest {
        if (nanos < 0 || nanos >= 1_000_000_000) {
            throw new MalformedRequest("nanoseconds out of range: " + nanos);
        }
        return new Timespec(seconds, nanos);
    }
}
