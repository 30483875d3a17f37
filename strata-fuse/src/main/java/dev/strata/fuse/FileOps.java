package dev.strata.fuse;

import dev.strata.core.FsException;
import dev.strata.core.fs.Created;
import dev.strata.core.fs.Opened;
import dev.strata.core.fs.SetAttr;
import dev.strata.nativeio.Libc;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Requests on open files and directories: open/create/read/write/release, readdir, and friends. */
final class FileOps {
    /** The old COPY_FILE_RANGE reply holds a 32-bit count; the kernel caps requests the same way. */
    static final long COPY_RANGE_32_MAX = 0xFFFF_F000L;

    private final Conn c;

    FileOps(Conn c) {
        this.c = c;
    }

    void open(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.OPEN_IN);
        int flags = openFlags(r.u32(0));
        int openFlags = r.u32(4);
        long ino = r.nodeId();
        Opened o = c.fs.open(r.caller(), ino, flags);
        if ((openFlags & Proto.OPEN_KILL_SUIDGID) != 0) {
            // O_TRUNC by a caller without CAP_FSETID: clear setuid/setgid as the truncate would.
            // The contract's open() has no such parameter, so it travels as a setattr on the new handle.
            try {
                c.fs.setattr(r.caller(), ino, killSuidGid(o.fh()));
            } catch (FsException e) {
                c.fs.release(ino, o.fh());
                throw e;
            }
        }
        BackingFiles.Decision d = decide(ino, o);
        Structs.putOpenOut(out.payload(), 0, o.fh(), d.openFlags(), d.backingId());
        out.ok(Proto.OPEN_OUT);
    }

    void create(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.CREATE_IN);
        int flags = openFlags(r.u32(0));
        int mode = r.u32(4);
        int umask = r.u32(8);
        byte[] raw = r.string(Proto.CREATE_IN);
        // FUSE_OPEN_KILL_SUIDGID (at 12) only matters for O_TRUNC of an existing file; the kernel sends
        // CREATE only for names it believes absent, so a new file has nothing to truncate.
        Created created = c.fs.create(r.caller(), r.nodeId(), NodeOps.name(raw), mode, umask, flags);
        long ino = created.entry().ino();
        BackingFiles.Decision d = decide(ino, created.opened());
        Structs.putEntryOut(out.payload(), 0, created.entry(), c.entryTtl, c.attrTtl);
        Structs.putOpenOut(out.payload(), Proto.ENTRY_OUT, created.opened().fh(), d.openFlags(), d.backingId());
        out.ok(Proto.ENTRY_OUT + Proto.OPEN_OUT);
    }

    /**
     * With the writeback cache the kernel reads pages of files opened write-only (to fill partial
     * pages) and implements O_APPEND itself from its cached size, so the engine sees O_RDWR and no
     * O_APPEND, as libfuse's passthrough examples do. The user's own access mode was already checked
     * by the kernel (default_permissions).
     */
    private int openFlags(int flags) {
        if (!c.writeback()) {
            return flags;
        }
        if ((flags & Libc.O_ACCMODE) == Libc.O_WRONLY) {
            flags = (flags & ~Libc.O_ACCMODE) | Libc.O_RDWR;
        }
        return flags & ~Libc.O_APPEND;
    }

    private BackingFiles.Decision decide(long ino, Opened o) {
        return c.passthrough() ? c.backing.opened(ino, o) : BackingFiles.cached(o);
    }

    private static SetAttr killSuidGid(long fh) {
        return new SetAttr(null, null, null, null, null, false, null, false, null, fh, true);
    }

    void read(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.READ_IN);
        long fh = r.u64(0);
        long offset = r.u64(8);
        long size = Integer.toUnsignedLong(r.u32(16));
        if (size > out.capacity()) {
            throw new MalformedRequest("READ of " + size + " bytes exceeds max_read " + out.capacity());
        }
        int n = c.fs.read(r.nodeId(), fh, offset, out.payload().asSlice(0, size));
        out.ok(n);
    }

    void write(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.WRITE_IN);
        long fh = r.u64(0);
        long offset = r.u64(8);
        long size = Integer.toUnsignedLong(r.u32(16));
        boolean kill = (r.u32(20) & Proto.WRITE_KILL_SUIDGID) != 0;
        // The data stays in the request buffer: the engine gets a slice, no copy.
        MemorySegment data = r.slice(Proto.WRITE_IN, size);
        int n = c.fs.write(r.nodeId(), fh, offset, data, kill);
        Structs.putWriteOut(out.payload(), 0, n);
        out.ok(Proto.WRITE_OUT);
    }

    void flush(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.FLUSH_IN);
        c.fs.flush(r.nodeId(), r.u64(0), r.u64(16));
        out.ok(0);
    }

    void release(Request r, Reply out) throws MalformedRequest {
        r.require(Proto.RELEASE_IN);
        long fh = r.u64(0);
        try {
            c.fs.release(r.nodeId(), fh);
        } finally {
            c.backing.released(r.nodeId(), fh);
        }
        out.ok(0);
    }

    void fsync(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.FSYNC_IN);
        c.fs.fsync(r.nodeId(), r.u64(0), (r.u32(8) & Proto.FSYNC_FDATASYNC) != 0);
        out.ok(0);
    }

    void opendir(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.OPEN_IN);
        Opened o = c.fs.opendir(r.caller(), r.nodeId(), r.u32(0));
        // FOPEN_KEEP_CACHE on a directory only matters with FOPEN_CACHE_DIR, which we do not use:
        // readdir results are not cached in the kernel, so they are never stale.
        Structs.putOpenOut(out.payload(), 0, o.fh(), 0, 0);
        out.ok(Proto.OPEN_OUT);
    }

    void readdir(Request r, Reply out, boolean plus) throws FsException, MalformedRequest {
        r.require(Proto.READ_IN);
        long fh = r.u64(0);
        long offset = r.u64(8);
        long size = Math.min(Integer.toUnsignedLong(r.u32(16)), out.capacity());
        DirPacker packer = new DirPacker();
        packer.reset(out.payload(), size, c.entryTtl, c.attrTtl);
        if (plus) {
            c.fs.readdirplus(r.nodeId(), fh, offset, packer);
        } else {
            c.fs.readdir(r.nodeId(), fh, offset, packer);
        }
        out.ok(packer.size());
    }

    void releasedir(Request r, Reply out) throws MalformedRequest {
        r.require(Proto.RELEASE_IN);
        c.fs.releasedir(r.nodeId(), r.u64(0));
        out.ok(0);
    }

    void fsyncdir(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.FSYNC_IN);
        c.fs.fsyncdir(r.nodeId(), r.u64(0), (r.u32(8) & Proto.FSYNC_FDATASYNC) != 0);
        out.ok(0);
    }

    void fallocate(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.FALLOCATE_IN);
        c.fs.fallocate(r.nodeId(), r.u64(0), r.u32(24), r.u64(8), r.u64(16));
        out.ok(0);
    }

    /**
     * SEEK_DATA and SEEK_HOLE. With the writeback cache the kernel sends LSEEK without writing back
     * its dirty pages first (fuse_lseek in fs/fuse/file.c), so bytes written but not yet flushed
     * would be reported as a hole, and a sparse-aware copy (cp, tar) would copy zeros instead of
     * them. There we answer ENOSYS once: the kernel then stops asking and uses its generic rule (all
     * of the file is data, the only hole is at its end), which POSIX allows and is never wrong.
     */
    void lseek(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.LSEEK_IN);
        if (c.writeback()) {
            out.error(Dispatcher.ENOSYS);
            return;
        }
        long at = c.fs.lseek(r.nodeId(), r.u64(0), r.u64(8), r.u32(16));
        out.payload().set(ValueLayout.JAVA_LONG_UNALIGNED, 0, at);
        out.ok(Proto.LSEEK_OUT);
    }

    /** COPY_FILE_RANGE (32-bit count in fuse_write_out) and COPY_FILE_RANGE_64 (fuse_copy_file_range_out). */
    void copyFileRange(Request r, Reply out, boolean wide) throws FsException, MalformedRequest {
        r.require(Proto.COPY_FILE_RANGE_IN);
        long fhIn = r.u64(0);
        long offIn = r.u64(8);
        long inoOut = r.u64(16);
        long fhOut = r.u64(24);
        long offOut = r.u64(32);
        long len = r.u64(40);
        if (!wide && Long.compareUnsigned(len, COPY_RANGE_32_MAX) > 0) {
            len = COPY_RANGE_32_MAX;
        }
        long copied = c.fs.copyFileRange(r.nodeId(), fhIn, offIn, inoOut, fhOut, offOut, len);
        if (wide) {
            out.payload().set(ValueLayout.JAVA_LONG_UNALIGNED, 0, copied);
            out.ok(Proto.COPY_FILE_RANGE_OUT);
        } else {
            Structs.putWriteOut(out.payload(), 0, (int) copied);
            out.ok(Proto.WRITE_OUT);
        }
    }
}
