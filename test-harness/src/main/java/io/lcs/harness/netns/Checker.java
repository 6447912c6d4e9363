package io.lcs.harness.netns;

import io.lcs.harness.netns.OwnershipSampler.Interval;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Pure functions over the observations (no I/O): overlaps between kernels, double answers seen by
 * the client, client outages, and per-fault failover measurements. Times are wall µs.
 */
public final class Checker {
    /** Unanswered probes in a row that make an outage (one lost probe is noise). */
    static final int OUTAGE_MIN_MISSES = 2;
    /** How long after a fault the checker looks for the takeover before calling it missing. */
    static final long TAKEOVER_HORIZON_MICROS = 60_000_000L;

    private Checker() {
    }

    /** Two nodes' kernels held one VIP at once, from {@code fromMicros} to {@code toMicros}. */
    public record Overlap(String vip, String nodeA, String nodeB, long fromMicros, long toMicros) {
        public long micros() {
            return toMicros - fromMicros;
        }
    }

    /** The client saw two MACs answer for {@code vip} in one probe. */
    public record DoubleAnswer(String vip, long atMicros, List<String> macs) {
    }

    /** No answer for {@code vip} from {@code fromMicros} (last answer) to {@code toMicros} (next answer, or -1). */
    public record Outage(String vip, long fromMicros, long toMicros, String macBefore, String macAfter) {
        public long micros() {
            return toMicros - fromMicros;
        }
    }

    /**
     * One VIP's fate in one fault.
     *
     * @param holderAtStart the node that held it when the fault started (null if none)
     * @param droppedAfterMicros how long after the start the affected holder's kernel lost it (-1: never in the horizon)
     * @param takeoverAfterMicros how long until another (or, for restarts, any) node held it (-1: not seen)
     * @param newHolder that node
     * @param clientOutageMicros the client outage overlapping the fault (0 if none)
     */
    public record VipFailover(String vip, String holderAtStart, String outcome, long droppedAfterMicros,
                              long takeoverAfterMicros, String newHolder, long clientOutageMicros) {
    }

    /** The holder never lost the VIP (e.g. a freeze shorter than the kernel lifetime). */
    public static final String KEPT = "kept";
    /** Another node (or, for a restart fault, any node) took it. */
    public static final String FAILOVER = "failover";
    /** The same node held it again after losing it (a short freeze, a brief partition). */
    public static final String REACQUIRED = "reacquired";
    /** Nobody held it within the horizon. */
    public static final String NONE = "none";

