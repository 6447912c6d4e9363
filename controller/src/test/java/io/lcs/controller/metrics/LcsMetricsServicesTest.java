package io.lcs.controller.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.lcs.controller.metrics.PrometheusTextParser.Exposition;
import io.lcs.controller.metrics.PrometheusTextParser.Sample;
import io.lcs.model.status.ClusterStatus;
import io.lcs.model.status.ClusterStatus.VipStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A service is exposed as the C lcs exposed it: in lcs_resource_* with type="service", not as a VIP. */
class LcsMetricsServicesTest {

    @Test
    void aServiceIsAResourceOfTypeServiceAndNoVip() {
        ClusterStatus base = MetricsFixture.threeNodesTwoVips();
        List<VipStatus> vips = new ArrayList<>(base.vips());
        vips.add(new VipStatus("app", null, null, "active", "node2", 7, 1.5, 2, List.of(), 0, null, null, null, null,
                null, null, null, "service", "haproxy.service"));
        ClusterStatus status = new ClusterStatus(base.cluster(), base.node(), base.version(), base.quorum(),
                base.nodes(), vips, base.stale());
        LcsMetrics metrics = new LcsMetrics(MetricsFixture.CLUSTER, MetricsFixture.VERSION, () -> status);
        Exposition e = PrometheusTextParser.parse(metrics.scrape(null).body());

        assertEquals(1.0, value(e, "lcs_resource_state", Map.of("resource", "app", "type", "service", "state", "active")));
        assertEquals(0.0, value(e, "lcs_resource_state", Map.of("resource", "app", "type", "service", "state", "pending")));
        assertEquals(1.0, value(e, "lcs_resource_owner", Map.of("resource", "app", "type", "service", "node", "node2")));
        assertEquals(7.0, value(e, "lcs_resource_epoch", Map.of("resource", "app", "type", "service")));
        assertEquals(2.0, value(e, "lcs_resource_failovers_total", Map.of("resource", "app", "type", "service")));
        assertEquals(1.0, value(e, "lcs_resource_state", Map.of("resource", "vip1", "type", "vip", "state", "active")),
                "VIPs keep type=vip");
        for (String family : e.families().keySet()) {
            if (!family.startsWith("lcs_vip_")) {
                continue; // the lease and hook counters name every resource by vip=NAME
            }
            for (Sample s : e.family(family).samples()) {
                assertFalse("app".equals(s.labels().get("vip")), "a service has no lcs_vip_* series: " + s);
            }
        }
    }

    private static Double value(Exposition e, String family, Map<String, String> labels) {
        for (Sample s : e.family(family).samples()) {
            if (s.labels().entrySet().containsAll(labels.entrySet())) {
                return s.value();
            }
        }
        return null;
    }
}
