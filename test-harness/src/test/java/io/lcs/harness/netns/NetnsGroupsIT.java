package io.lcs.harness.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lcs.reconcilers.process.CommandResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Groups, dependencies, home node and stop/start with real lcsd processes in network namespaces
 * (2 full members + 1 witness): a keep-together pair ({@code v4-1}, {@code v6-1}) and a
 * dependency chain ({@code v4-2} depends on {@code v6-2}, home {@code n1}, failback after 3 s).
 * Ownership is read from the kernels (every change, as it happens) and a client probes the
 * addresses; after every step no two members of a unit were ever on two nodes at once. Needs root:
 * skipped otherwise, except under {@code CI=true}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120)
class NetnsGroupsIT {
    private static final Duration MOVE_TIMEOUT = Duration.ofSeconds(15);
    private static final int SETTLE_MS = 3000;
    private static Harness harness;
    private static Vip pairA;
    private static Vip pairB;
    private static Vip chainTop;
    private static Vip chainBase;

    @BeforeAll
    static void startCluster() {
        String why = HarnessMain.preflight();
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but the netns harness cannot run: " + why);
            }
            assumeTrue(false, "needs root and network tools: " + why);
        }
        Cluster.ConfigExtras extras = new Cluster.ConfigExtras("failback_settle_ms = " + SETTLE_MS + "\n",
                "\n[group pair]\ntype = keep-together\nmode = strict\n", Map.of(
                "v4-1", "group = pair\npriority = 2\n",
                "v6-1", "group = pair\npriority = 1\n",
                "v4-2", "depends_on = v6-2\nhome_node = n1\n"));
        harness = Harness.start(new Cluster.Settings(3, 1, 2000, 500, 250, 2), System.getProperty("java.class.path"),
                extras);
        List<Vip> vips = harness.cluster().vips();
        pairA = vip(vips, "v4-1");
        pairB = vip(vips, "v6-1");
        chainTop = vip(vips, "v4-2");
        chainBase = vip(vips, "v6-2");
    }

    @AfterAll
    static void cleanUp() {
        if (harness != null) {
            harness.close();
        }
    }

    /** After every step: the kernels never had a unit's members on two nodes at once. */
    @AfterEach
    void neverSplit() {
        if (harness == null) {
            return;
        }
        List<String> splits = new ArrayList<>(splits(pairA, pairB));
        splits.addAll(splits(chainTop, chainBase));
        assertEquals(List.of(), splits, "members of one unit held by two nodes at the same time");
        assertEquals(List.of(), Checker.overlaps(harness.sampler().intervals(), WallMicros.now()),
                "a VIP held by two kernels");
    }

    @Test
    @Order(1)
    void thePairRunsTogetherAndTheChainFailsBackToItsHome() {
        assertTrue(harness.awaitSteady(Duration.ofSeconds(60), Duration.ofSeconds(1)), holders());
        assertTrue(Harness.await(MOVE_TIMEOUT, () -> together(pairA, pairB) != null), holders());
        assertTrue(Harness.await(MOVE_TIMEOUT, () -> "n1".equals(together(chainTop, chainBase))),
                "the chain goes to its home n1 once n1 has been up " + SETTLE_MS + " ms: " + holders());
    }

    @Test
    @Order(2)
    void movingOneMemberMovesTheWholePair() {
        Cluster.Node from = harness.cluster().node(together(pairA, pairB));
        Cluster.Node to = other(from);
        // the lower-priority member: the move is of its unit
        harness.faults().move(pairB, to, from);
        assertTrue(Harness.await(MOVE_TIMEOUT, () -> to.name.equals(together(pairA, pairB))), holders());
        clientSeesOnly(to, pairA, pairB);
    }

    @Test
    @Order(3)
    void killingThePairsOwnerMovesBothMembers() {
        Cluster.Node owner = harness.cluster().node(together(pairA, pairB));
        Cluster.Node survivor = other(owner);
        harness.faults().kill9(owner);
        try {
            assertTrue(Harness.await(MOVE_TIMEOUT, () -> survivor.name.equals(together(pairA, pairB))), holders());
            clientSeesOnly(survivor, pairA, pairB);
        } finally {
            harness.faults().restart(owner); // the next steps need both full members
        }
        assertTrue(harness.cluster().awaitJoined(harness.cluster().nodes(), Duration.ofSeconds(60)));
        assertTrue(harness.awaitSteady(Duration.ofSeconds(60), Duration.ofSeconds(1)), holders());
    }

    @Test
    @Order(4)
    void aStoppedMemberRunsNowhereUntilStarted() {
        Cluster.Node via = harness.cluster().fullMembers().get(0);
        String owner = together(pairA, pairB);
        cli(via, "stop", pairB.name());
        assertTrue(Harness.await(MOVE_TIMEOUT, () -> harness.sampler().holders(pairB.name()).isEmpty()), holders());
        assertEquals(new TreeSet<>(List.of(owner)), harness.sampler().holders(pairA.name()),
                "the other member keeps running where it was");
        String status = cli(via, "status");
        assertTrue(status.lines().anyMatch(l -> l.contains(pairB.name() + " ") && l.contains("state=stopped")
                && l.contains("group=pair priority=1") && l.contains("disabled=yes")), status);
        cli(via, "start", pairB.name());
        assertTrue(Harness.await(MOVE_TIMEOUT, () -> owner.equals(together(pairA, pairB))), holders());
    }

    @Test
    @Order(5)
    void aMoveAwayFromHomeBlocksFailbackUntilCleared() {
        Cluster.Node n1 = harness.cluster().node("n1");
        Cluster.Node n2 = harness.cluster().node("n2");
        assertTrue(Harness.await(Duration.ofSeconds(30), () -> "n1".equals(together(chainTop, chainBase))), holders());
        harness.faults().move(chainTop, n2, n1);
        assertTrue(Harness.await(MOVE_TIMEOUT, () -> "n2".equals(together(chainTop, chainBase))), holders());
        String status = cli(n1, "status");
        assertTrue(status.lines().anyMatch(l -> l.contains(chainTop.name() + " ") && l.contains("home=n1 blocked=yes")),
                status);
        Harness.sleep(2L * SETTLE_MS); // n1 is up and settled all along: only the block keeps the chain away
        assertEquals("n2", together(chainTop, chainBase), "blocked: no failback; " + holders());
        cli(n1, "clear", chainTop.name());
        assertTrue(Harness.await(MOVE_TIMEOUT, () -> "n1".equals(together(chainTop, chainBase))),
                "after lcs clear the chain fails back home: " + holders());
        clientSeesOnly(n1, chainTop, chainBase);
    }

    // ------------------------------------------------------------------ helpers

    private static Vip vip(List<Vip> vips, String name) {
        return vips.stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
    }

    /** The one node holding both {@code a} and {@code b}, or null. */
    private static String together(Vip a, Vip b) {
        String ha = harness.holder(a);
        return ha != null && ha.equals(harness.holder(b)) ? ha : null;
    }

    private static Cluster.Node other(Cluster.Node n) {
        return harness.cluster().fullMembers().stream().filter(x -> x != n).findFirst().orElseThrow();
    }

    private static String holders() {
        return "holders " + harness.holdersNow();
    }

    private static String cli(Cluster.Node via, String... args) {
        CommandResult r = harness.cluster().cli(via, Duration.ofSeconds(20), args);
        assertTrue(r.ok(), "lcs " + String.join(" ", args) + ": exit " + r.exitCode() + " " + r.stdout() + r.stderr());
        return r.stdout();
    }

    /**
     * Within 10 s there is a moment from which, for 0.5 s, every answer the client got for each
     * address came from {@code node} (and there was one for each).
     */
    private static void clientSeesOnly(Cluster.Node node, Vip... vips) {
        String mac = harness.topology().mac(node.index);
        boolean ok = Harness.await(Duration.ofSeconds(10), () -> {
            for (Vip v : vips) {
                if (!List.of(mac).equals(harness.probe().answeredWithin(v, 500_000L))) {
                    return false;
                }
            }
            return true;
        });
        List<String> seen = new ArrayList<>();
        for (Vip v : vips) {
            seen.add(v.name() + " answered by " + harness.probe().answeredWithin(v, 500_000L));
        }
        assertTrue(ok, seen + ", expected only " + node.name + " (" + mac + ")");
    }

    /** Each time {@code a} and {@code b} were on different nodes at once, by the kernels' intervals. */
    private static List<String> splits(Vip a, Vip b) {
        long now = WallMicros.now();
        List<OwnershipSampler.Interval> all = harness.sampler().intervals();
        List<String> out = new ArrayList<>();
        for (OwnershipSampler.Interval x : all) {
            if (!x.vip().equals(a.name())) {
                continue;
            }
            for (OwnershipSampler.Interval y : all) {
                if (y.vip().equals(b.name()) && !y.node().equals(x.node())
                        && Math.max(x.fromMicros(), y.fromMicros()) < Math.min(x.endOr(now), y.endOr(now))) {
                    out.add(a.name() + "@" + x.node() + " and " + b.name() + "@" + y.node() + " from "
                            + Math.max(x.fromMicros(), y.fromMicros()));
                }
            }
        }
        return out;
    }
}
