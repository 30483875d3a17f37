package dev.strata.server;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code strata umount MOUNTPOINT}: unmounts and waits until the serving process has flushed and exited. */
@Command(name = "umount", aliases = "unmount", mixinStandardHelpOptions = true,
        description = "Unmount a Strata file system and wait until its process has finished.")
final class UmountCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "Where the file system is mounted.")
    Path mountpoint;

    @picocli.CommandLine.Option(names = "--lazy",
            description = "Detach a busy mount at once; Strata finishes when its last file is closed.")
    boolean lazy;

    @Override
    public Integer call() throws Exception {
        Mounts.unmountAndWait(mountpoint.toAbsolutePath().normalize(), lazy, System.err);
        return 0;
    }
}
