package dev.strata.testkit;

import dev.strata.core.Clock;
import dev.strata.core.Timespec;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told, for replayable tests. Every reading of {@link #now()} advances
 * it by a tick (1 µs by default) so that successive timestamps differ, as they do on a real system
 * with fine-grained time.
 */
public final class FakeClock implements Clock {
    private final AtomicLong nanos;
    private final long tickNanos;

    public FakeClock() {
        this(1_700_000_000_000_000_000L, 1_000);
    }

    public FakeClock(long startEpochNanos, long tickNanos) {
        this.nanos = new AtomicLong(startEpochNanos);
        this.tickNanos = tickNanos;
    }

    @Override
    public Timespec now() {
        return Timespec.ofEpochNanos(nanos.getAndAdd(tickNanos));
    }

    @Override
    public long monotonicNanos() {
        return nanos.get();
    }

    /** Moves the clock forward. */
    public void advanceNanos(long delta) {
        if (delta < 0) {
            throw new IllegalArgumentException("a clock does not go back: " + delta);
        }
        nanos.addAndGet(delta);
    }

    public void advanceSeconds(long seconds) {
        advanceNanos(seconds * 1_000_000_000L);
    }
}
