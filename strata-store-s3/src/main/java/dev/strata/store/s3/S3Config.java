package dev.strata.store.s3;

import dev.strata.core.store.ObjectKeys;
import dev.strata.core.store.ObjectStoreException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Where an {@link S3ObjectStore} points and how its client is built, from an {@code s3://bucket[/prefix]}
 * URI and the standard AWS environment variables.
 *
 * @param bucket the bucket
 * @param prefix prepended to every key: empty, or ending in '/'
 * @param endpoint a custom endpoint (S3-compatible servers) or null for AWS's own
 * @param region the signing region
 */
record S3Config(String bucket, String prefix, URI endpoint, Region region) {

    /**
     * Bounds of the HTTP client and of server-side copies. Defaults fit one node moving parts of
     * 8 to 64 MiB with a few dozen threads.
     *
     * @param maxConnections the connection pool's bound; a call waits up to {@code acquireTimeout}
     *     for a free connection, then fails {@code Transient}
     * @param connectTimeout bound on opening a TCP (and TLS) connection
     * @param socketTimeout bound on any silence while sending or receiving: a stalled transfer fails
     *     after this long, however large the body. There is deliberately no bound on a whole call,
     *     which would cut off a large part on a slow link that is still moving bytes.
     * @param acquireTimeout bound on waiting for a pooled connection
     * @param maxCopyBytes largest object copied with one CopyObject (S3: 5 GiB); larger ones are
     *     copied part by part with UploadPartCopy
     * @param copyPartBytes smallest part of such a copy (more if 10,000 parts would not cover it)
     */
    record Settings(int maxConnections, Duration connectTimeout, Duration socketTimeout, Duration acquireTimeout,
            long maxCopyBytes, long copyPartBytes) {
        static final long GIB = 1L << 30;
        static final Settings DEFAULT = new Settings(64, Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(30), 5 * GIB, 512L << 20);

        Settings {
            if (maxConnections < 1 || copyPartBytes < 5L << 20 || maxCopyBytes < copyPartBytes) {
                throw new IllegalArgumentException("bad S3 settings: " + maxConnections + " connections, copy parts of "
                        + copyPartBytes + " bytes above " + maxCopyBytes);
            }
        }
    }

    /** The store's name in messages: {@code s3://bucket/prefix}. */
    String describe() {
        return "s3://" + bucket + "/" + prefix;
    }

    /** Parses {@code uri} and reads region and endpoint from {@code env}. */
    static S3Config parse(URI uri, Map<String, String> env) throws ObjectStoreException {
        String where = String.valueOf(uri);
        if (uri == null || !"s3".equals(uri.getScheme()) || uri.getRawAuthority() == null) {
            throw new ObjectStoreException.Permanent(where + ": not an S3 store URI; expected s3://bucket[/prefix]", null);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ObjectStoreException.Permanent(where + ": an s3:// URI takes no query or fragment", null);
        }
        String bucket = uri.getRawAuthority();
        if (!bucket.matches("[a-z0-9][a-z0-9.\\-_]{1,253}[a-z0-9]")) {
            throw new ObjectStoreException.Permanent(where + ": \"" + bucket + "\" is not a bucket name "
                    + "(lower-case letters, digits, '.', '-'; 3 to 255 characters)", null);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String prefix = path.startsWith("/") ? path.substring(1) : path;
        if (!prefix.isEmpty()) {
            if (!prefix.endsWith("/")) {
                prefix = prefix + "/";
            }
            String problem = ObjectKeys.keyProblem(prefix);
            if (problem != null) {
                throw new ObjectStoreException.Permanent(where + ": bad prefix \"" + prefix + "\": " + problem, null);
            }
        }
        URI endpoint = endpoint(where, env);
        return new S3Config(bucket, prefix, endpoint, region(where, env, endpoint));
    }

    /** AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL, as the AWS SDKs and CLI order them. */
    private static URI endpoint(String where, Map<String, String> env) throws ObjectStoreException {
        for (String name : new String[] {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                try {
                    URI endpoint = URI.create(value.strip());
                    if (endpoint.getScheme() == null || endpoint.getHost() == null
                            || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https"))) {
                        throw new IllegalArgumentException("not an http(s) URL");
                    }
                    return endpoint;
                } catch (IllegalArgumentException e) {
                    throw new ObjectStoreException.Permanent(where + ": " + name + "=" + value
                            + " is not an http(s)://host[:port] URL", e);
                }
            }
        }
        return null;
    }

    /**
     * AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1 for a custom endpoint (S3-compatible
     * servers mostly ignore the region but the signature needs one), else the SDK's chain (profile,
     * instance metadata).
     */
    private static Region region(String where, Map<String, String> env, URI endpoint) throws ObjectStoreException {
        for (String name : new String[] {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return Region.of(value.strip());
            }
        }
        if (endpoint != null) {
            return Region.US_EAST_1;
        }
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkClientException e) {
            throw new ObjectStoreException.Permanent(where + ": no AWS region: set AWS_REGION (or a profile's region)", e);
        }
    }

    /**
     * Static keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN) when given,
     * else the SDK's default chain (system properties, web identity, profile, container, instance).
     */
    static AwsCredentialsProvider credentials(Map<String, String> env) {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (id != null && !id.isBlank() && secret != null && !secret.isBlank()) {
            String token = env.get("AWS_SESSION_TOKEN");
            return StaticCredentialsProvider.create(token == null || token.isBlank()
                    ? AwsBasicCredentials.create(id, secret)
                    : AwsSessionCredentials.create(id, secret, token));
        }
        String profile = env.get("AWS_PROFILE");
        return profile == null || profile.isBlank()
                ? DefaultCredentialsProvider.builder().build()
                : DefaultCredentialsProvider.builder().profileName(profile).build();
    }

    /**
     * The SDK client. Its own retries are off ({@link AwsRetryStrategy#doNotRetry()}, one attempt):
     * {@code RetryingObjectStore} owns retrying, with Strata's bounds and metrics, and two nested
     * retry loops would multiply each other's attempts. Checksums are computed "when required"
     * only: the adapter sends the caller's CRC32C itself, and S3-compatible servers refuse the
     * SDK's default trailing checksums.
     */
    S3Client client(AwsCredentialsProvider credentials, Settings settings) {
        var builder = S3Client.builder()
                .region(region)
                .credentialsProvider(credentials)
                .httpClientBuilder(Apache5HttpClient.builder()
                        .maxConnections(settings.maxConnections())
                        .connectionTimeout(settings.connectTimeout())
                        .socketTimeout(settings.socketTimeout())
                        .connectionAcquisitionTimeout(settings.acquireTimeout()))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (endpoint != null) {
            // Custom endpoints (MinIO, Ceph, S3Mock, on-premises appliances) seldom resolve
            // bucket.host names: address the bucket in the path.
            builder.endpointOverride(endpoint).forcePathStyle(true);
        }
        return builder.build();
    }
}
