package dev.strata.fuse;

import dev.strata.core.fs.Opened;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides per open whether the kernel serves the handle by passthrough, and keeps the kernel's
 * backing-file registrations in step with open handles.
 *
 * <p>Rules taken from fs/fuse/iomode.c and backing.c (Linux 6.18):
 * <ul>
 *   <li>An inode has at most one backing file: a second FOPEN_PASSTHROUGH open with a different
 *       backing id fails (EBUSY, seen by the user as EIO). So the id is registered once per inode and
 *       shared by all its passthrough handles, and closed after the last of them is released.
 *   <li>While an inode has a passthrough handle, every open of it must be FOPEN_PASSTHROUGH (else
 *       EIO), even if the engine offered no descriptor for that open: we reuse the inode's id.
 *   <li>While an inode has cached (normal) handles, a passthrough open fails with ETXTBSY/EIO, so
 *       such opens are served normally until the cached handles are gone.
 *   <li>FOPEN_KEEP_CACHE must not be combined with FOPEN_PASSTHROUGH (EIO): passthrough bypasses
 *       the FUSE page cache anyway.
 *   <li>The kernel keeps the backing file's path and our credentials, not our descriptor, so the
 *       engine may close its descriptor after the open; closing the id only drops the lookup entry
 *       (inodes that use it keep their own reference).
 * </ul>
 * The kernel drops its inode mode before it sends RELEASE and takes it after our OPEN reply, so our
 * counts are never below the kernel's: we may serve an open normally that could have been
 * passthrough, never the reverse.
 *
 * <p>If a registration fails (EPERM without CAP_SYS_ADMIN, ELOOP on a stacked file system, EINVAL...)
 * the failure is logged once and passthrough stays off for the rest of the session.
 *
 * <p>Thread-safety: all state is guarded by {@code this}; opens and releases are rare compared to
 * reads and writes, and the ioctl under the lock is a few microseconds.
 */
final class BackingFiles {
    private static final Logger LOG = LoggerFactory.getLogger(BackingFiles.class);

    /** Registers and unregisters backing files with the kernel (FUSE_DEV_IOC_BACKING_OPEN/CLOSE). */
    interface Registrar {
        /** @return a positive backing id, or {@code -errno} */
        int open(int fd);

        /** @return 0 or {@code -errno} */
        int close(int backingId);
    }

    /** What to put in fuse_open_out. */
    record Decision(int openFlags, int backingId) {}

    private record Handle(long ino, long fh) {}

    private static final class InodeState {
        int backingId;
        int passthroughHandles;
        int cachedHandles;
    }

    private final Registrar registrar;
    private final Map<Long, InodeState> inodes = new HashMap<>();
    private final Map<Handle, Boolean> handles = new HashMap<>();
    private boolean disabled;

    BackingFiles(Registrar registrar) {
        this.registrar = registrar;
    }

    /** For an open reply when passthrough was not negotiated. */
    static Decision cached(Opened o) {
        return new Decision(o.keepCache() ? Proto.FOPEN_KEEP_CACHE : 0, 0);
    }

    /** Decides how the handle {@code o} of {@code ino} is served and records it. */
    synchronized Decision opened(long ino, Opened o) {
        InodeState s = inodes.computeIfAbsent(ino, k -> new InodeState());
        Handle h = new Handle(ino, o.fh());
        if (s.backingId > 0) {
            s.passthroughHandles++;
            handles.put(h, Boolean.TRUE);
            return new Decision(Proto.FOPEN_PASSTHROUGH, s.backingId);
        }
        if (!disabled && o.passthroughFd() >= 0 && s.cachedHandles == 0) {
            int id = registrar.open(o.passthroughFd());
            if (id > 0) {
                s.backingId = id;
                s.passthroughHandles = 1;
                handles.put(h, Boolean.TRUE);
                return new Decision(Proto.FOPEN_PASSTHROUGH, id);
            }
            disabled = true;
            LOG.warn("passthrough disabled for this session: registering a backing file failed: {}",
                    dev.strata.nativeio.Errnos.describe(-id));
        }
        s.cachedHandles++;
        handles.put(h, Boolean.FALSE);
        return cached(o);
    }

    /** Forgets the handle; closes the inode's backing id after its last passthrough handle. */
    synchronized void released(long ino, long fh) {
        Boolean passthrough = handles.remove(new Handle(ino, fh));
        InodeState s = inodes.get(ino);
        if (passthrough == null || s == null) {
            return;
        }
        if (passthrough) {
            if (--s.passthroughHandles == 0) {
                int r = registrar.close(s.backingId);
                if (r < 0) {
                    LOG.warn("closing backing id {} of inode {} failed: {}", s.backingId, ino,
                            dev.strata.nativeio.Errnos.describe(-r));
                }
                s.backingId = 0;
            }
        } else {
            s.cachedHandles--;
        }
        if (s.passthroughHandles == 0 && s.cachedHandles == 0) {
            inodes.remove(ino);
        }
    }

    synchronized boolean disabled() {
        return disabled;
    }

    /** Open handles tracked (a bound check for tests and metrics). */
    synchronized int trackedHandles() {
        return handles.size();
    }
}
