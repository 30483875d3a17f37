package dev.strata.fuse;

import dev.strata.core.Errno;
import dev.strata.core.FsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one mapping from Strata's errors to the errno the kernel gets. The switch is exhaustive over
 * the sealed {@link FsException} hierarchy, so a new condition cannot reach the kernel without a
 * decision here.
 */
final class Errors {
    private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

    private Errors() {}

    /** The positive errno for a file-system error. */
    static int errno(FsException e) {
        Errno errno = switch (e) {
            case FsException.NoSuchEntry x -> Errno.ENOENT;
            case FsException.AlreadyExists x -> Errno.EEXIST;
            case FsException.NotEmpty x -> Errno.ENOTEMPTY;
            case FsException.NotADirectory x -> Errno.ENOTDIR;
            case FsException.IsADirectory x -> Errno.EISDIR;
            case FsException.InvalidArgument x -> Errno.EINVAL;
            case FsException.AccessDenied x -> Errno.EACCES;
            case FsException.NotPermitted x -> Errno.EPERM;
            case FsException.NameTooLong x -> Errno.ENAMETOOLONG;
            case FsException.NoSpace x -> Errno.ENOSPC;
            case FsException.NoData x -> Errno.ENODATA;
            case FsException.OutOfRange x -> Errno.ERANGE;
            case FsException.CrossDevice x -> Errno.EXDEV;
            case FsException.TooManyLinks x -> Errno.EMLINK;
            // EOPNOTSUPP, not ENOSYS: after ENOSYS the kernel stops sending that opcode for the life
            // of the mount (xattrs, fallocate, lseek, copy_file_range...), which a single
            // unsupported variant (e.g. one fallocate mode) must not cause.
            case FsException.NotSupported x -> Errno.EOPNOTSUPP;
            case FsException.BadHandle x -> Errno.EBADF;
            case FsException.TooManyOpenFiles x -> Errno.ENFILE;
            case FsException.FileTooBig x -> Errno.EFBIG;
            case FsException.NoSuchAddress x -> Errno.ENXIO;
            case FsException.ReadOnly x -> Errno.EROFS;
            case FsException.IoFailure x -> Errno.EIO;
            // The layer below said ENOSYS: same reasoning as NotSupported.
            case FsException.Other x -> x.errno() == Errno.ENOSYS ? Errno.EOPNOTSUPP : x.errno();
        };
        return errno.code();
    }

    /**
     * A bug or an unexpected failure in the engine (any RuntimeException or Error): the caller gets
     * EIO, the log gets the stack trace, and the worker goes on.
     */
    static int unexpected(int opcode, long nodeId, Throwable t) {
        LOG.error("{} on inode {} failed unexpectedly; answering EIO", Proto.opcodeName(opcode), nodeId, t);
        return Errno.EIO.code();
    }
}
