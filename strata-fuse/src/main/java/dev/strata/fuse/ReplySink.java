package dev.strata.fuse;

import java.lang.foreign.MemorySegment;

/** Where replies go: the device (one writev per reply), or a recorder in tests. */
interface ReplySink {
    /**
     * Sends one complete message (out header and payload).
     *
     * @return 0, or {@code -errno}: ENOENT means the request was interrupted or aborted and the
     *     kernel no longer waits for it; ENODEV means the file system was unmounted
     */
    int send(MemorySegment message);
}
