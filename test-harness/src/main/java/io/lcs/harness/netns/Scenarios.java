package io.lcs.harness.netns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fixed scenarios CI runs, each on the running harness, each returning its {@link Check}s
 * (never throwing for a failed rule, so a report is always written):
 *
 * <ol>
 *   <li>{@link #killOwner}: kill -9 of the owner — another node holds each of its VIPs within
 *       lease + 1.5 s, no overlap;</li>
 *   <li>{@link #freezeOwner}: SIGSTOP of the owner for 4 s — its kernel drops each VIP within
 *       lease + 0.3 s (the kernel lifetime, no daemon needed), another node takes over while it is
 *       frozen, and after SIGCONT it does not add the VIP back (no overlap);</li>
 *   <li>{@link #isolateOwner}: the owner alone on its own segment — it (the minority) drops its
 *       VIPs before its lease ends, the majority takes over, after the heal exactly one node holds
 *       each VIP, no overlap;</li>
 *   <li>{@link #moveVip}: {@code lcs move VIP --to NODE} through the admin API, there and back —
 *       each target holds it and the client sees its MAC, no overlap;</li>
 *   <li>{@link #linkDownThenNewOwnerDies}: link down on the owner's VIP interface, link up, then
 *       the new owner is killed — the first node takes the VIPs back within lease + 1.5 s.</li>
 * </ol>
 *
 * Every scenario starts by waiting for a steady cluster and ends by restoring all nodes.
 */
public final class Scenarios {
    static final Duration STEADY_TIMEOUT = Duration.ofSeconds(40);
    static final Duration STABLE_FOR = Duration.ofSeconds(1);
    /**
     * Kernel removal happens up to 0.25 s after the lifetime ends (docs/architecture.md, "Measured
     * facts"), plus sampling.
     */
    static final long KERNEL_LATENESS_MICROS = 300_000L;
    static final long FAILOVER_SLACK_MICROS = 1_500_000L;
    static final Duration FREEZE = Duration.ofSeconds(4);

    private final Harness h;
    private final long leaseMicros;

    public Scenarios(Harness h) {
        this.h = h;
        this.leaseMicros = h.cluster().settings().leaseMillis() * 1000L;
    }

    /** Scenario names for {@link #run}, in CI order. */
    public static final List<String> NAMES = List.of("kill", "freeze", "isolate", "move", "link");

    /** The named scenarios, in CI order. */
    public List<Check> run(List<String> names) {
        List<Check> out = new ArrayList<>();
        for (String n : NAMES) {
            if (names.contains(n)) {
                out.addAll(switch (n) {
                    case "kill" -> killOwner();
                    case "freeze" -> freezeOwner();
                    case "isolate" -> isolateOwner();
                    case "move" -> moveVip();
                    default -> linkDownThenNewOwnerDies();
                });
            }
        }
        return out;
    }

    /** All five in order. */
    public List<Check> all() {
        List<Check> out = new ArrayList<>();
        out.addAll(killOwner());
        out.addAll(freezeOwner());
        out.addAll(isolateOwner());
        out.addAll(moveVip());
        out.addAll(linkDownThenNewOwnerDies());
        return out;
    }

    /**
     * The owner's VIP interface goes down for 3 s (the kernel flushes its IPv6 VIP, the node is
     * cut off: another node takes over); 1 s after the link is back, the new owner is killed. The
     * first node must take the VIPs back within lease + 1.5 s: a node whose interface was down
     * is eligible again once it is up. (Found by the nemesis: lcsd declined the VIP for 30 s after
     * a 2 s link-down, so the kill left it without any eligible node for 14 s.)
     */
    public List<Check> linkDownThenNewOwnerDies() {
        String sc = "link down, then the new owner dies";
        List<Check> out = new ArrayList<>();
        Cluster.Node owner = steadyOwner(sc, out);
        if (owner == null) {
            return out;
        }
        Fault down = h.faults().linkDown(owner);
        boolean moved = Harness.await(Duration.ofMillis(leaseMicros / 1000 + 10_000), () -> othersHoldAll(down, owner));
        Harness.sleep(Math.max(0, 3_000 - (WallMicros.now() - down.startMicros()) / 1000));
        h.faults().linkUp(down, owner);
        out.add(Check.of(sc, "another node holds every VIP of the node whose link is down", moved, holders()));
        boolean rejoined = h.cluster().awaitJoined(List.of(owner), Duration.ofSeconds(10));
        out.add(Check.of(sc, owner.name + " rejoins after its link is up", rejoined, holders()));
        Harness.sleep(1_000);
        String second = h.holder(h.cluster().vips().get(0));
        if (second == null || second.equals(owner.name)) {
            out.add(Check.of(sc, "a second node holds the first VIP", false, holders()));
            return out;
        }
        Cluster.Node newOwner = h.cluster().node(second);
        Fault kill = h.faults().kill9(newOwner);
        boolean back = Harness.await(Duration.ofMillis(leaseMicros / 1000 + 10_000), () -> othersHoldAll(kill, newOwner));
        out.add(Check.of(sc, owner.name + " holds every VIP again after " + newOwner.name + " died", back, holders()));
        out.addAll(failoverWithin(sc, kill, leaseMicros + FAILOVER_SLACK_MICROS));
        h.faults().restart(newOwner);
        out.add(noOverlapSince(sc, down));
        h.cluster().awaitJoined(h.cluster().nodes(), STEADY_TIMEOUT);
        out.add(steady(sc + " (after restart)"));
        return out;
    }

    public List<Check> killOwner() {
        String sc = "kill-9 owner";
        List<Check> out = new ArrayList<>();
        Cluster.Node owner = steadyOwner(sc, out);
        if (owner == null) {
            return out;
        }
        Fault f = h.faults().kill9(owner);
        boolean moved = Harness.await(Duration.ofMillis(leaseMicros / 1000 + 10_000), () -> othersHoldAll(f, owner));
        out.add(Check.of(sc, "another node holds every VIP of the killed owner", moved, holders()));
        out.addAll(failoverWithin(sc, f, leaseMicros + FAILOVER_SLACK_MICROS));
        h.faults().restart(owner);
        out.add(noOverlapSince(sc, f));
        h.cluster().awaitJoined(h.cluster().nodes(), STEADY_TIMEOUT);
        out.add(steady(sc + " (after restart)"));
        return out;
    }

    public List<Check> freezeOwner() {
        String sc = "freeze owner " + FREEZE.toSeconds() + " s";
        List<Check> out = new ArrayList<>();
        Cluster.Node owner = steadyOwner(sc, out);
        if (owner == null) {
            return out;
        }
        Fault f = h.faults().freeze(owner);
        long thawAt = System.nanoTime() + FREEZE.toNanos();
        boolean moved = Harness.await(FREEZE, () -> othersHoldAll(f, owner));
        Harness.sleep(Math.max(0, (thawAt - System.nanoTime()) / 1_000_000));
        h.faults().thaw(f, owner);
        long thawMicros = WallMicros.now();
        out.add(Check.of(sc, "another node holds every VIP of the frozen owner before SIGCONT", moved, holders()));
        for (Checker.VipFailover v : measure(f)) {
            out.add(Check.of(sc, "frozen owner's kernel dropped " + v.vip() + " within lease + 0.3 s",
                    v.droppedAfterMicros() >= 0 && v.droppedAfterMicros() <= leaseMicros + KERNEL_LATENESS_MICROS,
                    "dropped after " + ms(v.droppedAfterMicros()) + " (lease " + ms(leaseMicros) + ")"));
        }
        Harness.sleep(3_000);
        for (Checker.VipFailover v : measure(f)) {
            boolean readded = false;
            for (OwnershipSampler.Interval i : h.sampler().intervals()) {
                readded |= i.vip().equals(v.vip()) && i.node().equals(owner.name) && i.fromMicros() >= thawMicros;
            }
            out.add(Check.of(sc, "resumed owner did not add " + v.vip() + " back", !readded,
                    readded ? "it did: " + holders() : "holders " + holders()));
        }
        out.add(noOverlapSince(sc, f));
        out.add(steady(sc + " (after SIGCONT)"));
        return out;
    }

    public List<Check> isolateOwner() {
        String sc = "isolate owner";
        List<Check> out = new ArrayList<>();
        Cluster.Node owner = steadyOwner(sc, out);
        if (owner == null) {
            return out;
        }
        Fault f = h.faults().isolate(owner);
        boolean moved = Harness.await(Duration.ofMillis(leaseMicros / 1000 + 10_000), () -> othersHoldAll(f, owner));
        out.add(Check.of(sc, "the majority holds every VIP of the isolated owner", moved, holders()));
        for (Checker.VipFailover v : measure(f)) {
            out.add(Check.of(sc, "minority owner dropped " + v.vip() + " before its lease ended",
                    v.droppedAfterMicros() >= 0 && v.droppedAfterMicros() <= leaseMicros + KERNEL_LATENESS_MICROS,
                    "dropped after " + ms(v.droppedAfterMicros()) + " (lease " + ms(leaseMicros)
                            + ", kernel lateness allowed 0.3 s)"));
        }
        out.addAll(failoverWithin(sc, f, leaseMicros + FAILOVER_SLACK_MICROS));
        Harness.sleep(1_000);
        h.faults().heal(f);
        Harness.sleep(3_000);
        boolean one = Harness.await(Duration.ofSeconds(15), () -> h.holdersNow().values().stream().allMatch(s -> s.size() == 1));
        out.add(Check.of(sc, "after the heal exactly one node holds each VIP", one, holders()));
        out.add(noOverlapSince(sc, f));
        out.add(steady(sc + " (after heal)"));
        return out;
    }

    /**
     * Moves the first VIP to the other full member and back: one of the two targets is never the
     * node the placement hash prefers, so both kinds of move are exercised every run.
     */
    public List<Check> moveVip() {
        String sc = "move via admin API";
        List<Check> out = new ArrayList<>();
        Cluster.Node owner = steadyOwner(sc, out);
        if (owner == null) {
            return out;
        }
        Cluster.Node target = h.cluster().fullMembers().stream().filter(n -> n != owner).findFirst().orElse(null);
        if (target == null) {
            out.add(Check.of(sc, "a second full member exists", false, "cluster has one full member"));
            return out;
        }
        Fault first = moveOnce(sc, owner, target, out);
        if (first != null) {
            out.add(steady(sc + " (after move to " + target.name + ")"));
            moveOnce(sc + " back", target, owner, out);
            out.add(noOverlapSince(sc, first));
        }
        out.add(steady(sc + " (after moves)"));
        return out;
    }

    private Fault moveOnce(String sc, Cluster.Node from, Cluster.Node to, List<Check> out) {
        Vip vip = h.cluster().vips().get(0);
        Fault f;
        try {
            f = h.faults().move(vip, to, from);
        } catch (HarnessException e) {
            out.add(Check.of(sc, "lcs move is accepted", false, e.getMessage()));
            return null;
        }
        boolean there = Harness.await(Duration.ofSeconds(15), () -> to.name.equals(h.holder(vip)));
        out.add(Check.of(sc, vip.name() + " moved from " + from.name + " to " + to.name, there, holders()));
        for (Checker.VipFailover v : measure(f)) {
            out.add(Check.of(sc, "move of " + v.vip() + " completed on " + to.name,
                    v.outcome().equals(Checker.FAILOVER) && to.name.equals(v.newHolder()),
                    v.outcome() + " to " + v.newHolder() + " in " + ms(v.takeoverAfterMicros()) + " (CLI start included), "
                            + "gap " + ms(v.takeoverAfterMicros() - v.droppedAfterMicros()) + ", client outage "
                            + ms(v.clientOutageMicros())));
        }
        Harness.sleep(1_000);
        // every answer in the last 500 ms is the target's, and there was one (two MACs at once are
        // the overlap check's business, which looks at every sample)
        List<String> macs = h.probe().answeredWithin(vip, 500_000L);
        out.add(Check.of(sc, "the client sees only " + to.name + "'s MAC for " + vip.name() + " (last 0.5 s)",
                macs != null && macs.size() == 1 && macs.get(0).equals(h.topology().mac(to.index)),
                "answered by " + (macs == null ? "nobody yet" : macs.stream().map(h::nodeOfMac).toList())));
        return f;
    }

    // ------------------------------------------------------------------ helpers

    /** Waits for a steady cluster and returns the holder of the first VIP, or null (with a failed check). */
    private Cluster.Node steadyOwner(String sc, List<Check> out) {
        Check s = steady(sc + " (before)");
        if (!s.ok()) {
            out.add(s);
            return null;
        }
        String name = h.holder(h.cluster().vips().get(0));
        if (name == null) {
            out.add(Check.of(sc, "the first VIP has one holder", false, holders()));
            return null;
        }
        return h.cluster().node(name);
    }

    private Check steady(String sc) {
        boolean ok = h.awaitSteady(STEADY_TIMEOUT, STABLE_FOR);
        return Check.of(sc, "every VIP held by exactly one running node within " + STEADY_TIMEOUT.toSeconds() + " s", ok,
                holders());
    }

    private boolean othersHoldAll(Fault f, Cluster.Node owner) {
        for (var e : f.holdersAtStart().entrySet()) {
            if (e.getValue().contains(owner.name)) {
                var now = h.sampler().holders(e.getKey());
                if (now.size() != 1 || now.contains(owner.name)) {
                    return false;
                }
            }
        }
        return true;
    }

    private List<Checker.VipFailover> measure(Fault f) {
        List<Checker.Outage> outages = new ArrayList<>();
        for (int i = 0; i < h.probe().vips().size(); i++) {
            outages.addAll(Checker.outages(h.probe().vips().get(i).name(), h.probe().samples(i)));
        }
        Fault current = h.faultLog().get(f.id() - 1);
        long now = WallMicros.now();
        return Checker.failovers(current, now, h.sampler().intervals(), outages, now);
    }

    private List<Check> failoverWithin(String sc, Fault f, long boundMicros) {
        List<Check> out = new ArrayList<>();
        List<Checker.VipFailover> vs = measure(f);
        if (vs.isEmpty()) {
            out.add(Check.of(sc, "the fault hit a VIP holder", false, "holders at start " + f.holdersAtStart()));
        }
        for (Checker.VipFailover v : vs) {
            out.add(Check.of(sc, "failover of " + v.vip() + " within lease + " + ms(FAILOVER_SLACK_MICROS),
                    v.outcome().equals(Checker.FAILOVER) && v.takeoverAfterMicros() <= boundMicros,
                    v.outcome() + " to " + v.newHolder() + " after " + ms(v.takeoverAfterMicros()) + " (bound "
                            + ms(boundMicros) + "), client outage " + ms(v.clientOutageMicros())));
        }
        return out;
    }

    private Check noOverlapSince(String sc, Fault f) {
        long now = WallMicros.now();
        List<Checker.Overlap> o = Checker.overlaps(h.sampler().intervals(), now).stream()
                .filter(x -> x.toMicros() >= f.startMicros() - 1_000_000L).toList();
        List<Checker.DoubleAnswer> d = new ArrayList<>();
        for (int i = 0; i < h.probe().vips().size(); i++) {
            for (Checker.DoubleAnswer x : Checker.doubleAnswers(h.probe().vips().get(i).name(), h.probe().samples(i))) {
                if (x.atMicros() >= f.startMicros() - 1_000_000L) {
                    d.add(x);
                }
            }
        }
        return Check.of(sc, "no overlap (kernels) and no double answer (client)", o.isEmpty() && d.isEmpty(),
                o.size() + " overlaps " + o + ", " + d.size() + " double answers");
    }

    private String holders() {
        return "holders " + h.holdersNow();
    }

    static String ms(long micros) {
        return micros < 0 ? "never" : String.format(Locale.ROOT, "%.0f ms", micros / 1000.0);
    }
}
