package dev.strata.core.meta;

import dev.strata.core.FileType;
import dev.strata.core.Timespec;
import java.util.Arrays;
import java.util.Objects;

/**
 * The persistent attributes of one inode, as the metadata store keeps them.
 *
 * @param ino        the inode number; 1 is the root; numbers are never reused
 * @param mode       type bits (S_IFMT) and permission bits including setuid, setgid and sticky
 * @param nlink      hard-link count; for directories 2 + the number of subdirectories
 * @param sizeBytes  logical size; for symlinks the target length
 * @param rdev       device number for character and block devices, else 0
 * @param parent     for directories their one parent (the root is its own parent); for other
 *                   types the directory of the first link, a hint used to name the file outside
 * @param nextCookie for directories: the readdir cookie the next new entry gets (starts at 3)
 * @param target     for symlinks the target bytes, else {@code null}
 * @param flags      tiering bits kept with the inode so the engine's hot paths need no other read:
 *                   {@link #FLAG_RELEASED}, {@link #FLAG_DIRTY}; other bits reserved (0)
 */
public record InodeRecord(
        long ino,
        int mode,
        int uid,
        int gid,
        int nlink,
        long sizeBytes,
        long rdev,
        Timespec atime,
        Timespec mtime,
        Timespec ctime,
        Timespec btime,
        long parent,
        long nextCookie,
        byte[] target,
        int flags) {

    /**
     * The file's data is only in the capacity tier: the fast tier holds a hole of the file's size.
     * Reads go to the object store; writes wait for a restore.
     */
    public static final int FLAG_RELEASED = 1;
    /**
     * The capacity tier has been told that the data changed since its last archive, so further
     * changes need not tell it again (the first writer's open, a truncate and the like do while
     * this is clear).
     */
    public static final int FLAG_DIRTY = 2;

    /** The first cookie a directory hands out; 1 and 2 are "." and "..". */
    public static final long FIRST_COOKIE = 3;

    public InodeRecord {
        Objects.requireNonNull(atime, "atime");
        Objects.requireNonNull(mtime, "mtime");
        Objects.requireNonNull(ctime, "ctime");
        Objects.requireNonNull(btime, "btime");
        if (ino <= 0) {
            throw new IllegalArgumentException("inode number must be positive: " + ino);
        }
    }

    public FileType type() {
        try {
            return FileType.fromMode(mode);
        } catch (dev.strata.core.FsException e) {
            throw new IllegalStateException("inode " + ino + " has bad mode 0" + Integer.toOctalString(mode), e);
        }
    }

    public boolean isDirectory() {
        return (mode & FileType.S_IFMT) == FileType.DIRECTORY.modeBits();
    }

    public boolean isRegular() {
        return (mode & FileType.S_IFMT) == FileType.REGULAR.modeBits();
    }

    /** Whether {@code flag} ({@link #FLAG_RELEASED}, {@link #FLAG_DIRTY}) is set. */
    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** The permission part of the mode (07777). */
    public int permissions() {
        return mode & 07777;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InodeRecord r
                && ino == r.ino && mode == r.mode && uid == r.uid && gid == r.gid && nlink == r.nlink
                && sizeBytes == r.sizeBytes && rdev == r.rdev && atime.equals(r.atime) && mtime.equals(r.mtime)
                && ctime.equals(r.ctime) && btime.equals(r.btime) && parent == r.parent
                && nextCookie == r.nextCookie && Arrays.equals(target, r.target) && flags == r.flags;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(ino) * 31 + Objects.hash(mode, uid, gid, nlink, sizeBytes, mtime, ctime);
    }

    @Override
    public String toString() {
        return "InodeRecord[ino=" + ino + ", mode=0" + Integer.toOctalString(mode) + ", uid=" + uid + ", gid=" + gid
                + ", nlink=" + nlink + ", size=" + sizeBytes + ", rdev=" + rdev + ", atime=" + atime + ", mtime=" + mtime
                + ", ctime=" + ctime + ", btime=" + btime + ", parent=" + parent + ", nextCookie=" + nextCookie
                + ", target=" + (target == null ? "null" : new String(target, java.nio.charset.StandardCharsets.UTF_8))
                + ", flags=" + flags + "]";
    }

    /** A mutable copy for building the next version of a record. */
    public static final class Builder {
        private long ino;
        private int mode;
        private int uid;
        private int gid;
        private int nlink;
        private long sizeBytes;
        private long rdev;
        private Timespec atime;
        private Timespec mtime;
        private Timespec ctime;
        private Timespec btime;
        private long parent;
        private long nextCookie;
        private byte[] target;
        private int flags;

        public Builder() {}

        Builder(InodeRecord r) {
            ino = r.ino; mode = r.mode; uid = r.uid; gid = r.gid; nlink = r.nlink; sizeBytes = r.sizeBytes;
            rdev = r.rdev; atime = r.atime; mtime = r.mtime; ctime = r.ctime; btime = r.btime; parent = r.parent;
            nextCookie = r.nextCookie; target = r.target; flags = r.flags;
        }

        public Builder ino(long v) { ino = v; return this; }
        public Builder mode(int v) { mode = v; return this; }
        public Builder uid(int v) { uid = v; return this; }
        public Builder gid(int v) { gid = v; return this; }
        public Builder nlink(int v) { nlink = v; return this; }
        public Builder sizeBytes(long v) { sizeBytes = v; return this; }
        public Builder rdev(long v) { rdev = v; return this; }
        public Builder atime(Timespec v) { atime = v; return this; }
        public Builder mtime(Timespec v) { mtime = v; return this; }
        public Builder ctime(Timespec v) { ctime = v; return this; }
        public Builder btime(Timespec v) { btime = v; return this; }
        public Builder parent(long v) { parent = v; return this; }
        public Builder nextCookie(long v) { nextCookie = v; return this; }
        public Builder target(byte[] v) { target = v; return this; }
        public Builder flags(int v) { flags = v; return this; }

        public long ino() { return ino; }
        public int mode() { return mode; }
        public int uid() { return uid; }
        public int gid() { return gid; }
        public int nlink() { return nlink; }
        public long sizeBytes() { return sizeBytes; }
        public Timespec ctime() { return ctime; }
        public Timespec mtime() { return mtime; }
        public long parent() { return parent; }
        public long nextCookie() { return nextCookie; }
        public int flags() { return flags; }

        /** Sets or clears one of the {@code FLAG_*} bits. */
        public Builder flag(int flag, boolean on) { flags = on ? flags | flag : flags & ~flag; return this; }

        /** Sets mtime and ctime together, as every content change does. */
        public Builder modified(Timespec now) { mtime = now; ctime = now; return this; }

        public InodeRecord build() {
            return new InodeRecord(ino, mode, uid, gid, nlink, sizeBytes, rdev, atime, mtime, ctime, btime, parent,
                    nextCookie, target, flags);
        }
    }
}
