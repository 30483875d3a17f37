package dev.strata.fuse;

import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Errnos;
import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mounting and unmounting a FUSE file system, and the checks around it.
 *
 * <p>As root: open /dev/fuse and call mount(2) with {@code fd=N,rootmode=40000,user_id,group_id}.
 * Otherwise: run {@code fusermount3 -o ... -- MOUNTPOINT} (setuid root) with {@code _FUSE_COMMFD}
 * naming one end of a socketpair, and receive the /dev/fuse descriptor over it (SCM_RIGHTS).
 *
 * <p>Errors come back as {@link MountException}s with one line each: a missing or non-directory
 * mount point, a mount point that is already mounted, no permission, no FUSE in the kernel.
 */
public final class FuseMount {
    private static final Logger LOG = LoggerFactory.getLogger(FuseMount.class);
    static final String TYPE = "fuse.strata";
    static final String FUSERMOUNT = "fusermount3";
    private static final Path DEV_FUSE = Path.of("/dev/fuse");
    /** S_IFDIR in octal, as the kernel parses rootmode. */
    private static final String ROOT_MODE = "40000";
    private static final int MSG_LINES = 1;
    private static final long FUSERMOUNT_TIMEOUT_SECONDS = 30;

    /** How a mount was made, which decides how it is undone. */
    public enum Method { SYSCALL, FUSERMOUNT }

    /** A mounted file system's /dev/fuse descriptor. */
    record Mounted(int deviceFd, Method method, Path mountpoint) {}

    private FuseMount() {}

    static boolean privileged() {
        return Sys.geteuid() == 0;
    }

    static Method method(FuseConfig c) {
        return switch (c.mountMethod()) {
            case SYSCALL -> Method.SYSCALL;
            case FUSERMOUNT -> Method.FUSERMOUNT;
            case AUTO -> privileged() ? Method.SYSCALL : Method.FUSERMOUNT;
        };
    }

    /** Checks the mount point (cleaning up a stale FUSE mount there), then mounts. */
    static Mounted mount(FuseConfig c) throws MountException {
        Path mp = c.mountpoint().toAbsolutePath().normalize();
        checkMountpoint(mp);
        Method m = method(c);
        int fd = m == Method.SYSCALL ? mountSyscall(c, mp) : mountFusermount(c, mp);
        LOG.info("mounted {} at {} ({})", c.fsName(), mp, m == Method.SYSCALL ? "mount(2)" : FUSERMOUNT);
        return new Mounted(fd, m, mp);
    }

    /**
     * Fails with a clear message unless {@code mp} is a directory where nothing is mounted. A FUSE
     * mount whose daemon is gone (stat gives ENOTCONN) is unmounted first.
     */
    static void checkMountpoint(Path mp) throws MountException {
        if (isStale(mp)) {
            LOG.warn("{} holds a FUSE mount whose daemon is gone; unmounting it", mp);
            cleanupStale(mp);
        }
        Libc.Statx st;
        try {
            st = Libc.stat(mp, false);
        } catch (ErrnoException e) {
            throw switch (e.errno()) {
                case Errnos.ENOENT -> new MountException("mount point " + mp + " does not exist");
                case Errnos.EACCES -> new MountException("no permission to reach mount point " + mp);
                case Errnos.ENOTDIR -> new MountException("a parent of mount point " + mp + " is not a directory");
                default -> new MountException("cannot stat mount point " + mp + ": " + Errnos.describe(e.errno()));
            };
        }
        if ((st.mode() & dev.strata.core.FileType.S_IFMT) != dev.strata.core.FileType.DIRECTORY.modeBits()) {
            throw new MountException("mount point " + mp + " is not a directory");
        }
        Optional<MountTable.Mount> there = MountTable.at(mp);
        if (there.isPresent()) {
            MountTable.Mount m = there.get();
            throw new MountException(mp + " is already mounted (" + m.fsType() + " from " + m.source()
                    + "); unmount it first");
        }
    }

    /** What is mounted at exactly {@code mp}: its file-system type and source, if anything. */
    public record MountedInfo(String fsType, String source) {}

    /** The topmost mount at exactly {@code mp}, if any. */
    public static Optional<MountedInfo> mountedAt(Path mp) {
        return MountTable.at(mp).map(m -> new MountedInfo(m.fsType(), m.source()));
    }

    /** Whether the mount at {@code mp} is a Strata mount ({@value #TYPE}). */
    public static boolean isStrataMount(Path mp) {
        return MountTable.at(mp).map(m -> m.fsType().equals(TYPE)).orElse(false);
    }

