package dev.strata.nativeio;

/** Error numbers and their strerror texts, for messages. */
public final class Errnos {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int ERANGE = 34;
    public static final int ENOSYS = 38;
    /** No such extended attribute (glibc's ENOATTR is the same number). */
    public static final int ENODATA = 61;
    public static final int EOPNOTSUPP = 95;
    /** The same number as EOPNOTSUPP on Linux. */
    public static final int ENOTSUP = EOPNOTSUPP;
    public static final int ENOTCONN = 107;

    private Errnos() {}

    public static String describe(int errno) {
        return switch (errno) {
            case EPERM -> "Operation not permitted (EPERM)";
            case ENOENT -> "No such file or directory (ENOENT)";
            case EINTR -> "Interrupted system call (EINTR)";
            case EIO -> "Input/output error (EIO)";
            case ENXIO -> "No such device or address (ENXIO)";
            case E2BIG -> "Argument list too long (E2BIG)";
            case EBADF -> "Bad file descriptor (EBADF)";
            case EAGAIN -> "Resource temporarily unavailable (EAGAIN)";
            case EACCES -> "Permission denied (EACCES)";
            case EBUSY -> "Device or resource busy (EBUSY)";
            case EEXIST -> "File exists (EEXIST)";
            case ENODEV -> "No such device (ENODEV)";
            case ENOTDIR -> "Not a directory (ENOTDIR)";
            case EISDIR -> "Is a directory (EISDIR)";
            case EINVAL -> "Invalid argument (EINVAL)";
            case ENOSPC -> "No space left on device (ENOSPC)";
            case EROFS -> "Read-only file system (EROFS)";
            case ERANGE -> "Numerical result out of range (ERANGE)";
            case ENOSYS -> "Function not implemented (ENOSYS)";
            case ENODATA -> "No data available (ENODATA)";
            case EOPNOTSUPP -> "Operation not supported (EOPNOTSUPP)";
            case ENOTCONN -> "Transport endpoint is not connected (ENOTCONN)";
            default -> "errno " + errno;
        };
    }
}
