package dev.strata.server;

import dev.strata.fuse.FuseMount;
import dev.strata.fuse.MountException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Finding and stopping the process that serves a mount. */
final class Mounts {
    /** How long `strata umount` waits for the serving process to flush and exit. */
    static final long EXIT_WAIT_SECONDS = 120;

    private Mounts() {}

    static void unmountAndWait(Path mp, boolean lazy, PrintStream out) throws CliException {
        if (FuseMount.isStale(mp)) {
            try {
                FuseMount.cleanupStale(mp);
            } catch (MountException e) {
                throw new CliException(e.getMessage());
            }
            out.println("strata: removed a stale mount at " + mp + " (its process had died)");
            return;
        }
        Optional<FuseMount.MountedInfo> info = FuseMount.mountedAt(mp);
        if (info.isEmpty()) {
            throw new CliException("nothing is mounted at " + mp);
        }
        if (!FuseMount.isStrataMount(mp)) {
            throw new CliException(mp + " is not a Strata mount (it is " + info.get().fsType() + ")");
        }
        Optional<ProcessHandle> server = server(info.get().source());
        try {
            FuseMount.unmountFromOutside(mp, lazy);
        } catch (MountException e) {
            throw new CliException(e.getMessage());
        }
        if (server.isEmpty()) {
            out.println("strata: unmounted " + mp);
            return;
        }
        ProcessHandle p = server.get();
        try {
            p.onExit().get(EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new CliException("unmounted " + mp + ", but Strata (pid " + p.pid() + ") has not finished after "
                    + EXIT_WAIT_SECONDS + " s" + (lazy ? "; files are still open in the detached mount" : ""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while waiting for Strata (pid " + p.pid() + ")");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new CliException("waiting for Strata (pid " + p.pid() + "): " + e.getCause());
        }
        out.println("strata: unmounted " + mp + "; Strata (pid " + p.pid() + ") has flushed and exited");
    }

    /** The process serving a mount whose source is "strata:DATA_DIR", from the data directory's lock file. */
    static Optional<ProcessHandle> server(String source) {
        if (!source.startsWith("strata:")) {
            return Optional.empty();
        }
        Path lock = Path.of(source.substring("strata:".length())).resolve("strata.lock");
        try {
            long pid = Long.parseLong(DataDir.readPid(lock));
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
