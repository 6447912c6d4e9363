package io.lcs.harness.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {
    @Test
    void eachAreaIsATableWithTargetAndMetAgainstLcsFigure() {
        BenchReport.Target t = new BenchReport.Target("median ≤ 2000 ms", 2000);
        BenchReport r = new BenchReport().title("bench", "2026-01-01T00:00:00Z")
                .machine("nproc", "2").version("keepalived", "Keepalived v2.2.7").command("lcs-harness bench --trials 3")
                .area(new BenchReport.Area("Failover", List.of(
                        BenchReport.row("kill -9 median", 1500, 3600, "ms", t),
                        BenchReport.row("freeze median", 2500, 3600, "ms", t),
                        BenchReport.row("isolate median", Double.NaN, 3600, "ms", t)), List.of("a | note")));
        String md = r.render();
        assertTrue(md.startsWith("# bench\n"), md);
        assertTrue(md.contains("| nproc | 2 |"), md);
        assertTrue(md.contains("```sh\nlcs-harness bench --trials 3\n```"), md);
        assertTrue(md.contains("## Failover\n\n| metric | lcs | keepalived | lcs / keepalived | target (lcs) | met |"), md);
        assertTrue(md.contains("| kill -9 median | 1500 ms | 3600 ms | 0.42 | median ≤ 2000 ms | met |"), md);
        assertTrue(md.contains("| freeze median | 2500 ms | 3600 ms | 0.69 | median ≤ 2000 ms | **not met** |"), md);
        assertTrue(md.contains("| isolate median | n/a | 3600 ms | - | median ≤ 2000 ms | not measured |"), md);
        assertTrue(md.contains("- a | note\n"), "notes are list items, not table cells: " + md);
    }

    @Test
    void numbersAreRoundedByMagnitudeAndSummariesListMinMedianP95Max() {
        assertEquals("1235 ms", BenchReport.num(1234.6, "ms"));
        assertEquals("12.3 MiB", BenchReport.num(12.34, "MiB"));
        assertEquals("0.42 s/min", BenchReport.num(0.4213, "s/min"));
        assertEquals("n/a", BenchReport.num(Double.NaN, "ms"));
        assertEquals("1 / 2 / 3 / 3 ms (n=3)", BenchReport.mmpm(Stats.of(List.of(1.0, 2.0, 3.0)), "ms"));
        assertEquals("n/a", BenchReport.mmpm(Stats.Summary.EMPTY, "ms"));
        assertEquals("a \\| b", BenchReport.cell("a | b"));
    }

    @Test
    void aP95TargetIsJudgedByThePercentileNotByTheMedian() {
        // 19 fast trials and one slow one: the median is fine, the p95 (19th of 20) too; 2 slow ones fail the p95
        List<Double> oneSlow = new java.util.ArrayList<>(java.util.Collections.nCopies(19, 1000.0));
        oneSlow.add(5000.0);
        List<Double> twoSlow = new java.util.ArrayList<>(java.util.Collections.nCopies(18, 1000.0));
        twoSlow.add(5000.0);
        twoSlow.add(5000.0);
        BenchReport.Target p95 = BenchReport.Target.p95(2000, "ms");
        assertEquals("p95 ≤ 2000 ms", p95.text());
        assertEquals("met", p95.met(Stats.of(oneSlow)));
        assertEquals("**not met**", p95.met(Stats.of(twoSlow)));
        assertEquals("met", new BenchReport.Target("median ≤ 2000 ms", 2000).met(Stats.of(twoSlow)));
        assertEquals("not measured", p95.met(Stats.Summary.EMPTY));
    }
}
