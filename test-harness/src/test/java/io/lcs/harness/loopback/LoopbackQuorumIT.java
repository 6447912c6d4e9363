package io.lcs.harness.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.harness.loopback.LoopbackCluster.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster core across real processes: three lcsd on 127.0.0.1/.2/.3 (a, b full members, c a
 * quorum-only witness) keep quorum and accept writes with one node stopped, refuse writes without
 * quorum and change nothing, and converge every store once the stopped nodes are back (invariant 4:
 * an acknowledged write survives while a majority does). Also: one state directory, one daemon.
 */
class LoopbackQuorumIT {
    private static final Duration FORM = Duration.ofSeconds(20);
    private static final Duration CONVERGE = Duration.ofSeconds(20);

    @TempDir
    Path tmp;
    LoopbackCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = new LoopbackCluster(tmp, List.of("a", "b", "c*"), "", "");
        cluster.startAll();
        for (Node n : cluster.nodes()) {
            assertTrue(LoopbackCluster.await(FORM, () -> cluster.quorumWithEveryNodeOnline(n)),
                    "node " + n.name + " never saw quorum with every node online\n" + cluster.logs());
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void writesNeedQuorumAndStoresConvergeAfterRestart() throws Exception {
        Node a = cluster.node("a");
        Node b = cluster.node("b");
        Node c = cluster.node("c");

        assertApplied(a, manifest("q1", "198.18.0.11/24"), "created");

        // one node down (SIGTERM): a and c still have quorum and accept writes
        cluster.stop(b);
        assertTrue(LoopbackCluster.await(CONVERGE, () -> offline(a, "b") && offline(c, "b")),
                "a and c never saw b offline\n" + cluster.logs());
        assertTrue(cluster.hasQuorum(a) && cluster.hasQuorum(c), "quorum lost with one node down\n" + cluster.logs());
        assertApplied(c, manifest("q2", "198.18.0.12/24"), "created");

        // two nodes down: c is alone, has no quorum, and refuses writes without changing anything
        cluster.stop(a);
        assertTrue(LoopbackCluster.await(CONVERGE, () -> !cluster.hasQuorum(c)),
                "c kept quorum alone\n" + cluster.logs());
        JsonNode alone = cluster.status(c);
        assertTrue(alone.path("stale").asBoolean(false), "status without quorum is not marked stale: " + alone);
        Map.Entry<Integer, JsonNode> refused = cluster.post(c, "/api/v1/apply", "application/yaml",
                manifest("q3", "198.18.0.13/24"));
        assertEquals(503, refused.getKey(), "apply without quorum: " + refused.getValue() + "\n" + cluster.logs());
        assertEquals("NO_QUORUM", refused.getValue().path("code").asText(), "error body: " + refused.getValue());
        assertEquals(Map.of("q1", spec("198.18.0.11/24"), "q2", spec("198.18.0.12/24")), vips(c),
                "a refused write changed c's store");

        // restart both: every store converges to the acknowledged writes, and only those
        cluster.start(a);
        cluster.start(b);
        for (Node n : cluster.nodes()) {
            assertTrue(LoopbackCluster.await(FORM, () -> cluster.quorumWithEveryNodeOnline(n)),
                    "node " + n.name + " never saw quorum again after the restart\n" + cluster.logs());
        }
        Map<String, String> expected = Map.of("q1", spec("198.18.0.11/24"), "q2", spec("198.18.0.12/24"));
        assertTrue(LoopbackCluster.await(CONVERGE, () -> cluster.nodes().stream()
                        .allMatch(n -> expected.equals(vips(n)))),
                "stores did not converge to " + expected + ": a=" + vips(a) + " b=" + vips(b) + " c=" + vips(c)
                        + "\n" + cluster.logs());
    }

    @Test
    void secondDaemonOnTheSameStateDirectoryExitsNamingTheLock() throws Exception {
        Node a = cluster.node("a");
        Path log = tmp.resolve("second-a.log");
        Process second = cluster.startProcess(a, log);
        try {
            assertTrue(second.waitFor(20, TimeUnit.SECONDS), "a second lcsd on a's state_dir kept running\n"
                    + Files.readString(log));
            String out = Files.readString(log);
            assertNotEquals(0, second.exitValue(), "second lcsd exit code; output:\n" + out);
            assertTrue(out.contains("is locked by another process") && out.contains(a.dir.resolve("state").toString()),
                    "the refusal does not name the locked state directory:\n" + out);
            assertTrue(out.contains("pid " + a.process.pid()), "the refusal does not name the holder's pid "
                    + a.process.pid() + ":\n" + out);
        } finally {
            if (second.isAlive()) {
                second.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        // the first daemon was not disturbed
        assertTrue(a.alive(), "the first lcsd died\n" + cluster.logs());
        assertTrue(cluster.quorumWithEveryNodeOnline(a), "a lost quorum or a peer\n" + cluster.logs());
        assertFalse(second.isAlive());
    }

    // ------------------------------------------------------------------ helpers

    private void assertApplied(Node n, String manifest, String outcome) throws Exception {
        Map.Entry<Integer, JsonNode> r = cluster.post(n, "/api/v1/apply", "application/yaml", manifest);
        assertEquals(200, r.getKey(), "apply on " + n.name + ": " + r.getValue() + "\n" + cluster.logs());
        assertEquals(outcome, r.getValue().path("results").path(0).path("outcome").asText(), "apply on " + n.name
                + ": " + r.getValue());
    }

    private boolean offline(Node viewer, String peer) {
        JsonNode s = cluster.status(viewer);
        if (s == null) {
            return false;
        }
        for (JsonNode node : s.path("nodes")) {
            if (node.path("name").asText().equals(peer)) {
                return !node.path("online").asBoolean(true);
            }
        }
        return false;
    }

    /** VIP name → its spec (as JSON text) from {@code GET /api/v1/vips} on {@code n}; empty when unreachable. */
    private Map<String, String> vips(Node n) {
        JsonNode list = cluster.get(n, "/api/v1/vips");
        Map<String, String> out = new TreeMap<>();
        if (list != null) {
            for (JsonNode v : list.path("items")) {
                out.put(v.path("metadata").path("name").asText(), v.path("spec").toString());
            }
        }
        return out;
    }

    private static String spec(String address) {
        return "{\"address\":\"" + address + "\",\"interface\":\"eth0\"}";
    }

    private static String manifest(String name, String address) {
        return "apiVersion: lcs/v1\nkind: VirtualIP\nmetadata:\n  name: " + name + "\nspec:\n  address: " + address
                + "\n  interface: eth0\n";
    }
}
