package io.lcs.controller.transport;

import io.lcs.model.Names;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Settings of one node's {@link PeerTransport}. The compact constructor validates everything and
 * throws {@link IllegalArgumentException} naming the bad field; {@link #of} fills in the defaults.
 *
 * @param clusterName      must match the peers' cluster name ({@link Names} rule)
 * @param selfName         this node's name ({@link Names} rule); must not be among {@code peers}
 * @param configHash       announced in the hello; peers report it through
 *                         {@link TransportListener#onPeerConfigHash}
 * @param bindHost         address to listen on and to dial from; {@code ""} = wildcard listen, OS-chosen source
 * @param bindPort         TCP port to listen on, 0 = any free port (tests)
 * @param peers            the other nodes, unique names
 * @param secret           shared cluster secret (at least {@value #MIN_SECRET_BYTES} bytes) or {@code null}
 *                         for unauthenticated traffic; copied
 * @param maxFrameBytes    largest accepted length prefix; the largest payload is this minus the
 *                         per-frame overhead ({@link PeerTransport#maxPayloadBytes()})
 * @param handshakeTimeout a connection that has not completed its handshake by then is closed
 * @param reconnectMin     first reconnect delay after a failure
 * @param reconnectMax     cap of the exponential reconnect backoff
 */
public record TransportConfig(String clusterName, String selfName, long configHash, String bindHost, int bindPort,
                              List<PeerAddress> peers, byte[] secret, int maxFrameBytes, Duration handshakeTimeout,
                              Duration reconnectMin, Duration reconnectMax) {

    /** 1 MiB: far above any heartbeat or lease batch, small enough that a peer cannot make us buffer much. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 20;
    /** 256 bytes: the smallest limit that still leaves room for a useful payload after the overhead. */
    public static final int MIN_MAX_FRAME_BYTES = 256;
    /** 64 MiB: a sanity cap; anything larger is a configuration mistake. */
    public static final int MAX_MAX_FRAME_BYTES = 64 << 20;
    /** 16 bytes (128 bits): shorter secrets are guessable. */
    public static final int MIN_SECRET_BYTES = 16;
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RECONNECT_MIN = Duration.ofMillis(100);
    public static final Duration DEFAULT_RECONNECT_MAX = Duration.ofSeconds(2);

    public TransportConfig {
        String problem = Names.problem(clusterName);
        if (problem != null) {
            throw new IllegalArgumentException("transport clusterName: " + problem);
        }
        problem = Names.problem(selfName);
        if (problem != null) {
            throw new IllegalArgumentException("transport selfName: " + problem);
        }
        if (bindHost == null) {
            throw new IllegalArgumentException("transport bindHost: null (use \"\" for the wildcard address)");
        }
        if (bindPort < 0 || bindPort > 65535) {
            throw new IllegalArgumentException("transport bindPort: " + bindPort + " is not in 0..65535");
        }
        if (peers == null) {
            throw new IllegalArgumentException("transport peers: null");
        }
        peers = List.copyOf(peers);
        Set<String> seen = new HashSet<>();
        for (PeerAddress peer : peers) {
            if (peer.name().equals(selfName)) {
                throw new IllegalArgumentException("transport peers: contains this node's own name '" + selfName + "'");
            }
            if (!seen.add(peer.name())) {
                throw new IllegalArgumentException("transport peers: name '" + peer.name() + "' appears twice");
            }
        }
        if (secret != null) {
            if (secret.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("transport secret: " + secret.length + " bytes, need at least "
                        + MIN_SECRET_BYTES);
            }
            secret = secret.clone();
        }
        if (maxFrameBytes < MIN_MAX_FRAME_BYTES || maxFrameBytes > MAX_MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("transport maxFrameBytes: " + maxFrameBytes + " is not in "
                    + MIN_MAX_FRAME_BYTES + ".." + MAX_MAX_FRAME_BYTES);
        }
        requirePositive("handshakeTimeout", handshakeTimeout);
        requirePositive("reconnectMin", reconnectMin);
        requirePositive("reconnectMax", reconnectMax);
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw new IllegalArgumentException("transport reconnectMax " + reconnectMax + " is below reconnectMin "
                    + reconnectMin);
        }
    }

    /** A configuration with the default frame limit, handshake timeout and reconnect backoff. */
    public static TransportConfig of(String clusterName, String selfName, long configHash, String bindHost, int bindPort,
                                     List<PeerAddress> peers, byte[] secret) {
        return new TransportConfig(clusterName, selfName, configHash, bindHost, bindPort, peers, secret,
                DEFAULT_MAX_FRAME_BYTES, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_RECONNECT_MIN, DEFAULT_RECONNECT_MAX);
    }

    private static void requirePositive(String field, Duration d) {
        if (d == null || d.isNegative() || d.isZero() || d.toMillis() < 1) {
            throw new IllegalArgumentException("transport " + field + ": " + d + " must be at least 1 ms");
        }
    }

    /** A copy of the secret (the record accessor would expose the internal array). */
    @Override
    public byte[] secret() {
        return secret == null ? null : secret.clone();
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "TransportConfig[clusterName=" + clusterName + ", selfName=" + selfName + ", configHash=" + configHash
                + ", bindHost=" + bindHost + ", bindPort=" + bindPort + ", peers=" + peers
                + ", secret=" + (secret == null ? "none" : "<redacted>") + ", maxFrameBytes=" + maxFrameBytes
                + ", handshakeTimeout=" + handshakeTimeout + ", reconnectMin=" + reconnectMin
                + ", reconnectMax=" + reconnectMax + "]";
    }
}
