package dev.strata.testkit.store;

import dev.strata.core.store.FileObjectStore;
import dev.strata.core.store.ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;

/** The contract against the local-directory store, on /tmp (ext4 with user xattrs here). */
class FileObjectStoreContractTest extends ObjectStoreContract {
    @TempDir
    Path scratch;

    @Override
    protected ObjectStore newStore() throws Exception {
        Path root = Files.createDirectory(scratch.resolve("bucket"));
        return FileObjectStore.open("file://" + root, new SplittableRandom(7));
    }
}
