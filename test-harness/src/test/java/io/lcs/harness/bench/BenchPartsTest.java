package io.lcs.harness.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BenchPartsTest {
    @Test
    void isolationDropsPeersBothWaysAndVrrpMulticastButNotTheClient() {
        String nft = Bench.isolationChains("198.18.0.2, 198.18.0.3");
        assertTrue(nft.contains("hook input") && nft.contains("ip saddr { 198.18.0.2, 198.18.0.3 } drop"), nft);
        assertTrue(nft.contains("hook output") && nft.contains("ip daddr { 198.18.0.2, 198.18.0.3, 224.0.0.18 } drop"), nft);
        assertTrue(!nft.contains("198.18.0.250"), "the client must still reach the owner: " + nft);
    }

    @Test
    void keepalivedPrioritiesAre150_100_50ForThreeNodes() {
        assertEquals(List.of(150, 100, 50), Bench.priorities(3));
        assertEquals(5, Bench.priorities(5).size());
    }

    @Test
    void aptRemovalSimulationGivesThePackageNames() {
        String out = """
                NOTE: This is only a simulation!
                Remv ipvsadm [1:1.31-1+b1]
                Remv keepalived [1:2.2.7-1+b2]
                Remv libnl-3-200:amd64 [3.7.0-0.2+b1]
                Inst something-else (1.0 Debian:12)
                """;
        assertEquals(List.of("ipvsadm", "keepalived", "libnl-3-200"), KeepalivedInstall.parseRemovals(out));
    }

    @Test
    void eventLoopLagBucketsAreReadFromEitherExpositionStyleAndNothingElse() {
        String metrics = """
                # HELP lcs_event_loop_lag_seconds How late the event loop ran its ticks
                # TYPE lcs_event_loop_lag_seconds histogram
                lcs_event_loop_lag_seconds_bucket{le="0.001"} 10
                lcs_event_loop_lag_seconds_bucket{le="0.1",} 12.0
                lcs_event_loop_lag_seconds_bucket{node="a",le="0.25"} 13
                lcs_event_loop_lag_seconds_bucket{le="+Inf"} 14
                lcs_event_loop_lag_seconds_count 14
                lcs_state_persist_seconds_bucket{le="0.5"} 99
                """;
        TreeMap<Double, Double> b = Bench.lagBuckets(metrics);
        assertEquals(List.of(0.001, 0.1, 0.25, Double.POSITIVE_INFINITY), List.copyOf(b.keySet()));
        assertEquals(List.of(10.0, 12.0, 13.0, 14.0), List.copyOf(b.values()));
    }

    @Test
    void eventLoopLagOfTheWindowIsTheDifferenceOfTheTwoReadings() {
        // node 1: 100 ticks in the window, 2 of them in (0.1, 0.25], 1 in (0.25, 0.5]: worst <= 0.5 s
        TreeMap<Double, Double> before1 = buckets(50, 50, 50, 50, 50);
        TreeMap<Double, Double> after1 = buckets(147, 147, 149, 150, 150);
        // node 2: 10 ticks, all within 1 ms
        TreeMap<Double, Double> before2 = buckets(5, 5, 5, 5, 5);
        TreeMap<Double, Double> after2 = buckets(15, 15, 15, 15, 15);
        // node 3 did not answer before the window: left out
        Bench.LoopLag lag = Bench.loopLag(List.of(before1, before2, new TreeMap<>()),
                List.of(after1, after2, buckets(1, 1, 1, 1, 1)));
        assertEquals(2, lag.nodesRead());
        assertEquals(110, lag.ticks());
        assertEquals(0.5, lag.worstSeconds());
        assertEquals(3, lag.over100());
        assertEquals(1, lag.over250());

        Bench.LoopLag beyond = Bench.loopLag(List.of(buckets(0, 0, 0, 0, 0)), List.of(buckets(1, 1, 1, 1, 2)));
        assertEquals(Double.POSITIVE_INFINITY, beyond.worstSeconds(), "a tick above the last bound");
    }

    /** Cumulative counts at 0.001, 0.1, 0.25, 0.5 and +Inf. */
    private static TreeMap<Double, Double> buckets(double... counts) {
        double[] bounds = {0.001, 0.1, 0.25, 0.5, Double.POSITIVE_INFINITY};
        TreeMap<Double, Double> m = new TreeMap<>();
        for (int i = 0; i < bounds.length; i++) {
            m.put(bounds[i], counts[i]);
        }
        return m;
    }
}
