package io.lcs.core;

import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.StoredObject;
import io.lcs.model.wire.Message;
import java.util.List;
import java.util.Map;

/**
 * What the core produced since the last {@link ClusterCore#drain()}. The driver MUST handle it in
 * this order: (1) durably persist {@code persistObjects}, {@code forgetObjects} and
 * {@code persistEpochs}; (2) send {@code messages}; (3) hand {@code events} (write completions
 * included) to their consumers. Acknowledgements in {@code messages} promise that (1) happened.
 *
 * <p>{@code messages} come in priority order and should be sent in it: lease traffic first (one
 * message per peer), then heartbeats and replicated-write messages, then anti-entropy (paced to a
 * budget per peer: 64 KiB per heartbeat interval). A transport
 * whose queue to a peer fills up then drops bulk sync, which is resent, before lease traffic.
 *
 * <p>The persist may run elsewhere while the driver goes on draining, as long as (2) and (3) of
 * this Ready, and of every later one, wait for it and keep their order (a later Ready's messages
 * to a peer never overtake an earlier one's). What depends on (1): a {@code WriteAck}, an
 * {@code Accepted} that raised the highest epoch, a write completion, an acquired lease; nor may
 * the core's state be shown to anyone acting on it before (1). A {@link io.lcs.model.wire.Message.Heartbeat}
 * promises nothing durable and may be sent at once.
 */
public record Ready(List<StoredObject> persistObjects, List<ObjectKey> forgetObjects, Map<String, Long> persistEpochs,
                    List<Outbound> messages, List<CoreEvent> events) {

    public record Outbound(String to, Message message) {
    }

    public static final Ready EMPTY = new Ready(List.of(), List.of(), Map.of(), List.of(), List.of());

    public boolean isEmpty() {
        return persistObjects.isEmpty() && forgetObjects.isEmpty() && persistEpochs.isEmpty() && messages.isEmpty()
                && events.isEmpty();
    }

    public boolean needsPersist() {
        return !persistObjects.isEmpty() || !forgetObjects.isEmpty() || !persistEpochs.isEmpty();
    }
}
