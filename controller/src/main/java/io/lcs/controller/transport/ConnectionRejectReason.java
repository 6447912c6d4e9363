package io.lcs.controller.transport;

/**
 * Why the transport closed an inbound connection at accept, before any handshake state or buffer
 * existed for it; one counter per reason in {@link TransportStats}, exported as
 * {@code lcs_transport_connections_rejected_total{reason}}. Protocol violations of connections that
 * were let in are {@link RejectReason}s.
 */
public enum ConnectionRejectReason {
    /** The source address is not one of the configured members' addresses (a stranger). */
    NOT_A_MEMBER("not a member's address"),
    /** The source address already had its share of connections in their handshake. */
    SOURCE_LIMIT("too many pending handshakes from this address"),
    /** All members together already had the most connections in their handshake this node allows. */
    HANDSHAKE_LIMIT("too many pending handshakes");

    private final String text;

    ConnectionRejectReason(String text) {
        this.text = text;
    }

    /** Short lower-case text used in logs, e.g. "not a member's address". */
    public String text() {
        return text;
    }
}
