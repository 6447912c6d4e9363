package io.lcs.harness.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrafficProbeTest {

    @Test
    void theOutageIsTheLongestSilenceEndingAfterTheFault() {
        // answers every 10 ms until 1,300 ms after the fault at 10,000 ms (the old owner's kernel),
        // then nothing until 2,050 ms; an earlier, longer silence before the fault does not count
        List<Long> answers = new java.util.ArrayList<>(List.of(1_000_000L, 5_000_000L));
        for (long t = 9_000_000L; t <= 11_300_000L; t += 10_000L) {
            answers.add(t);
        }
        answers.add(12_050_000L);
        answers.add(12_060_000L);

        TrafficProbe.Outage o = TrafficProbe.outage(answers, 10_000_000L, 0, 20_000_000L);

        assertEquals(750.0, o.gapMs(), 0.001);
        assertEquals(2_050.0, o.firstAnswerAfterFaultMs(), 0.001);
    }

    @Test
    void noAnswerInTheWindowIsNoFigure() {
        TrafficProbe.Outage o = TrafficProbe.outage(List.of(1L), 10L, 5L, 20L);
        assertTrue(Double.isNaN(o.gapMs()) && Double.isNaN(o.firstAnswerAfterFaultMs()));
    }
}
