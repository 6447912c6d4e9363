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
 * A post-hello body is {@code seq8 (1 byte) | kind (1 byte) | data | tag (16 bytes)} with a secret
 * and the same without the tag without one. Each direction numbers its frames 0, 1, 2, ...: frame 0
 * is the empty-payload <em>proof</em> frame each side sends right after the hellos, so no payload is
 * accepted before the peer has proven the key. Only the low byte of the 64-bit seq travels
 * ({@code seq8}); the tag covers the whole seq, which each side counts (TCP delivers in order). A
 * frame whose seq8 is not the expected one is rejected as {@link RejectReason#REPLAY} (with a
 * secret only if its tag verifies under the seq it names, the nearest one with that low byte;
 * otherwise {@link RejectReason#BAD_HMAC}, as is a frame resent 128 or more frames later).
 *
 * <p>{@code kind} 0: {@code data} is the payload. {@code kind} 1: {@code data} is the payload as
 * the changes from the previous payload sent this way on this connection (the <em>base</em>):
 * {@code uvar length}, then runs of {@code uvar skip | uvar n | n bytes}: {@code skip} bytes as in
 * the base at the same place, then {@code n} new bytes; the bytes after the last run are the
 * base's too. A payload of at most {@value #DELTA_BASE_MAX_BYTES} bytes becomes the base; a larger
 * one leaves none, so the next frame is sent whole, and is itself sent whole. The sender picks whichever kind is shorter:
 * a heartbeat repeats its hashes and digests, and only its clocks change, so most of it travels as
 * a few runs (101 bytes a frame in protocol 5, ~40 in 6). {@code uvar} is an unsigned LEB128 varint
 * of at most 5 bytes. A delta that reads outside the base or past {@code length}, or leaves bytes
 * over, is {@link RejectReason#MALFORMED}.
 *
 * <p>Keys: {@code master = HMAC-SHA256(secret, "lcs-transport-v1")};
 * {@code session = HMAC-SHA256(master, "lcs-session-v1" | len | dialerHello | len | acceptorHello)}
 * over the exact hello bodies (which carry both random nonces, names, cluster and config hash), so
 * each connection has its own key and the hellos are authenticated by the first frame each way;
 * {@code tag = HMAC-SHA256(session, direction | seq (8 bytes) | kind | data)} cut to its first 16
 * bytes (HMAC-SHA-256-128, as in RFC 4868: 128 bits are beyond forging, and every frame is 16 bytes
 * shorter; a heartbeat is most of the traffic), where direction is 1 for dialer→acceptor and 2 for
 * acceptor→dialer, so a frame reflected back to its sender fails. The tag is checked before the
 * delta is read. Tags are compared in constant time.
 *
 * <p>Threading: {@link #seal} may be called from any thread (synchronized, so seq order equals call
 * order, and each frame is encoded against the one sealed before it); {@link #open} is called by
 * one thread at a time (the connection's event loop). Each direction has its own {@link Mac},
 * created once per connection. The codec keeps the last payload of each direction as its base, the
 * very array given to {@link #seal} or returned by {@link #open}: neither may be changed after.
 */
public final class FrameCodec {
    public static final int LENGTH_PREFIX_BYTES = 4;
    /** seq8 and kind. */
    public static final int HEADER_BYTES = 2;
    public static final int TAG_BYTES = 16;
    /** The largest payload kept as the next frame's base (a heartbeat is ~75 bytes). */
    public static final int DELTA_BASE_MAX_BYTES = 512;
    static final byte KIND_WHOLE = 0;
    static final byte KIND_DELTA = 1;
    private static final int MAC_BYTES = 32;
    private static final int SEQ_BYTES = 8;
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
    private byte[] sendBase;          // guarded by this; null = none
    /** Where {@link #seal} writes a delta (always shorter than its payload, so than the base limit); guarded by this. */
    private final byte[] deltaScratch = new byte[DELTA_BASE_MAX_BYTES];
    private long expectedReceiveSeq;  // receive thread only
    private byte[] receiveBase;       // receive thread only; null = none

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

    /** Bytes a post-hello body has beyond a whole payload: seq8 and kind, plus the tag with a secret. */
    public int overheadBytes() {
        return overheadBytes(authenticated());
    }

    public static int overheadBytes(boolean authenticated) {
        return HEADER_BYTES + (authenticated ? TAG_BYTES : 0);
    }

    /** The proof frame (seq 0, empty payload); must be the first {@link #seal} of the connection. */
    public Buffer sealProof() {
        return seal(EMPTY);
    }

    /**
     * The complete wire frame (length prefix included) for {@code payload} with the next seq, as a
     * delta of the previous payload when that is shorter: one Buffer. The caller writes every
     * sealed frame, in order: the peer decodes each against the one before.
     */
    public synchronized Buffer seal(byte[] payload) {
        int deltaLength = sendBase == null ? -1 : delta(sendBase, payload, deltaScratch);
        Buffer frame = deltaLength < 0 ? sealed(nextSendSeq, KIND_WHOLE, payload, payload.length)
                : sealed(nextSendSeq, KIND_DELTA, deltaScratch, deltaLength);
        nextSendSeq++;
        sendBase = payload.length <= DELTA_BASE_MAX_BYTES ? payload : null;
        return frame;
    }

    /**
     * A whole-payload frame with an explicit seq; neither the counter nor the base moves (tests
     * forge frames with it).
     */
    public synchronized Buffer sealWithSeq(long seq, byte[] payload) {
        return sealed(seq, KIND_WHOLE, payload, payload.length);
    }

    /** The frame of the first {@code length} bytes of {@code data}. */
    private Buffer sealed(long seq, byte kind, byte[] data, int length) {
        int bodyLength = overheadBytes() + length;
        Buffer out = Buffer.buffer(LENGTH_PREFIX_BYTES + bodyLength)
                .appendInt(bodyLength).appendByte((byte) seq).appendByte(kind).appendBytes(data, 0, length);
        if (sendMac != null) {
            tag(sendMac, sendHeader, sendDirection, seq, kind, data, length, sendTag);
            out.appendBytes(sendTag, 0, TAG_BYTES);
        }
        return out;
    }

    /**
     * Verifies a post-hello body (without the length prefix) and returns its payload.
     *
     * @throws ProtocolException MALFORMED if shorter than the overhead, of an unknown kind or a
     *                           delta that does not fit its base, BAD_HMAC if the tag does not
     *                           verify, REPLAY if the seq is not the expected one
     */
    public byte[] open(Buffer body) throws ProtocolException {
        int length = body.length();
        int overhead = overheadBytes();
        if (length < overhead) {
            throw new ProtocolException(RejectReason.MALFORMED, "frame of " + length + " bytes, minimum " + overhead);
        }
        byte seq8 = body.getByte(0);
        byte kind = body.getByte(1);
        byte[] data = body.getBytes(HEADER_BYTES, length - (overhead - HEADER_BYTES));
        // the seq nearest the expected one with this low byte: a replayed or skipped frame is named as such
        long seq = expectedReceiveSeq + (byte) (seq8 - (byte) expectedReceiveSeq);
        if (receiveMac != null) {
            body.getBytes(length - TAG_BYTES, length, receivedTag, 0);
            tag(receiveMac, receiveHeader, receiveDirection, seq, kind, data, data.length, expectedTag);
            if (!tagsEqual(expectedTag, receivedTag)) {
                throw new ProtocolException(RejectReason.BAD_HMAC, "frame seq " + expectedReceiveSeq
                        + " does not verify");
            }
        }
        if (seq != expectedReceiveSeq) {
            throw new ProtocolException(RejectReason.REPLAY, "seq " + seq + ", expected " + expectedReceiveSeq);
        }
        byte[] payload = switch (kind) {
            case KIND_WHOLE -> data;
            case KIND_DELTA -> undelta(receiveBase, data, expectedReceiveSeq);
            default -> throw new ProtocolException(RejectReason.MALFORMED, "frame seq " + expectedReceiveSeq
                    + " of unknown kind " + (kind & 0xff));
        };
        expectedReceiveSeq++;
        receiveBase = payload.length <= DELTA_BASE_MAX_BYTES ? payload : null;
        return payload;
    }

    /**
     * Writes {@code payload} as runs of changes from {@code base} into {@code out} and returns its
     * length, or -1 when that would not be shorter than the payload (or does not fit {@code out}).
     * Two equal bytes between changes cost less inside a run than a new run's two varints, so runs
     * are split only at three or more.
     */
    static int delta(byte[] base, byte[] payload, byte[] out) {
        if (payload.length > DELTA_BASE_MAX_BYTES) {
            return -1; // sent whole, as documented: not worth a pass over a large payload
        }
        int limit = Math.min(payload.length, out.length); // a delta must be shorter than the payload
        int common = Math.min(base.length, payload.length);
        int[] at = {0};
        if (!putUvar(out, at, limit, payload.length)) {
            return -1;
        }
        int pos = 0;            // bytes of payload covered so far
        int i = 0;
        while (i < payload.length) {
            if (i < common && payload[i] == base[i]) {
                i++;
                continue;
            }
            int start = i;      // a run of new bytes: up to the end, or until 3 equal bytes in a row
            int end = i + 1;
            while (end < payload.length) {
                int same = 0;
                while (end + same < common && same < 3 && payload[end + same] == base[end + same]) {
                    same++;
                }
                if (same == 3 || (same > 0 && end + same == payload.length)) {
                    break;
                }
                end += same == 0 ? 1 : same;
            }
            if (!putUvar(out, at, limit, start - pos) || !putUvar(out, at, limit, end - start)
                    || end - start >= limit - at[0]) {
                return -1;
            }
            System.arraycopy(payload, start, out, at[0], end - start);
            at[0] += end - start;
            pos = end;
            i = end;
        }
        return at[0] < payload.length ? at[0] : -1;
    }

    /** The payload {@code delta} describes against {@code base}: every read checked. */
    static byte[] undelta(byte[] base, byte[] delta, long seq) throws ProtocolException {
        if (base == null) {
            throw new ProtocolException(RejectReason.MALFORMED, "frame seq " + seq + " is a delta without a base");
        }
        int[] at = {0};
        int length = getUvar(delta, at, seq);
        if (length > base.length + delta.length) { // each byte comes from the base or the delta
            throw new ProtocolException(RejectReason.MALFORMED, "frame seq " + seq + ": a delta names a " + length
                    + "-byte payload, more than its " + base.length + "-byte base and " + delta.length
                    + " bytes can make");
        }
        byte[] payload = new byte[length];
        int pos = 0;
        while (at[0] < delta.length) {
            int skip = getUvar(delta, at, seq);
            int n = getUvar(delta, at, seq);
            if (skip > Math.min(base.length, length) - pos) {
                throw new ProtocolException(RejectReason.MALFORMED, "frame seq " + seq + ": a delta run skips past"
                        + " its " + base.length + "-byte base");
            }
            System.arraycopy(base, pos, payload, pos, skip);
            pos += skip;
            if (n > length - pos || n > delta.length - at[0]) {
                throw new ProtocolException(RejectReason.MALFORMED, "frame seq " + seq + ": a delta run of " + n
                        + " bytes past its end");
            }
            System.arraycopy(delta, at[0], payload, pos, n);
            at[0] += n;
            pos += n;
        }
        if (pos < length && length > base.length) {
            throw new ProtocolException(RejectReason.MALFORMED, "frame seq " + seq + ": a " + length
                    + "-byte payload left short by its " + base.length + "-byte base");
        }
        if (pos < length) {
            System.arraycopy(base, pos, payload, pos, length - pos);
        }
        return payload;
    }

    /** Writes {@code v} at {@code at[0]}; false when it does not fit below {@code limit}. */
    private static boolean putUvar(byte[] out, int[] at, int limit, int v) {
        while ((v & ~0x7F) != 0) {
            if (at[0] >= limit) {
                return false;
            }
            out[at[0]++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        if (at[0] >= limit) {
            return false;
        }
        out[at[0]++] = (byte) v;
        return true;
    }

    /** A non-negative int of at most 5 bytes (values above Integer.MAX_VALUE are malformed). */
    private static int getUvar(byte[] in, int[] at, long seq) throws ProtocolException {
        long v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (at[0] >= in.length) {
                throw new ProtocolException(RejectReason.MALFORMED, "frame seq " + seq + ": a delta cut short");
            }
            byte b = in[at[0]++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                if (v > Integer.MAX_VALUE) {
                    break;
                }
                return (int) v;
            }
        }
        throw new ProtocolException(RejectReason.MALFORMED, "frame seq " + seq + ": a delta number out of range");
    }

    private static void tag(Mac mac, byte[] header, byte direction, long seq, byte kind, byte[] data, int length,
                            byte[] out) {
        header[0] = direction;
        for (int i = 0; i < SEQ_BYTES; i++) {
            header[1 + i] = (byte) (seq >>> (56 - 8 * i));
        }
        mac.update(header);
        mac.update(kind);
        mac.update(data, 0, length);
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
