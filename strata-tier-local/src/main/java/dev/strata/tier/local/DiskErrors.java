package dev.strata.tier.local;

import dev.strata.core.Errno;
import dev.strata.core.FsException;
import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Errnos;

/**
 * The one place where a failed system call on the fast tier's disk becomes an {@link FsException}.
 * Every message names the operation, the inode and its file, so "I/O error" in a log says which
 * file on which disk to look at.
 */
final class DiskErrors {
    // Linux values missing from Errnos; the same on x86-64 and aarch64.
    static final int EXDEV = 18;
    static final int ENFILE = 23;
    static final int EMFILE = 24;
    static final int EFBIG = 27;
    static final int EDQUOT = 122;

    private DiskErrors() {}

    /**
     * @param what the operation and what it touched, e.g. "pwrite of 4096 bytes at 0 to inode 7
     *     (/data/07/0000000000000007)"
     */
    static FsException map(ErrnoException e, String what) {
        String message = what + ": " + e.getMessage();
        return switch (e.errno()) {
            // Arguable: EDQUOT becomes ENOSPC. A quota on the fast tier's own directory is, to
            // Strata, the size of the fast tier; users' quotas are Strata's business, not the disk's.
            case Errnos.ENOSPC, EDQUOT -> new FsException.NoSpace(message);
            case EFBIG -> new FsException.FileTooBig(message);
            case Errnos.EOPNOTSUPP -> new FsException.NotSupported(message);
            case Errnos.EINVAL -> new FsException.InvalidArgument(message);
            case Errnos.EIO -> new FsException.IoFailure(message);
            case Errnos.ENXIO -> new FsException.NoSuchAddress(message);
            case EMFILE, ENFILE -> new FsException.Other(Errno.of(e.errno()), message
                    + " (every open handle holds a descriptor: raise the open-file limit, ulimit -n or LimitNOFILE)");
            // Errno.of answers EIO for a number it does not know; the message keeps the original.
            default -> new FsException.Other(Errno.of(e.errno()), message);
        };
    }
}
