package dev.strata.store.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import dev.strata.core.store.ObjectStore.ListPage;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStore.Part;
import dev.strata.core.store.ObjectStore.Upload;
import dev.strata.core.store.ObjectStoreException;
import dev.strata.testkit.process.Azurite;
import dev.strata.testkit.process.AzuriteExtension;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What other Azure tools see of Strata's objects, checked through the raw SDK. */
@ExtendWith(AzuriteExtension.class)
class AzureConventionsTest {
    private static final String CONTAINER = "conventions";
    private static final AtomicInteger TESTS = new AtomicInteger();

    private final Azurite azurite;
    private String prefix;
    private AzureBlobObjectStore store;
    private BlobContainerClient raw;

    AzureConventionsTest(Azurite azurite) {
        this.azurite = azurite;
    }

    @BeforeEach
    void open() throws Exception {
        prefix = "p" + TESTS.incrementAndGet();
        store = open(prefix);
        raw = new BlobServiceClientBuilder().connectionString(azurite.connectionString()).buildClient()
                .getBlobContainerClient(CONTAINER);
    }

    private AzureBlobObjectStore open(String prefix) throws ObjectStoreException {
        return AzureBlobObjectStore.open(URI.create("az://" + CONTAINER + "/" + prefix),
                Map.of(AzureClients.CONNECTION_STRING, azurite.connectionString()), true);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aMarkerIsAZeroByteBlobWithHdiIsFolder() throws Exception {
        store.put("a/b/", ByteBuffer.allocate(0), crc(new byte[0]), Map.of("file-permissions", "040755"));
        BlobProperties p = raw.getBlobClient(prefix + "/a/b").getProperties();
        assertThat(p.getBlobSize()).isZero();
        assertThat(p.getMetadata()).containsEntry("hdi_isfolder", "true").containsEntry("file_permissions", "040755");
        assertThat(raw.getBlobClient(prefix + "/a/b/").exists()).as("no S3-style marker").isFalse();
    }

    @Test
    void aFolderMadeByAnotherToolIsADirectory() throws Exception {
        raw.getBlobClient(prefix + "/tool/dir").getBlockBlobClient().uploadWithResponse(
                new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(new byte[0]))
                        .setMetadata(Map.of("hdi_isfolder", "true", "_tool", "not-portable")), null, null);
        raw.getBlobClient(prefix + "/tool/dir/file").upload(BinaryData.fromString("x"));
        ObjectInfo marker = store.head("tool/dir/").orElseThrow();
        assertThat(marker.metadata()).as("foreign or non-portable names are not reported").isEmpty();
        assertThat(store.head("tool/dir")).isEmpty();
        ListPage page = store.list("tool/", true, null, 10);
        assertThat(page.prefixes()).containsExactly("tool/dir/");
        assertThat(page.objects()).isEmpty();
    }

    @Test
    void metadataNamesAreStoredWithUnderscores() throws Exception {
        byte[] bytes = "x".getBytes();
        store.put("f", ByteBuffer.wrap(bytes), crc(bytes), Map.of("file-owner", "1000", "file-mtime", "1700000000ns"));
        assertThat(raw.getBlobClient(prefix + "/f").getProperties().getMetadata())
                .isEqualTo(Map.of("file_owner", "1000", "file_mtime", "1700000000ns"));
    }

    @Test
    void markersSortAmongSiblingsAsThePortSays() throws Exception {
        for (String key : List.of("d/x/", "d/x-y", "d/x.z", "d/x/child", "d/x\uD83D\uDE00", "d/x\uFFFD")) {
            byte[] bytes = key.endsWith("/") ? new byte[0] : key.getBytes();
            store.put(key, ByteBuffer.wrap(bytes), crc(bytes), Map.of());
        }
        List<String> expected = List.of("d/x-y", "d/x.z", "d/x/", "d/x/child", "d/x\uFFFD", "d/x\uD83D\uDE00");
        for (int maxKeys : new int[] {1, 2, 1000}) {
            assertThat(keys("d/", false, maxKeys)).as("maxKeys %d", maxKeys).isEqualTo(expected);
            assertThat(keys("d/", true, maxKeys)).as("delimited, maxKeys %d", maxKeys)
                    .isEqualTo(List.of("d/x-y", "d/x.z", "d/x/", "d/x\uFFFD", "d/x\uD83D\uDE00"));
        }
    }

