package io.lcs.controller.metrics;

import io.lcs.model.status.ClusterStatus;
import io.lcs.model.status.ClusterStatus.NodeStatus;
import io.lcs.model.status.ClusterStatus.VipStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The Prometheus exporter's meters: the original lcs metrics (cluster, node and VIP state, read from a
 * {@link ClusterStatus} snapshot at scrape time) plus lcsd's own (transport, leases, reconcilers,
 * hooks, build, JVM/process memory and CPU), in one {@link PrometheusMeterRegistry}.
 *
 * <p><b>Names.</b> The exposition carries exactly the original's names, types and labels
 * ({@code lcs_cluster_quorum}, ..., {@code lcs_vip_failovers_total} as a counter), every series with
 * the {@code cluster} label (a common tag) and every family with a HELP line. Names are given to
 * Micrometer already in Prometheus form ({@code _seconds}, {@code _total}, {@code _bytes} included):
 * its Prometheus naming convention leaves them as they are (checked by {@code LcsMetricsTest}).
 * {@code lcs_build_info} is a Prometheus client {@link Info} metric, because Micrometer strips the
 * {@code _info} suffix from gauges.
 *
 * <p><b>Series that follow the cluster.</b> Per-VIP and per-node series are derived from the
 * snapshot: {@link #refreshMeters()} (and every {@link #scrape}) compares the snapshot's VIPs and
 * nodes with the registered ones and adds or removes meters, so the series of a removed VIP or node
 * disappear and new ones appear. The lease and hook counters of a removed VIP are removed too.
 *
 * <p><b>Threads and cost.</b> {@link #scrape} and {@link #refreshMeters()} are serialized by a
 * lock and may allocate; rendering costs a few µs per series in Micrometer (about 0.4 ms for a
 * small cluster with the JVM metrics; measured 79 ms and 1.3 MB for 1,000 VIPs on 15 nodes, ~23,000
 * series), which is why {@link MetricsServer} renders on a worker thread. {@link #refreshMeters()} never waits for a scrape in progress. The recording methods ({@link #leaseAcquired}, {@link #leaseRenewalFailed},
 * {@link #recordReconcile}, {@link #reconcileFailed}, {@link #recordHook}) are thread-safe, take no
 * lock and, once the meter of a label set exists, do not allocate (a map lookup and an add). Frame
 * counters are never touched on the I/O path: the transport's own counters are read through the
 * {@link LongSupplier}s at scrape time.
 *
 * <p><b>Values.</b> {@code lcs_vip_lease_remaining_seconds} is 0 when there is no lease;
 * {@code lcs_peer_rtt_seconds} is NaN while unknown; {@code lcs_peer_last_seen_seconds} is +Inf for a
 * peer never heard from.
 */
public final class LcsMetrics {

    /** The VIP states of {@code lcs_vip_state}, one series each (1 for the current state). */
    public static final List<String> VIP_STATES = List.of("active", "pending", "conflict", "stopped", "failed");
    /** The role name that may own VIPs: {@code lcs_vip_owner} has one series per node of this role. */
    public static final String FULL_MEMBER = "full-member";
    /** The content type of the Prometheus text format 0.0.4. */
    public static final String TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** The content type of OpenMetrics text 1.0.0. */
    public static final String OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /** A rendered scrape: the body and the content type it is in. */
    public record Exposition(String contentType, String body) {
    }

    /** The snapshot being scraped, indexed by name; replaced as a whole under {@link #lock}. */
    private record View(ClusterStatus status, Map<String, VipStatus> vips, Map<String, NodeStatus> nodes) {
        static final View EMPTY = new View(null, Map.of(), Map.of());

        static View of(ClusterStatus status) {
            Map<String, VipStatus> vips = new HashMap<>();
            for (VipStatus vip : nullToEmpty(status.vips())) {
                vips.put(vip.name(), vip);
            }
            Map<String, NodeStatus> nodes = new HashMap<>();
            for (NodeStatus node : nullToEmpty(status.nodes())) {
                nodes.put(node.name(), node);
            }
            return new View(status, vips, nodes);
        }
    }

    private record FrameSeries(LongSupplier sent, LongSupplier received, Meter sentMeter, Meter receivedMeter) {
    }

    private record RejectedSeries(LongSupplier count, Meter meter) {
    }

    private record LeaseMeters(Counter acquisitions, Counter renewalFailures) {
    }

    private record ReconcileMeters(Timer duration, Counter errors) {
    }

    private record HookMeters(Counter runs, Counter failures, Timer duration) {
    }

    private final PrometheusMeterRegistry registry;
    private final Supplier<ClusterStatus> statusSource;
    /** Serializes snapshot capture and rendering, so the gauges of one scrape read one snapshot. */
    private final ReentrantLock scrapeLock = new ReentrantLock();
    /** Serializes (un)registration of the transport's function counters. */
    private final Object transportLock = new Object();

    /** Written under {@link #scrapeLock}; read by gauge functions during a scrape (same thread). */
    private volatile View view = View.EMPTY;
    /** Per-node meters by "name NUL role NUL self" (their labels depend on all three). Guarded by {@link #scrapeLock}. */
    private final Map<String, List<Meter>> nodeMeters = new HashMap<>();
    /** Per-VIP meters except the owner series. Guarded by {@link #scrapeLock}. */
    private final Map<String, List<Meter>> vipMeters = new HashMap<>();
    /** vip → full-member node → its {@code lcs_vip_owner} series. Guarded by {@link #scrapeLock}. */
    private final Map<String, Map<String, Meter>> ownerMeters = new HashMap<>();

    private final Map<String, FrameSeries> frames = new ConcurrentHashMap<>();
    private final Map<String, FrameSeries> bytes = new ConcurrentHashMap<>();
    private final Map<String, RejectedSeries> rejected = new ConcurrentHashMap<>();
    private final Map<String, LeaseMeters> leases = new ConcurrentHashMap<>();
    private final Map<String, ReconcileMeters> reconcilers = new ConcurrentHashMap<>();
    /** vip → event → meters; two levels so that a lookup needs no composite key object. */
    private final Map<String, Map<String, HookMeters>> hooks = new ConcurrentHashMap<>();

    /**
     * @param cluster the cluster name, the {@code cluster} label of every series
     * @param version lcsd's version, the {@code version} label of {@code lcs_build_info}
     * @param statusSource the current status; called once per scrape and per {@link #refreshMeters()}
     *     on the calling thread (for scrapes, a worker thread): must be cheap, thread-safe (e.g. return
     *     an immutable snapshot published through a volatile field) and never return null
     */
    public LcsMetrics(String cluster, String version, Supplier<ClusterStatus> statusSource) {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(version, "version");
        this.statusSource = Objects.requireNonNull(statusSource, "statusSource");
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("cluster", cluster);

        Gauge.builder("lcs_cluster_quorum", this, m -> quorum(m).map(q -> q.present() ? 1.0 : 0.0))
                .description("Whether this node currently sees cluster quorum.").register(registry);
        Gauge.builder("lcs_cluster_votes_seen", this, m -> quorum(m).map(q -> q.votesSeen()))
                .description("Votes this node sees: its own plus online peers with a matching config.")
                .register(registry);
        Gauge.builder("lcs_cluster_votes_needed", this, m -> quorum(m).map(q -> q.votesNeeded()))
                .description("Votes needed for quorum (more than half of all configured votes).")
                .register(registry);

        Info buildInfo = Info.builder().name("lcs_build_info")
                .help("lcsd build: always 1, the labels carry the version and the Java runtime.")
                .labelNames("cluster", "version", "java")
                .register(registry.getPrometheusRegistry());
        buildInfo.setLabelValues(cluster, version, Runtime.version().toString());

        new JvmMemoryMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        if (ResidentMemory.available()) {
            Gauge.builder("process_resident_memory_bytes", ResidentMemory::bytes)
                    .description("Resident set size of the lcsd process (VmRSS of /proc/self/status).")
                    .baseUnit("bytes").register(registry);
        }
        refreshMeters();
    }

    /** The registry, for binders the daemon adds itself; do not scrape it directly (use {@link #scrape}). */
    public MeterRegistry meterRegistry() {
        return registry;
    }

    /**
     * Reads the status once and makes the per-VIP and per-node series match it: meters of VIPs and
     * nodes no longer present are removed, new ones registered. Idempotent; cheap when nothing
     * changed. The daemon calls it when the set of VIPs or nodes changes. Every {@link #scrape} does
     * the same first, so if a scrape is in progress this returns at once instead of waiting for it.
     */
    public void refreshMeters() {
        if (scrapeLock.tryLock()) {
            try {
                capture();
            } finally {
                scrapeLock.unlock();
            }
        }
    }

    /**
     * Renders all metrics for one scrape, from one status snapshot.
     *
     * @param accept the request's Accept header, or null: OpenMetrics text if it names
     *     {@code application/openmetrics-text}, else the Prometheus text format 0.0.4
     */
    public Exposition scrape(String accept) {
        String contentType = accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")
                ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
        scrapeLock.lock();
        try {
            capture();
            return new Exposition(contentType, registry.scrape(contentType));
        } finally {
            scrapeLock.unlock();
        }
    }

    // ---- transport ------------------------------------------------------------------------------

    /**
     * Exposes the transport's frame counters of one peer as {@code lcs_transport_frames_sent_total}
     * and {@code lcs_transport_frames_received_total}; the suppliers are read at scrape time only
     * and must be thread-safe and monotonic. Replaces an earlier registration for the same peer.
     */
    public void registerFrameCounters(String peer, LongSupplier sent, LongSupplier received) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(sent, "sent");
        Objects.requireNonNull(received, "received");
        synchronized (transportLock) {
            unregisterFrameCounters(peer);
            // The suppliers are the meters' state objects, which Micrometer holds weakly: the record in
            // the map holds them strongly for as long as the series exists.
            Meter sentMeter = FunctionCounter.builder("lcs_transport_frames_sent_total", sent, LongSupplier::getAsLong)
                    .description("Frames sent to a peer.").tag("peer", peer).register(registry);
            Meter receivedMeter = FunctionCounter.builder("lcs_transport_frames_received_total", received,
                            LongSupplier::getAsLong)
                    .description("Frames received from a peer and accepted.").tag("peer", peer).register(registry);
            frames.put(peer, new FrameSeries(sent, received, sentMeter, receivedMeter));
        }
    }

    /** Removes the frame series of a peer (e.g. removed from the config); no-op if there are none. */
    public void unregisterFrameCounters(String peer) {
        synchronized (transportLock) {
            FrameSeries old = frames.remove(peer);
            if (old != null) {
                registry.remove(old.sentMeter());
                registry.remove(old.receivedMeter());
            }
        }
    }

    /**
     * Exposes the transport's byte counters of one peer (wire bytes of payload frames: length
     * prefix, sequence number and MAC included; handshakes not counted) as
     * {@code lcs_transport_bytes_sent_total} and {@code lcs_transport_bytes_received_total}; read at
     * scrape time only, so nothing is added to the I/O path. Replaces an earlier registration.
     */
    public void registerByteCounters(String peer, LongSupplier sent, LongSupplier received) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(sent, "sent");
        Objects.requireNonNull(received, "received");
        synchronized (transportLock) {
            FrameSeries old = bytes.remove(peer);
            if (old != null) {
                registry.remove(old.sentMeter());
                registry.remove(old.receivedMeter());
            }
            // as for the frame counters: the map holds the suppliers Micrometer holds weakly
            Meter sentMeter = FunctionCounter.builder("lcs_transport_bytes_sent_total", sent, LongSupplier::getAsLong)
                    .description("Bytes of payload frames sent to a peer, as on the wire.").tag("peer", peer)
                    .register(registry);
            Meter receivedMeter = FunctionCounter.builder("lcs_transport_bytes_received_total", received,
                            LongSupplier::getAsLong)
                    .description("Bytes of payload frames received from a peer and accepted, as on the wire.")
                    .tag("peer", peer).register(registry);
            bytes.put(peer, new FrameSeries(sent, received, sentMeter, receivedMeter));
        }
    }

    /**
     * Exposes the transport's count of frames rejected for one reason (oversized, unauthenticated,
     * malformed, config mismatch...) as {@code lcs_transport_frames_rejected_total{reason}}; read at
     * scrape time. Replaces an earlier registration for the same reason.
     */
    public void registerRejected(String reason, LongSupplier count) {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(count, "count");
        synchronized (transportLock) {
            RejectedSeries old = rejected.remove(reason);
            if (old != null) {
                registry.remove(old.meter());
            }
            Meter meter = FunctionCounter.builder("lcs_transport_frames_rejected_total", count, LongSupplier::getAsLong)
                    .description("Frames received and rejected, by reason.").tag("reason", reason)
                    .register(registry);
            rejected.put(reason, new RejectedSeries(count, meter));
        }
    }

    // ---- leases ---------------------------------------------------------------------------------

    /** Counts one lease acquisition of {@code vip} by this node ({@code lcs_lease_acquisitions_total}). */
    public void leaseAcquired(String vip) {
        leaseMeters(vip).acquisitions().increment();
    }

    /** Counts one failed lease renewal of {@code vip} ({@code lcs_lease_renewal_failures_total}). */
    public void leaseRenewalFailed(String vip) {
        leaseMeters(vip).renewalFailures().increment();
    }

    private LeaseMeters leaseMeters(String vip) {
        LeaseMeters meters = leases.get(vip);
        return meters != null ? meters : leases.computeIfAbsent(vip, this::newLeaseMeters);
    }

    private LeaseMeters newLeaseMeters(String vip) {
        return new LeaseMeters(
                Counter.builder("lcs_lease_acquisitions_total").description("Leases of a VIP acquired by this node.")
                        .tag("vip", vip).register(registry),
                Counter.builder("lcs_lease_renewal_failures_total")
                        .description("Lease renewals of a VIP that failed on this node.").tag("vip", vip)
                        .register(registry));
    }

    // ---- reconcilers ----------------------------------------------------------------------------

    /** Records one reconcile pass of {@code reconciler} that took {@code durationNanos}. */
    public void recordReconcile(String reconciler, long durationNanos) {
        reconcileMeters(reconciler).duration().record(durationNanos, TimeUnit.NANOSECONDS);
    }

    /** Counts one reconcile pass of {@code reconciler} that ended in an error. */
    public void reconcileFailed(String reconciler) {
        reconcileMeters(reconciler).errors().increment();
    }

    private ReconcileMeters reconcileMeters(String reconciler) {
        ReconcileMeters meters = reconcilers.get(reconciler);
        return meters != null ? meters : reconcilers.computeIfAbsent(reconciler, r -> new ReconcileMeters(
                Timer.builder("lcs_reconcile_duration_seconds").description("Duration of reconcile passes.")
                        .tag("reconciler", r).register(registry),
                Counter.builder("lcs_reconcile_errors_total").description("Reconcile passes that ended in an error.")
                        .tag("reconciler", r).register(registry)));
    }

    // ---- hooks ----------------------------------------------------------------------------------

    /**
     * Records one run of the {@code event} hook ({@code pre_start}, {@code post_start},
     * {@code pre_stop}, {@code post_stop}) of {@code vip}: {@code lcs_hook_runs_total},
     * {@code lcs_hook_duration_seconds}, and {@code lcs_hook_failures_total} when it failed (non-zero
     * exit, timeout, could not start).
     */
    public void recordHook(String vip, String event, long durationNanos, boolean succeeded) {
        HookMeters meters = hookMeters(vip, event);
        meters.runs().increment();
        meters.duration().record(durationNanos, TimeUnit.NANOSECONDS);
        if (!succeeded) {
            meters.failures().increment();
        }
    }

    private HookMeters hookMeters(String vip, String event) {
        Map<String, HookMeters> byEvent = hooks.get(vip);
        if (byEvent == null) {
            byEvent = hooks.computeIfAbsent(vip, v -> new ConcurrentHashMap<>());
        }
        HookMeters meters = byEvent.get(event);
        return meters != null ? meters : byEvent.computeIfAbsent(event, e -> new HookMeters(
                Counter.builder("lcs_hook_runs_total").description("Hook runs.").tags("vip", vip, "event", e)
                        .register(registry),
                Counter.builder("lcs_hook_failures_total")
                        .description("Hook runs that failed (non-zero exit, timeout or could not start).")
                        .tags("vip", vip, "event", e).register(registry),
                Timer.builder("lcs_hook_duration_seconds").description("Duration of hook runs.")
                        .tags("vip", vip, "event", e).register(registry)));
    }

    // ---- status-derived meters -------------------------------------------------------------------

    /** Takes a snapshot, publishes it to the gauges and adds or removes per-VIP and per-node meters. */
    private void capture() {
        ClusterStatus status = Objects.requireNonNull(statusSource.get(), "status supplier returned null");
        View next = View.of(status);
        view = next;
        syncNodeMeters(nullToEmpty(status.nodes()));
        syncVipMeters(nullToEmpty(status.vips()), nullToEmpty(status.nodes()));
        removeVipCountersNotIn(next.vips());
    }

    /**
     * Incremental, so that adding one VIP to 1,000 costs the meters of one VIP: Micrometer copies its
     * meter map on every registration, and registering all ~23,000 series of 1,000 VIPs on 15 nodes
     * took 1.2 s here.
     */
    private void syncNodeMeters(List<NodeStatus> nodes) {
        Map<String, NodeStatus> wanted = new HashMap<>();
        for (NodeStatus node : nodes) {
            wanted.put(node.name() + '\0' + node.role() + '\0' + node.self(), node);
        }
        removeMissing(nodeMeters, wanted.keySet());
        for (Map.Entry<String, NodeStatus> e : wanted.entrySet()) {
            if (!nodeMeters.containsKey(e.getKey())) {
                nodeMeters.put(e.getKey(), registerNodeMeters(e.getValue()));
            }
        }
    }

    private void syncVipMeters(List<VipStatus> vips, List<NodeStatus> nodes) {
        Set<String> wanted = new HashSet<>();
        for (VipStatus vip : vips) {
            wanted.add(vip.name());
        }
        removeMissing(vipMeters, wanted);
        Set<String> fullMembers = new HashSet<>();
        for (NodeStatus node : nodes) {
            if (FULL_MEMBER.equals(node.role())) {
                fullMembers.add(node.name());
            }
        }
        ownerMeters.entrySet().removeIf(e -> {
            boolean gone = !wanted.contains(e.getKey());
            if (gone) {
                e.getValue().values().forEach(registry::remove);
            }
            return gone;
        });
        for (String vip : wanted) {
            if (!vipMeters.containsKey(vip)) {
                vipMeters.put(vip, registerVipMeters(vip));
            }
            Map<String, Meter> owners = ownerMeters.computeIfAbsent(vip, v -> new HashMap<>());
            owners.entrySet().removeIf(e -> {
                boolean gone = !fullMembers.contains(e.getKey());
                if (gone) {
                    registry.remove(e.getValue());
                }
                return gone;
            });
            for (String node : fullMembers) {
                if (!owners.containsKey(node)) {
                    owners.put(node, gauge("lcs_vip_owner",
                            "Which full-member node holds the VIP: 1 for the owner, 0 for the others.",
                            m -> m.vip(vip) == null ? Double.NaN : (node.equals(m.vip(vip).owner()) ? 1 : 0),
                            "vip", vip, "node", node));
                }
            }
        }
    }

    private void removeMissing(Map<String, List<Meter>> meters, Set<String> wanted) {
        meters.entrySet().removeIf(e -> {
            boolean gone = !wanted.contains(e.getKey());
            if (gone) {
                e.getValue().forEach(registry::remove);
            }
            return gone;
        });
    }

    private List<Meter> registerNodeMeters(NodeStatus node) {
        String name = node.name();
        List<Meter> meters = new ArrayList<>();
        meters.add(gauge("lcs_node_online", "Whether a node is online as seen by this node (1) or not (0).",
                m -> m.node(name) == null ? Double.NaN : (m.node(name).online() ? 1 : 0),
                "node", name, "role", node.role()));
        if (node.self()) {
            return meters;
        }
        meters.add(gauge("lcs_peer_rtt_seconds", "Last measured heartbeat round trip to a peer; NaN while unknown.",
                m -> {
                    NodeStatus n = m.node(name);
                    return n == null || n.rttMillis() == null ? Double.NaN : n.rttMillis() / 1000.0;
                }, "peer", name));
        meters.add(gauge("lcs_peer_last_seen_seconds", "Seconds since the last frame from a peer; +Inf if never heard from.",
                m -> {
                    NodeStatus n = m.node(name);
                    if (n == null) {
                        return Double.NaN;
                    }
                    return n.lastSeenSeconds() == null ? Double.POSITIVE_INFINITY : n.lastSeenSeconds();
                }, "peer", name));
        meters.add(gauge("lcs_config_mismatch",
                "Whether a peer's config/membership hash differs from this node's (1) or not (0); such a peer is not counted.",
                m -> m.node(name) == null ? Double.NaN : (m.node(name).configMatch() ? 0 : 1), "peer", name));
        return meters;
    }

    private List<Meter> registerVipMeters(String vip) {
        List<Meter> meters = new ArrayList<>();
        for (String state : VIP_STATES) {
            meters.add(gauge("lcs_vip_state", "VIP state as seen by this node: 1 for the current state, 0 for the others.",
                    m -> m.vip(vip) == null ? Double.NaN : (state.equals(m.vip(vip).state()) ? 1 : 0),
                    "vip", vip, "state", state));
        }
        meters.add(gauge("lcs_vip_epoch", "Epoch of the VIP: grows by one on every change of owner.",
                m -> m.vip(vip) == null ? Double.NaN : m.vip(vip).epoch(), "vip", vip));
        meters.add(gauge("lcs_vip_lease_remaining_seconds",
                "Seconds left on the VIP's lease (the owner's view on the owner, this acceptor's elsewhere); 0 without a lease.",
                m -> {
                    VipStatus v = m.vip(vip);
                    if (v == null) {
                        return Double.NaN;
                    }
                    return v.leaseRemainingSeconds() == null ? 0 : v.leaseRemainingSeconds();
                }, "vip", vip));
        meters.add(gauge("lcs_vip_conflict", "Whether the VIP is in conflict (1) or not (0).",
                m -> m.vip(vip) == null ? Double.NaN : ("conflict".equals(m.vip(vip).state()) ? 1 : 0), "vip", vip));
        meters.add(FunctionCounter.builder("lcs_vip_failovers_total", this,
                        m -> m.vip(vip) == null ? Double.NaN : m.vip(vip).failovers())
                .description("Times the VIP moved to another owner.").tag("vip", vip).register(registry));
        return meters;
    }

    private Meter gauge(String name, String help, java.util.function.ToDoubleFunction<LcsMetrics> value, String... tags) {
        return Gauge.builder(name, this, value).description(help).tags(tags).strongReference(true).register(registry);
    }

    private void removeVipCountersNotIn(Map<String, VipStatus> vips) {
        leases.entrySet().removeIf(e -> {
            if (vips.containsKey(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue().acquisitions());
            registry.remove(e.getValue().renewalFailures());
            return true;
        });
        hooks.entrySet().removeIf(e -> {
            if (vips.containsKey(e.getKey())) {
                return false;
            }
            for (HookMeters meters : e.getValue().values()) {
                registry.remove(meters.runs());
                registry.remove(meters.failures());
                registry.remove(meters.duration());
            }
            return true;
        });
        // Pre-register the lease counters of present VIPs, so that rate() sees them from 0.
        for (String vip : vips.keySet()) {
            leaseMeters(vip);
        }
    }

    private VipStatus vip(String name) {
        return view.vips().get(name);
    }

    private NodeStatus node(String name) {
        return view.nodes().get(name);
    }

    /** Quorum view for the cluster gauges: NaN until a snapshot exists or if it has no quorum block. */
    private static QuorumValue quorum(LcsMetrics metrics) {
        ClusterStatus status = metrics.view.status();
        return new QuorumValue(status == null ? null : status.quorum());
    }

    private record QuorumValue(ClusterStatus.Quorum quorum) {
        double map(java.util.function.ToDoubleFunction<ClusterStatus.Quorum> f) {
            return quorum == null ? Double.NaN : f.applyAsDouble(quorum);
        }
    }

    private static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
