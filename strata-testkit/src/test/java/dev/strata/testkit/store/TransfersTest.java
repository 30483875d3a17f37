package dev.strata.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.store.ForwardingObjectStore;
import dev.strata.core.store.ObjectStore;
import dev.strata.core.store.ObjectStore.Limits;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStoreException;
import dev.strata.core.store.RetryingObjectStore;
import dev.strata.core.store.Transfers;
import dev.strata.core.store.Transfers.Options;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransfersTest {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;
    /** Small limits keep multipart cases cheap: 64 KiB minimum parts, 16 parts at most. */
    private static final Limits SMALL = new Limits(64 * KIB, 64 * MIB, 16, 64 * MIB);
    private static final Options OPTIONS = new Options(100 * KIB, 64 * KIB, 48 * KIB, 3);

    @TempDir
    Path dir;
    private final InMemoryObjectStore memory = new InMemoryObjectStore(InstantSource.system(), SMALL);

    @Test
    void uploadsAndDownloadsSizesAroundEveryBoundary() throws Exception {
        for (int size : new int[] {0, 1, 100 * KIB, 100 * KIB + 1, 128 * KIB, 2 * 64 * KIB + 12_345, 1_000_003}) {
            byte[] bytes = random(size, size);
            Transfers.Result up = Transfers.upload(memory, "f" + size, source(bytes), size, Map.of("file-owner", "1"), OPTIONS);
            assertThat(up.crc32c()).as("size %d", size).isEqualTo(crc(bytes));
            assertThat(up.object().sizeBytes()).isEqualTo(size);
            assertThat(memory.head("f" + size).orElseThrow().metadata()).isEqualTo(Map.of("file-owner", "1"));
            Path out = dir.resolve("out" + size);
            try (FileChannel target = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                Transfers.Result down = Transfers.download(memory, "f" + size, up.object().etag(), target, OPTIONS);
                assertThat(down.crc32c()).isEqualTo(crc(bytes));
            }
            assertThat(Files.readAllBytes(out)).as("size %d", size).isEqualTo(bytes);
        }
        assertThat(memory.pendingUploads()).isZero();
    }

    @Test
    void multipartUsesTheExpectedPartsAndPutBelowTheThreshold() throws Exception {
        Transfers.upload(memory, "small", source(random(100 * KIB, 1)), 100 * KIB, Map.of(), OPTIONS);
        assertThat(memory.calls(StoreOp.PUT)).isEqualTo(1);
        assertThat(memory.calls(StoreOp.START_UPLOAD)).isZero();
        int size = 3 * 64 * KIB + 7;
        Transfers.upload(memory, "three-and-a-tail", source(random(size, 2)), size, Map.of(), OPTIONS);
        assertThat(memory.calls(StoreOp.UPLOAD_PART)).isEqualTo(4);
    }

    @Test
    void partsGrowToMegabytesWhenTheCountWouldPassMaxParts() throws Exception {
        int size = 16 * MIB + 1; // 16 parts of 1 MiB leave a byte over: parts become 2 MiB
        Transfers.upload(memory, "wide", source(random(size, 3)), size, Map.of(), OPTIONS);
        assertThat(memory.calls(StoreOp.UPLOAD_PART)).isEqualTo(9);
        int smaller = 15 * MIB; // 16 parts of 960 KiB: more than the preferred 64 KiB, rounded to 1 MiB
        Transfers.upload(memory, "narrower", source(random(smaller, 3)), smaller, Map.of(), OPTIONS);
        assertThat(memory.calls(StoreOp.UPLOAD_PART)).isEqualTo(9 + 15);
        assertThat(memory.head("wide").orElseThrow().sizeBytes()).isEqualTo(size);
    }

    @Test
    void aFailedPartAbortsTheUploadAndLeavesNoObject() throws Exception {
        FaultInjectingObjectStore faulty = new FaultInjectingObjectStore(memory, 1, new FakeSleeper());
        faulty.on(StoreOp.UPLOAD_PART).failNth(3);
        int size = 6 * 64 * KIB + 5;
        assertThatThrownBy(() -> Transfers.upload(faulty, "broken", source(random(size, 4)), size, Map.of(), OPTIONS))
                .isInstanceOf(ObjectStoreException.Transient.class);
        assertThat(memory.calls(StoreOp.ABORT_UPLOAD)).isEqualTo(1);
        assertThat(memory.calls(StoreOp.COMPLETE_UPLOAD)).isZero();
        assertThat(memory.pendingUploads()).isZero();
        assertThat(memory.head("broken")).isEmpty();
    }

    @Test
    void noMoreThanParallelismRequestsAreInFlight() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        ObjectStore counting = new ForwardingObjectStore(memory) {
            @Override
            public Part uploadPart(Upload upload, int n, ByteBuffer content, int crc) throws ObjectStoreException {
                peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(5);
                    return super.uploadPart(upload, n, content, crc);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                } finally {
                    inFlight.decrementAndGet();
                }
            }
        };
        int size = 12 * 64 * KIB;
        Transfers.upload(counting, "bounded", source(random(size, 5)), size, Map.of(), OPTIONS);
        assertThat(peak.get()).isBetween(1, OPTIONS.parallelism());
    }

    @Test
    void downloadThroughFaultsAndRetriesIsExact() throws Exception {
        int size = 500_001;
        byte[] bytes = random(size, 6);
        Transfers.upload(memory, "obj", source(bytes), size, Map.of(), OPTIONS);
        FakeSleeper sleeper = new FakeSleeper();
        FaultInjectingObjectStore faulty = new FaultInjectingObjectStore(memory, 7, sleeper);
        faulty.on(StoreOp.READ).failWithProbability(0.3).resetMidRead(true);
        ObjectStore store = new RetryingObjectStore(faulty, RetryingObjectStore.Policy.DEFAULT, sleeper, new SplittableRandom(1));
        Path out = dir.resolve("obj");
        try (FileChannel target = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            assertThat(Transfers.download(store, "obj", null, target, OPTIONS).crc32c()).isEqualTo(crc(bytes));
        }
        assertThat(Files.readAllBytes(out)).isEqualTo(bytes);
        assertThat(faulty.injected()).isPositive();
    }

    @Test
    void downloadRefusesAStaleEtagAndObjectsOfAnotherSizeThanHeadSaid() throws Exception {
        byte[] bytes = random(200 * KIB, 8);
        ObjectInfo old = Transfers.upload(memory, "obj", source(bytes), bytes.length, Map.of(), OPTIONS).object();
        Transfers.upload(memory, "obj", source(bytes), bytes.length, Map.of(), OPTIONS);
        try (FileChannel target = FileChannel.open(dir.resolve("t"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            assertThatThrownBy(() -> Transfers.download(memory, "obj", old.etag(), target, OPTIONS))
                    .isInstanceOf(ObjectStoreException.PreconditionFailed.class);
            for (long lie : new long[] {+10, -10}) {
                ObjectStore lying = new ForwardingObjectStore(memory) {
                    @Override
                    public Optional<ObjectInfo> head(String key) throws ObjectStoreException {
                        return super.head(key).map(i -> new ObjectInfo(i.key(), i.sizeBytes() + lie, i.etag(),
                                i.lastModified(), i.metadata(), true));
                    }
                };
                assertThatThrownBy(() -> Transfers.download(lying, "obj", null, target, OPTIONS)).as("off by %d", lie)
                        .isInstanceOf(ObjectStoreException.Permanent.class)
                        .hasMessageContaining(lie > 0 ? "ended at" : "longer than");
            }
        }
    }

    @Test
    void aSourceShorterThanAnnouncedFailsAndAborts() throws Exception {
        byte[] bytes = random(200 * KIB, 9);
        assertThatThrownBy(() -> Transfers.upload(memory, "short", source(bytes), bytes.length + 100L, Map.of(), OPTIONS))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("source ended");
        assertThat(memory.pendingUploads()).isZero();
        assertThat(memory.head("short")).isEmpty();
    }

    private FileChannel source(byte[] bytes) throws Exception {
        Path p = Files.createTempFile(dir, "src", ".bin");
        Files.write(p, bytes);
        return FileChannel.open(p, StandardOpenOption.READ);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static int crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return (int) c.getValue();
    }
}
