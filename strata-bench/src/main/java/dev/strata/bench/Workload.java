package dev.strata.bench;

import java.util.OptionalDouble;

/**
 * The figures a run reports. Higher is better for all of them. {@code goal} is the minimum
 * Strata/native ratio the issue asks for, where it asks for one.
 */
enum Workload {
    SEQ_WRITE("seq-write", "MiB/s", 0.70),
    COLD_READ("cold-read", "MiB/s", 0.80),
    MD_CREATE("md-create", "ops/s", 0.25),
    MD_STAT("md-stat", "ops/s", 0.25),
    MD_READ("md-read", "ops/s", Double.NaN),
    MD_UNLINK("md-unlink", "ops/s", Double.NaN);

    final String label;
    final String unit;
    private final double goal;

    Workload(String label, String unit, double goal) {
        this.label = label;
        this.unit = unit;
        this.goal = goal;
    }

    OptionalDouble goal() {
        return Double.isNaN(goal) ? OptionalDouble.empty() : OptionalDouble.of(goal);
    }
}
