package dev.strata.fuse;

import dev.strata.core.FsException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Extended attributes. GETXATTR and LISTXATTR follow getxattr(2): a size of 0 asks only for the
 * size needed (answered with fuse_getxattr_out), a buffer too small gets ERANGE.
 */
final class XattrOps {
    static final int ERANGE = 34;

    private final Conn c;

    XattrOps(Conn c) {
        this.c = c;
    }

    void setxattr(Request r, Reply out) throws FsException, MalformedRequest {
        // With FUSE_SETXATTR_EXT the header grows to 16 bytes (setxattr_flags for ACLs); we do not ask
        // for it, but decode whichever layout was negotiated.
        int header = c.setxattrExt() ? Proto.SETXATTR_IN_EXT : Proto.SETXATTR_IN_COMPAT;
        r.require(header);
        int size = r.u32(0);
        int flags = r.u32(4);
        byte[] name = r.string(header);
        byte[] value = r.bytes(Request.afterString(header, name), size);
        c.fs.setxattr(r.caller(), r.nodeId(), name, value, flags);
        out.ok(0);
    }

    void getxattr(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.GETXATTR_IN);
        int size = r.u32(0);
        byte[] name = r.string(Proto.GETXATTR_IN);
        sized(out, size, c.fs.getxattr(r.nodeId(), name));
    }

    void listxattr(Request r, Reply out) throws FsException, MalformedRequest {
        r.require(Proto.GETXATTR_IN);
        sized(out, r.u32(0), joinNames(c.fs.listxattr(r.nodeId())));
    }

    void removexattr(Request r, Reply out) throws FsException, MalformedRequest {
        c.fs.removexattr(r.caller(), r.nodeId(), r.string(0));
        out.ok(0);
    }

    /** listxattr's format: each name followed by a NUL. */
    static byte[] joinNames(List<byte[]> names) {
        int total = 0;
        for (byte[] n : names) {
            total += n.length + 1;
        }
        byte[] all = new byte[total];
        int at = 0;
        for (byte[] n : names) {
            System.arraycopy(n, 0, all, at, n.length);
            at += n.length + 1;
        }
        return all;
    }

    /** The size probe / ERANGE / value logic shared by getxattr and listxattr. */
    static void sized(Reply out, int requested, byte[] value) {
        long wanted = Integer.toUnsignedLong(requested);
        if (wanted == 0) {
            Structs.putGetxattrOut(out.payload(), 0, value.length);
            out.ok(Proto.GETXATTR_OUT);
        } else if (value.length > wanted || value.length > out.capacity()) {
            out.error(ERANGE);
        } else {
            MemorySegment.copy(value, 0, out.payload(), ValueLayout.JAVA_BYTE, 0, value.length);
            out.ok(value.length);
        }
    }
}
