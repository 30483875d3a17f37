package dev.strata.fuse;

import java.time.Duration;

/** A cache validity the kernel gets as seconds plus nanoseconds (entry_valid, attr_valid). */
record Timeout(long seconds, int nanos) {
    static final Timeout ZERO = new Timeout(0, 0);

    Timeout {
        if (seconds < 0 || nanos < 0 || nanos >= 1_000_000_000) {
            throw new IllegalArgumentException("bad timeout " + seconds + "s " + nanos + "ns");
        }
    }

    static Timeout of(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("negative timeout " + d);
        }
        return new Timeout(d.getSeconds(), d.getNano());
    }
}
