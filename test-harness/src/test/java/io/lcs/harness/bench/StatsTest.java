package io.lcs.harness.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void p95OfTwentyIsTheNineteenthSmallestAndMedianOfEvenCountIsTheMeanOfTheMiddleTwo() {
        List<Double> v = new ArrayList<>();
        for (int i = 20; i >= 1; i--) {
            v.add((double) i * 10);
        }
        Stats.Summary s = Stats.of(v);
        assertEquals(20, s.n());
        assertEquals(10, s.min());
        assertEquals(105, s.median());
        assertEquals(190, s.p95());
        assertEquals(200, s.max());
    }

    @Test
    void oddCountMedianIsTheMiddleAndP95OfThreeIsTheLargest() {
        Stats.Summary s = Stats.of(List.of(3.0, 1.0, 2.0));
        assertEquals(2, s.median());
        assertEquals(3, s.p95());
    }

    @Test
    void nanTrialsAreLeftOutAndNothingGivesAnEmptySummary() {
        Stats.Summary s = Stats.of(List.of(Double.NaN, 5.0));
        assertEquals(1, s.n());
        assertEquals(5, s.median());
        assertTrue(Stats.of(List.of(Double.NaN)).empty());
        assertTrue(Double.isNaN(Stats.of(List.of()).median()));
    }
}
