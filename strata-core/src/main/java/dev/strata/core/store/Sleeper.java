package dev.strata.core.store;

/**
 * Time for retry loops: waiting and reading a monotonic clock. Passed in so that tests run backoffs
 * of minutes in microseconds with a fake that moves its clock instead of sleeping.
 */
public interface Sleeper {
    /** Waits {@code nanos}; interruptible. */
    void sleepNanos(long nanos) throws InterruptedException;

    /** A monotonic reading in nanoseconds, moving at least as far as every sleep. */
    long nanoTime();

    /** Real time. */
    Sleeper SYSTEM = new Sleeper() {
        @Override
        public void sleepNanos(long nanos) throws InterruptedException {
            if (nanos > 0) {
                Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            }
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }
    };
}
