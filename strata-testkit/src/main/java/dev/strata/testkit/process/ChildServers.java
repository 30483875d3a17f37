package dev.strata.testkit.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.stream.Stream;

/**
 * What every test fixture that runs a real server as a child process needs (Azurite, S3Mock, …):
 * a free loopback port, a bounded wait until it answers HTTP, a bounded stop of it and its
 * children, its log's tail for failure messages, and removal of its data directory.
 */
public final class ChildServers {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final long POLL_MILLIS = 100;

    private ChildServers() {}

    /** A port that was free on 127.0.0.1 a moment ago. */
    public static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * Polls {@code probe} until the server answers with a status {@code ready} accepts, for at most
     * {@code limit}; fails early, with the log's tail, if the process exits.
     */
    public static void awaitHttp(Process process, String name, URI probe, IntPredicate ready, Duration limit, Path log)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            HttpRequest request = HttpRequest.newBuilder(probe).timeout(PROBE_TIMEOUT).build();
            while (true) {
                if (!process.isAlive()) {
                    throw new IOException(name + " exited with " + process.exitValue() + " before answering:\n" + tail(log));
                }
                try {
                    if (ready.test(http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode())) {
                        return;
                    }
                } catch (IOException notYet) {
                    // Not listening yet.
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException(name + " did not answer " + probe + " within " + limit + ":\n" + tail(log));
                }
                Thread.sleep(POLL_MILLIS);
            }
        }
    }

    /** Stops {@code handle} and its descendants: SIGTERM, then SIGKILL after {@code limit}; waits at most twice that. */
    public static void stop(ProcessHandle handle, Duration limit) {
        handle.descendants().forEach(ProcessHandle::destroy);
        if (!handle.isAlive()) {
            return;
        }
        handle.destroy();
        try {
            handle.onExit().get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception slow) {
            handle.destroyForcibly();
            try {
                handle.onExit().get(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception ignored) {
                System.err.println("pid " + handle.pid() + " did not exit after SIGKILL");
            }
        }
    }

    /** The last 30 lines of {@code log}, or why there are none. */
    public static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Deletes {@code root} and everything below it; an absent root is fine. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
