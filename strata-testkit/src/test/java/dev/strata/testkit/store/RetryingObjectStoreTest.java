package dev.strata.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStore.Part;
import dev.strata.core.store.ObjectStore.Upload;
import dev.strata.core.store.ObjectStoreException;
import dev.strata.core.store.RetryingObjectStore;
import dev.strata.core.store.RetryingObjectStore.Policy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class RetryingObjectStoreTest {
    private static final Policy POLICY = new Policy(5, Duration.ofMillis(100), Duration.ofSeconds(2), 4, Duration.ofMinutes(1));
    private final FakeSleeper sleeper = new FakeSleeper();
    private final InMemoryObjectStore memory = new InMemoryObjectStore();
    private final FaultInjectingObjectStore faulty = new FaultInjectingObjectStore(memory, 1, sleeper);
    private RetryingObjectStore store = new RetryingObjectStore(faulty, POLICY, sleeper, new SplittableRandom(3));

    @Test
    void givesUpAfterMaxAttemptsWithTheLastError() throws Exception {
        faulty.on(StoreOp.HEAD).failWithProbability(1.0);
        assertThatThrownBy(() -> store.head("k")).isInstanceOf(ObjectStoreException.Transient.class)
                .hasMessageContaining("injected failure");
        assertThat(faulty.calls(StoreOp.HEAD)).isEqualTo(5);
        assertThat(store.attempts()).isEqualTo(5);
        assertThat(store.retries()).isEqualTo(4);
        assertThat(store.giveUps()).isEqualTo(1);
        assertThat(sleeper.sleeps()).isEqualTo(4);
    }

    @Test
    void givesUpAtTheDeadlineBeforeRunningOutOfAttempts() {
        store = new RetryingObjectStore(faulty, new Policy(1000, Duration.ofSeconds(1), Duration.ofSeconds(10), 1,
                Duration.ofSeconds(30)), sleeper, new SplittableRandom(3));
        faulty.on(StoreOp.HEAD).failWithProbability(1.0).latencyNanos(Duration.ofSeconds(1).toNanos());
        assertThatThrownBy(() -> store.head("k")).isInstanceOf(ObjectStoreException.Transient.class);
        assertThat(faulty.calls(StoreOp.HEAD)).isLessThan(1000);
        assertThat(sleeper.nanoTime()).isLessThanOrEqualTo(Duration.ofSeconds(31).toNanos());
        assertThat(store.giveUps()).isEqualTo(1);
    }

    @Test
    void neverRetriesPermanentNotFoundOrPreconditionFailed() throws Exception {
        assertThatThrownBy(() -> store.put("k", ByteBuffer.wrap(bytes("x")), 12345, Map.of()))
                .isInstanceOf(ObjectStoreException.Permanent.class);
        assertThatThrownBy(() -> store.read("absent", 0, ByteBuffer.allocate(1), null))
                .isInstanceOf(ObjectStoreException.NotFound.class);
        put("k", "v");
        assertThatThrownBy(() -> store.read("k", 0, ByteBuffer.allocate(1), "\"stale\""))
                .isInstanceOf(ObjectStoreException.PreconditionFailed.class);
        assertThatThrownBy(() -> store.completeUpload(new Upload("k", "nope"), List.of(new Part(1, 1, "t"))))
                .as("NotFound on the first attempt is passed on").isInstanceOf(ObjectStoreException.NotFound.class);
        assertThat(store.retries()).isZero();
        assertThat(store.attempts()).isEqualTo(5);
    }

    @Test
    void throttlingBacksOffHarder() throws Exception {
        long plain = totalSleep(false);
        long throttled = totalSleep(true);
        assertThat(throttled).isGreaterThan(2 * plain);
    }

    private long totalSleep(boolean throttled) {
        long sum = 0;
        for (int seed = 0; seed < 20; seed++) {
            FakeSleeper s = new FakeSleeper();
            FaultInjectingObjectStore f = new FaultInjectingObjectStore(new InMemoryObjectStore(), seed, s);
            f.on(StoreOp.HEAD).failWithProbability(1.0).throttled(throttled);
            RetryingObjectStore r = new RetryingObjectStore(f, POLICY, s, new SplittableRandom(seed));
            assertThatThrownBy(() -> r.head("k")).isInstanceOf(ObjectStoreException.Transient.class);
            sum += s.sleptNanos();
        }
        return sum;
    }

    @Test
    void aTornCompleteThatTheStoreForgotEndsInSuccess() throws Exception {
        memory.setForgetCompletedUploads(true);
        faulty.on(StoreOp.COMPLETE_UPLOAD).tornNth(1);
        Upload u = store.startUpload("big", Map.of());
        Part p = store.uploadPart(u, 1, ByteBuffer.wrap(bytes("content")), crc("content"));
        ObjectInfo info = store.completeUpload(u, List.of(p));
        assertThat(info.sizeBytes()).isEqualTo(7);
        assertThat(memory.calls(StoreOp.COMPLETE_UPLOAD)).isEqualTo(2);
        assertThat(store.retries()).isEqualTo(1);
    }

    @Test
    void aLostCompleteIsNotMistakenForAnObjectOfAnotherSize() throws Exception {
        memory.setForgetCompletedUploads(true);
        faulty.on(StoreOp.COMPLETE_UPLOAD).failNth(1);
        put("k", "something else entirely");
        Upload u = store.startUpload("k", Map.of());
        Part p = store.uploadPart(u, 1, ByteBuffer.wrap(bytes("abc")), crc("abc"));
        store.abortUpload(u); // the upload is gone, the key holds an object of another size
        assertThatThrownBy(() -> store.completeUpload(u, List.of(p))).isInstanceOf(ObjectStoreException.NotFound.class);
    }

    @Test
    void aReadResetMidwayIsRepeatedFromItsStart() throws Exception {
        put("k", "0123456789");
        faulty.on(StoreOp.READ).failNth(1).resetMidRead(true);
        ByteBuffer dst = ByteBuffer.allocate(12);
        dst.position(2);
        assertThat(store.read("k", 0, dst, null)).isEqualTo(10);
        assertThat(dst.position()).isEqualTo(12);
        assertThat(new String(dst.array(), 2, 10, StandardCharsets.US_ASCII)).isEqualTo("0123456789");
        assertThat(faulty.injected()).isEqualTo(1);
    }

    private void put(String key, String text) throws ObjectStoreException {
        store.put(key, ByteBuffer.wrap(bytes(text)), crc(text), Map.of());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int crc(String s) {
        CRC32C c = new CRC32C();
        c.update(bytes(s));
        return (int) c.getValue();
    }
}
