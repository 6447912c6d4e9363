package io.lcs.core;

import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.StoredObject;
import io.lcs.model.wire.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the parts of the core ({@link Membership}, {@link ReplicatedStore}, {@link Leases}) produced
 * since the last {@link ClusterCore#drain()}: state to persist, messages to send, events. Each part
 * appends; only the facade drains, so the order of {@link Ready} (persist, send, deliver) is decided
 * in one place.
 *
 * <p>Not thread-safe: owned by one core.
 */
final class Outbox {
    private final List<StoredObject> persistObjects = new ArrayList<>();
    private final List<ObjectKey> forgetObjects = new ArrayList<>();
    private final Map<String, Long> persistEpochs = new TreeMap<>();
    /** Lease traffic: first in every Ready, so bulk sync of the same drain can never crowd it out. */
    private final List<Ready.Outbound> lease = new ArrayList<>();
    private final List<Ready.Outbound> messages = new ArrayList<>();
    /** Anti-entropy: last. */
    private final List<Ready.Outbound> bulk = new ArrayList<>();
    private final List<CoreEvent> events = new ArrayList<>();

    /** Heartbeats and replicated-write messages: after lease traffic, before bulk sync. */
    void send(String to, Message m) {
        messages.add(new Ready.Outbound(to, m));
    }

    void sendLease(String to, Message m) {
        lease.add(new Ready.Outbound(to, m));
    }

    void sendBulk(String to, Message m) {
        bulk.add(new Ready.Outbound(to, m));
    }

    void event(CoreEvent e) {
        events.add(e);
    }

    /** {@code o} must be durable before the messages of the same drain leave. */
    void persist(StoredObject o) {
        persistObjects.add(o);
    }

    /** A collected tombstone: remove it from disk. */
    void forget(ObjectKey key) {
        forgetObjects.add(key);
    }

    /** The highest epoch seen for {@code vip} grew: persist it before the reply that reports it. */
    void persistEpoch(String vip, long epoch) {
        persistEpochs.put(vip, epoch);
    }

    /**
     * Everything appended since the last call, as one {@link Ready}; empties this outbox. Messages
     * in three lanes: lease traffic, then heartbeats and replicated writes, then bulk sync.
     */
    Ready drain() {
        if (persistObjects.isEmpty() && forgetObjects.isEmpty() && persistEpochs.isEmpty() && lease.isEmpty()
                && messages.isEmpty() && bulk.isEmpty() && events.isEmpty()) {
            return Ready.EMPTY;
        }
        List<Ready.Outbound> all = new ArrayList<>(lease.size() + messages.size() + bulk.size());
        all.addAll(lease);
        all.addAll(messages);
        all.addAll(bulk);
        Ready r = new Ready(List.copyOf(persistObjects), List.copyOf(forgetObjects), Map.copyOf(persistEpochs),
                List.copyOf(all), List.copyOf(events));
        persistObjects.clear();
        forgetObjects.clear();
        persistEpochs.clear();
        lease.clear();
        messages.clear();
        bulk.clear();
        events.clear();
        return r;
    }
}
