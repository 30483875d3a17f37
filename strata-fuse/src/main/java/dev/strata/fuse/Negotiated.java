package dev.strata.fuse;

/**
 * What INIT settled for the life of the connection.
 *
 * @param minor        the protocol minor both sides speak
 * @param flags        the INIT flags we replied with (flags2 shifted up by 32)
 * @param writeback    FUSE_WRITEBACK_CACHE is on
 * @param passthrough  FUSE_PASSTHROUGH is on (backing files may be registered)
 * @param setxattrExt  SETXATTR carries the 16-byte fuse_setxattr_in
 */
record Negotiated(int minor, long flags, int maxReadahead, int maxWrite, boolean writeback, boolean passthrough,
        boolean setxattrExt) {

    boolean has(long flag) {
        return (flags & flag) == flag;
    }
}
