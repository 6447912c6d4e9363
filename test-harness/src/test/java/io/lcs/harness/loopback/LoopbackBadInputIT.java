package io.lcs.harness.loopback;

import io.lcs.controller.metrics.PrometheusTextParser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.controller.transport.FrameCodec;
import io.lcs.harness.loopback.LoopbackCluster.Node;
import io.lcs.controller.config.ConfigLoader;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 5 on the wire, against a live 3-node cluster with a shared secret: garbage, an
 * oversized length prefix, a handshake from the wrong dialer, a peer proving the wrong key, a
 * frame with a bad HMAC and a replayed frame (both after a correct handshake impersonating b from
 * b's address), and a connection that never speaks. Each is closed and counted in
 * {@code lcs_transport_frames_rejected_total{reason}} on the node attacked, the daemon stays up,
 * and a, b and c all keep quorum with every peer online.
 *
 * <p>Who accepts from whom: the smaller name dials, so a accepts from nobody (a connection
 * claiming to be b is refused as the wrong dialer before any key is used) and c accepts from a and
 * b: the key and frame checks are exercised on c, impersonating b from 127.0.0.2. The attacks on a
 * come from c's address 127.0.0.3: only members' addresses get as far as a handshake, and a
 * connection from any other address is closed at once and counted in
 * {@code lcs_transport_connections_rejected_total{reason="not_a_member"}}.
 */
class LoopbackBadInputIT {
    private static final String SECRET = "loopback-bad-input-secret-0123456789";
    private static final String CLUSTER = "looptest";
    private static final Duration RECOVER = Duration.ofSeconds(15);
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    static Path tmp;
    static LoopbackCluster cluster;
    static long configHash;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LoopbackCluster(tmp, List.of("a", "b", "c*"), "", "secret = " + SECRET);
        configHash = ConfigLoader.load(cluster.node("c").config).membershipHash();
        cluster.startAll();
        for (Node n : cluster.nodes()) {
            assertTrue(LoopbackCluster.await(Duration.ofSeconds(20), () -> cluster.quorumWithEveryNodeOnline(n)),
                    "node " + n.name + " never saw quorum with every node online\n" + cluster.logs());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * After every case: nobody died, and the cluster is whole again (bounded wait): every node has
     * quorum with every node online, and every node is receiving frames from every peer again (a
     * peer is "online" for a second after its last frame, so that alone would hide a connection
     * that an impersonator replaced and never came back).
     */
    @AfterEach
    void clusterIsWhole() throws Exception {
        for (Node n : cluster.nodes()) {
            assertTrue(n.alive(), "lcsd " + n.name + " died\n" + cluster.logs());
        }
        Map<String, Double> before = framesReceived();
        for (Node n : cluster.nodes()) {
            assertTrue(LoopbackCluster.await(RECOVER, () -> cluster.quorumWithEveryNodeOnline(n)),
                    "node " + n.name + " lost quorum or a peer\n" + cluster.status(n) + "\n" + cluster.logs());
        }
        assertTrue(LoopbackCluster.await(RECOVER, () -> {
            Map<String, Double> now = framesReceived();
            return before.entrySet().stream().allMatch(e -> now.getOrDefault(e.getKey(), 0.0) > e.getValue());
        }), "some node stopped receiving from a peer: before " + before + ", now " + framesReceived() + "\n"
                + cluster.logs());
    }

    /** "node<-peer" → {@code lcs_transport_frames_received_total{peer}} on node, for every pair. */
    private static Map<String, Double> framesReceived() {
        Map<String, Double> out = new java.util.TreeMap<>();
        for (Node n : cluster.nodes()) {
            String text = cluster.metrics(n);
            assertNotNull(text, "no /metrics from " + n.name + "\n" + cluster.logs());
            for (PrometheusTextParser.Sample s : PrometheusTextParser.parse(text)
                    .family("lcs_transport_frames_received_total").samples()) {
                out.put(n.name + "<-" + s.labels().get("peer"), s.value());
            }
        }
        assertEquals(6, out.size(), "frames-received series: " + out);
        return out;
    }

    @Test
    void garbageInsteadOfAHelloIsRejectedAsBadHello() throws Exception {
        Node a = cluster.node("a");
        double before = rejected(a, "bad_hello");
        try (RawPeer p = new RawPeer("127.0.0.3", a.ip, cluster.peerPort())) {
            byte[] garbage = new byte[64];
            RANDOM.nextBytes(garbage);
            p.writeLengthPrefix(garbage.length);
            p.writeRaw(garbage);
            p.assertClosedWithoutData();
        }
        awaitRejected(a, "bad_hello", before);
    }

    @Test
    void lengthPrefixBelowTheHelloMinimumIsRejectedAsMalformed() throws Exception {
        Node a = cluster.node("a");
        double before = rejected(a, "malformed");
        try (RawPeer p = new RawPeer("127.0.0.3", a.ip, cluster.peerPort())) {
            p.writeRaw(new byte[] {0, 0, 0, 3, 'l', 'c', 's'});
            p.assertClosedWithoutData();
        }
        awaitRejected(a, "malformed", before);
    }

    @Test
    void oversizedLengthPrefixIsRejectedBeforeAnyBodyIsRead() throws Exception {
        Node a = cluster.node("a");
        double before = rejected(a, "oversized");
        try (RawPeer p = new RawPeer("127.0.0.3", a.ip, cluster.peerPort())) {
            p.writeLengthPrefix(0x7fffffff);
            p.writeRaw(new byte[1024]);
            p.assertClosedWithoutData();
        }
        awaitRejected(a, "oversized", before);
    }

    @Test
    void helloFromTheNodeThatShouldNotDialIsRejectedAsWrongDialer() throws Exception {
        Node a = cluster.node("a");
        double before = rejected(a, "wrong_dialer");
        try (RawPeer p = new RawPeer("127.0.0.2", a.ip, cluster.peerPort())) {
            p.sendHello(CLUSTER, "b", configHash, true);
            p.assertClosedWithoutData();
        }
        awaitRejected(a, "wrong_dialer", before);
    }

    @Test
    void impersonatorWithTheWrongSecretFailsItsProof() throws Exception {
        Node c = cluster.node("c");
        double before = rejected(c, "bad_hmac");
        try (RawPeer p = new RawPeer("127.0.0.2", c.ip, cluster.peerPort())) {
            // well-formed, from b's address, as b: only the key is wrong
            p.handshake(CLUSTER, "b", configHash, "not-the-cluster-secret-at-all-000".getBytes(StandardCharsets.UTF_8),
                    false);
            p.assertClosedByRemote();
        }
        awaitRejected(c, "bad_hmac", before);
    }

    @Test
    void frameWithAWrongHmacIsRejectedAfterACorrectHandshake() throws Exception {
        Node c = cluster.node("c");
        double before = rejected(c, "bad_hmac");
        try (RawPeer p = new RawPeer("127.0.0.2", c.ip, cluster.peerPort())) {
            p.handshake(CLUSTER, "b", configHash, SECRET.getBytes(StandardCharsets.UTF_8), true);
            byte[] frame = p.codec.seal("{\"type\":\"nothing\"}".getBytes(StandardCharsets.UTF_8)).getBytes();
            frame[frame.length - 1] ^= 0x01; // flip one bit of the tag
            p.writeRaw(frame);
            p.assertClosedByRemote();
        }
        awaitRejected(c, "bad_hmac", before);
    }

    @Test
    void replayedFrameIsRejectedAfterACorrectHandshake() throws Exception {
        Node c = cluster.node("c");
        double before = rejected(c, "replay");
        try (RawPeer p = new RawPeer("127.0.0.2", c.ip, cluster.peerPort())) {
            p.handshake(CLUSTER, "b", configHash, SECRET.getBytes(StandardCharsets.UTF_8), true);
            // the proof frame again: a correct tag under this session's key, but seq 0 a second time
            Buffer replay = p.codec.sealWithSeq(0, new byte[0]);
            assertEquals(FrameCodec.LENGTH_PREFIX_BYTES + FrameCodec.HEADER_BYTES + FrameCodec.TAG_BYTES, replay.length());
            p.writeFrame(replay);
            p.assertClosedByRemote();
        }
        awaitRejected(c, "replay", before);
    }

    @Test
    void silentConnectionIsClosedAfterTheHandshakeTimeout() throws Exception {
        Node a = cluster.node("a");
        double before = rejected(a, "handshake_timeout");
        long opened = System.nanoTime();
        try (RawPeer p = new RawPeer("127.0.0.3", a.ip, cluster.peerPort())) {
            p.assertClosedWithoutData(); // the socket timeout (5 s) bounds the wait
        }
        double seconds = (System.nanoTime() - opened) / 1e9;
        // not before its timeout; that it was closed at all (within the socket timeout) for that reason
        // is what the counter says, not an upper wall-clock window on a loaded machine
        assertTrue(seconds >= 1.8, "a silent connection was closed after " + seconds
                + " s; the handshake timeout is 2 s");
        awaitRejected(a, "handshake_timeout", before);
    }

    @Test
    void connectionFromAnAddressThatIsNoMembersIsClosedAtOnceAndCounted() throws Exception {
        Node a = cluster.node("a");
        double before = counter(a, "lcs_transport_connections_rejected_total", "not_a_member");
        double protocol = rejected(a, "handshake_timeout");
        try (RawPeer p = new RawPeer("127.0.0.9", a.ip, cluster.peerPort())) {
            p.assertClosedWithoutData();
        }
        assertTrue(LoopbackCluster.await(Duration.ofSeconds(5),
                () -> counter(a, "lcs_transport_connections_rejected_total", "not_a_member") > before),
                "not_a_member stayed at " + before + "\n" + cluster.logs());
        assertEquals(protocol, rejected(a, "handshake_timeout"), "closed at accept, not by the handshake timeout");
    }

    // ------------------------------------------------------------------ metrics

    /** The current value of {@code lcs_transport_frames_rejected_total{reason}} on {@code n}. */
    private static double rejected(Node n, String reason) {
        return counter(n, "lcs_transport_frames_rejected_total", reason);
    }

    /** The current value of the counter {@code family{reason}} on {@code n}. */
    private static double counter(Node n, String family, String reason) {
        String text = cluster.metrics(n);
        assertNotNull(text, "no /metrics from " + n.name + "\n" + cluster.logs());
        PrometheusTextParser.Family f = PrometheusTextParser.parse(text).family(family);
        assertEquals("counter", f.type(), "type of " + f.name());
        for (PrometheusTextParser.Sample s : f.samples()) {
            Map<String, String> labels = s.labels();
            if (reason.equals(labels.get("reason"))) {
                assertEquals(CLUSTER, labels.get("cluster"), "cluster label of " + s);
                return s.value();
            }
        }
        throw new AssertionError("no series " + family + "{reason=\"" + reason + "\"} on " + n.name + ": "
                + f.samples());
    }

    /** The counter goes up (the close and the count happen together; the scrape may lag a little). */
    private static void awaitRejected(Node n, String reason, double before) throws InterruptedException {
        assertTrue(LoopbackCluster.await(Duration.ofSeconds(5), () -> rejected(n, reason) > before),
                "lcs_transport_frames_rejected_total{reason=\"" + reason + "\"} on " + n.name + " stayed at " + before
                        + "\n" + cluster.logs());
    }
}
