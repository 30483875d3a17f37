package dev.strata.fuse;

import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.fs.Attr;
import dev.strata.core.fs.Entry;
import dev.strata.core.fs.StatFs;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Requests about names and inodes: lookup, forget, attributes, links, directories, statfs. */
final class NodeOps {
    private final Conn c;

    NodeOps(Conn c) {
        this.c = c;
    }

    static Name name(byte[] raw) throws FsException {
        return Name.of(raw);
    }

    void lookup(Request r, Reply out) throws FsException, MalformedRequest {
        Name name = name(r.string(0));
        Entry e;
        try {
            e = c.fs.lookup(r.caller(), r.nodeId(), name);
        } catch (FsException.NoSuchEntry miss) {
            if (c.entryTtl.equals(Timeout.ZERO)) {
                throw miss;
            }
            Structs.putNegativeEntry(out.payload(), 0, c.entryTtl);
            out.ok(Proto.ENTRY_OUT);
            return;
        }
        entry(out, e);
    }

    void forget(Request r, Reply out) throws MalformedRequest {
        out.none();
        r.require(Proto.FORGET_IN);
        c.fs.forget(r.nodeId(), r.u64(0));
    }

    void batchForget(Request r, Reply out) throws MalformedRequest {
        out.none();
        r.require(Proto.BATCH_FORGET_IN);
        long count = Integer.toUnsignedLong(r.u32(0));
        long available = (r.argsLength() - Proto.BATCH_FORGET_IN) / Proto.FORGET_ONE;
        // Forget what is there even if the count overstates it: a lost forget only leaks an inode.
        long n = Math.min(count, available);
        for (int i = 0; i < n; i++) {
            int at = Proto.BATCH_FORGET_IN + i * Proto.FORGET_ONE;
            c.fs.forget(r.u64(at), r.u64(at + 8));
        }
        if (n < count) {
            throw new MalformedRequest("BATCH_FORGET announces " + count + " entries, carries " + available);
        }
    }

    void getattr(Request r, Reply out) throws FsException, MalformedRequest {
        long fh = -1;
        if (r.argsLength() >= Proto.GETATTR_IN && (r.u32(0) & Proto.GETATTR_FH) != 0) {
            fh = r.u64(8);
        }
        attr(out, c.fs.getattr(r.nodeId(), fh));
    }

    void setattr(Request r, Reply out) throws FsException, MalformedRequest {
        attr(out, c.fs.setattr(r.caller(), r.nodeId(), Structs.setAttr(r)));
    }

    void readlink(Request r, Reply out) throws FsException {
        byte[] target = c.fs.readlink(r.nodeId());
        if (target.length > out.capacity()) {
            throw new FsException.NameTooLong("symlink target of " + target.length + " bytes");
        }
        MemorySegment.copy(target, 0, out.payload(), ValueLayout.JAVA_BYTE, 0, target.length);
        out.ok(target.length);
    }

    void symlink(Request r, Reply out) throws FsException, MalformedRequest {
        byte[] raw = r.string(0);
        byte[] target = r.string(Request.afterString(0, raw));
        entry(out, c.fs.symlink(r.caller(), r.nodeId(), name(raw), target));
    }

    void mknod(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.MKNOD_IN);
        int mode = r.u32(0);
        long rdev = Integer.toUnsignedLong(r.u32(4));
        int umask = r.u32(8);
        entry(out, c.fs.mknod(r.caller(), r.nodeId(), name(r.string(Proto.MKNOD_IN)), mode, rdev, umask));
    }

    void mkdir(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.MKDIR_IN);
        int mode = r.u32(0) & Structs.PERMISSION_BITS;
        int umask = r.u32(4);
        entry(out, c.fs.mkdir(r.caller(), r.nodeId(), name(r.string(Proto.MKDIR_IN)), mode, umask));
    }

    void unlink(Request r, Reply out) throws FsException, MalformedRequest {
        c.fs.unlink(r.caller(), r.nodeId(), name(r.string(0)));
        out.ok(0);
    }

    void rmdir(Request r, Reply out) throws FsException, MalformedRequest {
        c.fs.rmdir(r.caller(), r.nodeId(), name(r.string(0)));
        out.ok(0);
    }

    void rename(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.RENAME_IN);
        rename(r, out, r.u64(0), 0, Proto.RENAME_IN);
    }

    void rename2(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.RENAME2_IN);
        rename(r, out, r.u64(0), r.u32(8), Proto.RENAME2_IN);
    }

    private void rename(Request r, Reply out, long newParent, int flags, int namesAt)
            throws FsException, MalformedRequest {
        byte[] from = r.string(namesAt);
        byte[] to = r.string(Request.afterString(namesAt, from));
        c.fs.rename(r.caller(), r.nodeId(), name(from), newParent, name(to), flags);
        out.ok(0);
    }

    void link(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.LINK_IN);
        long target = r.u64(0);
        entry(out, c.fs.link(r.caller(), target, r.nodeId(), name(r.string(Proto.LINK_IN))));
    }

    void statfs(Request r, Reply out) throws FsException {
        StatFs s = c.fs.statfs(r.nodeId());
        Structs.putStatfs(out.payload(), 0, s);
        out.ok(Proto.STATFS_OUT);
    }

    private void entry(Reply out, Entry e) {
        Structs.putEntryOut(out.payload(), 0, e, c.entryTtl, c.attrTtl);
        out.ok(Proto.ENTRY_OUT);
    }

    private void attr(Reply out, Attr a) {
        Structs.putAttrOut(out.payload(), 0, a, c.attrTtl);
        out.ok(Proto.ATTR_OUT);
    }
}
