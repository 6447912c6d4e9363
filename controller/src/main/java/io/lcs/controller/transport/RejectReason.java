package io.lcs.controller.transport;

/**
 * Why the transport closed a connection on a protocol violation; one counter per reason in
 * {@link TransportStats}. Connections refused at accept (strangers, handshake limits) are
 * {@link ConnectionRejectReason}s.
 */
public enum RejectReason {
    /** A frame whose length is below the minimum for its place in the protocol, or whose content does not parse. */
    MALFORMED("malformed frame"),
    /** A length prefix above the limit (rejected before any of the body is buffered). */
    OVERSIZED("oversized frame"),
    /** A frame whose HMAC does not verify (wrong key, tampered, reflected, or from another connection). */
    BAD_HMAC("bad HMAC"),
    /** A frame whose sequence number is not exactly the previous one plus one (replayed, reordered, dropped-in). */
    REPLAY("replayed or out-of-order frame"),
    /** A hello that is not an lcs hello or does not parse. */
    BAD_HELLO("bad hello"),
    /** A hello naming another cluster. */
    WRONG_CLUSTER("wrong cluster"),
    /** A hello from a node that is not one of our peers (or not the peer we dialed). */
    UNKNOWN_PEER("unknown peer"),
    /** A connection from a peer whose configured host is an IP literal, coming from another address. */
    ADDRESS_MISMATCH("address mismatch"),
    /** A peer dialed us although the smaller name dials (we dial it, it only accepts). */
    WRONG_DIALER("wrong dialer"),
    /** One side has a secret and the other has not. */
    AUTH_MISMATCH("authentication mismatch"),
    /** A hello with another protocol version. */
    PROTOCOL_VERSION("unsupported protocol version"),
    /** The handshake did not complete within the handshake timeout (half-open or silent connection). */
    HANDSHAKE_TIMEOUT("handshake timeout");

    private final String text;

    RejectReason(String text) {
        this.text = text;
    }

    /** Short lower-case text used in logs and disconnect reasons, e.g. "bad HMAC". */
    public String text() {
        return text;
    }
}
