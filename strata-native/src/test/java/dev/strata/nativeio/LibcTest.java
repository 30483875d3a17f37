package dev.strata.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibcTest {
    @TempDir
    Path dir;

    @Test
    void writesReadsAndStatsASparseFile() throws Exception {
        Path f = dir.resolve("f");
        int fd = Libc.open(f, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0600);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocateFrom("hello", java.nio.charset.StandardCharsets.US_ASCII);
            MemorySegment five = src.asSlice(0, 5);
            Libc.pwriteFully(fd, five, 1 << 20);
            Libc.Statx st = Libc.fstat(fd);
            assertThat(st.size()).isEqualTo((1 << 20) + 5);
            assertThat(st.mode() & 0777).isEqualTo(0600);
            assertThat(st.blocks() * 512).isLessThan(1 << 20);
            MemorySegment dst = arena.allocate(16);
            long n = Libc.preadFully(fd, dst, (1 << 20) - 2);
            assertThat(n).isEqualTo(7);
            assertThat(dst.get(ValueLayout.JAVA_BYTE, 0)).isZero();
            assertThat(dst.get(ValueLayout.JAVA_BYTE, 2)).isEqualTo((byte) 'h');
            assertThat(Libc.lseek(fd, 0, Libc.SEEK_DATA)).isGreaterThan(0);
            Libc.ftruncate(fd, 3);
            assertThat(Libc.fstat(fd).size()).isEqualTo(3);
            Libc.fdatasync(fd);
            assertThat(Libc.fstatvfs(fd).blocks()).isPositive();
        } finally {
            Libc.close(fd);
        }
        assertThat(Files.size(f)).isEqualTo(3);
        Libc.unlink(f);
        assertThat(Files.exists(f)).isFalse();
    }

    @Test
    void reportsErrnoWithTheCallAndPath() {
        assertThatThrownBy(() -> Libc.open(dir.resolve("missing"), Libc.O_RDONLY, 0))
                .isInstanceOf(ErrnoException.class)
                .hasMessageContaining("open")
                .hasMessageContaining("missing")
                .hasMessageContaining("ENOENT")
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errnos.ENOENT));
    }

    @Test
    void setsGetsAndRemovesExtendedAttributes() throws Exception {
        Path f = Files.createFile(dir.resolve("f"));
        Libc.setxattr(f, "user.test", "one".getBytes(StandardCharsets.UTF_8), 0, false);
        assertThat(new String(Libc.getxattr(f, "user.test", false), StandardCharsets.UTF_8)).isEqualTo("one");
        byte[] big = new byte[3000]; // ext4 keeps all of a file's attributes in one 4 KiB block
        java.util.Arrays.fill(big, (byte) 'x');
        Libc.setxattr(f, "user.test", big, Libc.XATTR_REPLACE, false);
        assertThat(Libc.getxattr(f, "user.test", true)).isEqualTo(big);
        Libc.setxattr(f, "user.empty", new byte[0], Libc.XATTR_CREATE, false);
        assertThat(Libc.getxattr(f, "user.empty", false)).isEmpty();
        assertThatThrownBy(() -> Libc.setxattr(f, "user.empty", new byte[1], Libc.XATTR_CREATE, false))
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errnos.EEXIST));
        Libc.removexattr(f, "user.test", false);
        assertThatThrownBy(() -> Libc.getxattr(f, "user.test", false))
                .isInstanceOf(ErrnoException.class)
                .hasMessageContaining("getxattr")
                .hasMessageContaining("user.test")
                .hasMessageContaining("ENODATA")
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errnos.ENODATA));
        assertThatThrownBy(() -> Libc.removexattr(f, "user.test", true))
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errnos.ENODATA));
    }

    @Test
    void noFollowActsOnTheSymlinkItself() throws Exception {
        Path target = Files.createFile(dir.resolve("target"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        Libc.setxattr(link, "user.via-link", "v".getBytes(StandardCharsets.UTF_8), 0, false);
        assertThat(Libc.getxattr(target, "user.via-link", false)).containsExactly('v');
        // Linux keeps user.* attributes off symlinks: reading answers ENODATA, writing EPERM.
        assertThatThrownBy(() -> Libc.getxattr(link, "user.via-link", true))
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errnos.ENODATA));
        assertThatThrownBy(() -> Libc.setxattr(link, "user.x", new byte[1], 0, true))
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errnos.EPERM));
        assertThatThrownBy(() -> Libc.getxattr(dir.resolve("missing"), "user.x", false))
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errnos.ENOENT));
    }
}
