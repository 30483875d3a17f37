package dev.strata.testkit.data;

import dev.strata.core.FsException;
import dev.strata.core.data.LocalFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One handle on a fake inode. Every handle of an inode shares one {@link SparseBytes} and
 * synchronizes on it, so handles see each other's writes at once, as on a disk.
 */
final class InMemoryFile implements LocalFile {
    /** Bytes moved per step of {@link #copyTo}, so a copy never holds a file's monitor for long. */
    static final int COPY_WINDOW_BYTES = 1 << 20;

    private final InMemoryDataStore store;
    private final long ino;
    private final SparseBytes data;
    private final AtomicBoolean closed = new AtomicBoolean();

    InMemoryFile(InMemoryDataStore store, long ino, SparseBytes data) {
        this.store = store;
        this.ino = ino;
        this.data = data;
    }

    @Override
    public long ino() {
        return ino;
    }

    @Override
    public int read(long offset, MemorySegment dst) throws FsException {
        checkOpen();
        Checks.range(offset, dst.byteSize(), what("read"));
        if (dst.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a read returns an int count; asked for " + dst.byteSize() + " bytes");
        }
        synchronized (data) {
            return (int) data.read(offset, dst);
        }
    }

    @Override
    public void write(long offset, MemorySegment src) throws FsException {
        checkOpen();
        Checks.range(offset, src.byteSize(), what("write"));
        if (src.byteSize() == 0) {
            return; // as pwrite(2): no change, not even to mtime
        }
        Checks.fits(offset + src.byteSize(), store.maxFileBytes(), what("write"));
        synchronized (data) {
            data.write(offset, src, what("write"));
            data.touch(store.now());
        }
    }

    @Override
    public void truncate(long sizeBytes) throws FsException {
        checkOpen();
        Checks.range(sizeBytes, 0, what("truncate"));
        Checks.fits(sizeBytes, store.maxFileBytes(), what("truncate"));
        synchronized (data) {
            data.truncate(sizeBytes);
            data.touch(store.now());
        }
    }

    @Override
    public void allocate(int mode, long offset, long length) throws FsException {
        checkOpen();
        Checks.allocateMode(mode, offset, length, what("fallocate"));
        long end = offset + length;
        Checks.fits(end, store.maxFileBytes(), what("fallocate"));
        boolean keepSize = (mode & FALLOC_KEEP_SIZE) != 0;
        synchronized (data) {
            long sizeBefore = data.sizeBytes();
            if ((mode & FALLOC_PUNCH_HOLE) != 0) {
                data.punchHole(offset, end);
            } else if ((mode & FALLOC_ZERO_RANGE) != 0) {
                data.zeroRange(offset, end, keepSize, what("fallocate"));
            } else {
                data.preallocate(offset, end, keepSize, what("fallocate"));
            }
            // Preallocation alone changes no byte a reader can see, so it leaves mtime alone.
            if ((mode & (FALLOC_PUNCH_HOLE | FALLOC_ZERO_RANGE)) != 0 || data.sizeBytes() != sizeBefore) {
                data.touch(store.now());
            }
        }
    }

    @Override
    public long seek(long offset, int whence) throws FsException {
        checkOpen();
        if (whence != 3 && whence != 4) {
            throw new FsException.InvalidArgument(what("seek") + ": whence " + whence + " (only SEEK_DATA 3, SEEK_HOLE 4)");
        }
        synchronized (data) {
            if (offset < 0 || offset >= data.sizeBytes()) {
                throw new FsException.NoSuchAddress(what("seek") + ": offset " + offset + ", size " + data.sizeBytes());
            }
            long at = whence == 3 ? data.nextData(offset) : data.nextHole(offset);
            if (at < 0) {
                throw new FsException.NoSuchAddress(what("seek") + ": no data at or after " + offset);
            }
            return at;
        }
    }

    @Override
    public long copyTo(long srcOffset, LocalFile dst, long dstOffset, long length) throws FsException {
        checkOpen();
        Checks.range(srcOffset, length, what("copy"));
        Checks.range(dstOffset, length, what("copy"));
        long count;
        synchronized (data) {
            count = srcOffset >= data.sizeBytes() ? 0 : Math.min(length, data.sizeBytes() - srcOffset);
        }
        // copy_file_range(2) refuses overlapping ranges within one file; so does the port.
        boolean sameFile = dst instanceof InMemoryFile other && other.data == data;
        if (sameFile && dstOffset < srcOffset + count && srcOffset < dstOffset + count) {
            throw new FsException.InvalidArgument(what("copy") + ": ranges overlap (" + srcOffset + " and " + dstOffset
                    + ", " + count + " bytes)");
        }
        Checks.fits(dstOffset + count, store.maxFileBytes(), what("copy"));
        long done = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment window = arena.allocate(Math.min(Math.max(count, 1), COPY_WINDOW_BYTES));
            while (done < count) {
                long n = Math.min(window.byteSize(), count - done);
                if (copyHoleCheaply(srcOffset + done, dst, dstOffset + done, n)) {
                    done += n;
                    continue;
                }
                long got;
                synchronized (data) {
                    got = data.read(srcOffset + done, window.asSlice(0, n));
                }
                if (got == 0) {
                    break; // the source shrank under the copy
                }
                dst.write(dstOffset + done, window.asSlice(0, got));
                done += got;
            }
        }
        return done;
    }

    /**
     * A hole copied onto a hole of another fake only needs the size to grow; this keeps copies of
     * sparse multi-GiB files cheap. Never holds two monitors at once.
     */
    private boolean copyHoleCheaply(long srcAt, LocalFile dst, long dstAt, long n) {
        if (!(dst instanceof InMemoryFile other)) {
            return false;
        }
        synchronized (data) {
            if (!data.isHole(srcAt, srcAt + n)) {
                return false;
            }
        }
        synchronized (other.data) {
            if (!other.data.isHole(dstAt, dstAt + n)) {
                return false;
            }
            if (dstAt + n > other.data.sizeBytes()) {
                other.data.extendTo(dstAt + n);
                other.data.touch(store.now());
            }
            return true;
        }
    }

    @Override
    public void sync(boolean dataOnly) {
        checkOpen();
        store.countFileSync();
    }

    @Override
    public Stat stat() {
        checkOpen();
        synchronized (data) {
            return new Stat(data.sizeBytes(), data.allocatedBytes(), data.mtime());
        }
    }

    @Override
    public int nativeFd() {
        checkOpen();
        return -1;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            store.handleClosed(ino);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("handle of inode " + ino + " used after close");
        }
        store.checkOpen();
    }

    private String what(String op) {
        return op + " of inode " + ino + " (in-memory)";
    }

    @Override
    public String toString() {
        return "InMemoryFile[ino=" + ino + (closed.get() ? ", closed]" : "]");
    }
}
