package dev.strata.tier.local;

import dev.strata.core.FsException;
import dev.strata.core.Timespec;
import dev.strata.core.data.LocalFile;
import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A handle on one inode's sparse file: positional system calls on one descriptor, so any number of
 * threads may read and write at once. Native segments go to the kernel as they are; heap segments
 * (tests, small callers) go through a bounded native buffer, as FFM cannot pass heap memory to a
 * call that may block.
 */
final class DiskFile implements LocalFile {
    /** The native buffer a heap segment is copied through, per step. */
    static final int BOUNCE_BUFFER_BYTES = 1 << 20;

    private final LocalDiskDataStore store;
    private final long ino;
    private final Path path;
    private final FdGuard fd;
    private final AtomicBoolean closed = new AtomicBoolean();

    DiskFile(LocalDiskDataStore store, long ino, Path path, int fd) {
        this.store = store;
        this.ino = ino;
        this.path = path;
        this.fd = new FdGuard(fd);
    }

    @Override
    public long ino() {
        return ino;
    }

    @Override
    public int read(long offset, MemorySegment dst) throws FsException {
        long want = dst.byteSize();
        if (want > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a read returns an int count; asked for " + want + " bytes");
        }
        Args.range(offset, want, "read", this);
        int d = fd.acquire(this);
        try {
            return (int) (dst.isNative() ? Libc.preadFully(d, dst, offset) : readThroughBuffer(d, offset, dst));
        } catch (ErrnoException e) {
            throw DiskErrors.map(e, "pread of " + want + " bytes at " + offset + " from " + this);
        } finally {
            fd.release();
        }
    }

    @Override
    public void write(long offset, MemorySegment src) throws FsException {
        Args.range(offset, src.byteSize(), "write", this);
        int d = fd.acquire(this);
        try {
            if (src.isNative()) {
                Libc.pwriteFully(d, src, offset);
            } else {
                writeThroughBuffer(d, offset, src);
            }
        } catch (ErrnoException e) {
            throw DiskErrors.map(e, "pwrite of " + src.byteSize() + " bytes at " + offset + " to " + this);
        } finally {
            fd.release();
        }
    }

    @Override
    public void truncate(long sizeBytes) throws FsException {
        Args.range(sizeBytes, 0, "truncate", this);
        int d = fd.acquire(this);
        try {
            Libc.ftruncate(d, sizeBytes);
        } catch (ErrnoException e) {
            throw DiskErrors.map(e, "ftruncate to " + sizeBytes + " bytes of " + this);
        } finally {
            fd.release();
        }
    }

    @Override
    public void allocate(int mode, long offset, long length) throws FsException {
        Args.allocateMode(mode, offset, length, this);
        int d = fd.acquire(this);
        try {
            Libc.fallocate(d, mode, offset, length);
        } catch (ErrnoException e) {
            throw DiskErrors.map(e, "fallocate mode 0x" + Integer.toHexString(mode) + " of " + length + " bytes at "
                    + offset + " in " + this);
        } finally {
            fd.release();
        }
    }

    @Override
    public long seek(long offset, int whence) throws FsException {
        Args.whence(whence, this);
        if (offset < 0) {
            // ext4 and XFS answer ENXIO here; not every file system does, so decide before the kernel.
            throw new FsException.NoSuchAddress("seek to " + offset + " in " + this);
        }
        int d = fd.acquire(this);
        try {
            // Moves the descriptor's file position, which nothing here or in FUSE passthrough reads.
            return Libc.lseek(d, offset, whence);
        } catch (ErrnoException e) {
            throw DiskErrors.map(e, (whence == Args.SEEK_DATA ? "SEEK_DATA" : "SEEK_HOLE") + " from " + offset + " in " + this);
        } finally {
            fd.release();
        }
    }

    @Override
    public long copyTo(long srcOffset, LocalFile dst, long dstOffset, long length) throws FsException {
        Args.range(srcOffset, length, "copy", this);
        Args.range(dstOffset, length, "copy", dst);
        int d = fd.acquire(this);
        try {
            return DiskCopy.copy(this, d, srcOffset, dst, dstOffset, length);
        } finally {
            fd.release();
        }
    }

    @Override
    public void sync(boolean dataOnly) throws FsException {
        int d = fd.acquire(this);
        try {
            if (dataOnly) {
                Libc.fdatasync(d);
            } else {
                Libc.fsync(d);
            }
        } catch (ErrnoException e) {
            throw DiskErrors.map(e, (dataOnly ? "fdatasync" : "fsync") + " of " + this);
        } finally {
            fd.release();
        }
    }

    @Override
    public Stat stat() throws FsException {
        int d = fd.acquire(this);
        try {
            Libc.Statx st = Libc.fstat(d);
            return new Stat(st.size(), st.blocks() * 512, new Timespec(st.mtimeSec(), st.mtimeNsec()));
        } catch (ErrnoException e) {
            throw DiskErrors.map(e, "statx of " + this);
        } finally {
            fd.release();
        }
    }

    @Override
    public int nativeFd() {
        return fd.peek(this);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            fd.close();
            store.handleClosed(ino);
        }
    }

    /** For {@link DiskCopy}: marks a call in flight on this file as the destination. */
    FdGuard guard() {
        return fd;
    }

    @Override
    public String toString() {
        return "inode " + ino + " (" + path + ")";
    }

    private static long readThroughBuffer(int d, long offset, MemorySegment dst) throws ErrnoException {
        long want = dst.byteSize();
        if (want == 0) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.min(want, BOUNCE_BUFFER_BYTES));
            long done = 0;
            while (done < want) {
                long step = Math.min(buf.byteSize(), want - done);
                long n = Libc.preadFully(d, buf.asSlice(0, step), offset + done);
                MemorySegment.copy(buf, 0, dst, done, n);
                done += n;
                if (n < step) {
                    break;
                }
            }
            return done;
        }
    }

    private static void writeThroughBuffer(int d, long offset, MemorySegment src) throws ErrnoException {
        long want = src.byteSize();
        if (want == 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.min(want, BOUNCE_BUFFER_BYTES));
            for (long done = 0; done < want; ) {
                long step = Math.min(buf.byteSize(), want - done);
                MemorySegment.copy(src, done, buf, 0, step);
                Libc.pwriteFully(d, buf.asSlice(0, step), offset + done);
                done += step;
            }
        }
    }
}
