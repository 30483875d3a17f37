package dev.strata.it.posix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Names: up to 255 bytes, ENAMETOOLONG beyond, and any byte but '/' and NUL. */
class NameTest extends OnMount {

    @Test
    void namesOf255BytesWorkEverywhere(TestInfo info) throws IOException {
        Path d = dir(info);
        String longest = "n".repeat(255);
        Files.writeString(d.resolve(longest), "x");
        Files.createDirectory(d.resolve("d".repeat(255)));
        Posix.symlink("target", d.resolve("s".repeat(255)));
        Posix.link(d.resolve(longest), d.resolve("l".repeat(255)));
        Posix.rename(d.resolve(longest), d.resolve("r".repeat(255)));
        Posix.setxattr(d.resolve("r".repeat(255)), "user.x", new byte[] {1}, 0);
        try (var s = Files.list(d)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("r".repeat(255), "d".repeat(255), "s".repeat(255), "l".repeat(255));
        }
        // UTF-8 counts bytes, not characters: 127 two-byte characters plus one byte are 255 bytes.
        String wide = "é".repeat(127) + "x";
        assertThat(wide.getBytes(StandardCharsets.UTF_8)).hasSize(255);
        Files.writeString(d.resolve(wide), "wide");
        assertThat(Files.readString(d.resolve(wide))).isEqualTo("wide");
    }

    @Test
    void namesOf256BytesAreTooLong(TestInfo info) throws IOException {
        Path d = dir(info);
        Files.createFile(d.resolve("ok"));
        Path tooLong = d.resolve("n".repeat(256));
        assertErrno(Posix.ENAMETOOLONG, () -> Libc.open(tooLong, Libc.O_CREAT | Libc.O_WRONLY, 0644));
        assertErrno(Posix.ENAMETOOLONG, () -> Libc.mkdir(tooLong, 0755));
        assertErrno(Posix.ENAMETOOLONG, () -> Posix.symlink("x", tooLong));
        assertErrno(Posix.ENAMETOOLONG, () -> Posix.link(d.resolve("ok"), tooLong));
        assertErrno(Posix.ENAMETOOLONG, () -> Posix.rename(d.resolve("ok"), tooLong));
        assertErrno(Posix.ENAMETOOLONG, () -> Posix.mkfifo(tooLong, 0644));
        assertErrno(Posix.ENAMETOOLONG, () -> Libc.stat(tooLong, false));
        String wide = "é".repeat(128);
        assertErrno(Posix.ENAMETOOLONG, () -> Libc.open(d.resolve(wide), Libc.O_CREAT | Libc.O_WRONLY, 0644));
        try (var s = Files.list(d)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("ok");
        }
    }

    @Test
    void everyByteButSlashAndNulMayAppearInAName(TestInfo info) throws IOException {
        Path d = dir(info);
        List<byte[]> names = new ArrayList<>();
        for (int b = 1; b < 256; b++) {
            if (b == '/') {
                continue;
            }
            if (b != '.') {
                names.add(new byte[] {(byte) b});
            }
            names.add(new byte[] {'a', (byte) b, 'z'});
        }
        names.add(new byte[] {'.', '.', '.'});
        names.add(new byte[] {'.', 'h'});
        names.add(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3}); // not UTF-8
        names.add(new byte[] {' ', '\n', '\t', ' '});
        for (byte[] n : names) {
            byte[] p = Posix.rawPath(d, n);
            int fd = Posix.openRaw(p, Libc.O_CREAT | Libc.O_EXCL | Libc.O_WRONLY, 0644);
            try {
                Posix.write(fd, n);
            } finally {
                Libc.close(fd);
            }
        }
        Set<String> want = hex(names);
        assertThat(hex(Posix.listRaw(d))).isEqualTo(want);
        // Each name reaches its own file, and renames keep the bytes.
        for (byte[] n : names) {
            int fd = Posix.openRaw(Posix.rawPath(d, n), Libc.O_RDONLY, 0);
            try {
                assertThat(Posix.pread(fd, 0, 10)).isEqualTo(n);
            } finally {
                Libc.close(fd);
            }
            byte[] renamed = Arrays.copyOf(n, n.length + 1);
            renamed[n.length] = (byte) 0x80;
            Posix.renameRaw(Posix.rawPath(d, n), Posix.rawPath(d, renamed));
            Posix.unlinkRaw(Posix.rawPath(d, renamed));
        }
        assertThat(Posix.listRaw(d)).isEmpty();
        assertErrno(Posix.EEXIST, () -> Posix.mkdirRaw(Posix.rawPath(d, new byte[] {'.'}), 0755));
        assertErrno(Posix.EEXIST, () -> Posix.mkdirRaw(Posix.rawPath(d, new byte[] {'.', '.'}), 0755));
    }

    private static Set<String> hex(List<byte[]> names) {
        Set<String> s = new TreeSet<>();
        for (byte[] n : names) {
            s.add(HexFormat.of().formatHex(n));
        }
        return s;
    }
}
