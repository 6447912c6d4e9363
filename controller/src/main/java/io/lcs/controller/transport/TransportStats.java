package io.lcs.controller.transport;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Counters of one {@link PeerTransport}, for metrics and tests. Thread-safe: written on the
 * transport's event loop (and by {@link PeerTransport#send} on the caller's thread), readable from
 * any thread. Counters only grow. Per-peer counters exist for the configured peers only; asking
 * about another name returns 0.
 */
public final class TransportStats {

    /** The counters of one peer. */
    private static final class PeerCounters {
        final LongAdder framesSent = new LongAdder();
        final LongAdder framesReceived = new LongAdder();
        final LongAdder bytesSent = new LongAdder();
        final LongAdder bytesReceived = new LongAdder();
        final LongAdder framesDroppedQueueFull = new LongAdder();
        final LongAdder framesDroppedOversized = new LongAdder();
        final LongAdder connects = new LongAdder();
        final LongAdder disconnects = new LongAdder();
    }

    private static final PeerCounters NONE = new PeerCounters();

    private final Map<String, PeerCounters> peers;
    private final EnumMap<RejectReason, LongAdder> rejected = new EnumMap<>(RejectReason.class);
    private final EnumMap<ConnectionRejectReason, LongAdder> connectionsRejected =
            new EnumMap<>(ConnectionRejectReason.class);

    TransportStats(Collection<String> peerNames) {
        Map<String, PeerCounters> map = new LinkedHashMap<>();
        for (String name : peerNames) {
            map.put(name, new PeerCounters());
        }
        this.peers = Collections.unmodifiableMap(map);
        for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason, new LongAdder());
        }
        for (ConnectionRejectReason reason : ConnectionRejectReason.values()) {
            connectionsRejected.put(reason, new LongAdder());
        }
    }

    private PeerCounters of(String peer) {
        PeerCounters c = peers.get(peer);
        return c == null ? NONE : c;
    }

    // --- writers (package-private: only the transport counts) ---

    void frameSent(String peer, int wireBytes) {
        PeerCounters c = peers.get(peer);
        if (c != null) {
            c.framesSent.increment();
            c.bytesSent.add(wireBytes);
        }
    }

    void frameReceived(String peer, int wireBytes) {
        PeerCounters c = peers.get(peer);
        if (c != null) {
            c.framesReceived.increment();
            c.bytesReceived.add(wireBytes);
        }
    }

    void droppedQueueFull(String peer) {
        PeerCounters c = peers.get(peer);
        if (c != null) {
            c.framesDroppedQueueFull.increment();
        }
    }

    void droppedOversized(String peer) {
        PeerCounters c = peers.get(peer);
        if (c != null) {
            c.framesDroppedOversized.increment();
        }
    }

    void connected(String peer) {
        PeerCounters c = peers.get(peer);
        if (c != null) {
            c.connects.increment();
        }
    }

    void disconnected(String peer) {
        PeerCounters c = peers.get(peer);
        if (c != null) {
            c.disconnects.increment();
        }
    }

    void countRejected(RejectReason reason) {
        rejected.get(reason).increment();
    }

    void countConnectionRejected(ConnectionRejectReason reason) {
        connectionsRejected.get(reason).increment();
    }

    // --- readers ---

    /** The configured peer names, in configuration order. */
    public Set<String> peers() {
        return peers.keySet();
    }

    /** Frames handed to the socket for {@code peer} (payload frames only, not handshake frames). */
    public long framesSent(String peer) {
        return of(peer).framesSent.sum();
    }

    /** Payload frames received from {@code peer} and delivered to the listener. */
    public long framesReceived(String peer) {
        return of(peer).framesReceived.sum();
    }

    /** Bytes on the wire (length prefix, sequence number and MAC included) of {@link #framesSent}. */
    public long bytesSent(String peer) {
        return of(peer).bytesSent.sum();
    }

    /** Bytes on the wire of {@link #framesReceived}. */
    public long bytesReceived(String peer) {
        return of(peer).bytesReceived.sum();
    }

    /** Frames {@link PeerTransport#send} dropped because the socket's write queue was full. */
    public long framesDroppedQueueFull(String peer) {
        return of(peer).framesDroppedQueueFull.sum();
    }

    /** Frames {@link PeerTransport#send} dropped because the payload exceeded the frame limit. */
    public long framesDroppedOversized(String peer) {
        return of(peer).framesDroppedOversized.sum();
    }

    /** Times the connection with {@code peer} came up (handshake completed). */
    public long connects(String peer) {
        return of(peer).connects.sum();
    }

    /** Times an established connection with {@code peer} went down. */
    public long disconnects(String peer) {
        return of(peer).disconnects.sum();
    }

    /** Connections closed for the protocol violation {@code reason} (inbound and outbound, known peers or not). */
    public long rejected(RejectReason reason) {
        return rejected.get(reason).sum();
    }

    /** All rejections, summed over reasons. */
    public long rejectedTotal() {
        long sum = 0;
        for (LongAdder a : rejected.values()) {
            sum += a.sum();
        }
        return sum;
    }

    /** A snapshot of {@link #rejected(RejectReason)} for every reason (zeros included). */
    public Map<RejectReason, Long> rejectedByReason() {
        EnumMap<RejectReason, Long> out = new EnumMap<>(RejectReason.class);
        rejected.forEach((reason, adder) -> out.put(reason, adder.sum()));
        return out;
    }

    /** Inbound connections closed at accept for {@code reason}, before any handshake. */
    public long connectionsRejected(ConnectionRejectReason reason) {
        return connectionsRejected.get(reason).sum();
    }

    /** A snapshot of {@link #connectionsRejected} for every reason (zeros included). */
    public Map<ConnectionRejectReason, Long> connectionsRejectedByReason() {
        EnumMap<ConnectionRejectReason, Long> out = new EnumMap<>(ConnectionRejectReason.class);
        connectionsRejected.forEach((reason, adder) -> out.put(reason, adder.sum()));
        return out;
    }

    /** Snapshots of per-peer counters, keyed by peer name. */
    public Map<String, Long> framesSentByPeer() {
        return snapshot(c -> c.framesSent);
    }

    public Map<String, Long> framesReceivedByPeer() {
        return snapshot(c -> c.framesReceived);
    }

    public Map<String, Long> bytesSentByPeer() {
        return snapshot(c -> c.bytesSent);
    }

    public Map<String, Long> bytesReceivedByPeer() {
        return snapshot(c -> c.bytesReceived);
    }

    public Map<String, Long> framesDroppedQueueFullByPeer() {
        return snapshot(c -> c.framesDroppedQueueFull);
    }

    public Map<String, Long> framesDroppedOversizedByPeer() {
        return snapshot(c -> c.framesDroppedOversized);
    }

    public Map<String, Long> connectsByPeer() {
        return snapshot(c -> c.connects);
    }

    public Map<String, Long> disconnectsByPeer() {
        return snapshot(c -> c.disconnects);
    }

    private Map<String, Long> snapshot(Function<PeerCounters, LongAdder> counter) {
        Map<String, Long> out = new LinkedHashMap<>();
        peers.forEach((name, c) -> out.put(name, counter.apply(c).sum()));
        return out;
    }

    @Override
    public String toString() {
        return "TransportStats[sent=" + framesSentByPeer() + ", received=" + framesReceivedByPeer()
                + ", connects=" + connectsByPeer() + ", disconnects=" + disconnectsByPeer()
                + ", rejected=" + rejectedByReason() + ", connectionsRejected=" + connectionsRejectedByReason() + "]";
    }
}
