package io.lcs.harness.netns;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The quick-start demo in network namespaces: three lcsd (two full-members and a quorum-only
 * witness) with one IPv4 and one IPv6 VIP, {@code lcs status}, kill -9 of the owner, the
 * failover as the kernels and a client saw it, {@code lcs status} again; the harness removes
 * everything when it closes.
 */
final class NetnsDemo {
    private final Harness h;
    private final PrintStream out;

    NetnsDemo(Harness h, PrintStream out) {
        this.h = h;
        this.out = out;
    }

    /** @return 0 when the VIPs failed over without overlap, 1 otherwise */
    int run() {
        Cluster c = h.cluster();
        out.println("lcs demo: 3 nodes in network namespaces on one bridge (n1, n2 full-members, n3 quorum-only"
                + " witness), VIPs " + describeVips() + ", lease 2000 ms");
        if (!h.awaitSteady(Duration.ofSeconds(40), Duration.ofMillis(500))) {
            out.println("the cluster did not settle in 40 s; node logs are in " + h.runDir());
            return 1;
        }
        String ownerName = h.holder(c.vips().get(0));
        Cluster.Node owner = c.node(ownerName);
        Cluster.Node other = c.nodes().stream().filter(n -> !n.witness && !n.name.equals(ownerName)).findFirst()
                .orElseThrow();
        out.println("\n$ lcs status   (on " + other.name + ")");
        out.print(c.cli(other, Duration.ofSeconds(20), "status").stdout());

        out.println("\n$ kill -9 <lcsd on " + ownerName + ">   (it holds the VIPs; its kernel keeps them until"
                + " their lifetime ends)");
        Fault kill = h.faults().kill9(owner);
        boolean moved = Harness.await(Duration.ofSeconds(15), () -> {
            for (Vip v : c.vips()) {
                var holders = h.sampler().holders(v.name());
                if (holders.size() != 1 || holders.contains(ownerName)) {
                    return false;
                }
            }
            return true;
        });
        Harness.sleep(500); // let the client probe see the new owner answer
        List<Checker.Outage> outages = new ArrayList<>();
        for (int i = 0; i < h.probe().vips().size(); i++) {
            outages.addAll(Checker.outages(h.probe().vips().get(i).name(), h.probe().samples(i)));
        }
        long now = WallMicros.now();
        Fault current = h.faultLog().get(kill.id() - 1);
        for (Checker.VipFailover v : Checker.failovers(current, now, h.sampler().intervals(), outages, now)) {
            out.printf(Locale.ROOT, "%s: dropped by %s's kernel %.2f s after the kill (address lifetime), active on %s"
                    + " after %.2f s; the client got no answer for %.2f s%n", v.vip(), ownerName,
                    v.droppedAfterMicros() / 1e6, v.newHolder(), v.takeoverAfterMicros() / 1e6,
                    v.clientOutageMicros() / 1e6);
        }
        out.println("\n$ lcs status   (on " + other.name + ")");
        out.print(c.cli(other, Duration.ofSeconds(20), "status").stdout());
        boolean noOverlap = Checker.overlaps(h.sampler().intervals(), WallMicros.now()).isEmpty();
        out.println("\nno two kernels ever held one VIP at once: " + (noOverlap ? "yes" : "NO"));
        out.println("cleaning up (namespaces, processes); logs stay in " + h.runDir());
        return moved && noOverlap ? 0 : 1;
    }

    private String describeVips() {
        List<String> s = new ArrayList<>();
        for (Vip v : h.cluster().vips()) {
            s.add(v.name() + " " + v.cidr());
        }
        return String.join(" and ", s);
    }
}
