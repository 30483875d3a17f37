package dev.strata.core.fs;

import dev.strata.core.Caller;
import dev.strata.core.Clock;
import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.data.DataStore;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Strata's POSIX engine: the namespace in a {@link dev.strata.core.meta.MetadataStore}, file data in
 * a {@link DataStore}, and the rules of POSIX between them. See {@link FsState} for the concurrency
 * design and {@code docs/SEMANTICS.md} for what is promised.
 */
public final class StrataFs implements PosixFileSystem {
    private static final Logger LOG = LoggerFactory.getLogger(StrataFs.class);

    private final FsState s;
    private final NamespaceOps names;
    private final AttrOps attrs;
    private final DataOps files;
    private volatile boolean destroyed;
    /** Writes deferred work within {@link FsOptions#deferredFlushMillis}; null when that is 0. */
    private final Thread flusher;

    private StrataFs(FsState s) {
        this.s = s;
        this.names = new NamespaceOps(s);
        this.files = new DataOps(s, names);
        this.attrs = new AttrOps(s, files);
        long every = s.options.deferredFlushMillis();
        this.flusher = every == 0 ? null : Thread.ofPlatform().daemon().name("strata-deferred-flush").start(() -> {
            while (!destroyed) {
                try {
                    Thread.sleep(every);
                    flushDeferred();
                } catch (InterruptedException e) {
                    return;
                } catch (FsException | RuntimeException e) {
                    LOG.warn("background flush of deferred metadata failed (retried in {} ms): {}", every,
                            e.getMessage());
                }
            }
        });
    }

    /** Commits work that waits for the next commit (see {@link FsOptions#deferredFlushMillis}). */
    public void flushDeferred() throws FsException {
        s.commitDeferred();
    }

    /**
     * Opens the file system held by the stores, formatting them if they are empty and finishing
     * whatever a crash interrupted. Recovery work is bounded by what was in flight, not by the size
     * of the namespace.
     */
    public static StrataFs open(dev.strata.core.meta.MetadataStore meta, DataStore data, Clock clock,
            FsOptions options) throws FsException {
        return open(meta, data, clock, options, Tiering.NONE);
    }

    /** As {@link #open(dev.strata.core.meta.MetadataStore, DataStore, Clock, FsOptions)}, with a capacity tier. */
    public static StrataFs open(dev.strata.core.meta.MetadataStore meta, DataStore data, Clock clock,
            FsOptions options, Tiering tier) throws FsException {
        FsState s = new FsState(meta, data, clock, options, tier);
        Recovery.Report report = new Recovery(s).run();
        LOG.info("file system ready: {}", report);
        StrataFs fs = new StrataFs(s);
        tier.attach(fs.new Host());
        return fs;
    }

    /** The engine as the capacity tier's background work sees it. */
    private final class Host implements TierHost {
        @Override
        public <T> T update(long ino, Step<T> step) throws FsException {
            s.lock.lock();
            try {
                Node n = s.nodes.get(ino);
                dev.strata.core.meta.InodeRecord current;
                if (n != null) {
                    if (!n.purged && FsState.needsRefresh(n)) {
                        s.refreshFromLocal(n);
                    }
                    current = n.purged ? null : n.rec;
                } else {
                    current = s.meta.inode(ino).orElse(null);
                }
                Txn t = s.txn();
                T result = step.run(s.tierChange(t), current, n == null ? 0 : n.writers, n == null ? 0 : n.opens);
                s.commit(t);
                return result;
            } finally {
                s.lock.unlock();
            }
        }

        @Override
        public dev.strata.core.data.LocalFile openData(long ino) throws FsException {
            return s.data.open(ino);
        }

        @Override
        public void localDataReplaced(long ino) throws FsException {
            s.lock.lock();
            try {
                Node n = s.nodes.get(ino);
                if (n != null) {
                    n.allocatedBytes = -1;
                    if (n.local != null) {
                        n.lastLocalMtime = n.local.stat().mtime();
                        n.localChanged = false;
                    }
                }
            } finally {
                s.lock.unlock();
            }
        }

        @Override
        public int importChildren(long dir, List<NewChild> children, ChildHook hook,
                java.util.function.BooleanSupplier stillValid) throws FsException {
            return names.importChildren(dir, children, hook, stillValid);
        }

        @Override
        public dev.strata.core.meta.MetadataStore meta() {
            return s.meta;
        }
    }

    /** Figures for status output and tests. */
    public EngineStats stats() {
        s.lock.lock();
        try {
            return new EngineStats(s.liveInodeCount(), s.nodes.size(), s.handles.size());
        } finally {
            s.lock.unlock();
        }
    }

    /** @param inodes inodes in the file system; {@code cachedNodes} in memory; {@code openHandles} open. */
    public record EngineStats(long inodes, int cachedNodes, int openHandles) {}

    @Override
    public Entry lookup(Caller caller, long parent, Name name) throws FsException {
        s.tier.refreshDirectory(parent);
        return names.lookup(parent, name);
    }

    @Override
    public void forget(long ino, long nlookup) {
        names.forget(ino, nlookup);
    }

    @Override
    public Attr getattr(long ino, long fh) throws FsException {
        return attrs.getattr(ino);
    }

    @Override
    public Attr setattr(Caller caller, long ino, SetAttr change) throws FsException {
        return attrs.setattr(caller, ino, change);
    }

    @Override
    public byte[] readlink(long ino) throws FsException {
        return attrs.readlink(ino);
    }

