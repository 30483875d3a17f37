package dev.strata.hsm.tier;

import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.Timespec;
import dev.strata.core.fs.TierHost;
import dev.strata.core.meta.DirEntry;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mutation;
import dev.strata.core.store.ObjectStore.ListPage;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStoreException;
import dev.strata.hsm.DirectoryListing;
import dev.strata.hsm.HsmRecord;
import dev.strata.hsm.HsmState;
import dev.strata.hsm.HsmTransitions;
import dev.strata.hsm.Lane;
import dev.strata.hsm.MirrorAttributes;
import dev.strata.hsm.MirrorKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows what the bucket holds beyond what Strata wrote: when a directory is looked up in or listed
 * and its last look at the bucket is older than {@link HsmOptions#importRefresh}, its prefix is
 * listed (one delimited listing, no copying) and names the namespace lacks are added — objects as
 * released files, prefixes and markers as directories — with attributes from object metadata where
 * present. A released file whose object was replaced outside takes the new object's size, time and
 * tag. Keys that cannot be names are skipped and counted ({@link #skips}).
 *
 * <p>The bucket lags the namespace while mirror tasks are pending (an unlinked file's object is
 * still there until its delete runs), so a directory is only refreshed while the namespace lane is
 * empty, and the additions are committed only if no task was enqueued since the listing began.
 */
final class Importer {
    private static final Logger LOG = LoggerFactory.getLogger(Importer.class);
    /** Names taken from one directory listing at most; the rest appear at the next refresh. */
    static final int MAX_CHILDREN = 100_000;
    private static final int PAGE = 1000;

    private final HsmTiering t;
    private final MirrorAttributes codec;
    final MirrorKeys.SkipCounts skips = new MirrorKeys.SkipCounts();
    private final Map<Long, Long> listedAt = new ConcurrentHashMap<>();
    private final InodeLocks dirLocks = new InodeLocks();
    private volatile long lastReportedSkips;

    Importer(HsmTiering t) {
        this.t = t;
        this.codec = new MirrorAttributes(new MirrorAttributes.Defaults(0644, 0755, t.options.importUid(),
                t.options.importGid(), false));
    }

    /** A directory made here holds nothing the bucket could add yet. */
    void createdLocally(long dir) {
        listedAt.put(dir, System.currentTimeMillis());
    }

    void refresh(long dir) throws FsException {
        long refreshMillis = t.options.importRefresh().toMillis();
        Long at = listedAt.get(dir);
        long now = System.currentTimeMillis();
        if (at != null && now - at < refreshMillis) {
            return;
        }
        ReentrantLock lock = dirLocks.of(dir);
        lock.lock();
        try {
            at = listedAt.get(dir);
            if (at != null && System.currentTimeMillis() - at < refreshMillis) {
                return;
            }
            if (t.queue.hasPending(Lane.NAMESPACE)) {
                return; // the bucket is behind the namespace; look again next time
            }
            long seq = t.queue.sequence();
            long started = System.currentTimeMillis();
            if (importInto(dir, seq)) {
                listedAt.put(dir, started);
            }
        } catch (ObjectStoreException e) {
            // Lookups and listings go on from what the namespace has; the next access tries again.
            LOG.warn("could not list the bucket for directory inode {}: {}", dir, e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    private boolean importInto(long dir, long seq) throws FsException, ObjectStoreException {
        Optional<List<Name>> path = t.paths.dirPath(dir);
        if (path.isEmpty()) {
            return false;
        }
        String prefix;
        try {
            prefix = MirrorKeys.dirPrefix(path.get());
        } catch (MirrorKeys.Unmirrorable e) {
            return true; // a directory with no key has nothing in the bucket
        }
        DirectoryListing listing = new DirectoryListing(prefix, skips, 10_000);
        List<DirectoryListing.Child> children = new ArrayList<>();
        String continuation = null;
        do {
            ListPage page = t.store.list(prefix, true, continuation, PAGE);
            children.addAll(listing.accept(page));
            continuation = page.continuation();
        } while (continuation != null && children.size() < MAX_CHILDREN);
        children.addAll(listing.finish());
        long skipped = skips.total();
        if (skipped > lastReportedSkips) {
            LOG.warn("bucket keys that cannot be file names were skipped: {} so far ({}); see 'strata status'",
                    skipped, skips.snapshot());
            lastReportedSkips = skipped;
        }

        List<DirectoryListing.Child> fresh = new ArrayList<>();
        for (DirectoryListing.Child c : children) {
            if (prefix.isEmpty() && c.name().toString().startsWith(".strata-")) {
                continue; // Strata's own scratch keys (exchange renames, staging)
            }
            Optional<DirEntry> existing = t.meta().entry(dir, c.name());
            if (existing.isEmpty()) {
                fresh.add(c);
            } else if (!c.directory() && c.object() != null) {
                followOutsideChange(existing.get().ino(), c.object());
            }
        }
        if (fresh.isEmpty()) {
            return true;
        }
        List<TierHost.NewChild> adds = describe(fresh);
        int added = t.host().importChildren(dir, adds, this::created,
                () -> t.queue.sequence() == seq && !hasPendingNamespace());
        if (added > 0) {
            LOG.info("imported {} name(s) from {}{}", added, t.store.describe(), prefix);
        }
        return added > 0 || adds.isEmpty() || t.queue.sequence() == seq;
    }

    private boolean hasPendingNamespace() {
        try {
            return t.queue.hasPending(Lane.NAMESPACE);
        } catch (FsException e) {
            return true;
        }
    }

    /** Attributes of the new names; objects listed without metadata (S3) are asked for it, in parallel. */
    private List<TierHost.NewChild> describe(List<DirectoryListing.Child> fresh) throws FsException {
        List<Future<ObjectInfo>> heads = new ArrayList<>(fresh.size());
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(16);
        for (DirectoryListing.Child c : fresh) {
            ObjectInfo o = c.object();
            if (o != null && !o.metadataKnown()) {
                heads.add(t.fetchers.submit(() -> {
                    inFlight.acquire();
                    try {
                        return t.store.head(o.key()).orElse(o);
                    } finally {
                        inFlight.release();
                    }
                }));
            } else {
                heads.add(java.util.concurrent.CompletableFuture.completedFuture(o));
            }
        }
        List<TierHost.NewChild> out = new ArrayList<>(fresh.size());
        for (int i = 0; i < fresh.size(); i++) {
            DirectoryListing.Child c = fresh.get(i);
            ObjectInfo o;
            try {
                o = heads.get(i).get();
            } catch (java.util.concurrent.ExecutionException e) {
                o = c.object(); // metadata unknown: defaults
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FsException.IoFailure("import interrupted");
            }
            Map<String, String> md = o == null ? Map.of() : o.metadata();
            Instant modified = o == null ? Instant.now() : o.lastModified();
            MirrorAttributes.Decoded d = codec.decode(md, c.directory(), modified);
            out.add(new TierHost.NewChild(c.name(), c.directory(), d.mode(), d.uid(), d.gid(), d.mtime(),
                    o == null || c.directory() ? 0 : o.sizeBytes(), new Source(o, d)));
        }
        return out;
    }

    private record Source(ObjectInfo object, MirrorAttributes.Decoded decoded) {}

    private void created(dev.strata.core.fs.TierChange c, long ino, TierHost.NewChild child) {
        if (child.directory()) {
            return;
        }
        Source src = (Source) child.source();
        Mutation m = new Mutation();
        HsmTransitions.imported(m, ino, src.object().key(), src.object().etag(), src.object().sizeBytes(),
                src.decoded().crc32c().orElse(0), c.nowMillis());
        m.ops().forEach(c::add);
    }

    /** A released file whose object was replaced outside Strata takes the new version. */
    private void followOutsideChange(long ino, ObjectInfo listed) throws FsException {
        HsmRecord h = HsmTransitions.current(t.meta(), ino);
        if (h.state() != HsmState.RELEASED || !h.objectKey().equals(listed.key()) || h.etag().equals(listed.etag())) {
            return;
        }
        Optional<ObjectInfo> now;
        try {
            now = t.store.head(listed.key());
        } catch (ObjectStoreException e) {
            return;
        }
        if (now.isEmpty() || now.get().etag().equals(h.etag())) {
            return;
        }
        ObjectInfo o = now.get();
        String ours = o.metadata().get(MirrorAttributes.INO);
        if (ours != null && ours.equals(Long.toUnsignedString(ino))) {
            return; // our own copy with a new tag (an attribute update): the reader adopts it
        }
        MirrorAttributes.Decoded d = codec.decode(o.metadata(), false, o.lastModified());
        t.host().update(ino, (c, r, writers, opens) -> {
            if (r == null || !r.has(InodeRecord.FLAG_RELEASED)) {
                return null;
            }
            Mutation m = new Mutation();
            HsmTransitions.imported(m, ino, o.key(), o.etag(), o.sizeBytes(), d.crc32c().orElse(0), c.nowMillis());
            m.ops().forEach(c::add);
            Timespec mtime = d.mtime();
            c.edit(ino).sizeBytes(o.sizeBytes()).mtime(mtime).ctime(mtime);
            return null;
        });
        t.reads.forget(ino);
        LOG.info("inode {} follows {}, replaced outside Strata ({} bytes)", ino, o.key(), o.sizeBytes());
    }
}
