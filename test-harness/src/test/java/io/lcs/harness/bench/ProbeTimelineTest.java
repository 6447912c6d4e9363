package io.lcs.harness.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.harness.netns.ClientProbe.Sample;
import io.lcs.harness.netns.OwnershipSampler.Interval;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeTimelineTest {
    static final String OLD = "02:00:00:00:00:01";
    static final String NEW = "02:00:00:00:00:02";

    /** One probe every 20 ms from {@code fromMs} to {@code toMs} (exclusive), answered by {@code macs}. */
    static void probes(List<Sample> out, long fromMs, long toMs, String... macs) {
        for (long t = fromMs; t < toMs; t += 20) {
            out.add(new Sample(t * 1000, List.of(macs)));
        }
    }

    @Test
    void gapIsFirstReplyOfTheNewMacMinusLastReplyOfTheOldMac() {
        List<Sample> s = new ArrayList<>();
        probes(s, 0, 1000, OLD);        // old owner answers until 980 ms
        probes(s, 1000, 2500);          // silence
        probes(s, 2500, 4000, NEW);     // new owner from 2500 ms
        ProbeTimeline.Failover f = ProbeTimeline.failover(s, OLD, 800_000, 4_000_000);
        assertEquals(NEW, f.newMac());
        assertEquals(2500 - 980, f.gapMs(), 1e-9);
        assertEquals(2500 - 800, f.toNewMs(), 1e-9);
        assertEquals(0, f.doubleSamples());
        assertTrue(f.failedOver());
    }

    @Test
    void anOldOwnerThatKeepsAnsweringGivesASmallGapAndDoubleAnswers() {
        List<Sample> s = new ArrayList<>();
        probes(s, 0, 3000, OLD);
        probes(s, 3000, 4000, OLD, NEW);  // both answer each probe
        ProbeTimeline.Failover f = ProbeTimeline.failover(s, OLD, 1000_000, 4_000_000);
        assertEquals(NEW, f.newMac());
        assertEquals(20, f.gapMs(), 1e-9);
        assertEquals(2000, f.toNewMs(), 1e-9);
        assertEquals(50, f.doubleSamples());
    }

    @Test
    void repliesBeforeTheFaultNeverCountAsTheNewOwnerNorAsDoubleAnswers() {
        List<Sample> s = new ArrayList<>();
        probes(s, 0, 100, OLD, NEW);   // an old double answer, before the fault
        probes(s, 100, 1000, OLD);
        ProbeTimeline.Failover f = ProbeTimeline.failover(s, OLD, 500_000, 1_000_000);
        assertNull(f.newMac());
        assertFalse(f.failedOver());
        assertTrue(Double.isNaN(f.gapMs()));
        assertEquals(0, f.doubleSamples());
    }

    @Test
    void macsCompareCaseInsensitivelyAndBadWindowsAreRejected() {
        List<Sample> s = new ArrayList<>();
        probes(s, 0, 100, OLD);
        probes(s, 100, 200, NEW);
        assertEquals(20, ProbeTimeline.failover(s, OLD.toUpperCase(), 50_000, 200_000).gapMs(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> ProbeTimeline.failover(s, OLD, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> ProbeTimeline.failover(s, "", 1, 2));
    }

    @Test
    void firstAnswerWantsTheMacAloneUnlessAnyMacWillDo() {
        List<Sample> s = new ArrayList<>();
        probes(s, 0, 100);
        probes(s, 100, 200, OLD, NEW);
        probes(s, 200, 300, NEW);
        assertEquals(200_000, ProbeTimeline.firstAnswer(s, NEW, 0));
        assertEquals(100_000, ProbeTimeline.firstAnswer(s, null, 0));
        assertEquals(-1, ProbeTimeline.firstAnswer(s, "02:00:00:00:00:09", 0));
        assertEquals(5, ProbeTimeline.doubleAnswers(s, 0, 300_000));
    }

    @Test
    void kernelOverlapSumsOnlyTimeTwoDifferentNodesHeldTheVipInsideTheWindow() {
        List<Interval> iv = List.of(
                new Interval("v4-1", "n1", 0, 1_000_000),
                new Interval("v4-1", "n2", 900_000, -1),          // still open: ends at now
                new Interval("v4-1", "n1", 1_500_000, 1_600_000),  // overlaps n2 for 100 ms
                new Interval("v6-1", "n3", 0, 5_000_000));          // another VIP
        assertEquals(200, ProbeTimeline.kernelOverlapMs(iv, "v4-1", 0, 3_000_000, 3_000_000), 1e-9);
        assertEquals(100, ProbeTimeline.kernelOverlapMs(iv, "v4-1", 1_200_000, 3_000_000, 3_000_000), 1e-9);
        assertEquals(0, ProbeTimeline.kernelOverlapMs(iv, "v4-1", 0, 800_000, 3_000_000), 1e-9);
    }
}
