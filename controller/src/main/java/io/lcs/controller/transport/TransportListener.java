package io.lcs.controller.transport;

/**
 * Receives what the {@link PeerTransport} sees. Every method is called on the transport's Vert.x
 * context (the context that was current when {@link PeerTransport#start()} was called), one call at
 * a time, and for one peer in this order: {@link #onPeerConfigHash}, {@link #onPeerConnected}, any
 * number of {@link #onFrame}, {@link #onPeerDisconnected}, then possibly connected again.
 * Connected and disconnected strictly alternate per peer. Methods must not block; an exception
 * thrown by a method is logged and otherwise ignored (the connection stays up).
 */
public interface TransportListener {
    /** An authenticated connection with {@code peer} is up; {@link PeerTransport#send} now works. */
    void onPeerConnected(String peer);

    /** The connection with {@code peer} is gone; {@code reason} is a short human text (for logs/status). */
    void onPeerDisconnected(String peer, String reason);

    /** One payload from {@code peer}, in the order it was sent, authenticated when a secret is set. */
    void onFrame(String peer, byte[] payload);

    /**
     * The configuration hash {@code peer} announced in its (authenticated) hello, reported just before
     * {@link #onPeerConnected}. The transport does not compare hashes: a difference is for the cluster
     * core to report and act on.
     */
    default void onPeerConfigHash(String peer, long hash) {
    }
}
