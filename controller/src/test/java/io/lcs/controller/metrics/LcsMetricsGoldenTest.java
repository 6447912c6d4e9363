package io.lcs.controller.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The lcs_* part of the exposition is byte for byte what it was when every series was a Micrometer
 * meter (captured before the per-VIP and per-node series moved to a scrape-time collector): names,
 * label names and values, TYPE and HELP lines, values, in both text formats. The fixtures were
 * written by the Micrometer-meter implementation from {@link MetricsFixture#threeNodesTwoVips()}
 * with the recordings of {@link #recordings(LcsMetrics)}, then changed on purpose only where a
 * metric's meaning changed (lcs_vip_failovers_total no longer counts planned moves, which have
 * lcs_vip_moves_total; lcs_vip_owner has a series for every configured node, quorum-only ones too, as
 * the original README shows; the C lcs 1.1's lcs_resource_* family, lcs_node_voting_ready and
 * lcs_cluster_membership_seconds were added); set {@code -Dlcs.golden.write=DIR} to write the current output there
 * instead of comparing.
 */
class LcsMetricsGoldenTest {

    /** The same recordings as the fixture's, made without a server (no HTTP needed to render). */
    static void recordings(LcsMetrics metrics) {
        metrics.leaseAcquired("vip1");
        metrics.leaseRenewalFailed("vip1");
        metrics.recordReconcile("vip", TimeUnit.MILLISECONDS.toNanos(3));
        metrics.reconcileFailed("vip");
        metrics.recordHook("vip1", "pre_start", TimeUnit.MILLISECONDS.toNanos(20), true);
        metrics.recordHook("vip2", "pre_start", TimeUnit.MILLISECONDS.toNanos(40), false);
        metrics.recordHook("vip1", "post_start", TimeUnit.MILLISECONDS.toNanos(7), true);
        metrics.recordHook("vip1", "post_start", TimeUnit.MILLISECONDS.toNanos(5), true);
    }

    /** The lines of the lcs_* families, with the java label of lcs_build_info made runtime-independent. */
    static String lcsLines(String body) {
        List<String> out = new ArrayList<>();
        String java = Runtime.version().toString();
        for (String line : body.split("\n", -1)) {
            String[] words = line.split(" ", 4);
            String name = line.startsWith("# ") ? (words.length > 2 ? words[2] : "") : line;
            if (name.startsWith("lcs_")) {
                out.add(line.replace("java=\"" + java + "\"", "java=\"JAVA\""));
            }
        }
        return String.join("\n", out) + "\n";
    }

    private static String render(String accept) {
        LcsMetrics metrics = new LcsMetrics(MetricsFixture.CLUSTER, MetricsFixture.VERSION,
                MetricsFixture::threeNodesTwoVips);
        recordings(metrics);
        return lcsLines(metrics.scrape(accept).body());
    }

    private static void check(String resource, String actual) throws IOException {
        String dir = System.getProperty("lcs.golden.write");
        if (dir != null) {
            Files.writeString(Path.of(dir, resource), actual, StandardCharsets.UTF_8);
            return;
        }
        String expected;
        try (InputStream in = Objects.requireNonNull(LcsMetricsGoldenTest.class.getResourceAsStream(resource), resource)) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(expected, actual, resource);
    }

    @Test
    void prometheusTextOfTheLcsFamiliesIsUnchanged() throws IOException {
        check("golden-0.0.4.txt", render(null));
    }

    @Test
    void openMetricsTextOfTheLcsFamiliesIsUnchanged() throws IOException {
        check("golden-openmetrics.txt", render("application/openmetrics-text"));
    }
}
