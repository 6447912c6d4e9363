package io.lcs.harness.sim;

import io.lcs.core.ClusterCore;
import io.lcs.core.CoreConfig;
import io.lcs.core.CoreEvent;
import io.lcs.core.Views.LeaseView;
import io.lcs.core.Views.MembershipView;
import io.lcs.core.Views.PeerView;
import io.lcs.core.WriteOp;
import io.lcs.core.WriteResult;
import io.lcs.model.wire.Message;
import io.lcs.model.config.GroupConfig;
import io.lcs.model.config.GroupRules;
import io.lcs.reconcilers.lease.GroupPlacement;
import io.lcs.reconcilers.check.CheckEligibility;
import io.lcs.reconcilers.lease.Placement;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A whole simulated cluster in one thread: {@link SimNode}s on a {@link SimNetwork} under one
 * {@link SimClock}, driven by a single event loop (node ticks, message deliveries and scripted
 * actions, in time order, ties broken deterministically), with {@link Invariants} checked after
 * every step. All randomness comes from one {@link SplittableRandom} seeded by the caller, so a
 * seed replays exactly.
 *
 * <p>Lease intents: with {@link Options#autoIntents()} each node decides on every tick, from its
 * own view only, which VIPs it wants, with the production placement code (see
 * {@link #desiredOwner}); otherwise a test sets them with {@link #want}.
 *
 * <p>Not thread-safe; one cluster per thread.
 */
public final class SimCluster {
    /** Bound on steps of one run, so a livelocked simulation fails instead of hanging. */
    public static final long MAX_STEPS = 50_000_000L;
    /** Local-clock interval between two ticks of a node, chosen at random per tick. */
    public static final long MIN_TICK_NANOS = 10_000_000L;
    public static final long MAX_TICK_NANOS = 30_000_000L;
    /** A resumed node reads its backlog over this long (interleaved with its ticks and its peers' traffic). */
    public static final long BACKLOG_SPREAD_NANOS = 30_000_000L;
    /** Write timeout of the simulated nodes (lcsd's is 5 s): shorter runs see more time-outs. */
    public static final long WRITE_TIMEOUT_MILLIS = 3_000;
    /** The membership hash every node runs with unless {@link #misconfigure}d. */
    public static final long CLUSTER_HASH = 0x1C5L;

    /**
     * @param fullMembers nodes that may hold VIPs (named n1..nK)
     * @param witnesses quorum-only nodes (named w1..wJ)
     * @param releaseOnStop a node that stops wanting a VIP it holds releases it at once (else it lets
     *     the lease run out)
     * @param maxPauseNanos the longest freeze or suspend the run may inject (widens the quorum check)
     * @param verbose print every step here, or null
     * @param tombstoneGcMillis how old a tombstone must be before it may be collected; 0 for lcsd's default
     */
    public record Options(long seed, int fullMembers, int witnesses, long leaseMillis, long renewMillis,
                          double driftBound, boolean codec, boolean releaseOnStop, boolean autoIntents,
                          List<String> vips, long maxPauseNanos, PrintStream verbose, long tombstoneGcMillis) {
        public Options {
            vips = List.copyOf(vips);
            if (fullMembers < 1 || witnesses < 0) {
                throw new IllegalArgumentException("need at least one full member");
            }
        }

        /** With lcsd's default tombstone age. */
        public Options(long seed, int fullMembers, int witnesses, long leaseMillis, long renewMillis,
                       double driftBound, boolean codec, boolean releaseOnStop, boolean autoIntents,
                       List<String> vips, long maxPauseNanos, PrintStream verbose) {
            this(seed, fullMembers, witnesses, leaseMillis, renewMillis, driftBound, codec, releaseOnStop,
                    autoIntents, vips, maxPauseNanos, verbose, 0);
        }

        public Options withTombstoneGcMillis(long millis) {
            return new Options(seed, fullMembers, witnesses, leaseMillis, renewMillis, driftBound, codec,
                    releaseOnStop, autoIntents, vips, maxPauseNanos, verbose, millis);
        }

        /** A quiet cluster: no drift surprises, direct objects on the wire, manual intents. */
        public static Options manual(long seed, int fullMembers, int witnesses, List<String> vips) {
            return new Options(seed, fullMembers, witnesses, 2_000, 500, 0.01, true, true, false, vips, 0, null);
        }
    }

    /** Formatted only when a trace is printed. */
    private record Received(String from, Message message) {
        @Override
        public String toString() {
            return "from " + from + " " + message;
        }
    }

    private record Timer(long atNanos, long seq, SimNode node, int generation, String label, Runnable action) {
    }

    final Options options;
    final SplittableRandom random;
    final SimClock clock = new SimClock();
    final SimNetwork network;
    final List<SimNode> nodes = new ArrayList<>();
    final Map<String, SimNode> byName = new LinkedHashMap<>();
    final SimTrace trace;
    final Invariants invariants;
    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> {
        int c = Long.compare(a.atNanos, b.atNanos);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    });
    private long timerSeq;
    private long steps;
    private final List<String> fullMemberNames = new ArrayList<>();
    /** {@code preferred_nodes} per VIP: every third VIP prefers one node, so that rule runs too. */
    private final Map<String, List<String>> preferredNodes = new HashMap<>();
    private final Map<String, String> forcedOwner = new HashMap<>();
    private final Map<String, Set<String>> manualWants = new HashMap<>();
    /** Resources in groups, placed as units with the production GroupPlacement; null: each VIP alone. */
    private GroupModel groupModel;

    /**
     * Resources with groups and dependencies; the cluster's VIPs ({@link Options#vips}) are then the
     * lease keys of their units ({@link #leaseKeys}).
     */
    public record GroupModel(List<GroupRules.Member> resources, Map<String, GroupConfig> groups, GroupRules.Units units,
                             Map<String, String> groupOf) {
        public static GroupModel of(List<GroupRules.Member> resources, Map<String, GroupConfig> groups) {
            Map<String, String> groupOf = new HashMap<>();
            for (GroupRules.Member m : resources) {
                if (m.grouping().group() != null) {
                    groupOf.put(m.name(), m.grouping().group());
                }
            }
            return new GroupModel(List.copyOf(resources), Map.copyOf(groups), GroupRules.units(resources, groups),
                    Map.copyOf(groupOf));
        }

        public List<String> leaseKeys() {
            return List.copyOf(units.byKey().keySet());
        }

        /** The resource called {@code name}, or null. */
        public GroupRules.Member member(String name) {
            for (GroupRules.Member m : resources) {
                if (m.name().equals(name)) {
                    return m;
                }
            }
            return null;
        }
    }

    /** Places {@link Options#vips} as the units of {@code model}; call before the run starts. */
    public void useGroups(GroupModel model) {
        if (!new TreeSet<>(model.leaseKeys()).equals(new TreeSet<>(options.vips()))) {
            throw new IllegalArgumentException("the cluster's VIPs must be the units' lease keys " + model.leaseKeys());
        }
        groupModel = model;
    }

    public GroupModel groupModel() {
        return groupModel;
    }
    private final Set<String> manualVips = new TreeSet<>();
    private final Map<String, WriteResult> results = new HashMap<>();
    private final List<CoreEvent> eventLog = new ArrayList<>();
    private boolean keepEvents;
    /** With {@link #enableHealthChecks}: whether check {@link #CHECK} passes on each full member (the truth). */
    private final Map<String, Boolean> healthy = new HashMap<>();
    private boolean healthChecks;
    /** The one health check every VIP lists when health checks are on. */
    public static final String CHECK = "svc";

    public SimCluster(Options options) {
        this.options = options;
        this.random = new SplittableRandom(options.seed());
        this.trace = new SimTrace(options.verbose());
        List<CoreConfig.Member> members = new ArrayList<>();
        for (int i = 1; i <= options.fullMembers(); i++) {
            members.add(new CoreConfig.Member("n" + i, true));
            fullMemberNames.add("n" + i);
        }
        for (int i = 1; i <= options.witnesses(); i++) {
            members.add(new CoreConfig.Member("w" + i, false));
        }
        List<String> names = members.stream().map(CoreConfig.Member::name).toList();
        this.network = new SimNetwork(random.split(), names, options.codec());
        long hb = Math.max(50, Math.min(250, options.renewMillis() / 2));
        for (int i = 0; i < members.size(); i++) {
            CoreConfig d = CoreConfig.defaults(names.get(i), members, CLUSTER_HASH, options.leaseMillis(),
                    options.renewMillis());
            CoreConfig c = new CoreConfig(d.self(), d.members(), d.configHash(), d.leaseMillis(), d.renewMillis(),
                    hb, d.peerTimeoutMillis(), options.driftBound(), WRITE_TIMEOUT_MILLIS, d.syncIntervalMillis(),
                    options.tombstoneGcMillis() > 0 ? options.tombstoneGcMillis() : d.tombstoneGcMillis(),
                    d.suspendJumpMillis(), d.maxLeaseEntries(), d.stopGraceMillis());
            // each monotonic clock runs at 1 + drift with |drift| <= bound / 2, so any two differ by <= bound
            double drift = (random.nextDouble() * 2 - 1) * options.driftBound() / 2;
            SimClock.NodeClock nc = new SimClock.NodeClock(clock, 1 + drift,
                    1_000_000_000L + random.nextLong(1L << 40), 1_700_000_000_000L + random.nextLong(1L << 30));
            SimNode n = new SimNode(i, c, nc);
            nodes.add(n);
            byName.put(n.name, n);
        }
        for (int i = 0; i < options.vips().size(); i++) {
            if (i % 3 == 1) {
                preferredNodes.put(options.vips().get(i), List.of(fullMemberNames.get(i % fullMemberNames.size())));
            }
        }
        this.invariants = new Invariants(this);
        for (SimNode n : nodes) {
            n.start(random);
            scheduleTick(n, random.nextLong(MAX_TICK_NANOS));
        }
    }

    // ------------------------------------------------------------------ event loop

    /** Runs every step due up to real time {@code realNanos}, then sets the clock there. */
    public void runUntil(long realNanos) {
        while (true) {
            long nt = network.peekNanos();
            Timer tm = timers.peek();
            long tt = tm == null ? Long.MAX_VALUE : tm.atNanos;
            long next = Math.min(nt, tt);
            if (next > realNanos) {
                break;
            }
            if (++steps > MAX_STEPS) {
                throw invariants.failure("step bound " + MAX_STEPS + " exceeded (livelock?)");
            }
            clock.advanceTo(next);
            if (tt <= nt) {
                timers.poll();
                runTimer(tm);
            } else {
                deliver(network.poll());
            }
        }
        clock.advanceTo(Math.max(clock.nowNanos(), realNanos));
    }

    public void runForMillis(long millis) {
        runUntil(clock.nowNanos() + millis * 1_000_000L);
    }

    /** Schedules {@code action} at real time {@code realNanos}; it counts as one step. */
    public void at(long realNanos, String label, Runnable action) {
        timers.add(new Timer(Math.max(realNanos, clock.nowNanos()), timerSeq++, null, 0, label, action));
    }

    private void runTimer(Timer tm) {
        if (tm.action != null) {
            tm.action.run();
            trace.record(clock.nowNanos(), "action", null, tm.label, tm.label.hashCode());
            invariants.afterStep();
            return;
        }
        SimNode n = tm.node;
        if (n.generation != tm.generation || n.status != SimNode.Status.UP) {
            return; // a tick from before a crash, pause or restart
        }
        tick(n, 0);
        scheduleTick(n, n.clock.realNanosFor(MIN_TICK_NANOS + random.nextLong(MAX_TICK_NANOS - MIN_TICK_NANOS)));
    }

    private void scheduleTick(SimNode n, long inNanos) {
        timers.add(new Timer(clock.nowNanos() + inNanos, timerSeq++, n, n.generation, null, null));
    }

    /** @param stalledNanos how long the node's loop stood still before this tick (as lcsd's driver measures it) */
    private void tick(SimNode n, long stalledNanos) {
        long local = n.clock.monoNanos();
        if (healthChecks && n.config.isFullMember(n.name)) {
            // as lcsd's check runner does after each run: the core announces a change at once, only once
            n.core.setCheckReports(List.of(new Message.CheckReport(CHECK, healthy.get(n.name),
                    healthy.get(n.name) ? "passing" : "failing 1/1: simulated")));
        }
        applyIntents(n, local);
        n.core.tick(local, n.clock.wallMillis(), stalledNanos);
        applyReady(n);
        trace.record(clock.nowNanos(), "tick", n.name, null, 0);
        trace.mixIn(n.core.storeDigest());
        invariants.afterTick(n);
        invariants.afterStep(n);
    }

    private void deliver(SimNetwork.InFlight m) {
        SimNode to = nodes.get(m.to());
        if (to.status == SimNode.Status.CRASHED) {
            return;
        }
        if (to.status != SimNode.Status.UP) {
            if (to.parked.size() < SimNode.MAX_PARKED) {
                to.parked.add(m);
            }
            return;
        }
        Message msg = network.open(m);
        if (msg == null) {
            return;
        }
        String from = network.name(m.from());
        boolean strangerSpeaks = !(msg instanceof Message.Heartbeat) && !to.core.membership(to.clock.monoNanos())
                .nodes().get(m.from()).configMatch();
        to.core.receive(from, msg, to.clock.monoNanos());
        if (strangerSpeaks) {
            invariants.strangerChangedNothing(to, from, msg);
        }
        applyReady(to);
        trace.record(clock.nowNanos(), "recv", to.name, new Received(from, msg), m.seq());
        invariants.afterStep(to);
    }

    private void applyReady(SimNode n) {
        io.lcs.core.Ready r = n.core.drain();
        invariants.onReady(n, r);
        n.apply(r, network, clock.nowNanos(), this::onEvent);
        invariants.afterApply(n, r);
    }

    private void onEvent(SimNode n, CoreEvent e) {
        if (keepEvents) {
            eventLog.add(e);
        }
        if (e instanceof CoreEvent.WriteCompleted wc) {
            results.put(handle(n, wc.result().requestId()), wc.result());
            invariants.onWriteCompleted(n, wc.result());
            trace.record(clock.nowNanos(), "event", n.name, e, wc.result().requestId());
        } else if (e instanceof CoreEvent.LeaseAcquired || e instanceof CoreEvent.LeaseLost
                || e instanceof CoreEvent.LeaseReleased || e instanceof CoreEvent.QuorumChanged
                || e instanceof CoreEvent.SuspendDetected) {
            trace.record(clock.nowNanos(), "event", n.name, e, e.hashCode());
        }
    }

    private static String handle(SimNode n, long requestId) {
        return n.name + "#" + n.incarnation + "#" + requestId;
    }

    // ------------------------------------------------------------------ lease intents

    private void applyIntents(SimNode n, long local) {
        ClusterCore c = n.core;
        if (!options.autoIntents()) {
            Set<String> wants = manualWants.getOrDefault(n.name, Set.of());
            for (String vip : manualVips) {
                c.setLeaseWanted(vip, wants.contains(vip), local);
            }
            return;
        }
        MembershipView mv = c.hasQuorum() ? c.membership(local) : null;
        if (groupModel != null) {
            applyGroupIntents(n, mv, local);
            return;
        }
        for (String vip : options.vips()) {
            LeaseView lv = c.lease(vip, local);
            boolean want = mv != null && n.name.equals(desiredOwner(vip, mv, lv, n.name));
            c.setLeaseWanted(vip, want, local);
            if (!want && lv.held() && options.releaseOnStop()) {
                c.release(vip, local); // as the address reconciler does once the address is removed
            }
        }
    }

    /**
     * The production placement ({@link Placement}, as lcsd's lease reconciler calls it) from one
     * node's view: candidates are the nodes of its membership view (online, full member, restart
     * wait as it sees them; the simulation has no cordons, drains or hook failures), the known
     * owner is its own lease or its acceptor's grant, a Move is {@code moveTo}.
     */
    String desiredOwner(String vip, MembershipView mv, LeaseView lv, String self) {
        List<Placement.Candidate> candidates = new ArrayList<>();
        for (PeerView p : mv.nodes()) {
            String unhealthy = healthChecks ? unhealthy(self, p.name()) : null;
            candidates.add(new Placement.Candidate(p.name(), p.fullMember(), p.online(), p.restarting(), false, false,
                    false, unhealthy == null, unhealthy));
        }
        return Placement.desiredOwner(new Placement.Input(vip, preferredNodes.getOrDefault(vip, List.of()),
                candidates, lv.knownOwner(self), forcedOwner.get(vip), null));
    }

    /**
     * Unit intents as lcsd's lease reconciler makes them: {@link GroupPlacement#place} from this
     * node's view, then {@link GroupPlacement#strictClash} before wanting a unit.
     */
    private void applyGroupIntents(SimNode n, MembershipView mv, long local) {
        ClusterCore c = n.core;
        Map<String, String> desired = new HashMap<>();
        if (mv != null) {
            List<Placement.Candidate> candidates = new ArrayList<>();
            for (PeerView p : mv.nodes()) {
                // health as lcsd's placement sees it (every VIP lists the one check, so every member alike)
                String unhealthy = healthChecks ? unhealthy(n.name, p.name()) : null;
                candidates.add(new Placement.Candidate(p.name(), p.fullMember(), p.online(), p.restarting(), false,
                        false, false, unhealthy == null, unhealthy));
            }
            List<GroupPlacement.UnitView> views = new ArrayList<>();
            for (GroupRules.Unit u : groupModel.units().byKey().values()) {
                Map<String, List<Placement.Candidate>> perMember = new java.util.LinkedHashMap<>();
                Set<String> anti = new TreeSet<>();
                // the first home in start order; lcsd takes the first in priority order, the same
                // member for GROUPS (kt0 is both kt's dependency and its higher priority)
                String home = null;
                int priority = 0;
                for (String m : u.members()) {
                    perMember.put(m, candidates);
                    GroupRules.Member r = groupModel.member(m);
                    if (home == null && r != null) {
                        home = r.grouping().homeNode();
                    }
                    if (r != null && r.grouping().priority() != null) {
                        priority = Math.max(priority, r.grouping().priority());
                    }
                    GroupConfig g = groupModel.groups().get(groupModel.groupOf().getOrDefault(m, ""));
                    if (g != null && !g.keepTogether()) {
                        anti.add(g.name());
                    }
                }
                // failback_settle_ms = 0: home whenever it may take the unit (GroupPlacement checks that)
                views.add(new GroupPlacement.UnitView(u.key(), priority, perMember, u.strict(), List.of(),
                        c.lease(u.key(), local).knownOwner(n.name), forcedOwner.get(u.key()), null, home, home != null,
                        anti));
            }
            desired.putAll(GroupPlacement.place(views, groupModel.groups()));
        }
        List<String> take = new ArrayList<>();
        for (String key : options.vips()) {
            if (n.name.equals(desired.get(key))) {
                take.add(key);
                continue;
            }
            c.setLeaseWanted(key, false, local);
            if (c.lease(key, local).held() && options.releaseOnStop()) {
                c.release(key, local);
            }
        }
        for (String key : take) {
            String clash = GroupPlacement.strictClash(key, groupModel.units(), groupModel.groups(),
                    groupModel.groupOf()::get, k -> {
                        LeaseView l = c.lease(k, local);
                        return l.held() || l.wanted();
                    });
            c.setLeaseWanted(key, clash == null, local);
        }
    }

    /**
     * Why {@code node} fails the VIPs' check as {@code viewer}'s core last heard (the rule lcsd's
     * placement uses, {@link CheckEligibility}), or null when it passes.
     */
    String unhealthy(String viewer, String node) {
        return CheckEligibility.problem(List.of(CHECK), CheckEligibility.byName(node(viewer).core.checkReports(node)));
    }

    // ------------------------------------------------------------------ scripting

    /** From now on every VIP lists the check {@link #CHECK}, passing on every full member until {@link #setHealthy}. */
    public void enableHealthChecks() {
        healthChecks = true;
        for (String n : fullMemberNames) {
            healthy.put(n, true);
        }
        invariants.enableHealthChecks();
    }

    public boolean healthChecks() {
        return healthChecks;
    }

    /** The check starts passing or failing on {@code node}; its next tick reports it (as lcsd's runner would). */
    public void setHealthy(String node, boolean passing) {
        if (!healthy.containsKey(node)) {
            throw new IllegalArgumentException("not a full member with checks: " + node);
        }
        if (healthy.put(node, passing) != passing) {
            trace.record(clock.nowNanos(), passing ? "check-passes" : "check-fails", node, null, passing ? 3 : 4);
        }
    }

    public SimNode node(String name) {
        SimNode n = byName.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no node '" + name + "'");
        }
        return n;
    }

    public List<SimNode> nodes() {
        return nodes;
    }

    public SimNetwork network() {
        return network;
    }

    public SimClock clock() {
        return clock;
    }

    public SimTrace trace() {
        return trace;
    }

    public Invariants invariants() {
        return invariants;
    }

    public Options options() {
        return options;
    }

    public long steps() {
        return steps;
    }

    public List<String> fullMemberNames() {
        return fullMemberNames;
    }

    public void crash(String name) {
        SimNode n = node(name);
        if (n.status != SimNode.Status.CRASHED) {
            n.crash(clock.nowNanos());
            trace.record(clock.nowNanos(), "crash", name, null, 1);
        }
    }

    /** A clean stop of {@code name}: a crash that leaves lcsd's record of when it stopped granting. */
    public void stopCleanly(String name) {
        SimNode n = node(name);
        if (n.status != SimNode.Status.CRASHED) {
            n.stopCleanly(clock.nowNanos());
            trace.record(clock.nowNanos(), "stop", name, null, 1);
        }
    }

    /**
     * Restarts node {@code name} (from its disk) with membership hash {@code hash} instead of the
     * cluster's: as if its lcs.conf said another cluster name. Its peers must not count it, nor
     * it them; {@link #fixConfiguration} puts the right one back. No-op while crashed.
     */
    public void misconfigure(String name, long hash) {
        SimNode n = node(name);
        if (n.status != SimNode.Status.CRASHED && n.config.configHash() != hash) {
            n.reconfigure(withHash(n.config, hash), random, clock.nowNanos());
            trace.record(clock.nowNanos(), "misconfigure", name, null, hash);
            tickNowAndSchedule(n);
        }
    }

    /** Restarts node {@code name} with the cluster's membership hash if it runs another one. */
    public void fixConfiguration(String name) {
        SimNode n = node(name);
        if (n.status != SimNode.Status.CRASHED && n.config.configHash() != CLUSTER_HASH) {
            n.reconfigure(withHash(n.config, CLUSTER_HASH), random, clock.nowNanos());
            trace.record(clock.nowNanos(), "reconfigure", name, null, CLUSTER_HASH);
            tickNowAndSchedule(n);
        }
    }

    private static CoreConfig withHash(CoreConfig c, long hash) {
        return new CoreConfig(c.self(), c.members(), hash, c.leaseMillis(), c.renewMillis(), c.heartbeatMillis(),
                c.peerTimeoutMillis(), c.driftBound(), c.writeTimeoutMillis(), c.syncIntervalMillis(),
                c.tombstoneGcMillis(), c.suspendJumpMillis(), c.maxLeaseEntries(), c.stopGraceMillis());
    }

    /** Restarts a crashed node from its disk (its core starts its restart wait now). */
    public void restart(String name) {
        SimNode n = node(name);
        if (n.status == SimNode.Status.CRASHED) {
            n.start(random);
            trace.record(clock.nowNanos(), "restart", name, null, 2);
            tickNowAndSchedule(n);
        }
    }

    /** SIGSTOP: the node takes no step; its clocks run on; messages to it wait. */
    public void freeze(String name) {
        pause(node(name), SimNode.Status.FROZEN);
    }

    /** Host suspend: like a freeze, and its monotonic clock stops too (its wall clock does not). */
    public void suspend(String name) {
        SimNode n = node(name);
        if (n.status == SimNode.Status.UP) {
            n.clock.suspend();
        }
        pause(n, SimNode.Status.SUSPENDED);
    }

    private void pause(SimNode n, SimNode.Status how) {
        if (n.status == SimNode.Status.UP) {
            n.status = how;
            n.pausedAtMonoNanos = n.clock.monoNanos();
            n.generation++;
            trace.record(clock.nowNanos(), how == SimNode.Status.FROZEN ? "freeze" : "suspend", n.name, null, 3);
        }
    }

    /**
     * Ends a freeze or suspend: the node ticks at once (its heartbeats leave), then reads the
     * messages that waited for it, spread over the next {@link #BACKLOG_SPREAD_NANOS} and in any
     * order, as a busy event loop interleaves a socket backlog with its timers: peers may hear the
     * resumed node before it has read what was sent to it long ago. The tick reports the pause as a
     * stall of the node's own loop, as lcsd's driver does (its timer fired that late): for a freeze,
     * the monotonic time that passed; a suspend stopped that clock too, so nearly nothing.
     */
    public void resume(String name) {
        resume(name, 1_000, BACKLOG_SPREAD_NANOS);
    }

    /** {@link #resume}, the backlog read from {@code afterNanos} on, over {@code spreadNanos}. */
    public void resume(String name, long afterNanos, long spreadNanos) {
        SimNode n = node(name);
        if (n.status != SimNode.Status.FROZEN && n.status != SimNode.Status.SUSPENDED) {
            return;
        }
        n.clock.resume();
        n.status = SimNode.Status.UP;
        n.generation++;
        trace.record(clock.nowNanos(), "resume", name, null, 4);
        tick(n, n.clock.monoNanos() - n.pausedAtMonoNanos);
        scheduleTick(n, n.clock.realNanosFor(MIN_TICK_NANOS + random.nextLong(MAX_TICK_NANOS - MIN_TICK_NANOS)));
        long t = clock.nowNanos() + afterNanos;
        while (!n.parked.isEmpty()) {
            network.requeue(n.parked.poll(), t + (spreadNanos > 0 ? random.nextLong(spreadNanos) : 0));
        }
    }

    private void tickNowAndSchedule(SimNode n) {
        tick(n, 0);
        scheduleTick(n, n.clock.realNanosFor(MIN_TICK_NANOS + random.nextLong(MAX_TICK_NANOS - MIN_TICK_NANOS)));
    }

    /** Submits a client write at {@code name}; returns a handle for {@link #result}. */
    public String submit(String name, WriteOp op) {
        SimNode n = node(name);
        if (n.status != SimNode.Status.UP) {
            throw new IllegalStateException(name + " is " + n.status + ": no client can reach it");
        }
        long id = n.core.submit(op, n.clock.monoNanos());
        String h = handle(n, id);
        applyReady(n);
        trace.record(clock.nowNanos(), "submit", name, op, op.key().hashCode() ^ id);
        invariants.afterStep(n);
        return h;
    }

    /** The outcome of a submitted write, or null while it runs (or if its node crashed). */
    public WriteResult result(String handle) {
        return results.get(handle);
    }

    /** Manual intents: node {@code name} wants (or stops wanting) VIP {@code vip} from its next tick. */
    public void want(String name, String vip, boolean wanted) {
        manualVips.add(vip);
        Set<String> s = manualWants.computeIfAbsent(name, k -> new HashSet<>());
        if (wanted) {
            s.add(vip);
        } else {
            s.remove(vip);
        }
    }

    /** Gives the VIP up at {@code name} now (the address is gone). */
    public void release(String name, String vip) {
        want(name, vip, false);
        SimNode n = node(name);
        long local = n.clock.monoNanos();
        n.core.setLeaseWanted(vip, false, local);
        n.core.release(vip, local);
        applyReady(n);
        trace.record(clock.nowNanos(), "release", name, vip, vip.hashCode());
        invariants.afterStep();
    }

    /** A Move: every node's placement prefers {@code owner} for {@code vip}; null ends it. */
    public void forceOwner(String vip, String owner) {
        if (owner == null) {
            forcedOwner.remove(vip);
        } else {
            forcedOwner.put(vip, owner);
        }
        trace.record(clock.nowNanos(), "move", owner, vip, vip.hashCode() ^ (owner == null ? 0 : owner.hashCode()));
    }

    /** Nodes that hold {@code vip} now by their own view (crashed and suspended nodes hold nothing). */
    public List<String> holders(String vip) {
        List<String> out = new ArrayList<>();
        for (SimNode n : nodes) {
            if (n.core != null && n.status != SimNode.Status.SUSPENDED
                    && n.core.lease(vip, n.clock.monoNanos()).held()) {
                out.add(n.name);
            }
        }
        return out;
    }

    /** Keeps every core event (in order) for {@link #events()}. */
    public void keepEvents(boolean keep) {
        keepEvents = keep;
    }

    public List<CoreEvent> events() {
        return eventLog;
    }

    /**
     * Ends every fault: heals the network, resumes paused nodes, restarts crashed ones, gives
     * misconfigured ones the cluster's configuration, ends Moves.
     */
    public void healEverything() {
        network.heal();
        network.clearLinkLoss();
        forcedOwner.clear();
        trace.record(clock.nowNanos(), "heal", null, null, 5);
        for (SimNode n : nodes) {
            if (n.status == SimNode.Status.CRASHED) {
                restart(n.name);
            } else if (n.status == SimNode.Status.SUSPENDED
                    && n.clock.suspendedForNanos() < detectableSuspendNanos(n)) {
                // a suspend ends when the host wakes, not when the network heals: cut short, it
                // would be one the node cannot see (its wall clock jumped less than the threshold
                // while its monotonic clock, and its lease, stood still), which the fault generator
                // never makes (SimRun): such a node would rightly still hold an expired lease
                String name = n.name;
                at(clock.nowNanos() + detectableSuspendNanos(n) - n.clock.suspendedForNanos(), "resume " + name,
                        () -> resume(name));
            } else if (n.status != SimNode.Status.UP) {
                resume(n.name);
            }
            fixConfiguration(n.name);
        }
    }

    /** The shortest suspend SimRun makes: long enough that the node's wall-clock jump check sees it. */
    static long detectableSuspendNanos(SimNode n) {
        long jump = n.config.suspendJumpMillis() * 1_000_000L;
        return jump + jump / 5 + 100_000_000L;
    }

    /** Real nanoseconds a full settle needs after {@link #healEverything}: restart wait, peer timeout, leases. */
    public long settleNanos() {
        CoreConfig c = nodes.get(0).config;
        return (long) ((c.leaseMillis() * (1 + 2 * c.driftBound()) * 1.05 + c.peerTimeoutMillis()
                + 3L * c.leaseMillis() + 2 * c.syncIntervalMillis() + 1_000) * 1_000_000L);
    }
}
