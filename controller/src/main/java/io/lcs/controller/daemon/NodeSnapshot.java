package io.lcs.controller.daemon;

import io.lcs.core.Views.LeaseView;
import io.lcs.core.Views.MembershipView;
import io.lcs.model.config.GroupConfig;
import io.lcs.model.config.GroupRules;
import io.lcs.model.wire.Message;
import io.lcs.reconcilers.vip.VipSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable picture of one node's core, published by the {@link CoreDriver} after every step
 * that changed something, for the reconcilers and the status API (which run on other threads).
 *
 * @param takenAtNanos the monotonic clock when taken; lease remaining times are relative to it
 * @param leases per VIP name
 * @param conflicts per VIP: the epoch of an unacknowledged conflict
 * @param moves per VIP: the target of a pending move ("" = away from the current owner)
 * @param movesAwayFrom per VIP with a pending move without target: the node it moves away from (the
 *     owner at the move's {@code fromEpoch}, still known after that owner released), if known
 * @param cordoned nodes cordoned by an operator; {@code draining} the subset being drained
 * @param vipsByName {@code vips} by name (the first of a name wins), so {@link #vip} is a lookup,
 *     not a scan: a reconcile of each of 1,000 VIPs must not read all 1,000
 * @param addressConflicts per VIP held out of placement because another VIP keeps its IP, that VIP's
 *     name: no node places it, and the VIP reconciler never touches the address on its behalf
 * @param units which VIPs hold one lease together ({@link GroupRules}); {@link #leases} are each VIP's
 *     unit's lease
 * @param groups the groups in force (lcs.conf), by name
 * @param stopped VIPs an operator stopped ({@code lcs stop}): they run nowhere
 * @param homeBlocked VIPs whose failback to their home node a move away blocked
 * @param checkReports per node (this one included), its health-check results by check name as it
 *     last announced them; a node that runs none is absent
 */
public record NodeSnapshot(long takenAtNanos, String self, MembershipView membership, List<VipSpec> vips,
                           Map<String, LeaseView> leases, Map<String, Long> conflicts, Map<String, String> moves,
                           Map<String, String> movesAwayFrom, List<String> cordoned, List<String> draining,
                           Map<String, List<String>> declined, Map<String, VipSpec> vipsByName,
                           Map<String, String> addressConflicts, GroupRules.Units units,
                           Map<String, GroupConfig> groups, Set<String> stopped, Set<String> homeBlocked,
                           Map<String, Map<String, Message.CheckReport>> checkReports) {

    /** A snapshot without groups, stopped or blocked VIPs (each VIP its own unit) and without health checks. */
    public NodeSnapshot(long takenAtNanos, String self, MembershipView membership, List<VipSpec> vips,
                        Map<String, LeaseView> leases, Map<String, Long> conflicts, Map<String, String> moves,
                        Map<String, String> movesAwayFrom, List<String> cordoned, List<String> draining,
                        Map<String, List<String>> declined, Map<String, VipSpec> vipsByName,
                        Map<String, String> addressConflicts) {
        this(takenAtNanos, self, membership, vips, leases, conflicts, moves, movesAwayFrom, cordoned, draining,
                declined, vipsByName, addressConflicts, GroupRules.Units.EMPTY, Map.of(), Set.of(), Set.of(), Map.of());
    }

    /** A snapshot without groups, stopped or blocked VIPs: each VIP its own unit. */
    public NodeSnapshot(long takenAtNanos, String self, MembershipView membership, List<VipSpec> vips,
                        Map<String, LeaseView> leases, Map<String, Long> conflicts, Map<String, String> moves,
                        Map<String, String> movesAwayFrom, List<String> cordoned, List<String> draining,
                        Map<String, List<String>> declined, Map<String, VipSpec> vipsByName,
                        Map<String, String> addressConflicts,
                        Map<String, Map<String, Message.CheckReport>> checkReports) {
        this(takenAtNanos, self, membership, vips, leases, conflicts, moves, movesAwayFrom, cordoned, draining,
                declined, vipsByName, addressConflicts, GroupRules.Units.EMPTY, Map.of(), Set.of(), Set.of(),
                checkReports);
    }

    /** A snapshot whose {@link #vipsByName} is built from {@code vips}, with no address conflicts. */
    public NodeSnapshot(long takenAtNanos, String self, MembershipView membership, List<VipSpec> vips,
                        Map<String, LeaseView> leases, Map<String, Long> conflicts, Map<String, String> moves,
                        Map<String, String> movesAwayFrom, List<String> cordoned, List<String> draining,
                        Map<String, List<String>> declined) {
        this(takenAtNanos, self, membership, vips, leases, conflicts, moves, movesAwayFrom, cordoned, draining,
                declined, index(vips), Map.of());
    }

    /** {@code vips} by name, the first of a name winning (as {@link #vip} always did). */
    public static Map<String, VipSpec> index(List<VipSpec> vips) {
        Map<String, VipSpec> out = new HashMap<>(vips.size() * 2);
        for (VipSpec v : vips) {
            out.putIfAbsent(v.name(), v);
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    public LeaseView lease(String vip) {
        LeaseView v = leases.get(vip);
        return v != null ? v : new LeaseView(vip, false, 0, 0, null, 0, 0, 0, false);
    }

    public VipSpec vip(String name) {
        return vipsByName.get(name);
    }
}
