package dev.strata.hsm.tier;

import dev.strata.core.FsException;
import dev.strata.core.fs.PosixFileSystem;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.MetadataStore;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy in force in each directory: the nearest directory up to the root with a
 * {@link Policy#XATTR}, else the mount's default. Cached per directory, because flush and every
 * first write ask; any policy change or directory rename clears the cache (both are rare).
 */
final class Policies {
    private static final Logger LOG = LoggerFactory.getLogger(Policies.class);
    private static final byte[] NAME = Policy.XATTR.getBytes(StandardCharsets.UTF_8);

    /** A policy and the directory that sets it (the root for the default). */
    record Effective(Policy policy, long fromIno) {
        String format() {
            return policy.format() + " from-ino=" + fromIno;
        }
    }

    private final MetadataStore meta;
    private final Policy rootDefault;
    private final Map<Long, Effective> cache = new ConcurrentHashMap<>();

    Policies(MetadataStore meta, Policy rootDefault) {
        this.meta = meta;
        this.rootDefault = rootDefault;
    }

    Policy rootDefault() {
        return rootDefault;
    }

    /** The policy of directory {@code dir} (the parent, for a file). */
    Effective of(long dir) throws FsException {
        Effective e = cache.get(dir);
        if (e != null) {
            return e;
        }
        e = lookup(dir, 0);
        cache.put(dir, e);
        return e;
    }

    /** The directory's own policy, if it sets one. */
    Optional<Policy> own(long dir) throws FsException {
        Optional<byte[]> v = meta.xattr(dir, NAME);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        String text = new String(v.get(), StandardCharsets.UTF_8);
        try {
            return Optional.of(Policy.parse(text, rootDefault));
        } catch (IllegalArgumentException ex) {
            // Only a value written before validation existed, or by hand into the store.
            LOG.warn("directory inode {} has an unreadable policy '{}' ({}); ignoring it", dir, text, ex.getMessage());
            return Optional.empty();
        }
    }

    private Effective lookup(long dir, int depth) throws FsException {
        if (depth > 10_000) {
            throw new FsException.IoFailure("directory chain above inode " + dir + " does not reach the root");
        }
        Effective cached = cache.get(dir);
        if (cached != null) {
            return cached;
        }
        Optional<Policy> own = own(dir);
        if (own.isPresent()) {
            return new Effective(own.get(), dir);
        }
        if (dir == PosixFileSystem.ROOT) {
            return new Effective(rootDefault, PosixFileSystem.ROOT);
        }
        Optional<InodeRecord> r = meta.inode(dir);
        if (r.isEmpty() || !r.get().isDirectory()) {
            return new Effective(rootDefault, PosixFileSystem.ROOT);
        }
        return lookup(r.get().parent(), depth + 1);
    }

    void invalidate() {
        cache.clear();
    }
}
