package dev.strata.testkit.process;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Microsoft's Azure Blob emulator, as a child process of this JVM: installed from npm into a
 * cache directory on first use ({@code ~/.cache/strata/azurite}; kept, so later runs are offline),
 * started on a free loopback port with its data in a temporary directory, stopped by its process
 * handle by {@link #close} (and by a shutdown hook if the JVM ends first).
 *
 * <p>Needs node and npm. Without them it fails, with a message saying how to get them: CI installs
 * them in {@code .ci/run}.
 */
public final class Azurite implements AutoCloseable {
    public static final String VERSION = "3.37";
    /** Azurite's well-known development account (public, the same in every Azurite). */
    public static final String ACCOUNT = "devstoreaccount1";
    public static final String KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final Process process;
    private final Path dataDir;
    private final int port;
    private final Thread shutdownHook;

    private Azurite(Process process, Path dataDir, int port) {
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
        this.shutdownHook = new Thread(process::destroyForcibly, "azurite-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static Azurite start() throws IOException, InterruptedException {
        Path executable = install();
        Path dataDir = Files.createTempDirectory("strata-azurite-");
        int port = ChildServers.freeLoopbackPort();
        Path log = dataDir.resolve("azurite.log");
        Process process = new ProcessBuilder(executable.toString(), "--blobHost", "127.0.0.1", "--blobPort",
                String.valueOf(port), "--location", dataDir.resolve("data").toString(), "--skipApiVersionCheck", "--silent")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Azurite azurite = new Azurite(process, dataDir, port);
        try {
            azurite.awaitReady(log);
        } catch (IOException | RuntimeException | InterruptedException e) {
            azurite.close();
            throw e;
        }
        return azurite;
    }

    public int port() {
        return port;
    }

    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + KEY + ";BlobEndpoint=http://127.0.0.1:"
                + port + "/" + ACCOUNT + ";";
    }

    /** The account's blob endpoint, {@code http://127.0.0.1:PORT/devstoreaccount1}. */
    public URI blobEndpoint() {
        return URI.create("http://127.0.0.1:" + port + "/" + ACCOUNT);
    }

    /**
     * An account SAS (a query string without the '?') allowing every operation on blobs and
     * containers until 2099, signed with the well-known key. It lets tools reach this emulator
     * that cannot be given a custom endpoint together with a key (rclone 1.60 builds
     * {@code https://ACCOUNT.ENDPOINT} from them; it takes a SAS URL as is), and lets tests use
     * plain HTTP without signing each request.
     */
    public String accountSas() {
        String permissions = "rwdlacup";
        String services = "b";
        String resourceTypes = "sco";
        String expiry = "2099-01-01T00:00:00Z";
        String version = "2019-12-12";
        // Account SAS string-to-sign for this version: account, permissions, services, resource
        // types, start, expiry, IP range, protocol, version, each followed by a newline.
        String toSign = String.join("\n", ACCOUNT, permissions, services, resourceTypes, "", expiry, "", "", version, "");
        String signature;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(KEY), "HmacSHA256"));
            signature = Base64.getEncoder().encodeToString(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
        return "sv=" + version + "&ss=" + services + "&srt=" + resourceTypes + "&sp=" + permissions + "&se="
                + URLEncoder.encode(expiry, StandardCharsets.UTF_8) + "&sig=" + URLEncoder.encode(signature, StandardCharsets.UTF_8);
    }

    /** Creates a container; one that exists already is fine. */
    public void createContainer(String name) throws IOException, InterruptedException {
        URI uri = URI.create(blobEndpoint() + "/" + name + "?restype=container&" + accountSas());
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("x-ms-version", "2019-12-12").PUT(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201 && r.statusCode() != 409) {
                throw new IOException("Azurite refused to create container " + name + ": " + r.statusCode() + " " + r.body());
            }
        }
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Stops the emulator (and anything it started); waits for it to exit; deletes its data. */
    @Override
    public void close() {
        ChildServers.stop(process.toHandle(), STOP_TIMEOUT);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or ran: nothing to remove.
        }
        try {
            ChildServers.deleteTree(dataDir);
        } catch (IOException ignored) {
            // A temp directory left behind is harmless.
        }
    }

    private void awaitReady(Path log) throws IOException, InterruptedException {
        // Any answer (403 to an unsigned request) means it is up.
        ChildServers.awaitHttp(process, "Azurite", URI.create("http://127.0.0.1:" + port + "/" + ACCOUNT + "?comp=list"),
                status -> true, START_TIMEOUT, log);
    }

    /** The azurite-blob executable, installed into the cache by npm if it is not there yet. */
    private static Path install() throws IOException, InterruptedException {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "strata", "azurite");
        Path executable = cache.resolve("node_modules/.bin/azurite-blob");
        if (Files.isExecutable(executable) && onPath("node")) {
            return executable;
        }
        if (!onPath("node") || !onPath("npm")) {
            throw new IllegalStateException("the Azure Blob tests need Azurite, which needs node and npm, and "
                    + (onPath("node") ? "npm" : "node") + " is not on the PATH: run .ci/run (it installs them), or"
                    + " apt-get install nodejs npm");
        }
        Files.createDirectories(cache);
        Path log = cache.resolve("npm-install.log");
        Process npm = new ProcessBuilder("npm", "install", "--prefix", cache.toString(), "--no-audit", "--no-fund",
                "azurite@" + VERSION).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!npm.waitFor(INSTALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            npm.destroyForcibly();
            throw new IOException("npm install azurite@" + VERSION + " took more than " + INSTALL_TIMEOUT + "; see " + log);
        }
        if (npm.exitValue() != 0 || !Files.isExecutable(executable)) {
            throw new IOException("npm install azurite@" + VERSION + " failed (exit " + npm.exitValue() + "):\n"
                    + Files.readString(log));
        }
        return executable;
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