    /**
     * Unmounts {@code mp} from outside the serving process (umount2 as root, fusermount3 otherwise);
     * the serving process notices and shuts down. A busy mount (open files, a working directory
     * inside) is refused with a clear message unless {@code lazyIfBusy}, which detaches it: it then
     * disappears from the namespace and ends once its last file is closed.
     */
    public static void unmountFromOutside(Path mp, boolean lazyIfBusy) throws MountException {
        Path p = mp.toAbsolutePath().normalize();
        String busy = p + " is busy (a process has a file open there or its working directory inside); "
                + "close those, or unmount with --lazy";
        if (privileged()) {
            int r = Sys.umount2(p.toString(), 0);
            if (r == -Sys.EBUSY) {
                if (!lazyIfBusy) {
                    throw new MountException(busy);
                }
                r = Sys.umount2(p.toString(), Sys.MNT_DETACH);
            }
            if (r < 0 && r != -Sys.EINVAL && r != -Sys.ENOENT) {
                throw new MountException("cannot unmount " + p + ": " + Errnos.describe(-r));
            }
            return;
        }
        String out = fusermount(List.of("-u", "--", p.toString()));
        if (out != null && out.contains("busy")) {
            if (!lazyIfBusy) {
                throw new MountException(busy);
            }
            out = fusermount(List.of("-u", "-z", "--", p.toString()));
        }
        if (out != null && !out.contains("not found") && !out.contains("not mounted")) {
            throw new MountException("cannot unmount " + p + ": " + out);
        }
    }

    /**
     * A FUSE mount at {@code mp} whose daemon is gone: the kernel answers ENOTCONN (ECONNABORTED
     * if it was aborted). The probe is statfs, which the kernel always forwards to the daemon;
     * stat alone is not enough, because the kernel answers it from its attribute cache for up to
     * the attribute timeout after the daemon died, and a restart right after a crash would then
     * find the mount point "already mounted". stat still decides for callers that statfs does
     * not reach the daemon for (another user without allow_other gets a made-up answer).
     */
    public static boolean isStale(Path mp) {
        Path p = mp.toAbsolutePath().normalize();
        Optional<MountTable.Mount> m = MountTable.at(p);
        if (m.isEmpty() || !m.get().isFuse()) {
            return false;
        }
        int r = Sys.statfs(p.toString());
        if (r == -Sys.ENOTCONN || r == -Sys.ECONNABORTED) {
            return true;
        }
        try {
            Libc.stat(p, false);
            return false;
        } catch (ErrnoException e) {
            return e.errno() == Errnos.ENOTCONN || e.errno() == Sys.ECONNABORTED;
        }
    }

    /** Detaches a stale FUSE mount at {@code mp}. */
    public static void cleanupStale(Path mp) throws MountException {
        Path p = mp.toAbsolutePath().normalize();
        unmount(p, privileged() ? Method.SYSCALL : Method.FUSERMOUNT, true);
    }

