package io.lcs.controller.transport;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that records everything, for assertions from the test thread. */
final class RecordingListener implements TransportListener {
    final Set<String> connected = ConcurrentHashMap.newKeySet();
    final List<String> events = new CopyOnWriteArrayList<>();
    final Map<String, List<String>> frames = new ConcurrentHashMap<>();
    final Map<String, Long> configHashes = new ConcurrentHashMap<>();

    @Override
    public void onPeerConnected(String peer) {
        if (!connected.add(peer)) {
            events.add("DOUBLE-CONNECT " + peer);
        }
        events.add("connected " + peer);
    }

    @Override
    public void onPeerDisconnected(String peer, String reason) {
        if (!connected.remove(peer)) {
            events.add("DISCONNECT-WITHOUT-CONNECT " + peer);
        }
        events.add("disconnected " + peer + ": " + reason);
    }

    @Override
    public void onFrame(String peer, byte[] payload) {
        frames.computeIfAbsent(peer, p -> new CopyOnWriteArrayList<>()).add(new String(payload,
                java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public void onPeerConfigHash(String peer, long hash) {
        configHashes.put(peer, hash);
    }

    List<String> framesFrom(String peer) {
        return frames.getOrDefault(peer, List.of());
    }
}
