package io.lcs.controller.transport;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.lcs.controller.transport.TransportTestSupport.SECRET;
import static io.lcs.controller.transport.TransportTestSupport.await;
import static io.lcs.controller.transport.TransportTestSupport.freePort;
import static io.lcs.controller.transport.TransportTestSupport.get;
import static io.lcs.controller.transport.TransportTestSupport.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real transports on 127.0.0.1-3 talking to each other. */
class PeerTransportIT {
    private static Vertx vertx;
    private final List<PeerTransport> started = new ArrayList<>();

    /** One node of a test cluster: its address and (current) transport. */
    static final class Node {
        final String name;
        final String ip;
        final int port;
        final long configHash;
        PeerTransport transport;
        RecordingListener listener;

        Node(String name, String ip, long configHash) throws Exception {
            this.name = name;
            this.ip = ip;
            this.port = freePort(ip);
            this.configHash = configHash;
        }
    }

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void closeVertx() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopTransports() throws Exception {
        for (PeerTransport t : started) {
            get(t.stop());
        }
    }

    private static Map<String, Node> nodes(String... nameIps) throws Exception {
        Map<String, Node> out = new LinkedHashMap<>();
        for (int i = 0; i < nameIps.length; i += 2) {
            out.put(nameIps[i], new Node(nameIps[i], nameIps[i + 1], 1000 + i));
        }
        return out;
    }

    private static TransportConfig config(Node self, Map<String, Node> all, byte[] secret) {
        List<PeerAddress> peers = new ArrayList<>();
        for (Node n : all.values()) {
            if (n != self) {
                peers.add(new PeerAddress(n.name, n.ip, n.port));
            }
        }
        return new TransportConfig("test", self.name, self.configHash, self.ip, self.port, peers, secret,
                TransportConfig.DEFAULT_MAX_FRAME_BYTES, Duration.ofSeconds(2), Duration.ofMillis(50),
                Duration.ofMillis(500));
    }

    /** (Re)starts {@code self} with a fresh transport and listener. */
    private void start(Node self, Map<String, Node> all, byte[] secret) throws Exception {
        self.listener = new RecordingListener();
        self.transport = TransportTestSupport.startRetryingBind(
                () -> new PeerTransport(vertx, config(self, all, secret), self.listener), started);
        assertEquals(self.port, self.transport.actualPort());
    }

    private static void awaitConnected(Node a, Node b) {
        await(a.name + " <-> " + b.name + " connected",
                () -> a.listener.connected.contains(b.name) && b.listener.connected.contains(a.name)
                        && a.transport.isConnected(b.name) && b.transport.isConnected(a.name),
                () -> a.name + " events " + a.listener.events + ", " + b.name + " events " + b.listener.events);
    }

    /** Sends {@code count} numbered frames each way and waits for them, in order. */
    static void exchange(Node a, Node b, String tag, int count) {
        int aBefore = a.listener.framesFrom(b.name).size();
        int bBefore = b.listener.framesFrom(a.name).size();
        sendOnContext(a, b.name, tag, count);
        sendOnContext(b, a.name, tag, count);
        await(tag + " frames " + a.name + " <-> " + b.name,
                () -> b.listener.framesFrom(a.name).size() == bBefore + count
                        && a.listener.framesFrom(b.name).size() == aBefore + count);
        for (int i = 0; i < count; i++) {
            assertEquals(tag + " " + a.name + "->" + b.name + " " + i, b.listener.framesFrom(a.name).get(bBefore + i));
            assertEquals(tag + " " + b.name + "->" + a.name + " " + i, a.listener.framesFrom(b.name).get(aBefore + i));
        }
    }

    /** Sends numbered frames from {@code from}'s own context (as the cluster core does) and checks each was accepted. */
    static void sendOnContext(Node from, String to, String tag, int count) {
        CompletableFuture<Integer> accepted = new CompletableFuture<>();
        from.transport.context().runOnContext(v -> {
            int ok = 0;
            for (int i = 0; i < count; i++) {
                if (from.transport.send(to, utf8(tag + " " + from.name + "->" + to + " " + i))) {
                    ok++;
                }
            }
            accepted.complete(ok);
        });
        try {
            assertEquals(count, accepted.get(TransportTestSupport.WAIT_MILLIS, TimeUnit.MILLISECONDS),
                    "frames accepted by send " + from.name + "->" + to);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("sending " + from.name + "->" + to, e);
        }
    }

