package dev.strata.it.posix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Directories: link counts, listings (large, and while entries go away), and their error cases. */
class DirectoryTest extends OnMount {

    private static int nlink(Path p) throws IOException {
        return Libc.stat(p, true).nlink();
    }

    @Test
    void linkCountIsTwoPlusTheNumberOfSubdirectories(TestInfo info) throws IOException {
        Path d = dir(info);
        Path a = Files.createDirectory(d.resolve("a"));
        assertThat(nlink(a)).isEqualTo(2);
        for (int i = 0; i < 3; i++) {
            Files.createDirectory(a.resolve("sub" + i));
        }
        Files.createFile(a.resolve("file"));
        Posix.symlink("file", a.resolve("link"));
        assertThat(nlink(a)).as("three subdirectories; files and symlinks do not count").isEqualTo(5);
        Posix.rmdir(a.resolve("sub0"));
        assertThat(nlink(a)).isEqualTo(4);
        Path b = Files.createDirectory(d.resolve("b"));
        Posix.rename(a.resolve("sub1"), b.resolve("moved"));
        assertThat(nlink(a)).isEqualTo(3);
        assertThat(nlink(b)).isEqualTo(3);
        assertThat(nlink(d)).isEqualTo(4);
    }

    @Test
    void dotAndDotDotNameTheDirectoryAndItsParent(TestInfo info) throws IOException {
        Path d = dir(info);
        Path sub = Files.createDirectories(d.resolve("x/y"));
        assertThat(Libc.stat(sub.resolve(".."), false).ino()).isEqualTo(Libc.stat(d.resolve("x"), false).ino());
        assertThat(Libc.stat(sub.resolve("."), false).ino()).isEqualTo(Libc.stat(sub, false).ino());
        Child.Result ls = Child.sh("ls -a '" + sub + "'");
        assertThat(ls.out().lines().toList()).containsExactly(".", "..");
    }

