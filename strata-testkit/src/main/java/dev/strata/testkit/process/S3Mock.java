package dev.strata.testkit.process;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real S3-compatible server for tests: Adobe S3Mock's executable jar, run as a separate
 * {@code java -jar} process of this same JDK on a free loopback port, its data in a fresh
 * temporary directory, with one bucket, {@link #BUCKET}. {@link #start} waits (bounded) until it
 * answers; {@link #close} stops it and deletes its data, also after a failure.
 *
 * <p>The jar comes from the build: a module whose tests use this sets the property
 * {@code strata.s3mock.skip} to {@code false}, and the parent POM's {@code copy-s3mock} execution
 * copies the jar to {@code target/s3mock/s3mock-exec.jar} (the system property
 * {@code strata.s3mock.jar} overrides the place).
 *
 * <p>A server of an earlier run that was killed before it could stop its child (the pid is kept in
 * {@code target/s3mock/server.pid}) is stopped at the next start, by that pid and only if its
 * command line is this jar's.
 */
public final class S3Mock implements AutoCloseable {
    public static final String BUCKET = "strata-test";
    public static final String ACCESS_KEY = "strata-test-key";
    public static final String SECRET_KEY = "strata-test-secret";
    public static final String REGION = "us-east-1";
    /** S3Mock (Spring Boot) takes 10 s on an idle 2-core machine and over 30 s on a busy one. */
    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(180);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(10);

    private final Process process;
    private final int port;
    private final Path dataDir;
    private final Path log;
    private final Path pidFile;

    private S3Mock(Process process, int port, Path dataDir, Path log, Path pidFile) {
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
        this.log = log;
        this.pidFile = pidFile;
    }

    /** The jar the build copied, or fails saying how to get it. */
    public static Path jar() {
        Path jar = Path.of(System.getProperty("strata.s3mock.jar", "target/s3mock/s3mock-exec.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no S3Mock jar at " + jar + ": run the tests through Maven, whose "
                    + "copy-s3mock execution copies it there (the module must set strata.s3mock.skip=false)");
        }
        return jar;
    }

    public static S3Mock start() throws IOException, InterruptedException {
        return start(jar());
    }

    public static S3Mock start(Path jar) throws IOException, InterruptedException {
        Path workDir = jar.getParent();
        Path pidFile = workDir.resolve("server.pid");
        stopLeftover(pidFile, jar);
        int port = ChildServers.freeLoopbackPort();
        Path dataDir = Files.createTempDirectory("strata-s3mock-");
        Path log = workDir.resolve("server-" + port + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java,
                // C1 only and the serial collector: S3Mock starts in half the time on 2 cores.
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx512m",
                "-jar", jar.toString(),
                "--http.port=" + port,
                "--server.port=0", // its HTTPS connector, unused: any free port
                "--server.address=127.0.0.1",
                "--spring.main.banner-mode=off",
                "--com.adobe.testing.s3mock.store.root=" + dataDir,
                "--com.adobe.testing.s3mock.store.initial-buckets=" + BUCKET,
                "--com.adobe.testing.s3mock.store.retain-files-on-exit=false");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        Files.writeString(pidFile, Long.toString(process.pid()));
        S3Mock server = new S3Mock(process, port, dataDir, log, pidFile);
        try {
            server.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The endpoint, {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** The environment an S3 client (Strata's adapter, the SDK's default chain) needs to reach this server. */
    public Map<String, String> env() {
        return env(endpoint());
    }

    /** The same, for an endpoint in front of this server (a proxy). */
    public static Map<String, String> env(URI endpoint) {
        return Map.of("AWS_ENDPOINT_URL", endpoint.toString(), "AWS_ACCESS_KEY_ID", ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_REGION", REGION);
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    private void awaitReady() throws IOException, InterruptedException {
        ChildServers.awaitHttp(process, "S3Mock", URI.create(endpoint() + "/" + BUCKET + "?list-type=2&max-keys=1"),
                status -> status == 200, STARTUP_LIMIT, log);
    }

    /** The last lines of the server's log, for failure messages. */
    public String logTail() {
        return ChildServers.tail(log);
    }

    @Override
    public synchronized void close() {
        ChildServers.stop(process.toHandle(), STOP_LIMIT);
        try {
            Files.deleteIfExists(pidFile);
            ChildServers.deleteTree(dataDir);
        } catch (IOException e) {
            System.err.println("S3Mock: could not delete " + dataDir + ": " + e);
        }
    }

    private static void stopLeftover(Path pidFile, Path jar) throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            ProcessHandle.of(pid)
                    .filter(h -> h.info().commandLine().map(c -> c.contains(jar.toString())).orElse(false))
                    .ifPresent(h -> ChildServers.stop(h, STOP_LIMIT));
        } catch (NumberFormatException ignored) {
            // Not ours.
        }
        Files.deleteIfExists(pidFile);
    }
}
