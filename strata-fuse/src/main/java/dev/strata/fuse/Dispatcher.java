package dev.strata.fuse;

import dev.strata.core.FsException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes a decoded request to its handler and guarantees an answer: every request that takes a
 * reply gets exactly one, whatever the handler does. File-system errors become their errno
 * ({@link Errors}), malformed requests EINVAL, anything unexpected (a bug, an Error) EIO with a log
 * line. Nothing thrown here reaches the worker loop.
 *
 * <p>Thread-safe: called by all workers at once; the handlers keep no per-request state.
 *
 * <p>Opcodes answered ENOSYS and what the kernel then does (fs/fuse, Linux 6.18):
 * <ul>
 *   <li>ACCESS: not sent at all with default_permissions; after ENOSYS the kernel treats access() as
 *       granted for the mount (fc->no_access).
 *   <li>GETLK/SETLK/SETLKW: not sent, because POSIX_LOCKS/FLOCK_LOCKS are not negotiated; the kernel
 *       keeps locks locally.
 *   <li>IOCTL: ENOSYS sets fc->no_ioctl and the caller gets ENOTTY, the usual "no such ioctl".
 *   <li>POLL: ENOSYS sets fc->no_poll and the file then always polls ready, like a regular file.
 *   <li>BMAP: only used for fuseblk mounts; ENOSYS sets fc->no_bmap (FIBMAP returns 0).
 *   <li>STATX: only sent when the caller wants more than the basic stats (e.g. btime); ENOSYS sets
 *       fc->no_statx and the kernel falls back to GETATTR for good.
 *   <li>TMPFILE: O_TMPFILE fails with EOPNOTSUPP.
 *   <li>LSEEK, only with the writeback cache ({@link FileOps#lseek} says why): ENOSYS sets fc->no_lseek and
 *       SEEK_DATA/SEEK_HOLE use generic_file_llseek (all data, one hole at the end).
 *   <li>SYNCFS, SETUPMAPPING, REMOVEMAPPING: virtiofs/DAX only.
 * </ul>
 */
final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    static final int EIO = 5;
    static final int EINVAL = 22;
    static final int ENOSYS = 38;

    /** The session's side of INIT and DESTROY. */
    interface Lifecycle {
        void initialized(Negotiated n);

        void initRefused(String reason);

        void destroyRequested();
    }

    private final Conn conn;
    private final Lifecycle lifecycle;
    private final InitNegotiation.Wishes wishes;
    private final boolean debug;
    private final NodeOps nodes;
    private final FileOps files;
    private final XattrOps xattrs;
    private final LongAdder[] counts = new LongAdder[Proto.OPCODE_LIMIT];
    /** Time from dispatch to the reply's write(2) returning, per opcode. */
    private final LongAdder[] nanos = new LongAdder[Proto.OPCODE_LIMIT];

    Dispatcher(Conn conn, InitNegotiation.Wishes wishes, Lifecycle lifecycle, boolean debug) {
        this.conn = conn;
        this.wishes = wishes;
        this.lifecycle = lifecycle;
        this.debug = debug;
        this.nodes = new NodeOps(conn);
        this.files = new FileOps(conn);
        this.xattrs = new XattrOps(conn);
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
            nanos[i] = new LongAdder();
        }
    }

    /** How many requests of {@code opcode} arrived. */
    long count(int opcode) {
        return opcode >= 0 && opcode < counts.length ? counts[opcode].sum() : 0;
    }

    /**
     * One line per opcode served so far: count, and mean time in the server (handler plus the
     * reply's write), e.g. "LOOKUP 6000 x 21 us". Time outside the server (the kernel, the caller)
     * is the difference to what the caller observes.
     */
    String summary() {
        StringBuilder b = new StringBuilder();
        for (int op = 0; op < counts.length; op++) {
            long n = counts[op].sum();
            if (n > 0) {
                b.append(b.isEmpty() ? "" : ", ").append(Proto.opcodeName(op)).append(' ').append(n).append(" x ")
                        .append(nanos[op].sum() / n / 1000).append(" us");
            }
        }
        return b.isEmpty() ? "none" : b.toString();
    }

    static boolean takesNoReply(int opcode) {
        return opcode == Proto.FORGET || opcode == Proto.BATCH_FORGET || opcode == Proto.INTERRUPT
                || opcode == Proto.NOTIFY_REPLY;
    }

    /** Answers a request whose header could not be decoded (the unique id is known). */
    void rejectMalformed(Request r, Reply out, MalformedRequest e) {
        LOG.warn("malformed request {} ({}): {}", r.unique(), Proto.opcodeName(r.opcode()), e.getMessage());
        out.start(r.unique());
        if (!takesNoReply(r.opcode())) {
            out.error(EINVAL);
        }
    }

    /** Handles one request; never throws. */
    void dispatch(Request r, Reply out) {
        int op = r.opcode();
        long t0 = System.nanoTime();
        out.start(r.unique());
        if (op >= 0 && op < counts.length) {
            counts[op].increment();
        }
        int errno = 0;
        try {
            route(r, out);
        } catch (FsException e) {
            errno = Errors.errno(e);
        } catch (MalformedRequest e) {
            LOG.warn("malformed {} request {}: {}", Proto.opcodeName(op), r.unique(), e.getMessage());
            errno = EINVAL;
        } catch (Throwable t) {
            errno = Errors.unexpected(op, r.nodeId(), t);
        }
        if (!out.answered()) {
            if (takesNoReply(op)) {
                out.none();
            } else {
                if (errno == 0) {
                    LOG.error("{} handler returned without an answer; answering EIO", Proto.opcodeName(op));
                    errno = EIO;
                }
                out.error(errno);
            }
        }
        long took = System.nanoTime() - t0;
        if (op >= 0 && op < counts.length) {
            nanos[op].add(took);
        }
        if (debug) {
            LOG.info("{} unique={} node={} -> {} in {} us", Proto.opcodeName(op), r.unique(), r.nodeId(),
                    errno == 0 ? "ok" : dev.strata.nativeio.Errnos.describe(errno), took / 1000);
        }
    }

    private void route(Request r, Reply out) throws FsException, MalformedRequest {
        int op = r.opcode();
        if (op != Proto.INIT && conn.negotiated() == null && !takesNoReply(op)) {
            throw new MalformedRequest(Proto.opcodeName(op) + " before INIT");
        }
        switch (op) {
            case Proto.INIT -> init(r, out);
            case Proto.DESTROY -> {
                lifecycle.destroyRequested();
                out.ok(0);
            }
            case Proto.LOOKUP -> nodes.lookup(r, out);
            case Proto.FORGET -> nodes.forget(r, out);
            case Proto.BATCH_FORGET -> nodes.batchForget(r, out);
            case Proto.GETATTR -> nodes.getattr(r, out);
            case Proto.SETATTR -> nodes.setattr(r, out);
            case Proto.READLINK -> nodes.readlink(r, out);
            case Proto.SYMLINK -> nodes.symlink(r, out);
            case Proto.MKNOD -> nodes.mknod(r, out);
            case Proto.MKDIR -> nodes.mkdir(r, out);
            case Proto.UNLINK -> nodes.unlink(r, out);
            case Proto.RMDIR -> nodes.rmdir(r, out);
            case Proto.RENAME -> nodes.rename(r, out);
            case Proto.RENAME2 -> nodes.rename2(r, out);
            case Proto.LINK -> nodes.link(r, out);
            case Proto.STATFS -> nodes.statfs(r, out);
            case Proto.OPEN -> files.open(r, out);
            case Proto.CREATE -> files.create(r, out);
            case Proto.READ -> files.read(r, out);
            case Proto.WRITE -> files.write(r, out);
            case Proto.FLUSH -> files.flush(r, out);
            case Proto.RELEASE -> files.release(r, out);
            case Proto.FSYNC -> files.fsync(r, out);
            case Proto.OPENDIR -> files.opendir(r, out);
            case Proto.READDIR -> files.readdir(r, out, false);
            case Proto.READDIRPLUS -> files.readdir(r, out, true);
            case Proto.RELEASEDIR -> files.releasedir(r, out);
            case Proto.FSYNCDIR -> files.fsyncdir(r, out);
            case Proto.FALLOCATE -> files.fallocate(r, out);
            case Proto.LSEEK -> files.lseek(r, out);
            case Proto.COPY_FILE_RANGE -> files.copyFileRange(r, out, false);
            case Proto.COPY_FILE_RANGE_64 -> files.copyFileRange(r, out, true);
            case Proto.SETXATTR -> xattrs.setxattr(r, out);
            case Proto.GETXATTR -> xattrs.getxattr(r, out);
            case Proto.LISTXATTR -> xattrs.listxattr(r, out);
            case Proto.REMOVEXATTR -> xattrs.removexattr(r, out);
            // No operation blocks long enough to be worth interrupting; the kernel gets the normal
            // answer of the original request. NOTIFY_REPLY answers a retrieve we never send.
            case Proto.INTERRUPT, Proto.NOTIFY_REPLY -> out.none();
            default -> out.error(ENOSYS);
        }
    }

    private void init(Request r, Reply out) throws MalformedRequest {
        InitNegotiation.Offer offer = InitNegotiation.decode(r);
        LOG.info("kernel offers FUSE {}.{}, flags {}", offer.major(), offer.minor(), Long.toHexString(offer.flags()));
        switch (InitNegotiation.negotiate(offer, wishes)) {
            case InitNegotiation.Accept a -> {
                Negotiated n = a.negotiated();
                conn.negotiated(n);
                InitNegotiation.encode(out.payload(), n);
                int sent = out.ok(Proto.INIT_OUT);
                LOG.info("negotiated FUSE 7.{}: flags {}, writeback cache {}, passthrough {}{}", n.minor(),
                        Long.toHexString(n.flags()), n.writeback() ? "on" : "off", n.passthrough() ? "on" : "off",
                        a.note().isEmpty() ? "" : " (" + a.note().strip() + ")");
                if (sent == 0) {
                    lifecycle.initialized(n);
                }
            }
            case InitNegotiation.Refuse f -> {
                LOG.error("refusing the FUSE connection: {}", f.reason());
                out.error(f.errno());
                lifecycle.initRefused(f.reason());
            }
        }
    }
}
