package dev.strata.testkit.meta;

import dev.strata.core.meta.MetadataStore;

class InMemoryMetadataStoreContractTest extends AbstractMetadataStoreContractTest {
    @Override
    protected MetadataStore newStore() {
        return new InMemoryMetadataStore();
    }

    @Override
    protected MetadataStore reopen(MetadataStore store) {
        return ((InMemoryMetadataStore) store).reopen();
    }
}
