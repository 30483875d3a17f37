package dev.strata.it.tier;

import dev.strata.testkit.process.Azurite;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Azure Blob on Azurite, {@code az://CONTAINER/PREFIX}. rclone reaches it through an account SAS URL
 * (rclone 1.60 cannot combine a key with a custom endpoint); metadata and staged blocks come from
 * Azure's REST API with the same SAS (Get Blob Properties, Get Block List). Azure metadata names
 * must be C# identifiers, so Strata's adapter writes {@code file-permissions} as
 * {@code file_permissions}; {@link #metadata} maps them back.
 */
final class AzureTierStore implements TierStore {
    private static final Duration CALL_LIMIT = Duration.ofSeconds(30);
    private static final String META = "x-ms-meta-";
    private static final Pattern UNCOMMITTED = Pattern.compile("<UncommittedBlocks>(.*?)</UncommittedBlocks>", Pattern.DOTALL);
    private static final Pattern BLOCK_NAME = Pattern.compile("<Name>([^<]*)</Name>");

    private final Azurite azurite;
    private final String container;
    private final String prefix;

    /** Keys under {@code container/prefix}; creates the container if needed. */
    AzureTierStore(Azurite azurite, String container, String prefix) throws IOException, InterruptedException {
        this.azurite = azurite;
        this.container = container;
        this.prefix = prefix;
        azurite.createContainer(container);
    }

    @Override
    public String kind() {
        return "az";
    }

    @Override
    public String uri() {
        return "az://" + container + "/" + prefix;
    }

    @Override
    public Map<String, String> serverEnv() {
        return Map.of("AZURE_STORAGE_CONNECTION_STRING", azurite.connectionString());
    }

    @Override
    public Rclone rclone(Path scratch) throws IOException {
        return new Rclone("strataaz", container + "/" + prefix, Map.of(
                "RCLONE_CONFIG_STRATAAZ_TYPE", "azureblob",
                "RCLONE_CONFIG_STRATAAZ_SAS_URL", azurite.blobEndpoint() + "?" + azurite.accountSas()), List.of(), scratch);
    }

    @Override
    public boolean rcloneShowsEmptyDirectories() {
        return false;
    }

    @Override
    public Optional<Map<String, String>> metadata(String key, boolean directory) throws IOException, InterruptedException {
        HttpResponse<String> r = send("HEAD", blob(key, ""));
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        expect(r, 200, key);
        HttpHeaders h = r.headers();
        Map<String, String> md = new TreeMap<>();
        boolean folder = false;
        for (var e : h.map().entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!name.startsWith(META)) {
                continue;
            }
            String azureName = name.substring(META.length());
            if (azureName.equals("hdi_isfolder")) {
                folder = "true".equalsIgnoreCase(e.getValue().getFirst());
                continue;
            }
            md.put(azureName.replace('_', '-'), e.getValue().getFirst());
        }
        // A marker and a file of one name are one blob on Azure: the folder flag tells them apart.
        return folder == directory ? Optional.of(md) : Optional.empty();
    }

    @Override
    public List<String> pendingUploads(String key) throws IOException {
        try {
            HttpResponse<String> r = send("GET", blob(key, "comp=blocklist&blocklisttype=uncommitted&"));
            if (r.statusCode() == 404) {
                return List.of();
            }
            expect(r, 200, key);
            List<String> blocks = new ArrayList<>();
            Matcher section = UNCOMMITTED.matcher(r.body());
            if (section.find()) {
                Matcher name = BLOCK_NAME.matcher(section.group(1));
                while (name.find()) {
                    blocks.add(name.group(1));
                }
            }
            return blocks;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private URI blob(String key, String query) {
        if (!key.matches("[A-Za-z0-9._/-]+")) {
            throw new IllegalArgumentException("the test's keys are plain ASCII, not " + key);
        }
        return URI.create(azurite.blobEndpoint() + "/" + container + "/" + prefix + "/" + key + "?" + query
                + azurite.accountSas());
    }

    private static HttpResponse<String> send(String method, URI uri) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(uri).timeout(CALL_LIMIT).header("x-ms-version", "2019-12-12")
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static void expect(HttpResponse<String> r, int status, String key) throws IOException {
        if (r.statusCode() != status) {
            throw new IOException("Azurite answered " + r.statusCode() + " for " + key + ": " + r.body());
        }
    }

    @Override
    public String toString() {
        return uri();
    }
}
