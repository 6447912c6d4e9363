package io.lcs.controller.metrics;

import java.util.HashMap;
import java.util.Map;

/**
 * The counters lcsd keeps for one VIP: lease acquisitions and renewal failures, and per hook event
 * the runs, failures, total and windowed maximum duration. Plain {@code long} fields instead of
 * Micrometer meters (a meter costs about a kilobyte; 1,000 VIPs had ~13,000 of them): they are
 * turned into series only at scrape time, by {@link StatusSeries}.
 *
 * <p><b>Threads.</b> Every method is {@code synchronized} on the instance: writers are the driver's
 * context (leases) and hook threads (hooks), the reader is the scrape; the monitor is uncontended in
 * practice. Once an event has been recorded for this VIP, recording does not allocate.
 *
 * <p><b>Values.</b> Counts only grow. The maximum duration is the one Micrometer's timers reported
 * (its {@code TimeWindowMax} with the Prometheus registry's defaults): the largest duration recorded
 * within a window of {@link #MAX_EXPIRY_NANOS} kept in {@link #MAX_BUCKETS} rotating buckets, 0 once
 * nothing was recorded for that long.
 */
final class VipCounters {
    /** Micrometer's PrometheusConfig step (1 min): the expiry of a timer's windowed max. */
    static final long MAX_EXPIRY_NANOS = 60_000_000_000L;
    /** Micrometer's DistributionStatisticConfig.DEFAULT buffer length. */
    static final int MAX_BUCKETS = 3;
    private static final long ROTATE_NANOS = MAX_EXPIRY_NANOS / MAX_BUCKETS;

    /** Runs, failures and durations of one hook event of one VIP. Guarded by the owning {@link VipCounters}. */
    static final class HookStats {
        long runs;
        long failures;
        long totalNanos;
        private final long[] maxNanos = new long[MAX_BUCKETS];
        private int current;
        private long lastRotateNanos;

        HookStats(long nowNanos) {
            lastRotateNanos = nowNanos;
        }

        void record(long durationNanos, boolean succeeded, long nowNanos) {
            runs++;
            if (!succeeded) {
                failures++;
            }
            totalNanos += Math.max(0, durationNanos); // a negative duration (clock trouble) counts as 0
            rotate(nowNanos);
            for (int i = 0; i < MAX_BUCKETS; i++) {
                maxNanos[i] = Math.max(maxNanos[i], Math.max(0, durationNanos));
            }
        }

        long maxNanos(long nowNanos) {
            rotate(nowNanos);
            return maxNanos[current];
        }

        /** As Micrometer's TimeWindowMax: each rotation clears the oldest bucket, which becomes current last. */
        private void rotate(long nowNanos) {
            long sinceLast = nowNanos - lastRotateNanos;
            if (sinceLast < ROTATE_NANOS) {
                return;
            }
            if (sinceLast >= MAX_EXPIRY_NANOS) {
                java.util.Arrays.fill(maxNanos, 0);
                current = 0;
                lastRotateNanos = nowNanos - sinceLast % ROTATE_NANOS;
                return;
            }
            int rotations = 0; // at most MAX_BUCKETS - 1, since sinceLast < MAX_EXPIRY_NANOS
            while (nowNanos - lastRotateNanos >= ROTATE_NANOS && rotations < MAX_BUCKETS) {
                maxNanos[current] = 0;
                current = (current + 1) % MAX_BUCKETS;
                lastRotateNanos += ROTATE_NANOS;
                rotations++;
            }
        }
    }

    private long leaseAcquisitions;
    private long leaseRenewalFailures;
    /** By event name; at most the four hook events in practice. */
    private final Map<String, HookStats> hooks = new HashMap<>(4);

    synchronized void leaseAcquired() {
        leaseAcquisitions++;
    }

    synchronized void leaseRenewalFailed() {
        leaseRenewalFailures++;
    }

    synchronized long leaseAcquisitions() {
        return leaseAcquisitions;
    }

    synchronized long leaseRenewalFailures() {
        return leaseRenewalFailures;
    }

    synchronized void hookRan(String event, long durationNanos, boolean succeeded, long nowNanos) {
        HookStats stats = hooks.get(event);
        if (stats == null) {
            stats = new HookStats(nowNanos);
            hooks.put(event, stats);
        }
        stats.record(durationNanos, succeeded, nowNanos);
    }

    /** Receives one hook event's figures during a scrape. */
    interface HookSink {
        void accept(String event, long runs, long failures, long totalNanos, long maxNanos);
    }

    /** Hands every recorded hook event's figures to {@code sink}, under this object's monitor. */
    synchronized void forEachHook(long nowNanos, HookSink sink) {
        for (Map.Entry<String, HookStats> e : hooks.entrySet()) {
            HookStats s = e.getValue();
            sink.accept(e.getKey(), s.runs, s.failures, s.totalNanos, s.maxNanos(nowNanos));
        }
    }
}
