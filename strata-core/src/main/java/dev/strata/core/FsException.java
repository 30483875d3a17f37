package dev.strata.core;

/**
 * A file-system operation failed for a reason the caller can act on. Each subtype stands for one
 * POSIX condition and carries its errno; the FUSE edge maps them to the kernel in one place, the
 * admin API to HTTP statuses in another.
 *
 * <p>These are operating errors, not programmer errors: they carry no stack trace worth printing.
 */
public abstract sealed class FsException extends Exception {
    private final Errno errno;

    private FsException(Errno errno, String message) {
        super(message, null, false, false);
        this.errno = errno;
    }

    public final Errno errno() {
        return errno;
    }

    /** ENOENT: no entry of that name, or the inode is gone. */
    public static final class NoSuchEntry extends FsException {
        public NoSuchEntry(String what) { super(Errno.ENOENT, "no such entry: " + what); }
    }

    /** EEXIST: the name is taken (O_EXCL, mkdir, link, RENAME_NOREPLACE, XATTR_CREATE). */
    public static final class AlreadyExists extends FsException {
        public AlreadyExists(String what) { super(Errno.EEXIST, "already exists: " + what); }
    }

    /** ENOTEMPTY: a directory that must be empty is not. */
    public static final class NotEmpty extends FsException {
        public NotEmpty(String what) { super(Errno.ENOTEMPTY, "directory not empty: " + what); }
    }

    /** ENOTDIR: a directory was needed. */
    public static final class NotADirectory extends FsException {
        public NotADirectory(String what) { super(Errno.ENOTDIR, "not a directory: " + what); }
    }

    /** EISDIR: the operation does not apply to directories. */
    public static final class IsADirectory extends FsException {
        public IsADirectory(String what) { super(Errno.EISDIR, "is a directory: " + what); }
    }

    /** EINVAL: an argument is out of range or the combination makes no sense. */
    public static final class InvalidArgument extends FsException {
        public InvalidArgument(String what) { super(Errno.EINVAL, "invalid argument: " + what); }
    }

    /** EACCES: the permission bits forbid it. */
    public static final class AccessDenied extends FsException {
        public AccessDenied(String what) { super(Errno.EACCES, "permission denied: " + what); }
    }

    /** EPERM: only the owner or a privileged caller may do it. */
    public static final class NotPermitted extends FsException {
        public NotPermitted(String what) { super(Errno.EPERM, "operation not permitted: " + what); }
    }

    /** ENAMETOOLONG: a name over 255 bytes, a symlink target over 4095. */
    public static final class NameTooLong extends FsException {
        public NameTooLong(String what) { super(Errno.ENAMETOOLONG, "name too long: " + what); }
    }

    /** ENOSPC: the fast tier (or the metadata journal) has no room left. */
    public static final class NoSpace extends FsException {
        public NoSpace(String what) { super(Errno.ENOSPC, "no space left: " + what); }
    }

    /** ENODATA: no extended attribute of that name. */
    public static final class NoData extends FsException {
        public NoData(String what) { super(Errno.ENODATA, "no such attribute: " + what); }
    }

    /** ERANGE: the caller's buffer is too small, or an xattr value too large. */
    public static final class OutOfRange extends FsException {
        public OutOfRange(String what) { super(Errno.ERANGE, "out of range: " + what); }
    }

    /** EXDEV: the operation would cross a file-system boundary. */
    public static final class CrossDevice extends FsException {
        public CrossDevice(String what) { super(Errno.EXDEV, "cross-device: " + what); }
    }

    /** EMLINK: too many hard links. */
    public static final class TooManyLinks extends FsException {
        public TooManyLinks(String what) { super(Errno.EMLINK, "too many links: " + what); }
    }

    /** EOPNOTSUPP: Strata does not implement that variant (e.g. RENAME_WHITEOUT, ACLs). */
    public static final class NotSupported extends FsException {
        public NotSupported(String what) { super(Errno.EOPNOTSUPP, "not supported: " + what); }
    }

    /** EBADF: an unknown or closed file handle, or a handle opened without the needed access. */
    public static final class BadHandle extends FsException {
        public BadHandle(String what) { super(Errno.EBADF, "bad file handle: " + what); }
    }

    /** ENFILE: the handle table is full (its bound is a setting). */
    public static final class TooManyOpenFiles extends FsException {
        public TooManyOpenFiles(String what) { super(Errno.ENFILE, "too many open files: " + what); }
    }

    /** EFBIG: beyond the largest file size Strata allows. */
    public static final class FileTooBig extends FsException {
        public FileTooBig(String what) { super(Errno.EFBIG, "file too big: " + what); }
    }

    /** ENXIO / ESPIPE style seek errors: SEEK_DATA past the last data. */
    public static final class NoSuchAddress extends FsException {
        public NoSuchAddress(String what) { super(Errno.ENXIO, "no data past offset: " + what); }
    }

    /** EROFS: the file system is mounted or degraded read-only. */
    public static final class ReadOnly extends FsException {
        public ReadOnly(String what) { super(Errno.EROFS, "read-only file system: " + what); }
    }

    /** EIO: the disk, the journal or a checksum failed; the message says which. */
    public static final class IoFailure extends FsException {
        public IoFailure(String what) { super(Errno.EIO, "I/O error: " + what); }
    }

    /** Any other errno reported by the layer below (e.g. the local disk), kept as it was. */
    public static final class Other extends FsException {
        public Other(Errno errno, String what) { super(errno, what); }
    }
}