    @ParameterizedTest(name = "secret={0}")
    @ValueSource(booleans = {true, false})
    void twoNodesConnectAndExchangeFramesBothWaysInOrder(boolean withSecret) throws Exception {
        Map<String, Node> cluster = nodes("a", "127.0.0.1", "b", "127.0.0.2");
        Node a = cluster.get("a");
        Node b = cluster.get("b");
        byte[] secret = withSecret ? SECRET : null;
        start(b, cluster, secret); // the acceptor first: the dialer's backoff is exercised less
        start(a, cluster, secret);
        awaitConnected(a, b);
        exchange(a, b, "hi", 20);

        assertEquals(b.configHash, a.listener.configHashes.get("b"));
        assertEquals(a.configHash, b.listener.configHashes.get("a"));
        TransportStats sa = a.transport.stats();
        TransportStats sb = b.transport.stats();
        assertEquals(20, sa.framesSent("b"));
        assertEquals(20, sb.framesReceived("a"));
        assertEquals(sa.bytesSent("b"), sb.bytesReceived("a"));
        int overhead = withSecret ? 4 + 2 + 16 : 4 + 2; // prefix, seq8, kind; the tag is HMAC-SHA-256 cut to 128 bits
        // "hi a->b 0" whole, then each frame as its change from the one before: length, skip, n and
        // the new digit (two at "10", one byte longer)
        long wireBytes = 20L * overhead + 9 + 9 * 4 + 5 + 9 * 4;
        assertEquals(wireBytes, sa.bytesSent("b"), "prefix + seq8 + kind + payload or its delta (+ tag) per frame");
        assertEquals(1, sa.connects("b"));
        assertEquals(0, sa.rejectedTotal() + sb.rejectedTotal(), sa + " / " + sb);
        assertEquals(List.of("connected b"), a.listener.events);
        assertFalse(a.transport.send("nobody", utf8("x")), "unknown peer");
    }

    @Test
    void threeNodesFormAFullMeshAndExchangeFrames() throws Exception {
        Map<String, Node> cluster = nodes("a", "127.0.0.1", "b", "127.0.0.2", "c", "127.0.0.3");
        for (Node n : cluster.values()) {
            start(n, cluster, SECRET);
        }
        Node a = cluster.get("a");
        Node b = cluster.get("b");
        Node c = cluster.get("c");
        awaitConnected(a, b);
        awaitConnected(a, c);
        awaitConnected(b, c);
        exchange(a, b, "m", 5);
        exchange(a, c, "m", 5);
        exchange(b, c, "m", 5);
        for (Node n : cluster.values()) {
            assertEquals(0, n.transport.stats().rejectedTotal(), n.name + ": " + n.transport.stats());
            assertEquals(2, n.listener.connected.size());
        }
    }

    @Test
    void dialerReconnectsAfterAcceptorRestarts() throws Exception {
        Map<String, Node> cluster = nodes("a", "127.0.0.1", "b", "127.0.0.2");
        Node a = cluster.get("a");
        Node b = cluster.get("b");
        start(a, cluster, SECRET);
        start(b, cluster, SECRET);
        awaitConnected(a, b);
        exchange(a, b, "before", 3);

        get(b.transport.stop());
        await("a sees b go", () -> !a.listener.connected.contains("b"), () -> "" + a.listener.events);
        assertFalse(a.transport.send("b", utf8("while down")), "send to a down peer returns false");
        assertEquals(List.of("connected a", "disconnected a: transport stopped"), b.listener.events);

        start(b, cluster, SECRET); // same name, address and port: a process restart
        awaitConnected(a, b);
        exchange(a, b, "after", 3);
        assertEquals(2, a.transport.stats().connects("b"));
        assertEquals(1, a.transport.stats().disconnects("b"));
        assertEquals("connected b", a.listener.events.get(2), "" + a.listener.events);
    }

    @Test
    void acceptorTakesTheRestartedDialer() throws Exception {
        Map<String, Node> cluster = nodes("a", "127.0.0.1", "b", "127.0.0.2");
        Node a = cluster.get("a");
        Node b = cluster.get("b");
        start(a, cluster, SECRET);
        start(b, cluster, SECRET);
        awaitConnected(a, b);

        get(a.transport.stop());
        await("b sees a go", () -> !b.listener.connected.contains("a"), () -> "" + b.listener.events);
        start(a, cluster, SECRET);
        awaitConnected(a, b);
        exchange(a, b, "again", 3);
        assertEquals(2, b.transport.stats().connects("a"));
        assertFalse(b.listener.events.stream().anyMatch(e -> e.startsWith("DOUBLE") || e.startsWith("DISCONNECT-WITHOUT")),
                "" + b.listener.events);
    }

