package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.Timespec;
import dev.strata.core.fs.Attr;
import dev.strata.core.fs.Entry;
import dev.strata.core.fs.SetAttr;
import dev.strata.core.fs.StatFs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Struct sizes and field offsets against the C layouts. The expected numbers were printed by a C
 * program with sizeof/offsetof over linux/fuse.h (7.38, Debian 12) and checked against the 7.45
 * header for the newer fields (fuse_init_out.max_stack_depth, fuse_open_out.backing_id).
 */
class StructLayoutTest {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private final MemorySegment s = Arena.ofAuto().allocate(4096, 8);

    static final Attr ATTR = new Attr(0x1122334455667788L, 0100644, 3, 1000, 1001, 0x0801, 123456789L, 241,
            new Timespec(1_600_000_001L, 11), new Timespec(1_600_000_002L, 22), new Timespec(1_600_000_003L, 33),
            4096);

    @Test
    void sizesMatchTheCHeaders() {
        assertThat(Proto.IN_HEADER).isEqualTo(40);
        assertThat(Proto.OUT_HEADER).isEqualTo(16);
        assertThat(Proto.ATTR).isEqualTo(88);
        assertThat(Proto.ENTRY_OUT).isEqualTo(128);
        assertThat(Proto.ATTR_OUT).isEqualTo(104);
        assertThat(Proto.SETATTR_IN).isEqualTo(88);
        assertThat(Proto.OPEN_OUT).isEqualTo(16);
        assertThat(Proto.READ_IN).isEqualTo(40);
        assertThat(Proto.WRITE_IN).isEqualTo(40);
        assertThat(Proto.STATFS_OUT).isEqualTo(80);
        assertThat(Proto.INIT_IN).isEqualTo(64);
        assertThat(Proto.INIT_OUT).isEqualTo(64);
        assertThat(Proto.CREATE_IN).isEqualTo(16);
        assertThat(Proto.MKNOD_IN).isEqualTo(16);
        assertThat(Proto.RELEASE_IN).isEqualTo(24);
        assertThat(Proto.FLUSH_IN).isEqualTo(24);
        assertThat(Proto.FALLOCATE_IN).isEqualTo(32);
        assertThat(Proto.LSEEK_IN).isEqualTo(24);
        assertThat(Proto.COPY_FILE_RANGE_IN).isEqualTo(56);
        assertThat(Proto.DIRENT_HEADER).isEqualTo(24);
        assertThat(Proto.DIRENTPLUS_HEADER).isEqualTo(152);
        assertThat(Proto.NOTIFY_INVAL_INODE_OUT).isEqualTo(24);
        assertThat(Proto.NOTIFY_INVAL_ENTRY_OUT).isEqualTo(16);
    }

    @Test
    void ioctlNumbersMatchTheKernelMacros() {
        // _IOW(229, 1, struct fuse_backing_map) and _IOW(229, 2, uint32_t); _IOR(229, 0, uint32_t) = 0x8004e500
        // was printed by the C program for FUSE_DEV_IOC_CLONE and checks the same encoding.
        assertThat(Proto.DEV_IOC_BACKING_OPEN).isEqualTo(0x4010e501L);
        assertThat(Proto.DEV_IOC_BACKING_CLOSE).isEqualTo(0x4004e502L);
        assertThat(Proto.ioc(2, 0, 4)).isEqualTo(0x8004e500L);
    }

