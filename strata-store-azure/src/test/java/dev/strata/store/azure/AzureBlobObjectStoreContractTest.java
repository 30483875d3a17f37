package dev.strata.store.azure;

import dev.strata.core.store.ObjectStore;
import dev.strata.testkit.store.ObjectStoreContract;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The port's contract on Azurite. Each test gets a fresh store: a new prefix in one container, so
 * the prefix handling is exercised on every call.
 *
 * <p>Skipped by the contract itself: {@code partsBelowTheMinimumExceptTheLastAreRefused}, because
 * Azure has no smallest block ({@link AzureBlobObjectStore#LIMITS} says 1 byte).
 */
@ExtendWith(AzuriteExtension.class)
class AzureBlobObjectStoreContractTest extends ObjectStoreContract {
    private static final AtomicInteger TESTS = new AtomicInteger();
    private static Azurite azurite;

    @BeforeAll
    static void azurite(Azurite started) {
        azurite = started;
    }

    @Override
    protected ObjectStore newStore() throws Exception {
        URI uri = URI.create("az://contract/run/t" + TESTS.incrementAndGet());
        return AzureBlobObjectStore.open(uri, Map.of(AzureClients.CONNECTION_STRING, azurite.connectionString()), true);
    }
}