    @Test
    void nodesWithAndWithoutSecretNeverConnect() throws Exception {
        Map<String, Node> cluster = nodes("a", "127.0.0.1", "b", "127.0.0.2");
        Node a = cluster.get("a");
        Node b = cluster.get("b");
        start(a, cluster, SECRET);
        start(b, cluster, null);
        await("b rejects a's authenticated hello",
                () -> b.transport.stats().rejected(RejectReason.AUTH_MISMATCH) >= 2, () -> "" + b.transport.stats());
        assertTrue(a.listener.events.isEmpty(), "" + a.listener.events);
        assertTrue(b.listener.events.isEmpty(), "" + b.listener.events);
    }

    @Test
    void oversizedPayloadIsDroppedAndCounted() throws Exception {
        Map<String, Node> cluster = nodes("a", "127.0.0.1", "b", "127.0.0.2");
        Node a = cluster.get("a");
        Node b = cluster.get("b");
        start(a, cluster, SECRET);
        start(b, cluster, SECRET);
        awaitConnected(a, b);
        assertEquals(TransportConfig.DEFAULT_MAX_FRAME_BYTES - 2 - 16, a.transport.maxPayloadBytes()); // seq8, kind, tag
        assertFalse(a.transport.send("b", new byte[a.transport.maxPayloadBytes() + 1]));
        assertEquals(1, a.transport.stats().framesDroppedOversized("b"));
        assertTrue(a.transport.send("b", new byte[a.transport.maxPayloadBytes()]), "the largest payload fits");
        await("b receives the largest frame", () -> b.listener.framesFrom("a").size() == 1);
        assertEquals(0, b.transport.stats().rejectedTotal(), "" + b.transport.stats());
    }

    @Test
    void burstFromAForeignThreadDropsWhatDoesNotFitAndKeepsOrder() throws Exception {
        Map<String, Node> cluster = nodes("a", "127.0.0.1", "b", "127.0.0.2");
        Node a = cluster.get("a");
        Node b = cluster.get("b");
        start(a, cluster, SECRET);
        start(b, cluster, SECRET);
        awaitConnected(a, b);
        int burst = 2_000;
        int accepted = 0;
        for (int i = 0; i < burst; i++) {
            if (a.transport.send("b", utf8(Integer.toString(i)))) {
                accepted++;
            }
        }
        TransportStats sa = a.transport.stats();
        assertEquals(burst, sa.framesSent("b") + sa.framesDroppedQueueFull("b"), "every frame sent or counted");
        assertEquals(accepted, sa.framesSent("b"));
        int expected = accepted;
        await("b receives every accepted frame", () -> b.listener.framesFrom("a").size() == expected,
                () -> b.listener.framesFrom("a").size() + " of " + expected);
        int last = -1;
        for (String s : b.listener.framesFrom("a")) {
            int n = Integer.parseInt(s);
            assertTrue(n > last, "in order: " + n + " after " + last);
            last = n;
        }
        assertEquals(0, b.transport.stats().rejectedTotal(), "dropped frames do not break the seq chain");
        exchange(a, b, "after-burst", 3);
    }

    @Test
    void startFailsNamingTheAddressWhenThePortIsTaken() throws Exception {
        Map<String, Node> cluster = nodes("a", "127.0.0.1", "b", "127.0.0.2");
        Node a = cluster.get("a");
        // another process holds the port (a second server in the same Vertx would share it instead)
        try (java.net.ServerSocket holder = new java.net.ServerSocket(a.port, 1, java.net.InetAddress.getByName(a.ip))) {
            PeerTransport t = new PeerTransport(vertx, config(a, cluster, SECRET), new RecordingListener());
            started.add(t);
            Exception e = assertThrows(Exception.class,
                    () -> t.start().await(TransportTestSupport.WAIT_MILLIS, TimeUnit.MILLISECONDS));
            String message = e.getMessage() + " / " + e.getCause();
            assertTrue(message.contains("127.0.0.1:" + a.port), message);
            assertFalse(t.isConnected("b"));
        }
    }
}
