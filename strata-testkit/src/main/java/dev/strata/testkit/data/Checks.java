package dev.strata.testkit.data;

import dev.strata.core.FsException;
import dev.strata.core.data.LocalFile;

/**
 * The argument checks the kernel makes before it touches a file, answered with the errno Linux
 * gives, so the fake fails exactly where the local disk fails.
 */
final class Checks {
    /** fallocate(2) modes the port accepts; anything else is NotSupported before any other check. */
    static final int SUPPORTED_ALLOCATE_MODES =
            LocalFile.FALLOC_KEEP_SIZE | LocalFile.FALLOC_PUNCH_HOLE | LocalFile.FALLOC_ZERO_RANGE;

    private Checks() {}

    /** EINVAL for a negative offset or a range whose end does not fit in a signed 64-bit offset. */
    static void range(long offset, long length, String what) throws FsException.InvalidArgument {
        if (offset < 0 || length < 0 || offset + length < 0) {
            throw new FsException.InvalidArgument(what + ": offset " + offset + ", length " + length);
        }
    }

    /** EFBIG when the range would end past the largest file the fake allows. */
    static void fits(long endBytes, long maxFileBytes, String what) throws FsException.FileTooBig {
        if (endBytes > maxFileBytes) {
            throw new FsException.FileTooBig(what + ": would end at " + endBytes + ", the limit is " + maxFileBytes);
        }
    }

    /** The mode checks of vfs_fallocate(), in the kernel's order after the port's own. */
    static void allocateMode(int mode, long offset, long length, String what) throws FsException {
        if ((mode & ~SUPPORTED_ALLOCATE_MODES) != 0) {
            throw new FsException.NotSupported(what + ": fallocate mode 0x" + Integer.toHexString(mode));
        }
        if (offset < 0 || length <= 0 || offset + length < 0) {
            throw new FsException.InvalidArgument(what + ": fallocate offset " + offset + ", length " + length);
        }
        boolean punch = (mode & LocalFile.FALLOC_PUNCH_HOLE) != 0;
        if (punch && (mode & LocalFile.FALLOC_ZERO_RANGE) != 0) {
            throw new FsException.NotSupported(what + ": PUNCH_HOLE and ZERO_RANGE together");
        }
        if (punch && (mode & LocalFile.FALLOC_KEEP_SIZE) == 0) {
            throw new FsException.NotSupported(what + ": PUNCH_HOLE without KEEP_SIZE");
        }
    }
}
