package dev.strata.core.fs;

import dev.strata.core.Timespec;

/**
 * The changes of one setattr request; a {@code null} field is left alone.
 *
 * @param atimeNow     set atime to the current time (utimensat UTIME_NOW); {@code atime} is then ignored
 * @param mtimeNow     likewise for mtime
 * @param ctime        an explicit ctime (sent by the kernel with the writeback cache)
 * @param fh           the handle the change came through (ftruncate, fchmod), or -1
 * @param killSuidGid  clear setuid/setgid as a write by an unprivileged process would
 */
public record SetAttr(
        Integer mode,
        Integer uid,
        Integer gid,
        Long sizeBytes,
        Timespec atime,
        boolean atimeNow,
        Timespec mtime,
        boolean mtimeNow,
        Timespec ctime,
        long fh,
        boolean killSuidGid) {

    public static SetAttr size(long sizeBytes) {
        return new SetAttr(null, null, null, sizeBytes, null, false, null, false, null, -1, false);
    }

    public static SetAttr mode(int mode) {
        return new SetAttr(mode, null, null, null, null, false, null, false, null, -1, false);
    }

    public static SetAttr owner(Integer uid, Integer gid) {
        return new SetAttr(null, uid, gid, null, null, false, null, false, null, -1, false);
    }

    public static SetAttr times(Timespec atime, Timespec mtime) {
        return new SetAttr(null, null, null, null, atime, false, mtime, false, null, -1, false);
    }
}
