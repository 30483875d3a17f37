package dev.strata.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.core.store.ObjectStore.Part;
import dev.strata.core.store.ObjectStore.Upload;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A rough throughput figure of the adapter on the test server (64 MiB put, multipart put and get),
 * printed, not asserted: S3Mock writes to a temporary directory on this machine, so it says more
 * about S3Mock and the SDK's CPU cost than about S3. Off unless {@code -Dstrata.s3.bench=true}.
 */
@ExtendWith(S3ServerExtension.class)
class S3ThroughputTest {
    private static final int MIB = 1 << 20;
    private final S3Server server;

    S3ThroughputTest(S3Server server) {
        this.server = server;
    }

    @Test
    void sixtyFourMebibytes() throws Exception {
        assumeTrue(Boolean.getBoolean("strata.s3.bench"), "set -Dstrata.s3.bench=true to measure");
        byte[] bytes = S3ObjectStoreTest.randomBytes(64 * MIB, 64);
        int crc = S3ObjectStoreTest.crc32c(bytes);
        try (S3ObjectStore store = S3ObjectStore.open(URI.create("s3://" + S3Server.BUCKET + "/bench"), server.env())) {
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                store.put("single", ByteBuffer.wrap(bytes), crc, Map.of());
                long t1 = System.nanoTime();
                Upload upload = store.startUpload("multi", Map.of());
                List<Part> parts = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    byte[] part = Arrays.copyOfRange(bytes, i * 8 * MIB, (i + 1) * 8 * MIB);
                    parts.add(store.uploadPart(upload, i + 1, ByteBuffer.wrap(part), S3ObjectStoreTest.crc32c(part)));
                }
                store.completeUpload(upload, parts);
                long t2 = System.nanoTime();
                ByteBuffer dst = ByteBuffer.allocate(bytes.length);
                assertThat(store.read("single", 0, dst, null)).isEqualTo(bytes.length);
                long t3 = System.nanoTime();
                assertThat(Arrays.equals(dst.array(), bytes)).isTrue();
                System.out.printf("round %d: put %.0f MB/s, multipart put (8 x 8 MiB, sequential) %.0f MB/s, get %.0f MB/s%n",
                        round, mbps(t1 - t0), mbps(t2 - t1), mbps(t3 - t2));
            }
        }
    }

    private static double mbps(long nanos) {
        return 64.0 * MIB / 1e6 / (nanos / 1e9);
    }
}
