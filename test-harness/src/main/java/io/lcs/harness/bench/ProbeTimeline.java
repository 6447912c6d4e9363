package io.lcs.harness.bench;

import io.lcs.harness.netns.ClientProbe;
import java.util.List;

/**
 * Client-observed failover from one VIP's probe timeline, telling repliers apart by MAC.
 *
 * <p>For a fault at {@code faultAt} on the node answering with {@code oldMac}: the <em>new
 * owner</em> is the first MAC other than {@code oldMac} that answers a probe sent at or after the
 * fault; the <em>gap</em> is that probe's time minus the last probe before it that {@code oldMac}
 * answered (before or after the fault), i.e. the time the client had no answer from anyone it
 * could use: "first reply from the new owner minus last reply from the old owner". A node whose
 * kernel keeps answering after it died (keepalived's VIP stays on a killed node's interface)
 * makes the gap small and shows as double answers: probes in the window answered by two MACs.
 * Pure: no I/O.
 */
public final class ProbeTimeline {
    private ProbeTimeline() {
    }

    /**
     * One trial's outcome.
     *
     * @param newMac the new owner's MAC, or null if nobody else answered in the window
     * @param gapMs first reply from the new owner minus the last reply from the old one (NaN: no new owner)
     * @param toNewMs first reply from the new owner minus the fault (NaN: no new owner)
     * @param doubleSamples probes in [faultAt, until] answered by two or more MACs
     * @param probes probes in [faultAt, until]
     */
    public record Failover(String newMac, double gapMs, double toNewMs, int doubleSamples, int probes) {
        public boolean failedOver() {
            return newMac != null;
        }
    }

    /** Computes the failover of {@code samples} (in send order) for a fault at {@code faultAtMicros}. */
    public static Failover failover(List<ClientProbe.Sample> samples, String oldMac, long faultAtMicros,
                                    long untilMicros) {
        if (oldMac == null || oldMac.isBlank()) {
            throw new IllegalArgumentException("old owner's MAC is missing");
        }
        if (untilMicros < faultAtMicros) {
            throw new IllegalArgumentException("window ends (" + untilMicros + ") before the fault (" + faultAtMicros + ")");
        }
        String old = oldMac.toLowerCase(java.util.Locale.ROOT);
        long lastOld = Long.MIN_VALUE;
        long firstNew = Long.MIN_VALUE;
        String newMac = null;
        int doubles = 0;
        int probes = 0;
        for (ClientProbe.Sample s : samples) {
            if (s.atMicros() > untilMicros) {
                break;
            }
            boolean inWindow = s.atMicros() >= faultAtMicros;
            if (inWindow) {
                probes++;
                if (s.macs().size() >= 2) {
                    doubles++;
                }
            }
            if (newMac == null) {
                if (inWindow) {
                    for (String m : s.macs()) {
                        if (!m.equals(old)) {
                            newMac = m;
                            firstNew = s.atMicros();
                            break;
                        }
                    }
                }
                if (newMac == null && s.macs().contains(old)) {
                    lastOld = s.atMicros();
                }
            }
        }
        if (newMac == null) {
            return new Failover(null, Double.NaN, Double.NaN, doubles, probes);
        }
        double gap = lastOld == Long.MIN_VALUE ? Double.NaN : (firstNew - lastOld) / 1000.0;
        return new Failover(newMac, gap, (firstNew - faultAtMicros) / 1000.0, doubles, probes);
    }

    /**
     * The first probe at or after {@code fromMicros} answered by {@code mac} alone, or -1 (µs).
     * Used for a planned move (until the target answers) and a cold start (any MAC: null).
     */
    public static long firstAnswer(List<ClientProbe.Sample> samples, String mac, long fromMicros) {
        for (ClientProbe.Sample s : samples) {
            if (s.atMicros() >= fromMicros && !s.macs().isEmpty()
                    && (mac == null || (s.macs().size() == 1 && s.macs().get(0).equals(mac)))) {
                return s.atMicros();
            }
        }
        return -1;
    }

    /** Probes in [fromMicros, untilMicros] answered by two or more MACs. */
    public static int doubleAnswers(List<ClientProbe.Sample> samples, long fromMicros, long untilMicros) {
        int n = 0;
        for (ClientProbe.Sample s : samples) {
            if (s.atMicros() >= fromMicros && s.atMicros() <= untilMicros && s.macs().size() >= 2) {
                n++;
            }
        }
        return n;
    }

    /**
     * Kernel-sampled overlap: the total time within [fromMicros, toMicros] during which two
     * different nodes' kernels held {@code vip} at once, summed over pairs of intervals, in ms.
     * Open intervals ({@code toMicros < 0}) end at {@code nowMicros}.
     */
    public static double kernelOverlapMs(List<io.lcs.harness.netns.OwnershipSampler.Interval> intervals, String vip,
                                         long fromMicros, long toMicros, long nowMicros) {
        List<io.lcs.harness.netns.OwnershipSampler.Interval> in = new java.util.ArrayList<>();
        for (var iv : intervals) {
            if (iv.vip().equals(vip) && iv.fromMicros() <= toMicros && iv.endOr(nowMicros) >= fromMicros) {
                in.add(iv);
            }
        }
        long total = 0;
        for (int a = 0; a < in.size(); a++) {
            for (int b = a + 1; b < in.size(); b++) {
                var x = in.get(a);
                var y = in.get(b);
                if (x.node().equals(y.node())) {
                    continue;
                }
                long s = Math.max(fromMicros, Math.max(x.fromMicros(), y.fromMicros()));
                long e = Math.min(toMicros, Math.min(x.endOr(nowMicros), y.endOr(nowMicros)));
                total += Math.max(0, e - s);
            }
        }
        return total / 1000.0;
    }
}