    private static int mountSyscall(FuseConfig c, Path mp) throws MountException {
        int fd;
        try {
            fd = Libc.open(DEV_FUSE, Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        } catch (ErrnoException e) {
            throw switch (e.errno()) {
                case Errnos.ENOENT, Errnos.ENODEV, Errnos.ENXIO ->
                        new MountException("/dev/fuse is missing: this kernel has no FUSE (try modprobe fuse)");
                case Errnos.EACCES, Errnos.EPERM -> new MountException("no permission to open /dev/fuse");
                default -> new MountException("cannot open /dev/fuse: " + Errnos.describe(e.errno()));
            };
        }
        String data = "fd=" + fd + ",rootmode=" + ROOT_MODE + ",user_id=" + Sys.geteuid() + ",group_id="
                + Sys.getegid() + ",default_permissions" + (c.allowOther() ? ",allow_other" : "");
        int r = Sys.mount(c.fsName(), mp.toString(), TYPE, Sys.MS_NOSUID | Sys.MS_NODEV, data);
        if (r < 0) {
            Libc.close(fd);
            int e = -r;
            throw switch (e) {
                case Errnos.EPERM -> new MountException("no permission to mount at " + mp
                        + ": mount(2) needs root (CAP_SYS_ADMIN); other users mount through " + FUSERMOUNT);
                case Errnos.ENOENT -> new MountException("mount point " + mp + " does not exist");
                case Errnos.ENOTDIR -> new MountException("mount point " + mp + " is not a directory");
                case Errnos.EBUSY -> new MountException(mp + " is already mounted; unmount it first");
                case Errnos.ENODEV -> new MountException("this kernel has no fuse file system type (try modprobe fuse)");
                default -> new MountException("mount(2) at " + mp + " failed: " + Errnos.describe(e));
            };
        }
        return fd;
    }

    private static int mountFusermount(FuseConfig c, Path mp) throws MountException {
        String opts = "fsname=" + c.fsName() + ",subtype=strata,default_permissions"
                + (c.allowOther() ? ",allow_other" : "");
        Path log = null;
        int[] pair = null;
        try {
            log = Files.createTempFile("strata-fusermount", ".log");
            pair = Sys.socketpair();
            // Our end must not leak into other children; the child's end must survive exec.
            Sys.fcntl(pair[0], Sys.F_SETFD, Sys.FD_CLOEXEC);
            Spawn.Child child = Spawn.start(List.of(FUSERMOUNT, "-o", opts, "--", mp.toString()),
                    Map.of("_FUSE_COMMFD", Integer.toString(pair[1])), log);
            Libc.close(pair[1]);
            pair[1] = -1;
            int fd = Sys.receiveFd(pair[0]);
            int status = child.waitFor();
            if (fd >= 0 && status == 0) {
                Sys.fcntl(fd, Sys.F_SETFD, Sys.FD_CLOEXEC);
                return fd;
            }
            if (fd >= 0) {
                Libc.close(fd);
            }
            throw new MountException(FUSERMOUNT + " could not mount at " + mp + ": " + firstLine(log, status));
        } catch (MountException e) {
            throw e;
        } catch (ErrnoException e) {
            if (e.errno() == Errnos.ENOENT && "posix_spawnp".equals(e.call())) {
                throw new MountException(FUSERMOUNT + " is not installed (Debian package fuse3); it is needed to mount"
                        + " without root");
            }
            throw new MountException("mounting through " + FUSERMOUNT + " failed: " + e.getMessage());
        } catch (IOException e) {
            throw new MountException("mounting through " + FUSERMOUNT + " failed: " + e.getMessage());
        } finally {
            if (pair != null) {
                Libc.close(pair[0]);
                if (pair[1] >= 0) {
                    Libc.close(pair[1]);
                }
            }
            deleteQuietly(log);
        }
    }

    /**
     * Unmounts {@code mp}. Without {@code lazy}, a busy mount is detached lazily instead (it goes
     * away when its last open file is closed). A path that is not mounted is not an error.
     */
    static void unmount(Path mp, Method method, boolean lazy) throws MountException {
        if (method == Method.SYSCALL) {
            int r = Sys.umount2(mp.toString(), lazy ? Sys.MNT_DETACH : 0);
            if (r == -Sys.EBUSY && !lazy) {
                LOG.info("{} is busy; detaching it lazily", mp);
                r = Sys.umount2(mp.toString(), Sys.MNT_DETACH);
            }
            if (r < 0 && r != -Sys.EINVAL && r != -Sys.ENOENT) {
                throw new MountException("cannot unmount " + mp + ": " + Errnos.describe(-r));
            }
            return;
        }
        String out = fusermount(lazy ? List.of("-u", "-z", "--", mp.toString()) : List.of("-u", "--", mp.toString()));
        if (out != null && !lazy && out.contains("busy")) {
            LOG.info("{} is busy; detaching it lazily", mp);
            out = fusermount(List.of("-u", "-z", "--", mp.toString()));
        }
        if (out != null && !out.contains("not found") && !out.contains("not mounted")) {
            throw new MountException("cannot unmount " + mp + ": " + out);
        }
    }

    /** Runs fusermount3 with {@code args}; null on success, else its first line of output. */
    private static String fusermount(List<String> args) throws MountException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(FUSERMOUNT);
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(FUSERMOUNT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return FUSERMOUNT + " did not finish";
            }
            return p.exitValue() == 0 ? null : out.lines().limit(MSG_LINES).findFirst().orElse("exit " + p.exitValue());
        } catch (IOException e) {
            throw new MountException("cannot run " + FUSERMOUNT + " (Debian package fuse3): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MountException("interrupted while running " + FUSERMOUNT);
        }
    }

    private static String firstLine(Path log, int status) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            if (!text.isEmpty()) {
                return text.lines().findFirst().orElse(text);
            }
        } catch (IOException ignored) {
            // fall through to the exit status
        }
        return "exit status " + status;
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a leftover temp file is harmless
            }
        }
    }
}
