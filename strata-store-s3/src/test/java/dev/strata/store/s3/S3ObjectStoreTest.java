package dev.strata.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStore.Part;
import dev.strata.core.store.ObjectStore.Upload;
import dev.strata.core.store.ObjectStoreException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What the contract cannot see: how the adapter's objects look to any other S3 client (a plain
 * SDK client on the same server), what the server verifies, and how failures map to the port's
 * errors. Runs on the shared S3Mock process; each test under its own prefix.
 */
@ExtendWith(S3ServerExtension.class)
class S3ObjectStoreTest {
    private static final int MIB = 1 << 20;
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private final S3Server server;
    private String prefix;
    private S3ObjectStore store;

    S3ObjectStoreTest(S3Server server) {
        this.server = server;
    }

    @BeforeEach
    void open() throws Exception {
        prefix = "specific/" + PREFIXES.incrementAndGet() + "/";
        store = S3ObjectStore.open(URI.create("s3://" + S3Server.BUCKET + "/" + prefix), server.env());
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aTwentyMebibyteMultipartObjectIsByteIdenticalThroughAPlainGet() throws Exception {
        byte[] whole = randomBytes(20 * MIB, 20);
        Upload upload = store.startUpload("big", Map.of("file-owner", "42"));
        List<Part> parts = new ArrayList<>();
        List<Integer> crcs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] part = Arrays.copyOfRange(whole, i * 5 * MIB, (i + 1) * 5 * MIB);
            crcs.add(crc32c(part));
            parts.add(store.uploadPart(upload, i + 1, ByteBuffer.wrap(part), crc32c(part)));
        }
        ObjectInfo done = store.completeUpload(upload, parts);
        assertThat(done.sizeBytes()).isEqualTo(whole.length);

        byte[] got = raw().getObjectAsBytes(b -> b.bucket(S3Server.BUCKET).key(prefix + "big")).asByteArray();
        assertThat(got.length).isEqualTo(whole.length);
        assertThat(Arrays.equals(got, whole)).as("bytes of a plain GetObject").isTrue();

