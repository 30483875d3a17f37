package dev.strata.it.posix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Hard links and symbolic links. */
class LinkTest extends OnMount {

    @Test
    void hardLinksShareOneInodeAndCountLinks(TestInfo info) throws IOException {
        Path d = dir(info);
        Files.writeString(d.resolve("a"), "one");
        Files.createDirectory(d.resolve("sub"));
        Posix.link(d.resolve("a"), d.resolve("b"));
        Posix.link(d.resolve("a"), d.resolve("sub/c"));
        Libc.Statx a = Libc.stat(d.resolve("a"), false);
        assertThat(Libc.stat(d.resolve("b"), false).ino()).isEqualTo(a.ino());
        assertThat(Libc.stat(d.resolve("sub/c"), false).ino()).isEqualTo(a.ino());
        assertThat(a.nlink()).isEqualTo(3);
        Files.writeString(d.resolve("sub/c"), "changed through c");
        assertThat(Files.readString(d.resolve("a"))).isEqualTo("changed through c");
        Libc.unlink(d.resolve("a"));
        assertThat(Libc.stat(d.resolve("b"), false).nlink()).isEqualTo(2);
        Libc.unlink(d.resolve("sub/c"));
        assertThat(Libc.stat(d.resolve("b"), false).nlink()).isEqualTo(1);
        assertThat(Files.readString(d.resolve("b"))).isEqualTo("changed through c");
    }

    @Test
    void hardLinkErrorsAreThePosixOnes(TestInfo info) throws IOException {
        Path d = dir(info);
        Files.createDirectory(d.resolve("dir"));
        Files.createFile(d.resolve("f"));
        Files.createFile(d.resolve("g"));
        assertErrno(Posix.EPERM, () -> Posix.link(d.resolve("dir"), d.resolve("dirlink")));
        assertErrno(Posix.EEXIST, () -> Posix.link(d.resolve("f"), d.resolve("g")));
        assertErrno(Posix.ENOENT, () -> Posix.link(d.resolve("missing"), d.resolve("h")));
        assertErrno(Posix.EXDEV, () -> Posix.link(d.resolve("f"), mount.work().resolve("outside")));
    }

    @Test
    void hardLinksToSpecialFilesAndSymlinksWork(TestInfo info) throws IOException {
        Path d = dir(info);
        Posix.symlink("target", d.resolve("sym"));
        Posix.mkfifo(d.resolve("fifo"), 0644);
        // link(2) does not follow a symlink on Linux: the new name is a second link of the symlink.
        Posix.link(d.resolve("sym"), d.resolve("sym2"));
        Posix.link(d.resolve("fifo"), d.resolve("fifo2"));
        assertThat(Libc.stat(d.resolve("sym2"), true).ino()).isEqualTo(Libc.stat(d.resolve("sym"), true).ino());
        assertThat(Libc.stat(d.resolve("sym"), true).nlink()).isEqualTo(2);
        assertThat(Files.readSymbolicLink(d.resolve("sym2")).toString()).isEqualTo("target");
        assertThat(Libc.stat(d.resolve("fifo2"), true).nlink()).isEqualTo(2);
    }

    @Test
    void symlinksKeepTheirTargetVerbatim(TestInfo info) throws IOException {
        Path d = dir(info);
        Files.writeString(d.resolve("real"), "data");
        String[] targets = {"real", "./real", "../" + d.getFileName() + "/real", d.resolve("real").toString(),
            "dangling/../x", "with space and \n newline", "é ü 日本"};
        for (int i = 0; i < targets.length; i++) {
            Path l = d.resolve("l" + i);
            Posix.symlink(targets[i], l);
            assertThat(Files.readSymbolicLink(l).toString()).isEqualTo(targets[i]);
            Libc.Statx st = Libc.stat(l, true);
            assertThat(st.mode() & Posix.S_IFMT).isEqualTo(0120000);
            assertThat(st.mode() & 0777).isEqualTo(0777);
            assertThat(st.size()).isEqualTo(targets[i].getBytes(StandardCharsets.UTF_8).length);
        }
        assertThat(Files.readString(d.resolve("l0"))).isEqualTo("data");
        assertThat(Files.readString(d.resolve("l2"))).isEqualTo("data");
        assertThat(Files.readString(d.resolve("l3"))).isEqualTo("data");
        assertErrno(Posix.ENOENT, () -> Libc.stat(d.resolve("l4"), false));
    }

    @Test
    void symlinkLoopsAndNoFollowGiveEloop(TestInfo info) throws IOException {
        Path d = dir(info);
        Posix.symlink("b", d.resolve("a"));
        Posix.symlink("a", d.resolve("b"));
        assertErrno(Posix.ELOOP, () -> Libc.open(d.resolve("a"), Libc.O_RDONLY, 0));
        Files.createFile(d.resolve("f"));
        Posix.symlink("f", d.resolve("tof"));
        assertErrno(Posix.ELOOP, () -> Libc.open(d.resolve("tof"), Libc.O_RDONLY | Libc.O_NOFOLLOW, 0));
    }

    @Test
    void symlinkTargetsUpTo4095BytesAreAccepted(TestInfo info) throws IOException {
        Path d = dir(info);
        String longest = "x/".repeat(2047) + "y";
        assertThat(longest).hasSize(4095);
        Posix.symlink(longest, d.resolve("long"));
        assertThat(Files.readSymbolicLink(d.resolve("long")).toString()).isEqualTo(longest);
        assertErrno(Posix.ENAMETOOLONG, () -> Posix.symlink(longest + "z", d.resolve("toolong")));
        assertErrno(Posix.ENOENT, () -> Posix.symlink("", d.resolve("empty")));
        assertErrno(Posix.EEXIST, () -> Posix.symlink("x", d.resolve("long")));
    }

    @Test
    void lchownChangesTheLinkNotItsTarget(TestInfo info) throws IOException {
        Path d = dir(info);
        Files.createFile(d.resolve("f"));
        Posix.symlink("f", d.resolve("l"));
        Posix.lchown(d.resolve("l"), 1234, 5678);
        Libc.Statx link = Libc.stat(d.resolve("l"), true);
        assertThat(link.uid()).isEqualTo(1234);
        assertThat(link.gid()).isEqualTo(5678);
        assertThat(Libc.stat(d.resolve("f"), false).uid()).isZero();
    }
}
