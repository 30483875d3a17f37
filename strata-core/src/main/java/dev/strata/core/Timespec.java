package dev.strata.core;

/**
 * A point in time as POSIX stores it: seconds since the epoch (may be negative) and nanoseconds
 * within the second (0..999,999,999).
 */
public record Timespec(long seconds, int nanos) implements Comparable<Timespec> {
    public static final Timespec EPOCH = new Timespec(0, 0);

    public Timespec {
        if (nanos < 0 || nanos >= 1_000_000_000) {
            throw new IllegalArgumentException("nanos out of range: " + nanos);
        }
    }

    public static Timespec ofEpochNanos(long nanos) {
        return new Timespec(Math.floorDiv(nanos, 1_000_000_000L), (int) Math.floorMod(nanos, 1_000_000_000L));
    }

    @Override
    public int compareTo(Timespec o) {
        int c = Long.compare(seconds, o.seconds);
        return c != 0 ? c : Integer.compare(nanos, o.nanos);
    }

    public boolean isAfter(Timespec o) {
        return compareTo(o) > 0;
    }
}
