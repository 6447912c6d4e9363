package io.lcs.controller.transport;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameCodecTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] SECRET = "0123456789abcdef-cluster-secret".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_SECRET = "0123456789abcdef-another-secret".getBytes(StandardCharsets.US_ASCII);

    private final byte[] dialerHello = Hello.create("prod", "a", 7, true, RANDOM).encode();
    private final byte[] acceptorHello = Hello.create("prod", "b", 7, true, RANDOM).encode();

    /** Strips the length prefix and checks it matches. */
    private static Buffer body(Buffer frame) {
        assertEquals(frame.length() - 4, frame.getInt(0), "length prefix");
        return frame.getBuffer(4, frame.length());
    }

    /** {@link FrameCodec#delta} as an array, or null when the payload goes whole. */
    private static byte[] delta(byte[] base, byte[] payload) {
        byte[] out = new byte[FrameCodec.DELTA_BASE_MAX_BYTES];
        int n = FrameCodec.delta(base, payload, out);
        return n < 0 ? null : Arrays.copyOf(out, n);
    }

    private static RejectReason rejection(FrameCodec codec, Buffer body) {
        return assertThrows(ProtocolException.class, () -> codec.open(body)).reason();
    }

    @Test
    void helloRoundTripsEveryField() throws ProtocolException {
        Hello hello = Hello.create("prod-1", "node.a_b-c", -42L, true, RANDOM);
        Hello back = Hello.decode(hello.encode());
        assertEquals(Hello.PROTOCOL_VERSION, back.protocolVersion());
        assertEquals("prod-1", back.clusterName());
        assertEquals("node.a_b-c", back.nodeName());
        assertEquals(-42L, back.configHash());
        assertTrue(back.authenticated());
        assertArrayEquals(hello.nonce(), back.nonce());
        assertFalse(Hello.decode(Hello.create("c", "n", 0, false, RANDOM).encode()).authenticated());
    }

    @Test
    void helloNoncesDifferBetweenHellos() {
        assertFalse(Arrays.equals(Hello.create("c", "n", 0, true, RANDOM).nonce(),
                Hello.create("c", "n", 0, true, RANDOM).nonce()));
    }

    @Test
    void helloWithWrongMagicIsBadHello() {
        byte[] bytes = Hello.create("c", "n", 0, true, RANDOM).encode();
        bytes[0] ^= 1;
        assertEquals(RejectReason.BAD_HELLO, assertThrows(ProtocolException.class, () -> Hello.decode(bytes)).reason());
    }

    @Test
    void helloWithAnotherVersionIsProtocolVersion() {
        for (int other : new int[] {Hello.PROTOCOL_VERSION - 1, Hello.PROTOCOL_VERSION + 1}) {
            byte[] bytes = new Hello(other, "c", "n", 0, new byte[Hello.NONCE_BYTES], true).encode();
            ProtocolException e = assertThrows(ProtocolException.class, () -> Hello.decode(bytes));
            assertEquals(RejectReason.PROTOCOL_VERSION, e.reason());
            assertTrue(e.getMessage().contains("protocol version " + other), e.getMessage());
        }
    }

    @Test
    void truncatedTrailingOrInvalidHellosAreBadHello() {
        byte[] good = Hello.create("c", "n", 0, true, RANDOM).encode();
        byte[][] bad = {
                Arrays.copyOf(good, good.length - 1),          // truncated nonce
                Arrays.copyOf(good, good.length + 1),          // trailing byte
                Arrays.copyOf(good, 6),                        // shorter than magic + version
                new Hello(Hello.PROTOCOL_VERSION, "c", "bad name", 0, new byte[16], true).encode(), // invalid node name
                new Hello(Hello.PROTOCOL_VERSION, "", "n", 0, new byte[16], true).encode(),         // empty cluster name
        };
        for (byte[] b : bad) {
            assertEquals(RejectReason.BAD_HELLO, assertThrows(ProtocolException.class, () -> Hello.decode(b)).reason());
        }
        byte[] flags = good.clone();
        flags[8] = (byte) 0x80; // unknown flag bit
        assertEquals(RejectReason.BAD_HELLO, assertThrows(ProtocolException.class, () -> Hello.decode(flags)).reason());
        byte[] longName = good.clone();
        ByteBuffer.wrap(longName).putShort(9, (short) 0xffff); // cluster name length beyond the body
        assertEquals(RejectReason.BAD_HELLO, assertThrows(ProtocolException.class, () -> Hello.decode(longName)).reason());
        byte[] notUtf8 = good.clone();
        notUtf8[11] = (byte) 0xff; // first byte of the cluster name
        assertEquals(RejectReason.BAD_HELLO, assertThrows(ProtocolException.class, () -> Hello.decode(notUtf8)).reason());
    }

    @Test
    void sealedFramesOpenInOrderBothWays() throws ProtocolException {
        FrameCodec dialer = FrameCodec.forDialer(SECRET, dialerHello, acceptorHello);
        FrameCodec acceptor = FrameCodec.forAcceptor(SECRET, dialerHello, acceptorHello);
        assertArrayEquals(new byte[0], acceptor.open(body(dialer.sealProof())));
        assertArrayEquals(new byte[0], dialer.open(body(acceptor.sealProof())));
        for (int i = 0; i < 5; i++) {
            byte[] payload = ("to acceptor " + i).getBytes(StandardCharsets.UTF_8);
            Buffer frame = dialer.seal(payload);
            if (i == 0) { // the proof's empty payload is the base: nothing to share
                assertEquals(4 + 2 + payload.length + 16, frame.length(),
                        "prefix + seq8 + kind + payload + tag (HMAC-SHA-256 cut to 128 bits)");
            } else { // length, skip, n and the one new digit
                assertEquals(4 + 2 + 4 + 16, frame.length(), "a delta of the previous payload");
            }
            assertArrayEquals(payload, acceptor.open(body(frame)));
            byte[] back = ("to dialer " + i).getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(back, dialer.open(body(acceptor.seal(back))));
        }
    }

    @Test
    void frameSealedWithAnotherSecretIsBadHmac() {
        FrameCodec wrongKey = FrameCodec.forDialer(OTHER_SECRET, dialerHello, acceptorHello);
        FrameCodec acceptor = FrameCodec.forAcceptor(SECRET, dialerHello, acceptorHello);
        assertEquals(RejectReason.BAD_HMAC, rejection(acceptor, body(wrongKey.sealProof())));
    }

    @Test
    void anyFlippedBitIsBadHmac() {
        byte[] payload = "lease batch".getBytes(StandardCharsets.UTF_8);
        byte[] frame = FrameCodec.forDialer(SECRET, dialerHello, acceptorHello).seal(payload).getBytes();
        for (int bit = 4 * 8; bit < frame.length * 8; bit += 3) { // every third bit after the length prefix
            byte[] flipped = frame.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            FrameCodec acceptor = FrameCodec.forAcceptor(SECRET, dialerHello, acceptorHello);
            assertEquals(RejectReason.BAD_HMAC, rejection(acceptor, Buffer.buffer(flipped).getBuffer(4, flipped.length)),
                    "bit " + bit);
        }
    }

    @Test
    void wrongSeqWithValidTagIsReplay() throws ProtocolException {
        FrameCodec dialer = FrameCodec.forDialer(SECRET, dialerHello, acceptorHello);
        FrameCodec acceptor = FrameCodec.forAcceptor(SECRET, dialerHello, acceptorHello);
        // skipping ahead (a frame dropped in) fails
        assertEquals(RejectReason.REPLAY, rejection(acceptor, body(dialer.sealWithSeq(1, new byte[0]))));
        FrameCodec acceptor2 = FrameCodec.forAcceptor(SECRET, dialerHello, acceptorHello);
        Buffer first = dialer.seal(new byte[] {1});
        acceptor2.open(body(first));
        // the same frame again fails
        assertEquals(RejectReason.REPLAY, rejection(acceptor2, body(first)));
    }

    @Test
    void frameReflectedToItsSenderIsBadHmac() {
        FrameCodec dialer = FrameCodec.forDialer(SECRET, dialerHello, acceptorHello);
        FrameCodec dialerTwin = FrameCodec.forDialer(SECRET, dialerHello, acceptorHello);
        // a dialer→acceptor frame fed back to a dialer (same key, wrong direction)
        assertEquals(RejectReason.BAD_HMAC, rejection(dialerTwin, body(dialer.sealProof())));
    }

    @Test
    void frameFromAnotherConnectionIsBadHmac() {
        byte[] otherHello = Hello.create("prod", "b", 7, true, RANDOM).encode(); // new nonce
        FrameCodec oldConnection = FrameCodec.forDialer(SECRET, dialerHello, acceptorHello);
        FrameCodec newConnection = FrameCodec.forAcceptor(SECRET, dialerHello, otherHello);
        assertEquals(RejectReason.BAD_HMAC, rejection(newConnection, body(oldConnection.sealProof())));
    }

    @Test
    void tamperedHelloChangesTheKey() {
        byte[] tampered = acceptorHello.clone();
        tampered[tampered.length - Hello.NONCE_BYTES - 1] ^= 1; // config hash as seen by the dialer
        FrameCodec dialer = FrameCodec.forDialer(SECRET, dialerHello, tampered);
        FrameCodec acceptor = FrameCodec.forAcceptor(SECRET, dialerHello, acceptorHello);
        assertEquals(RejectReason.BAD_HMAC, rejection(acceptor, body(dialer.sealProof())));
    }

    @Test
    void withoutSecretFramesCarryOnlySeqAndAreStillOrdered() throws ProtocolException {
        FrameCodec dialer = FrameCodec.forDialer(null, dialerHello, acceptorHello);
        FrameCodec acceptor = FrameCodec.forAcceptor(null, dialerHello, acceptorHello);
        assertFalse(dialer.authenticated());
        Buffer proof = dialer.sealProof();
        assertEquals(4 + 2, proof.length());
        acceptor.open(body(proof));
        Buffer one = dialer.seal(new byte[] {9, 9});
        assertArrayEquals(new byte[] {9, 9}, acceptor.open(body(one)));
        assertEquals(RejectReason.REPLAY, rejection(acceptor, body(one)));
    }

    @Test
    void bodyShorterThanOverheadIsMalformed() {
        FrameCodec acceptor = FrameCodec.forAcceptor(SECRET, dialerHello, acceptorHello);
        assertEquals(RejectReason.MALFORMED, rejection(acceptor, Buffer.buffer(new byte[2 + 16 - 1])));
    }

    @Test
    void frameResent256FramesLaterIsBadHmac() throws ProtocolException {
        FrameCodec dialer = FrameCodec.forDialer(SECRET, dialerHello, acceptorHello);
        FrameCodec acceptor = FrameCodec.forAcceptor(SECRET, dialerHello, acceptorHello);
        Buffer proof = dialer.sealProof();
        acceptor.open(body(proof));
        for (int i = 1; i < 256; i++) {
            acceptor.open(body(dialer.seal(new byte[] {(byte) i})));
        }
        // seq 256 expected: the proof's seq8 (0) names seq 256, under which its tag does not verify
        assertEquals(RejectReason.BAD_HMAC, rejection(acceptor, body(proof)));
    }

    /** A heartbeat's shape: hashes and digests that stay, three 8-byte clocks that move by ~250 ms. */
    @Test
    void heartbeatLikePayloadTravelsAsItsChanges() throws ProtocolException {
        FrameCodec dialer = FrameCodec.forDialer(SECRET, dialerHello, acceptorHello);
        FrameCodec acceptor = FrameCodec.forAcceptor(SECRET, dialerHello, acceptorHello);
        acceptor.open(body(dialer.sealProof()));
        ByteBuffer hb = ByteBuffer.allocate(73);
        RANDOM.nextBytes(hb.array());
        long clock = 9_000_000_000_000L;
        for (int i = 0; i < 20; i++) {
            clock += 250_000_000L + RANDOM.nextInt(5_000_000);
            hb.putLong(33, clock).putLong(41, clock - 7_000_000L).putLong(57, clock - 250_000_000L);
            byte[] payload = hb.array().clone();
            Buffer frame = dialer.seal(payload);
            if (i == 0) {
                assertEquals(4 + 2 + 73 + 16, frame.length(), "the first is whole");
            } else {
                assertTrue(frame.length() <= 4 + 2 + 1 + 3 * (2 + 5) + 16, "frame of " + frame.length() + " bytes");
            }
            assertArrayEquals(payload, acceptor.open(body(frame)));
        }
    }

    @Test
    void deltaRoundTripsAnyPairOfPayloads() throws ProtocolException {
        java.util.Random random = new java.util.Random(42);
        for (int trial = 0; trial < 5_000; trial++) {
            byte[] base = new byte[random.nextInt(80)];
            random.nextBytes(base);
            byte[] payload = new byte[random.nextInt(80)];
            for (int i = 0; i < payload.length; i++) { // mostly the base's bytes, some changed, some past it
                payload[i] = i < base.length && random.nextInt(4) != 0 ? base[i] : (byte) random.nextInt(256);
            }
            byte[] delta = delta(base, payload);
            if (delta != null) {
                assertTrue(delta.length < payload.length, "a delta is only sent when shorter");
                assertArrayEquals(payload, FrameCodec.undelta(base, delta, trial), "trial " + trial);
            }
        }
        byte[] same = "unchanged".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(new byte[] {9}, delta(same, same.clone()), "the same payload again is its length");
        assertArrayEquals("unch".getBytes(StandardCharsets.UTF_8),
                FrameCodec.undelta(same, new byte[] {4}, 1), "a shorter payload is a prefix of the base");
    }

    @Test
    void payloadAboveTheBaseLimitLeavesNoBase() throws ProtocolException {
        FrameCodec dialer = FrameCodec.forDialer(null, dialerHello, acceptorHello);
        FrameCodec acceptor = FrameCodec.forAcceptor(null, dialerHello, acceptorHello);
        acceptor.open(body(dialer.sealProof()));
        byte[] big = new byte[FrameCodec.DELTA_BASE_MAX_BYTES + 1];
        acceptor.open(body(dialer.seal(big)));
        Buffer again = dialer.seal(big.clone());
        assertEquals(FrameCodec.KIND_WHOLE, again.getByte(5), "sent whole: no base to share");
        assertArrayEquals(big, acceptor.open(body(again)));
        byte[] small = new byte[FrameCodec.DELTA_BASE_MAX_BYTES];
        acceptor.open(body(dialer.seal(small)));
        Buffer smallAgain = dialer.seal(small.clone());
        assertEquals(FrameCodec.KIND_DELTA, smallAgain.getByte(5));
        assertEquals(4 + 2 + 2, smallAgain.length(), "the same payload again: its length only");
        assertArrayEquals(small, acceptor.open(body(smallAgain)));
        Buffer bigAfterSmall = dialer.seal(big.clone()); // its first 512 bytes are the base's
        assertEquals(FrameCodec.KIND_WHOLE, bigAfterSmall.getByte(5), "above the limit: sent whole all the same");
        assertArrayEquals(big, acceptor.open(body(bigAfterSmall)));
    }

    /** Without a secret nothing vouches for a delta: each bad one is rejected with what was wrong. */
    @Test
    void malformedDeltasAreMalformed() throws ProtocolException {
        byte[] base = "0123456789".getBytes(StandardCharsets.US_ASCII);
        byte[][] bad = {
                {11},                  // one byte longer than the base, no run supplies it
                {(byte) 0x80},         // a varint cut short
                {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f}, // a length beyond an int
                {10, 11, 0},           // skips past the base
                {10, 0, 3, 1, 2},      // a run of 3 bytes with 2 left
                {100, 0, 1, 7},        // a length no base and delta can make
        };
        for (byte[] delta : bad) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> FrameCodec.undelta(base, delta, 5),
                    Arrays.toString(delta));
            assertEquals(RejectReason.MALFORMED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("frame seq 5"), e.getMessage());
        }
        assertEquals(RejectReason.MALFORMED, assertThrows(ProtocolException.class,
                () -> FrameCodec.undelta(null, new byte[] {0}, 1)).reason(), "a delta as the first frame");
        FrameCodec acceptor = FrameCodec.forAcceptor(null, dialerHello, acceptorHello);
        acceptor.open(Buffer.buffer(new byte[] {0, FrameCodec.KIND_WHOLE}));
        assertEquals(RejectReason.MALFORMED, rejection(acceptor, Buffer.buffer(new byte[] {1, 7, 1, 2})),
                "unknown kind");
    }
}
