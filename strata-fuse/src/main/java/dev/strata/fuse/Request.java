package dev.strata.fuse;

import dev.strata.core.Caller;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A read-only view of one request in a worker's input buffer: the fuse_in_header and its argument
 * bytes. Reused for every request of that worker (no allocation per request). Every accessor checks
 * bounds against the argument length and throws {@link MalformedRequest} instead of reading past it.
 *
 * <p>Argument offsets are relative to the end of the 40-byte header.
 */
final class Request {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    /** The header is readable enough to answer (len, opcode, unique) once this many bytes are there. */
    static final int UNIQUE_END = 16;

    private final MemorySegment buffer;
    private int opcode;
    private long unique;
    private long nodeId;
    private int uid;
    private int gid;
    private int pid;
    private int argsLength;

    Request(MemorySegment buffer) {
        this.buffer = buffer;
    }

    /**
     * Decodes the header of the {@code length} bytes just read. Returns false if not even the
     * unique id could be read (nothing can be answered); throws if the header is inconsistent, in
     * which case {@link #unique()} is valid and the request can get an error reply.
     */
    boolean reset(long length) throws MalformedRequest {
        opcode = 0;
        unique = 0;
        nodeId = 0;
        argsLength = 0;
        if (length < UNIQUE_END) {
            return false;
        }
        opcode = buffer.get(U32, 4);
        unique = buffer.get(U64, 8);
        if (length < Proto.IN_HEADER) {
            throw new MalformedRequest("request of " + length + " bytes is shorter than its header");
        }
        long declared = Integer.toUnsignedLong(buffer.get(U32, 0));
        if (declared != length) {
            throw new MalformedRequest("header says " + declared + " bytes, read " + length);
        }
        nodeId = buffer.get(U64, 16);
        uid = buffer.get(U32, 24);
        gid = buffer.get(U32, 28);
        pid = buffer.get(U32, 32);
        // Extensions (security context, supplementary groups) follow the arguments; we negotiate none,
        // but never treat them as argument bytes.
        int extBytes = Short.toUnsignedInt(buffer.get(U16, 36)) * 8;
        long args = length - Proto.IN_HEADER - extBytes;
        if (args < 0) {
            throw new MalformedRequest("extension length " + extBytes + " exceeds the request");
        }
        argsLength = (int) args;
        return true;
    }

    int opcode() {
        return opcode;
    }

    long unique() {
        return unique;
    }

    long nodeId() {
        return nodeId;
    }

    int argsLength() {
        return argsLength;
    }

    Caller caller() {
        return new Caller(uid, gid, pid);
    }

    /** Fails unless the arguments hold at least {@code bytes}. */
    void require(int bytes) throws MalformedRequest {
        if (argsLength < bytes) {
            throw new MalformedRequest(Proto.opcodeName(opcode) + " needs " + bytes + " argument bytes, got "
                    + argsLength);
        }
    }

    int u32(int offset) throws MalformedRequest {
        check(offset, 4);
        return buffer.get(U32, Proto.IN_HEADER + offset);
    }

    long u64(int offset) throws MalformedRequest {
        check(offset, 8);
        return buffer.get(U64, Proto.IN_HEADER + offset);
    }

    /** The argument bytes [offset, offset+length) without copying. */
    MemorySegment slice(int offset, long length) throws MalformedRequest {
        if (length < 0 || length > Integer.MAX_VALUE) {
            throw new MalformedRequest("bad slice length " + length);
        }
        check(offset, (int) length);
        return buffer.asSlice(Proto.IN_HEADER + offset, length);
    }

    /** A copy of the argument bytes [offset, offset+length). */
    byte[] bytes(int offset, int length) throws MalformedRequest {
        return slice(offset, length).toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * The NUL-terminated string starting at {@code offset}, without its NUL. Use
     * {@link #afterString(int, byte[])} for the offset of what follows.
     */
    byte[] string(int offset) throws MalformedRequest {
        if (offset < 0 || offset > argsLength) {
            throw new MalformedRequest("string offset " + offset + " outside " + argsLength + " argument bytes");
        }
        long base = Proto.IN_HEADER;
        for (int i = offset; i < argsLength; i++) {
            if (buffer.get(ValueLayout.JAVA_BYTE, base + i) == 0) {
                return buffer.asSlice(base + offset, i - offset).toArray(ValueLayout.JAVA_BYTE);
            }
        }
        throw new MalformedRequest(Proto.opcodeName(opcode) + ": string at " + offset + " has no NUL");
    }

    static int afterString(int offset, byte[] string) {
        return offset + string.length + 1;
    }

    private void check(int offset, int length) throws MalformedRequest {
        if (offset < 0 || length < 0 || (long) offset + length > argsLength) {
            throw new MalformedRequest(Proto.opcodeName(opcode) + ": bytes [" + offset + ", " + (offset + length)
                    + ") outside " + argsLength + " argument bytes");
        }
    }
}
