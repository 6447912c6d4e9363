package io.lcs.controller.transport;

import io.vertx.core.buffer.Buffer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * Seals and opens the frames of one connection, after the hellos.
 *
 * <p>Wire format of every frame: a 4-byte big-endian length {@code L}, then {@code L} bytes of body.
 * A post-hello body is {@code seq (8 bytes) | payload | tag (16 bytes)} with a secret and
 * {@code seq | payload} without. Each direction numbers its frames 0, 1, 2, ...: frame 0 is the
 * empty-payload <em>proof</em> frame each side sends right after the hellos, so no payload is
 * accepted before the peer has proven the key. A frame whose seq is not exactly the previous plus
 * one is rejected ({@link RejectReason#REPLAY}), with or without a secret.
 *
 * <p>Keys: {@code master = HMAC-SHA256(secret, "lcs-transport-v1")};
 * {@code session = HMAC-SHA256(master, "lcs-session-v1" | len | dialerHello | len | acceptorHello)}
 * over the exact hello bodies (which carry both random nonces, names, cluster and config hash), so
 * each connection has its own key and the hellos are authenticated by the first frame each way;
 * {@code tag = HMAC-SHA256(session, direction | seq | payload)} cut to its first 16 bytes
 * (HMAC-SHA-256-128, as in RFC 4868: 128 bits are beyond forging, and every frame is 16 bytes
 * shorter; a heartbeat is most of the traffic), where direction is 1 for dialer→acceptor and 2 for
 * acceptor→dialer, so a frame reflected back to its sender fails. Tags are compared in constant
 * time.
 *
 * <p>Threading: {@link #seal} may be called from any thread (synchronized, so seq order equals call
 * order); {@link #open} is called by one thread at a time (the connection's event loop). Each
 * direction has its own {@link Mac}, created once per connection.
 */
public final class FrameCodec {
    public static final int LENGTH_PREFIX_BYTES = 4;
    public static final int SEQ_BYTES = 8;
    public static final int TAG_BYTES = 16;
    private static final int MAC_BYTES = 32;
    public static final byte DIALER_TO_ACCEPTOR = 1;
    public static final byte ACCEPTOR_TO_DIALER = 2;
    private static final String HMAC = "HmacSHA256";
    private static final byte[] MASTER_LABEL = "lcs-transport-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SESSION_LABEL = "lcs-session-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY = new byte[0];

    private final Mac sendMac;      // null without a secret
    private final Mac receiveMac;   // null without a secret
    private final byte sendDirection;
    private final byte receiveDirection;
    private final byte[] sendHeader = new byte[1 + SEQ_BYTES];
    private final byte[] sendTag = new byte[MAC_BYTES];
    private final byte[] receiveHeader = new byte[1 + SEQ_BYTES];
    private final byte[] expectedTag = new byte[MAC_BYTES];
    private final byte[] receivedTag = new byte[TAG_BYTES];
    private long nextSendSeq;         // guarded by this
    private long expectedReceiveSeq;  // receive thread only

    private FrameCodec(byte[] secret, byte[] dialerHello, byte[] acceptorHello, boolean dialer) {
        this.sendDirection = dialer ? DIALER_TO_ACCEPTOR : ACCEPTOR_TO_DIALER;
        this.receiveDirection = dialer ? ACCEPTOR_TO_DIALER : DIALER_TO_ACCEPTOR;
        if (secret == null) {
            sendMac = null;
            receiveMac = null;
            return;
        }
        try {
            Mac derive = Mac.getInstance(HMAC);
            derive.init(new SecretKeySpec(secret, HMAC));
            byte[] master = derive.doFinal(MASTER_LABEL);
            derive.init(new SecretKeySpec(master, HMAC));
            derive.update(SESSION_LABEL);
            derive.update(intBytes(dialerHello.length));
            derive.update(dialerHello);
            derive.update(intBytes(acceptorHello.length));
            derive.update(acceptorHello);
            SecretKeySpec session = new SecretKeySpec(derive.doFinal(), HMAC);
            sendMac = Mac.getInstance(HMAC);
            sendMac.init(session);
            receiveMac = Mac.getInstance(HMAC);
            receiveMac.init(session);
        } catch (GeneralSecurityException e) {
            // HmacSHA256 is mandatory in every Java SE implementation
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The codec of the dialing side; {@code secret} null = no authentication. */
    public static FrameCodec forDialer(byte[] secret, byte[] dialerHello, byte[] acceptorHello) {
        return new FrameCodec(secret, dialerHello, acceptorHello, true);
    }

    /** The codec of the accepting side; {@code secret} null = no authentication. */
    public static FrameCodec forAcceptor(byte[] secret, byte[] dialerHello, byte[] acceptorHello) {
        return new FrameCodec(secret, dialerHello, acceptorHello, false);
    }

    /** Length-prefixes an unsealed body (used for the hello). */
    public static Buffer frame(byte[] body) {
        return Buffer.buffer(LENGTH_PREFIX_BYTES + body.length).appendInt(body.length).appendBytes(body);
    }

    public boolean authenticated() {
        return sendMac != null;
    }

    /** Bytes a post-hello body has beyond its payload: seq, plus the tag with a secret. */
    public int overheadBytes() {
        return overheadBytes(authenticated());
    }

    public static int overheadBytes(boolean authenticated) {
        return SEQ_BYTES + (authenticated ? TAG_BYTES : 0);
    }

    /** The proof frame (seq 0, empty payload); must be the first {@link #seal} of the connection. */
    public Buffer sealProof() {
        return seal(EMPTY);
    }

    /** The complete wire frame (length prefix included) for {@code payload} with the next seq: one Buffer. */
    public synchronized Buffer seal(byte[] payload) {
        return sealWithSeq(nextSendSeq++, payload);
    }

    /** Like {@link #seal} with an explicit seq that does not advance the counter (tests forge frames with it). */
    public synchronized Buffer sealWithSeq(long seq, byte[] payload) {
        int bodyLength = overheadBytes() + payload.length;
        Buffer out = Buffer.buffer(LENGTH_PREFIX_BYTES + bodyLength)
                .appendInt(bodyLength).appendLong(seq).appendBytes(payload);
        if (sendMac != null) {
            tag(sendMac, sendHeader, sendDirection, seq, payload, sendTag);
            out.appendBytes(sendTag, 0, TAG_BYTES);
        }
        return out;
    }

    /**
     * Verifies a post-hello body (without the length prefix) and returns its payload.
     *
     * @throws ProtocolException MALFORMED if shorter than the overhead, BAD_HMAC if the tag does not
     *                           verify, REPLAY if the seq is not the expected one
     */
    public byte[] open(Buffer body) throws ProtocolException {
        int length = body.length();
        int overhead = overheadBytes();
        if (length < overhead) {
            throw new ProtocolException(RejectReason.MALFORMED, "frame of " + length + " bytes, minimum " + overhead);
        }
        long seq = body.getLong(0);
        byte[] payload = body.getBytes(SEQ_BYTES, length - (overhead - SEQ_BYTES));
        if (receiveMac != null) {
            body.getBytes(length - TAG_BYTES, length, receivedTag, 0);
            tag(receiveMac, receiveHeader, receiveDirection, seq, payload, expectedTag);
            if (!tagsEqual(expectedTag, receivedTag)) {
                throw new ProtocolException(RejectReason.BAD_HMAC, "frame seq " + seq + " does not verify");
            }
        }
        if (seq != expectedReceiveSeq) {
            throw new ProtocolException(RejectReason.REPLAY, "seq " + seq + ", expected " + expectedReceiveSeq);
        }
        expectedReceiveSeq++;
        return payload;
    }

    private static void tag(Mac mac, byte[] header, byte direction, long seq, byte[] payload, byte[] out) {
        header[0] = direction;
        for (int i = 0; i < SEQ_BYTES; i++) {
            header[1 + i] = (byte) (seq >>> (56 - 8 * i));
        }
        mac.update(header);
        mac.update(payload);
        try {
            mac.doFinal(out, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC output buffer too small", e);
        }
    }

    /** The first {@link #TAG_BYTES} of the computed MAC against the received tag, in time independent of where they differ. */
    private static boolean tagsEqual(byte[] mac, byte[] received) {
        int diff = 0;
        for (int i = 0; i < TAG_BYTES; i++) {
            diff |= mac[i] ^ received[i];
        }
        return diff == 0;
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}