    @Test
    void fuseAttrFieldOffsets() {
        s.fill((byte) 0x5a);
        Structs.putAttr(s, 8, ATTR);
        assertThat(s.get(U64, 8)).isEqualTo(ATTR.ino());
        assertThat(s.get(U64, 8 + 8)).isEqualTo(123456789L);
        assertThat(s.get(U64, 8 + 16)).isEqualTo(241);
        assertThat(s.get(U64, 8 + 24)).isEqualTo(1_600_000_001L);
        assertThat(s.get(U64, 8 + 32)).isEqualTo(1_600_000_002L);
        assertThat(s.get(U64, 8 + 40)).isEqualTo(1_600_000_003L);
        assertThat(s.get(U32, 8 + 48)).isEqualTo(11);
        assertThat(s.get(U32, 8 + 52)).isEqualTo(22);
        assertThat(s.get(U32, 8 + 56)).isEqualTo(33);
        assertThat(s.get(U32, 8 + 60)).isEqualTo(0100644);
        assertThat(s.get(U32, 8 + 64)).isEqualTo(3);
        assertThat(s.get(U32, 8 + 68)).isEqualTo(1000);
        assertThat(s.get(U32, 8 + 72)).isEqualTo(1001);
        assertThat(s.get(U32, 8 + 76)).isEqualTo(0x0801);
        assertThat(s.get(U32, 8 + 80)).isEqualTo(4096);
        assertThat(s.get(U32, 8 + 84)).as("flags").isZero();
        assertThat(s.get(ValueLayout.JAVA_BYTE, 8 + 88)).as("nothing written past the struct").isEqualTo((byte) 0x5a);
    }

    @Test
    void entryOutAndAttrOut() {
        Structs.putEntryOut(s, 0, new Entry(42, 7, ATTR), new Timeout(3, 400), new Timeout(5, 600));
        assertThat(s.get(U64, 0)).isEqualTo(42);
        assertThat(s.get(U64, 8)).isEqualTo(7);
        assertThat(s.get(U64, 16)).isEqualTo(3);
        assertThat(s.get(U64, 24)).isEqualTo(5);
        assertThat(s.get(U32, 32)).isEqualTo(400);
        assertThat(s.get(U32, 36)).isEqualTo(600);
        assertThat(s.get(U64, 40)).isEqualTo(ATTR.ino());
        Structs.putAttrOut(s, 200, ATTR, new Timeout(9, 10));
        assertThat(s.get(U64, 200)).isEqualTo(9);
        assertThat(s.get(U32, 208)).isEqualTo(10);
        assertThat(s.get(U32, 212)).isZero();
        assertThat(s.get(U64, 216)).isEqualTo(ATTR.ino());
        s.fill((byte) 1);
        Structs.putNegativeEntry(s, 0, new Timeout(2, 3));
        assertThat(s.get(U64, 0)).as("nodeid 0 = negative entry").isZero();
        assertThat(s.get(U64, 16)).isEqualTo(2);
        assertThat(s.get(U32, 32)).isEqualTo(3);
        assertThat(s.asSlice(40, 88).toArray(ValueLayout.JAVA_BYTE)).containsOnly(0);
    }

    @Test
    void openOutStatfsWriteOut() {
        Structs.putOpenOut(s, 0, 0xabcdefL, Proto.FOPEN_PASSTHROUGH, 17);
        assertThat(s.get(U64, 0)).isEqualTo(0xabcdefL);
        assertThat(s.get(U32, 8)).isEqualTo(128);
        assertThat(s.get(U32, 12)).isEqualTo(17);
        s.fill((byte) 1);
        Structs.putStatfs(s, 0, new StatFs(1, 2, 3, 4, 5, 6, 7, 8));
        assertThat(new long[] {s.get(U64, 0), s.get(U64, 8), s.get(U64, 16), s.get(U64, 24), s.get(U64, 32)})
                .containsExactly(1, 2, 3, 4, 5);
        assertThat(s.get(U32, 40)).as("bsize").isEqualTo(6);
        assertThat(s.get(U32, 44)).as("namelen").isEqualTo(8);
        assertThat(s.get(U32, 48)).as("frsize").isEqualTo(7);
        assertThat(s.asSlice(52, 28).toArray(ValueLayout.JAVA_BYTE)).as("padding and spare").containsOnly(0);
        Structs.putWriteOut(s, 0, 65536);
        assertThat(s.get(U32, 0)).isEqualTo(65536);
        assertThat(s.get(U32, 4)).isZero();
    }

