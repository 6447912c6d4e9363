package io.lcs.harness.loopback;

import static io.lcs.harness.loopback.InProcessLcs.lcs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lcs.harness.loopback.InProcessLcs.Run;
import io.lcs.harness.loopback.LoopbackCluster.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C lcs's CLI against real lcsd processes (a, b full members, c a witness, VIP web): {@code lcs
 * nrpe} in each state of the cluster with its exit code (healthy 0, a VIP down 2, a node down 1, no
 * quorum 2, lcsd unreachable 3), {@code lcs -j status} in the C shape, and {@code lcs reload}
 * applying a new {@code [vip]} section. The tests share one cluster and run in order, each taking
 * one more thing away.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoopbackCLcsCliIT {
    /** The address of a VIP added by a reload, whose duplicate probe always answers "taken": a VIP that is down. */
    private static final String DUP = "198.18.0.91/24";
    private static final String WEB = "[vip web]\naddress = 198.18.0.90/24\ninterface = eth0\n";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path tmp;
    static LoopbackCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LoopbackCluster(tmp, List.of("a", "b", "c*"), WEB, "");
        cluster.environment(LoopbackLcsd.TAKEN_ENV, DUP);
        cluster.startAll();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Runs {@code lcs ARGS} on {@code n} until {@code done} holds (bounded by {@link #WAIT}); the last run. */
    private static Run until(Node n, Predicate<Run> done, String... args) throws InterruptedException {
        Run[] last = new Run[1];
        boolean ok = LoopbackCluster.await(WAIT, () -> done.test(last[0] = lcs(n, args)));
        assertTrue(ok, "lcs " + String.join(" ", args) + " on " + n.name + " never got there; last: " + last[0]
                + "\n" + cluster.logs());
        return last[0];
    }

    @Test
    @Order(1)
    void nrpeIsOkAndStatusJsonHasTheCShapeOnAHealthyCluster() throws Exception {
        Node a = cluster.node("a");
        Run ok = until(a, r -> r.exit() == 0, "nrpe");
        assertTrue(ok.out().matches("OK - quorum=yes votes=3/3 need=2 membership_for=\\d+[smhd].* nodes=3/3"
                + " resources=1/1 active\n"), ok.toString());
        Run j = lcs(a, "-j", "status");
        assertEquals(0, j.exit(), j.toString());
        JsonNode s = new ObjectMapper().readTree(j.out());
        assertEquals(List.of("quorum", "votes_seen", "quorum_needed", "membership_seconds"), names(s.path("cluster")));
        assertTrue(s.path("cluster").path("quorum").asBoolean() && s.path("cluster").path("votes_seen").asInt() == 3, j.out());
        assertEquals(List.of("a", "b", "c"), s.path("nodes").findValuesAsText("name"));
        assertEquals(List.of("online", "online", "online"), s.path("nodes").findValuesAsText("state"));
        assertEquals(List.of("id", "name", "role", "state", "self"), names(s.path("nodes").get(0)));
        JsonNode web = s.path("resources").get(0);
        assertEquals(List.of("id", "name", "type", "state", "owner", "epoch", "lease_id", "address", "interface",
                "disabled"), names(web));
        assertEquals("active", web.path("state").asText(), j.out());
        assertTrue(List.of("a", "b").contains(web.path("owner").asText()), j.out());
        assertEquals(web.path("epoch").asLong(), web.path("lease_id").asLong());
    }

    @Test
    @Order(2)
    void reloadAddsAVipAndAVipThatIsDownMakesNrpeCritical() throws Exception {
        for (Node n : cluster.nodes()) {
            Files.writeString(n.config, Files.readString(n.config) + "\n[vip dup]\naddress = " + DUP
                    + "\ninterface = eth0\n");
            Run r = lcs(n, "reload");
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().startsWith("reload applied: VIPs added [dup]"), r.toString());
        }
        Run critical = until(cluster.node("a"), r -> r.exit() == 2 && r.out().contains("down=dup=conflict"), "nrpe");
        assertTrue(critical.out().startsWith("CRITICAL - quorum=yes votes=3/3 need=2 "), critical.toString());
        Run j = lcs(cluster.node("a"), "nrpe", "-j");
        assertEquals(2, j.exit(), j.toString());
        JsonNode v = new ObjectMapper().readTree(j.out());
        assertEquals("CRITICAL", v.path("state").asText());
        assertEquals(1, v.path("down_resources").asInt());
        assertEquals("dup=conflict", v.path("down_detail").asText());

        Run unchanged = lcs(cluster.node("a"), "reload");
        assertEquals("reload unchanged: no VIP or setting changed\n", unchanged.out(), unchanged.toString());
        for (Node n : cluster.nodes()) { // and away again
            String conf = Files.readString(n.config);
            Files.writeString(n.config, conf.substring(0, conf.indexOf("\n[vip dup]")));
            assertEquals(0, lcs(n, "reload").exit());
        }
        until(cluster.node("a"), r -> r.exit() == 0, "nrpe");
    }

    @Test
    @Order(3)
    void nrpeWarnsWhenANodeIsDown() throws Exception {
        cluster.stop(cluster.node("c"));
        Run warning = until(cluster.node("a"), r -> r.exit() == 1, "nrpe");
        assertTrue(warning.out().startsWith("WARNING - quorum=yes votes=2/3 need=2 ")
                && warning.out().contains(" nodes=2/3 resources=1/1 active"), warning.toString());
        Run status = lcs(cluster.node("a"), "status");
        assertTrue(status.out().contains("  c role=quorum-only online=no state=offline\n"), status.toString());
    }

    @Test
    @Order(4)
    void nrpeIsCriticalWithoutQuorum() throws Exception {
        cluster.stop(cluster.node("b"));
        Run critical = until(cluster.node("a"), r -> r.exit() == 2 && r.out().contains("quorum=no"), "nrpe");
        assertTrue(critical.out().startsWith("CRITICAL - quorum=no votes=1/3 need=2 "), critical.toString());
    }

    @Test
    @Order(5)
    void nrpeIsUnknownWhenLcsdIsDown() throws Exception {
        Node a = cluster.node("a");
        cluster.stop(a);
        Run unknown = lcs(a, "nrpe");
        assertEquals(3, unknown.exit(), unknown.toString());
        assertTrue(unknown.out().startsWith("UNKNOWN - cannot reach lcsd at " + a.adminUrl()), unknown.toString());
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
