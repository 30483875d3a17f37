package dev.strata.it.posix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** rename(2) and renameat2(2): atomic replace, directories, NOREPLACE, EXCHANGE and the error cases. */
class RenameTest extends OnMount {

    @Test
    void renameMovesAFileAndKeepsItsInode(TestInfo info) throws IOException {
        Path d = dir(info);
        Files.writeString(d.resolve("a"), "alpha");
        long ino = Libc.stat(d.resolve("a"), false).ino();
        Files.createDirectory(d.resolve("sub"));
        Posix.rename(d.resolve("a"), d.resolve("sub/b"));
        assertThat(Files.exists(d.resolve("a"))).isFalse();
        assertThat(Files.readString(d.resolve("sub/b"))).isEqualTo("alpha");
        assertThat(Libc.stat(d.resolve("sub/b"), false).ino()).isEqualTo(ino);
    }

    @Test
    void renameReplacesAnExistingFileAtomically(TestInfo info) throws Exception {
        Path d = dir(info);
        Files.writeString(d.resolve("target"), "old");
        int oldFd = Libc.open(d.resolve("target"), Libc.O_RDONLY, 0);
        try {
            // A reader that opens the name in a loop must always find a whole file, old or new.
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService ex = Executors.newSingleThreadExecutor();
            Future<Integer> reader = ex.submit(() -> {
                int reads = 0;
                while (!stop.get() && reads < 1_000_000) {
                    String s = Files.readString(d.resolve("target"));
                    if (!s.startsWith("version-") && !s.equals("old")) {
                        throw new AssertionError("saw '" + s + "'");
                    }
                    reads++;
                }
                return reads;
            });
            for (int i = 0; i < 200; i++) {
                Path tmp = d.resolve("tmp" + i);
                Files.writeString(tmp, "version-" + i);
                Posix.rename(tmp, d.resolve("target"));
            }
            stop.set(true);
            assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
            ex.shutdownNow();
            assertThat(Files.readString(d.resolve("target"))).isEqualTo("version-199");
            assertThat(new String(Posix.pread(oldFd, 0, 100))).as("an open descriptor keeps the replaced file")
                    .isEqualTo("old");
            assertThat(Libc.fstat(oldFd).nlink()).isZero();
        } finally {
            Libc.close(oldFd);
        }
        try (var s = Files.list(d)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("target");
        }
    }

    @Test
    void renameMovesADirectoryWithItsContents(TestInfo info) throws IOException {
        Path d = dir(info);
        Files.createDirectories(d.resolve("a/inner"));
        Files.writeString(d.resolve("a/inner/f"), "deep");
        Files.createDirectory(d.resolve("b"));
        Posix.rename(d.resolve("a"), d.resolve("b/a2"));
        assertThat(Files.readString(d.resolve("b/a2/inner/f"))).isEqualTo("deep");
        assertThat(Libc.stat(d.resolve("b/a2/.."), false).ino()).isEqualTo(Libc.stat(d.resolve("b"), false).ino());
        assertThat(Files.exists(d.resolve("a"))).isFalse();
    }

    @Test
    void renameOverAnEmptyDirectoryReplacesIt(TestInfo info) throws IOException {
        Path d = dir(info);
        Files.createDirectories(d.resolve("src/x"));
        Files.createDirectory(d.resolve("empty"));
        int before = Libc.stat(d, false).nlink();
        Posix.rename(d.resolve("src"), d.resolve("empty"));
        assertThat(Files.isDirectory(d.resolve("empty/x"))).isTrue();
        assertThat(Libc.stat(d, false).nlink()).isEqualTo(before - 1);
    }

    @Test
    void renameErrorsAreThePosixOnes(TestInfo info) throws IOException {
        Path d = dir(info);
        Files.createDirectories(d.resolve("dir/child"));
        Files.createDirectory(d.resolve("full"));
        Files.createFile(d.resolve("full/f"));
        Files.createFile(d.resolve("file"));
        assertErrno(Posix.ENOENT, () -> Posix.rename(d.resolve("missing"), d.resolve("x")));
        assertErrno(Posix.ENOENT, () -> Posix.rename(d.resolve("file"), d.resolve("nodir/x")));
        assertErrno(Posix.ENOTEMPTY, () -> Posix.rename(d.resolve("dir"), d.resolve("full")));
        assertErrno(Posix.ENOTDIR, () -> Posix.rename(d.resolve("dir"), d.resolve("file")));
        assertErrno(Posix.EISDIR, () -> Posix.rename(d.resolve("file"), d.resolve("full")));
        assertErrno(Posix.EINVAL, () -> Posix.rename(d.resolve("dir"), d.resolve("dir/child/into")));
        assertErrno(Posix.EINVAL, () -> Posix.rename(d.resolve("dir"), d.resolve("dir/into")));
        assertErrno(Posix.ENOTDIR, () -> Posix.rename(d.resolve("file"), d.resolve("file/x")));
        assertErrno(Posix.EXDEV, () -> Posix.rename(d.resolve("file"), mount.work().resolve("outside")));
        // Nothing moved.
        assertThat(Files.isDirectory(d.resolve("dir/child"))).isTrue();
        assertThat(Files.isRegularFile(d.resolve("full/f"))).isTrue();
        assertThat(Files.isRegularFile(d.resolve("file"))).isTrue();
    }

