package dev.strata.bench;

import java.util.Arrays;
import java.util.List;

/** Median and range of repeated measurements of one workload on one target. */
record Stats(double median, double min, double max, int count) {

    static Stats of(List<Double> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        double[] v = samples.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Stats(median, v[0], v[n - 1], n);
    }

    /** (max - min) / median, in percent: how far apart the repetitions were. */
    double spreadPercent() {
        return median == 0 ? 0 : 100 * (max - min) / median;
    }
}
