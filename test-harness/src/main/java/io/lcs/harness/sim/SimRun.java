package io.lcs.harness.sim;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.core.WriteOp;
import io.lcs.model.api.ObjectKey;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One seeded random simulation run: a cluster shaped by the seed (size, witnesses, lease length,
 * network delays, loss, duplication, codec on or off, release or expiry), random client writes at
 * random live nodes, random faults (crash and restart, freeze, suspend, partitions, one-way cuts,
 * loss bursts, Moves; in some runs a node with another membership hash) for {@code durationNanos};
 * then everything heals, the cluster settles, and the final checks run. Invariants are checked after every step throughout.
 *
 * <p>Same seed, same run: every random choice comes from one {@link SplittableRandom}.
 */
public final class SimRun {
    /** Client write keys: kind VirtualIP, names v0..v4 (the same names are the VIPs leased). */
    public static final List<String> VIPS = List.of("v0", "v1", "v2", "v3", "v4");
    /** Every {@code MANY_VIPS_EVERY}-th seed leases {@link #MANY_VIPS} VIPs (v0..v49) instead of five. */
    public static final int MANY_VIPS_EVERY = 8;
    public static final List<String> MANY_VIPS = manyVips(50);
    /** Every GROUPED_EVERY-th seed places its VIPs as the units of {@link #GROUPS} (never a many-VIPs seed). */
    public static final int GROUPED_EVERY = 4;
    /**
     * The resources of a grouped run: a keep-together pair with a dependency and home n1, a strict
     * anti-affinity group of three (one with home n2) and a best-effort one of two (the second, with
     * home n2, placed after the first), all with the production GroupRules; a grouped run has at
     * least two full members, and fails back at once ({@code failback_settle_ms = 0}).
     */
    public static final SimCluster.GroupModel GROUPS = SimCluster.GroupModel.of(List.of(
            member("kt0", "kt", 2, "n1"), member("kt1", "kt", 1, null, "kt0"),
            member("a0", "apart", null, null), member("a1", "apart", null, "n2"), member("a2", "apart", null, null),
            member("s0", "spread", 2, null), member("s1", "spread", 1, "n2")), java.util.Map.of(
            "kt", new io.lcs.model.config.GroupConfig("kt", io.lcs.model.config.GroupConfig.Type.KEEP_TOGETHER,
                    io.lcs.model.config.GroupConfig.Mode.STRICT, 0),
            "apart", new io.lcs.model.config.GroupConfig("apart", io.lcs.model.config.GroupConfig.Type.ANTI_AFFINITY,
                    io.lcs.model.config.GroupConfig.Mode.STRICT, 0),
            "spread", new io.lcs.model.config.GroupConfig("spread", io.lcs.model.config.GroupConfig.Type.ANTI_AFFINITY,
                    io.lcs.model.config.GroupConfig.Mode.BEST_EFFORT, 0)));

    private static io.lcs.model.config.GroupRules.Member member(String name, String group, Integer priority,
                                                               String home, String... deps) {
        return new io.lcs.model.config.GroupRules.Member(name,
                new io.lcs.model.config.Grouping(group, priority, home, List.of(deps)));
    }

    /** This seed's run places grouped units. */
    public static boolean grouped(long seed) {
        return Math.floorMod(seed, GROUPED_EVERY) == 2;
    }
    /**
     * Tombstone age before collection in one run of three (lcsd's 10 minutes would never pass in a
     * run): longer than two write time-outs plus a peer time-out, so every message of a write that
     * raced the delete has arrived or been dropped by then (the delay the collection rule assumes),
     * and short enough that deletes of the faulty phase are collected during the settle.
     */
    public static final long SHORT_TOMBSTONE_GC_MILLIS = 8_000;
    /** About one run in this many has a node with another membership hash for a while. */
    public static final int MISCONFIGURED_EVERY = 5;
    /**
     * Every {@code HEALTH_EVERY}-th seed (seed % 3 == 1) that is not {@link #grouped} gives every VIP a health check whose result
     * flips on random full members (flapping included), drawn from a random stream of their own so
     * that the other seeds replay as before.
     */
    public static final int HEALTH_EVERY = 3;

