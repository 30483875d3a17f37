package dev.strata.fuse;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The INIT handshake as a pure function of what the kernel offers and what the session wants.
 *
 * <p>Flags we ask for, each only if the kernel offers it:
 * <ul>
 *   <li>ASYNC_READ, ASYNC_DIO: several reads of one file may be in flight (read-ahead); the engine is
 *       thread-safe.
 *   <li>ATOMIC_O_TRUNC: O_TRUNC arrives with OPEN, saving a SETATTR round trip.
 *   <li>BIG_WRITES, MAX_PAGES: writes and reads of up to {@link #MAX_WRITE_BYTES} ({@link #MAX_PAGES} pages).
 *   <li>DO_READDIRPLUS, READDIRPLUS_AUTO: ls -l fills the attribute cache in one pass.
 *   <li>PARALLEL_DIROPS: lookups and readdir in one directory run concurrently.
 *   <li>CACHE_SYMLINKS: a symlink's target never changes, so the kernel may cache it.
 *   <li>HANDLE_KILLPRIV_V2: the engine clears setuid/setgid (killSuidGid) the way the VFS would.
 *   <li>WRITEBACK_CACHE: see {@link FuseConfig#writebackCache()}; never together with passthrough:
 *       process_init_reply() in fs/fuse/inode.c ignores FUSE_PASSTHROUGH when WRITEBACK_CACHE is also
 *       set ("current design doesn't handle them together").
 *   <li>PASSTHROUGH (with INIT_EXT, max_stack_depth 1): only as root, because
 *       FUSE_DEV_IOC_BACKING_OPEN requires CAP_SYS_ADMIN. Depth 1 means the backing files must live on
 *       a non-stacked file system, and our mount may itself sit below overlayfs.
 * </ul>
 * Deliberately not asked for: POSIX_LOCKS and FLOCK_LOCKS (without them the kernel keeps flock and
 * fcntl locks locally, which is exactly right on one node; a cluster will need them),
 * AUTO_INVAL_DATA (on one node nothing changes behind the kernel's back; the cluster will send
 * explicit invalidations), EXPORT_SUPPORT, POSIX_ACL, SETXATTR_EXT (only needed for ACLs),
 * SPLICE_* (we copy with read/writev), DONT_MASK (the kernel applies the umask before sending the mode).
 */
final class InitNegotiation {
    static final int MAX_WRITE_BYTES = 1 << 20;
    static final int MAX_PAGES = 256;
    /** Requests the kernel may queue in the background (read-ahead, async direct I/O); kernel default 12. */
    static final int MAX_BACKGROUND = 64;
    /** At 3/4 of the background limit the kernel reports congestion to writeback. */
    static final int CONGESTION_THRESHOLD = 48;
    static final int TIME_GRAN_NANOS = 1;
    static final int MAX_STACK_DEPTH = 1;
    static final int EPROTO = 71;

    static final long WANTED = Proto.ASYNC_READ | Proto.ATOMIC_O_TRUNC | Proto.BIG_WRITES | Proto.DO_READDIRPLUS
            | Proto.READDIRPLUS_AUTO | Proto.PARALLEL_DIROPS | Proto.MAX_PAGES | Proto.CACHE_SYMLINKS
            | Proto.ASYNC_DIO | Proto.HANDLE_KILLPRIV_V2;

    private InitNegotiation() {}

    /** What the kernel sent in fuse_init_in. */
    record Offer(int major, int minor, int maxReadahead, long flags) {}

    /** The session's wishes. */
    record Wishes(FuseConfig.Toggle writeback, FuseConfig.Toggle passthrough, boolean privileged) {}

    sealed interface Outcome permits Accept, Refuse {}

    /** Reply with fuse_init_out for {@code negotiated} ({@link #encode}); {@code note} says what was left off and why. */
    record Accept(Negotiated negotiated, String note) implements Outcome {}

    /** Reply with an error; the kernel fails the mount. */
    record Refuse(int errno, String reason) implements Outcome {}

    static Offer decode(Request r) throws MalformedRequest {
        r.require(Proto.INIT_IN_COMPAT);
        int major = r.u32(0);
        int minor = r.u32(4);
        int readahead = r.u32(8);
        long flags = Integer.toUnsignedLong(r.u32(12));
        if ((flags & Proto.INIT_EXT) != 0 && r.argsLength() >= Proto.INIT_IN) {
            flags |= Integer.toUnsignedLong(r.u32(16)) << 32;
        }
        return new Offer(major, minor, readahead, flags);
    }

    static Outcome negotiate(Offer offer, Wishes wishes) {
        if (offer.major() != Proto.KERNEL_MAJOR) {
            return new Refuse(EPROTO, "kernel speaks FUSE " + offer.major() + "." + offer.minor() + ", we speak "
                    + Proto.KERNEL_MAJOR + ".x");
        }
        if (offer.minor() < Proto.MIN_MINOR) {
            return new Refuse(EPROTO, "kernel FUSE protocol 7." + offer.minor() + " is older than 7." + Proto.MIN_MINOR);
        }
        int minor = Math.min(offer.minor(), Proto.MAX_MINOR);
        long offered = offer.flags();
        long flags = WANTED & offered;
        StringBuilder note = new StringBuilder();

        boolean ext = (offered & Proto.INIT_EXT) != 0;
        boolean ptOffered = ext && (offered & Proto.PASSTHROUGH) != 0;
        boolean passthrough = false;
        if (wishes.passthrough() != FuseConfig.Toggle.OFF) {
            boolean yieldToWriteback = wishes.passthrough() == FuseConfig.Toggle.AUTO
                    && wishes.writeback() == FuseConfig.Toggle.ON;
            if (!ptOffered) {
                note.append("passthrough: not offered by the kernel; ");
            } else if (!wishes.privileged()) {
                note.append("passthrough: off, registering backing files needs root; ");
            } else if (yieldToWriteback) {
                note.append("passthrough: off, writeback cache was asked for and the kernel allows only one; ");
            } else {
                passthrough = true;
            }
        }
        boolean writeback = false;
        if (wishes.writeback() != FuseConfig.Toggle.OFF && (offered & Proto.WRITEBACK_CACHE) != 0) {
            if (passthrough) {
                if (wishes.writeback() == FuseConfig.Toggle.ON) {
                    note.append("writeback cache: off, passthrough is on and the kernel allows only one; ");
                }
            } else {
                writeback = true;
            }
        }
        if (writeback) {
            flags |= Proto.WRITEBACK_CACHE;
        }
        if (passthrough) {
            flags |= Proto.PASSTHROUGH;
        }
        if (ext) {
            flags |= Proto.INIT_EXT;
        }
        Negotiated n = new Negotiated(minor, flags, offer.maxReadahead(), MAX_WRITE_BYTES, writeback, passthrough,
                (flags & Proto.SETXATTR_EXT) != 0);
        return new Accept(n, note.toString());
    }

    /** Encodes fuse_init_out (64 bytes) for an accepted negotiation. */
    static void encode(MemorySegment s, Negotiated n) {
        ValueLayout.OfInt u32 = ValueLayout.JAVA_INT_UNALIGNED;
        ValueLayout.OfShort u16 = ValueLayout.JAVA_SHORT_UNALIGNED;
        s.asSlice(0, Proto.INIT_OUT).fill((byte) 0);
        s.set(u32, 0, Proto.KERNEL_MAJOR);
        s.set(u32, 4, n.minor());
        s.set(u32, 8, n.maxReadahead());
        s.set(u32, 12, (int) n.flags());
        s.set(u16, 16, (short) MAX_BACKGROUND);
        s.set(u16, 18, (short) CONGESTION_THRESHOLD);
        s.set(u32, 20, n.maxWrite());
        s.set(u32, 24, TIME_GRAN_NANOS);
        s.set(u16, 28, (short) MAX_PAGES);
        // map_alignment (30) is DAX only.
        s.set(u32, 32, (int) (n.flags() >>> 32));
        s.set(u32, 36, n.passthrough() ? MAX_STACK_DEPTH : 0);
        // request_timeout (40) stays 0: no kernel-side timeout; a slow object-store restore must not abort the connection.
    }
}
