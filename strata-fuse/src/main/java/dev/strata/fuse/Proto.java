package dev.strata.fuse;

/**
 * Constants of the kernel FUSE protocol (include/uapi/linux/fuse.h, protocol 7.45 as in Linux 6.18).
 * Debian's header stops at 7.38; the 7.39+ values (passthrough, backing ioctls, COPY_FILE_RANGE_64)
 * were taken from the kernel's current header. Struct sizes were checked against the C layouts
 * with offsetof (see StructLayoutTest).
 */
final class Proto {
    private Proto() {}

    static final int KERNEL_MAJOR = 7;
    /** The newest minor version this implementation speaks. */
    static final int MAX_MINOR = 45;
    /**
     * The oldest minor we accept: 7.31 (Linux 5.9) has every reply layout at its current size, so no
     * compat-size replies are needed, and FUSE_WRITE_KILL_PRIV and MAX_PAGES exist.
     */
    static final int MIN_MINOR = 31;
    static final long ROOT_ID = 1;

    // ---- opcodes ----
    static final int LOOKUP = 1;
    static final int FORGET = 2;
    static final int GETATTR = 3;
    static final int SETATTR = 4;
    static final int READLINK = 5;
    static final int SYMLINK = 6;
    static final int MKNOD = 8;
    static final int MKDIR = 9;
    static final int UNLINK = 10;
    static final int RMDIR = 11;
    static final int RENAME = 12;
    static final int LINK = 13;
    static final int OPEN = 14;
    static final int READ = 15;
    static final int WRITE = 16;
    static final int STATFS = 17;
    static final int RELEASE = 18;
    static final int FSYNC = 20;
    static final int SETXATTR = 21;
    static final int GETXATTR = 22;
    static final int LISTXATTR = 23;
    static final int REMOVEXATTR = 24;
    static final int FLUSH = 25;
    static final int INIT = 26;
    static final int OPENDIR = 27;
    static final int READDIR = 28;
    static final int RELEASEDIR = 29;
    static final int FSYNCDIR = 30;
    static final int GETLK = 31;
    static final int SETLK = 32;
    static final int SETLKW = 33;
    static final int ACCESS = 34;
    static final int CREATE = 35;
    static final int INTERRUPT = 36;
    static final int BMAP = 37;
    static final int DESTROY = 38;
    static final int IOCTL = 39;
    static final int POLL = 40;
    static final int NOTIFY_REPLY = 41;
    static final int BATCH_FORGET = 42;
    static final int FALLOCATE = 43;
    static final int READDIRPLUS = 44;
    static final int RENAME2 = 45;
    static final int LSEEK = 46;
    static final int COPY_FILE_RANGE = 47;
    static final int SETUPMAPPING = 48;
    static final int REMOVEMAPPING = 49;
    static final int SYNCFS = 50;
    static final int TMPFILE = 51;
    static final int STATX = 52;
    static final int COPY_FILE_RANGE_64 = 53;
    /** One past the largest opcode we count requests for. */
    static final int OPCODE_LIMIT = 64;

    // ---- INIT flags (bits 32..63 travel in flags2 when INIT_EXT is set) ----
    static final long ASYNC_READ = 1L << 0;
    static final long POSIX_LOCKS = 1L << 1;
    static final long ATOMIC_O_TRUNC = 1L << 3;
    static final long EXPORT_SUPPORT = 1L << 4;
    static final long BIG_WRITES = 1L << 5;
    static final long DONT_MASK = 1L << 6;
    static final long FLOCK_LOCKS = 1L << 10;
    static final long AUTO_INVAL_DATA = 1L << 12;
    static final long DO_READDIRPLUS = 1L << 13;
    static final long READDIRPLUS_AUTO = 1L << 14;
    static final long ASYNC_DIO = 1L << 15;
    static final long WRITEBACK_CACHE = 1L << 16;
    static final long PARALLEL_DIROPS = 1L << 18;
    static final long HANDLE_KILLPRIV = 1L << 19;
    static final long POSIX_ACL = 1L << 20;
    static final long MAX_PAGES = 1L << 22;
    static final long CACHE_SYMLINKS = 1L << 23;
    static final long HANDLE_KILLPRIV_V2 = 1L << 28;
    static final long SETXATTR_EXT = 1L << 29;
    static final long INIT_EXT = 1L << 30;
    static final long PASSTHROUGH = 1L << 37;

    // ---- open reply flags ----
    static final int FOPEN_DIRECT_IO = 1;
    static final int FOPEN_KEEP_CACHE = 1 << 1;
    static final int FOPEN_PASSTHROUGH = 1 << 7;

    // ---- request flags ----
    static final int GETATTR_FH = 1;
    static final int WRITE_KILL_SUIDGID = 1 << 2;
    static final int OPEN_KILL_SUIDGID = 1;
    static final int FSYNC_FDATASYNC = 1;

    static final int FATTR_MODE = 1;
    static final int FATTR_UID = 1 << 1;
    static final int FATTR_GID = 1 << 2;
    static final int FATTR_SIZE = 1 << 3;
    static final int FATTR_ATIME = 1 << 4;
    static final int FATTR_MTIME = 1 << 5;
    static final int FATTR_FH = 1 << 6;
    static final int FATTR_ATIME_NOW = 1 << 7;
    static final int FATTR_MTIME_NOW = 1 << 8;
    static final int FATTR_LOCKOWNER = 1 << 9;
    static final int FATTR_CTIME = 1 << 10;
    static final int FATTR_KILL_SUIDGID = 1 << 11;

