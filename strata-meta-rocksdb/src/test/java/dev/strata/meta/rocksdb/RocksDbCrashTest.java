package dev.strata.meta.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.Errno;
import dev.strata.core.FsException;
import dev.strata.core.meta.Mark;
import dev.strata.core.meta.MetadataStore;
import dev.strata.testkit.meta.InMemoryMetadataStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real process death: a child JVM commits mutations and is killed with SIGKILL at a random moment.
 * After each kill the store must hold exactly the mutations 1..n for some n at least the last one
 * the child acknowledged — compared record by record with the in-memory model that replays them.
 */
class RocksDbCrashTest {
    private static final long SEED = 0x5742_7A7AL;
    private static final int ROUNDS = 4;
    private static final long MIN_RUN_MILLIS = 20;
    private static final long MAX_RUN_MILLIS = 1_500;
    private static final long READY_TIMEOUT_SECONDS = 60;
    private static final int LIST_ALL = Integer.MAX_VALUE;
    /** Ids past the last applied one that are checked to be absent. */
    private static final int ABSENT_MARGIN = 50;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void everyAcknowledgedCommitSurvivesSigkillAndNoneIsHalfApplied() throws Exception {
        Random random = new Random(SEED);
        Path dir = tmp.resolve("meta");
        InMemoryMetadataStore model = new InMemoryMetadataStore();
        int applied = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            long runMillis = MIN_RUN_MILLIS + random.nextLong(MAX_RUN_MILLIS - MIN_RUN_MILLIS);
            long acked;
            try (ChildJvm child = ChildJvm.start(tmp.resolve("child-" + round + ".err"), "commit", dir.toString(),
                    Long.toString(SEED), Integer.toString(applied + 1))) {
                child.awaitReady(READY_TIMEOUT_SECONDS);
                Thread.sleep(runMillis);
                child.kill();
                acked = child.lastNumber();
            }
            try (MetadataStore store = RocksDbMetadataStore.open(dir, RocksDbMetadataStoreContractTest.TEST_SETTINGS)) {
                int last = (int) store.counter(CrashWorkload.LAST);
                System.out.printf("round %d: killed after %d ms, last acknowledged %d, last recovered %d%n",
                        round, runMillis, acked, last);
                assertThat((long) last).as("an acknowledged commit was lost").isGreaterThanOrEqualTo(acked);
                assertThat(last).isGreaterThanOrEqualTo(applied);
                CrashWorkload.replay(model, SEED, applied + 1, last);
                assertSameState(store, model, last);
                applied = last;
            }
        }
        assertThat(applied).as("the children committed nothing at all").isPositive();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aStoreHeldByAnotherProcessIsReportedAsInUse() throws Exception {
        Path dir = tmp.resolve("meta");
        try (ChildJvm holder = ChildJvm.start(tmp.resolve("holder.err"), "hold", dir.toString())) {
            holder.awaitReady(READY_TIMEOUT_SECONDS);
            assertThatThrownBy(() -> RocksDbMetadataStore.open(dir, RocksDbMetadataStoreContractTest.TEST_SETTINGS))
                    .isInstanceOfSatisfying(FsException.Other.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBUSY))
                    .hasMessageContaining("is in use by another Strata process");
            holder.kill();
        }
        // The kernel drops the dead holder's lock; the store opens again.
        RocksDbMetadataStore.open(dir, RocksDbMetadataStoreContractTest.TEST_SETTINGS).close();
    }

    private static void assertSameState(MetadataStore store, MetadataStore model, int last) throws Exception {
        for (int id = 1; id <= last + ABSENT_MARGIN; id++) {
            long ino = CrashWorkload.ino(id);
            assertThat(store.inode(ino)).as("inode of mutation %d", id).isEqualTo(model.inode(ino));
            assertThat(store.entry(CrashWorkload.directory(id), CrashWorkload.entry(id).name()))
                    .as("entry of mutation %d", id).isEqualTo(model.entry(CrashWorkload.directory(id), CrashWorkload.entry(id).name()));
            assertThat(hex(store.xattr(ino, CrashWorkload.XATTR))).as("xattr of mutation %d", id)
                    .isEqualTo(hex(model.xattr(ino, CrashWorkload.XATTR)));
        }
        for (long d = 1; d <= CrashWorkload.DIRECTORIES; d++) {
            assertThat(store.list(d, 0, LIST_ALL)).as("directory %d", d).isEqualTo(model.list(d, 0, LIST_ALL));
        }
        assertThat(store.marked(Mark.ORPHAN)).isEqualTo(model.marked(Mark.ORPHAN));
        assertThat(store.counter(CrashWorkload.LAST)).isEqualTo(model.counter(CrashWorkload.LAST));
        assertThat(store.stats().inodes()).isEqualTo(model.stats().inodes());
    }

    private static String hex(Optional<byte[]> value) {
        return value.map(Arrays::toString).orElse("absent");
    }
}
