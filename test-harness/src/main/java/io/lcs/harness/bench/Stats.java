package io.lcs.harness.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Order statistics of a set of measurements (milliseconds, MiB, seconds: any unit).
 * Percentiles are nearest-rank: p95 of 20 values is the 19th smallest, of 3 values the largest;
 * the median of an even count is the mean of the two middle values.
 */
public final class Stats {
    private Stats() {
    }

    /** min / median / p95 / max of {@code n} values; NaN everywhere when {@code n == 0}. */
    public record Summary(int n, double min, double median, double p95, double max) {
        public static final Summary EMPTY = new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

        public boolean empty() {
            return n == 0;
        }
    }

    /** Summary of {@code values} (NaN entries are ignored: they are trials without a figure). */
    public static Summary of(List<Double> values) {
        List<Double> v = new ArrayList<>();
        for (Double d : values) {
            if (d != null && !d.isNaN()) {
                v.add(d);
            }
        }
        if (v.isEmpty()) {
            return Summary.EMPTY;
        }
        Collections.sort(v);
        int n = v.size();
        double median = n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2.0;
        return new Summary(n, v.get(0), median, percentile(v, 95), v.get(n - 1));
    }

    /** Nearest-rank percentile {@code p} (1..100) of sorted, non-empty {@code sorted}. */
    static double percentile(List<Double> sorted, int p) {
        if (p < 1 || p > 100) {
            throw new IllegalArgumentException("percentile " + p + ": must be 1..100");
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
