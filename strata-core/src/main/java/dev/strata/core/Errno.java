package dev.strata.core;

/**
 * The Linux error numbers Strata can answer with. The numbers are the x86-64/aarch64 Linux values
 * (asm-generic/errno-base.h and errno.h); the FUSE edge sends {@code -code()} to the kernel.
 */
public enum Errno {
    EPERM(1), ENOENT(2), EIO(5), ENXIO(6), E2BIG(7), EBADF(9), EAGAIN(11), ENOMEM(12), EACCES(13),
    EFAULT(14), EBUSY(16), EEXIST(17), EXDEV(18), ENODEV(19), ENOTDIR(20), EISDIR(21), EINVAL(22),
    ENFILE(23), EMFILE(24), ETXTBSY(26), EFBIG(27), ENOSPC(28), ESPIPE(29), EROFS(30), EMLINK(31),
    ERANGE(34), EDEADLK(35), ENAMETOOLONG(36), ENOLCK(37), ENOSYS(38), ENOTEMPTY(39), ELOOP(40),
    ENODATA(61), EOVERFLOW(75), EOPNOTSUPP(95), ETIMEDOUT(110), ESTALE(116), EDQUOT(122), ECANCELED(125);

    private final int code;

    Errno(int code) {
        this.code = code;
    }

    /** The positive Linux error number. */
    public int code() {
        return code;
    }

    /** The constant for a positive Linux error number, or {@link #EIO} for one Strata does not know. */
    public static Errno of(int code) {
        for (Errno e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return EIO;
    }
}
