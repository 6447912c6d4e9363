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
        // 5 calls a round: one 16-byte object per call would be 1.6 MB.
        assertTrue(allocated < 64 * 1024, "recording allocated " + allocated + " bytes for " + rounds * 5 + " calls");
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
        }
    }
}
