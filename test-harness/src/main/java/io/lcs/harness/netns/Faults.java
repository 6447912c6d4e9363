package io.lcs.harness.netns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The fault injector: each method applies one fault to the harness's cluster or network, logs it
 * as a {@link Fault} (with each VIP's holders at that instant) and returns it; the matching repair
 * method ends it. Partitions move bridge ports in the switch namespace (links stay up: the nodes
 * see silence); one-way and random loss are nftables rules in a node's namespace (table
 * {@code inet lcsh}; neighbour discovery is never dropped so the client probe keeps measuring the
 * nodes, not the rules); link down is {@code ip link set eth0 down} in the node's namespace.
 * There is no netem on this kernel, so no delay or reordering here (the simulation covers them).
 */
public final class Faults {
    private final Harness h;

    Faults(Harness h) {
        this.h = h;
    }

    private Cluster c() {
        return h.cluster();
    }

    /** kill -9 of the node's lcsd. */
    public Fault kill9(Cluster.Node n) {
        Fault f = h.log("kill9", List.of(n.name), false, "SIGKILL " + n.name + " pid " + n.pid(), WallMicros.now());
        c().kill(n);
        return f;
    }

    /** Starts a stopped or killed node again (a repair, not logged as a fault). */
    public void restart(Cluster.Node n) {
        c().start(n);
    }

    /** SIGSTOP the node's lcsd; {@link #thaw} ends it. */
    public Fault freeze(Cluster.Node n) {
        Fault f = h.log("freeze", List.of(n.name), false, "SIGSTOP " + n.name + " pid " + n.pid(), WallMicros.now());
        c().freeze(n);
        return f;
    }

    public void thaw(Fault f, Cluster.Node n) {
        c().thaw(n);
        h.ended(f, WallMicros.now());
    }

    /** Cuts {@code n} off from everyone else (and from the client). */
    public Fault isolate(Cluster.Node n) {
        List<Integer> rest = new ArrayList<>();
        for (Cluster.Node o : c().nodes()) {
            if (o != n) {
                rest.add(o.index);
            }
        }
        return partition(List.of(rest, List.of(n.index)));
    }

    /**
     * Splits the nodes into {@code groups} (node indexes); the majority group, if any, stays with
     * the client. The fault's targets are the nodes outside the majority (everyone if no group has
     * a majority of the voters: kind {@code split-no-quorum}, where recovery after the heal is
     * measured, any node counting).
     */
    public Fault partition(List<List<Integer>> groups) {
        int voters = c().nodes().size();
        List<String> targets = new ArrayList<>();
        List<Integer> majority = null;
        for (List<Integer> g : groups) {
            if (g.size() * 2 > voters) {
                majority = g;
            }
        }
        for (Cluster.Node n : c().nodes()) {
            if (majority == null || !majority.contains(n.index)) {
                targets.add(n.name);
            }
        }
        // the client stays with the majority (group 0), so it measures the takeover, not the cut
        List<List<Integer>> ordered = new ArrayList<>(groups);
        if (majority != null) {
            ordered.remove(majority);
            ordered.add(0, majority);
        }
        // without a majority anywhere no node may hold a VIP until the heal: a different measurement
        Fault f = h.log(majority == null ? "split-no-quorum" : "partition", targets, majority == null,
                "groups " + ordered, WallMicros.now());
        h.topology().partition(ordered);
        return f;
    }

    public void heal(Fault f) {
        h.topology().heal();
        h.ended(f, WallMicros.now());
    }

    /** {@code to} stops receiving anything from {@code from} (one direction only). */
    public Fault oneWayLoss(Cluster.Node from, Cluster.Node to) {
        Fault f = h.log("one-way-loss", List.of(to.name), false, from.name + " -> " + to.name + " dropped",
                WallMicros.now());
        Netns.nftTable(to.ns, "chain in {\n type filter hook input priority 0; policy accept;\n ip saddr "
                + Topology.nodeV4(from.index) + " drop\n ip6 saddr " + Topology.nodeV6(from.index) + " drop\n}");
        return f;
    }

