package dev.strata.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.store.ObjectStore;
import dev.strata.core.store.RetryingObjectStore;
import java.util.SplittableRandom;

/**
 * The whole contract holds through {@link RetryingObjectStore} over a store where 30% of calls fail
 * transiently, 10% of the rest take effect and then lose their reply, and failing reads deliver
 * half their bytes first. Seeded; the fake sleeper makes backoffs free.
 */
class RetryingFaultyStoreContractTest extends ObjectStoreContract {
    private static final java.util.concurrent.atomic.AtomicLong INJECTED = new java.util.concurrent.atomic.AtomicLong();
    private FaultInjectingObjectStore faulty;
    private RetryingObjectStore retrying;

    @Override
    protected ObjectStore newStore() {
        FakeSleeper sleeper = new FakeSleeper();
        faulty = new FaultInjectingObjectStore(new InMemoryObjectStore(), 20261123L, sleeper);
        faulty.onAll(p -> p.failWithProbability(0.3).tornWithProbability(0.1).resetMidRead(true));
        faulty.on(StoreOp.LIST).throttled(true);
        faulty.on(StoreOp.PUT).throttled(true);
        retrying = new RetryingObjectStore(faulty, RetryingObjectStore.Policy.DEFAULT, sleeper, new SplittableRandom(5));
        return retrying;
    }

    @Override
    protected void cleanUp(ObjectStore store) {
        INJECTED.addAndGet(faulty.injected());
        assertThat(retrying.giveUps()).isZero();
        store.close();
    }

    /** Faults must actually have happened for the run to mean anything. */
    @org.junit.jupiter.api.AfterAll
    static void faultsWereInjected() {
        assertThat(INJECTED.get()).isGreaterThan(100);
    }
}
