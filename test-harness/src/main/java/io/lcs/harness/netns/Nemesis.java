package io.lcs.harness.netns;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Randomized fault mix for as long as asked: repeatedly wait for a steady cluster, pick a fault
 * (weighted), aim it mostly at the owner of a random VIP, hold it for a random time, repair it.
 * The same seed makes the same choices (the cluster's own timing still varies run to run).
 *
 * <p>Faults: kill -9 then restart; SIGSTOP/SIGCONT (0.5–6 s, both shorter and longer than the
 * lease); isolate one node; split into 2–3 random groups; one-way loss between two nodes; random
 * loss 5–40 % on every node; link down on the owner's VIP interface; {@code lcs move}; rolling
 * restart; full-cluster restart. Every step is bounded; at most {@link #MAX_STEPS} steps.
 *
 * <p>One fault at a time: after each repair the nemesis waits until every node has rejoined and
 * every VIP is on exactly one node, so each failover time belongs to one fault.
 *
 * <p>Checks returned: the cluster converged (all nodes rejoined, every VIP on exactly one running
 * node) within {@link #CONVERGE} after every repair. The overlap rule is the report's.
 */
public final class Nemesis {
    static final Duration CONVERGE = Duration.ofSeconds(45);
    static final int MAX_STEPS = 100_000;

    enum Kind {
        KILL9(6), FREEZE(5), ISOLATE(5), SPLIT(3), ONE_WAY(2), LOSS(2), LINK_DOWN(3), MOVE(3), ROLLING(1), FULL_RESTART(1);

        final int weight;

        Kind(int weight) {
            this.weight = weight;
        }
    }

    private final Harness h;
    private final long seed;
    private final Random rng;
    private final PrintStream log;
    private final List<Check> checks = new ArrayList<>();

    public Nemesis(Harness h, long seed, PrintStream log) {
        this.h = h;
        this.seed = seed;
        this.rng = new Random(seed);
        this.log = log;
    }

    /** Injects faults until {@code duration} has passed (the last step finishes), then repairs everything. */
    public List<Check> run(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        if (!h.awaitSteady(Duration.ofSeconds(60), Duration.ofSeconds(1))) {
            checks.add(Check.of("nemesis", "the cluster forms at start", false, "holders " + h.holdersNow()));
        }
        int step = 0;
        int notConverged = 0;
        while (System.nanoTime() < deadline && step < MAX_STEPS) {
            step++;
            Kind k = pick();
            String what;
            try {
                what = apply(k);
            } catch (HarnessException e) {
                what = k + " could not be applied: " + e.getMessage();
            } finally {
                repairAll();
            }
            // measure one fault at a time: the next starts once every node is back in the cluster
            boolean ok = h.cluster().awaitJoined(h.cluster().nodes(), CONVERGE)
                    & h.awaitSteady(CONVERGE, Duration.ofMillis(500));
            if (!ok) {
                notConverged++;
                checks.add(Check.of("nemesis step " + step, "converged within " + CONVERGE.toSeconds() + " s after "
                        + k, false, "holders " + h.holdersNow() + "; " + what));
            }
            log.printf(Locale.ROOT, "[%7.1f s] #%d %s%s%n", (WallMicros.now() - h.startMicros()) / 1e6, step, what,
                    ok ? "" : "  — NOT CONVERGED: " + h.holdersNow());
            Harness.sleep(300 + rng.nextInt(1200));
        }
        checks.add(Check.of("nemesis", "converged after every one of " + step + " steps (seed " + seed + ")",
                notConverged == 0, notConverged + " step(s) did not converge"));
        return checks;
    }

    private Kind pick() {
        int total = 0;
        for (Kind k : Kind.values()) {
            total += k.weight;
        }
        int r = rng.nextInt(total);
        for (Kind k : Kind.values()) {
            r -= k.weight;
            if (r < 0) {
                return k;
            }
        }
        return Kind.KILL9;
    }

    /** The holder of a random VIP (80 %) or a random node. */
    private Cluster.Node target() {
        if (rng.nextInt(10) < 8) {
            Vip v = h.cluster().vips().get(rng.nextInt(h.cluster().vips().size()));
            String holder = h.holder(v);
            if (holder != null) {
                return h.cluster().node(holder);
            }
        }
        return h.cluster().nodes().get(rng.nextInt(h.cluster().nodes().size()));
    }

    private long between(long minMillis, long maxMillis) {
        return minMillis + (long) (rng.nextDouble() * (maxMillis - minMillis));
    }

    private String apply(Kind k) {
        Faults f = h.faults();
        Cluster.Node n = target();
        switch (k) {
            case KILL9 -> {
                long down = between(1_000, 8_000);
                f.kill9(n);
                Harness.sleep(down);
                f.restart(n);
                return "kill -9 " + n + ", restart after " + down + " ms";
            }
            case FREEZE -> {
                long frozen = between(500, 6_000);
                Fault fault = f.freeze(n);
                Harness.sleep(frozen);
                f.thaw(fault, n);
                return "SIGSTOP " + n + " for " + frozen + " ms";
            }
            case ISOLATE -> {
                long held = between(1_000, 10_000);
                Fault fault = f.isolate(n);
                Harness.sleep(held);
                f.heal(fault);
                return "isolate " + n + " for " + held + " ms";
            }
            case SPLIT -> {
                List<Integer> idx = new ArrayList<>();
                for (Cluster.Node x : h.cluster().nodes()) {
                    idx.add(x.index);
                }
                Collections.shuffle(idx, rng);
                int groups = Math.min(idx.size(), 2 + rng.nextInt(2));
                List<List<Integer>> g = new ArrayList<>();
                for (int i = 0; i < groups; i++) {
                    g.add(new ArrayList<>());
                }
                for (int i = 0; i < idx.size(); i++) {
                    g.get(i < groups ? i : rng.nextInt(groups)).add(idx.get(i));
                }
                long held = between(1_000, 10_000);
                Fault fault = f.partition(g);
                Harness.sleep(held);
                f.heal(fault);
                return "split " + g + " for " + held + " ms";
            }
            case ONE_WAY -> {
                Cluster.Node other = otherThan(n);
                boolean intoOwner = rng.nextBoolean();
                Cluster.Node from = intoOwner ? other : n;
                Cluster.Node to = intoOwner ? n : other;
                long held = between(2_000, 10_000);
                Fault fault = f.oneWayLoss(from, to);
                Harness.sleep(held);
                f.clearLoss(fault);
                return "one-way loss " + from + " -> " + to + " for " + held + " ms";
            }
            case LOSS -> {
                int pct = 5 + rng.nextInt(36);
                long held = between(3_000, 15_000);
                Fault fault = f.randomLoss(h.cluster().nodes(), pct);
                Harness.sleep(held);
                f.clearLoss(fault);
                return pct + "% random loss on every node for " + held + " ms";
            }
            case LINK_DOWN -> {
                long held = between(1_000, 8_000);
                Fault fault = f.linkDown(n);
                Harness.sleep(held);
                f.linkUp(fault, n);
                return "link down on " + n + "'s eth0 for " + held + " ms";
            }
            case MOVE -> {
                Vip v = h.cluster().vips().get(rng.nextInt(h.cluster().vips().size()));
                String holder = h.holder(v);
                List<Cluster.Node> full = h.cluster().fullMembers().stream().filter(x -> !x.name.equals(holder)).toList();
                if (full.isEmpty()) {
                    return "move skipped: no other full member";
                }
                Cluster.Node to = full.get(rng.nextInt(full.size()));
                Cluster.Node via = holder != null ? h.cluster().node(holder) : to;
                f.move(v, to, via);
                boolean there = Harness.await(Duration.ofSeconds(15), () -> to.name.equals(h.holder(v)));
                return "move " + v.name() + " " + holder + " -> " + to + (there ? "" : " (not there after 15 s)");
            }
            case ROLLING -> {
                f.rollingRestart(CONVERGE);
                return "rolling restart (SIGTERM, start, wait for convergence; node by node)";
            }
            case FULL_RESTART -> {
                f.fullRestart();
                return "full-cluster restart";
            }
            default -> throw new IllegalStateException("unknown fault " + k);
        }
    }

    private Cluster.Node otherThan(Cluster.Node n) {
        List<Cluster.Node> others = h.cluster().nodes().stream().filter(x -> x != n).toList();
        return others.get(rng.nextInt(others.size()));
    }

    /** Whatever happened: every node running and thawed, one LAN, no nft rules, links up. */
    private void repairAll() {
        h.topology().heal();
        for (Cluster.Node n : h.cluster().nodes()) {
            try {
                Netns.nftTable(n.ns, "");
                h.topology().linkUp(n.index);
            } catch (HarnessException e) {
                log.println("repair of " + n + ": " + e.getMessage());
            }
            if (n.frozen()) {
                h.cluster().thaw(n);
            }
            if (!n.running()) {
                h.cluster().start(n);
            }
        }
    }
}
