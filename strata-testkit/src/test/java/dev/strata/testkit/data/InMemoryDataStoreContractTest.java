package dev.strata.testkit.data;

import dev.strata.core.data.DataStore;
import java.nio.file.Path;

class InMemoryDataStoreContractTest extends AbstractDataStoreContractTest {
    private final ManualClock clock = new ManualClock();

    @Override
    protected DataStore newStore(Path scratch) {
        return new InMemoryDataStore(clock);
    }

    @Override
    protected void letTimePass() {
        clock.advanceNanos(1_000_000_000L);
    }
}
