package dev.strata.store.s3;

import dev.strata.testkit.process.S3Mock;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 server of this module's tests: strata-testkit's {@link S3Mock} (the process), plus a
 * plain SDK client on it to look at what the adapter stored.
 */
final class S3Server implements AutoCloseable {
    static final String BUCKET = S3Mock.BUCKET;
    static final String ACCESS_KEY = S3Mock.ACCESS_KEY;
    static final String SECRET_KEY = S3Mock.SECRET_KEY;

    private final S3Mock mock;
    private S3Client raw;

    private S3Server(S3Mock mock) {
        this.mock = mock;
    }

    static S3Server start() throws IOException, InterruptedException {
        return new S3Server(S3Mock.start());
    }

    /** The endpoint, {@code http://127.0.0.1:PORT}. */
    URI endpoint() {
        return mock.endpoint();
    }

    int port() {
        return mock.port();
    }

    /** The environment an {@link S3ObjectStore} needs to reach this server. */
    Map<String, String> env() {
        return mock.env();
    }

    /** The same, for an endpoint in front of this server (a proxy). */
    static Map<String, String> env(URI endpoint) {
        return S3Mock.env(endpoint);
    }

    /** A plain SDK client on this server, to look at what the adapter stored. */
    synchronized S3Client raw() {
        if (raw == null) {
            raw = S3Client.builder().endpointOverride(endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .build();
        }
        return raw;
    }

    /** The last lines of the server's log, for failure messages. */
    String logTail() {
        return mock.logTail();
    }

    @Override
    public synchronized void close() {
        if (raw != null) {
            raw.close();
            raw = null;
        }
        mock.close();
    }
}
