package dev.strata.testkit.store;

import dev.strata.core.store.ObjectStore;

/** The contract holds for a store whose listings lag, given the chance to settle before listing. */
class StaleListingContractTest extends ObjectStoreContract {
    @Override
    protected ObjectStore newStore() {
        InMemoryObjectStore s = new InMemoryObjectStore();
        s.setListingLag(3);
        return s;
    }

    @Override
    protected void settle(ObjectStore store) {
        ((InMemoryObjectStore) store).settle();
    }
}
