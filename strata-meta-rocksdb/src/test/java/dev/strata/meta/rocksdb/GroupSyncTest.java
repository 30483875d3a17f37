package dev.strata.meta.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class GroupSyncTest {
    private static final int WAIT_SECONDS = 10;

    /**
     * A flush is running when two more callers arrive with a newer commit: they wait, then one of
     * them flushes for both and the other returns without a flush. Three calls, two flushes.
     */
    @Test
    @Timeout(WAIT_SECONDS * 3)
    void callersQueuedBehindAFlushShareTheNextOne() throws Exception {
        GroupSync sync = new GroupSync();
        CountDownLatch inFirstFlush = new CountDownLatch(1);
        CountDownLatch releaseFirstFlush = new CountDownLatch(1);
        AtomicInteger flushes = new AtomicInteger();
        sync.committed();
        Thread first = Thread.ofPlatform().start(() -> sync.sync(() -> {
            flushes.incrementAndGet();
            inFirstFlush.countDown();
            await(releaseFirstFlush);
        }));
        assertThat(inFirstFlush.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        sync.committed(); // a commit the running flush may not cover
        Thread second = Thread.ofPlatform().start(() -> sync.sync(flushes::incrementAndGet));
        Thread third = Thread.ofPlatform().start(() -> sync.sync(flushes::incrementAndGet));
        while (sync.waiting() < 2) {
            Thread.onSpinWait();
        }
        releaseFirstFlush.countDown();
        first.join();
        second.join();
        third.join();
        assertThat(flushes.get()).isEqualTo(2);
        assertThat(sync.flushes()).isEqualTo(2);
        assertThat(sync.calls()).isEqualTo(3);
    }

    @Test
    void aSyncWithoutNewCommitsDoesNotFlush() {
        GroupSync sync = new GroupSync();
        AtomicInteger flushes = new AtomicInteger();
        sync.sync(flushes::incrementAndGet);
        sync.committed();
        sync.sync(flushes::incrementAndGet);
        sync.sync(flushes::incrementAndGet);
        assertThat(flushes.get()).isEqualTo(1);
    }

    @Test
    void aFailedFlushCoversNothingAndTheNextSyncFlushesAgain() {
        GroupSync sync = new GroupSync();
        AtomicInteger flushes = new AtomicInteger();
        sync.committed();
        assertThatThrownBy(() -> sync.sync(() -> {
            throw new java.io.IOException("disk gone");
        })).hasMessage("disk gone");
        sync.sync(flushes::incrementAndGet);
        assertThat(flushes.get()).isEqualTo(1);
        assertThat(sync.flushes()).isEqualTo(1);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
