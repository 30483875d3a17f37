package dev.strata.server;

import dev.strata.core.FsException;
import dev.strata.core.fs.FsOptions;
import dev.strata.core.fs.StrataFs;
import dev.strata.core.store.ObjectStore;
import dev.strata.fuse.FuseConfig;
import dev.strata.fuse.FuseMount;
import dev.strata.fuse.FuseSession;
import dev.strata.fuse.MountException;
import dev.strata.hsm.tier.HsmOptions;
import dev.strata.hsm.tier.HsmTiering;
import dev.strata.hsm.tier.Policy;
import dev.strata.meta.rocksdb.RocksDbMetadataStore;
import dev.strata.nativeio.Libc;
import dev.strata.tier.local.LocalDiskDataStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code strata mount MOUNTPOINT}: opens (or creates) a data directory, mounts, and serves in the
 * foreground until SIGINT/SIGTERM or {@code strata umount}; then flushes and unmounts.
 */
@Command(name = "mount", mixinStandardHelpOptions = true,
        description = "Mount a Strata file system and serve it in the foreground until Ctrl-C, SIGTERM or "
                + "'./strata umount MOUNTPOINT'.")
final class MountCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(MountCommand.class);

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "An existing, empty directory.")
    Path mountpoint;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where metadata and the fast tier live (default: ~/.local/share/strata/NAME).")
    Path dataDir;

    @Option(names = "--name", paramLabel = "NAME",
            description = "Name of the file system, used for the default data directory (default: the "
                    + "mount point's directory name).")
    String name;

    @Option(names = "--store", paramLabel = "URI",
            description = "The object store of the capacity tier (default: file://DATA_DIR/bucket).")
    String store;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "4",
            description = "Threads serving kernel requests (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--attr-timeout", paramLabel = "SECONDS", defaultValue = "1.0",
            description = "How long the kernel may cache names and attributes (default: ${DEFAULT-VALUE}).")
    double attrTimeoutSeconds;

    @Option(names = "--passthrough", paramLabel = "auto|on|off", defaultValue = "auto",
            description = "FUSE passthrough of reads and writes to the fast tier (needs root; default: auto).")
    String passthrough;

    @Option(names = "--writeback-cache", paramLabel = "auto|on|off", defaultValue = "auto",
            description = "The kernel's writeback cache (auto: on when passthrough is off).")
    String writeback;

    @Option(names = "--allow-other", negatable = true,
            description = "Let other users use the mount (default: on as root, off otherwise; as non-root it "
                    + "needs user_allow_other in /etc/fuse.conf).")
    Boolean allowOther;

    @Option(names = "--metadata-reserve", paramLabel = "SIZE", defaultValue = "256M",
            description = "Disk space held back for the metadata, given up when the disk fills so that "
                    + "deletes still work (default: ${DEFAULT-VALUE}; 0 for none).")
    String metadataReserve;

    @Option(names = "--durability", paramLabel = "scratch|async|sync", defaultValue = "async",
            description = "Durability where no directory sets a policy (default: ${DEFAULT-VALUE}; per directory: "
                    + "'./strata policy set DIR ...').")
    String durability;

    @Option(names = "--max-dirty-age", paramLabel = "DURATION", defaultValue = "5m",
            description = "For async durability: how old an unarchived change may get, e.g. 30s, 5m, 2h "
                    + "(default: ${DEFAULT-VALUE}).")
    String maxDirtyAge;

    @Option(names = "--import-refresh", paramLabel = "DURATION", defaultValue = "60s",
            description = "How long a directory's look at the bucket stays fresh: objects added or replaced by "
                    + "other tools appear within this time of the next listing (default: ${DEFAULT-VALUE}).")
    String importRefresh;

    @Option(names = "--archive-workers", paramLabel = "N", defaultValue = "2",
            description = "Files archived in parallel (each with parallel parts; default: ${DEFAULT-VALUE}).")
    int archiveWorkers;

    @Option(names = "--debug-fuse", description = "Log every kernel request.")
    boolean debugFuse;

    @Override
    public Integer call() throws Exception {
        Path mp = mountpoint.toAbsolutePath().normalize();
        checkMountpoint(mp);
        Path dir = dataDir != null ? dataDir : defaultDataDir(mp);
        FuseConfig.Toggle pt = toggle("--passthrough", passthrough);
        FuseConfig.Toggle wb = toggle("--writeback-cache", writeback);
        if (workers < 1 || workers > FuseConfig.MAX_WORKERS) {
            throw new CliException("--workers must be between 1 and " + FuseConfig.MAX_WORKERS + ", not " + workers);
        }
        if (!(attrTimeoutSeconds >= 0 && attrTimeoutSeconds <= 86_400)) {
            throw new CliException("--attr-timeout must be between 0 and 86400 seconds, not " + attrTimeoutSeconds);
        }
        long reserveBytes = Sizes.parse("--metadata-reserve", metadataReserve);
        Policy rootPolicy;
        try {
            rootPolicy = Policy.parse("durability=" + durability + " max-dirty-age=" + maxDirtyAge, Policy.DEFAULT);
        } catch (IllegalArgumentException e) {
            throw new CliException("--durability/--max-dirty-age: " + e.getMessage());
        }
        if (archiveWorkers < 1 || archiveWorkers > 64) {
            throw new CliException("--archive-workers must be between 1 and 64, not " + archiveWorkers);
        }
        java.time.Duration refresh;
        try {
            refresh = Policy.parseDuration(importRefresh);
        } catch (IllegalArgumentException e) {
            throw new CliException("--import-refresh: " + e.getMessage());
        }
        HsmOptions hsm = HsmOptions.defaults().withRootPolicy(rootPolicy).withArchiveWorkers(archiveWorkers)
                .withImport(refresh, Libc.getuid(), Libc.getgid());
        Served served = Served.start(mp, DataDir.open(dir), this, pt, wb, reserveBytes, hsm);
        // SIGINT and SIGTERM are the normal way to stop: unmount, flush, exit 0. The shutdown hook
        // covers the other ways the JVM may be asked to end (SIGHUP, System.exit elsewhere).
        Runtime.getRuntime().addShutdownHook(new Thread(served::stop, "strata-shutdown"));
        for (String sig : new String[] {"INT", "TERM"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> {
                LOG.info("SIG{} received; unmounting", sig);
                Thread.ofPlatform().name("strata-stop").start(served::stop);
            });
        }
        System.err.println("strata: mounted at " + mp + " (data directory " + served.dataDir.root() + ", capacity tier "
                + served.store.describe() + ")");
        System.err.println("strata: serving; press Ctrl-C or run './strata umount " + mp + "' to unmount");
        FuseSession.End end = served.session.ended().join();
        // ended() may complete inside stop() (a signal); joining on stop() keeps the order.
        LOG.info("session ended: {}", end);
        served.stop();
        return 0;
    }

    private static void checkMountpoint(Path mp) throws CliException {
        if (FuseMount.isStale(mp)) {
            try {
                FuseMount.cleanupStale(mp);
            } catch (MountException e) {
                throw new CliException("found a stale mount at " + mp + " left by a killed process, and could not "
                        + "remove it: " + e.getMessage());
            }
            System.err.println("strata: removed a stale mount at " + mp + " left by a process that died");
        }
        if (!Files.exists(mp)) {
            throw new CliException("mount point " + mp + " does not exist; create it with 'mkdir -p " + mp + "'");
        }
        if (!Files.isDirectory(mp)) {
            throw new CliException("mount point " + mp + " is not a directory");
        }
        if (FuseMount.mountedAt(mp).isPresent()) {
            throw new CliException(mp + " is already mounted (" + FuseMount.mountedAt(mp).get().fsType()
                    + "); unmount it first");
        }
    }

    private Path defaultDataDir(Path mp) throws CliException {
        String n = name;
        if (n == null) {
            Path f = mp.getFileName();
            n = f == null ? "root" : f.toString();
        }
        if (n.isEmpty() || n.contains("/") || n.equals(".") || n.equals("..")) {
            throw new CliException("--name must be a plain name, not '" + n + "'");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("strata").resolve(n);
    }

    private static FuseConfig.Toggle toggle(String option, String value) throws CliException {
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> FuseConfig.Toggle.AUTO;
            case "on", "true", "yes" -> FuseConfig.Toggle.ON;
            case "off", "false", "no" -> FuseConfig.Toggle.OFF;
            default -> throw new CliException(option + " takes auto, on or off, not '" + value + "'");
        };
    }

    /** The stores, the engine and the session of one mount, and their one shutdown. */
    private static final class Served {
        final DataDir dataDir;
        final RocksDbMetadataStore meta;
        final LocalDiskDataStore data;
        final ObjectStore store;
        final StrataFs fs;
        final FuseSession session;
        private boolean stopped;

        private Served(DataDir dataDir, RocksDbMetadataStore meta, LocalDiskDataStore data, ObjectStore store,
                StrataFs fs, FuseSession session) {
            this.dataDir = dataDir;
            this.meta = meta;
            this.data = data;
            this.store = store;
            this.fs = fs;
            this.session = session;
        }

        static Served start(Path mp, DataDir dir, MountCommand opts, FuseConfig.Toggle pt, FuseConfig.Toggle wb,
                long reserveBytes, HsmOptions hsm) throws CliException {
            RocksDbMetadataStore meta = null;
            LocalDiskDataStore data = null;
            ObjectStore store = null;
            try {
                store = StoreUri.open(opts.store, dir);
                meta = RocksDbMetadataStore.open(dir.meta(),
                        RocksDbMetadataStore.Settings.defaults().withSpaceReserveBytes(reserveBytes));
                data = LocalDiskDataStore.open(dir.data());
                // Stamped by the fast tier's clock, which also dates data written through passthrough.
                StrataFs fs = StrataFs.open(meta, data, data.clock(),
                        FsOptions.defaults(Libc.getuid(), Libc.getgid()),
                        new HsmTiering(store, hsm, new java.security.SecureRandom()));
                String root = dir.root().toString();
                // The source column of the mount table names the data directory, so that
                // `strata umount` can find the serving process; fall back when the path cannot be
                // an fsname (blanks or commas).
                String fsName = root.matches("[^\\s,]+") ? "strata:" + root : "strata";
                Duration t = Duration.ofNanos((long) (opts.attrTimeoutSeconds * 1e9));
                FuseConfig cfg = FuseConfig.defaults(mp)
                        .withWorkers(opts.workers)
                        .withTimeouts(t, t)
                        .withPassthrough(pt)
                        .withWritebackCache(wb)
                        .withAllowOther(opts.allowOther != null ? opts.allowOther : Libc.getuid() == 0)
                        .withDebug(opts.debugFuse);
                cfg = new FuseConfig(cfg.mountpoint(), fsName, cfg.workers(), cfg.entryTimeout(), cfg.attrTimeout(),
                        cfg.writebackCache(), cfg.passthrough(), cfg.allowOther(), cfg.debug(), cfg.mountMethod());
                FuseSession session = new FuseSession(cfg, fs);
                try {
                    session.start();
                } catch (IOException e) {
                    fs.destroy();
                    throw new CliException(e.getMessage());
                }
                Files.writeString(dir.mountpointFile(), mp + "\n", StandardCharsets.UTF_8);
                LOG.info("passthrough {}, writeback cache {}", session.passthroughActive() ? "on" : "off",
                        session.writebackCacheActive() ? "on" : "off");
                return new Served(dir, meta, data, store, fs, session);
            } catch (FsException e) {
                closeAll(meta, data, store, dir);
                throw new CliException(e.getMessage());
            } catch (IOException e) {
                closeAll(meta, data, store, dir);
                throw new CliException("cannot record the mount point in " + dir.root() + ": " + e.getMessage());
            } catch (CliException | RuntimeException e) {
                closeAll(meta, data, store, dir);
                throw e;
            }
        }

        /** Unmounts (if still mounted), flushes and closes everything. Idempotent; any thread. */
        synchronized void stop() {
            if (stopped) {
                return;
            }
            stopped = true;
            session.close(); // unmounts, stops the workers, calls fs.destroy() once
            closeAll(meta, data, store, dataDir);
            LOG.info("unmounted and flushed; bye");
        }

        private static void closeAll(RocksDbMetadataStore meta, LocalDiskDataStore data, ObjectStore store,
                DataDir dir) {
            if (store != null) {
                try {
                    store.close();
                } catch (RuntimeException e) {
                    LOG.warn("closing the capacity tier: {}", e.getMessage());
                }
            }
            if (data != null) {
                try {
                    data.close();
                } catch (RuntimeException e) {
                    LOG.warn("closing the fast tier: {}", e.getMessage());
                }
            }
            if (meta != null) {
                meta.close();
            }
            dir.close();
        }
    }
}