    @Test
    void setattrDecodesEveryField() throws Exception {
        int valid = Proto.FATTR_MODE | Proto.FATTR_UID | Proto.FATTR_GID | Proto.FATTR_SIZE | Proto.FATTR_ATIME
                | Proto.FATTR_MTIME | Proto.FATTR_MTIME_NOW | Proto.FATTR_FH | Proto.FATTR_CTIME
                | Proto.FATTR_KILL_SUIDGID | Proto.FATTR_LOCKOWNER;
        byte[] args = new Harness.Args().u32(valid).u32(0).u64(9).u64(4096).u64(77).u64(100).u64(200).u64(300)
                .u32(1).u32(2).u32(3).u32(0104755).u32(0).u32(500).u32(600).u32(0).bytes();
        assertThat(args).hasSize(Proto.SETATTR_IN);
        SetAttr a = Structs.setAttr(request(Proto.SETATTR, args));
        assertThat(a.mode()).as("type bits stripped").isEqualTo(04755);
        assertThat(a.uid()).isEqualTo(500);
        assertThat(a.gid()).isEqualTo(600);
        assertThat(a.sizeBytes()).isEqualTo(4096);
        assertThat(a.atime()).isEqualTo(new Timespec(100, 1));
        assertThat(a.atimeNow()).isFalse();
        assertThat(a.mtime()).as("MTIME_NOW wins over the explicit time").isNull();
        assertThat(a.mtimeNow()).isTrue();
        assertThat(a.ctime()).isEqualTo(new Timespec(300, 3));
        assertThat(a.fh()).isEqualTo(9);
        assertThat(a.killSuidGid()).isTrue();

        SetAttr none = Structs.setAttr(request(Proto.SETATTR, new byte[Proto.SETATTR_IN]));
        assertThat(none).isEqualTo(new SetAttr(null, null, null, null, null, false, null, false, null, -1, false));
    }

    @Test
    void initOutLayout() {
        Negotiated n = new Negotiated(45, Proto.ASYNC_READ | Proto.INIT_EXT | Proto.PASSTHROUGH, 131072, 1 << 20,
                false, true, false);
        s.fill((byte) 1);
        InitNegotiation.encode(s, n);
        assertThat(s.get(U32, 0)).isEqualTo(7);
        assertThat(s.get(U32, 4)).isEqualTo(45);
        assertThat(s.get(U32, 8)).isEqualTo(131072);
        assertThat(s.get(U32, 12)).isEqualTo((int) (Proto.ASYNC_READ | Proto.INIT_EXT));
        assertThat(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, 16)).isEqualTo((short) 64);
        assertThat(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, 18)).isEqualTo((short) 48);
        assertThat(s.get(U32, 20)).isEqualTo(1 << 20);
        assertThat(s.get(U32, 24)).as("time_gran").isEqualTo(1);
        assertThat(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, 28)).as("max_pages").isEqualTo((short) 256);
        assertThat(s.get(U32, 32)).as("flags2: PASSTHROUGH is bit 37 = flags2 bit 5").isEqualTo(1 << 5);
        assertThat(s.get(U32, 36)).as("max_stack_depth").isEqualTo(1);
        assertThat(s.asSlice(40, 24).toArray(ValueLayout.JAVA_BYTE)).containsOnly(0);
    }

    static Request request(int opcode, byte[] args) throws MalformedRequest {
        MemorySegment buf = Arena.ofAuto().allocate(Proto.IN_HEADER + args.length + 8, 8);
        byte[] raw = new Harness.Args().u32(Proto.IN_HEADER + args.length).u32(opcode).u64(1).u64(1).u32(0).u32(0)
                .u32(0).u32(0).bytes(args).bytes();
        MemorySegment.copy(raw, 0, buf, ValueLayout.JAVA_BYTE, 0, raw.length);
        Request r = new Request(buf);
        r.reset(raw.length);
        return r;
    }
}
