package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.Errno;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** getxattr/listxattr size probing, ERANGE, and the errno mapping. */
class XattrAndErrorsTest {
    private final MemFs fs = new MemFs();
    private final Harness h = new Harness(fs).init();

    private Harness.Message getxattr(int size, String name) {
        return h.call(Proto.GETXATTR, 1, new Harness.Args().u32(size).u32(0).str(name).bytes());
    }

    @Test
    void getxattrProbesSizeRangesAndReads() throws Exception {
        fs.setxattr(dev.strata.core.Caller.ROOT, 1, b("user.k"), b("value!"), 0);
        Harness.Message probe = getxattr(0, "user.k");
        assertThat(probe.error()).isZero();
        assertThat(probe.payload()).hasSize(8);
        assertThat(probe.body().getInt(0)).isEqualTo(6);
        assertThat(getxattr(5, "user.k").error()).isEqualTo(-34);
        Harness.Message exact = getxattr(6, "user.k");
        assertThat(new String(exact.payload(), StandardCharsets.UTF_8)).isEqualTo("value!");
        assertThat(getxattr(100, "user.k").payload()).hasSize(6);
        assertThat(getxattr(100, "user.none").error()).isEqualTo(-61);
    }

    @Test
    void listxattrIsNulTerminatedNames() throws Exception {
        fs.setxattr(dev.strata.core.Caller.ROOT, 1, b("user.a"), b("1"), 0);
        fs.setxattr(dev.strata.core.Caller.ROOT, 1, b("user.bb"), b("2"), 0);
        Harness.Message probe = h.call(Proto.LISTXATTR, 1, new Harness.Args().u32(0).u32(0).bytes());
        assertThat(probe.body().getInt(0)).isEqualTo(15);
        assertThat(h.call(Proto.LISTXATTR, 1, new Harness.Args().u32(14).u32(0).bytes()).error()).isEqualTo(-34);
        Harness.Message list = h.call(Proto.LISTXATTR, 1, new Harness.Args().u32(4096).u32(0).bytes());
        assertThat(list.payload()).isEqualTo(b("user.a\0user.bb\0"));
        assertThat(XattrOps.joinNames(List.of())).isEmpty();
    }

    @Test
    void setxattrDecodesBothLayouts() throws Exception {
        byte[] compat = new Harness.Args().u32(3).u32(0).str("user.x").bytes(b("abc")).bytes();
        assertThat(h.call(Proto.SETXATTR, 1, compat).error()).isZero();
        assertThat(fs.getxattr(1, b("user.x"))).isEqualTo(b("abc"));
        h.conn.negotiated(new Negotiated(45, Proto.SETXATTR_EXT, 0, 1 << 20, false, false, true));
        byte[] ext = new Harness.Args().u32(2).u32(PosixCreate.XATTR_CREATE).u32(0).u32(0).str("user.y")
                .bytes(b("de")).bytes();
        assertThat(h.call(Proto.SETXATTR, 1, ext).error()).isZero();
        assertThat(fs.getxattr(1, b("user.y"))).isEqualTo(b("de"));
        assertThat(h.call(Proto.SETXATTR, 1, ext).error()).as("XATTR_CREATE on existing").isEqualTo(-17);
    }

    private interface PosixCreate {
        int XATTR_CREATE = dev.strata.core.fs.PosixFileSystem.XATTR_CREATE;
    }

    @Test
    void everyFsExceptionMapsToItsErrno() {
        assertThat(Errors.errno(new FsException.NoSuchEntry("x"))).isEqualTo(2);
        assertThat(Errors.errno(new FsException.AlreadyExists("x"))).isEqualTo(17);
        assertThat(Errors.errno(new FsException.NotEmpty("x"))).isEqualTo(39);
        assertThat(Errors.errno(new FsException.NotADirectory("x"))).isEqualTo(20);
        assertThat(Errors.errno(new FsException.IsADirectory("x"))).isEqualTo(21);
        assertThat(Errors.errno(new FsException.InvalidArgument("x"))).isEqualTo(22);
        assertThat(Errors.errno(new FsException.AccessDenied("x"))).isEqualTo(13);
        assertThat(Errors.errno(new FsException.NotPermitted("x"))).isEqualTo(1);
        assertThat(Errors.errno(new FsException.NameTooLong("x"))).isEqualTo(36);
        assertThat(Errors.errno(new FsException.NoSpace("x"))).isEqualTo(28);
        assertThat(Errors.errno(new FsException.NoData("x"))).isEqualTo(61);
        assertThat(Errors.errno(new FsException.OutOfRange("x"))).isEqualTo(34);
        assertThat(Errors.errno(new FsException.CrossDevice("x"))).isEqualTo(18);
        assertThat(Errors.errno(new FsException.TooManyLinks("x"))).isEqualTo(31);
        assertThat(Errors.errno(new FsException.NotSupported("x"))).isEqualTo(95);
        assertThat(Errors.errno(new FsException.BadHandle("x"))).isEqualTo(9);
        assertThat(Errors.errno(new FsException.TooManyOpenFiles("x"))).isEqualTo(23);
        assertThat(Errors.errno(new FsException.FileTooBig("x"))).isEqualTo(27);
        assertThat(Errors.errno(new FsException.NoSuchAddress("x"))).isEqualTo(6);
        assertThat(Errors.errno(new FsException.ReadOnly("x"))).isEqualTo(30);
        assertThat(Errors.errno(new FsException.IoFailure("x"))).isEqualTo(5);
        assertThat(Errors.errno(new FsException.Other(Errno.ETIMEDOUT, "x"))).isEqualTo(110);
        assertThat(Errors.errno(new FsException.Other(Errno.ENOSYS, "x")))
                .as("never ENOSYS: the kernel would disable the opcode for good").isEqualTo(95);
        assertThat(Errors.unexpected(Proto.READ, 5, new IllegalStateException("test"))).isEqualTo(5);
    }

    @Test
    void badNamesGetTheirNameErrors() throws Exception {
        assertThat(h.call(Proto.MKDIR, 1, new Harness.Args().u32(0755).u32(022).str("x".repeat(256)).bytes())
                .error()).isEqualTo(-36);
        assertThat(h.call(Proto.MKDIR, 1, new Harness.Args().u32(0755).u32(022).str("..").bytes()).error())
                .isEqualTo(-22);
        assertThat(h.call(Proto.LOOKUP, 1, new Harness.Args().str("y".repeat(1000)).bytes()).error())
                .as("too long is not a negative entry").isEqualTo(-36);
        assertThat(Name.of("ok").length()).isEqualTo(2);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