    @Test
    void renameBetweenTwoLinksOfOneFileDoesNothing(TestInfo info) throws IOException {
        Path d = dir(info);
        Files.writeString(d.resolve("a"), "x");
        Posix.link(d.resolve("a"), d.resolve("b"));
        Posix.rename(d.resolve("a"), d.resolve("b"));
        assertThat(Files.exists(d.resolve("a"))).isTrue();
        assertThat(Files.exists(d.resolve("b"))).isTrue();
        assertThat(Libc.stat(d.resolve("a"), false).nlink()).isEqualTo(2);
    }

    @Test
    void renameNoReplaceRefusesAnExistingTarget(TestInfo info) throws IOException {
        Path d = dir(info);
        Files.writeString(d.resolve("a"), "a");
        Files.writeString(d.resolve("b"), "b");
        assertErrno(Posix.EEXIST, () -> Posix.renameat2(d.resolve("a"), d.resolve("b"), Posix.RENAME_NOREPLACE));
        assertThat(Files.readString(d.resolve("a"))).isEqualTo("a");
        assertThat(Files.readString(d.resolve("b"))).isEqualTo("b");
        Posix.renameat2(d.resolve("a"), d.resolve("c"), Posix.RENAME_NOREPLACE);
        assertThat(Files.readString(d.resolve("c"))).isEqualTo("a");
        assertThat(Files.exists(d.resolve("a"))).isFalse();
    }

    @Test
    void renameExchangeSwapsTwoNames(TestInfo info) throws IOException {
        Path d = dir(info);
        Files.writeString(d.resolve("file"), "content");
        Files.createDirectories(d.resolve("dir/inside"));
        Files.createDirectory(d.resolve("other"));
        long fileIno = Libc.stat(d.resolve("file"), false).ino();
        long dirIno = Libc.stat(d.resolve("dir"), false).ino();
        Posix.renameat2(d.resolve("file"), d.resolve("dir"), Posix.RENAME_EXCHANGE);
        assertThat(Files.readString(d.resolve("dir"))).isEqualTo("content");
        assertThat(Files.isDirectory(d.resolve("file/inside"))).isTrue();
        assertThat(Libc.stat(d.resolve("dir"), false).ino()).isEqualTo(fileIno);
        assertThat(Libc.stat(d.resolve("file"), false).ino()).isEqualTo(dirIno);
        // Across directories: link counts of both parents follow the directory.
        int dBefore = Libc.stat(d, false).nlink();
        Files.writeString(d.resolve("other/f"), "in other");
        Posix.renameat2(d.resolve("file"), d.resolve("other/f"), Posix.RENAME_EXCHANGE);
        assertThat(Files.isDirectory(d.resolve("other/f/inside"))).isTrue();
        assertThat(Files.readString(d.resolve("file"))).isEqualTo("in other");
        assertThat(Libc.stat(d, false).nlink()).isEqualTo(dBefore - 1);
        assertThat(Libc.stat(d.resolve("other"), false).nlink()).isEqualTo(3);
        assertThat(Libc.stat(d.resolve("other/f/.."), false).ino())
                .isEqualTo(Libc.stat(d.resolve("other"), false).ino());
        assertErrno(Posix.ENOENT, () -> Posix.renameat2(d.resolve("file"), d.resolve("missing"),
                Posix.RENAME_EXCHANGE));
        assertErrno(Posix.EINVAL, () -> Posix.renameat2(d.resolve("file"), d.resolve("dir"),
                Posix.RENAME_EXCHANGE | Posix.RENAME_NOREPLACE));
        assertErrno(Posix.EINVAL, () -> Posix.renameat2(d.resolve("other"), d.resolve("other/f/inside"),
                Posix.RENAME_EXCHANGE));
    }

    @Test
    void renameSurvivesARemountUnderManyNames(TestInfo info) throws IOException {
        Path d = dir(info);
        for (int i = 0; i < 20; i++) {
            Files.writeString(d.resolve("n" + i), "v" + i);
        }
        for (int i = 0; i < 20; i++) {
            Posix.renameat2(d.resolve("n" + i), d.resolve("n" + ((i + 1) % 20)), i == 19 ? 0 : Posix.RENAME_EXCHANGE);
        }
        // The last plain rename replaced n0; read everything back after a remount.
        java.util.Map<String, String> before = new java.util.TreeMap<>();
        try (var s = Files.list(d)) {
            for (Path p : s.toList()) {
                before.put(p.getFileName().toString(), Files.readString(p));
            }
        }
        mount.remount(mountArgs());
        java.util.Map<String, String> after = new java.util.TreeMap<>();
        try (var s = Files.list(d)) {
            for (Path p : s.toList()) {
                after.put(p.getFileName().toString(), Files.readString(p));
            }
        }
        assertThat(after).isEqualTo(before).hasSize(19);
    }
}
