package io.lcs.harness.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.controller.metrics.PrometheusTextParser;
import io.lcs.harness.loopback.LoopbackCluster.Node;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectMeta;
import io.lcs.model.api.ObjectVersion;
import io.lcs.model.api.StoredObject;
import io.lcs.model.api.VirtualIP;
import io.lcs.model.codec.LcsJson;
import io.lcs.model.config.ConfigParser;
import io.lcs.model.wire.Message;
import io.lcs.model.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One validation of the whole desired state, against three live lcsd processes on loopback:
 * objects a peer sends that no node could store (a forged kind, a name that is no file name, an
 * oversized body, a version far ahead) are dropped and counted and no node restarts; a VIP with the
 * IP of a VIP applied on another node is refused; a {@code delete -f} naming an lcs.conf VIP deletes
 * nothing. Peer frames come from {@link RawPeer} impersonating b (with the right secret, from b's
 * address) towards c, which accepts b's connections.
 */
class LoopbackDesiredStateIT {
    private static final String SECRET = "loopback-desired-state-secret-0123";
    private static final String CLUSTER = "looptest";
    private static final Duration FORM = Duration.ofSeconds(20);

    @TempDir
    static Path tmp;
    static LoopbackCluster cluster;
    static long configHash;
    static Map<String, Long> pids = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = new LoopbackCluster(tmp, List.of("a", "b", "c*"), "[vip conf]\naddress = 198.18.0.90/24\n"
                + "interface = eth0\n", "secret = " + SECRET);
        Path conf = cluster.node("c").config;
        configHash = ConfigParser.parse(conf.toString(), java.nio.file.Files.readAllBytes(conf)).membershipHash();
        cluster.startAll();
        for (Node n : cluster.nodes()) {
            assertTrue(LoopbackCluster.await(FORM, () -> cluster.quorumWithEveryNodeOnline(n)),
                    "node " + n.name + " never saw quorum with every node online\n" + cluster.logs());
            pids.put(n.name, n.process.pid());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static StoredObject forged(String kind, String name, long counter, ObjectNode body) {
        return new StoredObject(new ObjectKey(kind, name), new ObjectVersion(counter, "b"), false, body);
    }

    private static ObjectNode vipBody(String name) {
        return LcsJson.json().valueToTree(VirtualIP.of(ObjectMeta.named(name),
                new VirtualIP.Spec("198.18.0.91/24", "eth0", null, null)));
    }

    @Test
    void objectsNoNodeCouldStoreAreDroppedAndCountedAndNoNodeRestarts() throws Exception {
        Node c = cluster.node("c");
        Map<String, Double> before = Map.of("kind", rejected(c, "kind"), "name", rejected(c, "name"),
                "size", rejected(c, "size"), "version", rejected(c, "version"));
        ObjectNode big = vipBody("big");
        // over the 256 KiB object limit, each string under the JSON reader's own 256 KiB string limit
        big.with("metadata").putObject("labels").put("a", "x".repeat(150 * 1024)).put("b", "x".repeat(150 * 1024));
        ObjectNode bogus = vipBody("x").put("kind", "Bogus");
        List<Message> frames = List.of(
                new Message.Heartbeat(configHash, 77, 0, 0, System.nanoTime(), 0, false, List.of(), 0),
                new Message.WriteRequest(1, forged("Bogus", "x", 1, bogus)),
                new Message.WriteRequest(2, forged("VirtualIP", "../../x", 1, vipBody("../../x"))),
                new Message.WriteRequest(3, forged("VirtualIP", "big", 1, big)),
                new Message.SyncObjects(List.of(forged("VirtualIP", "pinned", Long.MAX_VALUE - 1, vipBody("pinned")))));
        // the real b would redial at once and replace the impersonator's connection: it rests meanwhile
        cluster.stop(cluster.node("b"));
        try (RawPeer p = new RawPeer("127.0.0.2", c.ip, cluster.peerPort())) {
            p.handshake(CLUSTER, "b", configHash, SECRET.getBytes(StandardCharsets.UTF_8), true);
            for (Message m : frames) {
                p.writeRaw(p.codec.seal(WireCodec.encode(m)).getBytes());
            }
            for (String reason : before.keySet()) {
                assertTrue(LoopbackCluster.await(Duration.ofSeconds(10), () -> rejected(c, reason) == before.get(reason) + 1),
                        "lcs_peer_objects_rejected_total{peer=\"b\",reason=\"" + reason + "\"} on c is "
                                + rejected(c, reason) + ", was " + before.get(reason) + "\n" + cluster.logs());
            }
        }
        for (Node n : List.of(cluster.node("a"), c)) {
            assertTrue(n.alive() && n.process.pid() == pids.get(n.name), "lcsd " + n.name + " restarted or died\n"
                    + cluster.logs());
        }
        cluster.start(cluster.node("b"));
        for (Node n : cluster.nodes()) {
            assertTrue(LoopbackCluster.await(FORM, () -> cluster.quorumWithEveryNodeOnline(n)),
                    "node " + n.name + " lost quorum or a peer\n" + cluster.logs());
        }
        JsonNode vips = cluster.get(c, "/api/v1/vips");
        assertNotNull(vips);
        for (JsonNode v : vips.path("items")) {
            assertFalse(List.of("pinned", "big", "x").contains(v.path("metadata").path("name").asText()),
                    "a forged object reached c's store: " + v);
        }
        try (Stream<Path> files = Files.list(c.dir.resolve("state").resolve("objects"))) {
            List<String> names = files.map(f -> f.getFileName().toString()).toList();
            assertTrue(names.stream().noneMatch(f -> f.contains("pinned") || f.contains("Bogus") || f.contains("big")),
                    "persisted: " + names);
        }
        assertFalse(Files.exists(c.dir.resolve("x.json")), "a name escaped the state directory");
    }

    @Test
    void aVipWithTheIpOfAVipAppliedOnAnotherNodeIsRefusedAndDeleteOfAnLcsConfVipDeletesNothing() throws Exception {
        Node a = cluster.node("a");
        Node b = cluster.node("b");
        Map.Entry<Integer, JsonNode> created = cluster.post(a, "/api/v1/apply", "application/yaml",
                manifest("shop", "198.18.0.95/24"));
        assertEquals(200, created.getKey(), created.getValue() + "\n" + cluster.logs());
        assertTrue(LoopbackCluster.await(Duration.ofSeconds(10), () -> hasVip(b, "shop")), "shop never reached b");

        Map.Entry<Integer, JsonNode> dup = cluster.post(b, "/api/v1/apply", "application/yaml",
                manifest("shop2", "198.18.0.95/32"));
        assertEquals(400, dup.getKey(), dup.getValue().toString());
        assertEquals("INVALID", dup.getValue().path("code").asText());
        assertEquals("spec.address", dup.getValue().path("field").asText());
        assertEquals("request body: document 1 (VirtualIP shop2): spec.address: 198.18.0.95/32 is the same IP as"
                + " VirtualIP shop (198.18.0.95/24); one IP can be only one VIP", dup.getValue().path("message").asText());
        assertFalse(hasVip(b, "shop2"));

        Map.Entry<Integer, JsonNode> delete = cluster.post(b, "/api/v1/delete", "application/yaml",
                manifest("shop", "198.18.0.95/24") + "---\n" + manifest("conf", "198.18.0.90/24"));
        assertEquals(400, delete.getKey(), delete.getValue().toString());
        assertTrue(delete.getValue().path("message").asText().contains("document 2 (VirtualIP conf): metadata.name:"
                + " VirtualIP conf is defined in lcs.conf"), delete.getValue().toString());
        assertTrue(hasVip(b, "shop"), "document 1 was deleted although the manifest was refused");
    }

    private static String manifest(String name, String address) {
        return "apiVersion: lcs/v1\nkind: VirtualIP\nmetadata:\n  name: " + name + "\nspec:\n  address: " + address
                + "\n  interface: eth0\n";
    }

    private static boolean hasVip(Node n, String name) {
        JsonNode v = cluster.get(n, "/api/v1/vips/" + name);
        return v != null && name.equals(v.path("metadata").path("name").asText());
    }

    /** {@code lcs_peer_objects_rejected_total{peer="b",reason}} on {@code n}. */
    private static double rejected(Node n, String reason) {
        String text = cluster.metrics(n);
        assertNotNull(text, "no /metrics from " + n.name + "\n" + cluster.logs());
        PrometheusTextParser.Family f = PrometheusTextParser.parse(text).family("lcs_peer_objects_rejected_total");
        assertNotNull(f, "no lcs_peer_objects_rejected_total on " + n.name);
        for (PrometheusTextParser.Sample s : f.samples()) {
            if ("b".equals(s.labels().get("peer")) && reason.equals(s.labels().get("reason"))) {
                return s.value();
            }
        }
        throw new AssertionError("no series for peer b, reason " + reason + ": " + f.samples());
    }
}
