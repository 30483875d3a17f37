package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real mount of {@link MemFs}, used through Java file APIs and shell tools. Needs root. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MountedFsTest {
    @TempDir
    Path dir;
    MountFixture m;

    @TempDir
    Path backing;

    @BeforeEach
    void mount() throws Exception {
        MountFixture.assumeMountable();
        m = MountFixture.mount(dir, fileSystem(backing), config(dir));
    }

    /** The engine under the mount; subclasses run the same tests on other set-ups. */
    MemFs fileSystem(Path backingDir) {
        return new MemFs();
    }

    FuseConfig config(Path mountpoint) {
        return MountFixture.config(mountpoint);
    }

    @AfterEach
    void unmount() {
        if (m != null) {
            m.close();
        }
    }

    private MountFixture.Result sh(String... cmd) throws Exception {
        return MountFixture.run(cmd);
    }

    @Test
    void createsWritesReadsAndAppends() throws Exception {
        Path f = m.path("a.txt");
        Files.writeString(f, "hello");
        Files.writeString(f, " world", java.nio.file.StandardOpenOption.APPEND);
        assertThat(Files.readString(f)).isEqualTo("hello world");
        assertThat(Files.size(f)).isEqualTo(11);
        assertThat(sh("cat", f.toString()).output()).isEqualTo("hello world");
    }

    @Test
    void copiesALargeFileWithDdAndReadsItBack() throws Exception {
        Path src = Files.createTempFile("strata-src", ".bin");
        try {
            byte[] data = new byte[9 * 1024 * 1024 + 123];
            new Random(42).nextBytes(data);
            Files.write(src, data);
            Path dst = m.path("big.bin");
            MountFixture.Result dd = sh("dd", "if=" + src, "of=" + dst, "bs=1M", "status=none");
            assertThat(dd.exit()).as(dd.output()).isZero();
            assertThat(Files.size(dst)).isEqualTo(data.length);
            assertThat(Files.readAllBytes(dst)).isEqualTo(data);
            assertThat(sh("cmp", src.toString(), dst.toString()).exit()).isZero();
            // Random access through the same file.
            try (RandomAccessFile raf = new RandomAccessFile(dst.toFile(), "rw")) {
                raf.seek(5_000_000);
                raf.write("patch".getBytes(StandardCharsets.US_ASCII));
                raf.seek(4_999_998);
                byte[] b = new byte[9];
                raf.readFully(b);
                assertThat(b[2]).isEqualTo((byte) 'p');
                assertThat(new String(b, 2, 5, StandardCharsets.US_ASCII)).isEqualTo("patch");
            }
        } finally {
            Files.deleteIfExists(src);
        }
    }

    @Test
    void listsADirectoryOfThreeThousandEntries() throws Exception {
        Path d = Files.createDirectory(m.path("many"));
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            String name = "file-with-a-longish-name-" + i;
            Files.createFile(d.resolve(name));
            expected.add(name);
        }
        try (Stream<Path> s = Files.list(d)) {
            assertThat(s.map(p -> p.getFileName().toString()).collect(Collectors.toSet())).isEqualTo(expected);
        }
        MountFixture.Result ls = sh("ls", "-1", d.toString());
        assertThat(ls.output().lines().collect(Collectors.toSet())).isEqualTo(expected);
        MountFixture.Result lsl = sh("ls", "-la", d.toString());
        assertThat(lsl.output().lines().filter(l -> l.contains("file-with")).count()).isEqualTo(3000);
        assertThat(lsl.output()).contains(" .\n").contains(" ..\n");
        assertThat(m.session.requests(Proto.READDIR) + m.session.requests(Proto.READDIRPLUS))
                .as("a 3000-entry listing takes several readdir rounds, continued by offset").isGreaterThan(2);
    }

    @Test
    void renamesUnlinksAndMakesAndRemovesDirectories() throws Exception {
        Files.writeString(m.path("x"), "x");
        assertThat(sh("mv", m.path("x").toString(), m.path("y").toString()).exit()).isZero();
        assertThat(Files.exists(m.path("x"))).isFalse();
        assertThat(Files.readString(m.path("y"))).isEqualTo("x");
        Files.createDirectories(m.path("d1/d2"));
        Files.move(m.path("y"), m.path("d1/d2/z"));
        Files.move(m.path("d1"), m.path("d3"));
        assertThat(Files.readString(m.path("d3/d2/z"))).isEqualTo("x");
        Files.writeString(m.path("w"), "w");
        Files.move(m.path("w"), m.path("d3/d2/z"), StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.readString(m.path("d3/d2/z"))).isEqualTo("w");
        assertThatThrownBy(() -> Files.delete(m.path("d3"))).isInstanceOf(DirectoryNotEmptyException.class);
        MountFixture.Result rmdir = sh("rmdir", m.path("d3").toString());
        assertThat(rmdir.exit()).isNotZero();
        assertThat(rmdir.output()).contains("Directory not empty");
        MountFixture.Result mkdir = sh("mkdir", m.path("d3").toString());
        assertThat(mkdir.exit()).isNotZero();
        assertThat(mkdir.output()).contains("File exists");
        Files.delete(m.path("d3/d2/z"));
        assertThat(sh("rmdir", m.path("d3/d2").toString()).exit()).isZero();
        Files.delete(m.path("d3"));
        try (Stream<Path> s = Files.list(m.mountpoint)) {
            assertThat(s.count()).isZero();
        }
    }

    @Test
    void reportsErrorsWithTheRightErrno() throws Exception {
        assertThatThrownBy(() -> Files.readString(m.path("missing"))).isInstanceOf(NoSuchFileException.class);
        assertThat(sh("cat", m.path("missing").toString()).output()).contains("No such file or directory");
        Files.createFile(m.path("f"));
        assertThatThrownBy(() -> Files.createFile(m.path("f"))).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(sh("ln", m.path("f").toString(), m.path("f").toString()).output()).contains("File exists");
        assertThat(sh("ls", m.path("f/sub").toString()).output()).contains("Not a directory");
        String longName = "n".repeat(300);
        assertThat(sh("touch", m.path(longName).toString()).output()).contains("File name too long");
        // A second miss of the same name is answered from the kernel's negative entry cache.
        long lookups = m.session.requests(Proto.LOOKUP);
        assertThat(Files.exists(m.path("missing"))).isFalse();
        assertThat(m.session.requests(Proto.LOOKUP)).isEqualTo(lookups);
    }

    @Test
    void symlinksAndHardLinks() throws Exception {
        Files.writeString(m.path("target"), "data");
        Files.createSymbolicLink(m.path("link"), Path.of("target"));
        assertThat(Files.readSymbolicLink(m.path("link"))).isEqualTo(Path.of("target"));
        assertThat(Files.readString(m.path("link"))).isEqualTo("data");
        assertThat(sh("readlink", m.path("link").toString()).output().strip()).isEqualTo("target");
        assertThat(sh("ln", m.path("target").toString(), m.path("hard").toString()).exit()).isZero();
        assertThat(sh("stat", "-c", "%h", m.path("target").toString()).output().strip()).isEqualTo("2");
        Files.delete(m.path("target"));
        assertThat(Files.readString(m.path("hard"))).isEqualTo("data");
        assertThat(Files.exists(m.path("link"))).isFalse(); // dangling
    }

    @Test
    void extendedAttributes() throws Exception {
        Path f = Files.createFile(m.path("x"));
        UserDefinedFileAttributeView v = Files.getFileAttributeView(f, UserDefinedFileAttributeView.class);
        v.write("color", StandardCharsets.UTF_8.encode("blue"));
        byte[] big = new byte[40_000];
        new Random(1).nextBytes(big);
        v.write("big", ByteBuffer.wrap(big));
        assertThat(v.list()).containsExactlyInAnyOrder("color", "big");
        assertThat(v.size("color")).isEqualTo(4);
        ByteBuffer buf = ByteBuffer.allocate(v.size("big"));
        v.read("big", buf);
        assertThat(buf.array()).isEqualTo(big);
        v.delete("color");
        assertThat(v.list()).containsExactly("big");
        assertThatThrownBy(() -> v.read("color", ByteBuffer.allocate(10))).hasMessageContaining("No data");
    }

    @Test
    void statfsTruncateChmodAndTimes() throws Exception {
        FileStore store = Files.getFileStore(m.mountpoint);
        assertThat(store.getTotalSpace()).isEqualTo(1_000_000L * 4096);
        assertThat(store.getUsableSpace()).isEqualTo(500_000L * 4096);
        assertThat(sh("stat", "-f", "-c", "%b %a %c", m.mountpoint.toString()).output().strip())
                .isEqualTo("1000000 500000 100000");
        Path f = m.path("t");
        Files.writeString(f, "0123456789");
        assertThat(sh("truncate", "-s", "4", f.toString()).exit()).isZero();
        assertThat(Files.readString(f)).isEqualTo("0123");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(8192);
        }
        assertThat(Files.size(f)).isEqualTo(8192);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(sh("stat", "-c", "%a", f.toString()).output().strip()).isEqualTo("640");
        assertThat(sh("touch", "-d", "2001-02-03 04:05:06 UTC", f.toString()).exit()).isZero();
        assertThat(sh("stat", "-c", "%Y", f.toString()).output().strip()).isEqualTo("981173106");
        assertThat(sh("chown", "1234:5678", f.toString()).exit()).isZero();
        assertThat(sh("stat", "-c", "%u %g", f.toString()).output().strip()).isEqualTo("1234 5678");
    }

    @Test
    void theKernelAcceptsInvalidationNotifications() throws Exception {
        Files.writeString(m.path("cached"), "v1");
        long ino = (Long) Files.getAttribute(m.path("cached"), "unix:ino");
        assertThat(m.session.invalidateInode(ino, 0, 0)).isTrue();
        assertThat(m.session.invalidateEntry(Proto.ROOT_ID, dev.strata.core.Name.of("cached"))).isTrue();
        assertThat(m.session.invalidateEntry(Proto.ROOT_ID, dev.strata.core.Name.of("never-looked-up"))).isFalse();
        assertThat(m.session.invalidateInode(999_999, 0, 0)).isFalse();
        // After the entry was dropped the next access looks the name up again.
        long lookups = m.session.requests(Proto.LOOKUP);
        assertThat(Files.readString(m.path("cached"))).isEqualTo("v1");
        assertThat(m.session.requests(Proto.LOOKUP)).isGreaterThan(lookups);
    }

    @Test
    void endsTheSessionWhenUnmountedFromOutside() throws Exception {
        Files.writeString(m.path("f"), "x");
        assertThat(sh("umount", m.mountpoint.toString()).exit()).isZero();
        assertThat(m.session.ended().get(10, TimeUnit.SECONDS)).isEqualTo(FuseSession.End.UNMOUNTED);
        assertThat(m.fs.destroyed).isTrue();
        assertThat(MountTable.at(m.mountpoint)).isEmpty();
        m.close(); // idempotent after the end
    }

    @Test
    void copyFileRangeAndFallocate() throws Exception {
        byte[] data = new byte[300_000];
        new Random(7).nextBytes(data);
        Files.write(m.path("src"), data);
        MountFixture.Result cp = sh("cp", "--reflink=never", m.path("src").toString(), m.path("dst").toString());
        assertThat(cp.exit()).as(cp.output()).isZero();
        assertThat(Files.readAllBytes(m.path("dst"))).isEqualTo(data);
        assertThat(sh("fallocate", "-l", "1000000", m.path("alloc").toString()).exit()).isZero();
        assertThat(Files.size(m.path("alloc"))).isEqualTo(1_000_000);
        List<String> names;
        try (Stream<Path> s = Files.list(m.mountpoint)) {
            names = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(names).containsExactly("alloc", "dst", "src");
    }
}
