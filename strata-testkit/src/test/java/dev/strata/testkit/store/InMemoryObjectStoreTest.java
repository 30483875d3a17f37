package dev.strata.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStore.Part;
import dev.strata.core.store.ObjectStore.Upload;
import dev.strata.core.store.ObjectStoreException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** Where the fake is stricter than the contract: the refusals a real store might let pass. */
class InMemoryObjectStoreTest {
    private static final int MIN = 5 << 20;
    private final InMemoryObjectStore store = new InMemoryObjectStore();

    @Test
    void everyWriteChangesTheEtagEvenWithTheSameBytes() throws Exception {
        ObjectInfo a = put("k", "same");
        ObjectInfo b = put("k", "same");
        assertThat(b.etag()).isNotEqualTo(a.etag());
        ObjectInfo c = store.setMetadata("k", Map.of("file-owner", "1"));
        assertThat(c.etag()).isNotEqualTo(b.etag());
    }

    @Test
    void uploadPartToAnUnknownOrAbortedUploadIsNotFound() throws Exception {
        assertThatThrownBy(() -> part(new Upload("k", "made-up"), 1, "x"))
                .isInstanceOf(ObjectStoreException.NotFound.class);
        Upload u = store.startUpload("k", Map.of());
        assertThatThrownBy(() -> part(new Upload("other-key", u.id()), 1, "x"))
                .as("an id belongs to its key").isInstanceOf(ObjectStoreException.NotFound.class);
        store.abortUpload(u);
        assertThatThrownBy(() -> part(u, 1, "x")).isInstanceOf(ObjectStoreException.NotFound.class);
    }

    @Test
    void partNumbersOutsideTheLimitsAreRefused() throws Exception {
        Upload u = store.startUpload("k", Map.of());
        assertThatThrownBy(() -> part(u, 0, "x")).isInstanceOf(ObjectStoreException.Permanent.class);
        assertThatThrownBy(() -> part(u, 10_001, "x")).isInstanceOf(ObjectStoreException.Permanent.class);
        part(u, 10_000, "x");
    }

    @Test
    void completeRefusesUnsortedMissingGappedAndMismatchedParts() throws Exception {
        Upload u = store.startUpload("k", Map.of());
        byte[] big = new byte[MIN];
        Part p1 = store.uploadPart(u, 1, ByteBuffer.wrap(big), crc(big));
        Part p2 = store.uploadPart(u, 2, ByteBuffer.wrap(big), crc(big));
        Part p3 = part(u, 3, "tail");
        for (List<Part> bad : List.of(
                List.of(p2, p1, p3),
                List.of(p1, p3),
                List.of(p1, p2, new Part(3, 4, "forged")),
                List.of(p1, p2, new Part(3, 5, p3.tag())),
                List.of(p1, p2, p3, new Part(4, 1, "never-staged")),
                List.<Part>of())) {
            assertThatThrownBy(() -> store.completeUpload(u, bad)).as("%s", bad)
                    .isInstanceOf(ObjectStoreException.Permanent.class);
        }
        Part p3again = part(u, 3, "tail");
        assertThatThrownBy(() -> store.completeUpload(u, List.of(p1, p2, p3)))
                .as("the tag of a replaced part").isInstanceOf(ObjectStoreException.Permanent.class);
        assertThat(store.completeUpload(u, List.of(p1, p2, p3again)).sizeBytes()).isEqualTo(2L * MIN + 4);
        assertThat(store.pendingUploads()).isZero();
    }

    @Test
    void aRepeatedCompleteAfterTheKeyChangedIsNotFound() throws Exception {
        Upload u = store.startUpload("k", Map.of());
        List<Part> parts = List.of(part(u, 1, "x"));
        store.completeUpload(u, parts);
        put("k", "overwritten");
        assertThatThrownBy(() -> store.completeUpload(u, parts)).isInstanceOf(ObjectStoreException.NotFound.class);
    }

    @Test
    void staleListingsLagUntilSettled() throws Exception {
        store.setListingLag(2);
        put("a", "1");
        put("b", "2");
        assertThat(keys()).isEmpty();
        put("c", "3");
        assertThat(keys()).containsExactly("a");
        store.delete("a");
        assertThat(keys()).containsExactly("a", "b");
        assertThat(store.head("a")).as("head is current").isEmpty();
        store.settle();
        assertThat(keys()).containsExactly("b", "c");
    }

    @Test
    void countsCallsAndBytesRead() throws Exception {
        put("k", "0123456789");
        store.read("k", 0, ByteBuffer.allocate(4), null);
        store.read("k", 8, ByteBuffer.allocate(4), null);
        store.head("k");
        assertThat(store.calls(StoreOp.READ)).isEqualTo(2);
        assertThat(store.calls(StoreOp.HEAD)).isEqualTo(1);
        assertThat(store.calls(StoreOp.PUT)).isEqualTo(1);
        assertThat(store.bytesRead()).isEqualTo(6);
    }

    @Test
    void callsAfterCloseAndForeignContinuationsAreRefused() throws Exception {
        assertThatThrownBy(() -> store.list("", false, "not-mine", 10)).isInstanceOf(ObjectStoreException.Permanent.class);
        store.close();
        assertThatThrownBy(() -> store.head("k")).isInstanceOf(ObjectStoreException.Permanent.class);
    }

    private List<String> keys() throws ObjectStoreException {
        return store.list("", false, null, 100).objects().stream().map(ObjectInfo::key).toList();
    }

    private ObjectInfo put(String key, String text) throws ObjectStoreException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return store.put(key, ByteBuffer.wrap(b), crc(b), Map.of());
    }

    private Part part(Upload u, int n, String text) throws ObjectStoreException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return store.uploadPart(u, n, ByteBuffer.wrap(b), crc(b));
    }

    private static int crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return (int) c.getValue();
    }
}
