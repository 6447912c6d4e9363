package io.lcs.controller.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.status.ClusterStatus;
import io.lcs.model.status.ClusterStatus.NodeStatus;
import io.lcs.model.status.ClusterStatus.Quorum;
import io.lcs.model.status.ClusterStatus.VipStatus;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Measures what the exporter costs at 1,000 VIPs on 5 nodes: live heap it retains (after full
 * GCs, status snapshot excluded) and the median time of a scrape. A benchmark, not a CI test: its
 * name is outside Surefire's test patterns, so it runs only on demand ({@code ./mvnw -pl controller
 * -am test -Dtest=LcsMetricsFootprintBench -Dsurefire.failIfNoSpecifiedTests=false}); it prints its figures.
 */
class LcsMetricsFootprintBench {

    static ClusterStatus fiveNodesThousandVips() {
        List<NodeStatus> nodes = new ArrayList<>();
        for (int n = 1; n <= 5; n++) {
            nodes.add(new NodeStatus("node" + n, "full-member", true, n == 1, true, n == 1 ? null : 0.2,
                    n == 1 ? null : 0.8, false, false));
        }
        List<VipStatus> vips = new ArrayList<>();
        for (int v = 0; v < 1000; v++) {
            vips.add(new VipStatus("vip" + v, "198.18." + (v / 250) + "." + (v % 250) + "/32", "lo", "active",
                    "node" + (1 + v % 5), 3 + v % 7, 3.5, v % 3, List.of()));
        }
        return new ClusterStatus("bench", "node1", "0", new Quorum(true, 5, 3, 5), nodes, vips, false);
    }

    private static long liveHeapBytes(MemoryMXBean memory) {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    @Test
    void thousandVipsOnFiveNodes() {
        ClusterStatus status = fiveNodesThousandVips();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = liveHeapBytes(memory);
        LcsMetrics metrics = new LcsMetrics("bench", "0", () -> status);
        for (VipStatus v : status.vips()) {
            metrics.leaseAcquired(v.name());
            metrics.recordHook(v.name(), "post_start", 1_000_000, true);
        }
        metrics.refreshMeters();
        String body = metrics.scrape(null).body();
        long retained = liveHeapBytes(memory) - before;
        long[] nanos = new long[21];
        for (int i = 0; i < nanos.length; i++) {
            long t0 = System.nanoTime();
            body = metrics.scrape(null).body();
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long a0 = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        metrics.scrape(null);
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - a0;
        long lines = body.lines().filter(l -> !l.startsWith("#")).count();
        System.out.printf("BENCH metrics 1000 vips x 5 nodes: retained %.2f MiB, scrape median %.1f ms (min %.1f, max %.1f),"
                        + " %d samples, %d body bytes, %.2f MB allocated per scrape, %d meters%n",
                retained / 1048576.0, nanos[nanos.length / 2] / 1e6, nanos[0] / 1e6, nanos[nanos.length - 1] / 1e6,
                lines, body.length(), allocated / 1e6, metrics.meterRegistry().getMeters().size());
        assertTrue(lines > 13_000, "samples " + lines);
    }

    /**
     * The cost named in the design note of {@link MetricsServer}: the median of 50 warm renders of a
     * small cluster (three nodes, two VIPs). Was a timed assertion in MetricsServerTest; a figure to
     * read here, not a window to assert on a loaded CI machine.
     */
    @Test
    void aSmallClusterRenderTime() throws Exception {
        MetricsFixture fixture = new MetricsFixture();
        try {
            for (int i = 0; i < 100; i++) {
                fixture.metrics.scrape(null);
            }
            long[] nanos = new long[50];
            for (int i = 0; i < nanos.length; i++) {
                long t0 = System.nanoTime();
                fixture.metrics.scrape(null);
                nanos[i] = System.nanoTime() - t0;
            }
            Arrays.sort(nanos);
            System.out.printf("BENCH metrics 2 vips x 3 nodes: scrape render median %d us, p90 %d us%n",
                    nanos[nanos.length / 2] / 1000, nanos[nanos.length * 9 / 10] / 1000);
        } finally {
            fixture.close();
        }
    }
}
