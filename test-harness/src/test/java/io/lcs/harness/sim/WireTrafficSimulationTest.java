package io.lcs.harness.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Idle peer traffic at scale, measured in the deterministic simulation (every message through the
 * wire codec, no loss, no faults): five full members and 1,000 VIPs, lease 2 s, renew 0.5 s. The
 * figure does not depend on the machine's load, unlike the loopback benchmark.
 */
class WireTrafficSimulationTest {
    static final int VIPS = Integer.getInteger("lcs.sim.trafficVips", 1_000);

    @Test
    void fiveNodesWithAThousandVipsIdleUnderFiftyKilobytesPerSecond() {
        List<String> vips = new ArrayList<>();
        for (int i = 0; i < VIPS; i++) {
            vips.add(String.format("v%04d", i));
        }
        SimCluster sim = new SimCluster(new SimCluster.Options(7, 5, 0, 2_000, 500, 0.01, true, true, true, vips,
                0, null));
        sim.network().setDelay(200_000, 1_000_000);
        sim.runForMillis(15_000); // acquire everything and settle
        int held = 0;
        for (String v : vips) {
            for (SimNode n : sim.nodes()) {
                if (n.core().lease(v, n.clock().monoNanos()).held()) {
                    held++;
                }
            }
        }
        assertEquals(VIPS, held, "every VIP held exactly once after the settle");
        long bytes0 = sim.network().bytes();
        java.util.Map<String, Long> byType0 = sim.network().bytesByType();
        long sent0 = sim.network().sent();
        sim.runForMillis(10_000);
        double bytesPerSecond = (sim.network().bytes() - bytes0) / 10.0;
        double messagesPerSecond = (sim.network().sent() - sent0) / 10.0;
        java.util.Map<String, Long> byType = new java.util.TreeMap<>();
        sim.network().bytesByType().forEach((k, b) -> byType.put(k, (b - byType0.getOrDefault(k, 0L)) / 10));
        System.out.printf("idle traffic, 5 nodes, %d VIPs: %.0f B/s (%.0f per directed link), %.1f messages/s; "
                + "B/s by message type: %s%n", VIPS, bytesPerSecond, bytesPerSecond / 20, messagesPerSecond, byType);
        assertTrue(bytesPerSecond <= 50_000, "idle traffic " + bytesPerSecond + " B/s is over 50 KB/s");

        // kill the busiest owner: every one of its VIPs must be held elsewhere within 3 s
        java.util.Map<String, List<String>> byOwner = new java.util.TreeMap<>();
        for (String v : vips) {
            for (SimNode n : sim.nodes()) {
                if (n.core().lease(v, n.clock().monoNanos()).held()) {
                    byOwner.computeIfAbsent(n.name(), k -> new ArrayList<>()).add(v);
                }
            }
        }
        String victim = byOwner.entrySet().stream().max(java.util.Map.Entry.comparingByValue(
                java.util.Comparator.comparingInt(List::size))).orElseThrow().getKey();
        List<String> lost = byOwner.get(victim);
        long killedAt = sim.clock().nowNanos();
        sim.crash(victim);
        long doneAt = -1;
        for (int step = 0; step < 1_000 && doneAt < 0; step++) { // 10 ms steps, at most 10 s
            sim.runForMillis(10);
            int back = 0;
            for (String v : lost) {
                for (SimNode n : sim.nodes()) {
                    if (n.core() != null && !n.name().equals(victim)
                            && n.core().lease(v, n.clock().monoNanos()).held()) {
                        back++;
                        break;
                    }
                }
            }
            if (back == lost.size()) {
                doneAt = sim.clock().nowNanos();
            }
        }
        double seconds = (doneAt - killedAt) / 1e9;
        System.out.printf("crash of %s holding %d VIPs: all held elsewhere after %.2f s%n", victim, lost.size(),
                seconds);
        assertTrue(doneAt > 0 && seconds <= 3.0, "failover of " + lost.size() + " VIPs took " + seconds + " s");
    }
}