    // ---- notifications ----
    static final int NOTIFY_INVAL_INODE = 2;
    static final int NOTIFY_INVAL_ENTRY = 3;

    // ---- struct sizes (bytes) ----
    static final int IN_HEADER = 40;
    static final int OUT_HEADER = 16;
    static final int ATTR = 88;
    static final int ENTRY_OUT = 128;
    static final int ATTR_OUT = 104;
    static final int OPEN_OUT = 16;
    static final int INIT_IN = 64;
    /** fuse_init_in before 7.36 had only major, minor, max_readahead, flags. */
    static final int INIT_IN_COMPAT = 16;
    static final int INIT_OUT = 64;
    static final int GETATTR_IN = 16;
    static final int SETATTR_IN = 88;
    static final int MKNOD_IN = 16;
    static final int MKDIR_IN = 8;
    static final int RENAME_IN = 8;
    static final int RENAME2_IN = 16;
    static final int LINK_IN = 8;
    static final int OPEN_IN = 8;
    static final int CREATE_IN = 16;
    static final int RELEASE_IN = 24;
    static final int FLUSH_IN = 24;
    static final int READ_IN = 40;
    static final int WRITE_IN = 40;
    static final int WRITE_OUT = 8;
    static final int STATFS_OUT = 80;
    static final int FSYNC_IN = 16;
    static final int SETXATTR_IN_COMPAT = 8;
    static final int SETXATTR_IN_EXT = 16;
    static final int GETXATTR_IN = 8;
    static final int GETXATTR_OUT = 8;
    static final int FORGET_IN = 8;
    static final int BATCH_FORGET_IN = 8;
    static final int FORGET_ONE = 16;
    static final int FALLOCATE_IN = 32;
    static final int LSEEK_IN = 24;
    static final int LSEEK_OUT = 8;
    static final int COPY_FILE_RANGE_IN = 56;
    static final int COPY_FILE_RANGE_OUT = 8;
    static final int DIRENT_HEADER = 24;
    static final int DIRENTPLUS_HEADER = ENTRY_OUT + DIRENT_HEADER;
    static final int NOTIFY_INVAL_INODE_OUT = 24;
    static final int NOTIFY_INVAL_ENTRY_OUT = 16;
    static final int BACKING_MAP = 16;

    // ---- /dev/fuse ioctls: _IOW(229, nr, size) = 1 << 30 | size << 16 | 229 << 8 | nr ----
    static final long DEV_IOC_BACKING_OPEN = ioc(1, 1, BACKING_MAP);
    static final long DEV_IOC_BACKING_CLOSE = ioc(1, 2, 4);

    static long ioc(int direction, int nr, int size) {
        return ((long) direction << 30) | ((long) size << 16) | (229L << 8) | nr;
    }

    /** Rounds a dirent length up to 8 bytes, as FUSE_DIRENT_ALIGN does. */
    static int align8(int n) {
        return (n + 7) & ~7;
    }

    static String opcodeName(int opcode) {
        return switch (opcode) {
            case LOOKUP -> "LOOKUP";
            case FORGET -> "FORGET";
            case GETATTR -> "GETATTR";
            case SETATTR -> "SETATTR";
            case READLINK -> "READLINK";
            case SYMLINK -> "SYMLINK";
            case MKNOD -> "MKNOD";
            case MKDIR -> "MKDIR";
            case UNLINK -> "UNLINK";
            case RMDIR -> "RMDIR";
            case RENAME -> "RENAME";
            case LINK -> "LINK";
            case OPEN -> "OPEN";
            case READ -> "READ";
            case WRITE -> "WRITE";
            case STATFS -> "STATFS";
            case RELEASE -> "RELEASE";
            case FSYNC -> "FSYNC";
            case SETXATTR -> "SETXATTR";
            case GETXATTR -> "GETXATTR";
            case LISTXATTR -> "LISTXATTR";
            case REMOVEXATTR -> "REMOVEXATTR";
            case FLUSH -> "FLUSH";
            case INIT -> "INIT";
            case OPENDIR -> "OPENDIR";
            case READDIR -> "READDIR";
            case RELEASEDIR -> "RELEASEDIR";
            case FSYNCDIR -> "FSYNCDIR";
            case GETLK -> "GETLK";
            case SETLK -> "SETLK";
            case SETLKW -> "SETLKW";
            case ACCESS -> "ACCESS";
            case CREATE -> "CREATE";
            case INTERRUPT -> "INTERRUPT";
            case BMAP -> "BMAP";
            case DESTROY -> "DESTROY";
            case IOCTL -> "IOCTL";
            case POLL -> "POLL";
            case NOTIFY_REPLY -> "NOTIFY_REPLY";
            case BATCH_FORGET -> "BATCH_FORGET";
            case FALLOCATE -> "FALLOCATE";
            case READDIRPLUS -> "READDIRPLUS";
            case RENAME2 -> "RENAME2";
            case LSEEK -> "LSEEK";
            case COPY_FILE_RANGE -> "COPY_FILE_RANGE";
            case SETUPMAPPING -> "SETUPMAPPING";
            case REMOVEMAPPING -> "REMOVEMAPPING";
            case SYNCFS -> "SYNCFS";
            case TMPFILE -> "TMPFILE";
            case STATX -> "STATX";
            case COPY_FILE_RANGE_64 -> "COPY_FILE_RANGE_64";
            default -> "OPCODE_" + opcode;
        };
    }
}
