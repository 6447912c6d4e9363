package io.lcs.harness.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.harness.loopback.LoopbackCluster.Node;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VIP ownership across real processes (a, b full members, c a quorum-only witness; one
 * {@code [vip web]} on a simulated eth0, default lease 2 s, renew 0.5 s, probe 250 ms):
 * kill -9 of the owner moves the VIP to the other full member, at a higher epoch, and it stays there
 * when the killed node comes back (stickiness); {@code move} releases first and the target acquires
 * at once; and over the whole test the journals show no two holders at once. How fast is the
 * benchmark's business ({@code lcs-harness bench}, docs/BENCHMARKS.md), not a wall-clock window
 * asserted here on a loaded CI machine: this test prints the times it saw and bounds each wait only
 * to fail rather than hang. "It stays there" is checked after the old owner was seen processing
 * several renewals of the new owner's lease, not after a sleep.
 */
class LoopbackFailoverIT {
    private static final String VIP = "web";
    private static final String ADDRESS = "198.18.0.201/24";
    /** Only so that a broken failover fails the test instead of hanging it (lease 2 s + probe 0.25 s). */
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(15);
    /** Renewals (every 0.5 s) of the new owner's lease a node must be seen processing before "it stays" is checked. */
    private static final int RENEWALS_SEEN = 3;
    private static final Duration FORM = Duration.ofSeconds(20);
    private static final int TRIALS = 3;

    @TempDir
    Path tmp;
    LoopbackCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = new LoopbackCluster(tmp, List.of("a", "b", "c*"),
                "[vip " + VIP + "]\naddress = " + ADDRESS + "\ninterface = eth0\n", "");
        cluster.startAll();
        for (Node n : cluster.nodes()) {
            assertTrue(LoopbackCluster.await(FORM, () -> cluster.quorumWithEveryNodeOnline(n)),
                    "node " + n.name + " never saw quorum with every node online\n" + cluster.logs());
        }
        assertTrue(LoopbackCluster.await(FORM, () -> activeOwner() != null),
                "nobody activated " + VIP + "\n" + cluster.logs());
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void killedOwnerFailsOverWithinBoundStaysStickyAndMoveReleasesFirst() throws Exception {
        List<Double> failovers = new ArrayList<>();
        for (int trial = 1; trial <= TRIALS; trial++) {
            Node owner = cluster.node(activeOwner());
            Node survivor = otherFullMember(owner);
            long epochBefore = cluster.epoch(owner, VIP);

            long killedAtMillis = System.currentTimeMillis();
            long killedAt = System.nanoTime();
            cluster.kill(owner);
            boolean moved = LoopbackCluster.await(FAILOVER_TIMEOUT, () -> activeOn(survivor));
            double seconds = (System.nanoTime() - killedAt) / 1e9;
            assertTrue(moved, "trial " + trial + ": " + survivor.name + " never held " + VIP + " after kill -9 of "
                    + owner.name + "\n" + cluster.logs());
            // the status says active once the lease is held; the address follows (probe, add)
            JsonNode[] added = new JsonNode[1];
            assertTrue(LoopbackCluster.await(Duration.ofSeconds(5), () -> (added[0] = firstOp(survivor, "add",
                    killedAtMillis)) != null), "trial " + trial + ": " + survivor.name + " never added " + ADDRESS
                    + "\n" + cluster.logs());
            System.out.printf(Locale.ROOT, "failover after kill -9 (trial %d, %s -> %s): %.2f s (status active), "
                    + "address added after %.2f s%n", trial, owner.name, survivor.name, seconds,
                    (added[0].path("t").asLong() - killedAtMillis) / 1000.0);
            failovers.add(seconds);
            long epochAfter = cluster.epoch(survivor, VIP);
            assertTrue(epochAfter > epochBefore, "trial " + trial + ": epoch " + epochBefore + " -> " + epochAfter);

            // the killed node comes back: the VIP must not move back (stickiness)
            cluster.start(owner);
            assertTrue(LoopbackCluster.await(FORM, () -> cluster.quorumWithEveryNodeOnline(owner)
                            && !cluster.restarting(owner, owner.name) && !cluster.restarting(survivor, owner.name)),
                    "trial " + trial + ": " + owner.name + " did not rejoin\n" + cluster.logs());
            // the old owner, eligible again, processes several renewals of the survivor's lease
            awaitRenewalsSeenBy(owner, survivor, epochAfter, "trial " + trial);
            for (Node n : cluster.nodes()) {
                JsonNode v = vipStatus(n);
                assertNotNull(v, "no status of " + VIP + " on " + n.name + "\n" + cluster.logs());
                assertEquals(survivor.name, v.path("owner").asText(), "trial " + trial + ": " + VIP
                        + " moved back after " + owner.name + " restarted (not sticky), as " + n.name + " sees it: "
                        + v + "\n" + cluster.logs());
                assertEquals(epochAfter, v.path("epoch").asLong(), "trial " + trial + ": epoch changed on " + n.name);
            }
        }
        for (Node n : cluster.nodes()) { // killed and restarted daemons leave nothing in their temporary directory
            try (var left = java.nio.file.Files.list(n.tmpDir())) {
                assertEquals(List.of(), left.map(f -> f.getFileName().toString()).toList(), n.name + "'s java.io.tmpdir");
            }
        }
        double mean = failovers.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "failover after kill -9: mean %.2f s over %d trials %s%n", mean, TRIALS,
                failovers);

