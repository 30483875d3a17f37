package dev.strata.tier.local;

import dev.strata.core.FsException;
import dev.strata.core.data.LocalFile;

/**
 * Argument checks made before a system call, so the answer does not depend on the file system
 * under the data root (or on whether a zero-length call reaches the kernel at all). The same rules
 * as the testkit's fake, which cannot share this class.
 */
final class Args {
    static final int SUPPORTED_ALLOCATE_MODES =
            LocalFile.FALLOC_KEEP_SIZE | LocalFile.FALLOC_PUNCH_HOLE | LocalFile.FALLOC_ZERO_RANGE;
    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;

    private Args() {}

    static void range(long offset, long length, String op, Object file) throws FsException.InvalidArgument {
        if (offset < 0 || length < 0 || offset + length < 0) {
            throw new FsException.InvalidArgument(op + " of " + file + ": offset " + offset + ", length " + length);
        }
    }

    /**
     * Only the three modes the port names reach the kernel: COLLAPSE_RANGE, INSERT_RANGE and the
     * like would shift bytes under the engine's block map. PUNCH_HOLE needs KEEP_SIZE and excludes
     * ZERO_RANGE, as vfs_fallocate() says.
     */
    static void allocateMode(int mode, long offset, long length, Object file) throws FsException {
        if ((mode & ~SUPPORTED_ALLOCATE_MODES) != 0) {
            throw new FsException.NotSupported("fallocate mode 0x" + Integer.toHexString(mode) + " on " + file);
        }
        if (offset < 0 || length <= 0 || offset + length < 0) {
            throw new FsException.InvalidArgument("fallocate of " + file + ": offset " + offset + ", length " + length);
        }
        boolean punch = (mode & LocalFile.FALLOC_PUNCH_HOLE) != 0;
        if (punch && (mode & (LocalFile.FALLOC_ZERO_RANGE | LocalFile.FALLOC_KEEP_SIZE)) != LocalFile.FALLOC_KEEP_SIZE) {
            throw new FsException.NotSupported("fallocate mode 0x" + Integer.toHexString(mode) + " on " + file
                    + ": PUNCH_HOLE needs KEEP_SIZE and excludes ZERO_RANGE");
        }
    }

    static void whence(int whence, Object file) throws FsException.InvalidArgument {
        if (whence != SEEK_DATA && whence != SEEK_HOLE) {
            throw new FsException.InvalidArgument("seek of " + file + ": whence " + whence
                    + " (only SEEK_DATA 3 and SEEK_HOLE 4)");
        }
    }
}
