package io.lcs.controller.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** The HTTP servers' bounds and the admin API's refusals as they appear in a scrape, read at scrape time. */
class LcsMetricsHttpTest {

    @Test
    void httpServerConnectionsRejectionsAndAdminRefusalsAreExposedWithTheirLabels() {
        LcsMetrics metrics = new LcsMetrics("c", "v", MetricsFixture::threeNodesTwoVips);
        AtomicInteger open = new AtomicInteger(3);
        AtomicLong evicted = new AtomicLong(7);
        AtomicLong noToken = new AtomicLong(2);
        Map<String, LongSupplier> rejected = new LinkedHashMap<>();
        rejected.put("evicted", evicted::get);
        rejected.put("header_timeout", () -> 0);
        metrics.registerHttpServer("admin", open::get, rejected);
        metrics.registerAdminRefusals(Map.of("no_token", noToken::get));
        evicted.set(9); // read when scraped, not when registered
        String text = metrics.scrape(null).body();
        assertTrue(text.contains("lcs_http_connections{cluster=\"c\",server=\"admin\"} 3.0\n"), text);
        assertTrue(text.contains("lcs_http_rejected_total{cluster=\"c\",reason=\"evicted\",server=\"admin\"} 9.0\n"), text);
        assertTrue(text.contains("lcs_http_rejected_total{cluster=\"c\",reason=\"header_timeout\",server=\"admin\"} 0.0\n"),
                text);
        assertTrue(text.contains("lcs_admin_requests_refused_total{cluster=\"c\",reason=\"no_token\"} 2.0\n"), text);
    }
}
