package dev.strata.meta.rocksdb;

import dev.strata.core.meta.MetadataStore;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The process that {@link RocksDbCrashTest} kills. Not a test: started in its own JVM.
 *
 * <ul>
 *   <li>{@code commit DIR SEED FIRST_ID}: commits {@link CrashWorkload} mutations from FIRST_ID on and
 *       prints "ack ID" after each commit returned; syncs every {@value #SYNC_EVERY} commits.</li>
 *   <li>{@code hold DIR}: opens the store, prints "ready" and waits to be killed.</li>
 * </ul>
 * Both stop by themselves after {@value #MAX_COMMITS} commits or {@value #MAX_HOLD_MILLIS} ms, so a
 * test that dies without killing its child leaves nothing running for long.
 */
final class CrashChild {
    static final String READY = "ready";
    /** Prefix of an acknowledgement line; other lines on stdout (logging) are not part of the protocol. */
    static final String ACK = "ack ";
    private static final int SYNC_EVERY = 64;
    private static final int MAX_COMMITS = 2_000_000;
    private static final long MAX_HOLD_MILLIS = 60_000;

    private CrashChild() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        Path dir = Path.of(args[1]);
        try (MetadataStore store = RocksDbMetadataStore.open(dir, RocksDbMetadataStoreContractTest.TEST_SETTINGS)) {
            out.println(READY);
            out.flush();
            switch (args[0]) {
                case "commit" -> {
                    long seed = Long.parseLong(args[2]);
                    int first = Integer.parseInt(args[3]);
                    for (int id = first; id < first + MAX_COMMITS; id++) {
                        store.commit(CrashWorkload.mutation(seed, id));
                        // Printed only after commit returned: every id the parent reads is acknowledged.
                        out.println(ACK + id);
                        out.flush();
                        if (id % SYNC_EVERY == 0) {
                            store.sync();
                        }
                    }
                }
                case "hold" -> Thread.sleep(MAX_HOLD_MILLIS);
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
        }
    }
}
