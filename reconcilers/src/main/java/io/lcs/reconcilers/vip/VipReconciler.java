package io.lcs.reconcilers.vip;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.codec.LcsJson;
import io.lcs.reconcilers.hook.HookInvocation;
import io.lcs.reconcilers.hook.HookResult;
import io.lcs.reconcilers.hook.HookRunner;
import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.net.ActuatorException;
import io.lcs.reconcilers.net.ChangeRefusedException;
import io.lcs.reconcilers.net.AddressChange;
import io.lcs.reconcilers.net.AddressNotFoundException;
import io.lcs.reconcilers.net.InterfaceAddress;
import io.lcs.reconcilers.net.LinkState;
import io.lcs.reconcilers.net.NetworkActuator;
import io.lcs.reconcilers.net.ProbeResult;
import io.lcs.reconcilers.service.ServiceDecisions;
import io.lcs.reconcilers.service.ServiceUnits;
import io.lcs.reconcilers.service.UnitState;
import io.lcs.reconcilers.runtime.LogThrottle;
import io.lcs.reconcilers.runtime.Reconciler;
import io.lcs.reconcilers.runtime.Result;
import io.lcs.reconcilers.vip.VipHost.Lease;
import io.lcs.reconcilers.vip.VipHost.Snapshot;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Converges one VIP's address and hooks on this node toward its lease (level-triggered, one VIP
 * key per call, never one key on two workers): the address reconciler and the hook reconciler of
 * docs/architecture.md, sequenced per VIP because their steps must happen in order.
 *
 * <ul>
 *   <li>Lease held at epoch e and wanted: activate once per epoch — check the link, probe for a
 *       duplicate, run {@code pre_start}, add the address with a lifetime of the whole seconds
 *       left on the lease minus {@link #SLACK_NANOS}, announce, then {@code post_start} (async);
 *       afterwards refresh the lifetime on every renewal.</li>
 *   <li>Otherwise, if the address is here: {@code pre_stop} (bounded by what is left of the lease),
 *       remove, {@code post_stop} (async), and release the lease if still held.</li>
 *   <li>An address found here that this node never added and holds no lease for, or a probe that
 *       answers, is a conflict: recorded cluster-wide (a replicated {@code Conflict} object) until
 *       an operator acknowledges it.</li>
 * </ul>
 * Every effect is fenced: just before it, the lease must still be held at the same epoch with
 * enough time left, otherwise the step is dropped and the next reconcile starts over.
 *
 * <p><b>Batching</b> ({@link #enableBatching}, what lcsd uses): with 1,000 VIPs, a process per
 * VIP per renewal is thousands of processes a second. Batching changes three things. Renewals: a
 * reconcile only records the lifetime it wants; one batch task a short gather time later refreshes
 * every recorded VIP with one {@link NetworkActuator#apply} (a listing and one {@code ip -batch}).
 * Activations of VIPs without a {@code pre_start} hook: recorded the same way; the batch task checks
 * each interface once, probes all of them at once ({@link NetworkActuator#probeDuplicates}), adds
 * the free ones in one {@link NetworkActuator#apply} and announces them in one
 * {@link NetworkActuator#announceAll}. Presence checks read a listing per interface at most
 * {@link #LISTING_MAX_AGE} old, updated by this node's own adds and removes. The batch task holds
 * each VIP's lock (the one its reconcile holds) while it acts on it and re-checks the fence under
 * it, so a batched refresh or add can never follow that VIP's removal. VIPs with a
 * {@code pre_start} hook are activated one by one as without batching.
 */
public final class VipReconciler implements Reconciler<String> {
    private static final Logger LOG = System.getLogger("io.lcs.vip");
    private static final ObjectMapper JSON = LcsJson.json();
    /** The kind of the replicated record of a detected conflict (written by the node that found it). */
    public static final String CONFLICT_KIND = "Conflict";
    /**
     * Lease time kept back from the kernel lifetime: the kernel removes an address up to 0.25 s
     * after its lifetime ends (measured, docs/architecture.md), plus 0.1 s for the refresh itself.
     */
    static final long SLACK_NANOS = 350_000_000L;
    /** Of {@link #SLACK_NANOS}, the part meant for the refresh or add itself to take effect. */
    static final long CHANGE_ALLOWANCE_NANOS = 100_000_000L;
    /** How many recent batch durations {@link #batchExtraNanos} looks at. */
    static final int BATCH_HISTORY = 8;
    /**
     * How old a batch duration may be for {@link #batchExtraNanos} to count it while newer ones
     * exist; once all are older, the newest still counts until a fresh measurement replaces it (the
     * batch task times one listing of an interface: {@link #measureMachine}). Without this, one slow
     * batch could stop every later one for good: its doubled duration left too little lease for any
     * add or refresh, so no batch ran and the history never changed (a 1,000-VIP start on a loaded
     * machine kept hundreds of VIPs down for minutes, leases held). Short, because one slow batch
     * says little of the next (a node frozen for 4 s in the middle of one measured 4,186 ms, and its
     * next failover waited for that to pass); dropping it without fresh evidence would instead let
     * a machine that is still slow promise the kernel full lifetimes in its next batch.
     */
    static final Duration BATCH_HISTORY_MAX_AGE = Duration.ofSeconds(2);
    /** How soon an activation looks again when too little of its lease is left: a renewal comes every renew_ms. */
    static final Duration SHORT_LEASE_RETRY = Duration.ofMillis(50);
    /** How long a node declines a VIP after its pre_start hook or interface failed. */
    static final Duration DECLINE_FOR = Duration.ofSeconds(30);
    /**
     * Failed adds of one VIP at one epoch after which this node declines it and gives its lease up:
     * a node that holds the lease of an address it cannot add (IPv6 disabled on the interface, no
     * permission, an address ip will not take) keeps the VIP down on every node. The first failure
     * is tried again (it may be a hiccup); the second lets a node that can add it take over.
     */
    static final int ADD_FAILURES_BEFORE_DECLINE = 2;
    /** The longest an AddFailed decline lasts (they double while a node keeps failing the same VIP's adds). */
    static final Duration ADD_DECLINE_MAX = Duration.ofMinutes(10);
    /** The decline reason (status condition and event) of a VIP whose address this node failed to add. */
    static final String ADD_FAILED = "AddFailed";
    /** How soon a failed add is tried again (pre_start, if any, is not run again: it succeeded at this epoch). */
    static final Duration ADD_RETRY = Duration.ofMillis(100);
    /**
     * How often a node that declined a VIP because its interface was down re-checks the link: the
     * decline ends as soon as the link is up again (a fact the reconciler can read), not 30 s later.
     */
    static final Duration LINK_RECHECK = Duration.ofSeconds(1);
    /** With batching: how old a presence listing may be (external removals are seen this late). */
    static final Duration LISTING_MAX_AGE = Duration.ofMillis(200);
    /** With batching: how long the batch task waits for more VIPs before acting. */
    static final Duration DEFAULT_GATHER = Duration.ofMillis(20);
    /** With batching: most VIPs in one batch (more wait for the next one). */
    static final int MAX_BATCH = 4_000;
    /**
     * Announcements sent on activation (gratuitous ARP / unsolicited NA, one frame each), the first
     * right after the address is added, then every {@link #ANNOUNCE_INTERVAL}: a client whose
     * neighbour entry still points at the old owner keeps sending there until one arrives, so a
     * lost frame must not cost seconds.
     */
    static final int ANNOUNCEMENTS = 3;
    /** Time between two {@link #ANNOUNCEMENTS}: three over one second. */
    static final Duration ANNOUNCE_INTERVAL = Duration.ofMillis(500);
    /** When the hook pool refused a pre_start or pre_stop (full), the reconcile tries again after this. */
    static final Duration HOOK_RETRY = Duration.ofSeconds(1);
    /**
     * How long a hook waits for the previous hook of its VIP (one hook per VIP at a time, in order)
     * beyond the hook timeout: the kill of a timed-out hook's process group takes up to about 1 s.
     */
    static final Duration HOOK_KILL_ALLOWANCE = Duration.ofSeconds(2);
    /** How soon a member waiting for another of its unit (start or stop order) looks again. */
    static final Duration ORDER_RECHECK = Duration.ofMillis(20);

    /** Default for {@link #serviceStopBudget}: a unit's whole stop, SIGKILL included, fits in it. */
    public static final Duration DEFAULT_SERVICE_STOP_BUDGET = Duration.ofMillis(1500);
    /** Default for {@link #serviceStartTimeout}. */
    public static final Duration DEFAULT_SERVICE_START_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Fixed per daemon.
     *
     * @param sharedHost every member runs on this host (all node addresses are loopback addresses, as in
     *     the C lcs's localhost cluster): the members share one kernel, so a VIP address found here
     *     without this node's lease is a co-located member's, not a conflict; this node neither flags
     *     nor removes it (it adopts it when it takes the lease). See {@link #sharedHost(List)}.
     */
    public record Settings(String cluster, String node, Duration hookTimeout, Duration probeWindow,
                           Duration renewInterval, boolean sharedHost) {
        /** Members on hosts of their own (the usual case). */
        public Settings(String cluster, String node, Duration hookTimeout, Duration probeWindow,
                        Duration renewInterval) {
            this(cluster, node, hookTimeout, probeWindow, renewInterval, false);
        }
    }

    /**
     * True if the members, more than one, all have loopback node addresses: they can only reach each
     * other on one host, so they share its kernel and its addresses.
     */
    public static boolean sharedHost(List<java.net.InetAddress> memberAddresses) {
        return memberAddresses.size() > 1 && memberAddresses.stream().allMatch(java.net.InetAddress::isLoopbackAddress);
    }

    /** What this node did to one VIP; only the worker holding the key touches it. */
    private static final class Local {
        volatile long activeEpoch;
        volatile boolean managed;
        /** The spec whose address this node added or adopted (what is on the link), null if none. */
        volatile VipSpec added;
        long lastRefreshUntilNanos;
        long declinedUntilNanos;
        /** The current decline is for a down or missing interface: it ends when the link is up. */
        boolean declinedForLink;
        /** The interface on which "no neighbour discovery, probe skipped" was logged for this VIP. */
        String reportedNoProbeOn;
        /** The last hook started for this VIP (any event): the next one waits for it. */
        HookRun hook;
        /** The epoch whose pre_start succeeded (or was not needed): the add may follow. */
        volatile long preStartDoneEpoch;
        /** The spec whose pre_start set {@link #preStartDoneEpoch}: what post_stop undoes if nothing follows. */
        VipSpec preStartSpec;
        /**
         * The epoch whose duplicate probe (batched activation) found the address free but whose add
         * had too little lease left: the add follows a renewal without probing again, as after a
         * pre_start (an epoch is one continuous holding, so no other lcs node added it meanwhile).
         */
        long probedFreeEpoch;
        /** The epoch whose pre_stop ended (or was skipped): the removal may follow. */
        long preStopDoneEpoch;
        /**
         * The address was found gone while this node held its lease at {@link #activeEpoch}, and that
         * was counted and logged; cleared when it is added again (one count per lapse).
         */
        boolean lapseNoted;
        /** An add held back for want of lease was counted; cleared when the address is added (one count per wait). */
        boolean shortLeaseNoted;
        /** Adds the kernel refused in a row at {@link #addFailedEpoch}; cleared when the address is added or adopted. */
        int addFailures;
        long addFailedEpoch;
        /** AddFailed declines in a row (each twice as long as the last); cleared when the address is added or adopted. */
        int addDeclines;
        /** For a service: the epoch of the lease this node last saw itself hold, and when it first saw it. */
        long leaseSeenEpoch;
        long leaseSeenAtNanos;
        /** Held by the reconcile of this VIP and by the batch task while it acts on this VIP. */
        final ReentrantLock lock = new ReentrantLock();
    }

    /** A hook of one VIP running (or queued) on the hook pool. */
    private record HookRun(String event, long epoch, FutureTask<HookResult> future) {
        /** The result once done; a hook that could not run (cancelled, refused, crashed) is a failure. */
        HookResult result() {
            try {
                return future.get();
            } catch (java.util.concurrent.CancellationException e) {
                return new HookResult(-1, false, Duration.ZERO, "cut short");
            } catch (java.util.concurrent.ExecutionException e) {
                return new HookResult(-1, false, Duration.ZERO, "could not run: " + e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new HookResult(-1, false, Duration.ZERO, "interrupted");
            }
        }
    }

    /** A renewal a reconcile asked the batch task for. */
    private record PendingRefresh(VipSpec spec, long epoch, long untilNanos) {
    }

    /** An activation a reconcile asked the batch task for; {@code probe} false for a re-add in the same epoch. */
    private record PendingActivation(VipSpec spec, long epoch, boolean probe) {
    }

    /** The addresses on one interface when last listed (plus our own changes since), or absent. */
    private record Listing(Set<InetAddress> addresses, boolean exists, long takenAtNanos) {
    }

    private final VipHost host;
    private final NetworkActuator net;
    private final HookRunner hooks;
    private final VipStatusSink status;
    private final EventSink events;
    private final Settings settings;
    private final Executor background;
    private final LongSupplier monotonic;
    /** Sends the repeated announcements; null: one announcement on {@link #background}. */
    private volatile java.util.concurrent.ScheduledExecutorService announcer;
    /** Told the VIP whose pre_start or pre_stop just ended, so its reconcile runs at once. */
    private volatile java.util.function.Consumer<String> wake = vip -> { };
    /** Hooks not run, by "event/reason". */
    private final Map<String, java.util.concurrent.atomic.LongAdder> hooksSkipped = new ConcurrentHashMap<>();
    private final Map<String, Local> locals = new ConcurrentHashMap<>();
    private final Map<String, Announcement> announcing = new ConcurrentHashMap<>();
    private final Map<String, PendingRefresh> pendingRefresh = new ConcurrentHashMap<>();
    private final Map<String, PendingActivation> pendingActivation = new ConcurrentHashMap<>();
    private final Map<String, Listing> listings = new ConcurrentHashMap<>();
    /**
     * Held while a listing is re-read and cached and while this node's own add or removal is noted
     * in it: a listing read on one worker just before another worker removed an address must not be
     * cached after that removal was noted (it would show the address again, unmanaged and without a
     * lease: a false conflict on this node's own address).
     */
    private final Object listingLock = new Object();
    private final AtomicBoolean batchScheduled = new AtomicBoolean();
    /** Every batch duration is older than {@link #BATCH_HISTORY_MAX_AGE}: the batch task measures afresh. */
    private final AtomicBoolean measureWanted = new AtomicBoolean();
    /** "another member's address" (shared host) was logged once. */
    private final AtomicBoolean sharedHostNoted = new AtomicBoolean();
    private volatile Executor batchExecutor;
    private volatile Duration gather = DEFAULT_GATHER;
    /** Durations of the last {@link #BATCH_HISTORY} batched applies (ring, under its own monitor; 0: none yet). */
    private final long[] batchNanos = new long[BATCH_HISTORY];
    /** When each of {@link #batchNanos} ended, on {@link #monotonic}. */
    private final long[] batchEndNanos = new long[BATCH_HISTORY];
    private int batchNanosNext;
    /**
     * One line a minute for adds and refreshes held back for want of lease ({@code "short lease"})
     * and one for lapses ({@code "lapse"}), each with how many like it were left out: an overloaded
     * 1,000-VIP start holds back or lapses hundreds at once (each is counted, a lapse is also an event).
     */
    private final LogThrottle shortfallLog;
    /** Adds ({@code [0]}) and lifetime refreshes ({@code [1]}) skipped for want of lease left, since start. */
    private final java.util.concurrent.atomic.LongAdder[] shortLeaseSkipsTotal = {
            new java.util.concurrent.atomic.LongAdder(), new java.util.concurrent.atomic.LongAdder()};
    /** Addresses found gone from the kernel while this node held their lease, once per lapse, since start. */
    private final java.util.concurrent.atomic.LongAdder addressesLapsed = new java.util.concurrent.atomic.LongAdder();
    /** Stops of a service's unit after which it may still run (the job failed or did not end), since start. */
    private final java.util.concurrent.atomic.LongAdder unitStopsFailed = new java.util.concurrent.atomic.LongAdder();
    /** Adds of a VIP's address that failed (refused, or not run or confirmed by ip), since start. */
    private final java.util.concurrent.atomic.LongAdder addFailuresTotal = new java.util.concurrent.atomic.LongAdder();
    /** Runs the services' units; null: lcsd has no systemd, and a service is declined on this node. */
    private volatile ServiceUnits units;
    /** How long a unit's stop may take (its drop-in's TimeoutStopSec): it is stopped this long before its lease ends. */
    private volatile Duration serviceStopBudget = DEFAULT_SERVICE_STOP_BUDGET;
    /** How long a unit's start job is waited for. */
    private volatile Duration serviceStartTimeout = DEFAULT_SERVICE_START_TIMEOUT;

    /**
     * @param host the node's core (snapshots, release, decline, replicated writes)
     * @param background runs the hooks, off the worker ({@link io.lcs.reconcilers.runtime.BackgroundPool}
     *     in lcsd); also the announcements unless {@link #announceOn} gives them their own thread
     * @param monotonic the clock lease remaining times are measured with (that of the snapshots)
     */
    public VipReconciler(VipHost host, NetworkActuator net, HookRunner hooks, VipStatusSink status, EventSink events,
                         Settings settings, Executor background, LongSupplier monotonic) {
        this.host = host;
        this.net = net;
        this.hooks = hooks;
        this.status = status;
        this.events = events;
        this.settings = settings;
        this.background = background;
        this.monotonic = monotonic;
        this.shortfallLog = new LogThrottle(Duration.ofMinutes(1), monotonic::getAsLong);
    }

    /**
     * Turns batching on (see the class comment): renewals and hook-less activations are done by a
     * batch task run on {@code executor} (one task at a time; it sleeps {@code gather} first so a
     * whole renewal's VIPs land in one batch). Call before the first reconcile.
     */
    public VipReconciler enableBatching(Executor executor, Duration gather) {
        this.gather = gather;
        this.batchExecutor = executor;
        return this;
    }

    /**
     * Sends announcements on {@code announcer} (lcsd: a thread of their own, so that nothing queues
     * ahead of them): {@link #ANNOUNCEMENTS} per activation, {@link #ANNOUNCE_INTERVAL} apart.
     */
    public VipReconciler announceOn(java.util.concurrent.ScheduledExecutorService announcer) {
        this.announcer = announcer;
        return this;
    }

    /**
     * Services run through {@code units}. A service's unit is stopped once less than
     * {@code stopBudget} (plus the slack) is left of its lease, and its drop-in makes systemd kill it
     * if the stop takes longer: the stop ends before the lease does, so before any other node can be
     * granted it. Call before the first reconcile.
     */
    public VipReconciler withServices(ServiceUnits units, Duration stopBudget, Duration startTimeout) {
        this.units = units;
        this.serviceStopBudget = stopBudget;
        this.serviceStartTimeout = startTimeout;
        return this;
    }

    /** {@code wake} is called with a VIP whose pre_start or pre_stop ended, or whose probed add waits for a renewal (lcsd: enqueue it). */
    public VipReconciler onHookDone(java.util.function.Consumer<String> wake) {
        this.wake = wake;
        return this;
    }

    /** Hooks of {@code event} not run for {@code reason} ({@code lease_lost}, {@code stop_budget}) since start. */
    public long hooksSkipped(String event, String reason) {
        java.util.concurrent.atomic.LongAdder a = hooksSkipped.get(event + "/" + reason);
        return a == null ? 0 : a.sum();
    }

    /**
     * Since start: adds ({@code "add"}, once per VIP per wait, however often it is retried) and
     * lifetime refreshes ({@code "refresh"}, each renewal) of a held VIP held back because, once the
     * slack and recent batches' time are taken off, less than a whole second of lease was left to
     * promise the kernel. A refresh skipped lets the address lapse.
     */
    public long shortLeaseSkips(String action) {
        return shortLeaseSkipsTotal[switch (action) {
            case "add" -> 0;
            case "refresh" -> 1;
            default -> throw new IllegalArgumentException("action " + action + ": add or refresh");
        }].sum();
    }

    /**
     * Times since start that a VIP's address was found gone from the kernel while this node held
     * its lease at the epoch it added it in (it lapsed: a refresh came too late or was skipped, or it
     * was removed by hand); once per lapse. Its reconcile adds it again as soon as it can.
     */
    public long addressesLapsed() {
        return addressesLapsed.sum();
    }

    /**
     * Stops of a service's unit since start after which systemd still reported it running (the job
     * failed or did not end in the stop budget and a second): each keeps the lease and is tried again.
     */
    public long unitStopsFailed() {
        return unitStopsFailed.sum();
    }

    /**
     * Adds of a VIP's address that failed since start, each try: refused by the kernel ({@value
     * #ADD_FAILURES_BEFORE_DECLINE} refusals in a row at one epoch decline the VIP here and release
     * its lease), or not run or not confirmed by ip (tried again, never declined for).
     */
    public long addFailures() {
        return addFailuresTotal.sum();
    }

    @Override
    public Result reconcile(String vip) throws Exception {
        Local local = locals.computeIfAbsent(vip, k -> new Local());
        local.lock.lock();
        try {
            return reconcileLocked(vip, local);
        } finally {
            local.lock.unlock();
        }
    }

    private Result reconcileLocked(String vip, Local local) throws Exception {
        Snapshot s = host.snapshot();
        VipSpec spec = s.vip(vip);
        if (spec == null) {
            // the VIP was deleted: nothing of it may stay here; only the spec remembered from the
            // add still says which address that is
            abandonActivation(vip, local, "deleted");
            Result r = local.managed ? deactivate(vip, local.added, local, "VIP deleted") : Result.done();
            if (local.managed) {
                return r; // its pre_stop still runs
            }
            locals.remove(vip);
            status.probeSkipped(vip, null);
            return r;
        }
        String keeper = s.addressConflicts().get(vip);
        if (keeper != null) {
            return holdOut(vip, keeper, s, local);
        }
        if (local.managed && local.added != null && !sameResource(local.added, spec)) {
            // the VIP's address or interface changed: the old address goes (with its stop hooks)
            // before the new one is activated like a new VIP
            if (!stop(vip, local.added, local, spec.isService() ? "unit changed to " + spec.systemdUnit()
                    : "address changed to " + spec.address() + " dev " + spec.interfaceName())) {
                return Result.requeueAfter(settings.renewInterval()); // its pre_stop still runs
            }
            local.managed = false;
            local.activeEpoch = 0;
            local.added = null;
        }
        long now = monotonic.getAsLong();
        if (local.declinedUntilNanos != 0 && (now >= local.declinedUntilNanos
                || (local.declinedForLink && !spec.isService() && linkUp(spec.interfaceName())))) {
            local.declinedUntilNanos = 0;
            local.declinedForLink = false;
            host.setDeclined(vip, false);
        }
        Lease lease = s.lease(vip);
        if (!lease.held()) {
            // the successor wait is kept per epoch, and epochs count per lease: when the resource's
            // lease changes (it joins a keep-together group, a dependency ties it to others) the new
            // lease starts at epoch 1 again, and an epoch seen under the old one must not count
            local.leaseSeenEpoch = 0;
        }
        long remaining = remainingNanos(s, lease, now);
        boolean conflict = s.conflicts().containsKey(vip);
        // a hook-only resource is "there" as far as this node knows: attached at this epoch while it
        // holds the lease, and, once the lease is gone, until its detach (post_stop) was started
        boolean present = spec.hookOnly() ? local.managed && (!lease.held() || attachedAt(local, lease.heldEpoch()))
                : present(spec);
        if (present && batchExecutor != null && !spec.isService() && !local.managed && !lease.held() && !presentNow(spec)) {
            // the cached listing was older than this node's own removal: it is gone
            noteOnLink(spec, false);
            present = false;
        }
        String stopReason = whyNotRunning(s, vip);
        long keepNanos = keepNanos(spec);
        if (lease.held() && lease.wanted() && !conflict && stopReason == null && remaining > keepNanos) {
            if (spec.hookOnly()) {
                if (!present) {
                    if (startsAfter(s, vip, lease.heldEpoch()) != null) {
                        status.observed(vip, new LocalVipState(false, null, null));
                        return Result.requeueAfter(ORDER_RECHECK);
                    }
                    return attach(vip, spec, lease.heldEpoch(), local);
                }
                status.observed(vip, new LocalVipState(true, null, null));
                return Result.requeueAfter(untilKeepEnds(remaining, keepNanos));
            }
            if (!present && spec.isService() && local.managed && local.activeEpoch == lease.heldEpoch()) {
                return unitEnded(vip, spec, local);
            }
            if (!present) {
                if (local.managed && local.activeEpoch == lease.heldEpoch() && !spec.isService() && !local.lapseNoted) {
                    // added at this epoch, gone with the lease still held: it lapsed, or was removed by hand
                    local.lapseNoted = true;
                    addressesLapsed.increment();
                    lapseLogged(vip, spec, lease.heldEpoch());
                    events.append("VipLapsed", "VirtualIP/" + vip, spec.address() + " was gone from " + settings.node()
                            + " with its lease held at epoch " + lease.heldEpoch() + "; added again");
                }
                String before = startsAfter(s, vip, lease.heldEpoch());
                if (before != null) {
                    // its unit's lease is here, but it starts only once what comes first in the
                    // unit (its dependencies, then higher priorities) is active on this node
                    status.observed(vip, new LocalVipState(false, null, null));
                    return Result.requeueAfter(ORDER_RECHECK);
                }
                return activate(vip, spec, lease.heldEpoch(), local);
            }
            if (!local.managed) {
                // ours by lease now; adopt what is already there (e.g. added in an earlier epoch)
                local.managed = true;
                local.activeEpoch = lease.heldEpoch();
                local.added = spec;
                local.addFailures = 0;
                local.addDeclines = 0;
            }
            status.observed(vip, new LocalVipState(true, null, null));
            if (spec.isService()) {
                // look again when the lease would be too short to keep the unit if it is not renewed
                return Result.requeueAfter(untilKeepEnds(remaining, keepNanos));
            }
            refresh(vip, spec, lease, s, local);
            return Result.requeueAfter(settings.renewInterval());
        }
        if (present) {
            if (spec.isService() && !local.managed && !lease.held()) {
                // running here without a lease (started by hand, or left from before a crash that the
                // startup cleanup did not see): it must not run twice, so it stops here
                LOG.log(Level.WARNING, "service " + vip + ": " + spec.systemdUnit() + " runs on " + settings.node()
                        + " without a lease; stopping it");
                events.append("UnitStoppedUnheld", "Service/" + vip, spec.systemdUnit() + " ran on "
                        + settings.node() + " without a lease; stopped");
            } else if (!local.managed && !lease.held() && settings.sharedHost()) {
                // one kernel for all members: the holder on this host added it (or it is the holder's
                // that expires with its lifetime); not ours to flag or to remove
                if (!sharedHostNoted.getAndSet(true)) {
                    LOG.log(Level.INFO, "vip " + vip + ": " + spec.address() + " on " + spec.interfaceName()
                            + " without this node's lease is another member's: all members share this host");
                }
                status.observed(vip, new LocalVipState(false, null, null));
                return Result.requeueAfter(settings.renewInterval());
            } else if (!local.managed && !lease.held()) {
                // on our interface (read from the kernel, see above), but we never added it and
                // hold no lease: someone else did
                recordConflict(vip, spec, Math.max(lease.highestEpoch(), 1),
                        "address found on " + spec.interfaceName() + " of " + settings.node()
                                + " without a lease");
            }
            if (lease.held() && !conflict && remaining > keepNanos
                    && stopsAfter(s, vip, lease.wanted() && stopReason != null) != null) {
                // the members that must stop before it (its dependants; all later ones when the whole
                // unit goes) are still active here: they go first, while the lease leaves time
                return Result.requeueAfter(ORDER_RECHECK);
            }
            return deactivate(vip, spec, local, whyNotHere(conflict, stopReason, lease));
        }
        if (!(lease.held() && lease.wanted() && !conflict)) {
            pendingActivation.remove(vip);
            pendingRefresh.remove(vip);
        }
        if (spec.isService() && local.managed && !(lease.held() && lease.wanted())) {
            // its unit ended already (systemd stopped it with lcsd): the stop still runs its hooks
            return deactivate(vip, spec, local, whyNotHere(false, stopReason, lease));
        }
        abandonActivation(vip, local, whyNotHere(conflict, stopReason, lease));
        local.managed = false;
        local.activeEpoch = 0;
        local.added = null;
        if (lease.held()) {
            release(vip);
        }
        status.observed(vip, new LocalVipState(false, null, null));
        return local.declinedForLink ? Result.requeueAfter(LINK_RECHECK) : Result.done();
    }

    /**
     * The activation here ends before the resource came up: a pre_start still running is killed,
     * one that succeeded is undone by post_stop. Nothing for what was activated (managed): its stop
     * runs the hooks.
     */
    private void abandonActivation(String vip, Local local, String why) {
        cutPreStart(vip, local, why);
        undoPreStart(vip, local);
    }

    /**
     * Kills the activation's pre_start if it still runs ({@code why}: the lease went, the resource is
     * not wanted here, held out or deleted): the next owner runs its own after a successor wait
     * shorter than hook_timeout_ms, so this one must not go on beside it. Counted as
     * {@code lease_lost}: the lease is given up with it.
     */
    private void cutPreStart(String vip, Local local, String why) {
        HookRun pre = local.hook;
        if (pre != null && pre.event().equals("pre_start") && !pre.future().isDone()) {
            pre.future().cancel(true); // kills its process group
            skipHook(vip, "pre_start", "lease_lost", "pre_start cut short at epoch " + pre.epoch() + ": " + why
                    + " before it ended");
        }
    }

    /**
     * pre_start succeeded here at an epoch whose activation never came (the lease went, the node
     * declined, the resource was held out or deleted before its address was added or its unit
     * started): post_stop undoes what pre_start did, as after a stop. Nothing when something was
     * activated (its stop runs post_stop), for a hook-only resource (its detach is its stop), or
     * when the resource has no pre_start.
     */
    private void undoPreStart(String vip, Local local) {
        VipSpec spec = local.preStartSpec;
        long epoch = local.preStartDoneEpoch;
        if (local.managed || epoch == 0 || spec == null || spec.hookOnly() || spec.preStart() == null) {
            return;
        }
        local.preStartDoneEpoch = 0;
        local.preStartSpec = null;
        if (spec.postStop() != null) {
            LOG.log(Level.INFO, (spec.isService() ? "service " : "vip ") + vip + ": post_stop undoes the pre_start of"
                    + " epoch " + epoch + ", which nothing followed on " + settings.node());
            startHook(vip, spec, "post_stop", spec.postStop(), epoch, local);
        }
    }

    /** Why a resource is not (or no longer) active here, for the log and the events. */
    private static String whyNotHere(boolean conflict, String stopReason, Lease lease) {
        return conflict ? "conflict" : stopReason != null ? stopReason : lease.held() ? "not wanted here" : "no lease";
    }

    /**
     * Another VIP keeps this VIP's IP (the rule every node applies alike, see VipHost.Snapshot#addressConflicts): this one
     * is placed nowhere, and the address on the link is the keeper's, so it is never removed or
     * reported as a conflict on this VIP's behalf. Only an address this node added for this VIP
     * before the clash was seen goes, with its stop hooks, unless the keeper's lease is held here
     * (then it is the keeper's now and stays).
     */
    private Result holdOut(String vip, String keeper, VipHost.Snapshot s, Local local) throws Exception {
        pendingActivation.remove(vip);
        pendingRefresh.remove(vip);
        abandonActivation(vip, local, "held out by " + keeper); // an address added here goes below
        Result r = Result.done();
        if (local.managed && local.added != null && !s.lease(keeper).held()) {
            r = deactivate(vip, local.added, local, (local.added.isService() ? "its unit is Service "
                    : "its address is VirtualIP ") + keeper + "'s");
        } else {
            local.managed = false;
            local.activeEpoch = 0;
            local.added = null;
            if (s.lease(vip).held()) {
                release(vip);
            }
        }
        status.observed(vip, new LocalVipState(false, null, null));
        return r;
    }

    private Result activate(String vip, VipSpec spec, long epoch, Local local) throws Exception {
        long left = remainingNow(vip);
        if (lifetimeSeconds(left - batchExtraNanos()) < 1) {
            if (lifetimeSeconds(left) >= 1 && !local.shortLeaseNoted) {
                // only the recent batches' time stands in the way (a lease simply running out, its
                // renewals failing, is not this: it ends, and that is logged as a lease lost)
                local.shortLeaseNoted = true;
                shortLeaseSkipped(vip, left, true);
            }
            // too little lease left to promise the kernel a whole second, once what recent batches
            // took is off it (as the add batch takes it off): probing and running pre_start now
            // would only repeat them every retry without ever adding the address. Polled, not
            // woken: a batch that skipped the VIP for this wakes it, and at once again would spin
            // on a lease that only a renewal lengthens, starving the machine that made the batch slow
            return Result.requeueAfter(SHORT_LEASE_RETRY);
        }
        if (spec.isService()) {
            long wait = successorWait(local, epoch);
            if (wait > 0) {
                status.observed(vip, new LocalVipState(false, null, null));
                return Result.requeueAfter(Duration.ofNanos(wait));
            }
            String problem = unitProblem(spec);
            if (problem != null) {
                Result r = decline(vip, local, problem.substring(0, problem.indexOf(':')),
                        problem.substring(problem.indexOf(':') + 2));
                release(vip);
                return r;
            }
        } else {
            if (!spec.announce() && spec.preStart() != null) {
                // its hooks move it at a provider (announce = false): the previous owner's attach
                // must be over before this node's, as for a hook-only service
                long wait = successorWait(local, epoch, hookOnlyBudget());
                if (wait > 0) {
                    status.observed(vip, new LocalVipState(false, null, null));
                    return Result.requeueAfter(Duration.ofNanos(wait));
                }
            }
            if (batchExecutor != null && spec.preStart() == null) {
                pendingActivation.put(vip, new PendingActivation(spec, epoch, local.activeEpoch != epoch
                        && local.probedFreeEpoch != epoch));
                scheduleBatch();
                // the batch task acts within gather + probe window; look again if it could not
                return Result.requeueAfter(settings.probeWindow().plus(gather).plusSeconds(1));
            }
            LinkState link = net.link(spec.interfaceName());
            if (!link.exists() || !link.up()) {
                String why = "interface " + spec.interfaceName() + (link.exists() ? " is down" : " does not exist");
                return decline(vip, local, "InterfaceDown", why);
            }
        }
        if (local.activeEpoch != epoch && local.preStartDoneEpoch != epoch) {
            HookRun h = local.hook;
            boolean started = h != null && h.event().equals("pre_start") && h.epoch() == epoch;
            if (!started && !spec.isService()) {
                ProbeResult probe = net.probeDuplicate(spec.address(), spec.interfaceName(), settings.probeWindow());
                if (probe instanceof ProbeResult.Answered answered) {
                    recordConflict(vip, spec, epoch, "address " + spec.address().addressText() + " answered from "
                            + answered.responderMac() + " on " + spec.interfaceName() + " before activation");
                    release(vip);
                    return Result.done();
                }
                if (probe instanceof ProbeResult.CouldNotProbe failed) {
                    // fail closed: unprobed, the address may be someone else's; another node may try
                    Result r = decline(vip, local, PROBE_FAILED, probeFailure(spec, failed), true);
                    release(vip);
                    return r;
                }
                noteProbe(vip, spec, local, probe);
            }
            if (!started) {
                if (!fenced(vip, epoch)) {
                    return Result.requeueAfter(Duration.ofMillis(10));
                }
                if (spec.preStart() != null) {
                    // on the hook pool, for up to hook_timeout_ms: the core renews the lease
                    // meanwhile, and this worker is free for the other VIPs
                    h = startHook(vip, spec, "pre_start", spec.preStart(), epoch, local);
                    if (h == null) {
                        return Result.requeueAfter(HOOK_RETRY); // the pool is full (counted, logged)
                    }
                    started = true;
                }
            }
            if (started) {
                if (!h.future().isDone()) {
                    return Result.requeueAfter(settings.renewInterval()); // its end wakes this VIP
                }
                HookResult pre = h.result();
                if (!pre.succeeded()) {
                    // decline first: the release makes the lease reconciler place the VIP again, and
                    // it must already skip this node then, or it would re-acquire here at once
                    Result r = decline(vip, local, "PreStartFailed", "pre_start " + describe(pre));
                    release(vip);
                    return r;
                }
            }
            local.preStartDoneEpoch = epoch;
            local.preStartSpec = spec;
        }
        if (spec.isService()) {
            return startUnit(vip, spec, epoch, local);
        }
        Snapshot s = host.snapshot();
        Lease lease = s.lease(vip);
        long lifetime = lifetimeSeconds(remainingNanos(s, lease, monotonic.getAsLong()));
        if (!fenced(vip, epoch) || lifetime < 1) {
            return Result.requeueAfter(Duration.ofMillis(10));
        }
        try {
            net.addAddress(spec.address(), spec.interfaceName(), Duration.ofSeconds(lifetime));
        } catch (ActuatorException e) {
            AddFailure failure = addFailed(vip, spec, local, epoch, e, true);
            if (failure == AddFailure.DECLINED) {
                undoPreStart(vip, local);
            }
            return switch (failure) {
                case RETRY_NOW -> Result.requeueAfter(ADD_RETRY);
                case RETRY_LATER -> Result.requeueAfter(settings.renewInterval());
                case DECLINED -> Result.requeueAfter(addDeclinePeriod(local.addDeclines - 1));
                case NO_INTERFACE -> Result.requeueAfter(LINK_RECHECK);
            };
        }
        local.addFailures = 0;
        local.addDeclines = 0;
        noteOnLink(spec, true);
        local.lapseNoted = false;
        local.shortLeaseNoted = false;
        boolean first = local.activeEpoch != epoch;
        local.managed = true;
        local.activeEpoch = epoch;
        local.added = spec;
        local.preStopDoneEpoch = 0;
        // the lifetime just given already reflects this lease end: refresh only when it moves
        local.lastRefreshUntilNanos = s.takenAtNanos() + lease.heldRemainingNanos();
        LOG.log(Level.INFO, "vip " + vip + ": " + spec.address() + " active on " + spec.interfaceName() + " (epoch "
                + epoch + ", lifetime " + lifetime + " s)");
        events.append("VipActive", "VirtualIP/" + vip, spec.address() + " active on " + settings.node() + " dev "
                + spec.interfaceName() + " at epoch " + epoch);
        status.observed(vip, new LocalVipState(true, null, null));
        if (spec.announce()) {
            announceAsync(vip, spec);
        }
        if (first && spec.postStart() != null) {
            startHook(vip, spec, "post_start", spec.postStart(), epoch, local);
        }
        return Result.requeueAfter(settings.renewInterval());
    }

    private void refresh(String vip, VipSpec spec, Lease lease, Snapshot s, Local local) throws Exception {
        long until = s.takenAtNanos() + lease.heldRemainingNanos();
        if (until == local.lastRefreshUntilNanos) {
            return;
        }
        if (batchExecutor != null) {
            pendingRefresh.put(vip, new PendingRefresh(spec, lease.heldEpoch(), until));
            scheduleBatch();
            return;
        }
        long left = remainingNow(vip);
        long lifetime = lifetimeSeconds(left);
        if (!fenced(vip, lease.heldEpoch())) {
            return;
        }
        if (lifetime < 1) {
            shortLeaseSkipped(vip, left, false); // too little left to promise the kernel a whole second: it lapses
            return;
        }
        try {
            net.refreshLifetime(spec.address(), spec.interfaceName(), Duration.ofSeconds(lifetime));
        } catch (AddressNotFoundException e) {
            // it lapsed with the lease held: the next reconcile counts it and adds it again, at once
            noteOnLink(spec, false);
            wake.accept(vip);
            return;
        }
        local.lastRefreshUntilNanos = until;
    }

    private Result deactivate(String vip, VipSpec spec, Local local, String why) throws Exception {
        if (spec != null && !stop(vip, spec, local, why)) {
            return Result.requeueAfter(settings.renewInterval()); // pre_stop still runs; its end wakes this VIP
        }
        local.managed = false;
        local.activeEpoch = 0;
        local.added = null;
        status.observed(vip, new LocalVipState(false, null, null));
        release(vip);
        return Result.done();
    }

    /**
     * pre_stop (if managed), remove {@code spec}'s address, post_stop (in the background). pre_stop
     * runs on the hook pool for up to hook_timeout_ms while the lease is still held (the core renews
     * a held lease that stopped being wanted until it is released, for its stop grace) and the
     * address's lifetime is refreshed meanwhile. Without a lease at the epoch the address was added
     * in, it is not run (or cut short if running): the address must go before the lease ends, and
     * that is logged, put in the events and counted.
     *
     * @return false while pre_stop still runs (the caller looks again; the hook's end wakes the VIP)
     */
    private boolean stop(String vip, VipSpec spec, Local local, String why) throws Exception {
        if (spec.hookOnly() && local.managed && local.preStartDoneEpoch != local.activeEpoch) {
            // its attach (pre_start) was started but has not succeeded: it may still be attaching; it
            // must end before the detach, and a node stopping has no business attaching
            HookRun h = local.hook;
            if (h != null && h.event().equals("pre_start") && !h.future().isDone()) {
                h.future().cancel(true); // kills its process group
                skipHook(vip, "pre_start", "lease_lost", "pre_start (attach) cut short at epoch " + local.activeEpoch
                        + " (" + why + "); post_stop detaches");
            }
            local.preStopDoneEpoch = local.activeEpoch; // nothing was attached for pre_stop to prepare
        }
        if (local.managed && spec.preStop() != null && local.preStopDoneEpoch != local.activeEpoch) {
            long epoch = local.activeEpoch;
            HookRun h = local.hook;
            boolean started = h != null && h.event().equals("pre_stop") && h.epoch() == epoch;
            if (!heldAt(vip, epoch)) {
                if (!started) {
                    skipHook(vip, "pre_stop", "lease_lost", "pre_stop not run: no lease left at epoch " + epoch
                            + " (" + why + "); the address must go now");
                } else if (!h.future().isDone()) {
                    h.future().cancel(true); // kills its process group
                    skipHook(vip, "pre_stop", "lease_lost", "pre_stop cut short: the lease at epoch " + epoch
                            + " ended while it ran (" + why + "); the address must go now");
                }
            } else {
                if (!started) {
                    h = startHook(vip, spec, "pre_stop", spec.preStop(), epoch, local);
                    if (h == null) { // the pool is full (counted, logged): keep the address and retry
                        keepAlive(vip, spec, local);
                        return false;
                    }
                }
                if (!h.future().isDone()) {
                    keepAlive(vip, spec, local);
                    return false;
                }
            }
            local.preStopDoneEpoch = epoch;
        }
        pendingRefresh.remove(vip);
        pendingActivation.remove(vip);
        if (spec.hookOnly()) {
            LOG.log(Level.INFO, "service " + vip + ": detaching on " + settings.node() + " (" + why + ")");
            events.append("Detaching", "Service/" + vip, "hook-only service leaves " + settings.node() + ": " + why
                    + (spec.postStop() != null ? "; post_stop detaches it" : "; no post_stop"));
        } else if (spec.isService()) {
            if (!stopUnit(vip, spec, why)) {
                return false; // it may still run: no post_stop, no release; the caller looks again
            }
        } else {
            cancelAnnounce(vip);
            net.removeAddress(spec.address(), spec.interfaceName());
            noteOnLink(spec, false);
            LOG.log(Level.INFO, "vip " + vip + ": " + spec.address() + " removed from " + spec.interfaceName() + " ("
                    + why + ")");
            events.append("VipRemoved", "VirtualIP/" + vip, spec.address() + " removed from " + settings.node()
                    + ": " + why);
        }
        long epoch = local.activeEpoch;
        local.preStartDoneEpoch = 0;
        if (local.managed && spec.postStop() != null) {
            startHook(vip, spec, "post_stop", spec.postStop(), epoch, local);
        }
        return true;
    }

    /**
     * Lease left below which pre_stop is not started (or is cut): beyond the slack, 50 ms. A lease
     * the core renews never gets this low; one this low is not being renewed (no quorum).
     */
    static final long PRE_STOP_MIN_LEASE_NANOS = SLACK_NANOS + 50_000_000L;

    /** True if this node holds {@code vip}'s lease at {@code epoch} (wanted or not) with {@link #PRE_STOP_MIN_LEASE_NANOS} left. */
    private boolean heldAt(String vip, long epoch) {
        Snapshot s = host.snapshot();
        Lease l = s.lease(vip);
        return l.held() && l.heldEpoch() == epoch && remainingNanos(s, l, monotonic.getAsLong()) > PRE_STOP_MIN_LEASE_NANOS;
    }

    /**
     * While pre_stop runs: refreshes the address's lifetime from the lease (still renewed during the
     * stop grace), as a renewal would; with a recorded conflict or no lease, it lapses.
     */
    private void keepAlive(String vip, VipSpec spec, Local local) {
        if (spec.isService()) {
            return; // a unit has no lifetime to refresh: it is stopped before its lease ends
        }
        Snapshot s = host.snapshot();
        Lease l = s.lease(vip);
        if (!l.held() || l.heldEpoch() != local.activeEpoch || s.conflicts().containsKey(vip)) {
            return;
        }
        long until = s.takenAtNanos() + l.heldRemainingNanos();
        long lifetime = lifetimeSeconds(remainingNanos(s, l, monotonic.getAsLong()));
        if (until == local.lastRefreshUntilNanos || lifetime < 1) {
            return;
        }
        try {
            net.refreshLifetime(spec.address(), spec.interfaceName(), Duration.ofSeconds(lifetime));
            local.lastRefreshUntilNanos = until;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "vip " + vip + ": lifetime refresh during pre_stop failed: " + e.getMessage());
        }
    }

    /** A hook not run (or cut short): logged, in the events, counted ({@link #hooksSkipped}). */
    private void skipHook(String vip, String event, String reason, String message) {
        hooksSkipped.computeIfAbsent(event + "/" + reason, k -> new java.util.concurrent.atomic.LongAdder())
                .increment();
        LOG.log(Level.WARNING, "vip " + vip + ": " + message);
        events.append("HookSkipped", "VirtualIP/" + vip, message + " on " + settings.node());
    }

    /**
     * Starts a hook of {@code vip} on the hook pool, after the previous hook of that VIP has ended
     * (one hook per VIP at a time, in order). A pre_* hook's end wakes the VIP's reconcile.
     *
     * @return the run, or null when the pool refused it (full or stopping: counted and logged there)
     */
    private HookRun startHook(String vip, VipSpec spec, String event, String program, long epoch, Local local) {
        HookRun previous = local.hook;
        boolean pre = event.startsWith("pre_");
        FutureTask<HookResult> f = new FutureTask<>(() -> {
            if (previous != null && !previous.future().isDone()) {
                try {
                    previous.future().get(settings.hookTimeout().plus(HOOK_KILL_ALLOWANCE).toNanos(),
                            TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException
                         | java.util.concurrent.TimeoutException e) {
                    // it ended somehow (or is being killed): this one goes on
                }
            }
            try {
                return runHook(vip, spec, event, program, epoch);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "vip " + vip + ": " + event + " could not run: " + e.getMessage());
                throw e;
            }
        }) {
            @Override
            protected void done() {
                if (pre) {
                    wake.accept(vip);
                }
            }
        };
        try {
            background.execute(io.lcs.reconcilers.runtime.BackgroundPool.task(event, "vip " + vip + " " + event
                    + " (epoch " + epoch + ")", f));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return null; // the pool counted and logged it; a pre_* hook is tried again by the reconcile
        }
        local.hook = new HookRun(event, epoch, f);
        return local.hook;
    }

    /**
     * Why {@code vip} may not run anywhere now, or null when it may: stopped by an operator, on a
     * dependency cycle, or something it depends on (transitively) cannot run.
     */
    public static String whyNotRunning(Snapshot s, String vip) {
        return whyNotRunning(s, vip, new HashSet<>());
    }

    private static String whyNotRunning(Snapshot s, String vip, Set<String> path) {
        VipSpec spec = s.vip(vip);
        if (spec == null) {
            return "dependency " + vip + " does not exist";
        }
        if (s.stopped(vip)) {
            return vip + " stopped by an operator";
        }
        if (s.onCycle(vip) || !path.add(vip)) {
            return vip + " is on a dependency cycle";
        }
        for (String d : spec.grouping().dependsOn()) {
            if (s.conflicts().containsKey(d) || s.addressConflicts().containsKey(d)) {
                path.remove(vip);
                return "dependency " + d + " is in conflict";
            }
            String why = whyNotRunning(s, d, path);
            if (why != null) {
                path.remove(vip);
                return why.startsWith("dependency ") ? why : "dependency " + why;
            }
        }
        path.remove(vip);
        return null;
    }

    /** {@code dependant} depends on {@code on}, directly or through others. */
    private static boolean dependsOn(Snapshot s, String dependant, String on, Set<String> seen) {
        VipSpec spec = s.vip(dependant);
        if (spec == null || !seen.add(dependant)) {
            return false;
        }
        for (String d : spec.grouping().dependsOn()) {
            if (d.equals(on) || dependsOn(s, d, on, seen)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True if {@code vip} is up here at {@code epoch}, as a member that others start after: its
     * address added; its unit active (not still activating, nor restarting); its attach (a
     * hook-only resource's pre_start) ended well. Being managed is not enough: a unit or an attach
     * counts as managed from its start on, so that a stop runs whatever the start comes to.
     */
    private boolean activeHere(String vip, long epoch) {
        Local l = locals.get(vip);
        if (l == null || !l.managed || l.activeEpoch != epoch) {
            return false;
        }
        VipSpec added = l.added;
        if (added == null || !added.isService()) {
            return true;
        }
        if (added.hookOnly()) {
            return l.preStartDoneEpoch == epoch;
        }
        try {
            return units != null && units.state(added.systemdUnit()).active();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false; // not known to be up: what depends on it waits
        }
    }

    /**
     * The member of {@code vip}'s unit that must be active here before {@code vip} starts and is not
     * yet, or null: each of its dependencies, and each member ahead of it in start order (higher
     * priority) that can run and is not declined here.
     */
    private String startsAfter(Snapshot s, String vip, long epoch) {
        for (String m : s.unitMembers(vip)) {
            if (m.equals(vip)) {
                return null;
            }
            boolean required = dependsOn(s, vip, m, new HashSet<>());
            if (!required) {
                Local l = locals.get(m);
                required = whyNotRunning(s, m) == null && !s.conflicts().containsKey(m)
                        && !s.addressConflicts().containsKey(m) && (l == null || l.declinedUntilNanos == 0);
            }
            if (required && !activeHere(m, epoch)) {
                return m;
            }
        }
        return null;
    }

    /**
     * The member of {@code vip}'s unit still active here that must stop before {@code vip}, or null:
     * when only {@code vip} goes ({@code aloneGoes}), the members that depend on it; when the whole
     * unit goes, every member after it in start order.
     */
    private String stopsAfter(Snapshot s, String vip, boolean aloneGoes) {
        boolean after = false;
        for (String m : s.unitMembers(vip)) {
            if (m.equals(vip)) {
                after = true;
                continue;
            }
            Local l = locals.get(m);
            if (l == null || !l.managed) {
                continue;
            }
            if (aloneGoes ? dependsOn(s, m, vip, new HashSet<>()) : after) {
                return m;
            }
        }
        return null;
    }

    /** Same address (prefix included) on the same interface: nothing to move on the link. */
    private static boolean sameAddressOnLink(VipSpec a, VipSpec b) {
        return a.address().equals(b.address()) && a.interfaceName().equals(b.interfaceName());
    }

    /** The same thing on this node: the same address on the same link, or the same unit. */
    private static boolean sameResource(VipSpec a, VipSpec b) {
        return a.isService() || b.isService() ? java.util.Objects.equals(a.systemdUnit(), b.systemdUnit())
                : sameAddressOnLink(a, b);
    }

    // ------------------------------------------------------------------ services

    /**
     * Lease that must be left for the resource to keep running here: the slack. A cut-off owner
     * starts its unit's stop then, which systemd ends (SIGKILL at the drop-in's TimeoutStopSec) within
     * the stop budget; the next owner waits that budget after it got the lease ({@link #successorWait}).
     */
    private long keepNanos(VipSpec spec) {
        return SLACK_NANOS;
    }

    /**
     * The fence of a service: a node that got the lease at a new epoch starts the unit only once the
     * stop budget plus one renewal interval has passed since it first saw that lease. A cut-off old
     * owner began stopping at its own lease end less the slack, which is before any acceptor's timer
     * ended and so before this node could be granted the lease; its stop ends within the budget. A
     * frozen old owner stopped renewing (at most one renewal interval before it froze, so its lease can
     * end lease_ms - renew_ms after the freeze) and stopped pinging systemd's watchdog, whose timeout is
     * lease_ms - renew_ms after its last ping: systemd kills it and its units' stop ends within the
     * budget after that, which the extra renewal interval keeps before this node's start
     * (docs/services.md, "Timing"). Returns how long is still to wait.
     */
    private long successorWait(Local local, long epoch) {
        return successorWait(local, epoch, serviceStopBudget);
    }

    /** {@link #successorWait(Local, long)} with {@code budget} for the old owner's stop. */
    private long successorWait(Local local, long epoch, Duration budget) {
        long now = monotonic.getAsLong();
        if (local.leaseSeenEpoch != epoch) {
            local.leaseSeenEpoch = epoch;
            local.leaseSeenAtNanos = now;
        }
        return local.leaseSeenAtNanos + budget.toNanos() + settings.renewInterval().toNanos() - now;
    }

    /** Requeue delay while a resource is kept: a renewal interval, or sooner when only the keep margin would be left. */
    private Duration untilKeepEnds(long remaining, long keepNanos) {
        return Duration.ofNanos(Math.max(1_000_000L, Math.min(settings.renewInterval().toNanos(), remaining - keepNanos)));
    }

    // ------------------------------------------------------------------ hook-only services

    /**
     * The old owner's budget a hook-only resource's next owner waits (plus one renewal interval, as for
     * a unit): every hook of the old owner was started while it held the lease, so before this node
     * could be granted it, and ends within the hook timeout plus {@link #HOOK_KILL_ALLOWANCE}: lcsd
     * kills it at the timeout (or at once when its lease is lost), and {@link
     * io.lcs.reconcilers.hook.ProcessHookRunner} runs it under {@code timeout -s KILL}, which kills it
     * even when lcsd is frozen or dead. A cut-off owner's detach starts at its lease end less the slack.
     */
    Duration hookOnlyBudget() {
        return settings.hookTimeout().plus(HOOK_KILL_ALLOWANCE);
    }

    /** True if this node's attach (pre_start) of a hook-only resource succeeded at {@code epoch}. */
    private static boolean attachedAt(Local local, long epoch) {
        return local.managed && local.activeEpoch == epoch && local.preStartDoneEpoch == epoch;
    }

    /**
     * Attaches a hook-only resource under the lease at {@code epoch}: after the successor wait, runs
     * pre_start (the attach) on the hook pool; from its start on the resource counts as here, so a
     * lease lost meanwhile kills it and runs post_stop (the detach). A failed attach is detached,
     * declined and released like a failed unit start; a successful one runs post_start.
     */
    private Result attach(String vip, VipSpec spec, long epoch, Local local) throws Exception {
        long wait = successorWait(local, epoch, hookOnlyBudget());
        if (wait > 0) {
            status.observed(vip, new LocalVipState(false, null, null));
            return Result.requeueAfter(Duration.ofNanos(wait));
        }
        HookRun h = local.hook;
        boolean started = local.managed && local.activeEpoch == epoch && h != null && h.event().equals("pre_start")
                && h.epoch() == epoch;
        if (!started) {
            // another epoch's attach here (this node lost the lease and got it back): attached again,
            // since another node may have attached in between; the hooks are idempotent
            if (!fenced(vip, epoch)) {
                return Result.requeueAfter(Duration.ofMillis(10));
            }
            h = startHook(vip, spec, "pre_start", spec.preStart(), epoch, local);
            if (h == null) {
                return Result.requeueAfter(HOOK_RETRY); // the pool is full (counted, logged)
            }
            local.managed = true; // from here on a detach must run, whatever the attach comes to
            local.activeEpoch = epoch;
            local.added = spec;
            local.preStartDoneEpoch = 0;
            local.preStopDoneEpoch = 0;
        }
        if (!h.future().isDone()) {
            status.observed(vip, new LocalVipState(false, null, null));
            // its end wakes this resource; the lease is looked at again before it would be too short
            return Result.requeueAfter(untilKeepEnds(remainingNow(vip), keepNanos(spec)));
        }
        HookResult pre = h.result();
        if (!pre.succeeded()) {
            stop(vip, spec, local, "pre_start failed"); // cannot wait: the attach is over, so no pre_stop
            local.managed = false;
            local.activeEpoch = 0;
            local.added = null;
            Result r = decline(vip, local, "PreStartFailed", "pre_start " + describe(pre));
            release(vip);
            return r;
        }
        local.preStartDoneEpoch = epoch;
        LOG.log(Level.INFO, "service " + vip + ": attached by pre_start on " + settings.node() + " (epoch " + epoch + ")");
        events.append("Attached", "Service/" + vip, "hook-only service attached on " + settings.node() + " at epoch "
                + epoch);
        status.observed(vip, new LocalVipState(true, null, null));
        if (spec.postStart() != null) {
            startHook(vip, spec, "post_start", spec.postStart(), epoch, local);
        }
        return Result.requeueAfter(untilKeepEnds(remainingNow(vip), keepNanos(spec)));
    }

    /** Why {@code spec}'s unit cannot start on this node ("Reason: message"), or null. */
    private String unitProblem(VipSpec spec) throws Exception {
        String unreachable = units == null ? "no connection" : units.unavailable();
        if (unreachable != null) {
            return "NoSystemd: lcsd on " + settings.node() + " cannot reach systemd over D-Bus (" + unreachable
                    + "), so it runs no service";
        }
        return ServiceDecisions.startProblem(units.state(spec.systemdUnit()), settings.node());
    }

    /** Binds, starts and confirms the unit under the lease at {@code epoch}; a failed start stops it again. */
    private Result startUnit(String vip, VipSpec spec, long epoch, Local local) throws Exception {
        String unit = spec.systemdUnit();
        if (!fenced(vip, epoch) || remainingNow(vip) <= keepNanos(spec)) {
            return Result.requeueAfter(Duration.ofMillis(10));
        }
        try {
            units.bind(unit, serviceStopBudget);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // nothing started: decline (another node takes it) rather than hold the lease while retrying
            String message = "the binding of " + unit + " to lcsd could not be written or loaded on " + settings.node()
                    + ": " + e.getMessage();
            LOG.log(Level.WARNING, "service " + vip + ": " + message + "; declining it here");
            Result r = decline(vip, local, "UnitStartFailed", message);
            undoPreStart(vip, local);
            release(vip);
            return r;
        }
        long keep = keepNanos(spec);
        // the wait for the start job ends when the lease nears its end: a slow start (Type=notify, a
        // long ExecStartPre) whose processes already run must be stopped before the lease ends, and
        // this worker is the one that stops it
        ServiceUnits.Job job;
        String refused = null;
        boolean[] gaveUp = {false};
        try {
            job = units.start(unit, serviceStartTimeout, () -> {
                boolean go = fenced(vip, epoch) && remainingNow(vip) > keep;
                gaveUp[0] |= !go;
                return go;
            });
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // systemd refused the start (RefuseManualStart=, a unit it cannot load) or the answer was lost
            // after it: it may run, so it is stopped like a failed start, never only forgotten
            job = null;
            refused = unit + " could not be started on " + settings.node() + ": " + e.getMessage();
        }
        boolean first = local.activeEpoch != epoch;
        local.managed = true; // from here on a stop must run, whatever the start came to
        local.activeEpoch = epoch;
        local.added = spec;
        local.preStopDoneEpoch = 0;
        if (gaveUp[0] || !fenced(vip, epoch) || remainingNow(vip) <= keep) {
            // the lease went (or nearly) while the unit started: the next reconcile stops it (a stop
            // job replaces a start job systemd still runs), whatever the start came to; if the lease
            // came back meanwhile, it finds the unit starting under it and keeps it (no failure)
            LOG.log(Level.WARNING, "service " + vip + ": the lease at epoch " + epoch + " is ending while " + unit
                    + " starts (" + (job == null ? refused : job.result()) + "); stopping it");
            return Result.requeueAfter(Duration.ofMillis(1));
        }
        if (job == null) {
            LOG.log(Level.WARNING, "service " + vip + ": " + refused + "; stopping it and declining it here");
            return stopDeclineRelease(vip, spec, local, "start failed", "UnitStartFailed", refused);
        }
        String failed = ServiceDecisions.startFailure(job, serviceStartTimeout);
        if (failed != null) {
            LOG.log(Level.WARNING, "service " + vip + ": " + failed + "; stopping it and declining it here");
            return stopDeclineRelease(vip, spec, local, "start failed", ServiceDecisions.startFailureReason(job),
                    failed);
        }
        LOG.log(Level.INFO, "service " + vip + ": " + unit + " active (epoch " + epoch + ")");
        events.append("ServiceActive", "Service/" + vip, unit + " active on " + settings.node() + " at epoch "
                + epoch);
        status.observed(vip, new LocalVipState(true, null, null));
        if (first && spec.postStart() != null) {
            startHook(vip, spec, "post_start", spec.postStart(), epoch, local);
        }
        return Result.requeueAfter(settings.renewInterval());
    }

    /**
     * Stops the unit and waits (up to its stop budget and a margin for D-Bus) for the job.
     *
     * @return false if the unit may still run (the job failed or did not end): it is not stopped,
     *     so its lease is not released and post_stop does not run; the caller tries again
     */
    private boolean stopUnit(String vip, VipSpec spec, String why) throws Exception {
        if (units == null) {
            return true;
        }
        String unit = spec.systemdUnit();
        long started = monotonic.getAsLong();
        ServiceUnits.Job job = units.stop(unit, serviceStopBudget.plusSeconds(1));
        long tookMs = (monotonic.getAsLong() - started) / 1_000_000;
        if (job.after() != null && job.after().mayRun()) {
            LOG.log(Level.ERROR, "service " + vip + ": " + unit + " still " + job.after().activeState() + " after its stop ("
                    + job.result() + ", " + tookMs + " ms): " + why);
            events.append("UnitStopFailed", "Service/" + vip, unit + " on " + settings.node() + " did not stop ("
                    + job.result() + ", state " + job.after().activeState() + "); its lease is not released (the stop"
                    + " grace renews it) and the stop is tried again");
            unitStopsFailed.increment();
            return false;
        }
        LOG.log(Level.INFO, "service " + vip + ": " + unit + " stopped in " + tookMs + " ms (" + why + ")");
        events.append("ServiceStopped", "Service/" + vip, unit + " stopped on " + settings.node() + ": " + why);
        return true;
    }

    /**
     * The unit this node started under its current lease stopped or failed by itself: for that node
     * it is a failed health report, so it declines the service (and its unit) and releases the lease
     * for another node to take; the unit is stopped so systemd's own restart does not bring it back here.
     */
    private Result unitEnded(String vip, VipSpec spec, Local local) throws Exception {
        UnitState now = units.read(spec.systemdUnit());
        if (now.mayRun()) {
            return Result.requeueAfter(ORDER_RECHECK); // the signalled state was behind: it runs
        }
        if (units.lcsdStopping()) {
            // systemctl stop lcsd: systemd stops the bound units before lcsd gets SIGTERM; lcsd's own
            // stop then runs the hooks (the unit stays managed), it is no failure of this node
            status.observed(vip, new LocalVipState(false, null, null));
            return Result.requeueAfter(settings.renewInterval());
        }
        String message = spec.systemdUnit() + " stopped by itself on " + settings.node() + " (" + now.activeState()
                + "/" + now.subState() + ")";
        LOG.log(Level.WARNING, "service " + vip + ": " + message + "; it moves to another node");
        return stopDeclineRelease(vip, spec, local, "it ended by itself", "UnitFailed", message);
    }

    /**
     * Stops the unit, then runs post_stop (no pre_stop: the unit failed, it is not up), forgets it,
     * declines the service here and releases its lease. post_stop undoes what pre_start did here (a
     * mount, an attach), as after a planned stop.
     */
    private Result stopDeclineRelease(String vip, VipSpec spec, Local local, String why, String reason,
                                      String message) throws Exception {
        long preStopDone = local.preStopDoneEpoch;
        local.preStopDoneEpoch = local.activeEpoch; // no pre_stop: it is not up
        boolean stopped;
        try {
            stopped = stop(vip, spec, local, why);
        } catch (Exception e) {
            local.preStopDoneEpoch = preStopDone; // the stop did not happen: a later one is a full one
            throw e;
        }
        if (!stopped) {
            // it may still run here: declined (another node is picked), but the lease is not released;
            // the next reconciles stop it as for any unwanted lease, then run post_stop and release
            // it. Until then the stop grace renews the lease, so no other node starts the unit.
            decline(vip, local, reason, message);
            return Result.requeueAfter(settings.renewInterval());
        }
        local.managed = false;
        local.activeEpoch = 0;
        local.added = null;
        local.preStartDoneEpoch = 0;
        Result r = decline(vip, local, reason, message);
        release(vip);
        return r;
    }

    /**
     * Stops every configured unit that may run on this node; run at start, before it votes: this
     * node holds no lease yet, so none of them may run here (a unit left running by a crashed or
     * killed lcsd whose binding did not stop it, or one started by hand).
     *
     * @return how many units were running and stopped
     */
    public static int stopUnheldUnits(ServiceUnits units, List<VipSpec> vips, Duration timeout) {
        int stopped = 0;
        for (VipSpec v : vips) {
            if (!v.hasUnit()) {
                continue;
            }
            try {
                UnitState u = units.read(v.systemdUnit());
                if (u.mayRun()) {
                    ServiceUnits.Job job = units.stop(v.systemdUnit(), timeout);
                    LOG.log(Level.WARNING, "service " + v.name() + ": " + v.systemdUnit() + " was " + u.activeState()
                            + " at start without a lease; stopped (" + job.result() + ")");
                    stopped++;
                }
            } catch (Exception e) {
                LOG.log(Level.ERROR, "service " + v.name() + ": cannot stop " + v.systemdUnit() + " at start: "
                        + e.getMessage());
            }
        }
        return stopped;
    }

    /**
     * Removes every address this node manages, with hooks; for SIGTERM, after the reconcile workers
     * stopped. The pre_stop hooks of all VIPs run at once on the hook pool (as many as it has
     * threads), each for up to hook_timeout_ms under a lease the core still renews; whatever still
     * runs when {@code budget} is used up is killed, logged and counted ({@code stop_budget}), and
     * its address removed anyway. The post_stop hooks are left on the hook pool (drain it next).
     */
    public void deactivateAll(Duration budget) {
        long deadline = System.nanoTime() + budget.toNanos();
        Snapshot s = host.snapshot();
        Map<String, VipSpec> todo = new LinkedHashMap<>();
        for (VipSpec spec : s.vips()) {
            Local local = locals.get(spec.name());
            // what is on the link is what was added, even if the spec changed since
            todo.put(spec.name(), local != null && local.managed && local.added != null ? local.added : spec);
        }
        for (Map.Entry<String, Local> e : locals.entrySet()) {
            Local local = e.getValue();
            if (!todo.containsKey(e.getKey()) && local.managed && local.added != null) {
                todo.put(e.getKey(), local.added); // deleted, not reconciled yet
            }
        }
        // addresses before units in every pass: the VIP in front of a service goes before the service stops
        Map<String, VipSpec> ordered = new LinkedHashMap<>();
        todo.forEach((k, v) -> {
            if (!v.isService()) {
                ordered.put(k, v);
            }
        });
        ordered.putAll(todo);
        todo = ordered;
        // bounded: one pass per 50 ms until the budget is used up, then one last pass
        for (boolean last = false; !todo.isEmpty(); ) {
            last = System.nanoTime() >= deadline;
            for (java.util.Iterator<Map.Entry<String, VipSpec>> it = todo.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, VipSpec> e = it.next();
                if (deactivateForStop(e.getKey(), e.getValue(), last)) {
                    it.remove();
                }
            }
            if (last || todo.isEmpty()) {
                break;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                last = true;
            }
        }
    }

    /** @return true when {@code vip} is done (removed, nothing to do, or it failed and the kernel lifetime takes over) */
    private boolean deactivateForStop(String vip, VipSpec spec, boolean budgetUsedUp) {
        Local local = locals.computeIfAbsent(vip, k -> new Local());
        local.lock.lock();
        try {
            if (!local.managed && !present(spec)) {
                return true;
            }
            if (budgetUsedUp && local.managed && local.preStopDoneEpoch != local.activeEpoch
                    && spec.preStop() != null) {
                HookRun h = local.hook;
                if (h != null && !h.future().isDone()) {
                    h.future().cancel(true); // kills its process group
                }
                skipHook(vip, "pre_stop", "stop_budget", "pre_stop cut short: the stop budget is used up");
                local.preStopDoneEpoch = local.activeEpoch;
            }
            return deactivate(vip, spec, local, "lcsd stopping") instanceof Result.Done;
        } catch (Exception e) {
            LOG.log(Level.ERROR, "vip " + vip + ": could not remove " + (spec.isService() ? spec.systemdUnit()
                    + ": " + e.getMessage() + " (its binding to lcsd.service stops it when lcsd ends)"
                    : spec.address() + ": " + e.getMessage() + " (the kernel lifetime removes it within the lease)"));
            return true;
        } finally {
            local.lock.unlock();
        }
    }

    /**
     * Removes configured addresses this node holds no lease for; run at start, before it votes. One
     * listing per interface and one batch of removals, whatever the number of VIPs.
     */
    public static int removeStale(NetworkActuator net, List<VipSpec> vips) {
        Map<String, List<VipSpec>> byInterface = new LinkedHashMap<>();
        for (VipSpec v : vips) {
            if (v.isService()) {
                continue; // stopUnheldUnits
            }
            byInterface.computeIfAbsent(v.interfaceName(), k -> new ArrayList<>()).add(v);
        }
        List<AddressChange> removals = new ArrayList<>();
        List<VipSpec> stale = new ArrayList<>();
        for (Map.Entry<String, List<VipSpec>> e : byInterface.entrySet()) {
            List<InterfaceAddress> present;
            try {
                present = net.addresses(e.getKey());
            } catch (io.lcs.reconcilers.net.NoSuchInterfaceException ex) {
                continue; // nothing can be on a missing interface
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return 0;
            } catch (Exception ex) {
                LOG.log(Level.WARNING, "cannot check " + e.getKey() + " at start for " + e.getValue().size()
                        + " VIPs: " + ex.getMessage());
                continue;
            }
            for (VipSpec v : e.getValue()) {
                for (InterfaceAddress a : present) {
                    if (a.sameAddress(v.address())) {
                        removals.add(new AddressChange.Remove(a.cidr(), v.interfaceName()));
                        stale.add(v);
                    }
                }
            }
        }
        if (removals.isEmpty()) {
            return 0;
        }
        List<AddressChange.Outcome> outcomes;
        try {
            outcomes = net.apply(removals);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return 0;
        }
        int removed = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            VipSpec v = stale.get(i);
            if (outcomes.get(i).ok()) {
                LOG.log(Level.WARNING, "vip " + v.name() + ": removed " + removals.get(i).cidr() + " from "
                        + v.interfaceName() + " at start: this node holds no lease for it yet");
                removed++;
            } else {
                LOG.log(Level.WARNING, "vip " + v.name() + ": cannot remove " + removals.get(i).cidr() + " at start: "
                        + outcomes.get(i).error().getMessage());
            }
        }
        return removed;
    }

    /** Re-announces every VIP this node has active (e.g. after a peer that was cut off is back). */
    public void reannounce() {
        Snapshot s = host.snapshot();
        Map<String, List<VipSpec>> byInterface = new LinkedHashMap<>();
        for (VipSpec spec : s.vips()) {
            Local local = locals.get(spec.name());
            if (local != null && local.managed && !spec.isService() && spec.announce()) { // a unit has nothing to announce
                if (batchExecutor == null) {
                    announceAsync(spec.name(), spec);
                } else {
                    byInterface.computeIfAbsent(spec.interfaceName(), k -> new ArrayList<>()).add(spec);
                }
            }
        }
        byInterface.forEach(this::announceAllAsync);
    }


    // ------------------------------------------------------------------ batching

    /** Runs the batch task unless one is already scheduled. */
    private void scheduleBatch() {
        Executor executor = batchExecutor;
        if (executor != null && batchScheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::runBatch);
            } catch (RuntimeException e) {
                batchScheduled.set(false);
                LOG.log(Level.WARNING, "cannot schedule the VIP batch task: " + e + " (VIPs retry on their next reconcile)");
            }
        }
    }

    /**
     * The batch task: after the gather time, takes every pending activation and renewal and acts on
     * them in batches. Public for tests and for callers that run it on their own thread.
     */
    public void runBatch() {
        try {
            long gatherNanos = gather.toNanos();
            if (gatherNanos > 0) {
                TimeUnit.NANOSECONDS.sleep(gatherNanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        batchScheduled.set(false); // before draining: anything added from now on schedules another run
        try {
            if (measureWanted.getAndSet(false)) {
                measureMachine();
            }
            // Renewals first: they take one short ip -batch, while activations probe for probe_ms or
            // more; a renewal queued behind a probe could let an active address's 1 s lifetime run out
            // (members of a unit activate one after another, each with its own probe).
            List<Map.Entry<String, PendingRefresh>> refreshes = drain(pendingRefresh);
            if (!refreshes.isEmpty()) {
                refreshBatch(refreshes);
            }
            List<Map.Entry<String, PendingActivation>> activations = drain(pendingActivation);
            if (!activations.isEmpty()) {
                activateBatch(activations);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "VIP batch task failed: " + e, e);
        }
        if (!pendingActivation.isEmpty() || !pendingRefresh.isEmpty()) {
            scheduleBatch();
        }
    }

    private static <V> List<Map.Entry<String, V>> drain(Map<String, V> pending) {
        List<Map.Entry<String, V>> out = new ArrayList<>();
        for (String vip : List.copyOf(pending.keySet())) {
            if (out.size() >= MAX_BATCH) {
                break;
            }
            V v = pending.remove(vip);
            if (v != null) {
                out.add(Map.entry(vip, v));
            }
        }
        return out;
    }

    /** Locks {@code vip}'s state for the batch task; null if it is busy (the caller puts the work back). */
    private Local tryLock(String vip) throws InterruptedException {
        Local local = locals.get(vip);
        if (local == null || !local.lock.tryLock(50, TimeUnit.MILLISECONDS)) {
            return null;
        }
        if (locals.get(vip) != local) {
            local.lock.unlock();
            return null;
        }
        return local;
    }

    private void refreshBatch(List<Map.Entry<String, PendingRefresh>> work) throws InterruptedException {
        List<AddressChange> changes = new ArrayList<>(work.size());
        List<String> vips = new ArrayList<>(work.size());
        List<PendingRefresh> wanted = new ArrayList<>(work.size());
        List<Local> locked = new ArrayList<>(work.size());
        try {
            for (Map.Entry<String, PendingRefresh> e : work) {
                String vip = e.getKey();
                PendingRefresh p = e.getValue();
                Local local = tryLock(vip);
                if (local == null) {
                    pendingRefresh.putIfAbsent(vip, p);
                    continue;
                }
                locked.add(local);
                long left = remainingNow(vip);
                long lifetime = lifetimeSeconds(left - batchExtraNanos());
                if (!local.managed || local.added == null || !sameAddressOnLink(local.added, p.spec())
                        || local.lastRefreshUntilNanos == p.untilNanos() || !fenced(vip, p.epoch())) {
                    continue; // stale or already done
                }
                if (lifetime < 1) {
                    shortLeaseSkipped(vip, left, false); // renewed, but too little left to promise: it lapses
                    continue;
                }
                changes.add(new AddressChange.Refresh(p.spec().address(), p.spec().interfaceName(),
                        Duration.ofSeconds(lifetime)));
                vips.add(vip);
                wanted.add(p);
            }
            if (changes.isEmpty()) {
                return;
            }
            List<AddressChange.Outcome> outcomes = timedApply(changes);
            for (int i = 0; i < outcomes.size(); i++) {
                AddressChange.Outcome o = outcomes.get(i);
                Local local = locals.get(vips.get(i));
                if (o.ok()) {
                    if (local != null) {
                        local.lastRefreshUntilNanos = wanted.get(i).untilNanos();
                    }
                } else {
                    if (o.error() instanceof AddressNotFoundException) {
                        // it lapsed with the lease still held: its reconcile counts that, logs it and
                        // adds it again (without a probe: the lease never left this node), now rather
                        // than at its next look
                        noteOnLink(wanted.get(i).spec(), false);
                        wake.accept(vips.get(i));
                    } else {
                        LOG.log(Level.WARNING, "vip " + vips.get(i) + ": lifetime refresh failed: "
                                + o.error().getMessage());
                    }
                }
            }
        } finally {
            for (Local l : locked) {
                l.lock.unlock();
            }
        }
    }

    private void activateBatch(List<Map.Entry<String, PendingActivation>> work) throws InterruptedException {
        Map<String, List<Map.Entry<String, PendingActivation>>> byInterface = new LinkedHashMap<>();
        for (Map.Entry<String, PendingActivation> e : work) {
            byInterface.computeIfAbsent(e.getValue().spec().interfaceName(), k -> new ArrayList<>()).add(e);
        }
        for (Map.Entry<String, List<Map.Entry<String, PendingActivation>>> group : byInterface.entrySet()) {
            activateOnInterface(group.getKey(), group.getValue());
        }
    }

    private void activateOnInterface(String ifname, List<Map.Entry<String, PendingActivation>> work)
            throws InterruptedException {
        LinkState link;
        try {
            link = net.link(ifname);
        } catch (ActuatorException e) {
            LOG.log(Level.WARNING, work.size() + " VIPs on " + ifname + ": cannot read the link: " + e.getMessage());
            return; // each reconcile looks again after its requeue delay
        }
        if (!link.exists() || !link.up()) {
            String why = "interface " + ifname + (link.exists() ? " is down" : " does not exist");
            for (Map.Entry<String, PendingActivation> e : work) {
                Local local = tryLock(e.getKey());
                if (local != null) {
                    try {
                        if (fenced(e.getKey(), e.getValue().epoch())) {
                            decline(e.getKey(), local, "InterfaceDown", why);
                        }
                    } finally {
                        local.lock.unlock();
                    }
                }
            }
            return;
        }
        // probe every address that needs it at once (the lease must still be ours first)
        List<Cidr> toProbe = new ArrayList<>();
        for (Map.Entry<String, PendingActivation> e : work) {
            if (e.getValue().probe() && fenced(e.getKey(), e.getValue().epoch())) {
                toProbe.add(e.getValue().spec().address());
            }
        }
        Map<Cidr, ProbeResult> probes = new HashMap<>();
        if (!toProbe.isEmpty()) {
            try {
                probes = net.probeDuplicates(toProbe, ifname, settings.probeWindow());
            } catch (ActuatorException e) {
                for (Cidr c : toProbe) { // nothing is added unprobed
                    probes.put(c, new ProbeResult.CouldNotProbe(e.getMessage(), Duration.ZERO));
                }
            }
        }
        List<String> probeFailed = new ArrayList<>();
        String probeFailure = null; // the first VIP's, for the one line about them all
        List<AddressChange> adds = new ArrayList<>();
        List<Map.Entry<String, PendingActivation>> added = new ArrayList<>();
        List<Local> locked = new ArrayList<>();
        List<Long> untils = new ArrayList<>();
        try {
            for (Map.Entry<String, PendingActivation> e : work) {
                String vip = e.getKey();
                PendingActivation p = e.getValue();
                ProbeResult probe = probes.get(p.spec().address());
                if (p.probe() && probe == null) {
                    continue; // lease was not ours at probe time
                }
                Local local = tryLock(vip);
                if (local == null) {
                    continue; // its reconcile is running: it asks again
                }
                locked.add(local);
                if (probe instanceof ProbeResult.Answered answered) {
                    if (fenced(vip, p.epoch())) {
                        recordConflict(vip, p.spec(), p.epoch(), "address " + p.spec().address().addressText()
                                + " answered from " + answered.responderMac() + " on " + ifname + " before activation");
                        release(vip);
                    }
                    continue;
                }
                if (probe instanceof ProbeResult.CouldNotProbe failed) {
                    if (fenced(vip, p.epoch())) { // fail closed, one line for the batch below
                        String why = probeFailure(p.spec(), failed);
                        probeFailure = probeFailure == null ? why : probeFailure;
                        decline(vip, local, PROBE_FAILED, why, false);
                        release(vip);
                        probeFailed.add(vip);
                    }
                    continue;
                }
                if (probe != null) {
                    noteProbe(vip, p.spec(), local, probe);
                }
                Snapshot s = host.snapshot();
                Lease lease = s.lease(vip);
                long left = remainingNanos(s, lease, monotonic.getAsLong());
                long lifetime = lifetimeSeconds(left - batchExtraNanos());
                Listing known = listings.get(ifname);
                if (!fenced(vip, p.epoch()) || lifetime < 1 || (known != null
                        && known.addresses().contains(p.spec().address().address()))) {
                    if (lifetime < 1 && fenced(vip, p.epoch())) {
                        // the probe (if any) found it free: keep that for this epoch and look again
                        // now; the reconcile waits for a renewal (it polls the lease) and re-adds
                        local.probedFreeEpoch = p.epoch();
                        if (!local.shortLeaseNoted) {
                            local.shortLeaseNoted = true;
                            shortLeaseSkipped(vip, left, true);
                        }
                        wake.accept(vip);
                    }
                    continue;
                }
                adds.add(new AddressChange.Add(p.spec().address(), ifname, Duration.ofSeconds(lifetime)));
                added.add(e);
                untils.add(s.takenAtNanos() + lease.heldRemainingNanos());
            }
            warnForAll(probeFailed, ifname, "declined for " + DECLINE_FOR.toSeconds() + " s", probeFailure);
            if (adds.isEmpty()) {
                return;
            }
            List<AddressChange.Outcome> outcomes = timedApply(adds);
            List<VipSpec> toAnnounce = new ArrayList<>(adds.size());
            // failed adds by what became of them, and the first VIP's reason of each (one line per kind)
            Map<AddFailure, List<String>> failedAdds = new java.util.EnumMap<>(AddFailure.class);
            Map<AddFailure, String> firstReason = new java.util.EnumMap<>(AddFailure.class);
            for (int i = 0; i < outcomes.size(); i++) {
                String vip = added.get(i).getKey();
                PendingActivation p = added.get(i).getValue();
                AddressChange.Outcome o = outcomes.get(i);
                Local local = locals.get(vip); // locked above
                if (!o.ok()) {
                    AddFailure f = addFailed(vip, p.spec(), local, p.epoch(), o.error(), false);
                    if (f == AddFailure.RETRY_NOW || f == AddFailure.RETRY_LATER) {
                        local.probedFreeEpoch = p.epoch(); // the probe found it free at this epoch: not again
                    }
                    if (f == AddFailure.RETRY_NOW) {
                        wake.accept(vip); // tried again now, not after the reconcile's batch wait
                    }
                    failedAdds.computeIfAbsent(f, k -> new ArrayList<>()).add(vip);
                    firstReason.putIfAbsent(f, o.error().getMessage());
                    continue;
                }
                local.addFailures = 0;
                local.addDeclines = 0;
                noteOnLink(p.spec(), true);
                local.lapseNoted = false;
                local.shortLeaseNoted = false;
                boolean first = local.activeEpoch != p.epoch();
                local.managed = true;
                local.activeEpoch = p.epoch();
                local.added = p.spec();
                local.lastRefreshUntilNanos = untils.get(i);
                LOG.log(Level.INFO, "vip " + vip + ": " + p.spec().address() + " active on " + ifname + " (epoch "
                        + p.epoch() + ", lifetime " + ((AddressChange.Add) o.change()).lifetime().toSeconds() + " s)");
                events.append("VipActive", "VirtualIP/" + vip, p.spec().address() + " active on " + settings.node()
                        + " dev " + ifname + " at epoch " + p.epoch());
                status.observed(vip, new LocalVipState(true, null, null));
                if (p.spec().announce()) {
                    toAnnounce.add(p.spec());
                }
                if (first && p.spec().postStart() != null) {
                    startHook(vip, p.spec(), "post_start", p.spec().postStart(), p.epoch(), local);
                }
            }
            warnForAll(failedAdds.getOrDefault(AddFailure.RETRY_NOW, List.of()), ifname, "adding the address was"
                    + " refused, trying once more before declining it here", firstReason.get(AddFailure.RETRY_NOW));
            warnForAll(failedAdds.getOrDefault(AddFailure.DECLINED, List.of()), ifname, "adding the address was"
                    + " refused " + ADD_FAILURES_BEFORE_DECLINE + " times in a row: declined (30 s, doubling while it"
                    + " goes on), another node takes it", firstReason.get(AddFailure.DECLINED));
            if (failedAdds.containsKey(AddFailure.RETRY_LATER)) {
                long leftOut = shortfallLog.permit("add not confirmed");
                if (leftOut >= 0) {
                    warnForAll(failedAdds.get(AddFailure.RETRY_LATER), ifname, LogThrottle.withSuppressed("adding"
                            + " the address failed (not a refusal: ip did not run or confirm it), trying again",
                            leftOut), firstReason.get(AddFailure.RETRY_LATER));
                }
            }
            warnForAll(failedAdds.getOrDefault(AddFailure.NO_INTERFACE, List.of()), ifname, "declined until the"
                    + " interface is up", firstReason.get(AddFailure.NO_INTERFACE));
            announceAllAsync(ifname, toAnnounce);
        } finally {
            for (Local l : locked) {
                l.lock.unlock();
            }
        }
    }

    /** One WARN line for what a batch did to {@code vips} on {@code ifname} (none: no line), with the first VIP's reason. */
    private static void warnForAll(List<String> vips, String ifname, String what, String firstReason) {
        if (vips.isEmpty()) {
            return;
        }
        LOG.log(Level.WARNING, (vips.size() == 1 ? "vip " + vips.get(0) : vips.size() + " VIPs on " + ifname + " ("
                + String.join(", ", vips.subList(0, Math.min(10, vips.size()))) + (vips.size() > 10 ? ", ..." : "")
                + ")") + ": " + what + ": " + firstReason + (vips.size() > 1 ? " (the first one's reason)" : ""));
    }

    /**
     * A held VIP was not added (after its probe, if it needed one) or its lifetime not refreshed
     * because less than a whole second of lease was left to promise the kernel once the slack and
     * recent batches' time were taken off: counted, and said in the log at most once a minute (with
     * the count since), because an address that never comes up, or lapses, must not be silent:
     * lease_ms too short for probe_ms, or a machine so slow that the batches eat the lease.
     */
    private void shortLeaseSkipped(String vip, long leftNanos, boolean add) {
        shortLeaseSkipsTotal[add ? 0 : 1].increment();
        long leftOut = shortfallLog.permit("short lease");
        if (leftOut >= 0) {
            LOG.log(Level.WARNING, LogThrottle.withSuppressed("vip " + vip + ": " + (add ? "not added"
                    : "lifetime not refreshed (the address lapses)") + ": " + Math.max(0, leftNanos) / 1_000_000L
                    + " ms of lease left, a lifetime of 1 s needs " + (SLACK_NANOS + 1_000_000_000L + batchExtraNanos())
                    / 1_000_000L + " ms (the probe, the batches or the machine are too slow for lease_ms); trying again",
                    leftOut));
        }
    }

    /** Logs a lapse (see {@link #addressesLapsed}) through {@link #shortfallLog}. */
    private void lapseLogged(String vip, VipSpec spec, long epoch) {
        long leftOut = shortfallLog.permit("lapse");
        if (leftOut >= 0) {
            LOG.log(Level.WARNING, LogThrottle.withSuppressed("vip " + vip + ": " + spec.address() + " is gone from "
                    + spec.interfaceName() + " while this node holds its lease (epoch " + epoch + "): it lapsed or was"
                    + " removed by hand; adding it again as soon as a whole second of lease can be promised to the"
                    + " kernel", leftOut));
        }
    }

    /**
     * How much longer than {@link #CHANGE_ALLOWANCE_NANOS} a batched apply has recently taken: the
     * lifetimes a batch promises the kernel are computed before the batch runs, so a batch of 1,000
     * changes on a loaded machine must take its own duration off them, or the kernel could keep an
     * address past the lease. The longest of the last {@link #BATCH_HISTORY} batches that ended
     * within {@link #BATCH_HISTORY_MAX_AGE}, doubled, less the allowance; when all are older, the
     * newest, until {@link #measureMachine} replaces it.
     */
    long batchExtraNanos() {
        long now = monotonic.getAsLong();
        long longest = 0;
        int newest = -1;
        long newestEnd = 0;
        synchronized (batchNanos) {
            for (int i = 0; i < BATCH_HISTORY; i++) {
                if (batchNanos[i] == 0) {
                    continue; // never measured
                }
                if (now - batchEndNanos[i] <= BATCH_HISTORY_MAX_AGE.toNanos()) {
                    longest = Math.max(longest, batchNanos[i]);
                }
                if (newest < 0 || batchEndNanos[i] - batchEndNanos[newest] > 0) {
                    newest = i;
                }
            }
            if (newest >= 0) {
                newestEnd = batchEndNanos[newest];
                if (longest == 0) {
                    // all older than the age: the newest stands until a fresh measurement replaces it
                    longest = batchNanos[newest];
                }
            }
        }
        long extra = Math.max(0, 2 * longest - CHANGE_ALLOWANCE_NANOS);
        if (extra > 0 && newest >= 0 && now - newestEnd > BATCH_HISTORY_MAX_AGE.toNanos()
                && !measureWanted.getAndSet(true)) {
            scheduleBatch(); // outside the history's monitor: an inline executor runs the batch here
        }
        return extra;
    }

    private void recordBatch(long tookNanos) {
        synchronized (batchNanos) {
            batchNanos[batchNanosNext] = Math.max(1, tookNanos);
            batchEndNanos[batchNanosNext] = monotonic.getAsLong();
            batchNanosNext = (batchNanosNext + 1) % BATCH_HISTORY;
        }
    }

    /**
     * Fresh evidence of how fast {@code ip} answers now, when every batch duration is older than
     * {@link #BATCH_HISTORY_MAX_AGE} and the newest still holds activations and refreshes back: the
     * time of one listing of a VIP's interface, recorded as a batch. A node that was frozen in the
     * middle of a batch gets back to work at once; one that is still slow stays held back.
     */
    private void measureMachine() throws InterruptedException {
        String ifname = null;
        for (VipSpec v : host.snapshot().vips()) {
            if (!v.isService() && !v.hookOnly()) {
                ifname = v.interfaceName();
                break;
            }
        }
        if (ifname == null) {
            return;
        }
        long start = System.nanoTime();
        try {
            net.addresses(ifname);
        } catch (ActuatorException e) {
            // a missing interface still took ip a round trip to say so
        }
        recordBatch(System.nanoTime() - start);
    }

    /** {@link NetworkActuator#apply}, timed for {@link #batchExtraNanos}; warns when one ran over. */
    private List<AddressChange.Outcome> timedApply(List<AddressChange> changes) throws InterruptedException {
        long allowed = CHANGE_ALLOWANCE_NANOS + batchExtraNanos();
        long start = System.nanoTime();
        try {
            return net.apply(changes);
        } finally {
            long took = System.nanoTime() - start;
            recordBatch(took);
            if (took > allowed) {
                LOG.log(Level.WARNING, "a batch of " + changes.size() + " address changes took " + took / 1_000_000
                        + " ms, more than the " + allowed / 1_000_000 + " ms its lifetimes allowed for; the next"
                        + " batches promise the kernel correspondingly less (is the machine overloaded?)");
            }
        }
    }

    /** The listing of {@code ifname}, re-read when older than {@link #LISTING_MAX_AGE}. */
    private Listing listing(String ifname) throws Exception {
        Listing l = listings.get(ifname);
        if (l != null && monotonic.getAsLong() - l.takenAtNanos() < LISTING_MAX_AGE.toNanos()) {
            return l;
        }
        synchronized (listingLock) {
            l = listings.get(ifname);
            long now = monotonic.getAsLong();
            if (l != null && now - l.takenAtNanos() < LISTING_MAX_AGE.toNanos()) {
                return l; // another worker re-read it meanwhile
            }
            Set<InetAddress> addresses = ConcurrentHashMap.newKeySet();
            boolean exists = true;
            try {
                for (InterfaceAddress a : net.addresses(ifname)) {
                    addresses.add(a.cidr().address());
                }
            } catch (io.lcs.reconcilers.net.NoSuchInterfaceException e) {
                exists = false;
            }
            l = new Listing(addresses, exists, now);
            listings.put(ifname, l);
            return l;
        }
    }

    /**
     * Keeps the cached listing in step with this node's own add ({@code true}) or removal, made in
     * the kernel just before: under {@link #listingLock}, so it lands after any listing read
     * concurrently with that change.
     */
    private void noteOnLink(VipSpec spec, boolean there) {
        synchronized (listingLock) {
            Listing l = listings.get(spec.interfaceName());
            if (l != null) {
                if (there) {
                    l.addresses().add(spec.address().address());
                } else {
                    l.addresses().remove(spec.address().address());
                }
            }
        }
    }

    /** Whether {@code spec}'s address is on its interface now, read from the kernel (no listing). */
    private boolean presentNow(VipSpec spec) throws Exception {
        try {
            for (InterfaceAddress a : net.addresses(spec.interfaceName())) {
                if (a.sameAddress(spec.address())) {
                    return true;
                }
            }
        } catch (io.lcs.reconcilers.net.NoSuchInterfaceException e) {
            return false;
        }
        return false;
    }

    // ------------------------------------------------------------------ helpers

    private boolean present(VipSpec spec) throws Exception {
        if (spec.hookOnly()) {
            return false; // nothing on this node to look at: Local.managed says what it did
        }
        if (spec.isService()) {
            return units != null && units.state(spec.systemdUnit()).mayRun();
        }
        if (batchExecutor != null) {
            Listing l = listing(spec.interfaceName());
            return l.exists() && l.addresses().contains(spec.address().address());
        }
        return presentNow(spec);
    }

    private Result decline(String vip, Local local, String reason, String message) {
        return decline(vip, local, reason, message, true);
    }

    /** What {@link #addFailed} made of a failed add. */
    private enum AddFailure {
        /** The kernel refused it once: try again now. */
        RETRY_NOW,
        /** ip did not run or could not confirm it (not counted towards a decline): the reconcile tries again later. */
        RETRY_LATER,
        /** Declined here (and released): refused {@value #ADD_FAILURES_BEFORE_DECLINE} times in a row. */
        DECLINED,
        /** Declined until the interface exists and is up. */
        NO_INTERFACE
    }

    /**
     * An add of {@code vip}'s address at {@code epoch} failed: counted, and shown in its status. A
     * missing interface declines it at once (until the link is up). A refusal by the kernel ({@link
     * ChangeRefusedException}) counts towards a decline: the {@value #ADD_FAILURES_BEFORE_DECLINE}th
     * in a row at this epoch declines the VIP here and releases its lease (decline first, so the
     * placement skips this node), and each decline in a row without a successful add in between
     * lasts twice as long as the one before (30 s, 60 s, ... up to {@link #ADD_DECLINE_MAX}): a
     * home node that cannot take its VIP does not get it back by failback every 30 s. An {@code ip}
     * that did not run or could not confirm the change is no verdict on this node: tried again
     * later, not counted towards a decline. With the caller holding the VIP's lock.
     *
     * @param log false when the caller writes one line for many VIPs
     */
    private AddFailure addFailed(String vip, VipSpec spec, Local local, long epoch, ActuatorException e, boolean log) {
        addFailuresTotal.increment();
        String what = "adding " + spec.address() + " to " + spec.interfaceName() + " failed";
        if (e instanceof io.lcs.reconcilers.net.NoSuchInterfaceException) {
            decline(vip, local, "InterfaceDown", "interface " + spec.interfaceName() + " does not exist", log);
            return AddFailure.NO_INTERFACE;
        }
        if (!(e instanceof ChangeRefusedException)) {
            if (log) {
                long leftOut = shortfallLog.permit("add not confirmed");
                if (leftOut >= 0) {
                    LOG.log(Level.WARNING, LogThrottle.withSuppressed("vip " + vip + ": " + what + " (epoch " + epoch
                            + "), trying again: " + e.getMessage(), leftOut));
                }
            }
            status.observed(vip, new LocalVipState(false, what + ": " + e.getMessage(), ADD_FAILED));
            return AddFailure.RETRY_LATER;
        }
        if (local.addFailedEpoch != epoch) {
            local.addFailedEpoch = epoch;
            local.addFailures = 0;
        }
        local.addFailures++;
        if (local.addFailures < ADD_FAILURES_BEFORE_DECLINE) {
            if (log) {
                LOG.log(Level.WARNING, "vip " + vip + ": " + what + " (epoch " + epoch + "), trying once more before"
                        + " declining it here: " + e.getMessage());
            }
            status.observed(vip, new LocalVipState(false, what + ": " + e.getMessage(), ADD_FAILED));
            return AddFailure.RETRY_NOW;
        }
        local.addFailures = 0;
        Duration period = addDeclinePeriod(local.addDeclines);
        local.addDeclines++;
        decline(vip, local, ADD_FAILED, "adding " + spec.address() + " to " + spec.interfaceName() + " was refused "
                + ADD_FAILURES_BEFORE_DECLINE + " times in a row (epoch " + epoch + "): " + e.getMessage()
                + "; another node takes it", log, period);
        release(vip);
        return AddFailure.DECLINED;
    }

    /** How long the {@code n}th (from 0) AddFailed decline in a row lasts: 30 s, doubled each time, at most {@link #ADD_DECLINE_MAX}. */
    static Duration addDeclinePeriod(int n) {
        Duration d = DECLINE_FOR.multipliedBy(1L << Math.min(n, 10));
        return d.compareTo(ADD_DECLINE_MAX) > 0 ? ADD_DECLINE_MAX : d;
    }

    private Result decline(String vip, Local local, String reason, String message, boolean log) {
        return decline(vip, local, reason, message, log, DECLINE_FOR);
    }

    /**
     * @param log false when the caller writes one line for many VIPs
     * @param period how long (not for a down interface: until it is up)
     */
    private Result decline(String vip, Local local, String reason, String message, boolean log, Duration period) {
        local.declinedUntilNanos = monotonic.getAsLong() + period.toNanos();
        local.declinedForLink = "InterfaceDown".equals(reason);
        host.setDeclined(vip, true);
        status.observed(vip, new LocalVipState(false, message, reason));
        events.append("HookFailed".equals(reason) || reason.startsWith("PreStart") ? "HookFailed" : reason,
                "VirtualIP/" + vip, settings.node() + " declines " + vip + " for " + period.toSeconds()
                        + " s: " + message);
        if (log) {
            LOG.log(Level.WARNING, "vip " + vip + ": declined for " + period.toSeconds() + " s"
                    + (local.declinedForLink ? " or until the interface is up" : "") + ": " + message);
        }
        return Result.requeueAfter(local.declinedForLink ? LINK_RECHECK : period);
    }

    /** The decline reason of a VIP whose duplicate probe could not run (shown as a condition). */
    static final String PROBE_FAILED = "ProbeFailed";

    private static String probeFailure(VipSpec spec, ProbeResult.CouldNotProbe failed) {
        return "duplicate probe of " + spec.address().addressText() + " on " + spec.interfaceName()
                + " could not run: " + failed.reason();
    }

    /**
     * Records what the probe of an activation was: on an interface without neighbour discovery it
     * was skipped (and so are announcements): said once per VIP and interface, and shown in the
     * VIP's status.
     */
    private void noteProbe(String vip, VipSpec spec, Local local, ProbeResult probe) {
        if (!(probe instanceof ProbeResult.NoNeighbourDiscovery none)) {
            status.probeSkipped(vip, null);
            return;
        }
        status.probeSkipped(vip, "no neighbour discovery on " + spec.interfaceName() + " (" + none.why()
                + "); duplicate probe and announcements skipped");
        if (!spec.interfaceName().equals(local.reportedNoProbeOn)) {
            local.reportedNoProbeOn = spec.interfaceName();
            LOG.log(Level.INFO, "vip " + vip + " on " + spec.interfaceName() + ": no neighbour discovery on this"
                    + " interface (" + none.why() + "); duplicate probe and announcements skipped");
        }
    }

    /** True if {@code ifname} exists and is up; false when it cannot be read. */
    private boolean linkUp(String ifname) {
        try {
            LinkState l = net.link(ifname);
            return l.exists() && l.up();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Gives up the lease of {@code vip}'s unit. A unit of several VIPs is released only once it is
     * no longer wanted here and none of its members is active here any more (the last one to go
     * releases): its members never run on two nodes, not even during a move.
     */
    private void release(String vip) {
        Snapshot s = host.snapshot();
        List<String> members = s.unitMembers(vip);
        if (members.size() > 1) {
            if (s.lease(vip).wanted()) {
                return; // the unit stays here; placement moves it (and then it is released) if it must go
            }
            for (String m : members) {
                Local l = locals.get(m);
                if (!m.equals(vip) && l != null && l.managed) {
                    return;
                }
            }
        }
        host.release(vip);
    }

    private void recordConflict(String vip, VipSpec spec, long epoch, String reason) {
        LOG.log(Level.ERROR, "vip " + vip + ": CONFLICT: " + reason + "; run 'lcs ack " + vip
                + "' once the address is free");
        events.append("Conflict", "VirtualIP/" + vip, reason);
        ObjectNode body = JSON.createObjectNode();
        body.put("apiVersion", "lcs/v1").put("kind", CONFLICT_KIND);
        body.putObject("metadata").put("name", vip);
        body.putObject("spec").put("vip", vip).put("epoch", epoch).put("node", settings.node())
                .put("reason", reason).put("address", spec.address().toString());
        host.write(new VipHost.Put(new ObjectKey(CONFLICT_KIND, vip), body))
                .whenComplete((r, error) -> {
                    if (error != null || !r.succeeded()) {
                        LOG.log(Level.WARNING, "vip " + vip + ": conflict not recorded cluster-wide: "
                                + (error != null ? error.getMessage() : r.message()));
                    }
                });
    }

    /**
     * Announces {@code spec}: {@link #ANNOUNCEMENTS} times, {@link #ANNOUNCE_INTERVAL} apart, on the
     * announcer's thread (nothing else queues there, so the first goes out right after the add). The
     * announcement is cancelled, and a running arping killed, before the address is removed: a
     * gratuitous ARP still going out after the removal answers the next owner's duplicate probe and
     * makes a false conflict (found by the network-namespace nemesis on a move).
     */
    private void announceAsync(String vip, VipSpec spec) {
        announceAllAsync(spec.interfaceName(), List.of(spec));
    }

    /**
     * Announces {@code specs} (all on {@code ifname}) together; removing any of them cancels the
     * rest of the whole series (the first announcement of each has gone out by then).
     */
    private void announceAllAsync(String ifname, List<VipSpec> specs) {
        if (specs.isEmpty()) {
            return;
        }
        Announcement a = new Announcement(ifname, specs);
        for (VipSpec spec : specs) {
            Announcement previous = announcing.put(spec.name(), a);
            if (previous != null) {
                previous.cancel(); // no waiting: this may run on the event loop (reannounce)
            }
        }
        a.schedule(Duration.ZERO);
    }

    private void cancelAnnounce(String vip) {
        Announcement a = announcing.remove(vip);
        if (a != null) {
            a.cancelAndWait();
        }
    }

    /**
     * A series of announcements that can be cancelled and waited for: each send schedules the next
     * one, so at most one task of a series waits in the announcer's queue (the queue holds at most
     * one task per VIP). Without an announcer (tests), one announcement on the background executor.
     */
    private final class Announcement implements Runnable {
        final String ifname;
        final List<VipSpec> specs;
        /** Held while a send runs: {@link #cancelAndWait} waits for it. */
        final ReentrantLock sending = new ReentrantLock();
        int sent; // the series' own thread only
        private boolean cancelled; // guarded by this
        private java.util.concurrent.Future<?> next; // guarded by this

        Announcement(String ifname, List<VipSpec> specs) {
            this.ifname = ifname;
            this.specs = specs;
        }

        synchronized void schedule(Duration delay) {
            if (cancelled) {
                return;
            }
            java.util.concurrent.ScheduledExecutorService s = announcer;
            try {
                if (s != null) {
                    next = s.schedule(this, delay.toNanos(), TimeUnit.NANOSECONDS);
                } else {
                    FutureTask<Void> t = new FutureTask<>(this, null);
                    next = t;
                    background.execute(io.lcs.reconcilers.runtime.BackgroundPool.task("announce",
                            "announcement of " + names(), t));
                }
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.log(Level.WARNING, "announcement of " + names() + " on " + ifname + " not sent: " + e.getMessage());
            }
        }

        private String names() {
            return specs.size() == 1 ? "vip " + specs.get(0).name() : specs.size() + " VIPs";
        }

        @Override
        public void run() {
            sending.lock();
            try {
                synchronized (this) {
                    if (cancelled) {
                        return;
                    }
                }
                if (specs.size() == 1) {
                    announce(specs.get(0).name(), specs.get(0));
                } else {
                    announceAll(ifname, specs);
                }
                sent++;
            } finally {
                sending.unlock();
            }
            if (announcer != null && sent < ANNOUNCEMENTS && !Thread.currentThread().isInterrupted()) {
                schedule(ANNOUNCE_INTERVAL);
            }
        }

        /** Stops the series; a send in progress is interrupted (the command runner kills arping). */
        java.util.concurrent.Future<?> cancel() {
            java.util.concurrent.Future<?> f;
            synchronized (this) {
                cancelled = true;
                f = next;
            }
            if (f != null) {
                f.cancel(true);
            }
            return f;
        }

        /** {@link #cancel}, then waits up to 1 s until a send in progress is gone. */
        void cancelAndWait() {
            cancel();
            try {
                if (sending.tryLock(1, TimeUnit.SECONDS)) {
                    sending.unlock();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void announce(String vip, VipSpec spec) {
        try {
            net.announce(spec.address(), spec.interfaceName());
        } catch (InterruptedException e) {
            LOG.log(Level.DEBUG, "vip " + vip + ": announcement cancelled (address being removed)");
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "vip " + vip + ": announce failed: " + e.getMessage());
        }
    }

    private void announceAll(String ifname, List<VipSpec> specs) {
        List<Cidr> cidrs = new ArrayList<>(specs.size());
        for (VipSpec spec : specs) {
            cidrs.add(spec.address());
        }
        try {
            net.announceAll(cidrs, ifname);
        } catch (InterruptedException e) {
            LOG.log(Level.DEBUG, specs.size() + " announcements on " + ifname + " cancelled (an address is being removed)");
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "announcing " + specs.size() + " addresses on " + ifname + " failed: " + e.getMessage());
        }
    }

    /**
     * A hook's environment: lcs's variables and those of the C lcs, so its scripts run unchanged
     * ({@code LCS_RESOURCE} is the VIP, {@code LCS_RESOURCE_TYPE} {@code vip}, {@code LCS_SYSTEMD_UNIT}
     * empty for a VIP, {@code LCS_LEASE_ID} the lease's epoch: lcs names a lease by its epoch).
     */
    Map<String, String> hookEnv(String vip, VipSpec spec, String event, long epoch) {
        return Map.ofEntries(Map.entry("LCS_CLUSTER", settings.cluster()), Map.entry("LCS_NODE", settings.node()),
                Map.entry("LCS_VIP", vip), Map.entry("LCS_RESOURCE", vip),
                Map.entry("LCS_RESOURCE_TYPE", spec.isService() ? "service" : "vip"),
                Map.entry("LCS_SYSTEMD_UNIT", spec.isService() ? spec.systemdUnit() : ""),
                Map.entry("LCS_ADDRESS", spec.isService() ? "" : spec.address().toString()),
                Map.entry("LCS_INTERFACE", spec.isService() ? "" : spec.interfaceName()),
                Map.entry("LCS_EPOCH", Long.toString(epoch)),
                Map.entry("LCS_LEASE_ID", Long.toString(epoch)), Map.entry("LCS_EVENT", event),
                Map.entry("LCS_HOOK_TIMEOUT_MS", Long.toString(settings.hookTimeout().toMillis())));
    }

    /** Runs one hook for up to hook_timeout_ms (then its process group is killed) and logs its outcome. */
    private HookResult runHook(String vip, VipSpec spec, String event, String program, long epoch)
            throws InterruptedException {
        Duration timeout = settings.hookTimeout();
        HookResult r = hooks.run(new HookInvocation(event, Path.of(program), hookEnv(vip, spec, event, epoch), timeout));
        if (r.succeeded()) {
            LOG.log(Level.INFO, "vip " + vip + ": " + event + " ok in " + r.took().toMillis() + " ms");
        } else if (r.refusal() != null) {
            // the hook runner logged it, once a minute at most: the file is at fault, not the run
            events.append("HookRefused", "VirtualIP/" + vip, event + " on " + settings.node() + " " + describe(r));
        } else {
            LOG.log(Level.WARNING, "vip " + vip + ": " + event + " " + describe(r));
            events.append("HookFailed", "VirtualIP/" + vip, event + " on " + settings.node() + " " + describe(r));
        }
        return r;
    }

    private static String describe(HookResult r) {
        if (r.refusal() != null) {
            return "not run: " + r.refusal().message();
        }
        String out = r.output() == null || r.output().isBlank() ? "" : "; output: " + r.output().strip();
        return (r.timedOut() ? "timed out after " + r.took().toMillis() + " ms" : "exited " + r.exitCode()) + out;
    }

    /** True if this node still holds {@code vip} at {@code epoch} with more than the slack left. */
    private boolean fenced(String vip, long epoch) {
        Snapshot s = host.snapshot();
        Lease l = s.lease(vip);
        return l.held() && l.wanted() && l.heldEpoch() == epoch && !s.conflicts().containsKey(vip)
                && remainingNanos(s, l, monotonic.getAsLong()) > SLACK_NANOS;
    }

    private long remainingNow(String vip) {
        Snapshot s = host.snapshot();
        return remainingNanos(s, s.lease(vip), monotonic.getAsLong());
    }

    private static long remainingNanos(Snapshot s, Lease l, long now) {
        return l.held() ? l.heldRemainingNanos() - (now - s.takenAtNanos()) : 0;
    }

    /** Whole seconds the kernel may keep the address: what is left of the lease minus the slack. */
    static long lifetimeSeconds(long remainingNanos) {
        return Math.max(0, (remainingNanos - SLACK_NANOS) / 1_000_000_000L);
    }
}
