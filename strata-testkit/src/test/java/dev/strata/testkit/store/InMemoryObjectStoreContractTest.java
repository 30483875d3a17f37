package dev.strata.testkit.store;

import dev.strata.core.store.ObjectStore;

class InMemoryObjectStoreContractTest extends ObjectStoreContract {
    @Override
    protected ObjectStore newStore() {
        return new InMemoryObjectStore();
    }
}
