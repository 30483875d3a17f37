package dev.strata.hsm;

import dev.strata.core.Name;
import dev.strata.core.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * Turns the pages of one delimited listing of a directory prefix into the directory's children,
 * for import. Keys that {@link MirrorKeys#parse} rejects are skipped and counted.
 *
 * <h2>{@code x} and {@code x/}</h2>
 * A bucket may hold an object {@code x} and keys under {@code x/}; a file system cannot have both.
 * The directory wins (its subtree stays reachable; Mountpoint for S3 decides the same way) and the
 * file is skipped as {@link MirrorKeys.SkipReason#FILE_DIRECTORY_CONFLICT}. Listings come in UTF-8
 * byte order, where {@code x} sorts before {@code x/} but keys such as {@code x-1} or {@code x.txt}
 * (bytes below '/') may lie between them, possibly on a later page. So a file is held back until
 * the listing has passed {@code x/}; at most {@code maxPending} files are held (a bound against a
 * hostile chain {@code x}, {@code x!}, {@code x!!}, …); beyond it the oldest is let through
 * unchecked and counted in {@link #uncheckedConflicts()}.
 *
 * <p>Children therefore come out in nearly, not exactly, key order. One instance per listing, used
 * by one thread.
 */
public final class DirectoryListing {
    /** One child: a file (with its listing entry) or a directory (from a prefix or a marker). */
    public record Child(Name name, boolean directory, ObjectStore.ObjectInfo object) {}

    private record Item(String relative, byte[] relativeUtf8, ObjectStore.ObjectInfo object) {}

    private final String dirPrefix;
    private final MirrorKeys.SkipCounts skips;
    private final int maxPending;
    private final Deque<Child> pendingFiles = new ArrayDeque<>();
    private Name lastDirectory;
    private long uncheckedConflicts;

    /**
     * @param dirPrefix the prefix listed: "" for the root, else a marker key ending in '/'
     */
    public DirectoryListing(String dirPrefix, MirrorKeys.SkipCounts skips, int maxPending) {
        this.dirPrefix = Objects.requireNonNull(dirPrefix, "dirPrefix");
        this.skips = Objects.requireNonNull(skips, "skips");
        if (!dirPrefix.isEmpty() && !dirPrefix.endsWith("/")) {
            throw new IllegalArgumentException("a directory prefix ends in '/': " + dirPrefix);
        }
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending " + maxPending);
        }
        this.maxPending = maxPending;
    }

    /** The children this page settles (files may be released by a later page or {@link #finish}). */
    public List<Child> accept(ObjectStore.ListPage page) {
        List<Item> items = new ArrayList<>(page.objects().size() + page.prefixes().size());
        for (ObjectStore.ObjectInfo o : page.objects()) {
            addItem(items, o.key(), o);
        }
        for (String p : page.prefixes()) {
            addItem(items, p, null);
        }
        items.sort((a, b) -> Arrays.compareUnsigned(a.relativeUtf8(), b.relativeUtf8()));
        List<Child> out = new ArrayList<>();
        for (Item item : items) {
            settleBefore(item.relativeUtf8(), out);
            MirrorKeys.Parsed parsed = MirrorKeys.parse(item.relative());
            switch (parsed) {
                case MirrorKeys.Rejected(MirrorKeys.SkipReason reason) -> skips.add(reason);
                case MirrorKeys.Accepted(List<Name> path, boolean directory) -> {
                    if (path.size() != 1) {
                        // Only a listing without delimiter returns deeper keys; they belong to subdirectories.
                        continue;
                    }
                    Name name = path.getFirst();
                    if (directory) {
                        addDirectory(name, out);
                    } else {
                        addFile(new Child(name, false, item.object()), out);
                    }
                }
            }
        }
        return out;
    }

    /** The files still held back; call once after the last page. */
    public List<Child> finish() {
        List<Child> out = new ArrayList<>(pendingFiles);
        pendingFiles.clear();
        return out;
    }

    /** Files let through without the conflict check because {@code maxPending} was reached. */
    public long uncheckedConflicts() {
        return uncheckedConflicts;
    }

    private void addItem(List<Item> items, String key, ObjectStore.ObjectInfo object) {
        if (!key.startsWith(dirPrefix)) {
            skips.add(MirrorKeys.SkipReason.OUTSIDE_PREFIX);
            return;
        }
        String relative = key.substring(dirPrefix.length());
        if (relative.isEmpty()) {
            return; // the marker of the listed directory itself
        }
        items.add(new Item(relative, relative.getBytes(StandardCharsets.UTF_8), object));
    }

    /** Releases held files whose {@code name/} sorts before {@code relative}: it can no longer appear. */
    private void settleBefore(byte[] relative, List<Child> out) {
        while (!pendingFiles.isEmpty()) {
            byte[] head = pendingFiles.peekFirst().name().unsafeBytes();
            byte[] asDirectory = Arrays.copyOf(head, head.length + 1);
            asDirectory[head.length] = '/';
            if (Arrays.compareUnsigned(asDirectory, relative) >= 0) {
                return;
            }
            out.add(pendingFiles.removeFirst());
        }
    }

    private void addDirectory(Name name, List<Child> out) {
        if (name.equals(lastDirectory)) {
            return; // a marker object and the prefix of its contents name the same directory
        }
        lastDirectory = name;
        pendingFiles.removeIf(f -> {
            if (f.name().equals(name)) {
                skips.add(MirrorKeys.SkipReason.FILE_DIRECTORY_CONFLICT);
                return true;
            }
            return false;
        });
        out.add(new Child(name, true, null));
    }

    private void addFile(Child file, List<Child> out) {
        pendingFiles.addLast(file);
        if (pendingFiles.size() > maxPending) {
            uncheckedConflicts++;
            out.add(pendingFiles.removeFirst());
        }
    }
}
