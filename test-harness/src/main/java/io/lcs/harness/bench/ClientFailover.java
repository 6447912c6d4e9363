package io.lcs.harness.bench;

import io.lcs.harness.netns.Cluster;
import io.lcs.harness.netns.Harness;
import io.lcs.harness.netns.TrafficProbe;
import io.lcs.harness.netns.Vip;
import io.lcs.harness.netns.WallMicros;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Client-observed failover after kill -9 of the owner, lcs alone, from the client's own ICMP and
 * TCP traffic ({@link TrafficProbe}): a 3-node cluster (2 full members and a witness, lease 2 s)
 * from the build's classpath, owner found from the kernels ({@code OwnershipSampler}), so it does
 * not depend on the ARP probe's window (which a loaded machine can miss). Run:
 * {@code java -cp "test-harness/target/classes:$(cat test-harness/target/harness.classpath)"
 * io.lcs.harness.bench.ClientFailover [TRIALS [LEASE_MS RENEW_MS PROBE_MS]]} as root (default 5 trials, the
 * defaults of lcs.conf: lease 2000, renew 500, probe 250). Not a test.
 */
public final class ClientFailover {
    private ClientFailover() {
    }

    public static void main(String[] args) {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        // optional timing: LEASE_MS RENEW_MS PROBE_MS (the defaults of lcs.conf otherwise)
        Cluster.Settings settings = args.length >= 4
                ? new Cluster.Settings(3, 1, Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), 1)
                : Cluster.Settings.of(3, 1);
        System.out.printf(Locale.ROOT, "lease %d ms, renew %d ms, probe %d ms, %d trials%n", settings.leaseMillis(),
                settings.renewMillis(), settings.probeMillis(), trials);
        List<Double> icmpGap = new ArrayList<>();
        List<Double> icmpBack = new ArrayList<>();
        List<Double> tcpGap = new ArrayList<>();
        List<Double> tcpBack = new ArrayList<>();
        try (Harness h = Harness.start(settings, System.getProperty("java.class.path"))) {
            Vip vip = h.cluster().vips().stream().filter(v -> !v.ipv6()).findFirst().orElseThrow();
            try (TrafficProbe traffic = new TrafficProbe(h.topology().clientNs(), vip.address())) {
                traffic.start();
                for (int t = 1; t <= trials; t++) {
                    // every member voting again (a restarted one's restart wait over), then a steady owner
                    if (!h.cluster().awaitJoined(h.cluster().nodes(), Duration.ofSeconds(30))) {
                        System.out.println("trial " + t + ": not every node rejoined within 30 s");
                    }
                    if (!h.awaitSteady(Duration.ofSeconds(60), Duration.ofSeconds(3))) {
                        System.out.println("trial " + t + ": no steady owner within 60 s; skipped");
                        continue;
                    }
                    String owner = h.holder(vip);
                    Cluster.Node n = h.cluster().node(owner);
                    long t0 = WallMicros.now();
                    h.faults().kill9(n);
                    boolean moved = Harness.await(Duration.ofSeconds(15), () -> {
                        String now = h.holder(vip);
                        return now != null && !now.equals(owner);
                    });
                    sleep(3_000); // the client's traffic settles on the new owner
                    long t1 = WallMicros.now();
                    TrafficProbe.Outage icmp = traffic.icmpOutage(t0, t0 - 3_000_000, t1);
                    TrafficProbe.Outage tcp = traffic.tcpOutage(t0, t0 - 3_000_000, t1);
                    System.out.printf(Locale.ROOT, "trial %d: %s killed, moved %s; ICMP outage %.0f ms (answered again"
                            + " %.0f ms after the kill), TCP outage %.0f ms (again after %.0f ms)%n", t, owner, moved,
                            icmp.gapMs(), icmp.firstAnswerAfterFaultMs(), tcp.gapMs(), tcp.firstAnswerAfterFaultMs());
                    add(icmpGap, icmp.gapMs());
                    add(icmpBack, icmp.firstAnswerAfterFaultMs());
                    add(tcpGap, tcp.gapMs());
                    add(tcpBack, tcp.firstAnswerAfterFaultMs());
                    h.cluster().start(n);
                }
            }
        }
        print("ICMP outage", icmpGap);
        print("ICMP answered again after the kill", icmpBack);
        print("TCP outage", tcpGap);
        print("TCP answered again after the kill", tcpBack);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void add(List<Double> list, double v) {
        if (!Double.isNaN(v)) {
            list.add(v);
        }
    }

    private static void print(String what, List<Double> values) {
        Stats.Summary s = Stats.of(values);
        System.out.printf(Locale.ROOT, "%s: min / median / p95 / max %.0f / %.0f / %.0f / %.0f ms (n=%d)%n", what,
                s.min(), s.median(), s.p95(), s.max(), s.n());
    }
}
