package dev.strata.testkit.data;

import dev.strata.core.Clock;
import dev.strata.core.Timespec;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told, for replayable mtimes. */
final class ManualClock implements Clock {
    private final AtomicLong epochNanos = new AtomicLong(1_800_000_000_000_000_000L);

    @Override
    public Timespec now() {
        return Timespec.ofEpochNanos(epochNanos.get());
    }

    @Override
    public long monotonicNanos() {
        return epochNanos.get();
    }

    void advanceNanos(long nanos) {
        epochNanos.addAndGet(nanos);
    }
}
