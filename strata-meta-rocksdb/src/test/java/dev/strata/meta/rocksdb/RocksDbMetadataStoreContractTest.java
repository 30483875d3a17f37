package dev.strata.meta.rocksdb;

import dev.strata.core.meta.MetadataStore;
import dev.strata.testkit.meta.AbstractMetadataStoreContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class RocksDbMetadataStoreContractTest extends AbstractMetadataStoreContractTest {
    /** Small buffers: tests create many stores, and the defaults are sized for a node. */
    static final RocksDbMetadataStore.Settings TEST_SETTINGS = new RocksDbMetadataStore.Settings(8L << 20, 4L << 20, 2);

    @TempDir
    Path dir;

    @Override
    protected MetadataStore newStore() throws Exception {
        return RocksDbMetadataStore.open(dir.resolve("meta"), TEST_SETTINGS);
    }

    @Override
    protected MetadataStore reopen(MetadataStore store) throws Exception {
        store.close();
        return RocksDbMetadataStore.open(dir.resolve("meta"), TEST_SETTINGS);
    }
}
