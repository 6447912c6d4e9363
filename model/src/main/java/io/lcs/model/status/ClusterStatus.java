package io.lcs.model.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lcs.model.api.Condition;
import java.util.List;

/**
 * What one lcsd observes of the cluster at one instant: the body of {@code GET /api/v1/status},
 * the source of {@code lcs status} and of the {@code lcs_cluster_*}, {@code lcs_node_*} and
 * {@code lcs_vip_*} metrics.
 *
 * @param stale true when this node lacks quorum: what it reports may be out of date
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterStatus(String cluster, String node, String version, Quorum quorum, List<NodeStatus> nodes,
                            List<VipStatus> vips, boolean stale) {

    /** @param votesSeen votes of this node plus the online peers whose config hash matches */
    public record Quorum(boolean present, int votesSeen, int votesNeeded, int votesTotal) {
    }

    /**
     * @param online heard from within the peer timeout (always true for self)
     * @param configMatch false when the peer's membership hash differs (it is then not counted)
     * @param lastSeenSeconds seconds since the last frame from it; null for self or never seen
     * @param rttMillis last measured heartbeat round trip; null when unknown
     * @param cordoned an operator cordoned it (no new VIPs)
     * @param restarting it is in its post-restart wait and is not a placement candidate
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeStatus(String name, String role, boolean online, boolean self, boolean configMatch,
                             Double lastSeenSeconds, Double rttMillis, boolean cordoned, boolean restarting) {
    }

    /**
     * @param state one of {@code active}, {@code pending}, {@code conflict}, {@code stopped}, {@code failed}
     * @param owner the node holding the lease, or null
     * @param leaseRemainingSeconds on the owner: its own view; elsewhere: this acceptor's view; null if none
     * @param failovers changes of owner seen by this node that nobody asked for (the owner failed,
     *     stopped or lost its peers)
     * @param moves changes of owner seen by this node that an operator asked for ({@code lcs move},
     *     {@code lcs drain}); not counted in {@code failovers}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VipStatus(String name, String address, String interfaceName, String state, String owner, long epoch,
                            Double leaseRemainingSeconds, long failovers, List<Condition> conditions, long moves) {
        /** Without moves counted (0). */
        public VipStatus(String name, String address, String interfaceName, String state, String owner, long epoch,
                         Double leaseRemainingSeconds, long failovers, List<Condition> conditions) {
            this(name, address, interfaceName, state, owner, epoch, leaseRemainingSeconds, failovers, conditions, 0);
        }
    }
}
