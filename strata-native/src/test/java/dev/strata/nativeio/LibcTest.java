package dev.strata.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
}
