package io.lcs.controller.daemon;

import io.lcs.core.Views.LeaseView;
import io.lcs.core.Views.PeerView;
import io.lcs.model.api.Condition;
import io.lcs.controller.check.CheckRunner;
import io.lcs.model.status.ClusterStatus;
import io.lcs.model.wire.Message;
import io.lcs.reconcilers.check.CheckEligibility;
import io.lcs.reconcilers.runtime.Conditions;
import io.lcs.reconcilers.vip.LocalVipState;
import io.lcs.reconcilers.vip.VipReconciler;
import io.lcs.reconcilers.vip.VipStatusSink;
import io.lcs.reconcilers.vip.VipSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Turns a {@link NodeSnapshot} plus what the VIP reconciler observed into the
 * {@link ClusterStatus} served by the API, printed by {@code lcs status} and exported as metrics.
 * Also counts changes of a VIP's owner seen by this node: a change while a {@code Move} of the VIP
 * was pending (seen in a snapshot since the last change of owner) or away from a node being drained
 * is a move, any other a failover.
 * Thread-safe.
 */
public final class StatusView implements VipStatusSink {
    private final String cluster;
    private final String version;
    private final Map<String, String> lastOwner = new ConcurrentHashMap<>();
    private final Map<String, Long> failovers = new ConcurrentHashMap<>();
    private final Map<String, Long> moves = new ConcurrentHashMap<>();
    /** Per VIP with a pending move seen since its last change of owner: the epoch it was seen at. */
    private final Map<String, Long> moveSeenAtEpoch = new ConcurrentHashMap<>();
    private final Map<String, LocalVipState> local = new ConcurrentHashMap<>();
    private final Map<String, List<Condition>> lastConditions = new ConcurrentHashMap<>();
    /** Why this node activated a VIP without a duplicate probe (no neighbour discovery), by VIP. */
    private final Map<String, String> probeSkipped = new ConcurrentHashMap<>();
    private final Clock clock;
    /** This node's check runs, for {@link ClusterStatus#checks()}; empty until lcsd sets its runner. */
    private volatile Supplier<List<CheckRunner.LastRun>> checkRuns = List::of;

    public StatusView(String cluster, String version, Clock clock) {
        this.cluster = cluster;
        this.version = version;
        this.clock = clock;
    }

    /**
     * Stamps each condition with the time its status last changed (kept while the status stays the
     * same, like Kubernetes' {@code SetStatusCondition}) and the VIP's generation.
     */
    private List<Condition> stamp(VipSpec v, List<Condition> fresh) {
        if (fresh.isEmpty()) {
            lastConditions.remove(v.name());
            return null;
        }
        List<Condition> previous = lastConditions.getOrDefault(v.name(), List.of());
        Instant now = clock.instant();
        List<Condition> out = new ArrayList<>(fresh.size());
        for (Condition c : fresh) {
            Instant since = Conditions.find(previous, c.type())
                    .filter(p -> p.status().equals(c.status()) && p.lastTransitionTime() != null)
                    .map(Condition::lastTransitionTime).orElse(now);
            out.add(new Condition(c.type(), c.status(), c.reason(), c.message(), since,
                    v.generation() == 0 ? null : v.generation()));
        }
        lastConditions.put(v.name(), out);
        return out;
    }

    /** Where the status reads this node's check runs from (the check runner). */
    public void checkRuns(Supplier<List<CheckRunner.LastRun>> runs) {
        this.checkRuns = runs;
    }

    @Override
    public void observed(String vip, LocalVipState state) {
        local.put(vip, state);
    }

    /**
     * Records that this node activates {@code vip} without a duplicate probe or announcements, and
     * why ({@code null} clears it); shown as the condition {@code ProbeSkipped=True} while the address
     * is on this node (informative: {@code lcs status} does not list it, {@code lcs describe} does).
     */
    @Override
    public void probeSkipped(String vip, String why) {
        if (why == null) {
            probeSkipped.remove(vip);
        } else {
            probeSkipped.put(vip, why);
        }
    }

    /**
     * Which configured nodes (by position) were online in the last snapshot, with bit 63
     * set once a snapshot was seen; and since when (the monotonic clock) that set is unchanged: the C
     * lcs's {@code membership for DURATION}. Written by {@link #track} only (one thread), read by
     * {@link #status} on any.
     */
    private volatile long onlineSet;
    private volatile long membershipSinceNanos;

