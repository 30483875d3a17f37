package dev.strata.testkit.fs;

import dev.strata.core.Caller;
import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.fs.Attr;
import dev.strata.core.fs.Created;
import dev.strata.core.fs.Entry;
import dev.strata.core.fs.FsOptions;
import dev.strata.core.fs.Opened;
import dev.strata.core.fs.PosixFileSystem;
import dev.strata.core.fs.StrataFs;
import dev.strata.testkit.FakeClock;
import dev.strata.testkit.data.InMemoryDataStore;
import dev.strata.testkit.meta.InMemoryMetadataStore;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The engine over in-memory stores, with path-based helpers so tests read like shell sessions.
 * Paths are absolute, '/'-separated, relative to the file system's root.
 */
final class TestFs {
    static final Caller ROOT = Caller.ROOT;
    static final Caller ALICE = new Caller(1000, 1000, 100);
    static final Caller BOB = new Caller(1001, 1001, 101);

    final FakeClock clock;
    final InMemoryMetadataStore meta;
    final InMemoryDataStore data;
    final FsOptions options;
    final StrataFs fs;

    private TestFs(FakeClock clock, InMemoryMetadataStore meta, InMemoryDataStore data, FsOptions options)
            throws FsException {
        this.clock = clock;
        this.meta = meta;
        this.data = data;
        this.options = options;
        this.fs = StrataFs.open(meta, data, clock, options);
    }

    /** No background flush: tests say when deferred work is committed ({@link StrataFs#flushDeferred}). */
    static TestFs fresh() throws FsException {
        return fresh(FsOptions.defaults(0, 0).withDeferredFlushMillis(0));
    }

    static TestFs fresh(FsOptions options) throws FsException {
        FakeClock clock = new FakeClock();
        return new TestFs(clock, new InMemoryMetadataStore(), new InMemoryDataStore(clock), options);
    }

    /** A clean stop and start on the same stores. */
    TestFs restart() throws FsException {
        fs.destroy();
        return new TestFs(clock, meta.reopen(), data, options);
    }

    /**
     * The process dies (kill -9): nothing is flushed or released, but everything committed to the
     * stores and written to the data stays, as the kernel keeps it. Open handles of the data fake
     * are gone with the process.
     */
    TestFs kill() throws FsException {
        data.dropHandles();
        return new TestFs(clock, meta.reopen(), data, options);
    }

