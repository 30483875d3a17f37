package dev.strata.meta.rocksdb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link CrashChild} in its own JVM, started with this JVM's java binary and class path. A reader
 * thread drains its stdout, remembering the last number printed (the last acknowledged commit).
 */
final class ChildJvm implements AutoCloseable {
    private static final long EXIT_WAIT_SECONDS = 30;

    private final Process process;
    private final Path stderr;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final AtomicLong lastNumber = new AtomicLong(-1);
    private final Thread reader;

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.reader = Thread.ofPlatform().name("child-stdout").daemon().start(this::drain);
    }

    static ChildJvm start(Path stderr, String... args) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell this JVM's java binary"));
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), CrashChild.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        return new ChildJvm(p, stderr);
    }

    /** Waits until the child has opened the store. */
    void awaitReady(long timeoutSeconds) throws Exception {
        if (!ready.await(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new AssertionError("child not ready after " + timeoutSeconds + " s; alive=" + process.isAlive()
                    + ", stderr:\n" + stderrText());
        }
    }

    /** SIGKILL, then waits until the process is gone and its output is drained. */
    void kill() throws Exception {
        if (!process.isAlive()) {
            throw new AssertionError("child exited by itself with " + process.exitValue() + ", stderr:\n" + stderrText());
        }
        process.destroyForcibly();
        if (!process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("child survived SIGKILL for " + EXIT_WAIT_SECONDS + " s");
        }
        reader.join(TimeUnit.SECONDS.toMillis(EXIT_WAIT_SECONDS));
    }

    /** The last number the child printed, -1 if none. */
    long lastNumber() {
        return lastNumber.get();
    }

    String stderrText() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private void drain() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals(CrashChild.READY)) {
                    ready.countDown();
                } else if (line.startsWith(CrashChild.ACK)) {
                    // A line cut by the kill holds a prefix of the number: a smaller claim, still true.
                    try {
                        lastNumber.set(Long.parseLong(line.substring(CrashChild.ACK.length()).strip()));
                    } catch (NumberFormatException torn) {
                        // "ack " alone, cut right after the prefix: claims nothing.
                    }
                }
            }
        } catch (IOException e) {
            // The pipe breaks when the child is killed; what was read stands.
        }
    }

    /** Kills the child if a test failed before it did, so that no child outlives its test. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
