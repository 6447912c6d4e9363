package io.lcs.harness.netns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lcs.harness.netns.OwnershipSampler.Interval;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The checker's pure rules, on hand-made observations (wall µs). */
class CheckerTest {
    private static Fault fault(String kind, String target, long at, String holder) {
        return new Fault(1, kind, List.of(target), at, at, Map.of("v", new TreeSet<>(List.of(holder))), false,
                kind.equals("move") ? "vip v to " + target : "");
    }

    private static ClientProbe.Sample answered(long at, String... macs) {
        return new ClientProbe.Sample(at, List.of(macs));
    }

    @Test
    void twoNodesHoldingOneVipAtOnceIsAnOverlapOfExactlyTheSharedTime() {
        List<Interval> iv = List.of(new Interval("v", "n1", 0, 1_000), new Interval("v", "n2", 900, 2_000),
                new Interval("w", "n3", 950, 1_500));
        assertEquals(List.of(new Checker.Overlap("v", "n1", "n2", 900, 1_000)), Checker.overlaps(iv, 5_000));
    }

    @Test
    void handOverWithoutSharedTimeAndSameNodeIntervalsAreNoOverlap() {
        List<Interval> iv = List.of(new Interval("v", "n1", 0, 1_000), new Interval("v", "n2", 1_000, 2_000),
                new Interval("v", "n2", 1_500, -1), new Interval("v", "n1", 3_000, -1));
        // n2's open interval (1500..now) and n1's open one (3000..now) do overlap
        assertEquals(List.of(new Checker.Overlap("v", "n2", "n1", 3_000, 5_000)), Checker.overlaps(iv, 5_000));
        assertEquals(List.of(), Checker.overlaps(iv.subList(0, 3), 5_000));
    }

    @Test
    void outageSpansFromLastAnswerToNextAnswerAndOneLostProbeIsNone() {
        List<ClientProbe.Sample> s = List.of(answered(0, "a"), answered(20), answered(40, "a"), answered(60),
                answered(80), answered(100), answered(120, "b"));
        assertEquals(List.of(new Checker.Outage("v", 40, 120, "a", "b")), Checker.outages("v", s));
    }

    @Test
    void twoMacsInOneProbeIsADoubleAnswer() {
        List<ClientProbe.Sample> s = List.of(answered(0, "a"), answered(20, "a", "b"));
        assertEquals(1, Checker.doubleAnswers("v", s).size());
    }

    @Test
    void failoverIsTimeFromFaultToTheFirstOtherHolderAndDropIsTheHoldersEnd() {
        Fault f = fault("kill9", "n1", 1_000_000, "n1");
        List<Interval> iv = List.of(new Interval("v", "n1", 0, 1_600_000), new Interval("v", "n2", 3_000_000, -1));
        Checker.VipFailover v = Checker.failovers(f, 10_000_000, iv, List.of(), 10_000_000).get(0);
        assertEquals(Checker.FAILOVER, v.outcome());
        assertEquals(600_000, v.droppedAfterMicros());
        assertEquals(2_000_000, v.takeoverAfterMicros());
        assertEquals("n2", v.newHolder());
    }

    @Test
    void holderThatNeverLostTheVipKeptItAndALaterFaultIsNotBlamedOnThisOne() {
        Fault f = fault("freeze", "n1", 1_000_000, "n1");
        List<Interval> iv = List.of(new Interval("v", "n1", 0, 8_000_000), new Interval("v", "n2", 10_000_000, -1));
        // the next fault started at 5 s: the drop at 8 s belongs to it
        Checker.VipFailover v = Checker.failovers(f, 5_000_000, iv, List.of(), 20_000_000).get(0);
        assertEquals(Checker.KEPT, v.outcome());
        assertEquals(-1, v.takeoverAfterMicros());
    }

    @Test
    void sameNodeTakingItBackIsReacquiredNotFailover() {
        Fault f = fault("freeze", "n1", 1_000_000, "n1");
        List<Interval> iv = List.of(new Interval("v", "n1", 0, 2_000_000), new Interval("v", "n1", 2_500_000, -1));
        assertEquals(Checker.REACQUIRED, Checker.failovers(f, 9_000_000, iv, List.of(), 9_000_000).get(0).outcome());
    }

    @Test
    void faultOnANodeHoldingNothingMeasuresNothing() {
        Fault f = fault("kill9", "n3", 1_000_000, "n1");
        assertEquals(List.of(), Checker.failovers(f, 9_000_000, List.of(), List.of(), 9_000_000));
    }

    @Test
    void statsAreMinMedianP95MaxByNearestRank() {
        assertArrayEquals(new long[] {1, 10, 19, 20}, Checker.stats(List.of(20L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L,
                10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L)));
        assertNull(Checker.stats(List.of()));
    }
}