    static Name name(String s) {
        try {
            return Name.of(s);
        } catch (FsException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    /** The inode of the directory holding {@code path}, and the last component. */
    record Parent(long ino, Name name) {}

    Parent parent(String path) throws FsException {
        int slash = path.lastIndexOf('/');
        String dir = path.substring(0, slash);
        long ino = ino(dir.isEmpty() ? "/" : dir);
        // The kernel's path walk fails here already, before the operation runs.
        if (FileType.fromMode(fs.getattr(ino, -1).mode()) != FileType.DIRECTORY) {
            throw new FsException.NotADirectory(dir);
        }
        return new Parent(ino, name(path.substring(slash + 1)));
    }

    /** Resolves a path to an inode number (following no symlinks), balancing the lookups it takes. */
    long ino(String path) throws FsException {
        long cur = PosixFileSystem.ROOT;
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            Entry e = fs.lookup(ROOT, cur, name(part));
            fs.forget(e.ino(), 1);
            cur = e.ino();
        }
        return cur;
    }

    Attr stat(String path) throws FsException {
        return fs.getattr(ino(path), -1);
    }

    Attr mkdir(String path, int mode) throws FsException {
        return mkdir(ROOT, path, mode);
    }

    Attr mkdir(Caller c, String path, int mode) throws FsException {
        Parent p = parent(path);
        Entry e = fs.mkdir(c, p.ino(), p.name(), mode, 0);
        fs.forget(e.ino(), 1);
        return e.attr();
    }

    /** Creates a file with the given content and closes it. */
    Attr write(String path, String content) throws FsException {
        return write(ROOT, path, content.getBytes(StandardCharsets.UTF_8));
    }

    Attr write(Caller c, String path, byte[] content) throws FsException {
        Parent p = parent(path);
        Created cr = fs.create(c, p.ino(), p.name(), 0644, 0, DataOpsFlags.O_WRONLY | DataOpsFlags.O_TRUNC);
        long ino = cr.entry().ino();
        long fh = cr.opened().fh();
        try {
            if (content.length > 0) {
                fs.write(ino, fh, 0, MemorySegment.ofArray(content), false);
            }
        } finally {
            fs.release(ino, fh);
            fs.forget(ino, 1);
        }
        return fs.getattr(ino, -1);
    }

    /** Opens an existing file; the caller releases the handle. */
    Handle open(String path, int flags) throws FsException {
        long ino = ino(path);
        Opened o = fs.open(ROOT, ino, flags);
        return new Handle(ino, o.fh());
    }

    /** Creates a file and keeps it open for reading and writing. */
    Handle create(String path) throws FsException {
        Parent p = parent(path);
        Created cr = fs.create(ROOT, p.ino(), p.name(), 0644, 0, DataOpsFlags.O_RDWR);
        fs.forget(cr.entry().ino(), 1);
        return new Handle(cr.entry().ino(), cr.opened().fh());
    }

    void pwrite(Handle h, long offset, byte[] bytes) throws FsException {
        fs.write(h.ino(), h.fh(), offset, MemorySegment.ofArray(bytes), false);
    }

    byte[] pread(Handle h, long offset, int len) throws FsException {
        byte[] buf = new byte[len];
        int n = fs.read(h.ino(), h.fh(), offset, MemorySegment.ofArray(buf));
        return Arrays.copyOf(buf, n);
    }

    void close(Handle h) {
        fs.release(h.ino(), h.fh());
    }

    String read(String path) throws FsException {
        Handle h = open(path, DataOpsFlags.O_RDONLY);
        try {
            Attr a = fs.getattr(h.ino(), h.fh());
            return new String(pread(h, 0, (int) a.sizeBytes()), StandardCharsets.UTF_8);
        } finally {
            close(h);
        }
    }

    void unlink(String path) throws FsException {
        Parent p = parent(path);
        fs.unlink(ROOT, p.ino(), p.name());
    }

    void rmdir(String path) throws FsException {
        Parent p = parent(path);
        fs.rmdir(ROOT, p.ino(), p.name());
    }

    void rename(String from, String to, int flags) throws FsException {
        Parent a = parent(from);
        Parent b = parent(to);
        fs.rename(ROOT, a.ino(), a.name(), b.ino(), b.name(), flags);
    }

    void link(String existing, String newPath) throws FsException {
        long ino = ino(existing);
        Parent b = parent(newPath);
        Entry e = fs.link(ROOT, ino, b.ino(), b.name());
        fs.forget(e.ino(), 1);
    }

    void symlink(String path, String target) throws FsException {
        Parent p = parent(path);
        Entry e = fs.symlink(ROOT, p.ino(), p.name(), target.getBytes(StandardCharsets.UTF_8));
        fs.forget(e.ino(), 1);
    }

    /** Names in a directory, without "." and "..", in readdir order. */
    List<String> ls(String path) throws FsException {
        long dir = ino(path);
        Opened o = fs.opendir(ROOT, dir, 0);
        List<String> names = new ArrayList<>();
        try {
            fs.readdir(dir, o.fh(), 0, (n, ino, type, next) -> {
                String s = new String(n, StandardCharsets.UTF_8);
                if (!s.equals(".") && !s.equals("..")) {
                    names.add(s);
                }
                return true;
            });
        } finally {
            fs.releasedir(dir, o.fh());
        }
        return names;
    }

    FileType type(String path) throws FsException {
        return FileType.fromMode(stat(path).mode());
    }

    record Handle(long ino, long fh) {}

    /** open(2) flag values used by the tests. */
    static final class DataOpsFlags {
        static final int O_RDONLY = 0;
        static final int O_WRONLY = 1;
        static final int O_RDWR = 2;
        static final int O_EXCL = 0200;
        static final int O_TRUNC = 01000;

        private DataOpsFlags() {}
    }
}
