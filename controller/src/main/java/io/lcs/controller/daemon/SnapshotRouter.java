package io.lcs.controller.daemon;

import io.lcs.core.Views.LeaseView;
import io.lcs.core.Views.PeerView;
import io.lcs.controller.metrics.LcsMetrics;
import io.lcs.reconcilers.runtime.ReconcileRunner;
import io.lcs.reconcilers.vip.VipReconciler;
import io.lcs.reconcilers.vip.VipSpec;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns each new {@link NodeSnapshot} into work: enqueues the VIPs whose lease picture changed
 * (keys, not events: the reconciler re-reads everything), re-announces active VIPs when a peer
 * comes back, tracks failovers and refreshes metric series when the set of VIPs changes. Runs on
 * the driver's context; cheap and non-blocking.
 */
final class SnapshotRouter implements Consumer<NodeSnapshot> {
    /** What of a lease matters to the VIP reconciler; remaining time is left out on purpose. */
    private record LeaseKey(boolean held, long epoch, long untilNanos, String grantOwner, boolean wanted,
                            boolean conflict, boolean stopped) {
    }

    private final ReconcileRunner<String> runner;
    private final VipReconciler vips;
    private final StatusView status;
    private final LcsMetrics metrics;
    private final Map<String, LeaseKey> last = new HashMap<>();
    private Set<String> online = new HashSet<>();
    private Set<String> vipNames = new HashSet<>();

    SnapshotRouter(ReconcileRunner<String> runner, VipReconciler vips, StatusView status, LcsMetrics metrics) {
        this.runner = runner;
        this.vips = vips;
        this.status = status;
        this.metrics = metrics;
    }

    @Override
    public void accept(NodeSnapshot s) {
        status.track(s);
        Set<String> names = new HashSet<>();
        for (VipSpec v : s.vips()) {
            names.add(v.name());
            LeaseView l = s.lease(v.name());
            LeaseKey k = new LeaseKey(l.held(), l.heldEpoch(), l.held() ? s.takenAtNanos() + l.heldRemainingNanos() : 0,
                    l.grantOwner(), l.wanted(), s.conflicts().containsKey(v.name())
                    || s.addressConflicts().containsKey(v.name()), s.stopped().contains(v.name()));
            if (!Objects.equals(last.put(v.name(), k), k)) {
                runner.enqueue(v.name());
            }
        }
        if (!names.equals(vipNames)) {
            for (String gone : vipNames) {
                if (!names.contains(gone)) {
                    last.remove(gone);
                    runner.enqueue(gone); // deleted: its address must go
                }
            }
            vipNames = names;
            metrics.refreshMeters();
        }
        Set<String> nowOnline = new HashSet<>();
        boolean cameBack = false;
        for (PeerView p : s.membership().nodes()) {
            if (p.online() && !p.self()) {
                nowOnline.add(p.name());
                cameBack |= !online.contains(p.name());
            }
        }
        online = nowOnline;
        if (cameBack) {
            vips.reannounce(); // neighbours behind a healed partition may still point elsewhere
        }
    }
}
