package dev.strata.core;

/**
 * Who asks: the credentials of the calling process as the kernel reports them in each request.
 * Supplementary groups are not part of the FUSE request; permission checks that need them are done
 * by the kernel (the mount uses {@code default_permissions}).
 */
public record Caller(int uid, int gid, int pid) {
    /** The superuser, used for administrative work that is not done on behalf of a process. */
    public static final Caller ROOT = new Caller(0, 0, 0);

    public boolean isRoot() {
        return uid == 0;
    }
}
