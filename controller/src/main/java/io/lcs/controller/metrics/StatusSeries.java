package io.lcs.controller.metrics;

import io.lcs.model.status.ClusterStatus;
import io.lcs.model.status.ClusterStatus.NodeStatus;
import io.lcs.model.status.ClusterStatus.VipStatus;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The series that follow the cluster — cluster quorum, per node, per peer, per VIP, and the per-VIP
 * lease and hook counters — produced at scrape time from one {@link ClusterStatus} snapshot and the
 * {@link VipCounters}, instead of being kept as one Micrometer meter per series (at 1,000 VIPs on 5
 * nodes, one hook event each, that was ~19,000 meters retaining ~13 MiB of heap). Registered on the
 * Prometheus registry under Micrometer's, so the Prometheus client writes the exposition of both.
 *
 * <p><b>Contract.</b> The families, their types, HELP texts, label names and values are exactly
 * those the Micrometer meters produced, plus the C lcs's {@code lcs_resource_*},
 * {@code lcs_cluster_membership_seconds} and {@code lcs_node_voting_ready} (checked byte for byte by
 * {@code LcsMetricsGoldenTest}): gauges
 * as {@link GaugeSnapshot}, counters as {@link CounterSnapshot} named without {@code _total} (the
 * writer adds it, as it did for Micrometer's counters), the hook timer as a {@link SummarySnapshot}
 * (count and sum) plus a {@code _max} gauge. A family with no series is left out, as Micrometer
 * left out names without meters. Every series carries the {@code cluster} label.
 *
 * <p><b>Cost.</b> One pass over the snapshot per scrape: about 40 data points per VIP on 5 nodes
 * (half of them the C lcs's {@code lcs_resource_*} family: LcsMetricsFootprintBench measured 24,060
 * samples and 20 MB allocated per scrape of 1,000 VIPs before it, 40,065 and 40 MB with it),
 * each a few small objects, garbage after the scrape. Counters of VIPs absent from the snapshot are
 * dropped in the same pass, so a removed VIP's series all disappear.
 *
 * <p><b>Threads.</b> {@link #collect()} may run on any thread; {@link LcsMetrics} serializes scrapes.
 */
final class StatusSeries implements MultiCollector {

    private static final String VIP_STATE_HELP = "VIP state as seen by this node: 1 for the current state, 0 for the others.";
    private static final String HOOK_DURATION_HELP = "Duration of hook runs.";
    private static final List<String> NAMES = List.of("lcs_cluster_quorum", "lcs_cluster_votes_seen",
            "lcs_cluster_votes_needed", "lcs_node_online", "lcs_peer_rtt_seconds", "lcs_peer_last_seen_seconds",
            "lcs_config_mismatch", "lcs_vip_state", "lcs_vip_owner", "lcs_vip_epoch", "lcs_vip_lease_remaining_seconds",
            "lcs_vip_conflict", "lcs_vip_disabled", "lcs_vip_failback_blocked", "lcs_vip_failovers", "lcs_vip_moves",
            "lcs_lease_acquisitions", "lcs_lease_renewal_failures",
            "lcs_hook_runs", "lcs_hook_failures", "lcs_hook_duration_seconds", "lcs_hook_duration_seconds_max",
            "lcs_check_up", "lcs_resource_eligible", "lcs_cluster_membership_seconds", "lcs_node_voting_ready",
            "lcs_resource_state", "lcs_resource_owner", "lcs_resource_epoch", "lcs_resource_lease_remaining_seconds",
            "lcs_resource_conflict", "lcs_resource_stop_failed", "lcs_resource_priority", "lcs_resource_failovers");
    /** The {@code type} label of the C lcs's {@code lcs_resource_*} family for a VIP. */
    static final String VIP_TYPE = "vip";
    /** The {@code type} label of {@code lcs_resource_*} for a service (a {@code [service]}: a systemd unit). */
    static final String SERVICE_TYPE = "service";
    private static final String[] VIP_LABELS = {"type", VIP_TYPE};
    private static final String[] SERVICE_LABELS = {"type", SERVICE_TYPE};

    private final String cluster;
    private final Supplier<ClusterStatus> statusSource;
    private final ConcurrentMap<String, VipCounters> counters;
    private final LongSupplier nanoTime;

    StatusSeries(String cluster, Supplier<ClusterStatus> statusSource, ConcurrentMap<String, VipCounters> counters,
                 LongSupplier nanoTime) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.statusSource = Objects.requireNonNull(statusSource, "statusSource");
        this.counters = Objects.requireNonNull(counters, "counters");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    @Override
    public List<String> getPrometheusNames() {
        return NAMES;
    }

    /** Reads the status once and returns every family of it; see the class contract. */
    @Override
    public MetricSnapshots collect() {
        ClusterStatus status = Objects.requireNonNull(statusSource.get(), "status supplier returned null");
        List<MetricSnapshot> out = new ArrayList<>(NAMES.size());
        quorum(status.quorum(), out);
        List<NodeStatus> nodes = nullToEmpty(status.nodes());
        List<VipStatus> vips = nullToEmpty(status.vips());
        nodes(nodes, out);
        Set<String> present = vips(vips, nodes, out);
        pruneCounters(present);
        counters(vips, out);
        checks(nodes, vips, out);
        return new MetricSnapshots(out);
    }

    /** Drops the counters of VIPs not in {@code present}. Also used by {@link LcsMetrics#refreshMeters()}. */
    void pruneCounters(Set<String> present) {
        counters.keySet().removeIf(vip -> !present.contains(vip));
    }

    private void quorum(ClusterStatus.Quorum q, List<MetricSnapshot> out) {
        Labels labels = Labels.of("cluster", cluster);
        out.add(gauge("lcs_cluster_quorum", "Whether this node currently sees cluster quorum.",
                List.of(point(labels, q == null ? Double.NaN : (q.present() ? 1 : 0)))));
        out.add(gauge("lcs_cluster_votes_seen", "Votes this node sees: its own plus online peers with a matching config.",
                List.of(point(labels, q == null ? Double.NaN : q.votesSeen()))));
        out.add(gauge("lcs_cluster_votes_needed", "Votes needed for quorum (more than half of all configured votes).",
                List.of(point(labels, q == null ? Double.NaN : q.votesNeeded()))));
        if (q != null && q.membershipSeconds() != null) {
            out.add(gauge("lcs_cluster_membership_seconds",
                    "Seconds since the set of online nodes this node sees last changed.",
                    List.of(point(labels, q.membershipSeconds()))));
        }
    }

    private void nodes(List<NodeStatus> nodes, List<MetricSnapshot> out) {
        List<GaugeDataPointSnapshot> online = new ArrayList<>(nodes.size());
        List<GaugeDataPointSnapshot> votingReady = new ArrayList<>(nodes.size());
        List<GaugeDataPointSnapshot> rtt = new ArrayList<>(nodes.size());
        List<GaugeDataPointSnapshot> lastSeen = new ArrayList<>(nodes.size());
        List<GaugeDataPointSnapshot> mismatch = new ArrayList<>(nodes.size());
        Set<String> seen = new HashSet<>();
        for (NodeStatus node : nodes) {
            if (!seen.add(node.name())) {
                continue; // one series per name, as the meters were keyed
            }
            Labels nodeLabels = Labels.of("cluster", cluster, "node", node.name(), "role", node.role());
            online.add(point(nodeLabels, node.online() ? 1 : 0));
            votingReady.add(point(nodeLabels, node.online() && !node.restarting() ? 1 : 0));
            if (node.self()) {
                continue;
            }
            Labels peer = Labels.of("cluster", cluster, "peer", node.name());
            rtt.add(point(peer, node.rttMillis() == null ? Double.NaN : node.rttMillis() / 1000.0));
            lastSeen.add(point(peer, node.lastSeenSeconds() == null ? Double.POSITIVE_INFINITY : node.lastSeenSeconds()));
            mismatch.add(point(peer, node.configMatch() ? 0 : 1));
        }
        addGauge(out, "lcs_node_online", "Whether a node is online as seen by this node (1) or not (0).", online);
        addGauge(out, "lcs_node_voting_ready", "Whether a node is online and out of its post-restart wait, so it votes"
                + " on leases (1), or not (0): state=online in lcs status, not recovering or offline.", votingReady);
        addGauge(out, "lcs_peer_rtt_seconds", "Last measured heartbeat round trip to a peer; NaN while unknown.", rtt);
        addGauge(out, "lcs_peer_last_seen_seconds", "Seconds since the last frame from a peer; +Inf if never heard from.",
                lastSeen);
        addGauge(out, "lcs_config_mismatch",
                "Whether a peer's config/membership hash differs from this node's (1) or not (0); such a peer is not counted.",
                mismatch);
    }

    /** HELP of the families {@link SharedFamilies} makes for {@code lcs_vip_*}, in its order. */
    private static final String[] VIP_HELP = {VIP_STATE_HELP,
        "Which node holds the VIP: 1 for the owner, 0 for every other configured node.",
        "Epoch of the VIP: grows by one on every change of owner.",
        "Seconds left on the VIP's lease (the owner's view on the owner, this acceptor's elsewhere); 0 without a lease.",
        "Whether the VIP is in conflict (1) or not (0).",
        "Times the VIP went to another owner unasked (its owner failed, stopped or lost its peers); planned moves are"
                + " in lcs_vip_moves_total."};
    /** The same for the C lcs's {@code lcs_resource_*}. */
    private static final String[] RESOURCE_HELP = {
        "Resource state as seen by this node: 1 for the current state, 0 for the others (the C lcs's family;"
                + " lcs_vip_state for VIPs).",
        "Which node holds the resource: 1 for the owner, 0 for every other configured node.",
        "Epoch of the resource: grows by one on every change of owner.",
        "Seconds left on the resource's lease as this node sees it; 0 without a lease.",
        "Whether the resource is in conflict (1) or not (0).",
        "Times the resource went to another owner unasked; planned moves are in lcs_vip_moves_total."};

    /**
     * Adds the VIP families, {@code lcs_vip_*} and the C lcs's {@code lcs_resource_*} (labelled
     * {@code resource} and {@code type} {@value #VIP_TYPE}), in one pass; returns the names of the
     * VIPs present. One difference from the C lcs on purpose: {@code lcs_resource_state} has a series
     * per state (1 for the current one, 0 for the others), as {@code lcs_vip_state}, where the C lcs
     * had only the current state's series, which vanished on every change.
     */
    private Set<String> vips(List<VipStatus> vips, List<NodeStatus> nodes, List<MetricSnapshot> out) {
        List<String> nodeNames = nodeNames(nodes);
        int n = vips.size();
        SharedFamilies vipFamilies = new SharedFamilies("vip", new String[0], n, nodeNames.size());
        SharedFamilies resourceFamilies = new SharedFamilies("resource", VIP_LABELS, n, nodeNames.size());
        List<GaugeDataPointSnapshot> disabled = new ArrayList<>(n);
        List<GaugeDataPointSnapshot> blocked = new ArrayList<>(n);
        List<CounterDataPointSnapshot> moves = new ArrayList<>(n);
        List<GaugeDataPointSnapshot> stopFailed = new ArrayList<>(n);
        List<GaugeDataPointSnapshot> priority = new ArrayList<>(n);
        Set<String> present = new HashSet<>(Math.max(16, n * 2));
        for (VipStatus vip : vips) {
            String name = vip.name();
            if (!present.add(name)) {
                continue; // one series per name, as the meters were keyed
            }
            if (!vip.isService()) { // a service is only in lcs_resource_* (type="service"), as in the C lcs
                Labels labels = vipFamilies.add(vip, nodeNames);
                disabled.add(point(labels, Boolean.TRUE.equals(vip.disabled()) ? 1 : 0));
                blocked.add(point(labels, Boolean.TRUE.equals(vip.homeBlocked()) ? 1 : 0));
                moves.add(counterPoint(labels, vip.moves()));
            }
            resourceFamilies.extra = vip.isService() ? SERVICE_LABELS : VIP_LABELS;
            Labels resource = resourceFamilies.add(vip, nodeNames);
            stopFailed.add(point(resource, stopFailed(vip) ? 1 : 0));
            priority.add(point(resource.add("group", vip.group() == null ? "" : vip.group()),
                    vip.priority() == null ? 0 : vip.priority()));
        }
        vipFamilies.emit(out, VIP_HELP);
        addGauge(out, "lcs_vip_disabled", "Whether an operator stopped the VIP with lcs stop (1) or not (0).", disabled);
        addGauge(out, "lcs_vip_failback_blocked",
                "Whether a move away from its home_node blocks the VIP's failback (1) or not (0); lcs clear lifts it.",
                blocked);
        addCounter(out, "lcs_vip_moves", "Times the VIP went to another owner because an operator asked (lcs move,"
                + " lcs drain).", moves);
        resourceFamilies.emit(out, RESOURCE_HELP);
        addGauge(out, "lcs_resource_stop_failed", "Whether stopping the resource failed on its owner (1) or not (0).",
                stopFailed);
        addGauge(out, "lcs_resource_priority", "The resource's priority (0 when unset); group is empty outside a"
                + " group.", priority);
        return present;
    }

    /**
     * The families {@code lcs_vip_*} and {@code lcs_resource_*} have alike (state, owner, epoch, lease
     * remaining, conflict, failovers), each VIP's series named by label {@code key} plus {@code extra}
     * label pairs. One instance per scrape and family.
     */
    private final class SharedFamilies {
        private final String key;
        /** The extra label pairs of the next {@link #add} (lcs_resource_*: the type of the resource). */
        private String[] extra;
        private final List<GaugeDataPointSnapshot> state;
        private final List<GaugeDataPointSnapshot> owner;
        private final List<GaugeDataPointSnapshot> epoch;
        private final List<GaugeDataPointSnapshot> lease;
        private final List<GaugeDataPointSnapshot> conflict;
        private final List<CounterDataPointSnapshot> failovers;

        SharedFamilies(String key, String[] extra, int vips, int nodes) {
            this.key = key;
            this.extra = extra;
            state = new ArrayList<>(vips * LcsMetrics.VIP_STATES.size());
            owner = new ArrayList<>(vips * nodes);
            epoch = new ArrayList<>(vips);
            lease = new ArrayList<>(vips);
            conflict = new ArrayList<>(vips);
            failovers = new ArrayList<>(vips);
        }

        /** {@code cluster}, the key and the extra labels, and {@code more} label pairs. */
        private Labels labels(String name, String... more) {
            String[] kv = new String[4 + extra.length + more.length];
            kv[0] = "cluster";
            kv[1] = cluster;
            kv[2] = key;
            kv[3] = name;
            System.arraycopy(extra, 0, kv, 4, extra.length);
            System.arraycopy(more, 0, kv, 4 + extra.length, more.length);
            return Labels.of(kv);
        }

        /** Adds {@code vip}'s series; returns its labels (without state or node). */
        Labels add(VipStatus vip, List<String> nodeNames) {
            String name = vip.name();
            for (String s : LcsMetrics.VIP_STATES) {
                state.add(point(labels(name, "state", s), s.equals(vip.state()) ? 1 : 0));
            }
            for (String node : nodeNames) {
                owner.add(point(labels(name, "node", node), node.equals(vip.owner()) ? 1 : 0));
            }
            Labels labels = labels(name);
            epoch.add(point(labels, vip.epoch()));
            lease.add(point(labels, vip.leaseRemainingSeconds() == null ? 0 : vip.leaseRemainingSeconds()));
            conflict.add(point(labels, "conflict".equals(vip.state()) ? 1 : 0));
            failovers.add(counterPoint(labels, vip.failovers()));
            return labels;
        }

        /** Adds the families, named {@code lcs_KEY_...}, with {@code help} in the order of the fields. */
        void emit(List<MetricSnapshot> out, String[] help) {
            String prefix = "lcs_" + key + "_";
            addGauge(out, prefix + "state", help[0], state);
            addGauge(out, prefix + "owner", help[1], owner);
            addGauge(out, prefix + "epoch", help[2], epoch);
            addGauge(out, prefix + "lease_remaining_seconds", help[3], lease);
            addGauge(out, prefix + "conflict", help[4], conflict);
            addCounter(out, prefix + "failovers", help[5], failovers);
        }
    }

    /** Every configured node's name once, in the status's order (quorum-only nodes too: they are 0 as owners). */
    private static List<String> nodeNames(List<NodeStatus> nodes) {
        List<String> names = new ArrayList<>(nodes.size());
        Set<String> seen = new HashSet<>();
        for (NodeStatus node : nodes) {
            if (seen.add(node.name())) {
                names.add(node.name());
            }
        }
        return names;
    }

    /** A {@code StopFailed=True} condition: the owner could not stop it (the C lcs's stop_failed state). */
    private static boolean stopFailed(VipStatus vip) {
        if (vip.conditions() != null) {
            for (io.lcs.model.api.Condition c : vip.conditions()) {
                if ("StopFailed".equals(c.type()) && io.lcs.model.api.Condition.TRUE.equals(c.status())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Lease counters for every VIP present (0 until counted, so rate() sees them from 0); hook series for hooks that ran. */
    private void counters(List<VipStatus> vips, List<MetricSnapshot> out) {
        int n = vips.size();
        List<CounterDataPointSnapshot> acquisitions = new ArrayList<>(n);
        List<CounterDataPointSnapshot> renewalFailures = new ArrayList<>(n);
        List<CounterDataPointSnapshot> hookRuns = new ArrayList<>();
        List<CounterDataPointSnapshot> hookFailures = new ArrayList<>();
        List<SummaryDataPointSnapshot> hookDuration = new ArrayList<>();
        List<GaugeDataPointSnapshot> hookMax = new ArrayList<>();
        long now = nanoTime.getAsLong();
        Set<String> done = new HashSet<>(Math.max(16, n * 2));
        for (VipStatus vip : vips) {
            String name = vip.name();
            if (!done.add(name)) {
                continue;
            }
            Labels labels = Labels.of("cluster", cluster, "vip", name);
            VipCounters c = counters.get(name);
            acquisitions.add(counterPoint(labels, c == null ? 0 : c.leaseAcquisitions()));
            renewalFailures.add(counterPoint(labels, c == null ? 0 : c.leaseRenewalFailures()));
            if (c != null) {
                c.forEachHook(now, (event, runs, failures, totalNanos, maxNanos) -> {
                    Labels hook = Labels.of("cluster", cluster, "event", event, "vip", name);
                    hookRuns.add(counterPoint(hook, runs));
                    hookFailures.add(counterPoint(hook, failures));
                    hookDuration.add(SummaryDataPointSnapshot.builder().labels(hook).count(runs)
                            .sum(totalNanos / 1e9).build());
                    hookMax.add(point(hook, maxNanos / 1e9));
                });
            }
        }
        addCounter(out, "lcs_lease_acquisitions", "Leases of a VIP acquired by this node.", acquisitions);
        addCounter(out, "lcs_lease_renewal_failures", "Lease renewals of a VIP that failed on this node.", renewalFailures);
        addCounter(out, "lcs_hook_runs", "Hook runs.", hookRuns);
        addCounter(out, "lcs_hook_failures", "Hook runs that failed (non-zero exit, timeout or could not start).",
                hookFailures);
        if (!hookDuration.isEmpty()) {
            out.add(new SummarySnapshot(new io.prometheus.metrics.model.snapshots.MetricMetadata(
                    "lcs_hook_duration_seconds", HOOK_DURATION_HELP), hookDuration));
        }
        addGauge(out, "lcs_hook_duration_seconds_max", HOOK_DURATION_HELP, hookMax);
    }

    /** {@code lcs_check_up{check,node}} from each node's reported checks; {@code lcs_resource_eligible{vip,node}} for VIPs with checks. */
    private void checks(List<NodeStatus> nodes, List<VipStatus> vips, List<MetricSnapshot> out) {
        List<GaugeDataPointSnapshot> up = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (NodeStatus node : nodes) {
            if (node.checks() == null || !seen.add(node.name())) {
                continue;
            }
            for (ClusterStatus.NodeCheck c : node.checks()) {
                up.add(point(Labels.of("check", c.name(), "cluster", cluster, "node", node.name()), c.passing() ? 1 : 0));
            }
        }
        addGauge(out, "lcs_check_up", "Whether a health check passes on a node (1) or not (0), as that node last reported.",
                up);
        List<GaugeDataPointSnapshot> eligible = new ArrayList<>();
        Set<String> seenVips = new HashSet<>();
        for (VipStatus vip : vips) {
            if (vip.eligibility() == null || !seenVips.add(vip.name())) {
                continue;
            }
            for (ClusterStatus.Eligibility e : vip.eligibility()) {
                eligible.add(point(Labels.of("cluster", cluster, "node", e.node(), "vip", vip.name()),
                        e.eligible() ? 1 : 0));
            }
        }
        addGauge(out, "lcs_resource_eligible",
                "Whether a full-member may hold a VIP with health checks (1) or not (0): online, its checks passing there.",
                eligible);
    }

    private static GaugeDataPointSnapshot point(Labels labels, double value) {
        return new GaugeDataPointSnapshot(value, labels, null);
    }

    private static CounterDataPointSnapshot counterPoint(Labels labels, double value) {
        return new CounterDataPointSnapshot(value, labels, null, 0);
    }

    private static GaugeSnapshot gauge(String name, String help, List<GaugeDataPointSnapshot> points) {
        return new GaugeSnapshot(new io.prometheus.metrics.model.snapshots.MetricMetadata(name, help), points);
    }

    private static void addGauge(List<MetricSnapshot> out, String name, String help, List<GaugeDataPointSnapshot> points) {
        if (!points.isEmpty()) {
            out.add(gauge(name, help, points));
        }
    }

    private static void addCounter(List<MetricSnapshot> out, String name, String help,
                                   List<CounterDataPointSnapshot> points) {
        if (!points.isEmpty()) {
            out.add(new CounterSnapshot(new io.prometheus.metrics.model.snapshots.MetricMetadata(name, help), points));
        }
    }

    private static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