    @Override
    public Entry mknod(Caller caller, long parent, Name name, int mode, long rdev, int umask) throws FsException {
        return names.mknod(caller, parent, name, (mode & FileType.S_IFMT) | (mode & ~umask & 07777), rdev);
    }

    @Override
    public Entry mkdir(Caller caller, long parent, Name name, int mode, int umask) throws FsException {
        return names.mkdir(caller, parent, name, mode & ~umask & 07777);
    }

    @Override
    public Entry symlink(Caller caller, long parent, Name name, byte[] target) throws FsException {
        return names.symlink(caller, parent, name, target);
    }

    @Override
    public void unlink(Caller caller, long parent, Name name) throws FsException {
        names.unlink(caller, parent, name);
    }

    @Override
    public void rmdir(Caller caller, long parent, Name name) throws FsException {
        names.rmdir(caller, parent, name);
    }

    @Override
    public void rename(Caller caller, long parent, Name name, long newParent, Name newName, int flags)
            throws FsException {
        names.rename(caller, parent, name, newParent, newName, flags);
    }

    @Override
    public Entry link(Caller caller, long ino, long newParent, Name newName) throws FsException {
        return names.link(ino, newParent, newName);
    }

    @Override
    public Opened open(Caller caller, long ino, int flags) throws FsException {
        return files.open(caller, ino, flags);
    }

    @Override
    public Created create(Caller caller, long parent, Name name, int mode, int umask, int flags) throws FsException {
        return files.create(caller, parent, name, mode & ~umask & 07777, flags);
    }

    @Override
    public int read(long ino, long fh, long offset, MemorySegment dst) throws FsException {
        return files.read(ino, fh, offset, dst);
    }

    @Override
    public int write(long ino, long fh, long offset, MemorySegment src, boolean killSuidGid) throws FsException {
        return files.write(ino, fh, offset, src, killSuidGid);
    }

    @Override
    public void flush(long ino, long fh, long lockOwner) throws FsException {
        files.flush(ino, fh);
    }

    @Override
    public void release(long ino, long fh) {
        files.release(ino, fh);
    }

    @Override
    public void fsync(long ino, long fh, boolean dataOnly) throws FsException {
        files.fsync(ino, fh, dataOnly);
    }

    @Override
    public Opened opendir(Caller caller, long ino, int flags) throws FsException {
        s.tier.refreshDirectory(ino);
        return files.opendir(ino);
    }

    @Override
    public void readdir(long ino, long fh, long offset, DirSink sink) throws FsException {
        s.handles.dir(ino, fh);
        names.readdir(ino, offset, sink);
    }

    @Override
    public void readdirplus(long ino, long fh, long offset, DirPlusSink sink) throws FsException {
        s.handles.dir(ino, fh);
        names.readdirplus(ino, offset, sink);
    }

    @Override
    public void releasedir(long ino, long fh) {
        files.releasedir(fh);
    }

    @Override
    public void fsyncdir(long ino, long fh, boolean dataOnly) throws FsException {
        files.fsyncdir();
    }

    @Override
    public StatFs statfs(long ino) throws FsException {
        return attrs.statfs();
    }

    @Override
    public void setxattr(Caller caller, long ino, byte[] name, byte[] value, int flags) throws FsException {
        attrs.setxattr(caller, ino, name, value, flags);
    }

    @Override
    public byte[] getxattr(long ino, byte[] name) throws FsException {
        return attrs.getxattr(ino, name);
    }

    @Override
    public List<byte[]> listxattr(long ino) throws FsException {
        return attrs.listxattr(ino);
    }

    @Override
    public void removexattr(Caller caller, long ino, byte[] name) throws FsException {
        attrs.removexattr(ino, name);
    }

    @Override
    public void fallocate(long ino, long fh, int mode, long offset, long length) throws FsException {
        files.fallocate(ino, fh, mode, offset, length);
    }

    @Override
    public long lseek(long ino, long fh, long offset, int whence) throws FsException {
        return files.lseek(ino, fh, offset, whence);
    }

    @Override
    public long copyFileRange(long inoIn, long fhIn, long offsetIn, long inoOut, long fhOut, long offsetOut,
            long length) throws FsException {
        return files.copyFileRange(inoIn, fhIn, offsetIn, inoOut, fhOut, offsetOut, length);
    }

    /**
     * Releases every handle still open, persists what is only in memory and syncs both stores.
     * Idempotent. The stores stay open; their owner closes them.
     */
    @Override
    public void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        s.tier.close(); // its workers change state through the engine: stop them first
        if (flusher != null) {
            flusher.interrupt();
            try {
                flusher.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (java.util.Map.Entry<Long, Handle> e : s.handles.snapshot()) {
            if (e.getValue() instanceof Handle.DirHandle) {
                files.releasedir(e.getKey());
            } else {
                files.release(e.getValue().node().ino, e.getKey());
            }
        }
        s.lock.lock();
        try {
            Txn t = s.txn();
            for (Node n : List.copyOf(s.nodes.values())) {
                if (n.dirty && !n.purged && n.rec.nlink() > 0) {
                    t.edit(n.ino);
                }
                if (!n.purged && n.rec.nlink() == 0 && n.opens == 0) {
                    s.purge(n); // the kernel's references end with the session
                }
            }
            s.commit(t);
        } catch (FsException e) {
            LOG.error("could not persist in-memory attributes at shutdown: {}", e.getMessage());
        } finally {
            s.lock.unlock();
        }
        try {
            s.data.syncNamespace();
            s.meta.sync();
        } catch (FsException e) {
            LOG.error("could not sync the stores at shutdown: {}", e.getMessage());
        }
    }
}
