package io.lcs.harness.netns;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of a run: overlaps (must be none), client double answers (must be none), outages,
 * every fault with its per-VIP failover measurements, a table per fault kind and the scenario
 * checks. Times in the JSON are milliseconds since the run started. {@link #summary()} is the
 * human version; {@link #write} stores both next to the node logs.
 */
public record Report(String runId, String mode, Long seed, long durationMillis, Cluster.Settings settings,
                     String runDir, Precision precision, List<OverlapMs> overlaps, List<DoubleAnswerMs> doubleAnswers,
                     int outageCount, List<OutageMs> outages, List<FaultMs> faults, Map<String, KindStats> table,
                     List<Check> checks, String verdict) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final int MAX_LISTED = 500;

    /** How exact the observations are. */
    public record Precision(String ownershipSource, long pollIntervalMillis, long probeIntervalMillis,
                            long samplerEvents, int samplerDiscrepancies, List<String> samplerProblems,
                            String probeFailure, Map<String, Integer> probeSamples) {
    }

    public record OverlapMs(String vip, String nodeA, String nodeB, double fromMs, double toMs, double lengthMs) {
    }

    public record DoubleAnswerMs(String vip, double atMs, List<String> nodes) {
    }

    public record OutageMs(String vip, double fromMs, double toMs, double lengthMs, String nodeBefore, String nodeAfter) {
    }

    public record VipMs(String vip, String holderAtStart, String outcome, Double droppedAfterMs, Double failoverMs,
                        String newHolder, Double clientOutageMs) {
    }

    public record FaultMs(int id, String kind, List<String> targets, double atMs, double endMs, String detail,
                          List<VipMs> vips) {
    }

    /** min / median / p95 / max in ms, null when nothing was measured. */
    public record Dist(int n, double min, double median, double p95, double max) {
        static Dist of(List<Long> micros) {
            long[] s = Checker.stats(micros);
            return s == null ? null : new Dist(micros.size(), s[0] / 1000.0, s[1] / 1000.0, s[2] / 1000.0, s[3] / 1000.0);
        }
    }

    /**
     * Per fault kind: how many faults, how many VIP holdings they hit, and of those how many were
     * never held again within the horizon ({@code none}), kept by their holder, or reacquired by
     * it; failover time counts only takeovers by another node (any node for a full restart).
     */
    public record KindStats(int faults, int vipsHit, int none, int kept, int reacquired, Dist failoverMs,
                            Dist droppedMs, Dist clientOutageMs) {
    }

    /** Builds the report from what the harness observed. */
    public static Report build(Harness h, String mode, Long seed, List<Check> checks) {
        long start = h.startMicros();
        long now = WallMicros.now();
        List<OwnershipSampler.Interval> intervals = h.sampler().intervals();
        List<OverlapMs> overlaps = new ArrayList<>();
        for (Checker.Overlap o : Checker.overlaps(intervals, now)) {
            overlaps.add(new OverlapMs(o.vip(), o.nodeA(), o.nodeB(), ms(o.fromMicros() - start), ms(o.toMicros() - start),
                    ms(o.micros())));
        }
        List<DoubleAnswerMs> doubles = new ArrayList<>();
        List<Checker.Outage> allOutages = new ArrayList<>();
        Map<String, Integer> probeSamples = new LinkedHashMap<>();
        ClientProbe probe = h.probe();
        for (int i = 0; i < probe.vips().size(); i++) {
            String vip = probe.vips().get(i).name();
            List<ClientProbe.Sample> samples = probe.samples(i);
            probeSamples.put(vip, samples.size());
            for (Checker.DoubleAnswer d : Checker.doubleAnswers(vip, samples)) {
                doubles.add(new DoubleAnswerMs(vip, ms(d.atMicros() - start), d.macs().stream().map(h::nodeOfMac).toList()));
            }
            allOutages.addAll(Checker.outages(vip, samples));
        }
        List<OutageMs> outages = new ArrayList<>();
        for (Checker.Outage o : allOutages) {
            if (outages.size() < MAX_LISTED) {
                outages.add(new OutageMs(o.vip(), ms(o.fromMicros() - start), o.toMicros() < 0 ? -1 : ms(o.toMicros() - start),
                        o.toMicros() < 0 ? -1 : ms(o.micros()), h.nodeOfMac(o.macBefore()),
                        o.macAfter() == null ? null : h.nodeOfMac(o.macAfter())));
            }
        }
        List<FaultMs> faults = new ArrayList<>();
        Map<String, List<Long>> failover = new LinkedHashMap<>();
        Map<String, List<Long>> dropped = new LinkedHashMap<>();
        Map<String, List<Long>> outage = new LinkedHashMap<>();
        Map<String, int[]> counts = new LinkedHashMap<>(); // faults, vips hit, none, kept, reacquired
        List<Fault> log = h.faultLog();
        for (int fi = 0; fi < log.size(); fi++) {
            Fault f = log.get(fi);
            long windowEnd = fi + 1 < log.size() ? log.get(fi + 1).startMicros() : now;
            List<VipMs> vips = new ArrayList<>();
            int[] c = counts.computeIfAbsent(f.kind(), k -> new int[5]);
            c[0]++;
            for (Checker.VipFailover v : Checker.failovers(f, windowEnd, intervals, allOutages, now)) {
                vips.add(new VipMs(v.vip(), v.holderAtStart(), v.outcome(), v.droppedAfterMicros() < 0 ? null : ms(v.droppedAfterMicros()),
                        v.takeoverAfterMicros() < 0 ? null : ms(v.takeoverAfterMicros()), v.newHolder(),
                        ms(v.clientOutageMicros())));
                c[1]++;
                switch (v.outcome()) {
                    case Checker.NONE -> c[2]++;
                    case Checker.KEPT -> c[3]++;
                    case Checker.REACQUIRED -> c[4]++;
                    default -> failover.computeIfAbsent(f.kind(), k -> new ArrayList<>()).add(v.takeoverAfterMicros());
                }
                if (v.droppedAfterMicros() >= 0) {
                    dropped.computeIfAbsent(f.kind(), k -> new ArrayList<>()).add(v.droppedAfterMicros());
                }
                if (v.clientOutageMicros() > 0) {
                    outage.computeIfAbsent(f.kind(), k -> new ArrayList<>()).add(v.clientOutageMicros());
                }
            }
            faults.add(new FaultMs(f.id(), f.kind(), f.targets(), ms(f.startMicros() - start),
                    ms(f.endMicros() - start), f.detail(), vips));
        }
        Map<String, KindStats> table = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            String k = e.getKey();
            table.put(k, new KindStats(e.getValue()[0], e.getValue()[1], e.getValue()[2], e.getValue()[3], e.getValue()[4],
                    Dist.of(failover.getOrDefault(k, List.of())), Dist.of(dropped.getOrDefault(k, List.of())),
                    Dist.of(outage.getOrDefault(k, List.of()))));
        }
        OwnershipSampler s = h.sampler();
        Precision precision = new Precision("ip -ts monitor address per node namespace (kernel netlink events, µs "
                + "timestamps), cross-checked by ip -j addr show every " + OwnershipSampler.POLL_INTERVAL.toMillis() + " ms",
                OwnershipSampler.POLL_INTERVAL.toMillis(), ClientProbe.INTERVAL.toMillis(), s.events(), s.discrepancies(),
                s.problems(), probe.failure(), probeSamples);
        boolean ok = overlaps.isEmpty() && doubles.isEmpty() && checks.stream().allMatch(Check::ok);
        return new Report(h.runId(), mode, seed, (now - start) / 1000, h.cluster().settings(), h.runDir().toString(),
                precision, overlaps, doubles.size() > MAX_LISTED ? doubles.subList(0, MAX_LISTED) : doubles,
                allOutages.size(), outages, faults, table, checks, ok ? "PASS" : "FAIL");
    }

    private static double ms(long micros) {
        return Math.round(micros / 100.0) / 10.0;
    }

    public String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new HarnessException("cannot render the report as JSON: " + e.getMessage(), e);
        }
    }

    /** Writes {@code report.json} and {@code summary.txt} into {@code dir}. */
    public void write(Path dir) {
        try {
            Files.writeString(dir.resolve("report.json"), json());
            Files.writeString(dir.resolve("summary.txt"), summary());
        } catch (IOException e) {
            throw new HarnessException("cannot write the report into " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The human summary: verdict, overlaps, failover table per fault kind, failed checks. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "lcs netns harness: run %s (%s%s), %d s, %d nodes (%d witness), lease %d ms, "
                        + "renew %d ms, %d VIPs%n", runId, mode, seed == null ? "" : ", seed " + seed, durationMillis / 1000,
                settings.nodes(), settings.witnesses(), settings.leaseMillis(), settings.renewMillis(),
                settings.vipPairs() * 2));
        sb.append(String.format(Locale.ROOT, "verdict: %s%n", verdict));
        sb.append(String.format(Locale.ROOT, "overlaps (two kernels holding one VIP): %d; client double answers: %d; "
                        + "client outages: %d; faults: %d%n", overlaps.size(), doubleAnswers.size(), outageCount,
                faults.size()));
        sb.append(String.format(Locale.ROOT, "precision: kernel events via ip monitor (µs stamps), poll cross-check every "
                        + "%d ms (%d missed events), client probe every %d ms%n", precision.pollIntervalMillis(),
                precision.samplerDiscrepancies(), precision.probeIntervalMillis()));
        for (OverlapMs o : overlaps) {
            sb.append(String.format(Locale.ROOT, "  OVERLAP %s on %s and %s from %.1f ms to %.1f ms (%.1f ms)%n", o.vip(),
                    o.nodeA(), o.nodeB(), o.fromMs(), o.toMs(), o.lengthMs()));
        }
        sb.append(String.format(Locale.ROOT, "%n%-15s %5s %4s %4s %4s %4s | %-29s | %-29s | %-29s%n", "fault", "count",
                "vips", "kept", "reac", "none", "failover ms min/med/p95/max", "holder dropped ms", "client outage ms"));
        for (Map.Entry<String, KindStats> e : table.entrySet()) {
            KindStats k = e.getValue();
            sb.append(String.format(Locale.ROOT, "%-15s %5d %4d %4d %4d %4d | %-29s | %-29s | %-29s%n", e.getKey(),
                    k.faults(), k.vipsHit(), k.kept(), k.reacquired(), k.none(), dist(k.failoverMs()), dist(k.droppedMs()),
                    dist(k.clientOutageMs())));
        }
        sb.append("(vips: VIP holdings the faults hit; kept: holder never lost it; reac: same node took it back; "
                + "none: nobody held it within 60 s)\n");
        if (!checks.isEmpty()) {
            sb.append('\n');
            for (Check c : checks) {
                sb.append(c.ok() ? "  ok   " : "  FAIL ").append(c.scenario()).append(": ").append(c.rule()).append(" — ")
                        .append(c.detail()).append('\n');
            }
        }
        sb.append("\nlogs and report.json: ").append(runDir).append('\n');
        return sb.toString();
    }

    private static String dist(Dist d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.0f / %.0f / %.0f / %.0f", d.min(), d.median(), d.p95(),
                d.max());
    }
}
