package io.lcs.controller.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.controller.metrics.PrometheusTextParser.Exposition;
import io.lcs.controller.metrics.PrometheusTextParser.Sample;
import io.lcs.model.status.ClusterStatus;
import io.lcs.model.status.ClusterStatus.VipStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The series that follow the cluster are produced at scrape time, not kept as meters: what that must
 * not change (counters survive scrapes and only grow, a removed VIP's counters are gone for good,
 * the hook timer's max decays as Micrometer's did) and what it must change (no meter per VIP).
 */
class LcsMetricsSeriesLifecycleTest {

    private final AtomicReference<ClusterStatus> status = new AtomicReference<>(MetricsFixture.threeNodesTwoVips());
    private final AtomicLong nowNanos = new AtomicLong(1_000_000_000L);
    private final LcsMetrics metrics = new LcsMetrics(MetricsFixture.CLUSTER, MetricsFixture.VERSION, status::get,
            nowNanos::get);

    private Exposition scrape() {
        return PrometheusTextParser.parse(metrics.scrape(null).body());
    }

    private static Double value(Exposition e, String family, String sampleName, String vip, String event) {
        if (!e.families().containsKey(family)) {
            return null;
        }
        for (Sample s : e.family(family).samples()) {
            if (s.name().equals(sampleName) && vip.equals(s.labels().get("vip"))
                    && (event == null || event.equals(s.labels().get("event")))) {
                return s.value();
            }
        }
        return null;
    }

    private void setVips(List<VipStatus> vips) {
        ClusterStatus s = status.get();
        status.set(new ClusterStatus(s.cluster(), s.node(), s.version(), s.quorum(), s.nodes(), vips, s.stale()));
    }

    @Test
    void countersSurviveScrapesAndOnlyGrow() {
        double last = 0;
        for (int i = 1; i <= 5; i++) {
            metrics.leaseAcquired("vip1");
            metrics.recordHook("vip1", "post_stop", TimeUnit.MILLISECONDS.toNanos(i), i % 2 == 0);
            Exposition e = scrape();
            double now = value(e, "lcs_lease_acquisitions_total", "lcs_lease_acquisitions_total", "vip1", null);
            assertEquals(i, now);
            assertTrue(now > last);
            last = now;
            assertEquals(i, value(e, "lcs_hook_runs_total", "lcs_hook_runs_total", "vip1", "post_stop"));
            assertEquals((i + 1) / 2, value(e, "lcs_hook_failures_total", "lcs_hook_failures_total", "vip1", "post_stop"));
            assertEquals(i, value(e, "lcs_hook_duration_seconds", "lcs_hook_duration_seconds_count", "vip1", "post_stop"));
        }
    }

    @Test
    void aRemovedVipsCountersAreGoneAndARecreatedVipStartsFromZero() {
        metrics.leaseAcquired("vip2");
        metrics.leaseRenewalFailed("vip2");
        metrics.recordHook("vip2", "pre_stop", 1_000, true);
        assertEquals(1, value(scrape(), "lcs_lease_acquisitions_total", "lcs_lease_acquisitions_total", "vip2", null));
        List<VipStatus> original = status.get().vips();
        status.set(MetricsFixture.without(status.get(), "vip2"));
        metrics.refreshMeters(); // what the daemon does when the set of VIPs changes
        Exposition e = scrape();
        for (String family : e.families().keySet()) {
            for (Sample s : e.family(family).samples()) {
                assertFalse("vip2".equals(s.labels().get("vip")), "series of removed vip2: " + s);
            }
        }
        setVips(original);
        e = scrape();
        assertEquals(0, value(e, "lcs_lease_acquisitions_total", "lcs_lease_acquisitions_total", "vip2", null));
        assertEquals(0, value(e, "lcs_lease_renewal_failures_total", "lcs_lease_renewal_failures_total", "vip2", null));
        assertEquals(null, value(e, "lcs_hook_runs_total", "lcs_hook_runs_total", "vip2", null), "no hook series until one runs");
    }

    @Test
    void countsForANameNotInTheStatusAreNotExposedAndDropped() {
        metrics.recordHook("?", "pre_start", 1_000, false); // a hook whose environment had no LCS_VIP
        metrics.leaseAcquired("vip9");
        Exposition e = scrape();
        assertEquals(null, value(e, "lcs_hook_runs_total", "lcs_hook_runs_total", "?", null));
        assertEquals(null, value(e, "lcs_lease_acquisitions_total", "lcs_lease_acquisitions_total", "vip9", null));
        List<VipStatus> vips = new ArrayList<>(status.get().vips());
        vips.add(new VipStatus("vip9", "198.18.0.209/32", "lo", "pending", null, 0, null, 0, List.of()));
        setVips(vips);
        assertEquals(0, value(scrape(), "lcs_lease_acquisitions_total", "lcs_lease_acquisitions_total", "vip9", null),
                "counted before the VIP existed: dropped, as the meters were");
    }

    @Test
    void hookDurationMaxIsTheLargestOfTheLastMinuteAndDecaysToZero() {
        metrics.recordHook("vip1", "pre_start", TimeUnit.MILLISECONDS.toNanos(900), true);
        nowNanos.addAndGet(TimeUnit.SECONDS.toNanos(25));
        metrics.recordHook("vip1", "pre_start", TimeUnit.MILLISECONDS.toNanos(100), true);
        assertEquals(0.9, value(scrape(), "lcs_hook_duration_seconds_max", "lcs_hook_duration_seconds_max", "vip1",
                "pre_start"), 1e-12);
        nowNanos.addAndGet(TimeUnit.SECONDS.toNanos(40)); // 65 s after the 900 ms run, 40 s after the 100 ms one
        assertEquals(0.1, value(scrape(), "lcs_hook_duration_seconds_max", "lcs_hook_duration_seconds_max", "vip1",
                "pre_start"), 1e-12);
        nowNanos.addAndGet(TimeUnit.SECONDS.toNanos(61));
        Exposition e = scrape();
        assertEquals(0.0, value(e, "lcs_hook_duration_seconds_max", "lcs_hook_duration_seconds_max", "vip1", "pre_start"));
        assertEquals(1.0, value(e, "lcs_hook_duration_seconds", "lcs_hook_duration_seconds_sum", "vip1", "pre_start"),
                1e-12, "the sum does not decay");
    }

    @Test
    void perVipAndPerNodeSeriesAreNotMeters() {
        List<VipStatus> vips = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            vips.add(new VipStatus("v" + i, "198.18.1.1/32", "lo", "active", "node1", 1, 2.0, 0, List.of()));
        }
        setVips(vips);
        for (VipStatus v : vips) {
            metrics.leaseAcquired(v.name());
            metrics.recordHook(v.name(), "post_start", 1_000, true);
        }
        Exposition e = scrape();
        assertEquals(5000, e.family("lcs_vip_state").samples().size());
        assertEquals(1000, e.family("lcs_hook_runs_total").samples().size());
        int meters = metrics.meterRegistry().getMeters().size();
        assertTrue(meters < 100, meters + " Micrometer meters for 1,000 VIPs: the per-VIP series must not be meters");
    }
}
