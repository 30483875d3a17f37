package dev.strata.it.tier;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * rclone, the ordinary client the capacity-tier tests read the bucket with: it knows nothing of
 * Strata, so what it lists and reads is what any tool would see. Configured only through
 * environment variables ({@code RCLONE_CONFIG_<REMOTE>_...}), with an empty config file of its own
 * so that a developer's {@code ~/.config/rclone/rclone.conf} plays no part.
 *
 * <p>Every call is bounded ({@link #CALL_LIMIT}); a failing call fails the test with rclone's
 * stderr.
 */
final class Rclone {
    static final Duration CALL_LIMIT = Duration.ofSeconds(120);
    private static final Pattern UPLOAD_KEY = Pattern.compile("\"Key\":\\s*\"([^\"]*)\"");

    private final String remote;
    private final String root;
    private final Map<String, String> env;
    private final List<String> filters;
    private final Path scratch;

    /**
     * @param remote the remote's name, as in {@code RCLONE_CONFIG_<NAME>_TYPE}
     * @param root the path under the remote that the store's keys are relative to (bucket and prefix)
     * @param remoteEnv the {@code RCLONE_CONFIG_...} variables that define the remote
     * @param filters flags that every listing and copy gets (e.g. an exclude)
     * @param scratch a directory for the empty config file and the calls' output
     */
    Rclone(String remote, String root, Map<String, String> remoteEnv, List<String> filters, Path scratch)
            throws IOException {
        this.remote = remote;
        this.root = root;
        this.filters = List.copyOf(filters);
        this.scratch = Files.createDirectories(scratch);
        Path config = scratch.resolve("rclone.conf");
        Files.writeString(config, "");
        Map<String, String> e = new HashMap<>(System.getenv());
        // AWS_CA_BUNDLE (set on some machines for corporate proxies) makes rclone's S3 backend
        // refuse to start ("unable to load custom CA bundle, HTTPClient's transport unsupported
        // type"); the other AWS_* variables could point it elsewhere. The remote is defined here.
        e.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("RCLONE_"));
        e.put("RCLONE_CONFIG", config.toString());
        e.putAll(remoteEnv);
        this.env = Map.copyOf(e);
    }

    /** Whether an rclone is on the PATH. */
    static boolean installed() {
        String path = System.getenv("PATH");
        return path != null && Arrays.stream(path.split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "rclone")));
    }

    /** Skips the calling test without rclone, except in CI (CI=true), where .ci/run installs it and its absence is a failure. */
    static void assumeInstalled() {
        if (installed()) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("rclone is not installed, and CI should have installed it (.ci/run: apt-get install rclone)");
        }
        assumeTrue(false, "the capacity-tier tests read the bucket with rclone, which is not installed "
                + "(apt-get install rclone; .ci/run does it)");
    }

    /** {@code remote:root[/rel]}. */
    String path(String rel) {
        return remote + ":" + root + (rel.isEmpty() ? "" : "/" + rel);
    }

    /**
     * Everything under the root, recursively, as rclone lsf prints it (directories end in '/'),
     * sorted. Listed directory by directory (ListR off), so that directory markers of empty
     * directories show as directories as well.
     */
    List<String> list() throws IOException {
        List<String> args = new ArrayList<>(List.of("lsf", "-R", "--disable", "ListR"));
        args.addAll(filters);
        args.add(path(""));
        String out = new String(run(args), StandardCharsets.UTF_8);
        return out.lines().filter(l -> !l.isEmpty()).sorted().toList();
    }

    /** The bytes of object {@code key} (relative to the root). */
    byte[] cat(String key) throws IOException {
        return run(List.of("cat", path(key)));
    }

    /** Copies everything under the root to {@code dest}. */
    void copyTo(Path dest) throws IOException {
        List<String> args = new ArrayList<>(List.of("copy"));
        args.addAll(filters);
        args.addAll(List.of(path(""), dest.toString()));
        run(args);
    }

    /** Copies object {@code key} to the file {@code dest}. */
    void copyObject(String key, Path dest) throws IOException {
        run(List.of("copyto", path(key), dest.toString()));
    }

    /** Keys (full, bucket-relative) of the S3 multipart uploads in progress in {@code bucket}. */
    List<String> multipartUploads(String bucket) throws IOException {
        String out = new String(run(List.of("backend", "list-multipart-uploads", remote + ":" + bucket)),
                StandardCharsets.UTF_8);
        List<String> keys = new ArrayList<>();
        Matcher m = UPLOAD_KEY.matcher(out);
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }

    /** Runs {@code rclone -q ARGS}; returns its stdout, or fails the test with its stderr. */
    byte[] run(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of("rclone", "-q"));
        command.addAll(args);
        Path out = Files.createTempFile(scratch, "rclone-", ".out");
        Path err = Files.createTempFile(scratch, "rclone-", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            boolean done;
            try {
                done = p.waitFor(CALL_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted: " + command, e);
            }
            if (!done) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + CALL_LIMIT);
            }
            if (p.exitValue() != 0) {
                fail(String.join(" ", command) + " failed with exit " + p.exitValue() + ":\n"
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            return Files.readAllBytes(out);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
