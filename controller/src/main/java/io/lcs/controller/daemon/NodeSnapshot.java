package io.lcs.controller.daemon;

import io.lcs.controller.core.Views.LeaseView;
import io.lcs.controller.core.Views.MembershipView;
import java.util.List;
import java.util.Map;

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
 */
public record NodeSnapshot(long takenAtNanos, String self, MembershipView membership, List<VipSpec> vips,
                           Map<String, LeaseView> leases, Map<String, Long> conflicts, Map<String, String> moves,
                           Map<String, String> movesAwayFrom, List<String> cordoned, List<String> draining,
                           Map<String, List<String>> declined) {

    public LeaseView lease(String vip) {
        LeaseView v = leases.get(vip);
        return v != null ? v : new LeaseView(vip, false, 0, 0, null, 0, 0, 0, false);
    }

    public VipSpec vip(String name) {
        for (VipSpec v : vips) {
            if (v.name().equals(name)) {
                return v;
            }
        }
        return null;
    }
}