    /** Records owner changes and changes of the online set from a new snapshot; call for every snapshot (cheap). */
    public void track(NodeSnapshot s) {
        long set = onlineSet(s.membership().nodes());
        if (set != onlineSet) {
            membershipSinceNanos = s.takenAtNanos();
            onlineSet = set;
        }
        for (VipSpec v : s.vips()) {
            LeaseView l = s.lease(v.name());
            if (s.moves().containsKey(v.name())) {
                // the move stays pending until a later epoch exists; the owner's release clears its grant
                // first, so the new owner may only be seen after the move is spent: remember it until then
                moveSeenAtEpoch.merge(v.name(), Math.max(l.knownEpoch(), l.highestEpoch()), Math::max);
            }
            String owner = l.knownOwner(s.self());
            if (owner == null) {
                continue;
            }
            String before = lastOwner.put(v.name(), owner);
            if (before != null && !before.equals(owner)) {
                boolean asked = moveSeenAtEpoch.remove(v.name()) != null || s.draining().contains(before);
                (asked ? moves : failovers).merge(v.name(), 1L, Long::sum);
            } else if (!s.moves().containsKey(v.name())) {
                Long seenAt = moveSeenAtEpoch.get(v.name());
                if (seenAt != null && l.knownEpoch() > seenAt) {
                    moveSeenAtEpoch.remove(v.name()); // the same owner again at a later epoch: the move is over
                }
            }
        }
    }

