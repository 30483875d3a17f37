package dev.strata.hsm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.meta.Mutation;
import dev.strata.testkit.meta.InMemoryMetadataStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Several workers lease and complete while producers enqueue. Leases never expire here (the time
 * stands still), so every task must be done exactly once, and namespace tasks one at a time in
 * enqueue order.
 */
class TaskQueueConcurrencyTest {
    private static final int PRODUCERS = 3;
    private static final int TASKS_PER_PRODUCER = 400;
    private static final int WORKERS = 6;
    private static final long NOW = 1_000_000;

    @Test
    void everyTaskIsDoneExactlyOnceAndTheNamespaceLaneStaysSerial() throws Exception {
        InMemoryMetadataStore store = new InMemoryMetadataStore();
        TaskQueue queue = new TaskQueue(store, TaskQueue.Options.DEFAULTS, new SplittableRandom(1));
        Map<Long, AtomicInteger> done = new ConcurrentHashMap<>();
        List<Long> enqueued = Collections.synchronizedList(new ArrayList<>());
        List<Long> namespaceEnqueueOrder = Collections.synchronizedList(new ArrayList<>());
        List<Long> namespaceRunOrder = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger namespaceInFlight = new AtomicInteger();
        AtomicBoolean overlap = new AtomicBoolean();
        AtomicBoolean producing = new AtomicBoolean(true);
        CountDownLatch start = new CountDownLatch(1);

        ExecutorService pool = Executors.newFixedThreadPool(PRODUCERS + WORKERS);
        try {
            List<Future<?>> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                int producer = p;
                producers.add(pool.submit(() -> {
                    start.await();
                    SplittableRandom random = new SplittableRandom(producer);
                    for (int i = 0; i < TASKS_PER_PRODUCER; i++) {
                        String key = "p" + producer + "/f" + i;
                        switch (random.nextInt(3)) {
                            case 0 -> {
                                Mutation m = new Mutation();
                                long id = queue.enqueue(m, Task.Request.of(TaskKind.ARCHIVE, i, key), NOW);
                                store.commit(m);
                                enqueued.add(id);
                            }
                            case 1 -> {
                                Mutation m = new Mutation();
                                long id = queue.enqueue(m, Task.Request.of(TaskKind.RESTORE, i, key), NOW);
                                store.commit(m);
                                enqueued.add(id);
                            }
                            default -> {
                                // Namespace tasks go through the ordered path: id order is commit order.
                                long id = queue.enqueueAndCommit(new Mutation(),
                                        List.of(Task.Request.of(TaskKind.DELETE_KEY, i, key)), NOW).getFirst();
                                enqueued.add(id);
                                namespaceEnqueueOrder.add(id);
                            }
                        }
                    }
                    return null;
                }));
            }
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                Lane lane = Lane.values()[w % Lane.values().length];
                workers.add(pool.submit(() -> {
                    start.await();
                    while (true) {
                        boolean stillProducing = producing.get();
                        List<Task> batch = queue.lease(lane, NOW, 60_000, 8);
                        if (batch.isEmpty()) {
                            if (!stillProducing) {
                                return null;
                            }
                            Thread.onSpinWait();
                            continue;
                        }
                        for (Task t : batch) {
                            if (lane == Lane.NAMESPACE) {
                                if (namespaceInFlight.incrementAndGet() > 1) {
                                    overlap.set(true);
                                }
                                namespaceRunOrder.add(t.id());
                            }
                            done.computeIfAbsent(t.id(), id -> new AtomicInteger()).incrementAndGet();
                            Mutation m = new Mutation();
                            queue.complete(m, t.id());
                            if (lane == Lane.NAMESPACE) {
                                namespaceInFlight.decrementAndGet();
                            }
                            store.commit(m);
                        }
                    }
                }));
            }
            start.countDown();
            for (Future<?> f : producers) {
                f.get(30, TimeUnit.SECONDS);
            }
            producing.set(false);
            for (Future<?> f : workers) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(enqueued).hasSize(PRODUCERS * TASKS_PER_PRODUCER).doesNotHaveDuplicates();
        assertThat(done.keySet()).containsExactlyInAnyOrderElementsOf(enqueued);
        assertThat(done.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        assertThat(overlap).as("two namespace tasks in flight at once").isFalse();
        // Ids of the ordered path are in commit order (allocated and committed under one lock), so
        // running in id order is running in commit order.
        assertThat(namespaceRunOrder).isSorted().containsExactlyInAnyOrderElementsOf(namespaceEnqueueOrder);
        assertThat(queue.counts(NOW).values()).allSatisfy(c -> assertThat(c.pending() + c.dead()).isZero());
    }
}