        // move, both ways (so the target is once ahead of and once behind the other in the stable hash
        // order): the owner releases first, the target acquires at once at a higher epoch
        for (int move = 1; move <= 2; move++) {
            Node from = cluster.node(activeOwner());
            Node to = otherFullMember(from);
            long epochBefore = cluster.epoch(from, VIP);
            long requestedAtMillis = System.currentTimeMillis();
            long requestedAt = System.nanoTime();
            Map.Entry<Integer, JsonNode> r = cluster.post(from, "/api/v1/vips/" + VIP + "/move", "application/json",
                    "{\"to\":\"" + to.name + "\"}");
            assertEquals(200, r.getKey(), "move: " + r.getValue() + "\n" + cluster.logs());
            assertTrue(LoopbackCluster.await(Duration.ofSeconds(10), () -> activeOn(to)),
                    "move " + from.name + " -> " + to.name + ": the target never held " + VIP + "\n" + cluster.logs());
            double moveSeconds = (System.nanoTime() - requestedAt) / 1e9;
            long epochAfter = cluster.epoch(to, VIP);
            assertTrue(epochAfter > epochBefore, "move: epoch " + epochBefore + " -> " + epochAfter);
            // active in the status = lease held; the address is added right after
            LoopbackCluster.await(Duration.ofSeconds(5), () -> firstOp(to, "add", requestedAtMillis) != null);
            JsonNode removed = firstOp(from, "remove", requestedAtMillis);
            JsonNode added = firstOp(to, "add", requestedAtMillis);
            assertNotNull(removed, "move: no remove journaled by " + from.name + " " + cluster.journal(from));
            assertNotNull(added, "move: no add journaled by " + to.name + " " + cluster.journal(to));
            long removeAt = removed.path("t").asLong();
            long addAt = added.path("t").asLong();
            assertTrue(removeAt <= addAt, "move: " + to.name + " added at " + addAt + " before " + from.name
                    + " removed at " + removeAt);
            System.out.printf(Locale.ROOT, "move %s -> %s: active on target after %.2f s (API); remove -> add %d ms,"
                    + " request -> add %d ms%n", from.name, to.name, moveSeconds, addAt - removeAt,
                    addAt - requestedAtMillis);
            // and it stays there: the old owner processes renewals of the target's lease, takes nothing back
            awaitRenewalsSeenBy(from, to, epochAfter, "move " + from.name + " -> " + to.name);
            assertTrue(activeOn(to) && cluster.epoch(to, VIP) == epochAfter, "move " + from.name + " -> " + to.name
                    + ": the VIP did not stay on the target: " + vipStatus(to) + "\n" + cluster.logs());
        }

        // the whole test, every journal: never two holders at once
        Map<String, List<JsonNode>> journals = new LinkedHashMap<>();
        for (Node n : cluster.nodes()) {
            journals.put(n.name, cluster.journal(n));
        }
        int adds = 0;
        for (Node n : cluster.nodes()) {
            adds += AddressTimeline.intervals(n.name, journals.get(n.name), ADDRESS).size();
        }
        assertTrue(adds >= TRIALS + 3, "too few holds journaled to mean anything: " + adds + " " + journals);
        List<String> overlaps = AddressTimeline.overlaps(journals, ADDRESS);
        if (!overlaps.isEmpty()) {
            fail("two holders at once: " + overlaps + "\n" + journals + "\n" + cluster.logs());
        }
        assertTrue(journals.get("c").stream().noneMatch(op -> op.path("op").asText().equals("add")),
                "the quorum-only witness added the VIP: " + journals.get("c"));
    }

    // ------------------------------------------------------------------ helpers

    /** The owner as every live node agrees, if that owner itself reports the VIP active; else null. */
    private String activeOwner() {
        String owner = null;
        for (Node n : cluster.nodes()) {
            if (!n.alive()) {
                continue;
            }
            String o = cluster.owner(n, VIP);
            if (o == null || (owner != null && !owner.equals(o))) {
                return null;
            }
            owner = o;
        }
        return owner != null && activeOn(cluster.node(owner)) ? owner : null;
    }

    /** {@link LoopbackCluster#awaitRenewalsSeenBy} of {@value #RENEWALS_SEEN} renewals, or the test fails. */
    private void awaitRenewalsSeenBy(Node viewer, Node owner, long epoch, String what) throws InterruptedException {
        String problem = cluster.awaitRenewalsSeenBy(viewer, VIP, owner.name, epoch, RENEWALS_SEEN,
                Duration.ofSeconds(20));
        assertNull(problem, () -> what + ": " + problem + "\n" + cluster.logs());
    }

    /** {@code n} reports itself as the owner of the VIP, state active. */
    private boolean activeOn(Node n) {
        JsonNode v = vipStatus(n);
        return v != null && n.name.equals(v.path("owner").asText()) && "active".equals(v.path("state").asText());
    }

    private JsonNode vipStatus(Node n) {
        JsonNode s = cluster.status(n);
        if (s != null) {
            for (JsonNode v : s.path("vips")) {
                if (v.path("name").asText().equals(VIP)) {
                    return v;
                }
            }
        }
        return null;
    }

    private Node otherFullMember(Node n) {
        for (Node o : cluster.nodes()) {
            if (o != n && !o.witness) {
                return o;
            }
        }
        throw new AssertionError("no other full member than " + n.name);
    }

    /** The first {@code op} on the VIP's address in {@code n}'s journal at or after the time, or null. */
    private JsonNode firstOp(Node n, String op, long notBeforeMillis) {
        try {
            for (JsonNode line : cluster.journal(n)) {
                if (line.path("op").asText().equals(op) && line.path("address").asText().equals(ADDRESS)
                        && line.path("t").asLong() >= notBeforeMillis) {
                    return line;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return null;
    }
}
