package dev.strata.fuse;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Encoders of unsolicited messages to the kernel: a fuse_out_header with unique 0 and the notify
 * code in its error field, then the notify struct. Used to drop the kernel's caches when another
 * node changes a file (multi-node coherence).
 */
final class Notifications {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private Notifications() {}

    /**
     * FUSE_NOTIFY_INVAL_INODE: drop cached attributes of {@code ino} and its page cache from
     * {@code offset} for {@code length} bytes ({@code length} 0 = to the end; a negative offset
     * drops attributes only).
     */
    static MemorySegment invalInode(Arena arena, long ino, long offset, long length) {
        int total = Proto.OUT_HEADER + Proto.NOTIFY_INVAL_INODE_OUT;
        MemorySegment m = arena.allocate(total, 8);
        header(m, total, Proto.NOTIFY_INVAL_INODE);
        m.set(U64, 16, ino);
        m.set(U64, 24, offset);
        m.set(U64, 32, length);
        return m;
    }

    /** FUSE_NOTIFY_INVAL_ENTRY: drop the cached name {@code name} in directory {@code parent}. */
    static MemorySegment invalEntry(Arena arena, long parent, byte[] name) {
        int total = Proto.OUT_HEADER + Proto.NOTIFY_INVAL_ENTRY_OUT + name.length + 1;
        MemorySegment m = arena.allocate(total, 8);
        header(m, total, Proto.NOTIFY_INVAL_ENTRY);
        m.set(U64, 16, parent);
        m.set(U32, 24, name.length);
        m.set(U32, 28, 0);
        MemorySegment.copy(name, 0, m, ValueLayout.JAVA_BYTE, 32, name.length);
        m.set(ValueLayout.JAVA_BYTE, 32 + name.length, (byte) 0);
        return m;
    }

    private static void header(MemorySegment m, int total, int code) {
        m.set(U32, 0, total);
        m.set(U32, 4, code);
        m.set(U64, 8, 0L);
    }
}
