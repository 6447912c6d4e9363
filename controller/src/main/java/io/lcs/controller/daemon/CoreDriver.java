package io.lcs.controller.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.core.ClusterCore;
import io.lcs.core.CoreEvent;
import io.lcs.core.Ready;
import io.lcs.core.Views.LeaseView;
import io.lcs.core.Views.MembershipView;
import io.lcs.core.Views.PeerView;
import io.lcs.core.WriteOp;
import io.lcs.core.WriteResult;
import io.lcs.model.api.ConflictAck;
import io.lcs.model.api.DesiredStateValidator;
import io.lcs.model.api.HealthCheck;
import io.lcs.model.api.Move;
import io.lcs.model.api.NodeIntent;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ResourceIntent;
import io.lcs.model.api.StoredObject;
import io.lcs.model.api.Service;
import io.lcs.model.api.VirtualIP;
import io.lcs.model.codec.LcsJson;
import io.lcs.model.config.CheckConfig;
import io.lcs.model.config.GroupConfig;
import io.lcs.model.config.GroupRules;
import io.lcs.model.config.Grouping;
import io.lcs.model.config.UnitNames;
import io.lcs.model.net.Cidr;
import io.lcs.model.wire.Message;
import io.lcs.model.wire.WireCodec;
import io.lcs.reconcilers.lease.GroupPlacement;
import io.lcs.reconcilers.check.CheckEligibility;
import io.lcs.reconcilers.lease.Placement;
import io.lcs.reconcilers.runtime.LogThrottle;
import io.lcs.reconcilers.vip.VipHost;
import io.lcs.reconcilers.vip.VipReconciler;
import io.lcs.reconcilers.vip.VipSpec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Runs the sans-I/O {@link ClusterCore} on one Vert.x context: feeds it ticks, frames and writes;
 * applies each {@link Ready} in the order it demands (persist, send, deliver); decides which VIPs
 * this node wants (the lease reconciler: a pure {@link Placement} per VIP) and publishes an
 * immutable {@link NodeSnapshot} for the reconcilers and the API on other threads.
 *
 * <p>Threading: every method except {@link #snapshot()}, {@link #write} and
 * {@link #onFrame} (which hop onto the context) must run on the driver's context.
 */
public final class CoreDriver {
    private static final Logger LOG = System.getLogger("io.lcs.core");
    /** The kind of the replicated record of a detected conflict (written by the node that found it). */
    public static final String CONFLICT_KIND = VipReconciler.CONFLICT_KIND;
    /**
     * The driver ticks the core at its next deadline ({@link ClusterCore#nextDeadlineNanos}), at
     * most this long apart: an idle node wakes a few times a second instead of at a fixed rate.
     */
    static final long MAX_TICK_MILLIS = 250;
    /**
     * A tick that runs this much later than it was due means the event loop (or the whole JVM) stood
     * still that long: one heartbeat interval at the default settings, the least stall that can make
     * a live peer look silent. Such a stall is logged (see {@link #STALL_LOG_EVERY_NANOS}).
     */
    static final long STALL_WARN_NANOS = 250_000_000L;
    /** At most one stall warning per 10 s; the line counts the stalls it stands for and the worst. */
    static final long STALL_LOG_EVERY_NANOS = 10_000_000_000L;

    /**
     * Makes state durable before anything that depends on it leaves the node. Called off the event
     * loop (on the driver's persistence executor), one call at a time; returns once the state is on
     * disk. A call may carry the state of several Readies (see {@link PersistQueue}).
     */
    public interface Durable {
        void persist(List<StoredObject> objects, List<ObjectKey> forget, Map<String, Long> epochs) throws IOException;
    }

    /** The transport as the driver sees it. */
    public interface Outlet {
        boolean send(String peer, byte[] frame);
    }

    private final Vertx vertx;
    private final Context context;
    private final ClusterCore core;
    /** Persists off the event loop and holds what depends on it: see {@link PersistQueue}. */
    private final PersistQueue persistQueue;
    /** A snapshot was due while a persist was pending; published once nothing is held. */
    private boolean publishWanted;
    /** Told the duration of each persist (on the persistence thread). */
    private volatile LongConsumer persistListener = nanos -> { };
    private final Outlet outlet;
    private final EventLog events;
    private final LongSupplier monotonic;
    private final LongSupplier wallMillis;
    /** The lcs.conf VIPs; replaced on reload (on the context), read by snapshot builds (on the context). */
    private List<VipSpec> configVips;
    /** {@link #effectiveVips()} as last computed; null when a VIP source changed since. */
    private List<VipSpec> vipsCache;
    /** {@link #vipsCache} by name; rebuilt with it. */
    private Map<String, VipSpec> vipsByNameCache;
    /** The units of {@link #vipsCache} (which VIPs share a lease); rebuilt with it. */
    private GroupRules.Units unitsCache = GroupRules.Units.EMPTY;
    /** The {@code [group]} sections of lcs.conf by name; replaced on reload. */
    private Map<String, GroupConfig> groups = Map.of();
    /** How long a home node must have been eligible before its resources fail back to it. */
    private long failbackSettleNanos = io.lcs.model.config.ConfigParser.DEFAULT_FAILBACK_SETTLE_MILLIS * 1_000_000L;
    /** Per node eligible to hold resources now: since when without a break (monotonic); context only. */
    private final Map<String, Long> eligibleSince = new HashMap<>();
    private final Map<Long, Promise<WriteResult>> pendingWrites = new HashMap<>();
    /** Writes the core completed, answered once a snapshot that shows them is published. */
    private final List<Completion> completed = new ArrayList<>();
    private final List<Consumer<NodeSnapshot>> snapshotListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<CoreEvent>> eventListeners = new CopyOnWriteArrayList<>();
    private boolean stopping;
    /** A {@link #process} is queued on the context ({@link #processSoon}). */
    private boolean processQueued;
    private final Set<String> declined = new java.util.TreeSet<>();
    /** Per VIP this node holds while its checks fail here, the kind and target it last said (context only). */
    private final Map<String, String> unhealthyHeld = new HashMap<>();
    private volatile NodeSnapshot snapshot;
    private long timerId = -1;
    private long timerAtNanos = Long.MAX_VALUE;
    private boolean running;
    private long lastPlacementNanos;
    /** When the last tick began (monotonic), or MIN_VALUE before the first. */
    private long lastTickNanos = Long.MIN_VALUE;
    private boolean dirty = true;
    /** Frames from peers that did not decode; any thread writes, the scrape reads. */
    private final LongAdder framesDropped = new LongAdder();
    /**
     * Messages whose handling failed with an exception (a bug of ours, or a rule the decoder does not
     * check yet): counted, logged like an undecodable frame, and the node goes on.
     */
    private final LongAdder framesFailed = new LongAdder();
    /** One line per peer per minute for frames that do not decode: a peer's bug must not flood the journal. */
    static final Duration UNDECODABLE_LOG_INTERVAL = Duration.ofMinutes(1);
    private final LogThrottle undecodableLog;
    /** Checks every object a peer sends before the core sees it. */
    private final PeerObjectFilter peerObjects;
    /** This node's copy of a key, for {@link #peerObjects}; one instance, not one per received message. */
    private final java.util.function.Function<ObjectKey, java.util.Optional<StoredObject>> storedCopy;
    /** Every VirtualIP applied through the API (lcs.conf may hide some by name); rebuilt with {@link #vipsCache}. */
    private volatile List<DesiredStateValidator.ApiVip> apiVips = List.of();
    /** Per VIP held out of placement, the VIP that keeps its IP; rebuilt with {@link #vipsCache}. */
    private Map<String, String> addressConflicts = Map.of();
    /** Kinds of records about one VIP, collected when the VIP is deleted ({@link #collectOrphans}). */
    static final List<String> DEPENDENT_KINDS = List.of(CONFLICT_KIND, ConflictAck.KIND, Move.KIND);
    /** A record about a deleted VIP may exist ({@link #collectOrphans}); context only. */
    private boolean orphansSuspected = true;
    /** Records whose deletion is in flight; context only. */
    private final Set<ObjectKey> collecting = new java.util.HashSet<>();
        /** When this lcsd first loaded each lcs.conf VIP (kept while its section stays); context only. */
    private final Map<String, java.time.Instant> configVipSince = new HashMap<>();
    /** The metadata of every VIP in force, by name; rebuilt with {@link #vipsCache}. */
    private volatile Map<String, VipMetadata> vipMetadata = Map.of();

    /**
     * What the API shows of a VIP's metadata besides its name and generation.
     *
     * @param version the replicated object's version; null for an lcs.conf VIP (not replicated)
     * @param created when it was applied; for an lcs.conf VIP, when this lcsd first loaded its section
     */
    public record VipMetadata(Long version, java.time.Instant created) {
    }
    /** Per VIP, the last owner this node knew and its epoch; context only (a target-less move needs it after the release). */
    private final Map<String, OwnerAt> ownersSeen = new HashMap<>();
    /** Told how long the loop could not run each tick ({@link #loopLag}). Context only. */
    private LongConsumer lagListener = lagNanos -> { };
    /** Stalls of at least {@link #STALL_WARN_NANOS} not yet logged, the worst of them, and when the last line was logged. */
    private int stallsUnlogged;
    private long worstStallUnloggedNanos;
    private long stallLoggedAtNanos = Long.MIN_VALUE;

    private record OwnerAt(long epoch, String owner) {
    }

    /** A completed write; {@code persistFailure} is why its state could not be persisted, or null. */
    private record Completion(WriteResult result, String persistFailure) {
    }

    /**
     * A driver that persists on the calling thread and sends what depends on it right after, as in
     * one step: for tests and tools that drive it by hand. lcsd gives a persistence thread instead
     * ({@link #CoreDriver(Vertx, Context, ClusterCore, Durable, java.util.concurrent.Executor, Outlet,
     * EventLog, List, LongSupplier, LongSupplier)}), so that the event loop never waits for the disk.
     */
    public CoreDriver(Vertx vertx, Context context, ClusterCore core, Durable durable, Outlet outlet, EventLog events,
                      List<VipSpec> configVips, LongSupplier monotonic, LongSupplier wallMillis) {
        this(vertx, context, core, durable, Runnable::run, outlet, events, configVips, monotonic, wallMillis);
    }

    /**
     * @param persistExecutor runs {@code durable}, never on the event loop (a single thread is
     *     enough: the driver submits one persist at a time)
     */
    public CoreDriver(Vertx vertx, Context context, ClusterCore core, Durable durable,
                      java.util.concurrent.Executor persistExecutor, Outlet outlet, EventLog events,
                      List<VipSpec> configVips, LongSupplier monotonic, LongSupplier wallMillis) {
        this.vertx = vertx;
        this.context = context;
        this.core = core;
        this.persistQueue = new PersistQueue(durable, persistExecutor, context, new PersistQueue.Sink() {
            @Override
            public void send(Ready.Outbound o) {
                outlet.send(o.to(), WireCodec.encode(o.message()));
            }

            @Override
            public void deliver(CoreEvent e, String persistFailure) {
                if (e instanceof CoreEvent.WriteCompleted wc) {
                    completed.add(new Completion(wc.result(), persistFailure)); // after the next snapshot
                } else {
                    CoreDriver.this.deliver(e);
                }
            }

            @Override
            public void released() {
                process(); // what the events made, and the snapshot that waited for the disk
            }
        }, monotonic, nanos -> persistListener.accept(nanos));
        this.outlet = outlet;
        this.events = events;
        this.configVips = List.copyOf(configVips);
        this.monotonic = monotonic;
        this.wallMillis = wallMillis;
        noteConfigVips();
        Set<String> members = new java.util.HashSet<>();
        for (var m : core.config().members()) {
            members.add(m.name());
        }
        this.peerObjects = new PeerObjectFilter(members, Set.of(CONFLICT_KIND), monotonic::getAsLong);
        this.undecodableLog = new LogThrottle(UNDECODABLE_LOG_INTERVAL, monotonic::getAsLong);
        this.storedCopy = core::stored;
        this.snapshot = buildSnapshot(monotonic.getAsLong());
    }

    /** Starts ticking. Call on the driver's context. */
    public void start() {
        running = true;
        tick();
    }

    public void stop() {
        running = false;
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
            timerId = -1;
        }
    }

    /** Makes sure a tick runs by {@code atNanos} (1 ms .. {@link #MAX_TICK_MILLIS} from now). */
    private void scheduleTick(long atNanos) {
        if (!running) {
            return;
        }
        long now = monotonic.getAsLong();
        long delayMillis = Math.max(1, Math.min(MAX_TICK_MILLIS, (atNanos - now + 999_999) / 1_000_000L));
        long at = now + delayMillis * 1_000_000L;
        if (timerId >= 0 && timerAtNanos <= at) {
            return;
        }
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        timerAtNanos = at;
        timerId = vertx.setTimer(delayMillis, id -> {
            long dueNanos = timerAtNanos;
            timerId = -1;
            timerAtNanos = Long.MAX_VALUE;
            long firedNanos = monotonic.getAsLong();
            // A stall after the previous tick began and before it scheduled this timer (a preempted
            // or paused task) does not make this timer late, but it puts the ticks further apart
            // than the driver ever schedules them.
            long beyondMaxNanos = lastTickNanos == Long.MIN_VALUE ? 0
                    : firedNanos - lastTickNanos - MAX_TICK_MILLIS * 1_000_000L;
            long stalledNanos = Math.max(0, Math.max(firedNanos - dueNanos, beyondMaxNanos));
            loopLag(stalledNanos);
            tick(stalledNanos);
        });
    }

    /**
     * How long the event loop could not run its tick (busy, blocked, or the JVM stopped): how late
     * the tick timer fired, or how much further apart than {@link #MAX_TICK_MILLIS} two ticks were,
     * whichever is more. Reported to the lag listener (a histogram) and, from
     * {@link #STALL_WARN_NANOS} on, logged at most once per {@link #STALL_LOG_EVERY_NANOS}.
     */
    private void loopLag(long lagNanos) {
        lagListener.accept(lagNanos);
        if (lagNanos < STALL_WARN_NANOS) {
            return;
        }
        stallsUnlogged++;
        worstStallUnloggedNanos = Math.max(worstStallUnloggedNanos, lagNanos);
        long now = monotonic.getAsLong();
        if (stallLoggedAtNanos == Long.MIN_VALUE || now - stallLoggedAtNanos >= STALL_LOG_EVERY_NANOS) {
            LOG.log(Level.WARNING, "event loop stalled " + lagNanos / 1_000_000L + " ms (its tick ran that late"
                    + (stallsUnlogged > 1 ? "; " + stallsUnlogged + " stalls of " + STALL_WARN_NANOS / 1_000_000L
                    + " ms or more since the last such line, the worst " + worstStallUnloggedNanos / 1_000_000L + " ms"
                    : "") + "): the machine is overloaded or the JVM paused");
            stallLoggedAtNanos = now;
            stallsUnlogged = 0;
            worstStallUnloggedNanos = 0;
        }
    }

    /**
     * Tells {@code listener}, for each tick, how long in nanoseconds the event loop could not run it:
     * its lag (0 when on time; see {@link #loopLag}). Called on the driver's context; must be cheap
     * and must not block. Set it before {@link #start()}.
     */
    public void onLoopLag(LongConsumer listener) {
        lagListener = java.util.Objects.requireNonNull(listener, "listener");
    }

    public Context context() {
        return context;
    }

    public ClusterCore core() {
        return core;
    }

    public NodeSnapshot snapshot() {
        return snapshot;
    }

    /**
     * Replaces the VIPs that come from lcs.conf (a reload). VIPs that are no longer listed anywhere
     * stop being wanted here, so the VIP reconciler removes their addresses (with hooks) and
     * releases them; VIPs whose spec is equal keep their leases and addresses untouched; a changed
     * spec is picked up by the reconcilers from the next snapshot. On the driver's context.
     */
    public void replaceConfigVips(List<VipSpec> vips) {
        replaceConfig(vips, groups.values());
    }

    /**
     * Replaces the VIPs and the groups that come from lcs.conf (start and reload); as
     * {@link #replaceConfigVips}. A lease whose unit no longer exists (a VIP left or joined a
     * keep-together group) stops being wanted; its members move to their new unit's lease once the
     * old one is released.
     */
    public void replaceConfig(List<VipSpec> vips, java.util.Collection<GroupConfig> newGroups) {
        effectiveVips();
        Set<String> before = new java.util.HashSet<>(unitsCache.byKey().keySet());
        configVips = List.copyOf(vips);
        noteConfigVips();
        Map<String, GroupConfig> g = new LinkedHashMap<>();
        for (GroupConfig group : newGroups) {
            g.put(group.name(), group);
        }
        groups = java.util.Collections.unmodifiableMap(g);
        vipsCache = null;
        effectiveVips();
        long t = monotonic.getAsLong();
        for (String key : before) {
            if (!unitsCache.byKey().containsKey(key) && core.lease(key, t).wanted()) {
                core.setLeaseWanted(key, false, t);
            }
        }
        dirty = true;
        process();
        publish();
    }

    /**
     * How long a home node must have been eligible before a VIP that moves anyway (its owner failed
     * or left) goes there without waiting {@code failback_settle_ms}: long enough that a node whose
     * link flaps is not chosen in one of its up moments, short enough for a failover.
     */
    static final long HOME_MIN_ELIGIBLE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(3);

    /** Sets {@code failback_settle_ms}. On the driver's context. */
    public void setFailbackSettle(java.time.Duration settle) {
        failbackSettleNanos = settle.toNanos();
    }

    /**
     * Deletes the records about a VIP that was deleted through the API (its {@code VirtualIP} is a
     * tombstone here) and that no lcs.conf VIP of this node has the name of: its {@code Conflict},
     * {@code ConflictAck} and {@code Move}. Kept, they would outlive the VIP, and a VIP created
     * later with the same name would start in conflict. A VIP unknown here without a tombstone
     * (e.g. an lcs.conf VIP of another node) is left alone. Runs on a node with quorum after such a
     * record or a VirtualIP deletion arrives; a record being deleted is not asked for twice. On the
     * context.
     */
    private void collectOrphans() {
        effectiveVips();
        for (String kind : DEPENDENT_KINDS) {
            for (StoredObject o : core.objects(kind)) {
                String vip = o.body().path("spec").path("vip").asText(o.key().name());
                if (vipsByNameCache.containsKey(vip) || collecting.contains(o.key())) {
                    continue;
                }
                boolean vipDeleted = core.stored(new ObjectKey(VirtualIP.KIND, vip)).map(StoredObject::deleted)
                        .orElse(false) || core.stored(new ObjectKey(Service.KIND, vip)).map(StoredObject::deleted)
                        .orElse(false);
                if (!vipDeleted) {
                    continue;
                }
                ObjectKey key = o.key();
                collecting.add(key);
                long id = core.submit(new WriteOp.Delete(key), monotonic.getAsLong());
                Promise<WriteResult> done = Promise.promise();
                pendingWrites.put(id, done);
                done.future().onComplete(ar -> {
                    collecting.remove(key);
                    WriteResult.Outcome outcome = ar.succeeded() ? ar.result().outcome() : null;
                    if (outcome == WriteResult.Outcome.DELETED) {
                        LOG.log(Level.INFO, "collected " + key + ": resource " + vip + " was deleted");
                    } else if (outcome != WriteResult.Outcome.NOT_FOUND) {
                        orphansSuspected = true; // try again at a later tick
                        LOG.log(Level.DEBUG, "could not collect " + key + " yet: "
                                + (ar.succeeded() ? ar.result().outcome() + " " + ar.result().message() : ar.cause()));
                    }
                });
            }
        }
        processSoon();
    }

    /** Remembers when each lcs.conf VIP was first loaded; forgets removed ones. On the context. */
    private void noteConfigVips() {
        java.time.Instant now = java.time.Instant.ofEpochMilli(wallMillis.getAsLong());
        Set<String> names = new java.util.HashSet<>();
        for (VipSpec v : configVips) {
            names.add(v.name());
            configVipSince.putIfAbsent(v.name(), now);
        }
        configVipSince.keySet().retainAll(names);
    }

    /** The metadata of VIP {@code name} in force (see {@link VipMetadata}), or null. Any thread. */
    public VipMetadata vipMetadata(String name) {
        return vipMetadata.get(name);
    }

    /** The VIPs from lcs.conf now in force. On the driver's context. */
    public List<VipSpec> configVips() {
        return configVips;
    }

    /** Called with every new snapshot, on the driver's context; must not block. */
    public void onSnapshot(Consumer<NodeSnapshot> listener) {
        snapshotListeners.add(listener);
    }

    /** Called with every core event (write completions excepted), on the driver's context; must not block. */
    public void onEvent(Consumer<CoreEvent> listener) {
        eventListeners.add(listener);
    }

    /**
     * Stops wanting any lease (SIGTERM): the core stops renewing and the VIP reconciler removes the
     * addresses and releases. On the context.
     */
    public void shutdown() {
        stopping = true;
        long now = monotonic.getAsLong();
        for (VipSpec v : snapshot.vips()) {
            core.setLeaseWanted(snapshot.units().leaseKey(v.name()), false, now);
            declined.add(v.name());
        }
        // Tell the peers right away that this node takes no VIP, so their placement picks another
        // node now and it acquires the moment our release arrives, not when our lease would end.
        core.setDeclined(declined);
        core.heartbeatNow();
        core.tick(now, wallMillis.getAsLong());
        process();
        publish();
    }

    /**
     * An authenticated connection with {@code peer} came up: this node heartbeats now (to every
     * peer) instead of at its next interval, up to a heartbeat interval later. A peer counts this
     * node online, and so in its quorum and its lease rounds, only from a heartbeat, so at a cold
     * start the first lease waited for that interval (0-250 ms at the defaults) after the
     * connection. A connection is a rare event: one extra heartbeat each. Any thread; nothing once
     * stopped.
     */
    public void onPeerConnected(String peer) {
        context.runOnContext(v -> {
            if (running) {
                core.heartbeatNow();
                tick();
            }
        });
    }

    /** A frame from an authenticated peer; any thread. */
    public void onFrame(String peer, byte[] frame) {
        Message m;
        try {
            m = WireCodec.decode(frame);
        } catch (WireCodec.WireFormatException e) {
            framesDropped.increment();
            long suppressed = undecodableLog.permit(peer);
            if (suppressed >= 0) {
                LOG.log(Level.WARNING, LogThrottle.withSuppressed(
                        "dropped a frame from " + peer + ": " + e.getMessage(), suppressed));
            }
            return;
        }
        if (Context.isOnEventLoopThread() && Vertx.currentContext() == context) {
            receive(peer, m);
        } else {
            context.runOnContext(v -> receive(peer, m));
        }
    }

    /** Hands a peer's message to the core, without the objects {@link PeerObjectFilter} refuses. On the context. */
    private void receive(String peer, Message m) {
        try {
            Message admitted = peerObjects.admit(peer, m, storedCopy);
            if (admitted != null) {
                if (admitted instanceof Message.Heartbeat hb && hb.checks() != null) {
                    dirty = true; // a peer's health changed: placement runs again on this tick
                }
                core.receive(peer, admitted, monotonic.getAsLong());
                processSoon();
            }
        } catch (RuntimeException e) {
            framesFailed.increment();
            long suppressed = undecodableLog.permit(peer);
            if (suppressed >= 0) {
                LOG.log(Level.ERROR, LogThrottle.withSuppressed("a " + m.getClass().getSimpleName() + " from " + peer
                        + " failed: " + e + " (a bug: please report it with this line)", suppressed), e);
            }
            processSoon(); // what the message changed before it failed goes out too
        }
    }

    /** Objects from {@code peer} dropped at the boundary for {@code reason} ({@link PeerObjectFilter.Reason} label); any thread. */
    public long peerObjectsRejected(String peer, String reason) {
        return peerObjects.rejected(peer, PeerObjectFilter.Reason.valueOf(reason.toUpperCase(java.util.Locale.ROOT)));
    }

    /** The {@code reason} labels of {@link #peerObjectsRejected}. */
    public static List<String> peerObjectRejectReasons() {
        List<String> out = new ArrayList<>();
        for (PeerObjectFilter.Reason r : PeerObjectFilter.Reason.values()) {
            out.add(r.label());
        }
        return out;
    }

    /** Every VirtualIP applied through the API as last seen (lcs.conf may hide some); any thread. */
    public List<DesiredStateValidator.ApiVip> apiVips() {
        return apiVips;
    }

    /**
     * Processes what the core produced once, after every frame that is ready now was received: the
     * frames of one event-loop turn share one drain, so one persist (one fsync) for all their new
     * epochs, one batch of replies per peer and one snapshot, instead of one of each per frame.
     * Nothing leaves the core before its drain, so the replies still wait for their persist.
     */
    private void processSoon() {
        if (!processQueued) {
            processQueued = true;
            context.runOnContext(v -> {
                processQueued = false;
                process();
            });
        }
    }

    /** Frames that did not decode, for metrics. */
    public long framesDropped() {
        return framesDropped.sum();
    }

    /** Messages whose handling failed, for metrics. */
    public long framesFailed() {
        return framesFailed.sum();
    }

    /** Starts a replicated write; any thread. Completes on the driver's context. */
    public Future<WriteResult> write(WriteOp op) {
        Promise<WriteResult> promise = Promise.promise();
        context.runOnContext(v -> {
            long id = core.submit(op, monotonic.getAsLong());
            pendingWrites.put(id, promise);
            processSoon();
        });
        return promise.future();
    }

    /** The VIPs this node declines (a hook failed); announced to peers. On the context. */
    public void setDeclined(String vip, boolean decline) {
        boolean changed = decline ? declined.add(vip) : declined.remove(vip);
        if (changed) {
            core.setDeclined(declined);
            dirty = true;
            scheduleTick(0);
        }
    }

    /**
     * This node's health-check results ({@link io.lcs.controller.check.CheckRunner}): handed to the
     * core, which announces them to the peers at once, and placement runs again. Any thread.
     */
    public void setCheckReports(List<Message.CheckReport> reports) {
        context.runOnContext(v -> {
            core.setCheckReports(reports);
            dirty = true;
            scheduleTick(0);
        });
    }

    /** Gives up a VIP's lease (its unit's) after its address is down. On the context. */
    public void release(String vip) {
        effectiveVips();
        core.release(unitsCache.leaseKey(vip), monotonic.getAsLong());
        processSoon(); // the releases of one reconcile pass (up to every VIP) leave as one batch
    }

    /** Runs {@code action} on the driver's context. */
    public void run(Runnable action) {
        context.runOnContext(v -> action.run());
    }

    /**
     * This driver as the {@link VipReconciler} sees it: callable from any thread; releases and
     * declines hop onto the driver's context in call order, writes complete there.
     */
    public VipHost vipHost() {
        return new VipHost() {
            @Override
            public VipHost.Snapshot snapshot() {
                return new ReconcilerSnapshot(CoreDriver.this.snapshot());
            }

            @Override
            public void release(String vip) {
                run(() -> CoreDriver.this.release(vip));
            }

            @Override
            public void setDeclined(String vip, boolean declined) {
                run(() -> CoreDriver.this.setDeclined(vip, declined));
            }

            @Override
            public CompletionStage<VipHost.WriteOutcome> write(VipHost.Put put) {
                return CoreDriver.this.write(new WriteOp.Put(put.key(), put.body())).toCompletionStage()
                        .thenApply(r -> new VipHost.WriteOutcome(r.outcome().succeeded(), r.message()));
            }
        };
    }

    /** {@code s} as the {@link VipReconciler} reads it. */
    static VipHost.Snapshot reconcilerView(NodeSnapshot s) {
        return new ReconcilerSnapshot(s);
    }

    /**
     * A {@link NodeSnapshot} as the {@link VipReconciler} reads it: a view, not a copy; a lease is
     * converted when the reconciler looks it up (a few per reconcile), so publishing a snapshot
     * costs nothing more for 1,000 VIPs.
     */
    private record ReconcilerSnapshot(NodeSnapshot snapshot) implements VipHost.Snapshot {
        @Override
        public long takenAtNanos() {
            return snapshot.takenAtNanos();
        }

        @Override
        public List<VipSpec> vips() {
            return snapshot.vips();
        }

        @Override
        public VipSpec vip(String name) {
            return snapshot.vip(name);
        }

        @Override
        public VipHost.Lease lease(String vip) {
            LeaseView l = snapshot.lease(vip);
            return new VipHost.Lease(l.held(), l.wanted(), l.heldEpoch(), l.heldRemainingNanos(), l.highestEpoch());
        }

        @Override
        public Map<String, Long> conflicts() {
            return snapshot.conflicts();
        }

        @Override
        public Map<String, String> addressConflicts() {
            return snapshot.addressConflicts();
        }

        @Override
        public boolean stopped(String vip) {
            return snapshot.stopped().contains(vip);
        }

        @Override
        public List<String> unitMembers(String vip) {
            GroupRules.Unit u = snapshot.units().unitOf(vip);
            return u == null ? List.of(vip) : u.members();
        }

        @Override
        public boolean onCycle(String vip) {
            GroupRules.Unit u = snapshot.units().unitOf(vip);
            return u != null && u.blocked().contains(vip);
        }
    }

    void tick() {
        tick(0);
    }

    /**
     * Ticks the core; {@code stalledNanos} is how long the loop could not run this tick
     * ({@link #loopLag}), so the core does not take the loop's own stall for its peers' silence
     * ({@link ClusterCore#tick(long, long, long)}).
     */
    private void tick(long stalledNanos) {
        long now = monotonic.getAsLong();
        lastTickNanos = now;
        core.tick(now, wallMillis.getAsLong(), stalledNanos);
        process();
        if (orphansSuspected && core.hasQuorum()) {
            orphansSuspected = false;
            collectOrphans();
        }
        // the lease reconciler is cheap but not free: on changes, else once per heartbeat interval
        long placementEvery = core.config().heartbeatMillis() * 1_000_000L;
        if (dirty || now - lastPlacementNanos >= placementEvery) {
            reconcileLeases(now);
            process();
        }
        if (now - snapshot.takenAtNanos() >= placementEvery) {
            publish(); // grants renewed by other owners raise no event here; keep status fresh
        }
        scheduleTick(Math.min(core.nextDeadlineNanos(now), lastPlacementNanos + placementEvery));
    }

    /**
     * Applies everything the core produced, in the order {@link Ready} demands: each Ready goes to
     * the {@link PersistQueue}, which persists off the event loop and releases messages and events
     * once what they depend on is durable (at once when nothing needs persisting). Write completions
     * come last, after the snapshot that shows the write ({@link #publish}): a client that reads (or
     * writes again, which is checked against that snapshot's VIPs) right after "created" sees its
     * object.
     */
    private void process() {
        boolean changed = publishWanted;
        for (int round = 0; round < 16; round++) { // bounded: delivering events can make more output
            Ready r = core.drain();
            if (r.isEmpty()) {
                break;
            }
            // messages alone (heartbeats, replies) change nothing the snapshot shows
            changed |= !r.events().isEmpty() || r.needsPersist();
            persistQueue.accept(r);
        }
        if (changed || !completed.isEmpty()) {
            publish(); // once for all rounds: a snapshot is O(VIPs) to build and to route
        }
        if (dirty) {
            scheduleTick(0); // something changed: let placement look at it now, not at the next deadline
        }
    }

    /**
     * Messages dropped, not sent, because too many Readies waited for the disk
     * ({@link PersistQueue#MAX_HELD_READIES}); any thread.
     */
    public long messagesDroppedWaitingForDisk() {
        return persistQueue.messagesDropped();
    }

    /** Persists started so far (several Readies may share one); for tests. */
    public long persists() {
        return persistQueue.persists();
    }

    /**
     * Tells {@code listener} the duration, in nanoseconds, of each persist; called on the
     * persistence thread, must be cheap. Set it before {@link #start()}.
     */
    public void onPersist(LongConsumer listener) {
        persistListener = java.util.Objects.requireNonNull(listener, "listener");
    }

    private void deliver(CoreEvent e) {
        dirty = true;
        for (Consumer<CoreEvent> l : eventListeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                eventsFailed.increment();
                LOG.log(Level.ERROR, "event listener failed on " + e.getClass().getSimpleName(), ex);
            }
        }
        try {
            handle(e);
        } catch (RuntimeException ex) {
            // a bug here must not stop what follows: the persist queue releases the next batches
            // (and the writes that clients wait for) only after this returns
            eventsFailed.increment();
            LOG.log(Level.ERROR, "internal error handling " + e.getClass().getSimpleName() + " (counted in"
                    + " lcs_core_events_failed_total; please report it): " + ex, ex);
        }
    }

    /** Core events whose handling threw (a bug; logged with its stack trace and skipped). */
    public long eventsFailed() {
        return eventsFailed.sum();
    }

    private final java.util.concurrent.atomic.LongAdder eventsFailed = new java.util.concurrent.atomic.LongAdder();

    private void handle(CoreEvent e) {
        if (e instanceof CoreEvent.PeerUp u) {
            events.append("PeerUp", "node/" + u.peer(), u.restarted() ? "peer restarted" : "peer online");
            LOG.log(Level.INFO, "peer " + u.peer() + " up" + (u.restarted() ? " (restarted)" : ""));
        } else if (e instanceof CoreEvent.PeerDown d) {
            events.append("PeerDown", "node/" + d.peer(), d.reason());
            LOG.log(Level.WARNING, "peer " + d.peer() + " down: " + d.reason());
        } else if (e instanceof CoreEvent.ConfigMismatch m) {
            events.append("ConfigMismatch", "node/" + m.peer(), "membership hash differs: theirs "
                    + Long.toHexString(m.theirHash()) + ", ours " + Long.toHexString(core.config().configHash())
                    + "; the peer is not counted until [cluster] name, lease_ms and the [node] sections match");
            LOG.log(Level.WARNING, "peer " + m.peer() + " has a different configuration (membership hash "
                    + Long.toHexString(m.theirHash()) + " vs ours " + Long.toHexString(core.config().configHash())
                    + "): not counted");
        } else if (e instanceof CoreEvent.QuorumChanged q) {
            events.append(q.present() ? "QuorumGained" : "QuorumLost", "cluster",
                    q.votesSeen() + " votes seen, " + q.votesNeeded() + " needed");
            LOG.log(q.present() ? Level.INFO : Level.WARNING, (q.present() ? "quorum gained: " : "quorum lost: ")
                    + q.votesSeen() + " votes seen, " + q.votesNeeded() + " needed");
        } else if (e instanceof CoreEvent.LeaseAcquired a) {
            events.append("LeaseAcquired", leaseObject(a.vip()), "lease acquired at epoch " + a.epoch());
            LOG.log(Level.INFO, "vip " + a.vip() + ": lease acquired, epoch " + a.epoch());
        } else if (e instanceof CoreEvent.LeaseLost l) {
            events.append("LeaseLost", leaseObject(l.vip()), "epoch " + l.epoch() + ": " + l.reason());
            LOG.log(Level.WARNING, "vip " + l.vip() + ": lease lost at epoch " + l.epoch() + ": " + l.reason());
        } else if (e instanceof CoreEvent.LeaseReleased l) {
            events.append("LeaseReleased", leaseObject(l.vip()), "released at epoch " + l.epoch());
            LOG.log(Level.INFO, "vip " + l.vip() + ": lease released, epoch " + l.epoch());
        } else if (e instanceof CoreEvent.SuspendDetected s) {
            events.append("SuspendDetected", "cluster", "wall clock ran " + s.gapMillis()
                    + " ms ahead of the monotonic clock: leases dropped");
            LOG.log(Level.WARNING, "suspend detected (" + s.gapMillis() + " ms): every lease dropped");
        } else if (e instanceof CoreEvent.BadMessage b) {
            LOG.log(Level.WARNING, "dropped a message from peer " + b.peer() + ": " + b.reason());
        } else if (e instanceof CoreEvent.LeaseTableFull f) {
            // the core reports this once until the table has room again; every refusal is counted
            events.append("LeaseTableFull", "VirtualIP/" + f.vip(), "lease table full (" + f.limit()
                    + " entries): this node neither asks for nor votes on the lease");
            LOG.log(Level.WARNING, "lease table full (" + f.limit() + " entries): vip " + f.vip() + " and any other"
                    + " new one get no lease entry here until idle entries are collected"
                    + " (lcs_core_lease_entries_refused_total counts them)");
        } else if (e instanceof CoreEvent.SyncPaced p) {
            LOG.log(Level.INFO, "anti-entropy with " + p.peer() + " paced: " + p.objectsPending()
                    + " objects to send at " + p.budgetBytes() / 1024 + " KiB per heartbeat interval");
        } else if (e instanceof CoreEvent.ObjectChanged c) {
            StoredObject now = c.now();
            if (now.key().kind().equals(ResourceIntent.KIND)) {
                // a deletion (lcs start, lcs clear) is a tombstone: no body
                JsonNode spec = now.deleted() || now.body() == null ? com.fasterxml.jackson.databind.node.MissingNode
                        .getInstance() : now.body().path("spec");
                boolean stopped = spec.path("stopped").asBoolean(false);
                boolean blocked = spec.path("homeBlocked").asBoolean(false);
                NodeSnapshot before = snapshot;
                VipSpec resource = vipsByNameCache == null ? null : vipsByNameCache.get(now.key().name());
                String object = (resource == null ? VirtualIP.KIND : resource.kind()) + "/" + now.key().name();
                if (stopped != before.stopped().contains(now.key().name())) {
                    events.append(stopped ? "Stopped" : "Started", object, stopped
                            ? "stopped by an operator: runs nowhere until lcs start" : "started again by an operator");
                    LOG.log(Level.INFO, "vip " + now.key().name() + (stopped ? " stopped" : " started") + " by an operator");
                }
                if (blocked != before.homeBlocked().contains(now.key().name())) {
                    events.append(blocked ? "FailbackBlocked" : "FailbackAllowed", object, blocked
                            ? "moved away from its home node: no failback until a move home or lcs clear"
                            : "may fail back to its home node again");
                }
            }
            boolean resource = now.key().kind().equals(VirtualIP.KIND) || now.key().kind().equals(Service.KIND);
            if (resource || now.key().kind().equals(HealthCheck.KIND)) {
                vipsCache = null;
            }
            if ((resource && now.deleted())
                    || (!now.deleted() && DEPENDENT_KINDS.contains(now.key().kind()))) {
                orphansSuspected = true;
            }
            LOG.log(Level.DEBUG, "object " + now.key() + " now at " + now.version() + (now.deleted() ? " (deleted)"
                    : ""));
        }
    }

    /** The event object of a lease: the VIP, or the unit ({@code Unit/group:NAME}) of several. */
    private String leaseObject(String key) {
        return key.indexOf(':') >= 0 ? "Unit/" + key : "VirtualIP/" + key;
    }

    /**
     * Builds and hands out a new snapshot, unless a persist is pending: the core may then hold state
     * that is not on disk yet (a lease acquired at an epoch being persisted, an object being
     * written), and no reconciler or client may act on it before it is. It is published as soon as
     * everything held was released.
     */
    private void publish() {
        if (!persistQueue.idle()) {
            publishWanted = true;
            return;
        }
        publishWanted = false;
        snapshot = buildSnapshot(monotonic.getAsLong());
        for (Consumer<NodeSnapshot> l : snapshotListeners) {
            try {
                l.accept(snapshot);
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "snapshot listener failed", ex);
            }
        }
        List<Completion> done = List.copyOf(completed);
        completed.clear();
        for (Completion c : done) {
            Promise<WriteResult> p = pendingWrites.remove(c.result().requestId());
            if (p != null && c.persistFailure() != null) {
                p.fail(new IllegalStateException("the write could not be persisted: " + c.persistFailure()));
            } else if (p != null) {
                p.complete(c.result());
            }
        }
    }

    /** The lease reconciler: for each VIP, want its lease iff placement picks this node. */
    private void reconcileLeases(long now) {
        dirty = false;
        lastPlacementNanos = now;
        if (stopping) {
            return;
        }
        NodeSnapshot s = snapshot;
        noteEligible(s.membership(), now);
        Map<String, String> desired = desiredOwners(s, now);
        boolean changed = false;
        for (VipSpec vip : s.vips()) {
            if (!vip.checks().isEmpty()) {
                healthEvents(s, vip, desired.get(s.units().leaseKey(vip.name())));
            }
        }
        List<String> take = new ArrayList<>();
        for (Map.Entry<String, String> e : desired.entrySet()) {
            boolean want = core.self().equals(e.getValue());
            if (want) {
                take.add(e.getKey()); // in placement order
            } else if (core.lease(e.getKey(), now).wanted()) {
                core.setLeaseWanted(e.getKey(), false, now);
                changed = true;
            }
        }
        for (String key : take) {
            // Strict anti-affinity, enforced where it matters: this node never wants a unit while it
            // holds or wants another of the same strict group, whatever its view of the others says.
            String clash = strictAntiAffinityClash(s, key, now);
            boolean want = clash == null;
            if (core.lease(key, now).wanted() != want) {
                core.setLeaseWanted(key, want, now);
                changed = true;
            }
        }
        if (changed) {
            publish(); // the VIP reconciler acts on "wanted" too
        }
    }

    /** Who should hold {@code vip} (its unit) as this node sees it, or null (no quorum, conflict, nobody eligible). */
    String desiredOwner(NodeSnapshot s, VipSpec vip, long now) {
        return desiredOwners(s, now).get(s.units().leaseKey(vip.name()));
    }

    /**
     * Per unit (lease key), who should hold it as this node sees it, or null; in placement order.
     * Each unit is placed by {@link GroupPlacement} from its members' candidacies: a member that is
     * stopped, in conflict or on a dependency cycle does not count (it runs nowhere).
     */
    Map<String, String> desiredOwners(NodeSnapshot s, long now) {
        MembershipView m = s.membership();
        Map<String, String> out = new LinkedHashMap<>();
        List<GroupPlacement.UnitView> views = new ArrayList<>();
        Map<String, Grouping> groupings = new HashMap<>();
        for (VipSpec v : s.vips()) {
            groupings.putIfAbsent(v.name(), v.grouping());
        }
        java.util.Comparator<String> byPriority = GroupRules.byPriority(groupings);
        for (GroupRules.Unit u : s.units().byKey().values()) {
            if (!m.quorum()) {
                out.put(u.key(), null);
                continue;
            }
            Map<String, List<Placement.Candidate>> candidates = new LinkedHashMap<>();
            for (String member : u.members()) {
                if (s.vip(member) != null && runs(s, u, member)) {
                    candidates.put(member, candidates(s, m, member, now));
                }
            }
            List<String> ranked = new ArrayList<>(candidates.keySet());
            ranked.sort(byPriority);
            String anchor = ranked.isEmpty() ? u.members().get(0) : ranked.get(0);
            LeaseView lease = s.lease(anchor);
            String owner = lease.knownOwner(core.self());
            String moveTo = null;
            String moveAway = null;
            String home = null;
            boolean blocked = false;
            for (String member : ranked) {
                String move = s.moves().get(member);
                if (move != null && moveTo == null && moveAway == null) {
                    moveTo = move.isEmpty() ? null : move;
                    // away from the owner the move was requested under, which is no longer known once it released
                    moveAway = move.isEmpty() ? s.movesAwayFrom().getOrDefault(member, owner) : null;
                }
                if (home == null && s.vip(member).grouping().homeNode() != null) {
                    home = s.vip(member).grouping().homeNode();
                }
                blocked |= s.homeBlocked().contains(member);
            }
            Set<String> anti = new java.util.TreeSet<>();
            for (String member : u.members()) {
                GroupConfig g = groupOf(s, member);
                if (g != null && !g.keepTogether()) {
                    anti.add(g.name());
                }
            }
            // no home for a node that only just came up (it may be flapping): a VIP placed anew goes
            // home once it has been eligible HOME_MIN_ELIGIBLE, a sticky one after failback_settle_ms
            String homeNode = blocked || home == null
                    || !eligibleFor(home, now, Math.min(HOME_MIN_ELIGIBLE_NANOS, failbackSettleNanos)) ? null : home;
            boolean stopWhenNoHealthyNode = false;
            for (String member : ranked) {
                stopWhenNoHealthyNode |= s.vip(member).stopWhenNoHealthyNode();
            }
            views.add(new GroupPlacement.UnitView(u.key(), groupings.getOrDefault(anchor, Grouping.NONE)
                    .effectivePriority(), candidates, u.strict(), s.vip(anchor) == null ? List.of()
                    : s.vip(anchor).preferredNodes(), owner, moveTo, moveAway, homeNode,
                    homeNode != null && settled(homeNode, now), anti,
                    stopWhenNoHealthyNode));
        }
        out.putAll(GroupPlacement.place(views, s.groups()));
        return out;
    }

    /** Whether {@code member} of {@code u} should run at all: not stopped, not in conflict, not on a cycle. */
    static boolean runs(NodeSnapshot s, GroupRules.Unit u, String member) {
        return !s.stopped().contains(member) && !s.conflicts().containsKey(member)
                && !s.addressConflicts().containsKey(member) && !u.blocked().contains(member);
    }

    private static GroupConfig groupOf(NodeSnapshot s, String member) {
        VipSpec v = s.vip(member);
        String g = v == null ? null : v.grouping().group();
        return g == null ? null : s.groups().get(g);
    }

    /** One member's candidacy on each node, in membership order. */
    private List<Placement.Candidate> candidates(NodeSnapshot s, MembershipView m, String vip, long now) {
        List<Placement.Candidate> candidates = new ArrayList<>();
        for (PeerView p : m.nodes()) {
            List<String> declinedBy = s.declined().getOrDefault(p.name(), List.of());
            VipSpec spec = s.vip(vip);
            String unhealthy = spec == null || spec.checks().isEmpty() ? null
                    : CheckEligibility.problem(spec.checks(), s.checkReports().getOrDefault(p.name(), Map.of()));
            candidates.add(new Placement.Candidate(p.name(), p.fullMember(), p.online(),
                    p.self() ? core.restarting(now) : p.restarting(), s.cordoned().contains(p.name()),
                    s.draining().contains(p.name()), declinedBy.contains(vip), unhealthy == null, unhealthy));
        }
        return candidates;
    }

    /** Tracks since when each node has been eligible (full member, online, not restarting) without a break. */
    private void noteEligible(MembershipView m, long now) {
        for (PeerView p : m.nodes()) {
            boolean eligible = p.fullMember() && p.online() && !(p.self() ? core.restarting(now) : p.restarting());
            if (eligible) {
                eligibleSince.putIfAbsent(p.name(), now);
            } else {
                eligibleSince.remove(p.name());
            }
        }
    }

    /** {@code node} has been eligible for {@code failback_settle_ms}. */
    private boolean settled(String node, long now) {
        return eligibleFor(node, now, failbackSettleNanos);
    }

    /** {@code node} has been eligible, without a break, for {@code nanos} (as this node saw it). */
    private boolean eligibleFor(String node, long now, long nanos) {
        Long since = eligibleSince.get(node);
        return since != null && now - since >= nanos;
    }

    /** {@link GroupPlacement#strictClash} on this node's leases. */
    private String strictAntiAffinityClash(NodeSnapshot s, String key, long now) {
        return GroupPlacement.strictClash(key, s.units(), s.groups(), member -> {
            VipSpec v = s.vip(member);
            return v == null ? null : v.grouping().group();
        }, other -> {
            LeaseView l = core.lease(other, now);
            return l.held() || l.wanted();
        });
    }

    /**
     * Says once (event and log) when this node holds a VIP whose checks fail here: it hands the VIP
     * over to {@code desired}, or keeps it because no node passes them, or stops it ({@code
     * on_no_healthy_node = stop}); and once when its checks pass again. On the context.
     */
    private void healthEvents(NodeSnapshot s, VipSpec vip, String desired) {
        LeaseView lease = s.lease(vip.name());
        String problem = lease.held()
                ? CheckEligibility.problem(vip.checks(), s.checkReports().getOrDefault(core.self(), Map.of())) : null;
        String type = problem == null ? null : desired == null ? "NoHealthyNodeStopped"
                : desired.equals(core.self()) ? "NoHealthyNode" : "CheckHandover";
        // said once per kind and target: the reason's wording may change with every check run
        String key = type == null ? null : type + "/" + desired;
        String before = key == null ? unhealthyHeld.remove(vip.name()) : unhealthyHeld.put(vip.name(), key);
        if (key != null && !key.equals(before)) {
            String said = switch (type) {
                case "NoHealthyNodeStopped" -> "no node passes its checks (here: " + problem
                        + "): stopping it (on_no_healthy_node = stop)";
                case "NoHealthyNode" -> "kept on this node although its checks fail here (" + problem
                        + "): no other node passes them";
                default -> "checks fail here (" + problem + "): handing over to " + desired;
            };
            events.append(type, "VirtualIP/" + vip.name(), said);
            LOG.log(Level.WARNING, "vip " + vip.name() + ": " + said);
        } else if (key == null && before != null && lease.held()) {
            events.append("ChecksPassing", "VirtualIP/" + vip.name(), "its checks pass on this node again");
            LOG.log(Level.INFO, "vip " + vip.name() + ": checks pass on this node again");
        }
    }

    private NodeSnapshot buildSnapshot(long now) {
        List<VipSpec> vips = effectiveVips();
        Map<String, LeaseView> leases = new LinkedHashMap<>();
        for (VipSpec v : vips) {
            LeaseView l = core.lease(unitsCache.leaseKey(v.name()), now);
            leases.put(v.name(), l);
            String owner = l.knownOwner(core.self());
            OwnerAt seen = ownersSeen.get(v.name());
            if (owner != null && (seen == null || seen.epoch() != l.knownEpoch() || !seen.owner().equals(owner))) {
                ownersSeen.put(v.name(), new OwnerAt(l.knownEpoch(), owner));
                if (seen != null) {
                    // on every node, so a watcher (the web console) of any node sees a move or failover
                    events.append("OwnerChanged", "VirtualIP/" + v.name(), "owner " + owner + " at epoch "
                            + l.knownEpoch() + " (was " + seen.owner() + " at epoch " + seen.epoch() + ")");
                }
            }
        }
        ownersSeen.keySet().retainAll(leases.keySet());
        Map<String, Long> ackEpochs = new HashMap<>();
        for (StoredObject o : core.objects(ConflictAck.KIND)) {
            JsonNode spec = o.body().path("spec");
            ackEpochs.merge(spec.path("vip").asText(), spec.path("epoch").asLong(0), Math::max);
        }
        Map<String, Long> conflicts = new TreeMap<>();
        for (StoredObject o : core.objects(CONFLICT_KIND)) {
            JsonNode spec = o.body().path("spec");
            String vip = spec.path("vip").asText();
            long epoch = spec.path("epoch").asLong(0);
            if (ackEpochs.getOrDefault(vip, -1L) < epoch) {
                conflicts.put(vip, epoch);
            }
        }
        Map<String, String> moves = new TreeMap<>();
        Map<String, String> movesAwayFrom = new TreeMap<>();
        for (StoredObject o : core.objects(Move.KIND)) {
            JsonNode spec = o.body().path("spec");
            String vip = spec.path("vip").asText();
            LeaseView l = leases.get(vip);
            // A move applies to the ownership it was requested under: once a later epoch exists, it is
            // spent. Not "once knownEpoch differs": the old owner's release clears every grant (knownEpoch
            // drops to 0), and the target must still see the move then, or it never acquires and the
            // old owner takes the VIP back at the next epoch.
            if (l != null && spec.path("fromEpoch").asLong(-1) >= Math.max(l.knownEpoch(), l.highestEpoch())) {
                String to = spec.path("to").asText("");
                moves.put(vip, to);
                OwnerAt from = ownersSeen.get(vip);
                if (to.isEmpty() && from != null && from.epoch() == spec.path("fromEpoch").asLong(-1)) {
                    movesAwayFrom.put(vip, from.owner());
                }
            }
        }
        List<String> cordoned = new ArrayList<>();
        List<String> draining = new ArrayList<>();
        for (StoredObject o : core.objects(NodeIntent.KIND)) {
            JsonNode spec = o.body().path("spec");
            if (spec.path("cordoned").asBoolean(false) || spec.path("drain").asBoolean(false)) {
                cordoned.add(o.key().name());
            }
            if (spec.path("drain").asBoolean(false)) {
                draining.add(o.key().name());
            }
        }
        Set<String> stopped = new java.util.TreeSet<>();
        Set<String> homeBlocked = new java.util.TreeSet<>();
        for (StoredObject o : core.objects(ResourceIntent.KIND)) {
            JsonNode spec = o.body().path("spec");
            if (spec.path("stopped").asBoolean(false)) {
                stopped.add(o.key().name());
            }
            if (spec.path("homeBlocked").asBoolean(false)) {
                homeBlocked.add(o.key().name());
            }
        }
        Map<String, List<String>> declinedBy = new HashMap<>();
        for (var member : core.config().members()) {
            List<String> d = core.declined(member.name());
            if (!d.isEmpty()) {
                declinedBy.put(member.name(), d);
            }
        }
        Map<String, Map<String, Message.CheckReport>> checkReports = new HashMap<>();
        for (var member : core.config().members()) {
            List<Message.CheckReport> r = core.checkReports(member.name());
            if (!r.isEmpty()) {
                checkReports.put(member.name(), CheckEligibility.byName(r));
            }
        }
        return new NodeSnapshot(now, core.self(), core.membership(now), vips, leases, conflicts, moves, movesAwayFrom,
                cordoned, draining, declinedBy, vipsByNameCache, addressConflicts, unitsCache, groups,
                Set.copyOf(stopped), Set.copyOf(homeBlocked), checkReports);
    }

    /**
     * lcs.conf VIPs first (they win on a name clash), then VIPs applied through the API. Cached:
     * rebuilt only after a VirtualIP object or the config VIPs changed, not on every snapshot.
     */
    private List<VipSpec> effectiveVips() {
        if (vipsCache == null) {
            vipsCache = List.copyOf(buildEffectiveVips());
            vipsByNameCache = NodeSnapshot.index(vipsCache);
            List<GroupRules.Member> members = new ArrayList<>(vipsCache.size());
            for (VipSpec v : vipsCache) {
                members.add(new GroupRules.Member(v.name(), v.grouping()));
            }
            unitsCache = GroupRules.units(members, groups);
        }
        return vipsCache;
    }

    private List<VipSpec> buildEffectiveVips() {
        List<VipSpec> out = new ArrayList<>(configVips);
        Set<String> names = new java.util.HashSet<>();
        Map<String, Cidr> configAddresses = new HashMap<>();
        for (VipSpec v : configVips) {
            names.add(v.name());
            if (!v.isService()) {
                configAddresses.put(v.name(), v.address());
            }
        }
        Map<String, VipMetadata> metadata = new HashMap<>();
        for (VipSpec v : configVips) {
            metadata.putIfAbsent(v.name(), new VipMetadata(null, configVipSince.get(v.name())));
        }
        List<DesiredStateValidator.ApiVip> all = new ArrayList<>();
        List<DesiredStateValidator.ApiVip> placed = new ArrayList<>();
        List<StoredObject> objects = new ArrayList<>(core.objects(VirtualIP.KIND));
        objects.addAll(core.objects(Service.KIND));
        for (StoredObject o : objects) {
            String name = o.key().name();
            VipSpec spec;
            try {
                spec = fromObject(o);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "ignoring replicated " + o.key().kind() + " " + name + ": " + e.getMessage());
                continue;
            }
            JsonNode created = o.body().path("metadata").get("creationTimestamp");
            DesiredStateValidator.ApiVip api = new DesiredStateValidator.ApiVip(name, spec.address(),
                    created == null || !created.isTextual() ? null : created.asText(), spec.grouping(), spec.checks(),
                    spec.hasUnit() ? spec.systemdUnit() : null);
            all.add(api);
            if (names.add(name)) { // lcs.conf VIPs win on a name clash; then a VirtualIP over a Service
                out.add(spec);
                placed.add(api);
                metadata.put(name, new VipMetadata(o.version().counter(), instantOrNull(created)));
            }
        }
        apiVips = List.copyOf(all);
        vipMetadata = Map.copyOf(metadata);
        Map<String, String> configUnits = new HashMap<>();
        for (VipSpec v : configVips) {
            if (v.hasUnit()) {
                configUnits.put(v.name(), v.systemdUnit());
            }
        }
        // a VIP that shares its IP, a service that shares its unit: held out alike (the keeper's name)
        Map<String, String> heldOut = new java.util.TreeMap<>(DesiredStateValidator.addressConflicts(configAddresses,
                placed));
        heldOut.putAll(DesiredStateValidator.unitConflicts(configUnits, placed));
        updateAddressConflicts(heldOut, out);
        rebuildChecks(out);
        return out;
    }

    /**
     * The API's HealthChecks (lcs.conf's {@code [check]} of the same name wins), and the checks the
     * VIPs list now, handed to {@link #onChecks} when they changed. On the context.
     */
    private void rebuildChecks(List<VipSpec> vips) {
        Set<String> configNames = new java.util.HashSet<>();
        for (CheckConfig c : configChecks) {
            configNames.add(c.name());
        }
        List<CheckConfig> api = new ArrayList<>();
        Set<String> apiNames = new java.util.TreeSet<>();
        for (StoredObject o : core.objects(HealthCheck.KIND)) {
            apiNames.add(o.key().name());
            if (configNames.contains(o.key().name())) {
                continue;
            }
            CheckConfig c;
            try {
                c = LcsJson.json().treeToValue(o.body(), HealthCheck.class).toCheckConfig();
            } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
                c = null;
            }
            if (c == null) {
                LOG.log(Level.WARNING, "ignoring replicated HealthCheck " + o.key().name() + ": not a valid check");
                continue;
            }
            api.add(c);
        }
        apiChecks = List.copyOf(api);
        apiCheckNames = java.util.Collections.unmodifiableSet(apiNames);
        Set<String> listed = new java.util.HashSet<>();
        for (VipSpec v : vips) {
            listed.addAll(v.checks());
        }
        List<CheckConfig> wanted = new ArrayList<>();
        for (CheckConfig c : configChecks) {
            if (listed.contains(c.name())) {
                wanted.add(c);
            }
        }
        for (CheckConfig c : api) {
            if (listed.contains(c.name())) {
                wanted.add(c);
            }
        }
        if (!wanted.equals(checksWanted)) {
            checksWanted = List.copyOf(wanted);
            onChecks.accept(checksWanted);
        }
    }

    /** lcs.conf's {@code [check]} sections in force; set by lcsd at start and on reload. */
    private volatile List<CheckConfig> configChecks = List.of();
    /** The API's valid HealthChecks that lcs.conf does not hide; rebuilt with the VIPs. */
    private volatile List<CheckConfig> apiChecks = List.of();
    /** The names of every HealthCheck applied through the API; rebuilt with the VIPs. */
    private volatile Set<String> apiCheckNames = Set.of();
    /** The checks some VIP lists, as last handed to {@link #onChecks}. */
    private List<CheckConfig> checksWanted = List.of();
    private volatile java.util.function.Consumer<List<CheckConfig>> onChecks = c -> { };

    /**
     * Sets lcs.conf's {@code [check]} sections (start, reload) and who is told, on the context, the
     * checks the VIPs list whenever that changes (lcsd: its check runner). Call on the context.
     */
    public void checks(List<CheckConfig> fromConfig, java.util.function.Consumer<List<CheckConfig>> listener) {
        configChecks = List.copyOf(fromConfig);
        onChecks = java.util.Objects.requireNonNull(listener, "listener");
        checksWanted = null; // tell the listener at the next rebuild, even if nothing changed
        vipsCache = null;
        effectiveVips();
    }

    /** The API's HealthChecks that lcs.conf does not hide, as last rebuilt; any thread. */
    public List<CheckConfig> apiChecks() {
        return apiChecks;
    }

    /** The names of every HealthCheck applied through the API, as last rebuilt; any thread. */
    public Set<String> apiCheckNames() {
        return apiCheckNames;
    }

    /**
     * Holds out of placement every VIP whose IP another VIP keeps (see
     * {@link DesiredStateValidator#addressConflicts}: every node decides alike), and says so once
     * when that starts and when it ends. On the context.
     */
    private void updateAddressConflicts(Map<String, String> now, List<VipSpec> vips) {
        Map<String, String> before = addressConflicts;
        addressConflicts = Map.copyOf(now);
        for (VipSpec v : vips) {
            String winner = now.get(v.name());
            String was = before.get(v.name());
            // a service is held out for its unit, a VIP for its address: the same rule, other words
            String what = v.isService() ? "unit" : "address";
            String event = v.isService() ? "UnitConflict" : "AddressConflict";
            if (winner != null && !winner.equals(was)) {
                String why = what + " " + (v.isService() ? v.systemdUnit() : v.address().addressText()) + " is also "
                        + v.kind() + " " + winner + "'s, which keeps it (lcs.conf first, then the earliest created):"
                        + " held out of placement until one of them is deleted or changes its " + what;
                events.append(event, v.kind() + "/" + v.name(), why);
                LOG.log(Level.WARNING, (v.isService() ? "service " : "vip ") + v.name() + ": " + why);
            } else if (winner == null && was != null) {
                events.append(event + "Resolved", v.kind() + "/" + v.name(), "its " + what + " is its own again");
                LOG.log(Level.INFO, (v.isService() ? "service " : "vip ") + v.name() + ": " + what + " conflict with " + was
                        + " resolved");
            }
        }
    }

    private static java.time.Instant instantOrNull(JsonNode text) {
        try {
            return text == null || !text.isTextual() ? null : java.time.Instant.parse(text.asText());
        } catch (java.time.format.DateTimeParseException e) {
            return null; // checked when the object was accepted; an unreadable time shows as unknown
        }
    }

    /**
     * The VipSpec of a replicated VirtualIP or Service. A peer's input: a Service's unit is checked
     * again here ({@link UnitNames}), since this node asks systemd to start it.
     *
     * @throws IllegalArgumentException if the object is not a resource lcs can run
     */
    static VipSpec fromObject(StoredObject o) {
        JsonNode spec = o.body().path("spec");
        JsonNode hooks = spec.path("hooks");
        List<String> preferred = new ArrayList<>();
        spec.path("preferredNodes").forEach(n -> preferred.add(n.asText()));
        List<String> dependsOn = new ArrayList<>();
        spec.path("dependsOn").forEach(n -> dependsOn.add(n.asText()));
        JsonNode priority = spec.get("priority");
        Grouping grouping = new Grouping(text(spec, "group"), priority != null && priority.canConvertToInt()
                ? priority.asInt() : null, text(spec, "homeNode"), dependsOn);
        List<String> checks = new ArrayList<>();
        spec.path("checks").forEach(n -> checks.add(n.asText()));
        if (o.key().kind().equals(Service.KIND)) {
            JsonNode unitNode = spec.get("systemdUnit");
            if (unitNode == null || unitNode.isNull()) { // a service that is only its hooks
                if (text(hooks, "preStart") == null) {
                    throw new IllegalArgumentException("spec.hooks.preStart: a service without a unit needs it");
                }
                return VipSpec.hookOnly(o.key().name(), List.copyOf(preferred), text(hooks, "preStart"),
                        text(hooks, "postStart"), text(hooks, "preStop"), text(hooks, "postStop"), "api",
                        o.body().path("metadata").path("generation").asLong(0), grouping, List.copyOf(checks),
                        "stop".equals(text(spec, "onNoHealthyNode")));
            }
            String unit = unitNode.asText("");
            String problem = UnitNames.problem(unit);
            if (problem != null) {
                throw new IllegalArgumentException("spec.systemdUnit: " + problem);
            }
            return VipSpec.service(o.key().name(), unit, List.copyOf(preferred), text(hooks, "preStart"),
                    text(hooks, "postStart"), text(hooks, "preStop"), text(hooks, "postStop"), "api",
                    o.body().path("metadata").path("generation").asLong(0), grouping, List.copyOf(checks),
                    "stop".equals(text(spec, "onNoHealthyNode")));
        }
        return new VipSpec(o.key().name(), Cidr.parse(spec.path("address").asText()),
                spec.path("interface").asText(), List.copyOf(preferred), text(hooks, "preStart"),
                text(hooks, "postStart"), text(hooks, "preStop"), text(hooks, "postStop"), "api",
                o.body().path("metadata").path("generation").asLong(0), grouping, List.copyOf(checks),
                "stop".equals(text(spec, "onNoHealthyNode")), null, spec.path("announce").asBoolean(true));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
    }
}
