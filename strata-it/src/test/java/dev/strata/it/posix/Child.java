package dev.strata.it.posix;

import dev.strata.it.StrataProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Child processes of a test: shell commands (optionally as another user, through setpriv) and the
 * {@link Probe} helper in a second JVM, so that a second process (a lock holder or contender, a
 * non-owner) acts on the mount. Every child has a deadline.
 */
final class Child {
    static final long TIMEOUT_SECONDS = 60;

    /** What a finished child said. */
    record Result(int exit, String out) {
        boolean ok() {
            return exit == 0;
        }
    }

    private Child() {}

    /** {@code sh -c script} as the test's own user. */
    static Result sh(String script) throws IOException {
        return run(List.of("sh", "-c", script));
    }

    /** {@code sh -c script} as uid/gid {@code uid} with no supplementary groups. */
    static Result shAs(int uid, String script) throws IOException {
        return run(asUser(uid, List.of("sh", "-c", script)));
    }

    static List<String> asUser(int uid, List<String> cmd) {
        List<String> all = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                "--"));
        all.addAll(cmd);
        return all;
    }

    /** Runs {@link Probe} with {@code args} in a new JVM. */
    static Result probe(String... args) throws IOException {
        return run(probeCommand(args));
    }

    /** Starts {@link Probe} with {@code args} and leaves it running. */
    static Process startProbe(String... args) throws IOException {
        return new ProcessBuilder(probeCommand(args)).redirectErrorStream(true).start();
    }

    /**
     * The probe needs only the test classes and strata-native; a short class path and the client
     * compiler keep its start-up near a quarter of a second.
     */
    private static List<String> probeCommand(String... args) {
        List<String> server = StrataProcess.serverCommand();
        String cp = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> e.contains("strata-native") || e.contains("strata-it"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        List<String> cmd = new ArrayList<>(List.of(server.get(0), "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-cp", cp, Probe.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Result run(List<String> cmd) throws IOException {
        java.nio.file.Path out = java.nio.file.Files.createTempFile("strata-child", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), java.nio.file.Files.readString(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            java.nio.file.Files.deleteIfExists(out);
        }
    }
}
