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
            assertEquals(4 + 8 + payload.length + 16, frame.length(),
                    "prefix + seq + payload + tag (HMAC-SHA-256 cut to 128 bits)");
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
        assertEquals(4 + 8, proof.length());
        acceptor.open(body(proof));
        Buffer one = dialer.seal(new byte[] {9, 9});
        assertArrayEquals(new byte[] {9, 9}, acceptor.open(body(one)));
        assertEquals(RejectReason.REPLAY, rejection(acceptor, body(one)));
    }

    @Test
    void bodyShorterThanOverheadIsMalformed() {
        FrameCodec acceptor = FrameCodec.forAcceptor(SECRET, dialerHello, acceptorHello);
        assertEquals(RejectReason.MALFORMED, rejection(acceptor, Buffer.buffer(new byte[8 + 16 - 1])));
    }
}
