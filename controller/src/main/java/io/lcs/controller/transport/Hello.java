package io.lcs.controller.transport;

import io.lcs.model.Names;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The first frame each way on a peer connection. Binary layout, big-endian (the body of a
 * length-prefixed frame):
 * <pre>
 *   magic    4 bytes  0x4C435348 ("LCSH")
 *   version  int      {@value #PROTOCOL_VERSION}
 *   flags    1 byte   bit 0 = sender has a secret (frames carry HMACs); other bits 0
 *   cluster  u16 length + UTF-8
 *   node     u16 length + UTF-8
 *   hash     long     the sender's configuration hash
 *   nonce    {@value #NONCE_BYTES} bytes from SecureRandom
 * </pre>
 * The version comes right after the magic so that a later version can change everything after it.
 * {@link #decode} is strict: wrong magic, unknown flags, invalid names, short or trailing bytes are
 * all {@link RejectReason#BAD_HELLO}; another version is {@link RejectReason#PROTOCOL_VERSION}.
 * Hellos are not authenticated by themselves: both hellos are bound into the session key (see
 * {@link FrameCodec}), so the first authenticated frame each way proves them.
 *
 * @param nonce {@value #NONCE_BYTES} bytes (compared by identity in equals: this is a wire value, not a key)
 */
public record Hello(int protocolVersion, String clusterName, String nodeName, long configHash, byte[] nonce,
                    boolean authenticated) {

    public static final int MAGIC = 0x4C435348;
    /**
     * 2: anti-entropy SyncVersions carry their key range (after, upTo). 3: held sets (HeldSet) and
     * heartbeats that renew them (lease renewals no longer run a round per VIP); heartbeats carry
     * health-check results. 4: binary heartbeats ({@code HeartbeatCodec}) and a 16-byte frame tag.
     * 5: held sets name each lease's epoch (a protocol-4 node cannot read them, nor send what a
     * protocol-5 node needs). 6: frames carry the low byte of their seq, not all 8, and a payload
     * may travel as its changes from the previous one ({@link FrameCodec}): a heartbeat frame is ~40
     * bytes, not 101. 7: a lease group that refers to a prepare's VIP set carries the set's hash
     * ({@code k}), and is read only against a set with that hash (a restarted node reuses ballots).
     */
    public static final int PROTOCOL_VERSION = 7;
    public static final int NONCE_BYTES = 16;
    private static final int FLAG_AUTHENTICATED = 1;
    /** magic + version + flags + 2 length fields + two 1-byte names + hash + nonce. */
    public static final int MIN_BYTES = 4 + 4 + 1 + 2 + 1 + 2 + 1 + 8 + NONCE_BYTES;
    /** Two names of at most 63 ASCII bytes fit in 200; 512 leaves room, and bounds what a stranger can make us buffer. */
    public static final int MAX_BYTES = 512;

    public Hello {
        if (nonce == null || nonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException("hello nonce must be " + NONCE_BYTES + " bytes");
        }
    }

    /** A version-{@value #PROTOCOL_VERSION} hello with a fresh random nonce. */
    public static Hello create(String clusterName, String nodeName, long configHash, boolean authenticated,
                               SecureRandom random) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        return new Hello(PROTOCOL_VERSION, clusterName, nodeName, configHash, nonce, authenticated);
    }

    /** The frame body (without the length prefix). */
    public byte[] encode() {
        byte[] cluster = clusterName.getBytes(StandardCharsets.UTF_8);
        byte[] node = nodeName.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(4 + 4 + 1 + 2 + cluster.length + 2 + node.length + 8 + NONCE_BYTES);
        out.putInt(MAGIC).putInt(protocolVersion).put((byte) (authenticated ? FLAG_AUTHENTICATED : 0));
        out.putShort((short) cluster.length).put(cluster);
        out.putShort((short) node.length).put(node);
        out.putLong(configHash).put(nonce);
        return out.array();
    }

    /** Parses a hello body; never throws anything but {@link ProtocolException}. */
    public static Hello decode(byte[] body) throws ProtocolException {
        if (body.length < 8) {
            throw new ProtocolException(RejectReason.BAD_HELLO, "hello of " + body.length + " bytes is too short");
        }
        ByteBuffer in = ByteBuffer.wrap(body);
        int magic = in.getInt();
        if (magic != MAGIC) {
            throw new ProtocolException(RejectReason.BAD_HELLO,
                    String.format("not an lcs hello (magic 0x%08x)", magic));
        }
        int version = in.getInt();
        if (version != PROTOCOL_VERSION) {
            throw new ProtocolException(RejectReason.PROTOCOL_VERSION,
                    "protocol version " + version + ", this node speaks " + PROTOCOL_VERSION);
        }
        try {
            int flags = in.get() & 0xff;
            if ((flags & ~FLAG_AUTHENTICATED) != 0) {
                throw new ProtocolException(RejectReason.BAD_HELLO, "unknown hello flags " + flags);
            }
            String cluster = readName(in, "cluster name");
            String node = readName(in, "node name");
            long hash = in.getLong();
            byte[] nonce = new byte[NONCE_BYTES];
            in.get(nonce);
            if (in.hasRemaining()) {
                throw new ProtocolException(RejectReason.BAD_HELLO, in.remaining() + " trailing bytes after hello");
            }
            return new Hello(version, cluster, node, hash, nonce, (flags & FLAG_AUTHENTICATED) != 0);
        } catch (BufferUnderflowException e) {
            throw new ProtocolException(RejectReason.BAD_HELLO, "hello is truncated");
        }
    }

    private static String readName(ByteBuffer in, String what) throws ProtocolException {
        int length = in.getShort() & 0xffff;
        if (length > Names.MAX_LENGTH || length > in.remaining()) {
            throw new ProtocolException(RejectReason.BAD_HELLO, what + " length " + length + " is invalid");
        }
        ByteBuffer bytes = in.slice().limit(length);
        in.position(in.position() + length);
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(RejectReason.BAD_HELLO, what + " is not UTF-8");
        }
        String problem = Names.problem(name);
        if (problem != null) {
            throw new ProtocolException(RejectReason.BAD_HELLO, what + ": " + problem);
        }
        return name;
    }

    @Override
    public String toString() {
        return "Hello[v" + protocolVersion + ", cluster=" + clusterName + ", node=" + nodeName + ", configHash="
                + configHash + ", authenticated=" + authenticated + ", nonce=" + Arrays.toString(nonce) + "]";
    }
}
