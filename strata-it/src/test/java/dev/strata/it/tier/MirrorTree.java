package dev.strata.it.tier;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The tree the mirror tests write through the mount and expect to find in the bucket: nested
 * directories (one empty), small files, one large file (uploaded in parts: Strata's part size is
 * 16 MiB), and a symlink, whose object holds its target. Immutable; {@link #renamed} and
 * {@link #without} give the tree after a change.
 */
final class MirrorTree {
    enum Type { DIRECTORY, FILE, SYMLINK }

    /** One name: a directory, a file with its bytes, or a symlink with its target's bytes. */
    record Entry(String path, Type type, byte[] bytes) {}

    private final SortedMap<String, Entry> entries;

    private MirrorTree(SortedMap<String, Entry> entries) {
        this.entries = entries;
    }

    /** The standard tree under {@code top/}, its contents drawn from {@code seed}. */
    static MirrorTree sample(long seed, int bigBytes) {
        Random random = new Random(seed);
        SortedMap<String, Entry> e = new TreeMap<>();
        for (String d : List.of("top", "top/data", "top/data/nested", "top/data/nested/deep", "top/empty")) {
            e.put(d, new Entry(d, Type.DIRECTORY, null));
        }
        file(e, "top/readme.txt", "a small text file for the capacity tier\n".getBytes(StandardCharsets.UTF_8));
        file(e, "top/data/a.bin", bytes(random, 4096));
        file(e, "top/data/nested/deep/z.txt", "deep\n".getBytes(StandardCharsets.UTF_8));
        file(e, "top/data/big.bin", bytes(random, bigBytes));
        e.put("top/link", new Entry("top/link", Type.SYMLINK, "data/a.bin".getBytes(StandardCharsets.UTF_8)));
        return new MirrorTree(e);
    }

    private static void file(SortedMap<String, Entry> e, String path, byte[] bytes) {
        e.put(path, new Entry(path, Type.FILE, bytes));
    }

    static byte[] bytes(Random random, int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    Collection<Entry> entries() {
        return entries.values();
    }

    Entry get(String path) {
        Entry e = entries.get(path);
        assertThat(e).as("tree entry " + path).isNotNull();
        return e;
    }

    /** Creates the tree under {@code root} with plain calls: mkdir, open/write/close, symlink. */
    void create(Path root) throws IOException {
        for (Entry e : entries.values()) { // parents sort before their children
            Path p = root.resolve(e.path());
            switch (e.type()) {
                case DIRECTORY -> Files.createDirectory(p);
                case FILE -> Files.write(p, e.bytes());
                case SYMLINK -> Files.createSymbolicLink(p, Path.of(new String(e.bytes(), StandardCharsets.UTF_8)));
            }
        }
    }

    /** The regular files of the tree, resolved under {@code root}. */
    List<Path> files(Path root) {
        return entries.values().stream().filter(e -> e.type() == Type.FILE).map(e -> root.resolve(e.path())).toList();
    }

    /**
     * What {@code rclone lsf -R} should print for the bucket, sorted: files and symlinks by path,
     * directories with a trailing '/'; directories with no file or symlink below them only if
     * {@code emptyDirectories}.
     */
    List<String> listing(boolean emptyDirectories) {
        List<String> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.type() != Type.DIRECTORY) {
                out.add(e.path());
            } else if (emptyDirectories || holdsObjects(e.path())) {
                out.add(e.path() + "/");
            }
        }
        return out.stream().sorted().toList();
    }

    private boolean holdsObjects(String dir) {
        return entries.values().stream().anyMatch(e -> e.type() != Type.DIRECTORY && e.path().startsWith(dir + "/"));
    }

    /** The tree after {@code rename(from, to)} of a directory or file. */
    MirrorTree renamed(String from, String to) {
        SortedMap<String, Entry> e = new TreeMap<>();
        for (Entry x : entries.values()) {
            String p = x.path();
            if (p.equals(from) || p.startsWith(from + "/")) {
                p = to + p.substring(from.length());
            }
            e.put(p, new Entry(p, x.type(), x.bytes()));
        }
        return new MirrorTree(e);
    }

    /** The tree after {@code path} is removed. */
    MirrorTree without(String path) {
        SortedMap<String, Entry> e = new TreeMap<>(entries);
        assertThat(e.remove(path)).as("tree entry " + path).isNotNull();
        return new MirrorTree(e);
    }

    /**
     * Asserts that {@code copy} (a local copy of the bucket made by rclone) holds every file and
     * symlink of the tree byte for byte, a symlink as a regular file holding its target, and
     * nothing else.
     */
    void assertCopyMatches(Path copy) throws IOException {
        List<String> found = new ArrayList<>();
        try (var walk = Files.walk(copy)) {
            for (Path p : walk.filter(p -> !p.equals(copy)).toList()) {
                String rel = copy.relativize(p).toString();
                found.add(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? rel + "/" : rel);
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Entry e = get(rel);
                    assertSameBytes("object " + rel + " (" + e.type() + ")", Files.readAllBytes(p), e.bytes());
                }
            }
        }
        // rclone copy makes directories only for what it copies into them (no empty ones).
        assertThat(found.stream().sorted().toList()).isEqualTo(listing(false));
    }

    /** Asserts equal bytes, naming the first differing offset instead of dumping arrays. */
    static void assertSameBytes(String what, byte[] actual, byte[] expected) {
        int at = Arrays.mismatch(actual, expected);
        assertThat(at).as(what + ": " + actual.length + " bytes, expected " + expected.length
                + (at < 0 ? "" : "; first difference at offset " + at)).isEqualTo(-1);
    }
}
