package io.lcs.controller.metrics;

import io.lcs.model.status.ClusterStatus;
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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
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
 * <p><b>Series that follow the cluster.</b> Quorum, per-node, per-peer and per-VIP series and the
 * per-VIP lease and hook counters are not meters: {@link StatusSeries}, a collector on the
 * Prometheus registry, produces them at scrape time from one {@link ClusterStatus} snapshot and the
 * {@link VipCounters} (plain longs per VIP). So they cost no heap between scrapes (the ~19,000
 * meters of 1,000 VIPs on 5 nodes with one hook event each retained ~13 MiB), the series of a removed VIP or node disappear and
 * new ones appear with the next scrape, and the exposition is the same as when they were meters
 * (checked byte for byte by {@code LcsMetricsGoldenTest}). The counters of a removed VIP are
 * dropped at the next scrape or {@link #refreshMeters()}.
 *
 * <p><b>Threads and cost.</b> {@link #scrape} is serialized by a lock and allocates (about 40
 * short-lived data points per VIP on 5 nodes, plus the text), which is why {@link MetricsServer}
 * renders on a worker thread. {@link #refreshMeters()} never waits for a scrape in progress. The
 * recording methods ({@link #leaseAcquired}, {@link #leaseRenewalFailed}, {@link #recordReconcile},
 * {@link #reconcileFailed}, {@link #recordHook}) are thread-safe, take no lock shared with the
 * scrape beyond one VIP's uncontended monitor and, once the VIP (and hook event) has been counted, do
 * not allocate (a map lookup and an add). Frame counters are never touched on the I/O path: the
 * transport's own counters are read through the {@link LongSupplier}s at scrape time.
 *
 * <p><b>Values.</b> {@code lcs_vip_lease_remaining_seconds} is 0 when there is no lease;
 * {@code lcs_peer_rtt_seconds} is NaN while unknown; {@code lcs_peer_last_seen_seconds} is +Inf for a
 * peer never heard from.
 */
public final class LcsMetrics {

    /** The VIP states of {@code lcs_vip_state}, one series each (1 for the current state). */
    public static final List<String> VIP_STATES = List.of("active", "pending", "conflict", "stopped", "failed");
    /** The role name of nodes that may own VIPs. */
    public static final String FULL_MEMBER = "full-member";
    /** The content type of the Prometheus text format 0.0.4. */
    public static final String TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** The content type of OpenMetrics text 1.0.0. */
    public static final String OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /** A rendered scrape: the body and the content type it is in. */
    public record Exposition(String contentType, String body) {
    }

    private record FrameSeries(LongSupplier sent, LongSupplier received, Meter sentMeter, Meter receivedMeter) {
    }

    private record RejectedSeries(LongSupplier count, Meter meter) {
    }

    private record ReconcileMeters(Timer duration, Counter errors) {
    }

    private final PrometheusMeterRegistry registry;
    private final Supplier<ClusterStatus> statusSource;
    /** Serializes snapshot capture and rendering, so the gauges of one scrape read one snapshot. */
    private final ReentrantLock scrapeLock = new ReentrantLock();
    /** Serializes (un)registration of the transport's function counters. */
    private final Object transportLock = new Object();

    private final Map<String, FrameSeries> frames = new ConcurrentHashMap<>();
    private final Map<String, FrameSeries> bytes = new ConcurrentHashMap<>();
    private final Map<String, RejectedSeries> rejected = new ConcurrentHashMap<>();
    private final Map<String, RejectedSeries> connectionsRejected = new ConcurrentHashMap<>();
    private final Map<String, RejectedSeries> peerObjectsRejected = new ConcurrentHashMap<>();
    /** The cluster core's limit counters by name; holds the suppliers Micrometer holds weakly. */
    private final Map<String, RejectedSeries> coreCounters = new ConcurrentHashMap<>();
    private final Map<String, ReconcileMeters> reconcilers = new ConcurrentHashMap<>();
    /** Lease and hook counters by VIP name; entries of VIPs absent from the status are dropped. */
    private final ConcurrentMap<String, VipCounters> vipCounters = new ConcurrentHashMap<>();
    private final StatusSeries statusSeries;
    private final LongSupplier nanoTime;
    /** The HTTP servers' suppliers, held strongly: Micrometer holds a meter's state object weakly. */
    private final List<Object> httpSuppliers = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param cluster the cluster name, the {@code cluster} label of every series
     * @param version lcsd's version, the {@code version} label of {@code lcs_build_info}
     * @param statusSource the current status; called once per scrape and per {@link #refreshMeters()}
     *     on the calling thread (for scrapes, a worker thread): must be cheap, thread-safe (e.g. return
     *     an immutable snapshot published through a volatile field) and never return null
     */
    public LcsMetrics(String cluster, String version, Supplier<ClusterStatus> statusSource) {
        this(cluster, version, statusSource, System::nanoTime);
    }

    /** As {@link #LcsMetrics(String, String, Supplier)}, with the monotonic clock of the hook durations' windowed max. */
    LcsMetrics(String cluster, String version, Supplier<ClusterStatus> statusSource, LongSupplier nanoTime) {
        Objects.requireNonNull(cluster, "cluster");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        Objects.requireNonNull(version, "version");
        this.statusSource = Objects.requireNonNull(statusSource, "statusSource");
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("cluster", cluster);

        statusSeries = new StatusSeries(cluster, this.statusSource, vipCounters, nanoTime);
        registry.getPrometheusRegistry().register(statusSeries);

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
    }

    /** The registry, for binders the daemon adds itself; do not scrape it directly (use {@link #scrape}). */
    public MeterRegistry meterRegistry() {
        return registry;
    }

    /**
     * Reads the status once and drops the lease and hook counters of VIPs no longer in it (their
     * series would not be rendered anyway). Idempotent and cheap. The daemon calls it when the set of
     * VIPs changes; every {@link #scrape} does the same. Returns at once if a scrape is in progress.
     */
    public void refreshMeters() {
        if (scrapeLock.tryLock()) {
            try {
                ClusterStatus status = Objects.requireNonNull(statusSource.get(), "status supplier returned null");
                Set<String> present = new HashSet<>();
                if (status.vips() != null) {
                    for (VipStatus vip : status.vips()) {
                        present.add(vip.name());
                    }
                }
                statusSeries.pruneCounters(present);
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
        registerReasonCounter(rejected, "lcs_transport_frames_rejected_total", "Frames received and rejected, by reason.",
                reason, count);
    }

    /**
     * Exposes the transport's count of inbound connections closed at accept for one reason (not a
     * member's address, per-source or total handshake limit) as
     * {@code lcs_transport_connections_rejected_total{reason}}; read at scrape time. Replaces an
     * earlier registration for the same reason.
     */
    public void registerConnectionsRejected(String reason, LongSupplier count) {
        registerReasonCounter(connectionsRejected, "lcs_transport_connections_rejected_total",
                "Inbound peer connections closed at accept, before any handshake, by reason.", reason, count);
    }

    private void registerReasonCounter(Map<String, RejectedSeries> series, String name, String description,
                                       String reason, LongSupplier count) {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(count, "count");
        synchronized (transportLock) {
            RejectedSeries old = series.remove(reason);
            if (old != null) {
                registry.remove(old.meter());
            }
            Meter meter = FunctionCounter.builder(name, count, LongSupplier::getAsLong)
                    .description(description).tag("reason", reason)
                    .register(registry);
            series.put(reason, new RejectedSeries(count, meter));
        }
    }

    /**
     * Exposes how many objects peer {@code peer} sent that the boundary dropped for {@code reason}
     * (unknown kind, bad name, oversized, invalid, skewed version...) as
     * {@code lcs_peer_objects_rejected_total{peer,reason}}; read at scrape time. Replaces an earlier
     * registration for the same peer and reason.
     */
    public void registerPeerObjectsRejected(String peer, String reason, LongSupplier count) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(count, "count");
        synchronized (transportLock) {
            String key = peer + "/" + reason;
            RejectedSeries old = peerObjectsRejected.remove(key);
            if (old != null) {
                registry.remove(old.meter());
            }
            Meter meter = FunctionCounter.builder("lcs_peer_objects_rejected_total", count, LongSupplier::getAsLong)
                    .description("Replicated objects received from a peer and dropped unstored, by reason.")
                    .tag("peer", peer).tag("reason", reason).register(registry);
            peerObjectsRejected.put(key, new RejectedSeries(count, meter));
        }
    }

    // ---- cluster core ---------------------------------------------------------------------------

    /**
     * Exposes a counter of the cluster core (a limit hit, a message dropped) as
     * {@code lcs_core_<name>_total}; read at scrape time, so the supplier must be safe to call from
     * the scraping thread and monotonic. Replaces an earlier registration of the same name.
     */
    public void registerCoreCounter(String name, String description, LongSupplier count) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(count, "count");
        synchronized (transportLock) {
            RejectedSeries old = coreCounters.remove(name);
            if (old != null) {
                registry.remove(old.meter());
            }
            Meter meter = FunctionCounter.builder("lcs_core_" + name + "_total", count, LongSupplier::getAsLong)
                    .description(description).register(registry);
            coreCounters.put(name, new RejectedSeries(count, meter));
        }
    }

    // ---- leases ---------------------------------------------------------------------------------

    /** Counts one lease acquisition of {@code vip} by this node ({@code lcs_lease_acquisitions_total}). */
    public void leaseAcquired(String vip) {
        counters(vip).leaseAcquired();
    }

    /** Counts one failed lease renewal of {@code vip} ({@code lcs_lease_renewal_failures_total}). */
    public void leaseRenewalFailed(String vip) {
        counters(vip).leaseRenewalFailed();
    }

    private VipCounters counters(String vip) {
        Objects.requireNonNull(vip, "vip");
        VipCounters c = vipCounters.get(vip);
        return c != null ? c : vipCounters.computeIfAbsent(vip, v -> new VipCounters());
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

    // ---- event loop -----------------------------------------------------------------------------

    /**
     * The buckets of {@code lcs_event_loop_lag_seconds} and {@code lcs_state_persist_seconds}: 1 ms
     * to 5 s. An idle loop's timer runs within a millisecond or two and a sync of an idle disk takes a
     * few; 250 ms is the heartbeat interval (a stall that long can make a live peer look silent), 1 s
     * the peer timeout, 2 s the default lease.
     */
    static final List<java.time.Duration> LATENCY_BUCKETS = List.of(java.time.Duration.ofMillis(1),
            java.time.Duration.ofMillis(5), java.time.Duration.ofMillis(10), java.time.Duration.ofMillis(25),
            java.time.Duration.ofMillis(50), java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(250),
            java.time.Duration.ofMillis(500), java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(2),
            java.time.Duration.ofSeconds(5));

    /** Registered on the first recording, so a registry without an event loop shows no empty family. */
    private volatile Timer eventLoopLag;
    /** Registered on the first recording, like {@link #eventLoopLag}. */
    private volatile Timer statePersist;

    /**
     * Records how late one tick of the event loop ran ({@code lcs_event_loop_lag_seconds}, a
     * histogram): the time the loop could not run it. Lock-free and allocation-free after the first
     * call; called on the event loop.
     */
    public void recordEventLoopLag(long lagNanos) {
        Timer t = eventLoopLag;
        if (t == null) {
            eventLoopLag = t = latencyHistogram("lcs_event_loop_lag_seconds",
                    "How late the event loop ran its ticks: time it was busy, blocked or paused.");
        }
        t.record(lagNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Records one persist of the state directory ({@code lcs_state_persist_seconds}, a histogram):
     * the objects and epochs of one or more coalesced batches written and synced to disk, off the
     * event loop. Called on the persistence thread.
     */
    public void recordStatePersist(long durationNanos) {
        Timer t = statePersist;
        if (t == null) {
            statePersist = t = latencyHistogram("lcs_state_persist_seconds",
                    "Duration of each write of state to disk (objects and epochs, synced), off the event loop.");
        }
        t.record(durationNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Exposes the count of messages dropped because too many batches waited for the disk
     * ({@code lcs_state_persist_messages_dropped_total}); read at scrape time, must be thread-safe.
     */
    public void registerMessagesDroppedWaitingForDisk(LongSupplier count) {
        FunctionCounter.builder("lcs_state_persist_messages_dropped_total", count, LongSupplier::getAsLong)
                .description("Messages to peers dropped, not sent, because too many batches waited for the disk.")
                .register(registry);
        heldMessagesDropped = count; // Micrometer holds the supplier weakly
    }

    /** Held strongly for {@link #registerMessagesDroppedWaitingForDisk}. */
    private LongSupplier heldMessagesDropped;

    /**
     * Exposes how many log lines found a throttle's key table full ({@code
     * lcs_log_throttle_overflows_total}; {@code LogThrottle.keyTableOverflows()}); read at scrape time.
     */
    public void registerLogThrottleOverflows(LongSupplier count) {
        FunctionCounter.builder("lcs_log_throttle_overflows_total", count, LongSupplier::getAsLong)
                .description("Log lines that found a rate limit's table of sources full and shared one line per"
                        + " interval with every other such source.")
                .register(registry);
        heldThrottleOverflows = count; // Micrometer holds the supplier weakly
    }

    /** Held strongly for {@link #registerLogThrottleOverflows}. */
    private LongSupplier heldThrottleOverflows;

    /**
     * Exposes how many log lines did not reach the system log ({@code lcs_log_syslog_dropped_total}:
     * its queue was full or logger(1) was down); read at scrape time.
     */
    public void registerSyslogDropped(LongSupplier count) {
        FunctionCounter.builder("lcs_log_syslog_dropped_total", count, LongSupplier::getAsLong)
                .description("Log lines not sent to the system log (syslog = true): its queue of 1000 lines was full"
                        + " or logger(1) was not running.")
                .register(registry);
        heldSyslogDropped = count; // Micrometer holds the supplier weakly
    }

    /** Held strongly for {@link #registerSyslogDropped}. */
    private LongSupplier heldSyslogDropped;

    /** A timer exposed as a histogram with {@link #LATENCY_BUCKETS}; registering twice returns the first. */
    private Timer latencyHistogram(String name, String help) {
        return Timer.builder(name).description(help)
                .serviceLevelObjectives(LATENCY_BUCKETS.toArray(java.time.Duration[]::new)).register(registry);
    }

    // ---- hooks ----------------------------------------------------------------------------------

    /**
     * Records one run of the {@code event} hook ({@code pre_start}, {@code post_start},
     * {@code pre_stop}, {@code post_stop}) of {@code vip}: {@code lcs_hook_runs_total},
     * {@code lcs_hook_duration_seconds}, and {@code lcs_hook_failures_total} when it failed (non-zero
     * exit, timeout, could not start).
     */
    public void recordHook(String vip, String event, long durationNanos, boolean succeeded) {
        Objects.requireNonNull(event, "event");
        counters(vip).hookRan(event, durationNanos, succeeded, nanoTime.getAsLong());
    }

    /**
     * Counts one hook of {@code vip} not run because its file may not run as a hook
     * ({@code lcs_hook_refused_total{vip,event,reason}}; it is also one failed run of
     * {@link #recordHook}). A counter per VIP, event and reason that occurred: refusals are rare.
     */
    public void hookRefused(String vip, String event, String reason) {
        Counter.builder("lcs_hook_refused_total")
                .description("Hooks not run because the file may not run as a hook (owner, permissions, hook_dirs).")
                .tag("vip", vip).tag("event", event).tag("reason", reason).register(registry).increment();
    }

    // ---- health checks --------------------------------------------------------------------------

    /**
     * Records one run of health check {@code check} on this node: {@code lcs_check_duration_seconds{check}}
     * (a summary: count and sum, plus its max). Whether it passes is {@code lcs_check_up{check,node}},
     * read from the status at scrape time for every node.
     */
    public void recordCheck(String check, long durationNanos) {
        Timer.builder("lcs_check_duration_seconds").description("Duration of health check runs on this node.")
                .tag("check", check).register(registry).record(durationNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Counts one run of {@code check} skipped ({@code lcs_check_runs_skipped_total{check,reason}}):
     * {@code concurrency} when every check worker was busy (the runner's limit), {@code still_running}
     * when its previous run had not ended.
     */
    public void checkSkipped(String check, String reason) {
        Counter.builder("lcs_check_runs_skipped_total")
                .description("Health check runs skipped: every check worker busy (concurrency) or the previous run still going.")
                .tag("check", check).tag("reason", reason).register(registry).increment();
    }

    // ---- HTTP servers ---------------------------------------------------------------------------

    /**
     * Exposes one of lcsd's HTTP servers' bounds ({@code server} = {@code admin} or {@code metrics}):
     * {@code lcs_http_connections{server}}, the connections open now, and
     * {@code lcs_http_rejected_total{server,reason}}, connections and requests closed or refused by a
     * limit (reasons: {@code connection_limit}, {@code source_limit}, {@code evicted},
     * {@code header_timeout}, {@code body_too_large}, and for the admin API {@code watch_limit},
     * {@code watch_evicted}). Read at scrape time; the suppliers must be thread-safe.
     */
    public void registerHttpServer(String server, IntSupplier open, Map<String, LongSupplier> rejected) {
        Objects.requireNonNull(server, "server");
        httpSuppliers.add(open);
        Gauge.builder("lcs_http_connections", open, IntSupplier::getAsInt)
                .description("Connections open on one of lcsd's HTTP servers.").tag("server", server).register(registry);
        rejected.forEach((reason, count) -> {
            httpSuppliers.add(count);
            FunctionCounter.builder("lcs_http_rejected_total", count, LongSupplier::getAsLong)
                    .description("Connections and requests of lcsd's HTTP servers closed or refused by a limit, by reason.")
                    .tag("server", server).tag("reason", reason).register(registry);
        });
    }

    /**
     * Exposes {@code lcs_admin_requests_refused_total{reason}}: admin API requests refused for want of
     * the admin token ({@code no_token}) or with a wrong one ({@code wrong_token}). Read at scrape time.
     */
    public void registerAdminRefusals(Map<String, LongSupplier> refused) {
        refused.forEach((reason, count) -> {
            httpSuppliers.add(count);
            FunctionCounter.builder("lcs_admin_requests_refused_total", count, LongSupplier::getAsLong)
                    .description("Admin API requests refused: no admin token, or a wrong one.").tag("reason", reason)
                    .register(registry);
        });
    }

    /**
     * Exposes {@code lcs_background_tasks_rejected_total{kind}}: hooks ({@code pre_start},
     * {@code pre_stop}, {@code post_start}, {@code post_stop}) and announcements the bounded hook pool
     * refused because its queue was full. Read at scrape time; the suppliers must be thread-safe.
     */
    public void registerBackgroundRejected(Map<String, LongSupplier> rejected) {
        rejected.forEach((kind, count) -> {
            httpSuppliers.add(count); // held strongly: Micrometer holds the supplier weakly
            FunctionCounter.builder("lcs_background_tasks_rejected_total", count, LongSupplier::getAsLong)
                    .description("Hooks and announcements refused by the bounded hook pool (queue full), by kind.")
                    .tag("kind", kind).register(registry);
        });
    }

    /**
     * Exposes {@code lcs_hook_skipped_total{event,reason}}: hooks not run or cut short, e.g. a
     * {@code pre_stop} when no lease was left ({@code lease_lost}) or when the stop budget of
     * SIGTERM was used up ({@code stop_budget}). Read at scrape time.
     */
    public void registerHooksSkipped(String event, String reason, LongSupplier count) {
        httpSuppliers.add(count);
        FunctionCounter.builder("lcs_hook_skipped_total", count, LongSupplier::getAsLong)
                .description("Hooks not run or cut short: no lease left, or the stop budget used up.")
                .tag("event", event).tag("reason", reason).register(registry);
    }

    /**
     * Exposes {@code lcs_vip_short_lease_skips_total{action}}: adds ({@code add}, once per wait) and
     * kernel lifetime refreshes ({@code refresh}, each) of held VIPs held back because less than a
     * whole second of lease was left to promise the kernel (a skipped refresh lets the address
     * lapse); and {@code lcs_vip_addresses_lapsed_total}: addresses found gone from the kernel while
     * their lease was held, once per lapse (added again as soon as possible). Both stay 0 on a
     * healthy node. Read at scrape time.
     */
    public void registerVipLeaseShortfalls(LongSupplier addSkips, LongSupplier refreshSkips, LongSupplier lapsed) {
        httpSuppliers.add(addSkips);
        httpSuppliers.add(refreshSkips);
        httpSuppliers.add(lapsed);
        String what = "Adds (once per wait) and kernel lifetime refreshes of held VIPs held back: too little lease left"
                + " for a whole second.";
        FunctionCounter.builder("lcs_vip_short_lease_skips_total", addSkips, LongSupplier::getAsLong)
                .description(what).tag("action", "add").register(registry);
        FunctionCounter.builder("lcs_vip_short_lease_skips_total", refreshSkips, LongSupplier::getAsLong)
                .description(what).tag("action", "refresh").register(registry);
        FunctionCounter.builder("lcs_vip_addresses_lapsed_total", lapsed, LongSupplier::getAsLong)
                .description("VIP addresses found gone from the kernel while their lease was held, once per lapse.")
                .register(registry);
    }

    /** Exposes the stops of a service's unit after which it still ran as {@code lcs_service_unit_stop_failures_total}. */
    public void registerUnitStopFailures(LongSupplier failures) {
        httpSuppliers.add(failures);
        FunctionCounter.builder("lcs_service_unit_stop_failures_total", failures, LongSupplier::getAsLong)
                .description("Stops of a service's systemd unit after which it still ran (the job failed or did not end);"
                        + " the lease is not released (it is renewed for its stop grace) and the stop is tried again.")
                .register(registry);
    }

    /**
     * Exposes {@code lcs_vip_add_failures_total}: adds of a held VIP's address that failed, each try:
     * refused by the kernel (two refusals in a row at one epoch decline the VIP on this node and
     * release its lease) or not run or not confirmed by ip (tried again). 0 on a healthy node. Read
     * at scrape time.
     */
    public void registerVipAddFailures(LongSupplier failures) {
        httpSuppliers.add(failures);
        FunctionCounter.builder("lcs_vip_add_failures_total", failures, LongSupplier::getAsLong)
                .description("Adds of a held VIP's address that failed (refused by the kernel, or not run or confirmed"
                        + " by ip); two refusals in a row decline the VIP here.")
                .register(registry);
    }
}
