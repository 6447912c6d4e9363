package io.lcs.harness.loopback;

import io.lcs.controller.metrics.PrometheusTextParser;

import static io.lcs.harness.loopback.InProcessLcs.lcs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.controller.transport.FrameCodec;
import io.lcs.harness.loopback.InProcessLcs.Run;
import io.lcs.harness.loopback.LoopbackCluster.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator surface end to end: the {@code lcs} CLI (in-process, {@code Lcs.run}) against real
 * lcsd processes, and node a's /metrics against its admin API status. The cluster (a, b full
 * members, c a witness) has one lcs.conf VIP, {@code dup}, whose simulated probe always answers
 * "taken" ({@link LoopbackLcsd#TAKEN_ENV}), to exercise conflict and {@code lcs ack} for real.
 * The tests share one cluster and run in order: apply, then read, move, ack, metrics.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoopbackCliIT {
    private static final String DUP = "198.18.0.77/24";
    private static final Path MANIFEST = Path.of(System.getProperty("user.dir")).resolve("../manifests/vips.yaml")
            .normalize();
    private static final Pattern CONFLICT_EPOCH = Pattern.compile("at epoch (\\d+)");

    @TempDir
    static Path tmp;
    static LoopbackCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LoopbackCluster(tmp, List.of("a", "b", "c*"),
                "[vip dup]\naddress = " + DUP + "\ninterface = eth0\n", "");
        cluster.environment(LoopbackLcsd.TAKEN_ENV, DUP);
        cluster.startAll();
        for (Node n : cluster.nodes()) {
            assertTrue(LoopbackCluster.await(Duration.ofSeconds(20), () -> cluster.quorumWithEveryNodeOnline(n)),
                    "node " + n.name + " never saw quorum with every node online\n" + cluster.logs());
        }
        // settled: nobody in its restart wait any more, and dup's conflict detected and replicated
        for (Node n : cluster.nodes()) {
            assertTrue(LoopbackCluster.await(Duration.ofSeconds(20), () -> {
                JsonNode s = cluster.status(n);
                JsonNode dup = vipStatus(n, "dup");
                return s != null && dup != null && "conflict".equals(dup.path("state").asText())
                        && s.path("nodes").findValues("restarting").stream().noneMatch(JsonNode::asBoolean);
            }), "node " + n.name + " did not settle: " + cluster.status(n) + "\n" + cluster.logs());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void applyOfTheRepositoryManifestCreatesEveryObjectAndIsIdempotent() throws Exception {
        assertTrue(Files.isRegularFile(MANIFEST), "no manifest at " + MANIFEST);
        Run r = lcs(cluster.node("a"), "apply", "-f", MANIFEST.toString());
        assertEquals(0, r.exit(), r + "\n" + cluster.logs());
        assertEquals(List.of("virtualip/web created", "virtualip/web6 created"), r.out().lines().toList(), r.toString());
        Run again = lcs(cluster.node("a"), "apply", "-f", MANIFEST.toString());
        assertEquals(0, again.exit(), again.toString());
        assertEquals(List.of("virtualip/web unchanged", "virtualip/web6 unchanged"), again.out().lines().toList(),
                again.toString());
    }

    @Test
    @Order(2)
    void getVipsOnAnotherNodeShowsTheAppliedObjects() throws Exception {
        Node b = cluster.node("b");
        Run[] last = new Run[1];
        boolean shown = LoopbackCluster.await(Duration.ofSeconds(10), () -> {
            last[0] = lcs(b, "get", "vips");
            return last[0].exit() == 0 && row(last[0], "web") != null && row(last[0], "web6") != null
                    && row(last[0], "web").get(3).equals("active") && row(last[0], "web6").get(3).equals("active")
                    && row(last[0], "dup") != null && row(last[0], "dup").get(3).equals("conflict");
        });
        assertTrue(shown, "lcs get vips on b never showed web and web6 active, dup in conflict: " + last[0] + "\n" + cluster.logs());
        Run r = last[0];
        assertEquals(List.of("NAME", "ADDRESS", "INTERFACE", "STATE", "OWNER", "EPOCH", "AGE"),
                List.of(r.out().lines().findFirst().orElseThrow().trim().split("\\s+")), r.toString());
        assertEquals(List.of("web", "198.18.0.201/24", "eth0", "active"), row(r, "web").subList(0, 4), r.toString());
        assertEquals(List.of("web6", "2001:db8::201/64", "eth0", "active"), row(r, "web6").subList(0, 4), r.toString());
        assertTrue(Set.of("a", "b").contains(row(r, "web").get(4)), "owner of web: " + r);
        assertEquals("conflict", row(r, "dup").get(3), r.toString());
    }

    @Test
    @Order(3)
    void statusOnTheWitnessPrintsTheOriginalFormat() throws Exception {
        Run r = lcs(cluster.node("c"), "status");
        assertEquals(0, r.exit(), r + "\n" + cluster.logs());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of("Cluster", "  quorum: yes (3 votes, need 2)", "Nodes", "  a role=full-member online=yes",
                "  b role=full-member online=yes", "  c role=quorum-only online=yes (self)", "VIPs"),
                lines.subList(0, Math.min(7, lines.size())), r.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches(
                "  web 198\\.18\\.0\\.201/24 dev=eth0 state=active owner=[ab] epoch=[1-9][0-9]*")), r.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches(
                "  web6 2001:db8::201/64 dev=eth0 state=active owner=[ab] epoch=[1-9][0-9]*")), r.toString());
        int dup = lines.indexOf(lines.stream().filter(l -> l.startsWith("  dup ")).findFirst().orElse(""));
        assertTrue(dup > 0, r.toString());
        // owner=- once settled; a lease of a later epoch may show while a re-detected conflict is written
        assertTrue(lines.get(dup).matches("  dup 198\\.18\\.0\\.77/24 dev=eth0 state=conflict owner=(-|[ab]) "
                + "epoch=\\d+( lease=\\d+\\.\\ds)?"), r.toString());
        assertTrue(lines.get(dup + 1).startsWith("    conflict: address 198.18.0.77/24 answered elsewhere at epoch "),
                r.toString());
    }

    @Test
    @Order(4)
    void moveWithTargetWaitsUntilTheTargetHoldsIt() throws Exception {
        Node a = cluster.node("a");
        String from = cluster.owner(a, "web");
        assertNotNull(from, "web has no owner\n" + cluster.logs());
        String to = from.equals("a") ? "b" : "a";
        long epochBefore = cluster.epoch(a, "web");
        Run r = lcs(a, "move", "web", "--to", to, "--wait", "--timeout", "10s");
        assertEquals(0, r.exit(), r + "\n" + cluster.logs());
        Matcher m = Pattern.compile("virtualip/web moved to " + to + " \\(epoch (\\d+)\\)").matcher(r.out().strip());
        assertTrue(m.matches(), r.toString());
        assertTrue(Long.parseLong(m.group(1)) > epochBefore, "epoch " + epochBefore + " -> " + m.group(1));
        for (Node n : cluster.nodes()) {
            assertTrue(LoopbackCluster.await(Duration.ofSeconds(5), () -> to.equals(cluster.owner(n, "web"))),
                    n.name + " does not see web on " + to + "\n" + cluster.logs());
        }
    }

    @Test
    @Order(5)
    void moveWithoutTargetGoesToTheOtherFullMember() throws Exception {
        Node b = cluster.node("b");
        String from = cluster.owner(b, "web6");
        assertNotNull(from, "web6 has no owner\n" + cluster.logs());
        String other = from.equals("a") ? "b" : "a";
        Run r = lcs(b, "move", "web6", "--wait", "--timeout", "10s");
        assertEquals(0, r.exit(), r + "\n" + cluster.logs());
        assertTrue(r.out().strip().matches("virtualip/web6 moved to " + other + " \\(epoch \\d+\\)"), r.toString());
        // and it stays there: the old owner processes renewals of the new owner's lease and takes nothing back
        long epoch = cluster.epoch(cluster.node(other), "web6");
        String problem = cluster.awaitRenewalsSeenBy(cluster.node(from), "web6", other, epoch, 2,
                Duration.ofSeconds(20));
        assertNull(problem, () -> "web6 did not stay on " + other + ": " + problem + "\n" + cluster.logs());
        assertEquals(other, cluster.owner(b, "web6"), "web6 went back\n" + cluster.logs());
    }

    @Test
    @Order(6)
    void ackOfAVipNotInConflictExitsOneSayingSo() {
        Run r = lcs(cluster.node("a"), "ack", "web");
        assertEquals(1, r.exit(), r.toString());
        assertEquals("", r.out(), r.toString());
        assertEquals("error: VirtualIP web is not in conflict", r.err().strip(), r.toString());
    }

    /**
     * What the code does (docs/architecture.md: a conflict stays until acknowledged for its epoch): the ack
     * clears the conflict of epoch E; the VIP is placed again, the new owner acquires epoch E+1,
     * probes, the address still answers, so the VIP is in conflict again at the new epoch — and at
     * no time was the address added anywhere.
     */
    @Test
    @Order(7)
    void ackClearsTheConflictOfItsEpochAndTheVipReprobesIntoANewConflict() throws Exception {
        Node c = cluster.node("c");
        Node b = cluster.node("b");
        long conflictEpoch = conflictEpoch(c);
        assertTrue(conflictEpoch > 0, "dup is not in conflict: " + cluster.status(c) + "\n" + cluster.logs());

        Run r = lcs(b, "ack", "dup");
        assertEquals(0, r.exit(), r + "\n" + cluster.logs());
        assertEquals("virtualip/dup conflict acknowledged (epoch " + conflictEpoch + ")", r.out().strip(),
                r.toString());

        // settled: in conflict at a later epoch, and nobody holds it. The VIP's epoch may be ahead of the
        // conflict's: the node that detects a conflict releases before its Conflict record is replicated,
        // so another round (a later epoch, no activation) can happen in between. A node reports the epoch of
        // the last lease it granted, so one outside the majority of the new round can stay behind it: the
        // highest epoch any node reports has reached the conflict's.
        long[] now = new long[2];
        assertTrue(LoopbackCluster.await(Duration.ofSeconds(10), () -> {
            now[0] = conflictEpoch(c);
            now[1] = 0;
            for (Node n : cluster.nodes()) {
                JsonNode v = vipStatus(n, "dup");
                if (v == null || v.hasNonNull("owner")) {
                    return false;
                }
                now[1] = Math.max(now[1], v.path("epoch").asLong());
            }
            return now[0] > conflictEpoch && now[1] >= now[0];
        }), "dup did not settle in conflict at a new epoch (conflict at " + now[0] + ", highest epoch reported "
                + now[1] + ", c: " + vipStatus(c, "dup") + ")\n" + cluster.logs());
        Run status = lcs(c, "status");
        assertTrue(status.out().lines().anyMatch(l -> l.matches("  dup 198\\.18\\.0\\.77/24 dev=eth0 state=conflict "
                + "owner=(-|[ab]) epoch=\\d+( lease=\\d+\\.\\ds)?")), status.toString());
        assertTrue(status.out().contains("    conflict: address 198.18.0.77/24 answered elsewhere at epoch " + now[0]),
                status.toString());

        // probed (taken) by the candidates, added by nobody
        int probes = 0;
        for (Node n : cluster.nodes()) {
            for (JsonNode op : cluster.journal(n)) {
                if (op.path("address").asText().equals(DUP)) {
                    assertEquals("probe", op.path("op").asText(), n.name + " did more than probe dup: " + op);
                    assertEquals("taken", op.path("result").asText(), op.toString());
                    probes++;
                }
            }
        }
        assertTrue(probes >= 2, "expected a probe per conflict, saw " + probes);
    }

    @Test
    @Order(8)
    void everyOriginalMetricHasItsTypeLabelsAndTheAdminStatusValues() throws Exception {
        Node a = cluster.node("a");
        AssertionError last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            JsonNode before = cluster.status(a);
            String text = cluster.metrics(a);
            JsonNode after = cluster.status(a);
            assertNotNull(text, "no /metrics on a\n" + cluster.logs());
            if (!stable(before).equals(stable(after))) {
                continue; // something changed between the reads: try again
            }
            try {
                checkMetrics(PrometheusTextParser.parse(text), after);
                return;
            } catch (AssertionError e) {
                last = e;
            }
        }
        throw last != null ? last : new AssertionError("status of a never stable across a scrape\n" + cluster.logs());
    }

    // ------------------------------------------------------------------ metrics checks

    private static void checkMetrics(PrometheusTextParser.Exposition e, JsonNode status) {
        JsonNode q = status.path("quorum");
        assertEquals(q.path("present").asBoolean() ? 1.0 : 0.0, only(e, "lcs_cluster_quorum", "gauge", Set.of()));
        assertEquals(q.path("votesSeen").asDouble(), only(e, "lcs_cluster_votes_seen", "gauge", Set.of()));
        assertEquals(q.path("votesNeeded").asDouble(), only(e, "lcs_cluster_votes_needed", "gauge", Set.of()));

        Map<String, PrometheusTextParser.Sample> online = series(e, "lcs_node_online", "gauge", Set.of("node", "role"));
        assertEquals(3, online.size(), "lcs_node_online: " + online.keySet());
        for (JsonNode n : status.path("nodes")) {
            PrometheusTextParser.Sample s = online.get("node=" + n.path("name").asText() + ",role="
                    + n.path("role").asText());
            assertNotNull(s, "no lcs_node_online for " + n + " in " + online.keySet());
            assertEquals(n.path("online").asBoolean() ? 1.0 : 0.0, s.value(), "lcs_node_online " + n);
        }

        Map<String, PrometheusTextParser.Sample> state = series(e, "lcs_vip_state", "gauge", Set.of("vip", "state"));
        Map<String, PrometheusTextParser.Sample> owner = series(e, "lcs_vip_owner", "gauge", Set.of("vip", "node"));
        Map<String, PrometheusTextParser.Sample> epoch = series(e, "lcs_vip_epoch", "gauge", Set.of("vip"));
        Map<String, PrometheusTextParser.Sample> lease = series(e, "lcs_vip_lease_remaining_seconds", "gauge",
                Set.of("vip"));
        Map<String, PrometheusTextParser.Sample> conflict = series(e, "lcs_vip_conflict", "gauge", Set.of("vip"));
        Map<String, PrometheusTextParser.Sample> failovers = series(e, "lcs_vip_failovers_total", "counter",
                Set.of("vip"));
        Map<String, PrometheusTextParser.Sample> moves = series(e, "lcs_vip_moves_total", "counter", Set.of("vip"));
        int vips = status.path("vips").size();
        assertEquals(3, vips, "VIPs in status: " + status);
        assertEquals(5 * vips, state.size(), "lcs_vip_state: " + state.keySet());
        assertEquals(3 * vips, owner.size(), "lcs_vip_owner (one per configured node, witness c too): " + owner.keySet());
        Map<String, PrometheusTextParser.Sample> resourceOwner = series(e, "lcs_resource_owner", "gauge",
                Set.of("resource", "type", "node"));
        Map<String, PrometheusTextParser.Sample> votingReady = series(e, "lcs_node_voting_ready", "gauge",
                Set.of("node", "role"));
        for (JsonNode n : status.path("nodes")) {
            String key = "node=" + n.path("name").asText() + ",role=" + n.path("role").asText();
            assertEquals(n.path("online").asBoolean() && !n.path("restarting").asBoolean() ? 1.0 : 0.0,
                    votingReady.get(key).value(), "lcs_node_voting_ready " + key);
        }
        assertTrue(only(e, "lcs_cluster_membership_seconds", "gauge", Set.of()) >= 0);
        for (JsonNode v : status.path("vips")) {
            String vip = v.path("name").asText();
            for (String st : List.of("active", "pending", "conflict", "stopped", "failed")) {
                assertEquals(st.equals(v.path("state").asText()) ? 1.0 : 0.0,
                        state.get("state=" + st + ",vip=" + vip).value(), "lcs_vip_state " + vip + " " + st);
            }
            for (String node : List.of("a", "b", "c")) {
                double expectedOwner = node.equals(v.path("owner").asText(null)) ? 1.0 : 0.0;
                assertEquals(expectedOwner, owner.get("node=" + node + ",vip=" + vip).value(), "lcs_vip_owner " + vip
                        + " " + node);
                assertEquals(expectedOwner, resourceOwner.get("node=" + node + ",resource=" + vip + ",type=vip").value(),
                        "lcs_resource_owner " + vip + " " + node);
            }
            assertEquals(v.path("epoch").asDouble(), epoch.get("vip=" + vip).value(), "lcs_vip_epoch " + vip);
            double remaining = lease.get("vip=" + vip).value();
            double expected = v.path("leaseRemainingSeconds").asDouble(0);
            assertTrue(remaining >= 0 && remaining <= 2.0 && Math.abs(remaining - expected) < 0.75,
                    "lcs_vip_lease_remaining_seconds " + vip + " = " + remaining + ", status says " + expected);
            assertEquals("conflict".equals(v.path("state").asText()) ? 1.0 : 0.0, conflict.get("vip=" + vip).value(),
                    "lcs_vip_conflict " + vip);
            assertEquals(v.path("failovers").asDouble(), failovers.get("vip=" + vip).value(),
                    "lcs_vip_failovers_total " + vip);
            assertEquals(v.path("moves").asDouble(), moves.get("vip=" + vip).value(), "lcs_vip_moves_total " + vip);
        }
        assertEquals(1.0, conflict.get("vip=dup").value(), "dup is in conflict");
        assertTrue(moves.get("vip=web").value() >= 1, "web was moved: lcs_vip_moves_total counts it");
        assertEquals(0.0, failovers.get("vip=web").value(), "a planned move is no failover");

        // lcsd's own transport counters: every frame has at least its length prefix and seq on the wire
        for (String direction : List.of("sent", "received")) {
            Map<String, PrometheusTextParser.Sample> frames = series(e, "lcs_transport_frames_" + direction + "_total",
                    "counter", Set.of("peer"));
            Map<String, PrometheusTextParser.Sample> bytes = series(e, "lcs_transport_bytes_" + direction + "_total",
                    "counter", Set.of("peer"));
            assertEquals(Set.of("peer=b", "peer=c"), frames.keySet(), "frames " + direction);
            assertEquals(frames.keySet(), bytes.keySet(), "bytes " + direction);
            for (String peer : frames.keySet()) {
                double f = frames.get(peer).value();
                double b = bytes.get(peer).value();
                assertTrue(f > 0 && b >= f * (FrameCodec.LENGTH_PREFIX_BYTES + FrameCodec.HEADER_BYTES),
                        direction + " " + peer + ": " + f + " frames, " + b + " bytes");
            }
        }
    }

    /** The one sample of a label-less (besides {@code cluster}) family, after checking its type. */
    private static double only(PrometheusTextParser.Exposition e, String name, String type, Set<String> labels) {
        Map<String, PrometheusTextParser.Sample> s = series(e, name, type, labels);
        assertEquals(1, s.size(), name + ": " + s.keySet());
        return s.values().iterator().next().value();
    }

    /**
     * The samples of family {@code name}, keyed by their labels other than {@code cluster} as
     * "k=v,k=v" in name order, after checking the TYPE, a HELP, and that every sample has exactly
     * {@code cluster} plus {@code labels}.
     */
    private static Map<String, PrometheusTextParser.Sample> series(PrometheusTextParser.Exposition e, String name,
                                                                  String type, Set<String> labels) {
        PrometheusTextParser.Family f = e.family(name);
        assertEquals(type, f.type(), "TYPE of " + name);
        assertNotNull(f.help(), "HELP of " + name);
        Set<String> expected = new HashSet<>(labels);
        expected.add("cluster");
        Map<String, PrometheusTextParser.Sample> out = new HashMap<>();
        for (PrometheusTextParser.Sample s : f.samples()) {
            assertEquals(name, s.name(), "sample of " + name);
            assertEquals(expected, s.labels().keySet(), "labels of " + s);
            assertEquals("looptest", s.labels().get("cluster"), "cluster label of " + s);
            List<String> parts = new ArrayList<>();
            s.labels().entrySet().stream().filter(x -> !x.getKey().equals("cluster"))
                    .sorted(Map.Entry.comparingByKey()).forEach(x -> parts.add(x.getKey() + "=" + x.getValue()));
            out.put(String.join(",", parts), s);
        }
        return out;
    }

    /** The parts of a status that must not change between two reads for a comparison to be fair. */
    private static String stable(JsonNode status) {
        if (status == null) {
            return "unreachable";
        }
        JsonNode q = status.path("quorum"); // not membershipSeconds: it grows between the reads
        StringBuilder sb = new StringBuilder().append(q.path("present")).append(q.path("votesSeen"))
                .append(q.path("votesNeeded"));
        status.path("nodes").forEach(n -> sb.append(n.path("name").asText()).append(n.path("online").asBoolean()));
        status.path("vips").forEach(v -> sb.append(v.path("name").asText()).append(v.path("state").asText())
                .append(v.path("owner").asText()).append(v.path("epoch").asLong())
                .append(v.path("failovers").asLong()));
        return sb.toString();
    }

    // ------------------------------------------------------------------ helpers

    /** The cells of the table row whose first cell is {@code name}, or null. */
    private static List<String> row(Run r, String name) {
        for (String line : r.out().lines().skip(1).toList()) {
            List<String> cells = List.of(line.trim().split("\\s+"));
            if (!cells.isEmpty() && cells.get(0).equals(name)) {
                return cells;
            }
        }
        return null;
    }

    private static JsonNode vipStatus(Node n, String vip) {
        JsonNode s = cluster.status(n);
        if (s != null) {
            for (JsonNode v : s.path("vips")) {
                if (v.path("name").asText().equals(vip)) {
                    return v;
                }
            }
        }
        return null;
    }

    /** The epoch of dup's current conflict as {@code n} reports it (from its Conflict condition), or -1. */
    private static long conflictEpoch(Node n) {
        JsonNode s = cluster.status(n);
        if (s == null) {
            return -1;
        }
        for (JsonNode v : s.path("vips")) {
            if (v.path("name").asText().equals("dup") && v.path("state").asText().equals("conflict")) {
                for (JsonNode cond : v.path("conditions")) {
                    if (cond.path("type").asText().equals("Conflict")) {
                        Matcher m = CONFLICT_EPOCH.matcher(cond.path("message").asText());
                        if (m.find()) {
                            return Long.parseLong(m.group(1));
                        }
                    }
                }
            }
        }
        return -1;
    }
}
