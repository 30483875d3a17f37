package dev.strata.hsm.tier;

import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.fs.PosixFileSystem;
import dev.strata.core.meta.Link;
import dev.strata.core.meta.MetadataStore;
import dev.strata.hsm.MirrorKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Object keys of inodes and names, from the metadata store's name index. A directory's path is
 * walked up through its one parent and cached; a directory rename or removal clears the cache.
 * Reads committed state: callers under the engine lock see the namespace before their own change.
 */
final class MirrorPaths {
    private final MetadataStore meta;
    private final Map<Long, List<Name>> dirs = new ConcurrentHashMap<>();

    MirrorPaths(MetadataStore meta) {
        this.meta = meta;
    }

    /** Names from the root to directory {@code dir}; empty for the root; empty Optional if it has no name any more. */
    Optional<List<Name>> dirPath(long dir) throws FsException {
        if (dir == PosixFileSystem.ROOT) {
            return Optional.of(List.of());
        }
        List<Name> cached = dirs.get(dir);
        if (cached != null) {
            return Optional.of(cached);
        }
        List<Name> reversed = new ArrayList<>();
        long cur = dir;
        for (int depth = 0; cur != PosixFileSystem.ROOT; depth++) {
            if (depth > 10_000) {
                throw new FsException.IoFailure("directory chain above inode " + dir + " does not reach the root");
            }
            List<Link> links = meta.links(cur, 1);
            if (links.isEmpty()) {
                return Optional.empty();
            }
            reversed.add(links.get(0).name());
            cur = links.get(0).parent();
        }
        List<Name> path = new ArrayList<>(reversed.size());
        for (int i = reversed.size() - 1; i >= 0; i--) {
            path.add(reversed.get(i));
        }
        List<Name> result = List.copyOf(path);
        dirs.put(dir, result);
        return Optional.of(result);
    }

    /** The key of {@code parent/name}: with a trailing '/' for a directory marker. */
    Optional<String> key(long parent, Name name, boolean directory) throws FsException, MirrorKeys.Unmirrorable {
        Optional<List<Name>> dir = dirPath(parent);
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        List<Name> path = new ArrayList<>(dir.get());
        path.add(name);
        return Optional.of(MirrorKeys.keyOf(path, directory));
    }

    /** The key of an inode's first name (in name-index order), or empty if it has none. */
    Optional<String> currentKey(long ino, boolean directory) throws FsException, MirrorKeys.Unmirrorable {
        List<Link> links = meta.links(ino, 1);
        if (links.isEmpty()) {
            return Optional.empty();
        }
        return key(links.get(0).parent(), links.get(0).name(), directory);
    }

    /** The names of {@code ino} other than {@code parent/name}, up to {@code limit}. */
    List<Link> otherLinks(long ino, long parent, Name name, int limit) throws FsException {
        List<Link> out = new ArrayList<>();
        for (Link l : meta.links(ino, limit + 1)) {
            if (!(l.parent() == parent && l.name().equals(name)) && out.size() < limit) {
                out.add(l);
            }
        }
        return out;
    }

    void invalidate() {
        dirs.clear();
    }
}
