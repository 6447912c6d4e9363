package io.lcs.controller.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The recording methods are on the daemon's hot paths: once a label set exists they must not allocate. */
class LcsMetricsRecordingTest {

    @Test
    void recordingMethodsDoNotAllocateOnceTheSeriesExists() {
        LcsMetrics metrics = new LcsMetrics("c", "v", new AtomicReference<>(MetricsFixture.threeNodesTwoVips())::get);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        int rounds = 20_000;
        // warm up: create the series and let the JIT compile the paths
        for (int round = 0; round < 3; round++) {
            record(metrics, rounds);
        }
        long before = threads.getThreadAllocatedBytes(tid);
        record(metrics, rounds);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        // 6 calls a round: one 16-byte object per call would be 1.9 MB.
        assertTrue(allocated < 64 * 1024, "recording allocated " + allocated + " bytes for " + rounds * 6 + " calls");
        PrometheusTextParser.Exposition e = PrometheusTextParser.parse(metrics.scrape(null).body());
        assertEquals(rounds * 4.0, value(e, "lcs_lease_acquisitions_total", "vip1"));
        assertEquals(rounds * 4.0, value(e, "lcs_hook_runs_total", "vip1"));
    }

    private static double value(PrometheusTextParser.Exposition e, String family, String vip) {
        return e.family(family).samples().stream().filter(s -> vip.equals(s.labels().get("vip"))).findFirst()
                .orElseThrow(() -> new AssertionError(family + " of " + vip)).value();
    }

    private static void record(LcsMetrics metrics, int rounds) {
        for (int i = 0; i < rounds; i++) {
            metrics.leaseAcquired("vip1");
            metrics.leaseRenewalFailed("vip2");
            metrics.recordReconcile("lease", 1_000);
            metrics.reconcileFailed("lease");
            metrics.recordHook("vip1", "post_start", 2_000, true);
            metrics.recordEventLoopLag(3_000_000); // every tick of the event loop
        }
    }

    @Test
    void eventLoopLagAndStatePersistAreHistogramsWithBucketsFromOneMillisecondToFiveSeconds() {
        LcsMetrics metrics = new LcsMetrics("c", "v", new AtomicReference<>(MetricsFixture.threeNodesTwoVips())::get);
        metrics.recordEventLoopLag(400_000); // 0.4 ms: an idle loop
        metrics.recordEventLoopLag(300_000_000); // 300 ms: longer than a heartbeat interval
        metrics.recordEventLoopLag(2_500_000_000L); // 2.5 s: longer than the lease
        metrics.recordStatePersist(7_000_000);

        PrometheusTextParser.Exposition e = PrometheusTextParser.parse(metrics.scrape(null).body());
        java.util.Map<String, Double> lag = buckets(e, "lcs_event_loop_lag_seconds");
        assertEquals(java.util.List.of("0.001", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.0",
                "5.0", "+Inf"), java.util.List.copyOf(lag.keySet()));
        assertEquals(1.0, lag.get("0.25"), "only the idle tick is within a heartbeat interval");
        assertEquals(2.0, lag.get("2.0"));
        assertEquals(3.0, lag.get("5.0"));
        assertEquals(2.5, e.family("lcs_event_loop_lag_seconds_max").samples().get(0).value(), 1e-9);
        assertEquals(1.0, buckets(e, "lcs_state_persist_seconds").get("0.01"));
        assertEquals(0.0, buckets(e, "lcs_state_persist_seconds").get("0.005"));
    }

    @Test
    void vipLeaseShortfallsAreCountersReadAtScrapeTime() {
        LcsMetrics metrics = new LcsMetrics("c", "v", new AtomicReference<>(MetricsFixture.threeNodesTwoVips())::get);
        java.util.concurrent.atomic.AtomicLong adds = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong refreshes = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong lapsed = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong addFailures = new java.util.concurrent.atomic.AtomicLong();
        metrics.registerVipLeaseShortfalls(adds::get, refreshes::get, lapsed::get);
        metrics.registerVipAddFailures(addFailures::get);
        java.util.concurrent.atomic.AtomicLong stopFailures = new java.util.concurrent.atomic.AtomicLong();
        metrics.registerUnitStopFailures(stopFailures::get);
        stopFailures.set(5);
        adds.set(2);
        refreshes.set(30);
        lapsed.set(3);
        addFailures.set(4);

        PrometheusTextParser.Exposition e = PrometheusTextParser.parse(metrics.scrape(null).body());
        java.util.Map<String, Double> skips = new java.util.HashMap<>();
        double lapsedSeen = -1;
        double addFailuresSeen = -1;
        double stopFailuresSeen = -1;
        for (PrometheusTextParser.Family f : e.families().values()) {
            for (PrometheusTextParser.Sample s : f.samples()) {
                if (s.name().equals("lcs_vip_short_lease_skips_total")) {
                    skips.put(s.labels().get("action"), s.value());
                } else if (s.name().equals("lcs_vip_addresses_lapsed_total")) {
                    lapsedSeen = s.value();
                } else if (s.name().equals("lcs_vip_add_failures_total")) {
                    addFailuresSeen = s.value();
                } else if (s.name().equals("lcs_service_unit_stop_failures_total")) {
                    stopFailuresSeen = s.value();
                }
            }
        }
        assertEquals(java.util.Map.of("add", 2.0, "refresh", 30.0), skips);
        assertEquals(3.0, lapsedSeen);
        assertEquals(4.0, addFailuresSeen);
        assertEquals(5.0, stopFailuresSeen);
    }

    private static java.util.Map<String, Double> buckets(PrometheusTextParser.Exposition e, String family) {
        java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
        for (PrometheusTextParser.Sample s : e.family(family).samples()) {
            if (s.name().equals(family + "_bucket")) {
                out.put(s.labels().get("le"), s.value());
            }
        }
        return out;
    }
}
