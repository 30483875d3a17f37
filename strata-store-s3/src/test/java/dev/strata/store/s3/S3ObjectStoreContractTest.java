package dev.strata.store.s3;

import dev.strata.core.store.ObjectStore;
import dev.strata.testkit.store.ObjectStoreContract;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The port's contract against {@link S3ObjectStore} on a real S3-compatible server (S3Mock, see
 * {@link S3Server}). Each test gets a fresh, empty store under its own prefix of one bucket.
 * Three tests are skipped where S3Mock, not the adapter, differs from S3: {@link S3MockDeviations}.
 */
@ExtendWith({S3ServerExtension.class, S3MockDeviations.class})
class S3ObjectStoreContractTest extends ObjectStoreContract {
    private static final AtomicInteger STORES = new AtomicInteger();
    private final S3Server server;

    S3ObjectStoreContractTest(S3Server server) {
        this.server = server;
    }

    @Override
    protected ObjectStore newStore() throws Exception {
        return S3ObjectStore.open(URI.create("s3://" + S3Server.BUCKET + "/contract/" + STORES.incrementAndGet()),
                server.env());
    }
}
