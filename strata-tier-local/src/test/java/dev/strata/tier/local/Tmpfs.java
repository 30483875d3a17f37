package dev.strata.tier.local;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A tmpfs mounted for one test, for a small or read-only disk; the test is skipped when not root. */
final class Tmpfs implements AutoCloseable {
    private static final long COMMAND_TIMEOUT_SECONDS = 30;

    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts at {@code dir} (created if needed) with mount(8) options such as {@code size=4m}. */
    static Tmpfs mount(Path dir, String options) throws IOException, InterruptedException {
        assumeTrue(Libc.getuid() == 0, "mounting a tmpfs needs root; skipped when not root");
        Files.createDirectories(dir);
        String out = run("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString());
        assumeTrue(out == null, () -> "mount -t tmpfs failed here, skipped: " + out);
        return new Tmpfs(dir);
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        try {
            String out = run("umount", dir.toString());
            if (out != null) {
                // Something still holds it (a failed test's descriptor); never leave a mount behind.
                String lazy = run("umount", "-l", dir.toString());
                if (lazy != null) {
                    throw new IOException("could not unmount " + dir + ": " + out + " / " + lazy);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + dir, e);
        }
    }

    /** Runs a command; null on success, else its exit status and output. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", command) + " timed out";
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + output;
    }
}
