package io.lcs.controller.transport;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import static io.lcs.controller.transport.TransportTestSupport.SECRET;
import static io.lcs.controller.transport.TransportTestSupport.await;
import static io.lcs.controller.transport.TransportTestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input against a live transport from a raw socket. n1 (127.0.0.1) and n2 (127.0.0.2) are real
 * transports connected to each other; n1 also lists n0 at 127.0.0.9, a peer only the test plays
 * (n0 &lt; n1, so n0 dials and n1 accepts); 127.0.0.7 is no member's address (a stranger). Every
 * attack must be rejected (its counter incremented, the connection closed by n1) while n1 and n2
 * stay connected and keep exchanging frames.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransportRejectionIT {
    private static final byte[] WRONG_SECRET = "not-the-cluster-secret-987654321".getBytes(StandardCharsets.US_ASCII);
    private static final long HANDSHAKE_MILLIS = 500;

    private Vertx vertx;
    private final PeerTransportIT.Node n1;
    private final PeerTransportIT.Node n2;

    TransportRejectionIT() throws Exception {
        n1 = new PeerTransportIT.Node("n1", "127.0.0.1", 11);
        n2 = new PeerTransportIT.Node("n2", "127.0.0.2", 22);
    }

    private static TransportConfig config(PeerTransportIT.Node self, List<PeerAddress> peers) {
        return new TransportConfig("test", self.name, self.configHash, self.ip, self.port, peers, SECRET,
                TransportConfig.DEFAULT_MAX_FRAME_BYTES, Duration.ofMillis(HANDSHAKE_MILLIS), Duration.ofMillis(50),
                Duration.ofMillis(500));
    }

    @BeforeAll
    void startCluster() throws Exception {
        vertx = Vertx.vertx();
        n1.listener = new RecordingListener();
        n1.transport = new PeerTransport(vertx, config(n1, List.of(
                new PeerAddress("n0", "127.0.0.9", 1), new PeerAddress("n2", n2.ip, n2.port))), n1.listener);
        n2.listener = new RecordingListener();
        n2.transport = new PeerTransport(vertx, config(n2, List.of(new PeerAddress("n1", n1.ip, n1.port))),
                n2.listener);
        get(n1.transport.start());
        get(n2.transport.start());
        await("n1 <-> n2", () -> n1.transport.isConnected("n2") && n2.transport.isConnected("n1"));
    }

    @AfterAll
    void stopCluster() throws Exception {
        get(n1.transport.stop());
        get(n2.transport.stop());
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    /** The legitimate pair never noticed: same single connection, frames still flow both ways. */
    @AfterEach
    void legitimatePeersStillExchangeFrames() {
        PeerTransportIT.exchange(n1, n2, "still", 3);
        assertEquals(1, n1.transport.stats().connects("n2"), "n1-n2 connection never replaced");
        assertEquals(0, n1.transport.stats().disconnects("n2"));
        assertEquals(0, n2.transport.stats().rejectedTotal(), "" + n2.transport.stats());
    }

    /** Both the transport and its listener are done with n0 (so the next test starts clean). */
    private void awaitN0Gone() {
        await("n1 reports n0 gone", () -> !n1.transport.isConnected("n0") && !n1.listener.connected.contains("n0"),
                () -> "" + n1.listener.events);
    }

    private RawPeer connect(String localIp) throws Exception {
        return new RawPeer(localIp, n1.ip, n1.port);
    }

    private long rejected(RejectReason reason) {
        return n1.transport.stats().rejected(reason);
    }

    private void awaitRejected(RejectReason reason, long before) {
        await(reason + " counted", () -> rejected(reason) == before + 1, () -> "" + n1.transport.stats());
    }

    @Test
    void garbageBytesAreRejectedAsBadHello() throws Exception {
        long before = rejected(RejectReason.BAD_HELLO);
        try (RawPeer p = connect("127.0.0.9")) {
            byte[] junk = "junk that is not an lcs hello at all!!!!".getBytes(StandardCharsets.US_ASCII);
            p.writeFrame(FrameCodec.frame(junk));
            p.assertClosedWithoutData();
        }
        awaitRejected(RejectReason.BAD_HELLO, before);
    }

    @Test
    void httpRequestIsRejectedAsOversized() throws Exception {
        long before = rejected(RejectReason.OVERSIZED);
        try (RawPeer p = connect("127.0.0.9")) {
            p.writeRaw("GET / HTTP/1.1\r\nHost: n1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            p.assertClosedWithoutData();
        }
        awaitRejected(RejectReason.OVERSIZED, before);
    }

    @Test
    void hugeLengthPrefixIsRejectedWithoutWaitingForTheBody() throws Exception {
        for (int length : new int[] {0x7fffffff, 0xffffffff, Hello.MAX_BYTES + 1}) {
            long before = rejected(RejectReason.OVERSIZED);
            try (RawPeer p = connect("127.0.0.9")) {
                p.writeLengthPrefix(length);
                p.assertClosedWithoutDataWithin(HANDSHAKE_MILLIS, "closed on the header");
            }
            awaitRejected(RejectReason.OVERSIZED, before);
        }
    }

    @Test
    void lengthPrefixBelowTheMinimumIsMalformed() throws Exception {
        long before = rejected(RejectReason.MALFORMED);
        try (RawPeer p = connect("127.0.0.9")) {
            p.writeLengthPrefix(3);
            p.assertClosedWithoutData();
        }
        awaitRejected(RejectReason.MALFORMED, before);
    }

    @Test
    void helloForAnotherClusterIsRejectedBeforeAnythingIsSent() throws Exception {
        long before = rejected(RejectReason.WRONG_CLUSTER);
        try (RawPeer p = connect("127.0.0.9")) {
            p.sendHello("other", "n0", true);
            p.assertClosedWithoutData();
        }
        awaitRejected(RejectReason.WRONG_CLUSTER, before);
    }

    @Test
    void helloFromANodeThatIsNoPeerIsRejected() throws Exception {
        long before = rejected(RejectReason.UNKNOWN_PEER);
        try (RawPeer p = connect("127.0.0.9")) {
            p.sendHello("test", "intruder", true);
            p.assertClosedWithoutData();
        }
        awaitRejected(RejectReason.UNKNOWN_PEER, before);
    }

    @Test
    void peerConnectingFromAnotherMembersAddressIsRejected() throws Exception {
        long before = rejected(RejectReason.ADDRESS_MISMATCH);
        try (RawPeer p = connect("127.0.0.2")) { // n2's address, claiming to be n0
            p.sendHello("test", "n0", true);
            p.assertClosedWithoutData();
        }
        awaitRejected(RejectReason.ADDRESS_MISMATCH, before);
    }

    @Test
    void connectionFromAStrangersAddressIsClosedAtAcceptBeforeAnyHandshake() throws Exception {
        long before = n1.transport.stats().connectionsRejected(ConnectionRejectReason.NOT_A_MEMBER);
        long protocolRejections = n1.transport.stats().rejectedTotal();
        try (RawPeer p = connect("127.0.0.7")) {
            p.sendHello("test", "n0", true); // a valid hello from the wrong place: not even read
            p.assertClosedWithoutDataWithin(HANDSHAKE_MILLIS, "closed at accept");
        }
        await("NOT_A_MEMBER counted", () -> n1.transport.stats().connectionsRejected(
                ConnectionRejectReason.NOT_A_MEMBER) == before + 1, () -> "" + n1.transport.stats());
        assertEquals(protocolRejections, n1.transport.stats().rejectedTotal(), "no handshake state was made for it");
    }

    @Test
    void peerWithTheLargerNameDialingIsRejected() throws Exception {
        long before = rejected(RejectReason.WRONG_DIALER);
        try (RawPeer p = connect("127.0.0.2")) {
            p.sendHello("test", "n2", true);
            p.assertClosedWithoutData();
        }
        awaitRejected(RejectReason.WRONG_DIALER, before);
    }

    @Test
    void helloOfAnotherProtocolVersionIsRejected() throws Exception {
        long before = rejected(RejectReason.PROTOCOL_VERSION);
        try (RawPeer p = connect("127.0.0.9")) {
            p.sendHello(new Hello(Hello.PROTOCOL_VERSION + 1, "test", "n0", 0, new byte[Hello.NONCE_BYTES], true));
            p.assertClosedWithoutData();
        }
        awaitRejected(RejectReason.PROTOCOL_VERSION, before);
    }

    @Test
    void unauthenticatedHelloIsRejectedWhenASecretIsSet() throws Exception {
        long before = rejected(RejectReason.AUTH_MISMATCH);
        try (RawPeer p = connect("127.0.0.9")) {
            p.sendHello("test", "n0", false);
            p.assertClosedWithoutData();
        }
        awaitRejected(RejectReason.AUTH_MISMATCH, before);
    }

    @Test
    void silentConnectionIsClosedAfterTheHandshakeTimeout() throws Exception {
        long before = rejected(RejectReason.HANDSHAKE_TIMEOUT);
        try (RawPeer p = connect("127.0.0.9")) {
            long start = System.nanoTime();
            p.assertClosedWithoutData();
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(elapsedMillis >= HANDSHAKE_MILLIS - 50, "closed after " + elapsedMillis + " ms");
        }
        awaitRejected(RejectReason.HANDSHAKE_TIMEOUT, before);
    }

    @Test
    void helloWithoutProofIsClosedAfterTheHandshakeTimeout() throws Exception {
        long before = rejected(RejectReason.HANDSHAKE_TIMEOUT);
        try (RawPeer p = connect("127.0.0.9")) {
            p.sendHello("test", "n0", true);
            Hello theirs = Hello.decode(p.readFrameBody());
            assertEquals("n1", theirs.nodeName());
            p.readFrameBody(); // n1's proof; ours never comes
            p.assertClosedByRemote();
        }
        awaitRejected(RejectReason.HANDSHAKE_TIMEOUT, before);
        assertFalse(n1.listener.events.contains("connected n0") && n1.transport.isConnected("n0"));
    }

    @Test
    void proofWithTheWrongSecretIsBadHmacAndNeverConnects() throws Exception {
        long before = rejected(RejectReason.BAD_HMAC);
        int eventsBefore = n1.listener.events.size();
        try (RawPeer p = connect("127.0.0.9")) {
            assertThrows(ProtocolException.class, () -> p.handshake("test", "n0", WRONG_SECRET),
                    "n1's proof does not verify under the wrong secret either");
            p.writeFrame(p.codec.sealProof()); // send our (wrong-key) proof anyway
            p.assertClosedByRemote();
        }
        awaitRejected(RejectReason.BAD_HMAC, before);
        assertEquals(eventsBefore, n1.listener.events.size(), "no connect reported: " + n1.listener.events);
    }

    @Test
    void reflectedProofIsBadHmac() throws Exception {
        long before = rejected(RejectReason.BAD_HMAC);
        try (RawPeer p = connect("127.0.0.9")) {
            p.sendHello("test", "n0", true);
            p.readFrameBody();
            byte[] theirProof = p.readFrameBody();
            p.writeFrame(FrameCodec.frame(theirProof)); // n1's own proof, sent back to it
            p.assertClosedByRemote();
        }
        awaitRejected(RejectReason.BAD_HMAC, before);
    }

    @Test
    void tamperedFrameAfterAValidHandshakeIsBadHmac() throws Exception {
        long before = rejected(RejectReason.BAD_HMAC);
        try (RawPeer p = connect("127.0.0.9")) {
            p.handshake("test", "n0", SECRET);
            await("n1 reports n0", () -> n1.transport.isConnected("n0"));
            p.writeFrame(p.codec.seal("genuine".getBytes(StandardCharsets.UTF_8)));
            byte[] forged = p.codec.seal("forged!".getBytes(StandardCharsets.UTF_8)).getBytes();
            assertEquals(0, forged[4 + 1], "sent whole: no byte in common with \"genuine\"");
            forged[4 + FrameCodec.HEADER_BYTES] ^= 0x01; // one bit of the payload: "gorged!"
            p.writeRaw(forged);
            p.assertClosedByRemote();
        }
        awaitRejected(RejectReason.BAD_HMAC, before);
        awaitN0Gone();
        assertTrue(n1.listener.framesFrom("n0").contains("genuine"));
        assertFalse(n1.listener.framesFrom("n0").stream().anyMatch(f -> f.startsWith("forged") || f.startsWith("gorged")));
        await("n1's listener told why", () -> n1.listener.events.contains("disconnected n0: bad HMAC"),
                () -> "" + n1.listener.events);
    }

    @Test
    void replayedFrameIsRejected() throws Exception {
        long before = rejected(RejectReason.REPLAY);
        int deliveredBefore = n1.listener.framesFrom("n0").size();
        try (RawPeer p = connect("127.0.0.9")) {
            p.handshake("test", "n0", SECRET);
            Buffer frame = p.codec.seal("once".getBytes(StandardCharsets.UTF_8));
            p.writeFrame(frame);
            p.writeFrame(frame);
            p.assertClosedByRemote();
        }
        awaitRejected(RejectReason.REPLAY, before);
        assertEquals(deliveredBefore + 1, n1.listener.framesFrom("n0").size(), "delivered exactly once");
    }

    @Test
    void frameOutOfOrderIsRejected() throws Exception {
        long before = rejected(RejectReason.REPLAY);
        int deliveredBefore = n1.listener.framesFrom("n0").size();
        try (RawPeer p = connect("127.0.0.9")) {
            p.handshake("test", "n0", SECRET);
            p.writeFrame(p.codec.sealWithSeq(2, "second".getBytes(StandardCharsets.UTF_8)));
            p.assertClosedByRemote();
        }
        awaitRejected(RejectReason.REPLAY, before);
        assertEquals(deliveredBefore, n1.listener.framesFrom("n0").size());
    }

    @Test
    void oversizedFrameAfterAValidHandshakeIsRejected() throws Exception {
        long before = rejected(RejectReason.OVERSIZED);
        try (RawPeer p = connect("127.0.0.9")) {
            p.handshake("test", "n0", SECRET);
            p.writeLengthPrefix(TransportConfig.DEFAULT_MAX_FRAME_BYTES + 1);
            p.assertClosedByRemote();
        }
        awaitRejected(RejectReason.OVERSIZED, before);
    }

    @Test
    void aPeerThatCompletesTheHandshakeCanTalk() throws Exception {
        // the positive control for the raw client: without it the rejections above could be its own bugs
        try (RawPeer p = connect("127.0.0.9")) {
            Hello theirs = p.handshake("test", "n0", SECRET);
            assertEquals(n1.configHash, theirs.configHash());
            await("n1's listener reports n0", () -> n1.listener.connected.contains("n0"));
            assertEquals(99L, n1.listener.configHashes.get("n0"));
            p.writeFrame(p.codec.seal("hello n1".getBytes(StandardCharsets.UTF_8)));
            await("n1 gets the frame", () -> n1.listener.framesFrom("n0").contains("hello n1"));
            assertTrue(n1.transport.send("n0", "hello n0".getBytes(StandardCharsets.UTF_8)));
            assertEquals("hello n0", new String(p.codec.open(Buffer.buffer(p.readFrameBody())), StandardCharsets.UTF_8));
        }
        awaitN0Gone();
    }

    @Test
    void newConnectionFromTheSamePeerReplacesTheOldOne() throws Exception {
        int eventsBefore = n1.listener.events.size();
        try (RawPeer first = connect("127.0.0.9")) {
            first.handshake("test", "n0", SECRET);
            await("n1 reports n0", () -> n1.transport.isConnected("n0"));
            // connected only now: its handshake must come within the (short) handshake timeout
            try (RawPeer second = connect("127.0.0.9")) {
                second.handshake("test", "n0", SECRET); // n0 restarted before n1 noticed the old connection die
                first.assertClosedByRemote();
                second.writeFrame(second.codec.seal("from the new one".getBytes(StandardCharsets.UTF_8)));
                await("n1 gets the frame", () -> n1.listener.framesFrom("n0").contains("from the new one"));
                assertEquals(List.of("connected n0", "disconnected n0: replaced by a new connection", "connected n0"),
                        n1.listener.events.subList(eventsBefore, eventsBefore + 3));
            }
        }
        awaitN0Gone();
    }

    /**
     * On a transport of its own whose handshake timeout (20 s) outlasts the test: the silent
     * connections must all still be waiting when the extra one and the other member's come, however
     * slow a loaded machine opens them (with n1's 500 ms the first could time out before the last).
     */
    @Test
    void handshakesBeyondASourcesShareAreRefusedAtOnceWhileAnotherMemberStillGetsIn() throws Exception {
        PeerTransportIT.Node n3 = new PeerTransportIT.Node("n3", "127.0.0.3", 33);
        TransportConfig slow = new TransportConfig("test", n3.name, n3.configHash, n3.ip, n3.port, List.of(
                new PeerAddress("n0", "127.0.0.9", 1), new PeerAddress("n2", n2.ip, n2.port)), SECRET,
                TransportConfig.DEFAULT_MAX_FRAME_BYTES, Duration.ofSeconds(20), Duration.ofMillis(50),
                Duration.ofMillis(500));
        n3.transport = new PeerTransport(vertx, slow, new RecordingListener());
        get(n3.transport.start());
        int limit = PeerTransport.PENDING_HANDSHAKES_PER_MEMBER; // one member (n0) at 127.0.0.9
        List<RawPeer> silent = new ArrayList<>();
        try {
            for (int i = 0; i < limit; i++) {
                silent.add(new RawPeer("127.0.0.9", n3.ip, n3.port));
            }
            await("n3 holds " + limit + " handshakes", () -> n3.transport.pendingHandshakes() == limit);
            try (RawPeer extra = new RawPeer("127.0.0.9", n3.ip, n3.port)) {
                extra.assertClosedWithoutDataWithin(10_000, "refused at once");
            }
            await("SOURCE_LIMIT counted", () -> n3.transport.stats().connectionsRejected(
                    ConnectionRejectReason.SOURCE_LIMIT) == 1, () -> "" + n3.transport.stats());
            // n0's address is full, n2's is not: a connection from there gets a handshake slot
            try (RawPeer other = new RawPeer(n2.ip, n3.ip, n3.port)) {
                await("n3 holds the other member's handshake too", () -> n3.transport.pendingHandshakes() == limit + 1);
            }
            assertEquals(1, n3.transport.stats().connectionsRejected(ConnectionRejectReason.SOURCE_LIMIT));
            assertEquals(0, n3.transport.stats().rejected(RejectReason.HANDSHAKE_TIMEOUT), "none waited 20 s");
        } finally {
            for (RawPeer p : silent) {
                p.close();
            }
            get(n3.transport.stop());
        }
    }
}
