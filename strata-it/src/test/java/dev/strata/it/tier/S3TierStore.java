package dev.strata.it.tier;

import dev.strata.testkit.process.S3Mock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * S3 on S3Mock, {@code s3://BUCKET/PREFIX}. rclone's S3 backend (provider Other, path-style) reads
 * the bucket; metadata comes from HEAD Object, sent unsigned (S3Mock does not authenticate), and
 * uploads in progress from ListMultipartUploads through rclone.
 */
final class S3TierStore implements TierStore {
    private static final Duration CALL_LIMIT = Duration.ofSeconds(30);
    private static final String META = "x-amz-meta-";

    private final S3Mock s3;
    private final String prefix;
    private final Path scratch;
    private Rclone rclone;

    /** Keys under {@code prefix} in the server's bucket; {@code scratch} takes rclone's own files. */
    S3TierStore(S3Mock s3, String prefix, Path scratch) {
        this.s3 = s3;
        this.prefix = prefix;
        this.scratch = scratch;
    }

    @Override
    public String kind() {
        return "s3";
    }

    @Override
    public String uri() {
        return "s3://" + S3Mock.BUCKET + "/" + prefix;
    }

    @Override
    public Map<String, String> serverEnv() {
        Map<String, String> env = new HashMap<>(s3.env());
        // Nothing beyond loopback: no instance metadata lookups, no developer's ~/.aws.
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_CONFIG_FILE", "/nonexistent/strata-it/aws-config");
        env.put("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/strata-it/aws-credentials");
        return env;
    }

    @Override
    public Rclone rclone(Path scratch) throws IOException {
        return new Rclone("stratas3", S3Mock.BUCKET + "/" + prefix, Map.of(
                "RCLONE_CONFIG_STRATAS3_TYPE", "s3",
                "RCLONE_CONFIG_STRATAS3_PROVIDER", "Other",
                "RCLONE_CONFIG_STRATAS3_ENDPOINT", s3.endpoint().toString(),
                "RCLONE_CONFIG_STRATAS3_FORCE_PATH_STYLE", "true",
                "RCLONE_CONFIG_STRATAS3_REGION", S3Mock.REGION,
                "RCLONE_CONFIG_STRATAS3_ACCESS_KEY_ID", S3Mock.ACCESS_KEY,
                "RCLONE_CONFIG_STRATAS3_SECRET_ACCESS_KEY", S3Mock.SECRET_KEY), List.of(), scratch);
    }

    @Override
    public Optional<Map<String, String>> metadata(String key, boolean directory) throws IOException, InterruptedException {
        if (!key.matches("[A-Za-z0-9._/-]+")) {
            throw new IllegalArgumentException("the test's keys are plain ASCII, not " + key);
        }
        URI uri = URI.create(s3.endpoint() + "/" + S3Mock.BUCKET + "/" + prefix + "/" + key + (directory ? "/" : ""));
        HttpResponse<Void> r;
        try (HttpClient http = HttpClient.newHttpClient()) {
            r = http.send(HttpRequest.newBuilder(uri).timeout(CALL_LIMIT).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.discarding());
        }
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            throw new IOException("S3Mock answered " + r.statusCode() + " to HEAD " + uri);
        }
        Map<String, String> md = new TreeMap<>();
        r.headers().map().forEach((name, values) -> {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.startsWith(META)) {
                md.put(n.substring(META.length()), values.getFirst());
            }
        });
        return Optional.of(md);
    }

    @Override
    public List<String> pendingUploads(String key) throws IOException {
        if (rclone == null) {
            rclone = rclone(scratch.resolve("uploads-rclone"));
        }
        String full = prefix + "/" + key;
        return rclone.multipartUploads(S3Mock.BUCKET).stream().filter(full::equals).toList();
    }

    @Override
    public String toString() {
        return uri();
    }
}