    private static List<String> manyVips(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("v" + i);
        }
        return List.copyOf(out);
    }

    /** What one run did, for the summary line and the determinism check. */
    public record Outcome(long seed, int nodes, int witnesses, boolean codec, long steps, long traceHash,
                          long acked, long messages, int vips, boolean misconfigured, long collections,
                          long grantExtensions, long shortenedRestarts, long immediateRestarts) {
    }

    /** Shape of a run, all derived from the seed. */
    public record Shape(int fullMembers, int witnesses, long leaseMillis, boolean codec, boolean releaseOnStop,
                        boolean suspends, boolean shortTombstoneGc) {
    }

    private final long seed;
    private final long durationNanos;
    private final SplittableRandom random;
    private final SimCluster sim;
    private final Shape shape;
    /** The VIPs of this run (also the keys of its client writes). */
    private final List<String> vips;
    private int writeCounter;
    private boolean misconfigured;

    /**
     * @param codecShare fraction of runs (by seed) whose messages go through the wire codec
     * @param verbose print every step here, or null
     */
    public SimRun(long seed, long durationNanos, double codecShare, PrintStream verbose) {
        this.seed = seed;
        this.durationNanos = durationNanos;
        this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        this.shape = shape(random, codecShare);
        // chosen from the seed, not drawn from the run's random stream (five-VIP seeds replay as before)
        this.vips = Math.floorMod(seed, MANY_VIPS_EVERY) == MANY_VIPS_EVERY - 1 ? MANY_VIPS : VIPS;
        long lease = shape.leaseMillis();
        long maxPause = 3 * lease * 1_000_000L;
        this.sim = new SimCluster(new SimCluster.Options(seed, shape.fullMembers(), shape.witnesses(), lease,
                lease / 4, 0.01, shape.codec(), shape.releaseOnStop(), true, grouped(seed) ? GROUPS.leaseKeys() : vips,
                maxPause, verbose, shape.shortTombstoneGc() ? SHORT_TOMBSTONE_GC_MILLIS : 0));
        if (grouped(seed)) {
            sim.useGroups(GROUPS);
        }
    }

    static Shape shape(SplittableRandom r, double codecShare) {
        int size = new int[] {3, 5, 7}[r.nextInt(3)];
        int witnesses = r.nextInt(3) == 0 ? 0 : r.nextInt(1, size / 2 + 1);
        long lease = new long[] {1_500, 2_000, 3_000}[r.nextInt(3)];
        return new Shape(size - witnesses, witnesses, lease, r.nextDouble() < codecShare, r.nextBoolean(),
                r.nextInt(3) == 0, r.nextInt(3) == 0);
    }

    public SimCluster cluster() {
        return sim;
    }

    public Shape shape() {
        return shape;
    }

    /** Runs the faulty phase, heals, settles and runs the final checks; throws AssertionError on a violation. */
    public Outcome run() {
        SimNetwork net = sim.network();
        long minDelay = 100_000 + random.nextLong(900_000);
        long maxDelay = minDelay + 1_000_000 + random.nextLong(random.nextBoolean() ? 5_000_000 : 40_000_000);
        net.setDelay(minDelay, maxDelay);
        net.setDuplication(random.nextInt(3) == 0 ? random.nextDouble() * 0.05 : 0);
        double baseLoss = random.nextInt(3) == 0 ? random.nextDouble() * 0.05 : 0;
        List<String> names = new ArrayList<>();
        for (SimNode n : sim.nodes()) {
            names.add(n.name());
        }
        if (baseLoss > 0) {
            for (String a : names) {
                for (String b : names) {
                    if (!a.equals(b)) {
                        net.setLinkLoss(a, b, random.nextDouble() * baseLoss);
                    }
                }
            }
        }
        long faultMeanNanos = (300 + random.nextLong(2_700)) * 1_000_000L;
        long writeMeanNanos = (50 + random.nextLong(450)) * 1_000_000L;
        long leaseNanos = shape.leaseMillis() * 1_000_000L;

        if (random.nextInt(MISCONFIGURED_EVERY) == 0) {
            // one node runs with another membership hash (another cluster name in its lcs.conf) until
            // fixed, maybe only by the final heal: never counted, never granting
            String wrong = names.get(random.nextInt(names.size()));
            sim.misconfigure(wrong, SimCluster.CLUSTER_HASH + 1);
            long fixAt = durationNanos / 2 + random.nextLong(durationNanos);
            sim.at(fixAt, "fix configuration of " + wrong, () -> sim.fixConfiguration(wrong));
            misconfigured = true;
        }
        // not in grouped runs: the health invariant ("another node is eligible, so hand over") does not
        // know that strict anti-affinity may keep a member on a failing node when the passing one holds
        // another member; a grouped run checks its group invariants instead
        if (Math.floorMod(seed, HEALTH_EVERY) == 1 && !grouped(seed)) {
            scheduleHealthFlips(new SplittableRandom(seed ^ 0x4EA17L));
        }
        long nextFault = expo(faultMeanNanos);
        long nextWrite = expo(writeMeanNanos);
        // bounded: every iteration moves nextFault or nextWrite forward by at least 1 ms
        while (true) {
            long next = Math.min(nextFault, nextWrite);
            if (next >= durationNanos) {
                break;
            }
            sim.runUntil(next);
            if (next == nextWrite) {
                clientWrite(names);
                nextWrite += Math.max(1_000_000L, expo(writeMeanNanos));
            } else {
                fault(names, leaseNanos);
                nextFault += Math.max(1_000_000L, expo(faultMeanNanos));
            }
        }
        sim.runUntil(durationNanos);
        sim.healEverything();
        if (sim.healthChecks()) {
            for (String n : sim.fullMemberNames()) {
                sim.setHealthy(n, true); // the final checks expect every VIP placed
            }
        }
        sim.runUntil(sim.clock().nowNanos() + sim.settleNanos());
        sim.invariants().checkConvergedAndNothingLost();
        sim.invariants().checkEveryVipHeldOnce();
        sim.trace().mixIn(sim.invariants().acked());
        return new Outcome(seed, shape.fullMembers() + shape.witnesses(), shape.witnesses(), shape.codec(),
                sim.steps(), sim.trace().hash(), sim.invariants().acked(), net.sent(), vips.size(), misconfigured,
                sim.invariants().collections(), sim.invariants().grantExtensions(),
                sim.nodes.stream().mapToLong(n -> n.shortenedStarts).sum(),
                sim.nodes.stream().mapToLong(n -> n.immediateStarts).sum());
    }

    /**
     * Health flips over the faulty phase: every 50 ms to 1.5 s a random full member's check starts
     * failing or passing; now and then one flaps (several flips 20 to 100 ms apart).
     */
    private void scheduleHealthFlips(SplittableRandom r) {
        sim.enableHealthChecks();
        List<String> full = sim.fullMemberNames();
        long t = 0;
        while (true) { // bounded: t grows by at least 50 ms per round
            t += 50_000_000L + r.nextLong(1_450_000_000L);
            if (t >= durationNanos) {
                break;
            }
            String node = full.get(r.nextInt(full.size()));
            int flips = r.nextInt(4) == 0 ? 2 + r.nextInt(6) : 1;
            long at = t;
            for (int i = 0; i < flips; i++) {
                boolean passing = r.nextBoolean();
                sim.at(at, (passing ? "check passes on " : "check fails on ") + node,
                        () -> sim.setHealthy(node, passing));
                at += 20_000_000L + r.nextLong(80_000_000L);
            }
        }
    }

    private long expo(long meanNanos) {
        return (long) (-Math.log(1 - random.nextDouble()) * meanNanos);
    }

    private void clientWrite(List<String> names) {
        List<String> up = new ArrayList<>();
        for (SimNode n : sim.nodes()) {
            if (n.status() == SimNode.Status.UP) {
                up.add(n.name());
            }
        }
        if (up.isEmpty()) {
            return;
        }
        String at = up.get(random.nextInt(up.size()));
        String name = vips.get(random.nextInt(vips.size()));
        ObjectKey key = new ObjectKey("VirtualIP", name);
        WriteOp op;
        if (random.nextInt(5) == 0) {
            op = new WriteOp.Delete(key);
        } else {
            op = new WriteOp.Put(key, vipBody(name, "198.18.0." + (1 + random.nextInt(250)) + "/24",
                    random.nextInt(4) == 0 ? "eth1" : "eth0"));
        }
        writeCounter++;
        sim.submit(at, op);
    }

    /** A VirtualIP manifest as a client would send it. */
    public static ObjectNode vipBody(String name, String address, String iface) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode body = f.objectNode();
        body.put("apiVersion", "lcs/v1");
        body.put("kind", "VirtualIP");
        body.putObject("metadata").put("name", name);
        ObjectNode spec = body.putObject("spec");
        spec.put("address", address);
        spec.put("interface", iface);
        return body;
    }

    private void fault(List<String> names, long leaseNanos) {
        long now = sim.clock().nowNanos();
        SimNetwork net = sim.network();
        int kind = random.nextInt(shape.suspends() ? 9 : 8);
        switch (kind) {
            case 0, 1 -> { // crash (0) or clean stop (1: its restart waits only what is left), restart later
                String n = pick(names, SimNode.Status.UP);
                if (n != null) {
                    if (kind == 0) {
                        sim.crash(n);
                    } else {
                        sim.stopCleanly(n);
                    }
                    sim.at(now + 100_000_000L + random.nextLong(3 * leaseNanos), "restart " + n, () -> sim.restart(n));
                }
            }
            case 2 -> { // freeze (SIGSTOP), sometimes longer than the lease
                String n = pick(names, SimNode.Status.UP);
                if (n != null) {
                    sim.freeze(n);
                    sim.at(now + 10_000_000L + random.nextLong(3 * leaseNanos), "resume " + n, () -> sim.resume(n));
                }
            }
            case 3 -> { // partition into random groups
                int groups = 2 + random.nextInt(2);
                List<Set<String>> g = new ArrayList<>();
                for (int i = 0; i < groups; i++) {
                    g.add(new HashSet<>());
                }
                for (String n : names) {
                    g.get(random.nextInt(groups)).add(n);
                }
                net.partition(g);
                sim.at(now + 200_000_000L + random.nextLong(4_000_000_000L), "heal", net::heal);
                sim.trace().record(now, "partition", null, g, g.toString().hashCode());
            }
            case 4 -> { // one-way cut
                String a = names.get(random.nextInt(names.size()));
                String b = names.get(random.nextInt(names.size()));
                if (!a.equals(b)) {
                    net.cut(a, b);
                    sim.at(now + 200_000_000L + random.nextLong(3_000_000_000L), "heal", net::heal);
                    sim.trace().record(now, "cut", a, b, b.hashCode());
                }
            }
            case 5 -> { // loss burst
                double p = 0.3 + random.nextDouble() * 0.7;
                net.setBurstLoss(p);
                sim.at(now + 100_000_000L + random.nextLong(2_000_000_000L), "burst end", () -> net.setBurstLoss(0));
                sim.trace().record(now, "burst", null, p, Double.hashCode(p));
            }
            case 6, 7 -> { // a Move: everyone prefers another node for a while (a unit's, in a grouped run)
                List<String> keys = sim.options.vips();
                String vip = keys.get(random.nextInt(keys.size()));
                List<String> full = sim.fullMemberNames();
                String to = full.get(random.nextInt(full.size()));
                sim.forceOwner(vip, to);
                sim.at(now + 500_000_000L + random.nextLong(4_500_000_000L), "move end " + vip,
                        () -> sim.forceOwner(vip, null));
            }
            default -> { // suspend, long enough that the wall-clock jump is detected
                String n = pick(names, SimNode.Status.UP);
                if (n != null) {
                    sim.suspend(n);
                    long d = SimCluster.detectableSuspendNanos(sim.node(n)) + random.nextLong(2 * leaseNanos);
                    sim.at(now + d, "resume " + n, () -> sim.resume(n));
                }
            }
        }
    }

    private String pick(List<String> names, SimNode.Status status) {
        List<String> c = new ArrayList<>();
        for (String n : names) {
            if (sim.node(n).status() == status) {
                c.add(n);
            }
        }
        return c.isEmpty() ? null : c.get(random.nextInt(c.size()));
    }
}