    @Test
    void aTwentyMiBMultipartObjectIsByteIdenticalThroughTheRawSdk() throws Exception {
        byte[] whole = new byte[20 << 20];
        new Random(42).nextBytes(whole);
        int partBytes = 4 << 20;
        Upload upload = store.startUpload("big", Map.of("file-owner", "7"));
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < whole.length / partBytes; i++) {
            byte[] part = Arrays.copyOfRange(whole, i * partBytes, (i + 1) * partBytes);
            parts.add(store.uploadPart(upload, i + 1, ByteBuffer.wrap(part), crc(part)));
        }
        store.completeUpload(upload, parts);
        byte[] downloaded = raw.getBlobClient(prefix + "/big").downloadContent().toBytes();
        assertThat(Arrays.equals(downloaded, whole)).as("byte-identical").isTrue();
        assertThat(raw.getBlobClient(prefix + "/big").getProperties().getMetadata()).containsEntry("file_owner", "7");
    }

    @Test
    void anotherProcessCanCompleteAnUploadFromItsIdAlone() throws Exception {
        byte[] one = new byte[1 << 20];
        byte[] two = "tail".getBytes();
        Upload upload = store.startUpload("crash", Map.of("file-group", "5"));
        Part p1 = store.uploadPart(upload, 1, ByteBuffer.wrap(one), crc(one));
        Part p2 = store.uploadPart(upload, 2, ByteBuffer.wrap(two), crc(two));
        try (AzureBlobObjectStore restarted = open(prefix)) {
            Upload remembered = new Upload(upload.key(), upload.id());
            ObjectInfo done = restarted.completeUpload(remembered, List.of(p1, p2));
            assertThat(done.sizeBytes()).isEqualTo(one.length + two.length);
            assertThat(restarted.head("crash").orElseThrow().metadata()).isEqualTo(Map.of("file-group", "5"));
        }
    }

    @Test
    void anAbortSeenByAnotherProcessStillRefusesTheComplete() throws Exception {
        byte[] bytes = "x".getBytes();
        Upload upload = store.startUpload("aborted", Map.of());
        Part part = store.uploadPart(upload, 1, ByteBuffer.wrap(bytes), crc(bytes));
        store.abortUpload(upload);
        try (AzureBlobObjectStore restarted = open(prefix)) {
            assertThatThrownBy(() -> restarted.completeUpload(upload, List.of(part)))
                    .isInstanceOf(ObjectStoreException.NotFound.class).hasMessageContaining("aborted");
        }
    }

    @Test
    void aLargeCopyTakesTheAsynchronousPathAndPollsItToTheEnd() throws Exception {
        AzureLocation where = new AzureLocation(CONTAINER, prefix);
        var container = AzureClients.container(where, Map.of(AzureClients.CONNECTION_STRING, azurite.connectionString()));
        try (AzureBlobObjectStore asyncOnly = new AzureBlobObjectStore(where, container, new Random(1), new AzureCopy(where, 0))) {
            byte[] bytes = new byte[3 << 20];
            new Random(3).nextBytes(bytes);
            asyncOnly.put("src", ByteBuffer.wrap(bytes), crc(bytes), Map.of());
            ObjectInfo copy = asyncOnly.copy("src", "dst", Map.of("file-owner", "9"));
            assertThat(copy.sizeBytes()).isEqualTo(bytes.length);
            assertThat(copy.metadata()).isEqualTo(Map.of("file-owner", "9"));
            assertThat(Arrays.equals(raw.getBlobClient(prefix + "/dst").downloadContent().toBytes(), bytes)).isTrue();
        }
    }

    @Test
    void keysAzureWouldMangleAreRefused() {
        for (String key : List.of("file.", "dir./file", "a/..../b")) {
            assertThatThrownBy(() -> store.put(key, ByteBuffer.allocate(0), crc(new byte[0]), Map.of()))
                    .as(key).isInstanceOf(ObjectStoreException.Permanent.class).hasMessageContaining("ends in '.'");
        }
    }

    private List<String> keys(String prefix, boolean delimited, int maxKeys) throws ObjectStoreException {
        List<String> keys = new ArrayList<>();
        String continuation = null;
        int pages = 0;
        do {
            ListPage page = store.list(prefix, delimited, continuation, maxKeys);
            assertThat(page.objects().size() + page.prefixes().size()).isLessThanOrEqualTo(maxKeys);
            // Objects and prefixes of one page, merged in the port's order.
            List<String> merged = new ArrayList<>(page.prefixes());
            page.objects().forEach(o -> merged.add(o.key()));
            merged.sort(dev.strata.core.store.ObjectKeys.UTF8_ORDER);
            keys.addAll(merged);
            continuation = page.continuation();
            assertThat(++pages).isLessThan(100);
        } while (continuation != null);
        return keys;
    }

    static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }
}