    @Test
    void listsThousandsOfEntriesExactlyOnce(TestInfo info) throws IOException {
        Path d = dir(info);
        int count = 5000;
        Set<String> want = new HashSet<>();
        for (int i = 0; i < count; i++) {
            String name = "entry-" + i;
            want.add(name);
            if (i % 10 == 0) {
                Files.createDirectory(d.resolve(name));
            } else {
                Files.createFile(d.resolve(name));
            }
        }
        List<String> seen = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(d)) {
            for (Path p : s) {
                seen.add(p.getFileName().toString());
            }
        }
        assertThat(seen).hasSize(count).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(want);
        assertThat(nlink(d)).isEqualTo(2 + count / 10);
        // ls reads with its own buffer size and sees the same.
        Child.Result ls = Child.sh("ls -f '" + d + "' | wc -l");
        assertThat(ls.out().strip()).isEqualTo(String.valueOf(count + 2));
    }

    @Test
    void listingStaysCorrectWhileEntriesAreRemoved(TestInfo info) throws IOException {
        Path d = dir(info);
        int count = 3000;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add("f" + i);
            Files.createFile(d.resolve("f" + i));
        }
        Random rnd = new Random(7);
        Set<String> seen = new HashSet<>();
        Set<String> removedUnseen = new HashSet<>();
        List<String> remaining = new ArrayList<>(names);
        try (DirectoryStream<Path> s = Files.newDirectoryStream(d)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                assertThat(seen.add(n)).as("%s listed twice", n).isTrue();
                if (removedUnseen.contains(n)) {
                    continue; // removed before the listing reached it, and returned anyway: allowed
                }
                // rm -r style: remove what was just listed, and now and then one not listed yet.
                Files.delete(p);
                remaining.remove(n);
                if (rnd.nextInt(4) == 0 && !remaining.isEmpty()) {
                    String victim = remaining.remove(rnd.nextInt(remaining.size()));
                    if (!seen.contains(victim)) {
                        removedUnseen.add(victim);
                        Files.delete(d.resolve(victim));
                    } else {
                        remaining.add(victim);
                    }
                }
            }
        }
        // POSIX: an entry removed before the listing reached it may or may not be returned; every
        // other entry is returned exactly once.
        Set<String> mustSee = new HashSet<>(names);
        mustSee.removeAll(removedUnseen);
        assertThat(seen).containsAll(mustSee);
        assertThat(removedUnseen).isNotEmpty();
        try (Stream<Path> s = Files.list(d)) {
            assertThat(s.map(p -> p.getFileName().toString()).collect(Collectors.toList())).isEmpty();
        }
        Posix.rmdir(d);
    }

    @Test
    void listingSeesEntriesCreatedBeforeItStarts(TestInfo info) throws IOException {
        Path d = dir(info);
        try (DirectoryStream<Path> s = Files.newDirectoryStream(d)) {
            Files.createFile(d.resolve("late"));
            // Whether an entry added after opendir shows up is unspecified; this only must not fail.
            s.forEach(p -> { });
        }
        try (Stream<Path> s = Files.list(d)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("late");
        }
    }

    @Test
    void directoryErrorsAreThePosixOnes(TestInfo info) throws IOException {
        Path d = dir(info);
        Path sub = Files.createDirectory(d.resolve("sub"));
        Files.createFile(sub.resolve("f"));
        assertErrno(Posix.ENOTEMPTY, () -> Posix.rmdir(sub));
        assertErrno(Posix.ENOTDIR, () -> Posix.rmdir(sub.resolve("f")));
        assertErrno(Posix.EEXIST, () -> Libc.mkdir(sub, 0755));
        assertErrno(Posix.EEXIST, () -> Libc.mkdir(sub.resolve("f"), 0755));
        assertErrno(Posix.EISDIR, () -> Libc.unlink(sub));
        assertErrno(Posix.EISDIR, () -> Libc.open(sub, Libc.O_WRONLY, 0));
        assertErrno(Posix.ENOTDIR, () -> Libc.mkdir(sub.resolve("f/x"), 0755));
        assertErrno(Posix.ENOENT, () -> Libc.mkdir(d.resolve("missing/x"), 0755));
        assertErrno(Posix.ENOENT, () -> Posix.rmdir(d.resolve("missing")));
        assertErrno(Posix.EINVAL, () -> Posix.rmdir(sub.resolve(".")));
        assertErrno(Posix.ENOTEMPTY, () -> Posix.rmdir(sub.resolve("..")));
        Libc.unlink(sub.resolve("f"));
        Posix.rmdir(sub);
        assertThat(Files.exists(sub)).isFalse();
    }

    @Test
    void aRemovedWorkingDirectoryCannotGetNewEntries(TestInfo info) throws IOException {
        Path d = dir(info);
        Path gone = Files.createDirectory(d.resolve("gone"));
        int fd = Libc.open(gone, Libc.O_RDONLY | Libc.O_DIRECTORY, 0);
        try {
            Posix.rmdir(gone);
            Libc.Statx st = Libc.fstat(fd);
            assertThat(st.nlink()).as("a removed directory has no links").isZero();
        } finally {
            Libc.close(fd);
        }
        Child.Result r = Child.sh("mkdir '" + gone + "' && cd '" + gone + "' && rmdir '" + gone
                + "' && touch x 2>/dev/null; echo $?");
        assertThat(r.out().strip()).as("touch in a removed working directory").isEqualTo("1");
    }

    @Test
    void directorySizeIsReportedAs4096(TestInfo info) throws IOException {
        // Strata's promise (ext4 grows directories in blocks; Strata has no directory blocks).
        Path d = dir(info);
        for (int i = 0; i < 500; i++) {
            Files.createFile(d.resolve("a-rather-long-file-name-to-fill-blocks-" + i));
        }
        assertThat(Libc.stat(d, false).size()).isEqualTo(4096);
    }
}
