package dev.strata.core.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The keys of a directory tree in UTF-8 byte order of the full key, lazily, for {@link Listings}.
 *
 * <p>Directory order is not key order, and neither is sorting names within a directory: the keys
 * under directory {@code a} all begin {@code "a/"}, so they sort after a sibling file {@code a.b}
 * ('.' is 0x2E, '/' 0x2F) and before {@code a0}. Sorting each directory's entries by their name
 * plus '/' for directories, then walking depth first, yields exactly the byte order of full keys,
 * because no sibling's name can fall between {@code "a/"} and the keys that extend it. A directory
 * carrying an {@link ObjectRecord} is a marker and yields its own key ({@code "a/"}) before its
 * children. Subtrees entirely at or before {@code after} are not entered, so a continued listing
 * does not walk what earlier pages covered. Anything but regular files and directories (links,
 * sockets) is not an object and is skipped.
 */
final class KeyOrderWalk implements Iterator<String> {
    private record Entry(String key, Path path, boolean directory) {}

    private final Path staging;
    private final String after;
    private final Deque<Iterator<Entry>> stack = new ArrayDeque<>();
    private String next;

    /**
     * @param dir the directory whose entries have keys {@code dirKey + name}
     * @param namePrefix only keys starting with {@code dirKey + namePrefix} are walked
     * @param after skip keys at or before this one, or null
     */
    KeyOrderWalk(Path dir, String dirKey, String namePrefix, String after, Path staging) {
        this.staging = staging;
        this.after = after;
        List<Entry> top = entries(dir, dirKey);
        top.removeIf(e -> !(e.key().startsWith(dirKey + namePrefix)));
        stack.push(top.iterator());
    }

    @Override
    public boolean hasNext() {
        while (next == null && !stack.isEmpty()) {
            Iterator<Entry> it = stack.peek();
            if (!it.hasNext()) {
                stack.pop();
                continue;
            }
            Entry e = it.next();
            if (!e.directory()) {
                if (after == null || ObjectKeys.UTF8_ORDER.compare(e.key(), after) > 0) {
                    next = e.key();
                }
                continue;
            }
            // Every key in this subtree starts with e.key(); skip it if all of them are <= after.
            if (after != null && !after.startsWith(e.key()) && ObjectKeys.UTF8_ORDER.compare(e.key(), after) < 0) {
                continue;
            }
            stack.push(entries(e.path(), e.key()).iterator());
            if (isMarker(e.path()) && (after == null || ObjectKeys.UTF8_ORDER.compare(e.key(), after) > 0)) {
                next = e.key();
            }
        }
        return next != null;
    }

    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        String k = next;
        next = null;
        return k;
    }

    private List<Entry> entries(Path dir, String dirKey) {
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                if (child.equals(staging)) {
                    continue;
                }
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException vanished) {
                    continue;
                }
                String name = child.getFileName().toString();
                if (attrs.isDirectory()) {
                    out.add(new Entry(dirKey + name + "/", child, true));
                } else if (attrs.isRegularFile()) {
                    out.add(new Entry(dirKey + name, child, false));
                }
            }
        } catch (NoSuchFileException | NotDirectoryException gone) {
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort((x, y) -> ObjectKeys.UTF8_ORDER.compare(x.key(), y.key()));
        return out;
    }

    private static boolean isMarker(Path dir) {
        try {
            return ObjectRecord.read(dir) != null;
        } catch (NoSuchFileException gone) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