    /** {@code percent}% random loss on everything {@code nodes} receive and send (neighbour discovery excepted). */
    public Fault randomLoss(List<Cluster.Node> nodes, int percent) {
        if (percent < 1 || percent > 100) {
            throw new HarnessException("loss " + percent + "%: must be 1..100");
        }
        Fault f = h.log("random-loss", nodes.stream().map(n -> n.name).toList(), false, percent + "% on "
                + nodes.stream().map(n -> n.name).toList(), WallMicros.now());
        String rules = " icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n numgen random mod 100 < "
                + percent + " drop\n";
        for (Cluster.Node n : nodes) {
            Netns.nftTable(n.ns, "chain in {\n type filter hook input priority 0; policy accept;\n" + rules + "}\n"
                    + "chain out {\n type filter hook output priority 0; policy accept;\n" + rules + "}");
        }
        return f;
    }

    /** Removes the nft rules of every node and ends {@code f}. */
    public void clearLoss(Fault f) {
        for (Cluster.Node n : c().nodes()) {
            Netns.nftTable(n.ns, "");
        }
        h.ended(f, WallMicros.now());
    }

    /** Downs eth0 of {@code n}: the VIP interface, and its only link to the cluster. */
    public Fault linkDown(Cluster.Node n) {
        Fault f = h.log("link-down", List.of(n.name), false, "eth0 of " + n.name + " down", WallMicros.now());
        h.topology().linkDown(n.index);
        return f;
    }

    public void linkUp(Fault f, Cluster.Node n) {
        h.topology().linkUp(n.index);
        h.ended(f, WallMicros.now());
    }

    /** SIGTERM of one node (it releases its VIPs), then start it again once it is gone. */
    public Fault stopAndStart(Cluster.Node n) {
        Fault f = h.log("stop", List.of(n.name), false, "SIGTERM " + n.name + ", then start", WallMicros.now());
        c().stop(n);
        c().start(n);
        h.ended(f, WallMicros.now());
        return f;
    }

    /**
     * One node after the other: SIGTERM, start, wait until it has rejoined (quorum, restart wait
     * over) and every VIP is held again (bounded by {@code settle} per node).
     */
    public List<Fault> rollingRestart(Duration settle) {
        List<Fault> out = new ArrayList<>();
        for (Cluster.Node n : c().nodes()) {
            out.add(stopAndStart(n));
            // as an operator would: the next node goes only once this one is back in the cluster
            c().awaitJoined(List.of(n), settle);
            h.awaitSteady(settle, Duration.ofMillis(500));
        }
        return out;
    }

    /** SIGTERM every node, then start them all; any node may hold a VIP again. */
    public Fault fullRestart() {
        Fault f = h.log("full-restart", c().nodes().stream().map(n -> n.name).toList(), true, "SIGTERM all, start all",
                WallMicros.now());
        for (Cluster.Node n : c().nodes()) {
            if (n.frozen()) {
                c().thaw(n);
            }
        }
        c().nodes().parallelStream().forEach(c()::stop);
        c().startAll();
        h.ended(f, WallMicros.now());
        return f;
    }

    /**
     * {@code lcs move VIP --to NODE} through the admin API of {@code via} (the CLI runs inside
     * that node's namespace). Returns the fault, or throws with the CLI's error.
     */
    public Fault move(Vip vip, Cluster.Node to, Cluster.Node via) {
        Fault f = h.log("move", List.of(to.name), false, "vip " + vip.name() + " to " + to.name + " via " + via.name,
                WallMicros.now());
        io.lcs.reconcilers.process.CommandResult r = c().cli(via, Duration.ofSeconds(20), "move", vip.name(), "--to",
                to.name);
        if (!r.ok()) {
            throw new HarnessException("lcs move " + vip.name() + " --to " + to.name + " via " + via.name + ": "
                    + (r.timedOut() ? "timed out" : "exit " + r.exitCode()) + ": " + r.stdout().strip() + " "
                    + r.stderr().strip());
        }
        return f;
    }
}
