package io.lcs.model.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One entry of the bounded event history ({@code GET /api/v1/events}, {@code lcs get events}).
 *
 * @param seq increasing per lcsd process, so a watcher can resume after the last one it saw
 * @param type e.g. {@code VipAcquired}, {@code VipReleased}, {@code VipMoved}, {@code Conflict},
 *     {@code OwnerChanged} (on every node that sees it), {@code QuorumGained}, {@code QuorumLost}, {@code PeerUp}, {@code PeerDown}, {@code HookFailed}
 * @param object what it is about, e.g. {@code VirtualIP/web} or {@code node/b}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterEvent(long seq, Instant time, String type, String object, String node, String message) {
}