    /** Every pair of intervals of one VIP on two different nodes that intersect. */
    public static List<Overlap> overlaps(List<Interval> intervals, long nowMicros) {
        List<Interval> sorted = new ArrayList<>(intervals);
        sorted.sort(Comparator.comparing(Interval::vip).thenComparingLong(Interval::fromMicros));
        List<Overlap> out = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            Interval a = sorted.get(i);
            long aEnd = a.endOr(nowMicros);
            for (int j = i + 1; j < sorted.size(); j++) {
                Interval b = sorted.get(j);
                if (!b.vip().equals(a.vip()) || b.fromMicros() >= aEnd) {
                    break;
                }
                if (!b.node().equals(a.node())) {
                    long to = Math.min(aEnd, b.endOr(nowMicros));
                    if (to > b.fromMicros()) {
                        out.add(new Overlap(a.vip(), a.node(), b.node(), b.fromMicros(), to));
                    }
                }
            }
        }
        return out;
    }

    public static List<DoubleAnswer> doubleAnswers(String vip, List<ClientProbe.Sample> samples) {
        List<DoubleAnswer> out = new ArrayList<>();
        for (ClientProbe.Sample s : samples) {
            if (s.macs().size() > 1) {
                out.add(new DoubleAnswer(vip, s.atMicros(), s.macs()));
            }
        }
        return out;
    }

    /**
     * Runs of at least {@link #OUTAGE_MIN_MISSES} unanswered probes after the first answer: the
     * outage spans from the last answered probe to the next answered one.
     */
    public static List<Outage> outages(String vip, List<ClientProbe.Sample> samples) {
        List<Outage> out = new ArrayList<>();
        ClientProbe.Sample lastAnswered = null;
        int misses = 0;
        for (ClientProbe.Sample s : samples) {
            if (s.macs().isEmpty()) {
                misses++;
                continue;
            }
            if (lastAnswered != null && misses >= OUTAGE_MIN_MISSES) {
                out.add(new Outage(vip, lastAnswered.atMicros(), s.atMicros(), lastAnswered.macs().get(0),
                        s.macs().get(0)));
            }
            misses = 0;
            lastAnswered = s;
        }
        if (lastAnswered != null && misses >= OUTAGE_MIN_MISSES) {
            out.add(new Outage(vip, lastAnswered.atMicros(), -1, lastAnswered.macs().get(0), null));
        }
        return out;
    }

    /**
     * What happened to each VIP held by a target of {@code f}, looking no further than
     * {@code windowEndMicros} (the next fault's start, so a later fault's effect is not blamed on
     * this one) and {@link #TAKEOVER_HORIZON_MICROS}.
     */
    public static List<VipFailover> failovers(Fault f, long windowEndMicros, List<Interval> intervals,
                                              List<Outage> outages, long nowMicros) {
        List<VipFailover> out = new ArrayList<>();
        for (Map.Entry<String, TreeSet<String>> e : f.holdersAtStart().entrySet()) {
            String vip = e.getKey();
            String holder = e.getValue().isEmpty() ? null : e.getValue().first();
            boolean hit = f.kind().equals("move") ? holder != null && f.detail().startsWith("vip " + vip + " ")
                    : holder != null && f.targets().contains(holder);
            if (!hit) {
                continue;
            }
            long horizon = Math.min(f.startMicros() + TAKEOVER_HORIZON_MICROS, windowEndMicros);
            long dropped = -1;
            for (Interval i : intervals) {
                if (i.vip().equals(vip) && i.node().equals(holder) && i.fromMicros() <= f.startMicros()
                        && i.toMicros() >= f.startMicros() && i.toMicros() <= horizon) {
                    dropped = i.toMicros() - f.startMicros();
                }
            }
            Interval takeover = null;
            for (Interval i : intervals) {
                if (!i.vip().equals(vip) || i.fromMicros() < f.startMicros() || i.fromMicros() > horizon) {
                    continue;
                }
                if (takeover == null || i.fromMicros() < takeover.fromMicros()) {
                    takeover = i;
                }
            }
            String outcome = dropped < 0 ? KEPT : takeover == null ? NONE
                    : takeover.node().equals(holder) && !f.anyNodeRecovers() ? REACQUIRED : FAILOVER;
            if (outcome.equals(KEPT)) {
                takeover = null;
            }
            long outage = 0;
            long windowEnd = Math.min(takeover == null ? horizon : takeover.fromMicros() + 2_000_000L,
                    Math.min(horizon, nowMicros));
            for (Outage o : outages) {
                long oEnd = o.toMicros() < 0 ? nowMicros : o.toMicros();
                // an outage that starts as the next fault starts (within 50 ms) is that fault's
                if (o.vip().equals(vip) && oEnd >= f.startMicros() && o.fromMicros() < windowEnd - 50_000L) {
                    outage = Math.max(outage, oEnd - o.fromMicros());
                }
            }
            out.add(new VipFailover(vip, holder, outcome, dropped, takeover == null ? -1 : takeover.fromMicros() - f.startMicros(),
                    takeover == null ? null : takeover.node(), outage));
        }
        return out;
    }

    /** min, median, p95, max of {@code values} (nearest rank), or null when empty. */
    public static long[] stats(List<Long> values) {
        if (values.isEmpty()) {
            return null;
        }
        List<Long> v = new ArrayList<>(values);
        v.sort(null);
        return new long[] {v.get(0), rank(v, 0.5), rank(v, 0.95), v.get(v.size() - 1)};
    }

    private static long rank(List<Long> sorted, double q) {
        int idx = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }
}
