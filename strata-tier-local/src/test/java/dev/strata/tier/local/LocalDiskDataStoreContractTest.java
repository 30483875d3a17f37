package dev.strata.tier.local;

import dev.strata.core.data.DataStore;
import dev.strata.testkit.data.AbstractDataStoreContractTest;
import java.nio.file.Path;

/** The port's contract on the disk under java.io.tmpdir (ext4 on these machines). */
class LocalDiskDataStoreContractTest extends AbstractDataStoreContractTest {
    /** Longer than a coarse kernel clock tick (4 ms at HZ=250), so the next mtime differs. */
    private static final long TIME_STEP_MILLIS = 30;

    @Override
    protected DataStore newStore(Path scratch) throws Exception {
        return LocalDiskDataStore.open(scratch);
    }

    @Override
    protected void letTimePass() throws InterruptedException {
        Thread.sleep(TIME_STEP_MILLIS);
    }
}
