package dev.strata.fuse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to mount and serve one Strata FUSE file system.
 *
 * @param mountpoint     an existing, empty-or-not directory that is not already a mount point
 * @param fsName         the "source" column of /proc/mounts (e.g. "strata")
 * @param workers        platform threads reading requests; each holds {@link FuseSession#REQUEST_BUFFER_BYTES}
 *                       plus {@link FuseSession#REPLY_BUFFER_BYTES} of off-heap memory
 * @param entryTimeout   how long the kernel may cache a name (also a negative lookup)
 * @param attrTimeout    how long the kernel may cache attributes
 * @param writebackCache kernel write-back caching of buffered writes; AUTO = on unless passthrough
 *                       is negotiated (the kernel does not allow both)
 * @param passthrough    kernel passthrough of reads/writes/mmap to the engine's backing file; AUTO =
 *                       on when the kernel offers it and we run as root (registering a backing file
 *                       needs CAP_SYS_ADMIN)
 * @param allowOther     let users other than the mounting one use the mount (fusermount3 needs
 *                       user_allow_other in /etc/fuse.conf for this)
 * @param debug          log every request's opcode, node and result
 * @param mountMethod    mount(2) directly (root), or fusermount3; AUTO picks by effective uid
 */
public record FuseConfig(
        Path mountpoint,
        String fsName,
        int workers,
        Duration entryTimeout,
        Duration attrTimeout,
        Toggle writebackCache,
        Toggle passthrough,
        boolean allowOther,
        boolean debug,
        MountMethod mountMethod) {

    public static final int DEFAULT_WORKERS = 4;
    /** Each worker pins about 2 MiB off-heap; more than this is a configuration mistake. */
    public static final int MAX_WORKERS = 64;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    public enum Toggle { AUTO, ON, OFF }

    public enum MountMethod { AUTO, SYSCALL, FUSERMOUNT }

    public FuseConfig {
        Objects.requireNonNull(mountpoint, "mountpoint");
        Objects.requireNonNull(fsName, "fsName");
        Objects.requireNonNull(entryTimeout, "entryTimeout");
        Objects.requireNonNull(attrTimeout, "attrTimeout");
        Objects.requireNonNull(writebackCache, "writebackCache");
        Objects.requireNonNull(passthrough, "passthrough");
        Objects.requireNonNull(mountMethod, "mountMethod");
        if (workers < 1 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("workers must be 1.." + MAX_WORKERS + ": " + workers);
        }
        if (entryTimeout.isNegative() || attrTimeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout: entry " + entryTimeout + ", attr " + attrTimeout);
        }
        if (fsName.isEmpty() || fsName.contains(",") || fsName.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("fsName must be non-empty without commas or blanks: '" + fsName + "'");
        }
    }

    /** Four workers, 1 s timeouts, AUTO writeback and passthrough, allow_other, no debug log. */
    public static FuseConfig defaults(Path mountpoint) {
        return new FuseConfig(mountpoint, "strata", DEFAULT_WORKERS, DEFAULT_TIMEOUT, DEFAULT_TIMEOUT,
                Toggle.AUTO, Toggle.AUTO, true, false, MountMethod.AUTO);
    }

    public FuseConfig withWorkers(int n) {
        return new FuseConfig(mountpoint, fsName, n, entryTimeout, attrTimeout, writebackCache, passthrough,
                allowOther, debug, mountMethod);
    }

    public FuseConfig withTimeouts(Duration entry, Duration attr) {
        return new FuseConfig(mountpoint, fsName, workers, entry, attr, writebackCache, passthrough, allowOther,
                debug, mountMethod);
    }

    public FuseConfig withWritebackCache(Toggle t) {
        return new FuseConfig(mountpoint, fsName, workers, entryTimeout, attrTimeout, t, passthrough, allowOther,
                debug, mountMethod);
    }

    public FuseConfig withPassthrough(Toggle t) {
        return new FuseConfig(mountpoint, fsName, workers, entryTimeout, attrTimeout, writebackCache, t, allowOther,
                debug, mountMethod);
    }

    public FuseConfig withAllowOther(boolean b) {
        return new FuseConfig(mountpoint, fsName, workers, entryTimeout, attrTimeout, writebackCache, passthrough, b,
                debug, mountMethod);
    }

    public FuseConfig withDebug(boolean b) {
        return new FuseConfig(mountpoint, fsName, workers, entryTimeout, attrTimeout, writebackCache, passthrough,
                allowOther, b, mountMethod);
    }

    public FuseConfig withMountMethod(MountMethod m) {
        return new FuseConfig(mountpoint, fsName, workers, entryTimeout, attrTimeout, writebackCache, passthrough,
                allowOther, debug, m);
    }
}
