package dev.strata.tier.local;

import dev.strata.core.FsException;
import dev.strata.core.data.LocalFile;
import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Errnos;
import dev.strata.nativeio.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * {@link LocalFile#copyTo} for a disk file: copy_file_range(2) when the destination has a kernel
 * descriptor, so the bytes never enter this process (and XFS or Btrfs may share extents); a
 * bounded buffer when it has none or when the kernel declines the pair of files.
 *
 * <p>A destination that is not a {@link DiskFile} but exposes a descriptor (a decorator) is written
 * through that descriptor by the kernel path, past the decorator's own {@code write}.
 */
final class DiskCopy {
    /** The buffer of the fallback copy, per step. */
    static final int FALLBACK_BUFFER_BYTES = 1 << 20;

    private DiskCopy() {}

    static long copy(DiskFile src, int srcFd, long srcOffset, LocalFile dst, long dstOffset, long length)
            throws FsException {
        String what = "copy of " + length + " bytes from " + src + " at " + srcOffset + " to " + dst + " at " + dstOffset;
        Libc.Statx srcStat = fstat(srcFd, what);
        // As copy_file_range: the copy ends at the source's end of file.
        long count = srcOffset >= srcStat.size() ? 0 : Math.min(length, srcStat.size() - srcOffset);
        if (count == 0) {
            return 0;
        }
        DiskFile dstDisk = dst instanceof DiskFile d ? d : null;
        int dstFd = dstDisk != null ? dstDisk.guard().acquire(dstDisk) : dst.nativeFd();
        try {
            long done = 0;
            if (dstFd >= 0) {
                Libc.Statx dstStat = fstat(dstFd, what);
                boolean sameFile = dstStat.ino() == srcStat.ino() && dstStat.devMajor() == srcStat.devMajor()
                        && dstStat.devMinor() == srcStat.devMinor();
                // Checked here, not left to the kernel: its EINVAL would send us to the fallback,
                // which must never copy overlapping ranges.
                if (sameFile && dstOffset < srcOffset + count && srcOffset < dstOffset + count) {
                    throw new FsException.InvalidArgument(what + ": the ranges overlap within one file");
                }
                KernelCopy kernel = copyInKernel(srcFd, srcOffset, dstFd, dstOffset, count, what);
                if (!kernel.declined()) {
                    return kernel.bytes();
                }
                done = kernel.bytes();
            }
            return done + copyThroughBuffer(srcFd, srcOffset + done, dst, dstOffset + done, count - done, what);
        } finally {
            if (dstDisk != null) {
                dstDisk.guard().release();
            }
        }
    }

    /** What the kernel copied, and whether it declined to copy the rest (which then needs the fallback). */
    private record KernelCopy(long bytes, boolean declined) {}

    /** Loops copy_file_range until {@code count} bytes, the source's end, or the kernel declines. */
    private static KernelCopy copyInKernel(int srcFd, long srcOffset, int dstFd, long dstOffset, long count,
            String what) throws FsException {
        long done = 0;
        while (done < count) {
            long n;
            try {
                n = Libc.copyFileRange(srcFd, srcOffset + done, dstFd, dstOffset + done, count - done);
            } catch (ErrnoException e) {
                if (kernelDeclined(e.errno())) {
                    return new KernelCopy(done, true);
                }
                throw DiskErrors.map(e, what);
            }
            if (n == 0) {
                break; // the source shrank under the copy
            }
            done += n;
        }
        return new KernelCopy(done, false);
    }

    /**
     * EXDEV: different file systems (refused again since Linux 5.19 unless both are of one type);
     * EOPNOTSUPP / ENOSYS: no support in this file system or kernel; EINVAL: a pair the file system
     * cannot copy between (our own arguments were checked before).
     */
    private static boolean kernelDeclined(int errno) {
        return errno == DiskErrors.EXDEV || errno == Errnos.EOPNOTSUPP || errno == Errnos.ENOSYS
                || errno == Errnos.EINVAL;
    }

    private static long copyThroughBuffer(int srcFd, long srcOffset, LocalFile dst, long dstOffset, long count,
            String what) throws FsException {
        if (count == 0) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.min(count, FALLBACK_BUFFER_BYTES));
            long done = 0;
            while (done < count) {
                long step = Math.min(buf.byteSize(), count - done);
                long n;
                try {
                    n = Libc.preadFully(srcFd, buf.asSlice(0, step), srcOffset + done);
                } catch (ErrnoException e) {
                    throw DiskErrors.map(e, what + " (reading the source)");
                }
                if (n == 0) {
                    break;
                }
                dst.write(dstOffset + done, buf.asSlice(0, n));
                done += n;
                if (n < step) {
                    break;
                }
            }
            return done;
        }
    }

    private static Libc.Statx fstat(int fd, String what) throws FsException {
        try {
            return Libc.fstat(fd);
        } catch (ErrnoException e) {
            throw DiskErrors.map(e, what + " (statx of fd " + fd + ")");
        }
    }
}
