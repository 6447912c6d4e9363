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
    private final List<Ready.Outbound> messages = new ArrayList<>();
    private final List<CoreEvent> events = new ArrayList<>();

    void send(String to, Message m) {
        messages.add(new Ready.Outbound(to, m));
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

    /** Everything appended since the last call, as one {@link Ready}; empties this outbox. */
    Ready drain() {
        if (persistObjects.isEmpty() && forgetObjects.isEmpty() && persistEpochs.isEmpty() && messages.isEmpty()
                && events.isEmpty()) {
            return Ready.EMPTY;
        }
        Ready r = new Ready(List.copyOf(persistObjects), List.copyOf(forgetObjects), Map.copyOf(persistEpochs),
                List.copyOf(messages), List.copyOf(events));
        persistObjects.clear();
        forgetObjects.clear();
        persistEpochs.clear();
        messages.clear();
        events.clear();
        return r;
    }
}
