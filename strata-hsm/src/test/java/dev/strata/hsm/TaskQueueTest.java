package dev.strata.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.FsException;
import dev.strata.core.Timespec;
import dev.strata.core.meta.Mutation;
import dev.strata.core.meta.RecordSpace;
import dev.strata.testkit.FakeClock;
import dev.strata.testkit.meta.InMemoryMetadataStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TaskQueueTest {
    private static final long LEASE = 30_000;
    private static final TaskQueue.Options OPTIONS = new TaskQueue.Options(4, 1_000, 8_000, 100);

    private final FakeClock clock = new FakeClock();
    private InMemoryMetadataStore store = new InMemoryMetadataStore();
    private TaskQueue queue = open();

    private TaskQueue open() {
        try {
            return new TaskQueue(store, OPTIONS, new SplittableRandom(42));
        } catch (FsException e) {
            throw new AssertionError(e);
        }
    }

    private long now() {
        Timespec t = clock.now();
        return t.seconds() * 1000 + t.nanos() / 1_000_000;
    }

    private long enqueue(TaskKind kind, String key) throws FsException {
        Mutation m = new Mutation();
        long id = queue.enqueue(m, kind.needsToKey()
                ? Task.Request.rename(kind, 7, key, key + ".new")
                : Task.Request.of(kind, 7, key), now());
        store.commit(m);
        return id;
    }

    private void complete(long id) throws FsException {
        Mutation m = new Mutation();
        queue.complete(m, id);
        store.commit(m);
    }

    @Test
    void anEnqueuedTaskIsLeasedOnceUntilItsLeaseExpires() throws Exception {
        long id = enqueue(TaskKind.ARCHIVE, "a/b");
        List<Task> first = queue.lease(Lane.ARCHIVE, now(), LEASE, 10);
        assertThat(first).extracting(Task::id).containsExactly(id);
        Task t = first.getFirst();
        assertThat(t.state()).isEqualTo(TaskState.LEASED);
        assertThat(t.key()).isEqualTo("a/b");
        assertThat(t.ino()).isEqualTo(7);
        assertThat(t.leaseCount()).isEqualTo(1);
        assertThat(queue.lease(Lane.ARCHIVE, now(), LEASE, 10)).isEmpty();
        assertThat(queue.lease(Lane.RESTORE, now(), LEASE, 10)).isEmpty();

        clock.advanceNanos((LEASE + 1) * 1_000_000);
        assertThat(queue.lease(Lane.ARCHIVE, now(), LEASE, 10)).extracting(Task::id).containsExactly(id);
    }

    @Test
    void aTaskIsNotVisibleBeforeItsMutationCommits() throws Exception {
        Mutation m = new Mutation();
        queue.enqueue(m, Task.Request.of(TaskKind.ARCHIVE, 1, "x"), now());
        assertThat(queue.lease(Lane.ARCHIVE, now(), LEASE, 10)).isEmpty();
        store.commit(m);
        assertThat(queue.lease(Lane.ARCHIVE, now(), LEASE, 10)).hasSize(1);
    }

    @Test
    void aLeaseHeldByAWorkerThatDiedExpiresForTheNextProcess() throws Exception {
        long id = enqueue(TaskKind.RESTORE, "r");
        assertThat(queue.lease(Lane.RESTORE, now(), LEASE, 10)).hasSize(1);

        store = store.reopen(); // the process died holding the lease
        queue = open();
        assertThat(queue.lease(Lane.RESTORE, now(), LEASE, 10)).as("still leased").isEmpty();
        clock.advanceSeconds(LEASE / 1000 + 1);
        List<Task> again = queue.lease(Lane.RESTORE, now(), LEASE, 10);
        assertThat(again).extracting(Task::id).containsExactly(id);
        assertThat(again.getFirst().leaseCount()).isEqualTo(2);
    }

    @Test
    void aCrashBeforeTheCompletionCommitsRedoesTheTask() throws Exception {
        long id = enqueue(TaskKind.ARCHIVE, "k");
        queue.lease(Lane.ARCHIVE, now(), LEASE, 10);
        Mutation effect = new Mutation();
        HsmTransitions.archiveStarted(effect, 7, HsmRecord.NEW, 0);
        queue.complete(effect, id);
        // The process dies here, before commit(effect).
        store = store.reopen();
        queue = open();
        clock.advanceSeconds(LEASE / 1000 + 1);
        assertThat(queue.lease(Lane.ARCHIVE, now(), LEASE, 10)).extracting(Task::id).containsExactly(id);
        assertThat(store.record(RecordSpace.HSM, 7)).isEmpty();

        // This time the completion commits with its effect, and the task is gone for good.
        Mutation done = new Mutation();
        HsmTransitions.archiveStarted(done, 7, HsmRecord.NEW, 0);
        queue.complete(done, id);
        store.commit(done);
        store = store.reopen();
        queue = open();
        clock.advanceSeconds(LEASE);
        assertThat(queue.lease(Lane.ARCHIVE, now(), LEASE, 10)).isEmpty();
        assertThat(queue.read(id)).isEmpty();
        assertThat(store.record(RecordSpace.HSM, 7)).isPresent();
    }

    @Test
    void aPowerLossKeepsTheQueueAsOfTheLastSync() throws Exception {
        long synced = enqueue(TaskKind.ARCHIVE, "synced");
        store.sync();
        enqueue(TaskKind.ARCHIVE, "unsynced");
        store = store.crash();
        queue = open();
        assertThat(queue.lease(Lane.ARCHIVE, now(), LEASE, 10)).extracting(Task::id).containsExactly(synced);
        // The id of the lost task may be handed out again: nothing refers to it any more.
        assertThat(enqueue(TaskKind.ARCHIVE, "next")).isGreaterThan(synced);
    }

    @Test
    void failuresBackOffExponentiallyWithBoundedJitterThenDeadLetter() throws Exception {
        long id = enqueue(TaskKind.ARCHIVE, "k");
        long[] nominal = {1_000, 2_000, 4_000};
        for (int attempt = 1; attempt <= 3; attempt++) {
            assertThat(queue.lease(Lane.ARCHIVE, now(), LEASE, 10)).hasSize(1);
            long failedAt = now();
            Task t = queue.fail(id, "503 SlowDown #" + attempt, failedAt).orElseThrow();
            assertThat(t.state()).isEqualTo(TaskState.QUEUED);
            assertThat(t.attempts()).isEqualTo(attempt);
            assertThat(t.lastError()).isEqualTo("503 SlowDown #" + attempt);
            long delay = t.notBeforeMillis() - failedAt;
            assertThat(delay).isBetween(nominal[attempt - 1] / 2, nominal[attempt - 1]);
            assertThat(queue.lease(Lane.ARCHIVE, t.notBeforeMillis() - 1, LEASE, 10)).as("backing off").isEmpty();
            clock.advanceNanos((delay + 1) * 1_000_000);
        }
        queue.lease(Lane.ARCHIVE, now(), LEASE, 10);
        Task dead = queue.fail(id, "403 AccessDenied", now()).orElseThrow();
        assertThat(dead.state()).isEqualTo(TaskState.DEAD);
        assertThat(dead.attempts()).isEqualTo(4);
        clock.advanceSeconds(3_600);
        assertThat(queue.lease(Lane.ARCHIVE, now(), LEASE, 10)).isEmpty();
        assertThat(queue.deadLetters(10)).extracting(Task::id, Task::lastError)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(id, "403 AccessDenied"));
        // Dead letters survive a restart.
        store = store.reopen();
        queue = open();
        assertThat(queue.deadLetters(10)).hasSize(1);

        assertThat(queue.retryDead(id)).isTrue();
        assertThat(queue.retryDead(id)).as("no longer dead").isFalse();
        Task retried = queue.lease(Lane.ARCHIVE, now(), LEASE, 10).getFirst();
        assertThat(retried.attempts()).isZero();
        assertThat(queue.deadLetters(10)).isEmpty();
    }

    @Test
    void backoffIsReplayableWithASeedAndCappedAtTheMaximum() throws Exception {
        TaskQueue a = new TaskQueue(store, OPTIONS, new SplittableRandom(7));
        TaskQueue b = new TaskQueue(store, OPTIONS, new SplittableRandom(7));
        for (int attempts = 1; attempts < 80; attempts++) {
            long da = a.backoffMillis(attempts);
            assertThat(da).isEqualTo(b.backoffMillis(attempts));
            long nominal = Math.min(8_000, attempts > 20 ? 8_000 : 1_000L << (attempts - 1));
            assertThat(da).isBetween(nominal / 2, nominal);
        }
        TaskQueue huge = new TaskQueue(store, new TaskQueue.Options(100, 1, Long.MAX_VALUE, 1), new SplittableRandom(1));
        assertThat(huge.backoffMillis(64)).isPositive();
        assertThat(huge.backoffMillis(100)).isPositive();
    }

    @Test
    void theNamespaceLaneHandsOutOnlyItsOldestTaskOneAtATime() throws Exception {
        long first = enqueue(TaskKind.RENAME_PREFIX, "a/");
        long second = enqueue(TaskKind.DELETE_KEY, "a/x");
        long third = enqueue(TaskKind.PUT_DIR_MARKER, "a/");
        assertThat(first).isLessThan(second).isLessThan(third);

        assertThat(queue.lease(Lane.NAMESPACE, now(), LEASE, 10)).extracting(Task::id).containsExactly(first);
        assertThat(queue.lease(Lane.NAMESPACE, now(), LEASE, 10)).as("head held").isEmpty();
        complete(first);
        assertThat(queue.lease(Lane.NAMESPACE, now(), LEASE, 10)).extracting(Task::id).containsExactly(second);

        // A failed head backs off, and the lane waits for it rather than running the next one.
        Task failed = queue.fail(second, "timeout", now()).orElseThrow();
        assertThat(queue.lease(Lane.NAMESPACE, failed.notBeforeMillis() - 1, LEASE, 10)).isEmpty();
        assertThat(queue.lease(Lane.NAMESPACE, failed.notBeforeMillis(), LEASE, 10))
                .extracting(Task::id).containsExactly(second);

        // A dead head blocks the lane until an operator decides.
        for (int i = 0; i < OPTIONS.maxAttempts(); i++) {
            queue.fail(second, "403", now());
        }
        clock.advanceSeconds(3_600);
        assertThat(queue.lease(Lane.NAMESPACE, now(), LEASE, 10)).isEmpty();
        assertThat(queue.counts(now()).get(Lane.NAMESPACE)).isEqualTo(new TaskQueue.LaneCounts(1, 0, 0, 1,
                queue.read(third).orElseThrow().enqueuedAtMillis()));
        assertThat(queue.discardDead(second)).isTrue();
        assertThat(queue.lease(Lane.NAMESPACE, now(), LEASE, 10)).extracting(Task::id).containsExactly(third);
    }

    @Test
    void parallelLanesHandOutManyTasksInIdOrderUpToTheBatchBound() throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ids.add(enqueue(TaskKind.ARCHIVE, "f" + i));
        }
        enqueue(TaskKind.RESTORE, "r");
        List<Task> batch = queue.lease(Lane.ARCHIVE, now(), LEASE, 1_000);
        assertThat(batch).extracting(Task::id).containsExactlyElementsOf(ids.subList(0, OPTIONS.maxLeaseBatch()));
        List<Task> rest = queue.lease(Lane.ARCHIVE, now(), LEASE, 1_000);
        assertThat(rest).extracting(Task::id).containsExactlyElementsOf(ids.subList(100, 200));
        assertThat(queue.lease(Lane.RESTORE, now(), LEASE, 1_000)).hasSize(1);
    }

    @Test
    void countsPerLaneAndState() throws Exception {
        long enqueuedAt = now();
        long a = enqueue(TaskKind.ARCHIVE, "a");
        long b = enqueue(TaskKind.ARCHIVE, "b");
        enqueue(TaskKind.ARCHIVE, "c");
        enqueue(TaskKind.SET_ATTRS, "d");
        queue.lease(Lane.ARCHIVE, now(), LEASE, 1);
        queue.fail(a, "x", now()); // waiting
        queue.lease(Lane.ARCHIVE, now(), LEASE, 1); // b leased
        Map<Lane, TaskQueue.LaneCounts> counts = queue.counts(now());
        assertThat(counts.get(Lane.ARCHIVE)).satisfies(c -> {
            assertThat(c.ready()).isEqualTo(1);
            assertThat(c.waiting()).isEqualTo(1);
            assertThat(c.leased()).isEqualTo(1);
            assertThat(c.dead()).isZero();
            assertThat(c.pending()).isEqualTo(3);
            assertThat(c.oldestEnqueuedMillis()).isBetween(enqueuedAt, enqueuedAt + 1);
        });
        assertThat(counts.get(Lane.NAMESPACE).pending()).isEqualTo(1);
        assertThat(counts.get(Lane.RESTORE)).isEqualTo(new TaskQueue.LaneCounts(0, 0, 0, 0, 0));
        assertThat(queue.read(b).orElseThrow().state()).isEqualTo(TaskState.LEASED);
    }

    @Test
    void idsStayUniqueWhenCommitsLandOutOfAllocationOrder() throws Exception {
        Mutation m1 = new Mutation();
        Mutation m2 = new Mutation();
        long id1 = queue.enqueue(m1, Task.Request.of(TaskKind.ARCHIVE, 1, "one"), now());
        long id2 = queue.enqueue(m2, Task.Request.of(TaskKind.RESTORE, 2, "two"), now());
        store.commit(m2);
        store.commit(m1); // leaves the stored counter behind id2
        assertThat(store.counter(TaskQueue.SEQ_COUNTER)).isEqualTo((id1 & Lane.SEQ_MASK) + 1);

        store = store.reopen();
        queue = open();
        long id3 = enqueue(TaskKind.RESTORE, "three");
        assertThat(id3 & Lane.SEQ_MASK).isGreaterThan(id2 & Lane.SEQ_MASK);
        assertThat(queue.read(id2).orElseThrow().key()).isEqualTo("two");
    }

    @Test
    void enqueueAndCommitGivesNumbersBackWhenTheCommitFails() throws Exception {
        store.failCommit(1, InMemoryMetadataStore.Fault.IO_FAILURE);
        Mutation m = new Mutation();
        List<Task.Request> requests = List.of(Task.Request.of(TaskKind.DELETE_KEY, 1, "x"),
                Task.Request.rename(TaskKind.RENAME_KEY, 2, "y", "z"));
        assertThatThrownBy(() -> queue.enqueueAndCommit(m, requests, now())).isInstanceOf(FsException.IoFailure.class);
        List<Long> ids = queue.enqueueAndCommit(new Mutation(), requests, now());
        assertThat(ids).containsExactly(Lane.NAMESPACE.idOf(1), Lane.NAMESPACE.idOf(2));
        assertThat(queue.read(ids.get(1)).orElseThrow().toKey()).isEqualTo("z");
    }

    @Test
    void aRenewedLeaseIsKeptAndALostOneIsReported() throws Exception {
        enqueue(TaskKind.ARCHIVE, "big");
        Task held = queue.lease(Lane.ARCHIVE, now(), LEASE, 1).getFirst();
        clock.advanceSeconds(20);
        assertThat(queue.renew(held, now(), LEASE)).isTrue();
        clock.advanceSeconds(20); // past the first lease, within the renewed one
        assertThat(queue.lease(Lane.ARCHIVE, now(), LEASE, 1)).isEmpty();
        clock.advanceSeconds(20); // now the renewed lease has expired too
        Task other = queue.lease(Lane.ARCHIVE, now(), LEASE, 1).getFirst();
        assertThat(queue.renew(held, now(), LEASE)).as("taken over").isFalse();
        assertThat(queue.renew(other, now(), LEASE)).isTrue();
    }

    @Test
    void failingACompletedTaskIsANoOp() throws Exception {
        long id = enqueue(TaskKind.ARCHIVE, "k");
        queue.lease(Lane.ARCHIVE, now(), LEASE, 1);
        complete(id);
        assertThat(queue.fail(id, "late", now())).isEmpty();
        assertThat(queue.read(id)).isEmpty();
    }

    @Test
    void requestsAreChecked() {
        assertThatThrownBy(() -> Task.Request.of(TaskKind.RENAME_KEY, 1, "a")).hasMessageContaining("needs");
        assertThatThrownBy(() -> Task.Request.rename(TaskKind.DELETE_KEY, 1, "a", "b")).hasMessageContaining("takes no");
        assertThatThrownBy(() -> Task.Request.of(TaskKind.ARCHIVE, 1, "")).hasMessageContaining("needs a key");
        assertThatThrownBy(() -> queue.complete(new Mutation(), 5)).hasMessageContaining("not a task id");
    }
}
