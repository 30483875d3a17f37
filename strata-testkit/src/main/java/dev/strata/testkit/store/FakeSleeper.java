package dev.strata.testkit.store;

import dev.strata.core.store.Sleeper;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Sleeper} whose sleeps return at once and move its clock, so backoffs cost no time. */
public final class FakeSleeper implements Sleeper {
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicLong slept = new AtomicLong();
    private final AtomicLong sleeps = new AtomicLong();

    @Override
    public void sleepNanos(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative sleep " + n);
        }
        nanos.addAndGet(n);
        slept.addAndGet(n);
        sleeps.incrementAndGet();
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    /** Moves the clock without a sleep, as time spent working would. */
    public void advanceNanos(long n) {
        nanos.addAndGet(n);
    }

    /** Total nanoseconds slept. */
    public long sleptNanos() {
        return slept.get();
    }

    /** Number of sleeps. */
    public long sleeps() {
        return sleeps.get();
    }
}
