package dev.strata.core;

/**
 * The source of time for timestamps and deadlines. Passed in through constructors so tests can use
 * a fake clock (see the testkit) and replay exactly.
 */
public interface Clock {
    /** Wall-clock time for file timestamps. */
    Timespec now();

    /** A monotonic reading in nanoseconds for durations and deadlines; unrelated to {@link #now()}. */
    long monotonicNanos();

    /** The system clock. */
    Clock SYSTEM = new Clock() {
        @Override
        public Timespec now() {
            java.time.Instant i = java.time.Instant.now();
            return new Timespec(i.getEpochSecond(), i.getNano());
        }

        @Override
        public long monotonicNanos() {
            return System.nanoTime();
        }
    };
}