        // The server kept our part checksums: it reports the composite CRC32C S3 would report.
        HeadObjectResponse head = raw().headObject(b -> b.bucket(S3Server.BUCKET).key(prefix + "big")
                .checksumMode(ChecksumMode.ENABLED));
        assertThat(head.metadata()).containsEntry("file-owner", "42");
        String composite = Crc32cWire.composite(crcs.stream().map(Crc32cWire::base64).toList());
        assertThat(head.checksumCRC32C()).isEqualTo(composite + "-4");
    }

    @Test
    void metadataTravelsAsXAmzMetaHeadersUnderThePortsNames() throws Exception {
        Map<String, String> meta = Map.of("file-permissions", "0100644", "file-owner", "1000", "file-group", "100",
                "file-mtime", "1700000000123456789ns");
        put("attrs", "x", meta);
        HeadObjectResponse head = raw().headObject(b -> b.bucket(S3Server.BUCKET).key(prefix + "attrs"));
        Map<String, List<String>> headers = head.sdkHttpResponse().headers();
        Map<String, String> metaHeaders = new HashMap<>();
        headers.forEach((name, values) -> {
            if (name.toLowerCase().startsWith("x-amz-meta-")) {
                metaHeaders.put(name.toLowerCase(), String.join(",", values));
            }
        });
        assertThat(metaHeaders).containsOnly(
                Map.entry("x-amz-meta-file-permissions", "0100644"), Map.entry("x-amz-meta-file-owner", "1000"),
                Map.entry("x-amz-meta-file-group", "100"), Map.entry("x-amz-meta-file-mtime", "1700000000123456789ns"));
        // Listings carry no user metadata on S3; the adapter says so instead of reporting none.
        ObjectInfo listed = store.list("", false, null, 10).objects().getFirst();
        assertThat(listed.metadataKnown()).isFalse();
        assertThat(listed.metadata()).isEmpty();
    }

    @Test
    void aDirectoryMarkerIsTheZeroByteObjectWithATrailingSlash() throws Exception {
        store.put("a/b/", ByteBuffer.allocate(0), crc32c(new byte[0]), Map.of("file-permissions", "040755"));
        List<S3Object> objects = raw().listObjectsV2(b -> b.bucket(S3Server.BUCKET).prefix(prefix)).contents();
        assertThat(objects).extracting(S3Object::key).containsExactly(prefix + "a/b/");
        assertThat(objects.getFirst().size()).isZero();
        assertThat(raw().headObject(b -> b.bucket(S3Server.BUCKET).key(prefix + "a/b/")).metadata())
                .containsEntry("file-permissions", "040755");
    }

    @Test
    void theServerRefusesAWrongCrc32cAndStoresTheRightOne() throws Exception {
        byte[] bytes = "checked by the server".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> store.put("crc", ByteBuffer.wrap(bytes), crc32c(bytes) ^ 1, Map.of()))
                .isInstanceOf(ObjectStoreException.Permanent.class)
                .hasMessageContaining("HTTP 400") // the server's refusal, not a check of ours
                .hasMessageContaining("\"crc\"");
        assertThat(store.head("crc")).isEmpty();

        store.put("crc", ByteBuffer.wrap(bytes), crc32c(bytes), Map.of());
        HeadObjectResponse head = raw().headObject(b -> b.bucket(S3Server.BUCKET).key(prefix + "crc")
                .checksumMode(ChecksumMode.ENABLED));
        assertThat(head.checksumCRC32C()).as("x-amz-checksum-crc32c reached the server")
                .isEqualTo(Crc32cWire.base64(crc32c(bytes)));

        Upload upload = store.startUpload("crc-part", Map.of());
        assertThatThrownBy(() -> store.uploadPart(upload, 1, ByteBuffer.wrap(bytes), crc32c(bytes) + 1))
                .isInstanceOf(ObjectStoreException.Permanent.class).hasMessageContaining("HTTP 400");
        store.abortUpload(upload);
    }

    @Test
    void unknownAndAbortedUploadsAreNotFoundAndAbortIsIdempotent() throws Exception {
        // S3Mock wants UUID upload ids (see S3MockDeviations); S3 answers the same for any unknown id.
        Upload unknown = new Upload("u", UUID.randomUUID().toString());
        Part fake = new Part(1, 1, Crc32cWire.partTag("\"0\"", 0));
        assertThatThrownBy(() -> store.completeUpload(unknown, List.of(fake)))
                .isInstanceOf(ObjectStoreException.NotFound.class).hasMessageContaining("NoSuchUpload");
        assertThatThrownBy(() -> store.uploadPart(unknown, 1, ByteBuffer.wrap(new byte[1]), crc32c(new byte[1])))
                .isInstanceOf(ObjectStoreException.NotFound.class);
        store.abortUpload(unknown);

        Upload upload = store.startUpload("u", Map.of());
        Part part = store.uploadPart(upload, 1, ByteBuffer.wrap(new byte[] {7}), crc32c(new byte[] {7}));
        store.abortUpload(upload);
        store.abortUpload(upload);
        assertThatThrownBy(() -> store.completeUpload(upload, List.of(part)))
                .isInstanceOf(ObjectStoreException.NotFound.class);
        assertThat(store.head("u")).isEmpty();
    }

    @Test
    void largeCopiesGoPartByPartOnTheServer() throws Exception {
        var settings = new S3Config.Settings(8, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(30),
                5L * MIB, 5L * MIB);
        try (S3ObjectStore small = S3ObjectStore.open(URI.create("s3://" + S3Server.BUCKET + "/" + prefix),
                server.env(), settings)) {
            byte[] bytes = randomBytes(12 * MIB + 5, 12);
            small.put("src", ByteBuffer.wrap(bytes), crc32c(bytes), Map.of("file-owner", "1"));
            ObjectInfo copy = small.copy("src", "dst", Map.of("file-owner", "2"));
            assertThat(copy.sizeBytes()).isEqualTo(bytes.length);
            assertThat(copy.etag()).as("a multipart ETag").endsWith("-3\"");
            assertThat(raw().getObjectAsBytes(b -> b.bucket(S3Server.BUCKET).key(prefix + "dst")).asByteArray())
                    .isEqualTo(bytes);
            assertThat(small.head("dst").orElseThrow().metadata()).isEqualTo(Map.of("file-owner", "2"));

            ObjectInfo updated = small.setMetadata("src", Map.of("file-owner", "3"));
            assertThat(updated.sizeBytes()).isEqualTo(bytes.length);
            assertThat(small.head("src").orElseThrow().metadata()).isEqualTo(Map.of("file-owner", "3"));
            assertThat(raw().getObjectAsBytes(b -> b.bucket(S3Server.BUCKET).key(prefix + "src")).asByteArray())
                    .isEqualTo(bytes);
        }
    }

    @Test
    void theServerHonoursTheCopySourceEtagThatPinsCopies() throws Exception {
        put("pinned", "v1", Map.of());
        assertThatThrownBy(() -> raw().copyObject(b -> b.sourceBucket(S3Server.BUCKET).sourceKey(prefix + "pinned")
                .destinationBucket(S3Server.BUCKET).destinationKey(prefix + "copy").copySourceIfMatch("\"stale\"")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(412));
        assertThat(store.head("copy")).isEmpty();
    }

    @Test
    void aMissingBucketIsPermanentAndNamed() {
        assertThatThrownBy(() -> S3ObjectStore.open(URI.create("s3://no-such-bucket/p"), server.env()))
                .isInstanceOf(ObjectStoreException.Permanent.class)
                .hasMessageContaining("\"no-such-bucket\" does not exist")
                .hasMessageContaining(server.endpoint().toString())
                .hasMessageContaining("create it");
    }

    @Test
    void aStaleIfMatchIsPreconditionFailedAndAnAbsentKeyNotFound() throws Exception {
        ObjectInfo old = put("v", "one", Map.of());
        put("v", "two", Map.of());
        assertThatThrownBy(() -> store.read("v", 0, ByteBuffer.allocate(3), old.etag()))
                .isInstanceOf(ObjectStoreException.PreconditionFailed.class)
                .hasMessageContaining("HTTP 412").hasMessageContaining("\"v\"").hasMessageContaining(store.describe());
        assertThatThrownBy(() -> store.read("v", 10, ByteBuffer.allocate(3), old.etag()))
                .as("also beyond the end").isInstanceOf(ObjectStoreException.PreconditionFailed.class);
        assertThatThrownBy(() -> store.read("absent", 0, ByteBuffer.allocate(3), null))
                .isInstanceOf(ObjectStoreException.NotFound.class).hasMessageContaining("HTTP 404 NoSuchKey");
    }

    @Test
    void noCredentialsArePermanentWithWhatToSet() {
        assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null && System.getenv("AWS_PROFILE") == null,
                "this machine has AWS credentials in its environment");
        // Surefire points the SDK's profile files at nothing and turns instance metadata off.
        Map<String, String> env = Map.of("AWS_ENDPOINT_URL", server.endpoint().toString());
        assertThatThrownBy(() -> S3ObjectStore.open(URI.create("s3://" + S3Server.BUCKET), env))
                .isInstanceOf(ObjectStoreException.Permanent.class)
                .hasMessageContaining("no AWS credentials").hasMessageContaining("AWS_ACCESS_KEY_ID");
    }

    @Test
    void aServerThatDiesIsTransientAtOnce() throws Exception {
        byte[] bytes = randomBytes(4 * MIB, 4);
        put("before", "still there", Map.of());
        store.put("big", ByteBuffer.wrap(bytes), crc32c(bytes), Map.of());
        try (TcpProxy proxy = new TcpProxy(server.port());
                S3ObjectStore viaProxy = S3ObjectStore.open(URI.create("s3://" + S3Server.BUCKET + "/" + prefix),
                        S3Server.env(proxy.endpoint()))) {
            assertThat(viaProxy.head("before")).isPresent();

            // Dies half-way through a response body.
            proxy.killAfterDownstreamBytes(MIB);
            long start = System.nanoTime();
            assertThatThrownBy(() -> viaProxy.read("big", 0, ByteBuffer.allocate(bytes.length), null))
                    .isInstanceOfSatisfying(ObjectStoreException.Transient.class,
                            e -> assertThat(e.throttled()).isFalse())
                    .hasMessageContaining("\"big\"");
            // Gone for good: connections are refused.
            assertThatThrownBy(() -> viaProxy.head("before"))
                    .isInstanceOf(ObjectStoreException.Transient.class)
                    .hasMessageContaining("no answer from the server");
            assertThatThrownBy(() -> viaProxy.put("after", ByteBuffer.wrap(bytes), crc32c(bytes), Map.of()))
                    .isInstanceOf(ObjectStoreException.Transient.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("failing takes no timeout")
                    .isLessThan(Duration.ofSeconds(5));
        }
    }

    private ObjectInfo put(String key, String content, Map<String, String> meta) throws ObjectStoreException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return store.put(key, ByteBuffer.wrap(bytes), crc32c(bytes), meta);
    }

    private S3Client raw() {
        return server.raw();
    }

    static int crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
