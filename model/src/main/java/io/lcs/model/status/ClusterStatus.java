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
 * @param checks the health checks this node knows ({@code [check]} sections), with this node's
 *     last run of each; null when there are none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterStatus(String cluster, String node, String version, Quorum quorum, List<NodeStatus> nodes,
                            List<VipStatus> vips, boolean stale, List<CheckInfo> checks) {

    public ClusterStatus(String cluster, String node, String version, Quorum quorum, List<NodeStatus> nodes,
                         List<VipStatus> vips, boolean stale) {
        this(cluster, node, version, quorum, nodes, vips, stale, null);
    }

    /**
     * @param votesSeen votes of this node plus the online peers whose config hash matches
     * @param membershipSeconds seconds since the set of online nodes this node sees last changed (the
     *     C lcs's {@code membership for DURATION}); null when unknown (an lcsd older than this field)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Quorum(boolean present, int votesSeen, int votesNeeded, int votesTotal, Double membershipSeconds) {
        /** Without the membership time. */
        public Quorum(boolean present, int votesSeen, int votesNeeded, int votesTotal) {
            this(present, votesSeen, votesNeeded, votesTotal, null);
        }
    }

    /**
     * @param online heard from within the peer timeout (always true for self)
     * @param configMatch false when the peer's membership hash differs (it is then not counted)
     * @param lastSeenSeconds seconds since the last frame from it; null for self or never seen
     * @param rttMillis last measured heartbeat round trip; null when unknown
     * @param cordoned an operator cordoned it (no new VIPs)
     * @param restarting it is in its post-restart wait and is not a placement candidate
     * @param checks the state of each health check it runs, as it last reported; null when it runs none
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeStatus(String name, String role, boolean online, boolean self, boolean configMatch,
                             Double lastSeenSeconds, Double rttMillis, boolean cordoned, boolean restarting,
                             List<NodeCheck> checks) {

        public NodeStatus(String name, String role, boolean online, boolean self, boolean configMatch,
                          Double lastSeenSeconds, Double rttMillis, boolean cordoned, boolean restarting) {
            this(name, role, online, self, configMatch, lastSeenSeconds, rttMillis, cordoned, restarting, null);
        }
    }

    /**
     * One health check on one node.
     *
     * @param summary e.g. {@code passing} or {@code failing 3/3: connection refused}
     */
    public record NodeCheck(String name, boolean passing, String summary) {
    }

    /**
     * Whether one node may hold a VIP, and why not.
     *
     * @param reason null when eligible; else e.g. {@code check web failing 3/3: connection refused}
     *     or {@code offline}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Eligibility(String node, boolean eligible, String reason) {
    }

    /**
     * One health check as configured, with this node's last run of it.
     *
     * @param target the URL, command, HOST:PORT or interface it looks at
     * @param lastDurationSeconds how long this node's last run took; null if not run here
     * @param lastOutput the last lines an exec check printed here (at most 1 KiB), or null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CheckInfo(String name, String type, String target, int intervalMs, int timeoutMs, int fall,
                            int rise, int holdMs, Double lastDurationSeconds, String lastOutput) {
    }

    /**
     * @param state one of {@code active}, {@code pending}, {@code conflict}, {@code stopped}, {@code failed}
     * @param owner the node holding the lease, or null
     * @param leaseRemainingSeconds on the owner: its own view; elsewhere: this acceptor's view; null if none
     * @param failovers changes of owner seen by this node that nobody asked for (the owner failed,
     *     stopped or lost its peers)
     * @param moves changes of owner seen by this node that an operator asked for ({@code lcs move},
     *     {@code lcs drain}); not counted in {@code failovers}
     * @param group its group, or null; {@code priority} its priority (shown with the group)
     * @param homeNode its home node, or null; {@code homeBlocked} true when a move away blocks failback
     * @param disabled true when an operator stopped it ({@code lcs stop}); null otherwise
     * @param checks the health checks it lists; null when none
     * @param eligibility for a VIP with checks, each full-member: may it hold the VIP, and why not; null otherwise
     * @param type {@code service} for a service (then {@code address} and {@code interfaceName} are null and
     *     {@code systemdUnit} names its unit); null for a VIP
     * @param hookOnly true for a hook-only service (no unit, no address: its hooks attach it at a provider;
     *     {@code systemdUnit} is null); null otherwise
     * @param announce false for a VIP whose address is added without gratuitous ARP / unsolicited NA
     *     ({@code announce = false}); null otherwise (announced)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VipStatus(String name, String address, String interfaceName, String state, String owner, long epoch,
                            Double leaseRemainingSeconds, long failovers, List<Condition> conditions, long moves,
                            String group, Integer priority, String homeNode, Boolean homeBlocked, Boolean disabled,
                            List<String> checks, List<Eligibility> eligibility, String type, String systemdUnit,
                            Boolean hookOnly, Boolean announce) {
        /** A VIP (announced) or a service with a unit. */
        public VipStatus(String name, String address, String interfaceName, String state, String owner, long epoch,
                         Double leaseRemainingSeconds, long failovers, List<Condition> conditions, long moves,
                         String group, Integer priority, String homeNode, Boolean homeBlocked, Boolean disabled,
                         List<String> checks, List<Eligibility> eligibility, String type, String systemdUnit) {
            this(name, address, interfaceName, state, owner, epoch, leaseRemainingSeconds, failovers, conditions, moves,
                    group, priority, homeNode, homeBlocked, disabled, checks, eligibility, type, systemdUnit, null, null);
        }

        /** A VIP. */
        public VipStatus(String name, String address, String interfaceName, String state, String owner, long epoch,
                         Double leaseRemainingSeconds, long failovers, List<Condition> conditions, long moves,
                         String group, Integer priority, String homeNode, Boolean homeBlocked, Boolean disabled,
                         List<String> checks, List<Eligibility> eligibility) {
            this(name, address, interfaceName, state, owner, epoch, leaseRemainingSeconds, failovers, conditions, moves,
                    group, priority, homeNode, homeBlocked, disabled, checks, eligibility, null, null);
        }

        /** True for a service (a systemd unit, no address). */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean isService() {
            return "service".equals(type);
        }

        /** Without moves counted (0), in no group, without home node, not stopped, without health checks. */
        public VipStatus(String name, String address, String interfaceName, String state, String owner, long epoch,
                         Double leaseRemainingSeconds, long failovers, List<Condition> conditions) {
            this(name, address, interfaceName, state, owner, epoch, leaseRemainingSeconds, failovers, conditions, 0);
        }

        /** In no group, without home node, not stopped, without health checks. */
        public VipStatus(String name, String address, String interfaceName, String state, String owner, long epoch,
                         Double leaseRemainingSeconds, long failovers, List<Condition> conditions, long moves) {
            this(name, address, interfaceName, state, owner, epoch, leaseRemainingSeconds, failovers, conditions, moves,
                    null, null, null, null, null, null, null);
        }

        /** Without health checks. */
        public VipStatus(String name, String address, String interfaceName, String state, String owner, long epoch,
                         Double leaseRemainingSeconds, long failovers, List<Condition> conditions, long moves,
                         String group, Integer priority, String homeNode, Boolean homeBlocked, Boolean disabled) {
            this(name, address, interfaceName, state, owner, epoch, leaseRemainingSeconds, failovers, conditions, moves,
                    group, priority, homeNode, homeBlocked, disabled, null, null);
        }

        /** In no group, without home node, not stopped. */
        public VipStatus(String name, String address, String interfaceName, String state, String owner, long epoch,
                         Double leaseRemainingSeconds, long failovers, List<Condition> conditions, long moves,
                         List<String> checks, List<Eligibility> eligibility) {
            this(name, address, interfaceName, state, owner, epoch, leaseRemainingSeconds, failovers, conditions, moves,
                    null, null, null, null, null, checks, eligibility);
        }
    }
}
