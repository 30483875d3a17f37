package dev.strata.it.posix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Extended attributes: user.*, the CREATE/REPLACE flags, ENODATA, ERANGE and the limits. */
class XattrTest extends OnMount {

    @Test
    void userAttributesRoundTripThroughTheJavaView(TestInfo info) throws IOException {
        Path f = dir(info).resolve("f");
        Files.createFile(f);
        UserDefinedFileAttributeView v = Files.getFileAttributeView(f, UserDefinedFileAttributeView.class);
        v.write("colour", StandardCharsets.UTF_8.encode("blue"));
        v.write("empty", ByteBuffer.allocate(0));
        assertThat(v.list()).containsExactlyInAnyOrder("colour", "empty");
        assertThat(v.size("colour")).isEqualTo(4);
        ByteBuffer b = ByteBuffer.allocate(16);
        v.read("colour", b);
        assertThat(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8)).isEqualTo("blue");
        assertThat(v.size("empty")).isZero();
        v.delete("colour");
        assertThat(v.list()).containsExactly("empty");
    }

    @Test
    void createAndReplaceFlagsAreHonoured(TestInfo info) throws IOException {
        Path f = dir(info).resolve("f");
        Files.createFile(f);
        Posix.setxattr(f, "user.a", bytes("1"), Posix.XATTR_CREATE);
        assertErrno(Posix.EEXIST, () -> Posix.setxattr(f, "user.a", bytes("2"), Posix.XATTR_CREATE));
        assertErrno(Posix.ENODATA, () -> Posix.setxattr(f, "user.b", bytes("2"), Posix.XATTR_REPLACE));
        Posix.setxattr(f, "user.a", bytes("3"), Posix.XATTR_REPLACE);
        Posix.setxattr(f, "user.a", bytes("4"), 0);
        assertThat(Posix.getxattr(f, "user.a", 100)).isEqualTo(bytes("4"));
        assertErrno(Posix.ENODATA, () -> Posix.getxattr(f, "user.b", 100));
    }

    @Test
    void missingAttributesAnswerEnodata(TestInfo info) throws IOException {
        Path f = dir(info).resolve("f");
        Files.createFile(f);
        assertErrno(Posix.ENODATA, () -> Posix.getxattr(f, "user.none", 10));
        assertErrno(Posix.ENODATA, () -> Posix.getxattr(f, "user.none", 0));
        assertErrno(Posix.ENODATA, () -> Posix.removexattr(f, "user.none"));
        assertThat(Posix.listxattr(f, 0)).isEmpty();
    }

    @Test
    void smallBuffersAnswerErangeAndSizeZeroAsksForTheSize(TestInfo info) throws IOException {
        Path f = dir(info).resolve("f");
        Files.createFile(f);
        byte[] value = bytes("0123456789");
        Posix.setxattr(f, "user.ten", value, 0);
        Posix.setxattr(f, "user.other", value, 0);
        assertThat(Posix.getxattr(f, "user.ten", 0)).hasSize(10);
        assertErrno(Posix.ERANGE, () -> Posix.getxattr(f, "user.ten", 9));
        assertThat(Posix.getxattr(f, "user.ten", 10)).isEqualTo(value);
        byte[] list = "user.ten\0user.other\0".getBytes(StandardCharsets.UTF_8);
        assertThat(Posix.listxattr(f, 0)).hasSize(list.length);
        assertErrno(Posix.ERANGE, () -> Posix.listxattr(f, list.length - 1));
        assertThat(names(Posix.listxattr(f, list.length))).containsExactlyInAnyOrder("user.ten", "user.other");
    }

    @Test
    void valuesAreBinaryUpTo64KiB(TestInfo info) throws IOException {
        Path f = dir(info).resolve("f");
        Files.createFile(f);
        byte[] binary = {0, 1, 0, (byte) 0xff, '\n', 0};
        Posix.setxattr(f, "user.bin", binary, 0);
        assertThat(Posix.getxattr(f, "user.bin", 64)).isEqualTo(binary);
        byte[] big = new byte[65536];
        new Random(1).nextBytes(big);
        Posix.setxattr(f, "user.big", big, 0);
        assertThat(Posix.getxattr(f, "user.big", 65536)).isEqualTo(big);
        assertErrno(7 /* E2BIG */, () -> Posix.setxattr(f, "user.huge", new byte[65537], 0));
        String longest = "user." + "n".repeat(250);
        Posix.setxattr(f, longest, bytes("v"), 0);
        assertThat(Posix.getxattr(f, longest, 10)).isEqualTo(bytes("v"));
        assertErrno(Posix.ERANGE, () -> Posix.setxattr(f, longest + "x", bytes("v"), 0));
    }

    @Test
    void attributesLiveOnDirectoriesAndSurviveARemount(TestInfo info) throws IOException {
        Path d = dir(info);
        Path f = Files.createFile(d.resolve("f"));
        Posix.setxattr(d, "user.dir", bytes("on a directory"), 0);
        Posix.setxattr(f, "user.file", bytes("on a file"), 0);
        mount.remount(mountArgs());
        assertThat(Posix.getxattr(d, "user.dir", 100)).isEqualTo(bytes("on a directory"));
        assertThat(Posix.getxattr(f, "user.file", 100)).isEqualTo(bytes("on a file"));
    }

    @Test
    void userAttributesOnSymlinksAndFifosAreRefusedByTheKernel(TestInfo info) throws IOException {
        Path d = dir(info);
        Posix.mkfifo(d.resolve("p"), 0644);
        // The VFS allows user.* only on regular files and directories (xattr_permission()).
        assertErrno(Posix.EPERM, () -> Posix.setxattr(d.resolve("p"), "user.x", bytes("v"), 0));
    }

    @Test
    void unknownNamespacesAreNotSupported(TestInfo info) throws IOException {
        Path f = dir(info).resolve("f");
        Files.createFile(f);
        assertErrno(Posix.EOPNOTSUPP, () -> Posix.setxattr(f, "nonsense.x", bytes("v"), 0));
        // trusted.* is for root (CAP_SYS_ADMIN), which the tests run as.
        Posix.setxattr(f, "trusted.t", bytes("v"), 0);
        assertThat(Posix.getxattr(f, "trusted.t", 10)).isEqualTo(bytes("v"));
    }

    @Test
    void changingAnAttributeMovesCtimeButNotMtime(TestInfo info) throws Exception {
        Path f = dir(info).resolve("f");
        Files.writeString(f, "x");
        Libc.Statx before = Libc.stat(f, false);
        Thread.sleep(20);
        Posix.setxattr(f, "user.t", bytes("v"), 0);
        Libc.Statx after = Libc.stat(f, false);
        assertThat(nanos(after.ctimeSec(), after.ctimeNsec())).isGreaterThan(nanos(before.ctimeSec(), before.ctimeNsec()));
        assertThat(nanos(after.mtimeSec(), after.mtimeNsec())).isEqualTo(nanos(before.mtimeSec(), before.mtimeNsec()));
    }

    static long nanos(long sec, int nsec) {
        return sec * 1_000_000_000L + nsec;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> names(byte[] list) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < list.length; i++) {
            if (list[i] == 0) {
                out.add(new String(list, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return out;
    }
}
