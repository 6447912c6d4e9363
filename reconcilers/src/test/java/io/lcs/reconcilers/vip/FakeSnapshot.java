package io.lcs.reconcilers.vip;

import java.util.List;
import java.util.Map;

/**
 * A {@link VipHost.Snapshot} built by hand: the VIPs, their leases (a VIP without one is not held)
 * and the unacknowledged conflicts, taken at {@code takenAtNanos} on the test's clock.
 */
record FakeSnapshot(long takenAtNanos, List<VipSpec> vips, Map<String, VipHost.Lease> leases,
                    Map<String, Long> conflicts, Map<String, String> addressConflicts,
                    Map<String, List<String>> units) implements VipHost.Snapshot {

    FakeSnapshot(long takenAtNanos, List<VipSpec> vips, Map<String, VipHost.Lease> leases, Map<String, Long> conflicts) {
        this(takenAtNanos, vips, leases, conflicts, Map.of());
    }

    FakeSnapshot(long takenAtNanos, List<VipSpec> vips, Map<String, VipHost.Lease> leases, Map<String, Long> conflicts,
                 Map<String, String> addressConflicts) {
        this(takenAtNanos, vips, leases, conflicts, addressConflicts, Map.of());
    }

    /** The members of {@code vip}'s unit in start order, as given ({@code vip} alone if not). */
    @Override
    public List<String> unitMembers(String vip) {
        return units.getOrDefault(vip, List.of(vip));
    }

    @Override
    public VipSpec vip(String name) {
        for (VipSpec v : vips) {
            if (v.name().equals(name)) {
                return v;
            }
        }
        return null;
    }

    @Override
    public VipHost.Lease lease(String vip) {
        VipHost.Lease l = leases.get(vip);
        return l != null ? l : new VipHost.Lease(false, false, 0, 0, 0);
    }
}
