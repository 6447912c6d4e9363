package io.lcs.controller.transport;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransportConfigTest {
    private static final byte[] SECRET = new byte[16];
    private static final List<PeerAddress> PEERS = List.of(new PeerAddress("b", "127.0.0.2", 7000));

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        TransportConfig c = TransportConfig.of("prod", "a", 1, "", 7000, PEERS, SECRET);
        assertEquals(1 << 20, c.maxFrameBytes());
        assertEquals(Duration.ofSeconds(2), c.handshakeTimeout());
        assertEquals(Duration.ofMillis(100), c.reconnectMin());
        assertEquals(Duration.ofSeconds(2), c.reconnectMax());
    }

    @Test
    void badFieldsAreRefusedNamingTheField() {
        assertTrue(error(() -> TransportConfig.of("bad name", "a", 1, "", 7000, PEERS, null)).contains("clusterName"));
        assertTrue(error(() -> TransportConfig.of("prod", "", 1, "", 7000, PEERS, null)).contains("selfName"));
        assertTrue(error(() -> TransportConfig.of("prod", "b", 1, "", 7000, PEERS, null)).contains("own name"));
        assertTrue(error(() -> TransportConfig.of("prod", "a", 1, "", 70000, PEERS, null)).contains("bindPort"));
        assertTrue(error(() -> TransportConfig.of("prod", "a", 1, "", 7000, PEERS, new byte[15])).contains("secret"));
        assertTrue(error(() -> TransportConfig.of("prod", "a", 1, "", 7000,
                List.of(PEERS.get(0), new PeerAddress("b", "h", 1)), null)).contains("twice"));
        assertTrue(error(() -> new TransportConfig("prod", "a", 1, "", 7000, PEERS, null, 100,
                Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(2))).contains("maxFrameBytes"));
        assertTrue(error(() -> new TransportConfig("prod", "a", 1, "", 7000, PEERS, null, 1 << 20,
                Duration.ZERO, Duration.ofMillis(100), Duration.ofSeconds(2))).contains("handshakeTimeout"));
        assertTrue(error(() -> new TransportConfig("prod", "a", 1, "", 7000, PEERS, null, 1 << 20,
                Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(2))).contains("reconnectMax"));
        assertTrue(error(() -> new PeerAddress("b", "h", 0)).contains("port"));
        assertTrue(error(() -> new PeerAddress("b", " ", 1)).contains("host"));
    }

    @Test
    void secretIsCopiedAndNeverPrinted() {
        byte[] secret = "0123456789abcdef".getBytes();
        TransportConfig c = TransportConfig.of("prod", "a", 1, "", 7000, PEERS, secret);
        secret[0] = 'X';
        assertEquals('0', c.secret()[0]);
        assertNotSame(c.secret(), c.secret());
        assertFalse(c.toString().contains("0123456789abcdef"));
        assertTrue(c.toString().contains("<redacted>"));
    }

    @Test
    void backoffStaysBetweenMinAndMaxAndGrows() throws Exception {
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        PeerTransport t = new PeerTransport(vertx, new TransportConfig("prod", "a", 1, "", 0,
                PEERS, null, 1 << 20, Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(2)),
                new TransportListener() {
                    public void onPeerConnected(String peer) { }
                    public void onPeerDisconnected(String peer, String reason) { }
                    public void onFrame(String peer, byte[] payload) { }
                });
        for (int failures = 0; failures < 40; failures++) {
            for (int i = 0; i < 50; i++) {
                long d = t.backoffMillis(failures);
                assertTrue(d >= 100 && d <= 2000, "failures " + failures + ": " + d);
            }
        }
        assertEquals(100, t.backoffMillis(0));
        assertTrue(t.backoffMillis(10) >= 1000, "after 10 failures the delay is at least half the max");
        vertx.close().await(5, java.util.concurrent.TimeUnit.SECONDS);
    }
}
