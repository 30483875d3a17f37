package dev.strata.testkit.data;

import dev.strata.core.FsException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes the fake's chunks occupy, against a limit. Lock-free so a file can reserve space while
 * holding only its own monitor (see {@link InMemoryDataStore} for the lock order).
 */
final class SpaceBudget {
    private final AtomicLong usedBytes = new AtomicLong();
    private volatile long limitBytes;

    SpaceBudget(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    /** Takes {@code bytes} or fails with NoSpace having taken nothing. */
    void reserve(long bytes, String what) throws FsException.NoSpace {
        if (bytes == 0) {
            return;
        }
        while (true) {
            long used = usedBytes.get();
            long limit = limitBytes;
            if (bytes > limit - used) {
                throw new FsException.NoSpace(what + ": needs " + bytes + " bytes, " + Math.max(0, limit - used)
                        + " of the fake's " + limit + "-byte budget left");
            }
            if (usedBytes.compareAndSet(used, used + bytes)) {
                return;
            }
        }
    }

    void release(long bytes) {
        long after = usedBytes.addAndGet(-bytes);
        if (after < 0) {
            throw new IllegalStateException("space accounting went negative: " + after + " after releasing " + bytes);
        }
    }

    long usedBytes() {
        return usedBytes.get();
    }

    long limitBytes() {
        return limitBytes;
    }

    void setLimitBytes(long limitBytes) {
        if (limitBytes < 0) {
            throw new IllegalArgumentException("space limit must be >= 0: " + limitBytes);
        }
        this.limitBytes = limitBytes;
    }
}