    /**
     * Bit i: the i-th configured node is online; bit 63: a snapshot was seen. lcs.conf has at most
     * {@code ConfigParser.MAX_NODES} (15) nodes; the min() only keeps a larger list from shifting out of range.
     */
    static long onlineSet(List<PeerView> nodes) {
        long set = 1L << 63;
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).online()) {
                set |= 1L << Math.min(i, 62);
            }
        }
        return set;
    }

    /** Seconds since the online set last changed; null before the first snapshot was tracked. */
    private Double membershipSeconds(long nowNanos) {
        return onlineSet == 0 ? null : Math.max(0, nowNanos - membershipSinceNanos) / 1e9;
    }

    public ClusterStatus status(NodeSnapshot s, long nowNanos) {
        long age = nowNanos - s.takenAtNanos();
        List<ClusterStatus.NodeStatus> nodes = new ArrayList<>();
        for (PeerView p : s.membership().nodes()) {
            nodes.add(new ClusterStatus.NodeStatus(p.name(), p.fullMember() ? "full-member" : "quorum-only",
                    p.online(), p.self(), p.configMatch(),
                    p.lastHeardNanosAgo() < 0 ? null : (p.lastHeardNanosAgo() + age) / 1e9,
                    p.rttNanos() < 0 ? null : p.rttNanos() / 1e6, s.cordoned().contains(p.name()),
                    p.restarting(), nodeChecks(s.checkReports().get(p.name()))));
        }
        List<ClusterStatus.VipStatus> vips = new ArrayList<>();
        for (VipSpec v : s.vips()) {
            LeaseView l = s.lease(v.name());
            String owner = l.knownOwner(s.self());
            long remainingNanos = (l.held() ? l.heldRemainingNanos() : l.grantRemainingNanos()) - age;
            Double remaining = owner == null ? null : Math.max(0, remainingNanos) / 1e9;
            List<Condition> conditions = new ArrayList<>();
            LocalVipState mine = local.get(v.name());
            String state;
            String keeper = s.addressConflicts().get(v.name());
            String notRunning = VipReconciler.whyNotRunning(CoreDriver.reconcilerView(s), v.name());
            if (notRunning != null) {
                // it runs nowhere: an operator stopped it or something it depends on cannot run
                state = "stopped";
                conditions.add(new Condition("Running", Condition.FALSE, s.stopped().contains(v.name())
                        ? "StoppedByOperator" : "DependencyNotRunning", notRunning
                        + (s.stopped().contains(v.name()) ? "; lcs start " + v.name() + " starts it again" : ""),
                        null, null));
                owner = null;
                remaining = null;
            } else if (keeper != null && v.isService()) {
                state = "conflict";
                conditions.add(new Condition("UnitConflict", Condition.TRUE, "SameUnit", "unit " + v.systemdUnit()
                        + " is also Service " + keeper + "'s, which keeps it (lcs.conf services first, then the earliest"
                        + " created); this one is held out of placement: delete it or change its unit", null, null));
            } else if (keeper != null) {
                state = "conflict";
                conditions.add(new Condition("AddressConflict", Condition.TRUE, "SameAddress", "address "
                        + v.address().addressText() + " is also VirtualIP " + keeper + "'s, which keeps it (lcs.conf"
                        + " VIPs first, then the earliest created); this one is held out of placement: delete it or"
                        + " change its address", null, null));
            } else if (s.conflicts().containsKey(v.name())) {
                state = "conflict";
                conditions.add(new Condition("Conflict", Condition.TRUE, "DuplicateAddress",
                        "address " + v.address() + " answered elsewhere at epoch " + s.conflicts().get(v.name())
                                + "; check the network, then run: lcs ack " + v.name(), null, null));
            } else if (owner != null && remaining != null && remaining > 0) {
                // on the owner itself, "active" means the address is on the interface, not only the lease
                boolean addressPending = owner.equals(s.self()) && (mine == null || !mine.addressPresent());
                state = addressPending ? "pending" : "active";
                if (addressPending) {
                    conditions.add(v.hookOnly()
                            ? new Condition("Attached", Condition.FALSE, "Activating",
                                    "lease held; waiting out the previous owner's hooks or running pre_start", null, null)
                            : v.isService()
                            ? new Condition("UnitActive", Condition.FALSE, "Activating",
                                    "lease held; running pre_start or starting " + v.systemdUnit(), null, null)
                            : new Condition("AddressActive", Condition.FALSE, "Activating",
                                    "lease held; probing, running pre_start or adding the address", null, null));
                }
            } else if (!s.membership().quorum()) {
                state = "stopped";
                conditions.add(new Condition("Quorum", Condition.FALSE, "NoQuorum", "this node sees "
                        + s.membership().votesSeen() + " of " + s.membership().votesTotal() + " votes, "
                        + s.membership().votesNeeded() + " needed", null, null));
            } else if (allDeclined(s, v)) {
                state = "failed";
                conditions.add(new Condition("Placeable", Condition.FALSE, "HooksFailing",
                        v.hookOnly() ? "every eligible node declined it (its pre_start hook failed there)"
                        : v.isService() ? "every eligible node declined it (pre_start hook failed, or its unit "
                                + v.systemdUnit() + " is missing, masked, failed or did not start there)"
                        : "every eligible node declined it (pre_start hook, interface, duplicate probe or address add failed)",
                        null, null));
            } else {
                state = "pending";
            }
            String skipped = probeSkipped.get(v.name());
            if (skipped != null && mine != null && mine.addressPresent()) {
                conditions.add(new Condition("ProbeSkipped", Condition.TRUE, "NoNeighbourDiscovery", skipped, null, null));
            }
            if (mine != null && mine.problem() != null) {
                conditions.add(new Condition("Ready", Condition.FALSE, mine.problemReason(), mine.problem(), null,
                        null));
            }
            if (l.held() && s.lease(v.name()).wanted()) {
                conditions.add(new Condition("LeaseHeld", Condition.TRUE, "Acquired", "held by this node", null,
                        null));
            }
            List<ClusterStatus.Eligibility> eligibility = null;
            if (!v.checks().isEmpty()) {
                eligibility = eligibility(s, v);
                Condition healthy = healthCondition(v, owner, eligibility);
                if (healthy != null) {
                    conditions.add(healthy);
                }
            }
            vips.add(new ClusterStatus.VipStatus(v.name(), v.isService() ? null : v.address().toString(),
                    v.interfaceName(), state, owner,
                    l.knownEpoch() == 0 ? l.highestEpoch() : l.knownEpoch(), remaining,
                    failovers.getOrDefault(v.name(), 0L), stamp(v, conditions), moves.getOrDefault(v.name(), 0L),
                    v.grouping().group(),
                    v.grouping().group() == null ? null : v.grouping().effectivePriority(), v.grouping().homeNode(),
                    v.grouping().homeNode() != null && s.homeBlocked().contains(v.name()) ? Boolean.TRUE : null,
                    s.stopped().contains(v.name()) ? Boolean.TRUE : null,
                    v.checks().isEmpty() ? null : v.checks(), eligibility, v.isService() ? "service" : null,
                    v.hasUnit() ? v.systemdUnit() : null, v.hookOnly() ? Boolean.TRUE : null,
                    v.announce() ? null : Boolean.FALSE));
        }
        var m = s.membership();
        return new ClusterStatus(cluster, s.self(), version,
                new ClusterStatus.Quorum(m.quorum(), m.votesSeen(), m.votesNeeded(), m.votesTotal(),
                        membershipSeconds(nowNanos)), nodes, vips,
                !m.quorum(), checkInfos());
    }

    private static List<ClusterStatus.NodeCheck> nodeChecks(Map<String, Message.CheckReport> reports) {
        if (reports == null || reports.isEmpty()) {
            return null;
        }
        List<ClusterStatus.NodeCheck> out = new ArrayList<>(reports.size());
        for (Message.CheckReport r : reports.values()) {
            out.add(new ClusterStatus.NodeCheck(r.check(), r.passing(), r.summary()));
        }
        out.sort(java.util.Comparator.comparing(ClusterStatus.NodeCheck::name));
        return out;
    }

    /**
     * Each full-member: may it hold {@code v} (as placement sees it: online, out of its restart
     * wait, not draining, its pre_start not failing, every check passing), and if not, why.
     */
    private static List<ClusterStatus.Eligibility> eligibility(NodeSnapshot s, VipSpec v) {
        List<ClusterStatus.Eligibility> out = new ArrayList<>();
        for (PeerView p : s.membership().nodes()) {
            if (!p.fullMember()) {
                continue;
            }
            String why;
            if (!p.online()) {
                why = "offline";
            } else if (p.restarting()) {
                why = "in its restart wait";
            } else if (s.draining().contains(p.name())) {
                why = "draining";
            } else if (s.declined().getOrDefault(p.name(), List.of()).contains(v.name())) {
                why = "declined it (pre_start hook, interface, probe or address add failed there)";
            } else {
                why = CheckEligibility.problem(v.checks(), s.checkReports().getOrDefault(p.name(), Map.of()));
            }
            out.add(new ClusterStatus.Eligibility(p.name(), why == null, why));
        }
        return out;
    }

    /** {@code Healthy=False} while the owner fails the checks or no node passes them; null otherwise. */
    private static Condition healthCondition(VipSpec v, String owner, List<ClusterStatus.Eligibility> eligibility) {
        boolean anyEligible = false;
        ClusterStatus.Eligibility ownerEligibility = null;
        for (ClusterStatus.Eligibility e : eligibility) {
            anyEligible |= e.eligible();
            if (e.node().equals(owner)) {
                ownerEligibility = e;
            }
        }
        if (!anyEligible) {
            String where = owner != null ? "kept on " + owner + " (on_no_healthy_node = keep)"
                    : v.stopWhenNoHealthyNode() ? "running nowhere (on_no_healthy_node = stop)" : "not placed";
            return new Condition("Healthy", Condition.FALSE, "NoHealthyNode", "no node may hold it: "
                    + describe(eligibility) + "; " + where, null, null);
        }
        if (ownerEligibility != null && !ownerEligibility.eligible()) {
            return new Condition("Healthy", Condition.FALSE, "OwnerUnhealthy", owner + ": "
                    + ownerEligibility.reason() + "; handing over to an eligible node", null, null);
        }
        return null;
    }

    private static String describe(List<ClusterStatus.Eligibility> eligibility) {
        StringBuilder sb = new StringBuilder();
        for (ClusterStatus.Eligibility e : eligibility) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(e.node()).append(": ").append(e.eligible() ? "eligible" : e.reason());
        }
        return sb.toString();
    }

    private List<ClusterStatus.CheckInfo> checkInfos() {
        List<CheckRunner.LastRun> runs = checkRuns.get();
        if (runs.isEmpty()) {
            return null;
        }
        List<ClusterStatus.CheckInfo> out = new ArrayList<>(runs.size());
        for (CheckRunner.LastRun r : runs) {
            var c = r.config();
            out.add(new ClusterStatus.CheckInfo(c.name(), c.type().label(), c.target(), c.intervalMillis(),
                    c.timeoutMillis(), c.fall(), c.rise(), c.holdMillis(), r.durationSeconds(), r.output()));
        }
        return out;
    }

    private static boolean allDeclined(NodeSnapshot s, VipSpec v) {
        boolean any = false;
        for (PeerView p : s.membership().nodes()) {
            if (p.fullMember() && p.online()) {
                any = true;
                if (!s.declined().getOrDefault(p.name(), List.of()).contains(v.name())) {
                    return false;
                }
            }
        }
        return any;
    }

}
