package dev.strata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.strata.core.store.ObjectStore;
import dev.strata.core.store.RetryingObjectStore;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening {@code --store} URIs: the local store for real, and every failure of the remote ones that
 * needs no server (a closed loopback port stands for an unreachable endpoint).
 */
class StoreUriTest {
    /** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
    private static final String AZURITE_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    /** Far above a refused connection's few milliseconds, far below a hung open. */
    private static final Duration REFUSED_BOUND = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void noUriOpensTheDataDirectorysBucketWithRetries() throws Exception {
        Path bucket = Files.createDirectories(dir.resolve("bucket"));
        try (ObjectStore store = StoreUri.open(null, bucket, Map.of())) {
            assertThat(store).isInstanceOf(RetryingObjectStore.class);
            assertThat(store.describe()).contains(bucket.toString());
        }
    }

    @Test
    void fileUriCreatesAMissingDirectory() throws Exception {
        Path where = dir.resolve("new/bucket");
        try (ObjectStore store = StoreUri.open("file://" + where, dir, Map.of())) {
            assertThat(store).isInstanceOf(RetryingObjectStore.class);
            assertThat(Files.isDirectory(where)).isTrue();
        }
    }

    @Test
    void fileUriMistakesSayHowToWriteIt() {
        assertFails("file:relative/bucket").contains("relative").contains("file:///absolute/path");
        assertFails("file://otherhost/srv").contains("otherhost").contains("not this machine");
        assertFails("/srv/bucket").contains("has no scheme").contains("write file:///srv/bucket");
        assertFails("ftp://host/x").contains("unknown scheme 'ftp'").contains("az://CONTAINER");
        assertFails("az://has space").contains("is not a URI");
    }

    @Test
    void fileUriOnAFileIsRefused() throws Exception {
        Path file = Files.createFile(dir.resolve("plain"));
        assertFails("file://" + file.resolve("sub")).contains("cannot create the object store's directory");
        assertFails("file://" + file).contains("not a directory");
    }

    @Test
    void azureWithoutConnectionStringSaysWhichVariable() {
        assertFails("az://container", Map.of())
                .startsWith("cannot open the object store: az://container: ")
                .contains("AZURE_STORAGE_CONNECTION_STRING is not set");
    }

    @Test
    void azureContainerNameIsChecked() {
        assertFails("az://Bad_Name", Map.of("AZURE_STORAGE_CONNECTION_STRING", azurite(10000)))
                .contains("bad container name");
    }

    @Test
    void azureConnectionStringThatIsNotOneIsNamedWithoutEchoingIt() {
        assertFails("az://container", Map.of("AZURE_STORAGE_CONNECTION_STRING", "AccountKey=sekrit;nonsense"))
                .contains("is not a usable connection string")
                .doesNotContain("sekrit");
    }

    @Test
    void azureUnreachableEndpointFailsFastWithWhatToCheck() throws Exception {
        String connection = azurite(closedPort());
        long t0 = System.nanoTime();
        assertFails("az://container/prefix", Map.of("AZURE_STORAGE_CONNECTION_STRING", connection))
                .startsWith("cannot reach the object store: az://container/prefix: ")
                .contains("check the endpoint in AZURE_STORAGE_CONNECTION_STRING");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(REFUSED_BOUND);
    }

    @Test
    void s3BucketNameAndEndpointAreChecked() {
        assertFails("s3://A", Map.of()).contains("is not a bucket name");
        assertFails("s3://bucket?x=1", Map.of()).contains("takes no query");
        assertFails("s3://bucket", Map.of("AWS_ENDPOINT_URL", "localhost:9000")).contains("is not an http(s)://host[:port] URL");
    }

    @Test
    void s3UnreachableEndpointFailsFastWithWhatToCheck() throws Exception {
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "id", "AWS_SECRET_ACCESS_KEY", "secret",
                "AWS_ENDPOINT_URL", "http://127.0.0.1:" + closedPort());
        long t0 = System.nanoTime();
        assertFails("s3://bucket/prefix", env)
                .startsWith("cannot reach the object store: s3://bucket/prefix")
                .contains("check AWS_ENDPOINT_URL");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(REFUSED_BOUND);
    }

    @Test
    void checkStillRefusesRemoteStoresUntilTheMountUsesOpen() throws Exception {
        try (DataDir dataDir = DataDir.open(dir.resolve("data"))) {
            assertThat(StoreUri.check(null, dataDir)).isEqualTo(dataDir.bucket());
            assertThatThrownBy(() -> StoreUri.check("s3://bucket", dataDir)).hasMessageContaining("not available");
        }
    }

    @Test
    void multiLineMessagesBecomeOneLine() {
        assertThat(StoreUri.oneLine("  first\r\n  second\nthird ")).isEqualTo("first; second; third");
    }

    private AbstractStringAssert<?> assertFails(String uri) {
        return assertFails(uri, Map.of());
    }

    /** Opening fails with a one-line CliException; asserts on its message. */
    private AbstractStringAssert<?> assertFails(String uri, Map<String, String> env) {
        CliException e = catchThrowableOfType(CliException.class, () -> StoreUri.open(uri, dir, env));
        assertThat(e).as("opening %s", uri).isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n");
        return assertThat(e.getMessage());
    }

    private static String azurite(int port) {
        return "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AZURITE_KEY
                + ";BlobEndpoint=http://127.0.0.1:" + port + "/devstoreaccount1;";
    }

    /** A loopback port nobody listens on (it was free a moment ago). */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
