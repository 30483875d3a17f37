package dev.strata.store.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStoreException;
import dev.strata.testkit.process.Azurite;
import dev.strata.testkit.process.AzuriteExtension;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Azure's failures as the port's four kinds, with messages an operator can act on. */
@ExtendWith(AzuriteExtension.class)
class AzureErrorsTest {
    private final Azurite azurite;

    AzureErrorsTest(Azurite azurite) {
        this.azurite = azurite;
    }

    private Map<String, String> env() {
        return Map.of(AzureClients.CONNECTION_STRING, azurite.connectionString());
    }

    @Test
    void aMissingConnectionStringNamesTheVariableAndGivesAnExample() {
        assertThatThrownBy(() -> AzureBlobObjectStore.open(URI.create("az://c11/x"), Map.of()))
                .isInstanceOf(ObjectStoreException.Permanent.class)
                .hasMessageContaining("AZURE_STORAGE_CONNECTION_STRING is not set")
                .hasMessageContaining("e.g. DefaultEndpointsProtocol=https;AccountName=");
    }

    @Test
    void aBadUriIsPermanent() {
        assertThatThrownBy(() -> AzureBlobObjectStore.open(URI.create("az://Bad_Name/x"), env()))
                .isInstanceOf(ObjectStoreException.Permanent.class).hasMessageContaining("container name");
        assertThatThrownBy(() -> AzureBlobObjectStore.open(URI.create("s3://bucket/x"), env()))
                .isInstanceOf(ObjectStoreException.Permanent.class).hasMessageContaining("az://container");
    }

    @Test
    void aMissingContainerIsPermanentAndIsNotCreatedUnasked() {
        assertThatThrownBy(() -> AzureBlobObjectStore.open(URI.create("az://no-such-container"), env()))
                .isInstanceOf(ObjectStoreException.Permanent.class)
                .hasMessageContaining("container \"no-such-container\" does not exist")
                .hasMessageContaining("createContainer");
        assertThat(raw().getBlobContainerClient("no-such-container").exists()).isFalse();
    }

    @Test
    void aContainerDeletedUnderAnOpenStoreIsPermanentWithTheCode() throws Exception {
        try (AzureBlobObjectStore store = AzureBlobObjectStore.open(URI.create("az://vanishing"), env(), true)) {
            raw().getBlobContainerClient("vanishing").delete();
            assertThatThrownBy(() -> store.head("k"))
                    .isInstanceOf(ObjectStoreException.Permanent.class)
                    .hasMessageContaining("az://vanishing").hasMessageContaining("\"k\"")
                    .hasMessageContaining("HTTP 404 ContainerNotFound");
        }
    }

    @Test
    void aWrongIfMatchIsPreconditionFailedNamingStatusAndCode() throws Exception {
        try (AzureBlobObjectStore store = AzureBlobObjectStore.open(URI.create("az://errors/ifmatch"), env(), true)) {
            byte[] bytes = "version one".getBytes();
            ObjectInfo info = store.put("v", ByteBuffer.wrap(bytes), AzureConventionsTest.crc(bytes), Map.of());
            String stale = info.etag().replace('0', '1').replace('8', '9');
            assertThatThrownBy(() -> store.read("v", 0, ByteBuffer.allocate(4), stale + "x"))
                    .isInstanceOf(ObjectStoreException.PreconditionFailed.class)
                    .hasMessageContaining("HTTP 412 ConditionNotMet").hasMessageContaining("az://errors/ifmatch");
        }
    }

    @Test
    void anMd5MismatchIsRefusedByAzuriteAndMappedToPermanent() {
        var blob = raw().createBlobContainerIfNotExists("errors").getBlobClient("md5").getBlockBlobClient();
        byte[] wrongMd5 = new byte[16];
        BlobStorageException refused = null;
        try {
            blob.stageBlockWithResponse(new BlockBlobStageBlockOptions(
                    java.util.Base64.getEncoder().encodeToString(new byte[20]), BinaryData.fromString("body"))
                    .setContentMd5(wrongMd5), null, null);
        } catch (BlobStorageException e) {
            refused = e;
        }
        assertThat(refused).as("Azurite checks Content-MD5").isNotNull();
        ObjectStoreException mapped = AzureErrors.map("az://errors", "upload part 1 of", "md5", refused);
        assertThat(mapped).isInstanceOf(ObjectStoreException.Permanent.class)
                .hasMessageContaining("HTTP 400 Md5Mismatch");
    }

    @Test
    void aStoppedServerIsTransientAtOnceBecauseTheSdkDoesNotRetry() throws Exception {
        Azurite own = Azurite.start();
        try (AzureBlobObjectStore store = AzureBlobObjectStore.open(URI.create("az://stopping"),
                Map.of(AzureClients.CONNECTION_STRING, own.connectionString()), true)) {
            byte[] bytes = "x".getBytes();
            store.put("k", ByteBuffer.wrap(bytes), AzureConventionsTest.crc(bytes), Map.of());
            stop(own);
            assertThat(own.isRunning()).isFalse();
            long start = System.nanoTime();
            assertThatThrownBy(() -> store.head("k"))
                    .isInstanceOf(ObjectStoreException.Transient.class)
                    .hasMessageContaining("without an answer from Azure");
            long millis = (System.nanoTime() - start) / 1_000_000;
            // The SDK's default policy would retry 4 times with backoff, taking seconds to minutes.
            assertThat(millis).as("one try, no backoff").isLessThan(3_000);
        } finally {
            stop(own); // again, in case the test failed before: stopping twice is harmless
        }
    }

    private static void stop(Azurite azurite) {
        azurite.close();
    }

    private com.azure.storage.blob.BlobServiceClient raw() {
        return new BlobServiceClientBuilder().connectionString(azurite.connectionString()).buildClient();
    }
}
