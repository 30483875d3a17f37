package dev.strata.server;

import dev.strata.fuse.FuseMount;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Strata mount served by a child process ({@code strata mount} from the test's class path),
 * for the control commands' end-to-end tests. {@link #close} unmounts as {@code strata umount} does
 * ({@link Mounts#unmountAndWait}) and leaves nothing mounted, also after a failure.
 */
final class MountedStrata implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    final Path mountpoint;
    final Path dataDir;
    private final Path log;
    private final Process process;

    private MountedStrata(Path mountpoint, Path dataDir, Path log, Process process) {
        this.mountpoint = mountpoint;
        this.dataDir = dataDir;
        this.log = log;
        this.process = process;
    }

    /** Root and /dev/fuse: what mounting needs on these machines. */
    static boolean canMount() {
        return Files.exists(Path.of("/dev/fuse")) && "root".equals(System.getProperty("user.name"));
    }

    /** Mounts {@code work/mnt} with data in {@code work/data} and the default (file://) store. */
    static MountedStrata start(Path work, String... options) throws IOException, InterruptedException {
        Path mp = Files.createDirectories(work.resolve("mnt"));
        Path data = work.resolve("data");
        Path log = work.resolve("strata.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), "dev.strata.server.Main", "mount", mp.toString(),
                "--data-dir", data.toString()));
        cmd.addAll(List.of(options));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        MountedStrata m = new MountedStrata(mp, data, log, p);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!FuseMount.isStrataMount(mp)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                m.close();
                throw new IOException("strata mount did not come up:\n" + m.logText());
            }
            Thread.sleep(50);
        }
        return m;
    }

    /** The object a file of the mount is mirrored to in the default store (DATA_DIR/bucket). */
    Path object(Path file) {
        return dataDir.resolve("bucket").resolve(mountpoint.relativize(file).toString());
    }

    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (FuseMount.isStrataMount(mountpoint)) {
            try {
                Mounts.unmountAndWait(mountpoint, false, new PrintStream(OutputStream.nullOutputStream()));
            } catch (CliException e) {
                // Forced below.
            }
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(60, TimeUnit.SECONDS);
        }
        if (FuseMount.mountedAt(mountpoint).isPresent()) {
            try {
                FuseMount.unmountFromOutside(mountpoint, true);
            } catch (dev.strata.fuse.MountException e) {
                // Reported by the next test's mount; nothing else to do here.
            }
        }
    }
}
