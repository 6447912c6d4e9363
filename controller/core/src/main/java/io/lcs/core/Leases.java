package io.lcs.core;

import io.lcs.core.CoreEvent.LeaseAcquired;
import io.lcs.core.CoreEvent.LeaseLost;
import io.lcs.core.CoreEvent.LeaseReleased;
import io.lcs.core.Views.LeaseView;
import io.lcs.model.wire.Ballot;
import io.lcs.model.wire.LeaseMessage;
import io.lcs.model.wire.LeaseSetCodec;
import io.lcs.model.wire.Message;
import io.lcs.model.wire.WireCodec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The PaxosLease leases of one node, one per VIP (docs/architecture.md, "Leases" and "Epochs"):
 * this node as a proposer (rounds started in cohorts that share one ballot, renewals, back-off),
 * as an acceptor of every node's rounds (promises, grants timed from receipt, the highest epoch
 * seen), and as a holder; suspend handling.
 *
 * <p><b>Inputs:</b> {@link #detectSuspend} and {@link #tick} on every tick, {@link #setWanted} and
 * {@link #release} from the lease reconciler, the lease messages of every configured peer
 * ({@link #onLeaseBatch}, {@link #onLeaseSets}, {@link #onHeldSet}), each peer's VIP-table hash
 * and held-set renewal from its heartbeats ({@link #onPeerLeaseTable}, {@link #onPeerHeartbeat}),
 * {@link #renewHeldSet} and {@link #ackFor} when the facade builds heartbeats, and
 * {@link #drainInto} when the facade drains. <b>Outputs</b> (to
 * the {@link Outbox}): epochs to persist (before the reply that reports them), one lease message
 * per peer per drain ({@link Message.LeaseSets} when both VIP tables match, else
 * {@link Message.LeaseBatch}), and the events {@link CoreEvent.LeaseAcquired},
 * {@link CoreEvent.LeaseRenewed}, {@link CoreEvent.LeaseLost}, {@link CoreEvent.LeaseReleased},
 * {@link CoreEvent.SuspendDetected}, {@link CoreEvent.BadMessage}, {@link CoreEvent.LeaseTableFull}.
 *
 * <p><b>Table:</b> one entry per VIP this node or a peer asked about, at most
 * {@link CoreConfig#maxLeaseEntries()}; an entry unused for {@link #IDLE_LEASES_BEFORE_COLLECT}
 * leases with nothing live in it is collected (its highest epoch kept). A full table refuses new
 * entries, counts each refusal and reports it once.
 *
 * <p><b>What it assumes of {@link Membership}:</b> {@link Membership#hasQuorum()} (no round starts
 * without it) and {@link Membership#restarting} (a restarting acceptor answers no lease message and
 * starts no round). Messages reach it only from configured peers; whether their membership matches
 * is the facade's check. It knows nothing of objects.
 *
 * <p>Safety rests on PaxosLease: the candidate's timer starts when it queues its prepare;
 * acceptors time from receipt of the proposal; an acceptor never grants to another owner while a
 * grant is live, renewals included; votes are counted per distinct acceptor; the owner's view is
 * shortened by twice the drift bound.
 *
 * <p>Scale: the lease rounds this node starts in one step form a cohort that shares one ballot
 * (ballots are node-wide and only compared per VIP, so one fresh ballot above every member's
 * highest seen is a valid fresh ballot for each), and held leases renew together (a lease half-way
 * to its renewal joins a renewal that is due: renewing early is just another round). The per-VIP
 * messages of a step then differ only in their VIP, so {@link LeaseSetCodec} sends them as a few
 * groups with bitmaps; the per-VIP PaxosLease steps themselves are unchanged. A held lease is
 * renewed without a round: the heartbeats renew the owner's held set, and an acceptor extends only
 * the live grants it gave that owner under the named generation (docs/architecture.md, "Leases";
 * {@link #renewHeldSet}, {@link #onPeerHeartbeat}); a round renews it only as a fallback.
 *
 * <p>Not thread-safe: one thread calls everything (the core's).
 */
final class Leases {
    /** Retries are aligned to this grid, so VIPs that backed off together retry as one cohort. */
    static final long RETRY_GRID_NANOS = 20_000_000L;
    /**
     * An entry unused for this many leases is collected, when this node neither wants nor holds
     * the VIP, no round of its own is in flight and its acceptor's grant has ended: five leases is
     * longer than the restart wait and every back-off, so the entry of a VIP someone still asks for
     * survives between rounds, and a held VIP's entry is used at every renewal. The highest epoch
     * it saw is kept (epochs of a VIP only grow).
     */
    static final int IDLE_LEASES_BEFORE_COLLECT = 5;
    /**
     * The key of the ballot reservation in the epoch record: not a VIP name (a name never holds
     * '#'), so it names no lease.
     */
    static final String BALLOT_FLOOR_KEY = "#ballots";
    /** Ballots reserved per write of {@link #BALLOT_FLOOR_KEY}: one disk write per 1,024 rounds at most. */
    static final long BALLOT_BLOCK = 1024;
    /**
     * Generations of this node's held set kept to read the peers' confirmations: a confirmation
     * names the generation of the heartbeat it answers, which is at most a heartbeat or two old;
     * four covers a set that changed on several heartbeats in a row. A confirmation of an older
     * generation confirms nothing (the next one will).
     */
    static final int HELD_SETS_KEPT = 4;

    /**
     * What a heartbeat to one peer confirms of that peer's held set: at its heartbeat
     * {@code sentNanos}, this acceptor extended every grant of generation {@code gen} except those
     * at the positions of {@code missing}. {@link #NONE}: nothing (the generation is unknown here).
     */
    record RenewalAck(long gen, long sentNanos, String missing) {
        static final RenewalAck NONE = new RenewalAck(0, 0, "");
    }

    /**
     * A peer's held set as this acceptor recorded it: the names (ascending) of one generation, each
     * one's epoch, and when a heartbeat of the peer last named that generation ({@link #NEVER}: not
     * since it was recorded).
     */
    private static final class PeerSet {
        final long incarnation;
        final long gen;
        final String[] names;
        final long[] epochs;
        long heardNanos = NEVER;

        PeerSet(long incarnation, long gen, String[] names, long[] epochs) {
            this.incarnation = incarnation;
            this.gen = gen;
            this.names = names;
            this.epochs = epochs;
        }

        boolean names(long incarnation, long gen) {
            return this.incarnation == incarnation && this.gen == gen;
        }
    }

    private static final long NEVER = Long.MIN_VALUE;

    /** One generation of this node's held set: its names, the epoch each is held at, the heartbeats that carried it. */
    private static final class HeldSet {
        final String[] names;
        final long[] epochs;
        long firstSentNanos = Long.MAX_VALUE;
        long lastSentNanos = Long.MIN_VALUE;

        HeldSet(String[] names, long[] epochs) {
            this.names = names;
            this.epochs = epochs;
        }
    }

    private enum Phase { IDLE, PREPARING, PROPOSING }

    private final CoreConfig config;
    private final String self;
    private final Membership membership;
    private final Outbox out;
    private final RandomGenerator random;
    private final long ownLeaseNanos;

    /** At most {@link CoreConfig#maxLeaseEntries()}; idle entries are collected ({@link #IDLE_LEASES_BEFORE_COLLECT}). */
    private final Map<String, Lease> leases = new TreeMap<>();
    /**
     * The highest epoch seen per VIP that has no entry now (restored from disk, or kept when its
     * entry was collected): a few bytes per VIP, as many as the state directory holds.
     */
    private final Map<String, Long> epochs = new HashMap<>();
    private long leaseEntriesRefused;
    /** A {@link CoreEvent.LeaseTableFull} went out; re-armed once the table is below 90% of its limit. */
    private boolean tableFullReported;
    /** {@link #leases} by hash (same entries): lookups of 1,000 VIPs per snapshot without tree walks. */
    private final Map<String, Lease> leaseIndex = new HashMap<>();
    /** The sorted names of {@link #leases}, for {@link Message.LeaseSets}; null when it must be rebuilt. */
    private LeaseSetCodec.VipTable table;
    private final LeaseSetCodec.PrepareSets prepareSets;
    /** The hash of each peer's VIP table, from its last heartbeat. */
    private final Map<String, Long> peerTables = new HashMap<>();
    /** The last ballot counter this node used (for any VIP). */
    private long ballotCounter;
    /**
     * The highest ballot counter this node may use before it persists a new reservation: ballots
     * are reserved {@link #BALLOT_BLOCK} at a time in the epoch record (key {@link #BALLOT_FLOOR_KEY}),
     * durably before a ballot of the block leaves, and a restarted node counts from its last
     * reservation. So a node never uses one ballot twice, not even across restarts (a peer may
     * still hold state of the previous run's ballot: a promise, a grant, a prepare set).
     */
    private long ballotsReservedUpTo;
    /** Leases whose round starts with the next cohort, and the earliest time one was queued. */
    private final List<Lease> cohort = new ArrayList<>();
    private long cohortNanos;
    private long leaseSetsDropped;
    private long lastTickNanos;
    private long lastWallMillis = Long.MIN_VALUE;
    private final Map<String, List<LeaseMessage>> leaseOutbox = new LinkedHashMap<>();
    /** Lease messages addressed to ourselves, handled after the current message (no deep recursion). */
    private final ArrayDeque<LeaseMessage> selfLeaseInbox = new ArrayDeque<>();

    // held-set renewal (docs/architecture.md, "Leases"): this node as an owner
    /** Position of each configured node (self included) in {@link Lease#confirmedNanos}. */
    private final Map<String, Integer> memberIndex = new HashMap<>();
    /** The set of held VIPs changed since the last heartbeat: the next one starts a new generation. */
    private boolean heldSetChanged;
    /** The generation the heartbeats renew; 0 while this node holds nothing. */
    private long heldGen;
    private long lastGen;
    /** The last {@link #HELD_SETS_KEPT} generations, oldest first. */
    private final LinkedHashMap<Long, HeldSet> heldSets = new LinkedHashMap<>();
    /** When the current generation was last sent to each peer. */
    private final Map<String, Long> heldSetSentNanos = new HashMap<>();
    // held-set renewal: this node as an acceptor of the peers' sets
    private final Map<String, PeerSet> peerSets = new HashMap<>();
    private final Map<String, RenewalAck> acks = new HashMap<>();

    /** @param nowNanos the monotonic clock at start (the first suspend check measures from here) */
    Leases(CoreConfig config, Membership membership, Outbox out, RandomGenerator random, long nowNanos) {
        this.config = config;
        this.self = config.self();
        this.membership = membership;
        this.out = out;
        this.random = random;
        this.ownLeaseNanos = (long) (config.leaseMillis() * 1_000_000L * (1.0 - 2 * config.driftBound()));
        this.lastTickNanos = nowNanos;
        this.prepareSets = new LeaseSetCodec.PrepareSets(16, config.members().size() + 1);
        for (CoreConfig.Member m : config.members()) {
            memberIndex.put(m.name(), memberIndex.size());
        }
    }

    /** The highest epoch seen per VIP, as persisted (entries are made when a VIP is first used). */
    void restoreEpochs(Map<String, Long> restored) {
        for (Map.Entry<String, Long> e : restored.entrySet()) {
            if (e.getKey().equals(BALLOT_FLOOR_KEY)) {
                ballotCounter = Math.max(ballotCounter, e.getValue());
                ballotsReservedUpTo = Math.max(ballotsReservedUpTo, e.getValue());
            } else {
                epochs.merge(e.getKey(), e.getValue(), Math::max);
            }
        }
    }

    // ------------------------------------------------------------------ inputs

    /**
     * The monotonic clock (and the kernel's address lifetimes) stop while a host is suspended: a
     * tick in which wall time ran well ahead of monotonic time drops every held lease and every
     * round in flight at once. Call first in every tick.
     */
    void detectSuspend(long nowNanos, long wallMillis) {
        if (lastWallMillis != Long.MIN_VALUE) {
            long monoMillis = (nowNanos - lastTickNanos) / 1_000_000L;
            long gap = (wallMillis - lastWallMillis) - monoMillis;
            if (gap > config.suspendJumpMillis()) {
                out.event(new CoreEvent.SuspendDetected(gap));
                for (Lease l : cohort) {
                    l.queued = false;
                }
                cohort.clear();
                for (Lease l : leases.values()) {
                    if (l.heldUntilNanos != 0) {
                        loseLease(l, "suspend detected: wall clock jumped " + gap + " ms past the monotonic clock");
                    }
                    if (l.phase != Phase.IDLE) {
                        // the round's timer stood still during the suspend: late replies must not complete it
                        abandonRound(l, nowNanos, 0);
                    }
                }
            }
        }
        lastWallMillis = wallMillis;
        lastTickNanos = nowNanos;
    }

    /** Expiry, round timeouts, retries and renewals (due renewals gather half-due ones into one cohort). */
    void tick(long nowNanos) {
        boolean renewalDue = false;
        long idle = IDLE_LEASES_BEFORE_COLLECT * config.leaseMillis() * 1_000_000L;
        for (java.util.Iterator<Lease> it = leases.values().iterator(); it.hasNext(); ) {
            Lease l = it.next();
            if (leaseTick(l, nowNanos) && l.heldUntilNanos != 0) {
                renewalDue = true;
            }
            if (!l.wanted && !l.queued && l.phase == Phase.IDLE && l.heldUntilNanos == 0
                    && nowNanos >= l.grantExpiresNanos && nowNanos - l.lastUsedNanos >= idle) {
                it.remove();
                leaseIndex.remove(l.vip);
                table = null;
                if (l.highestEpoch > 0) {
                    epochs.put(l.vip, l.highestEpoch);
                }
            }
        }
        if (tableFullReported && leases.size() < config.maxLeaseEntries() - config.maxLeaseEntries() / 10) {
            tableFullReported = false;
        }
        if (renewalDue) {
            // held leases three quarters of the way to their own fallback join this cohort's rounds
            long half = fallbackNanos() * 3 / 4;
            for (Lease l : leases.values()) {
                if (l.heldUntilNanos != 0 && !l.queued && nowNanos - l.heldRoundStartNanos >= half
                        && nowNanos >= l.nextAttemptNanos && canStartRound(l, nowNanos)) {
                    queueRound(l, nowNanos);
                }
            }
        }
        startCohort();
        flush(nowNanos);
    }

    /**
     * Level-triggered intent: while wanted, acquire and renew; when not, acquire nothing more. A
     * lease held when it stops being wanted is still renewed for {@link CoreConfig#stopGraceMillis()}
     * (its owner runs {@code pre_stop} and removes the address under a live lease, then calls
     * {@link #release}, which gives it up at once); a lease not held stops at once.
     */
    void setWanted(String vip, boolean wanted, long nowNanos) {
        Lease l = wanted ? lease(vip, nowNanos) : leaseIndex.get(vip);
        if (l == null || l.wanted == wanted) {
            return;
        }
        l.lastUsedNanos = nowNanos;
        l.wanted = wanted;
        if (wanted) {
            heldSetChanged |= l.heldUntilNanos != 0 && !keptWhileStopping(l, nowNanos); // back in the held set
            l.keepUntilNanos = 0;
            l.nextAttemptNanos = nowNanos;
            leaseTick(l, nowNanos); // queued: the round starts with the next drain or tick
        } else {
            boolean held = l.heldUntilNanos != 0 && nowNanos < l.heldUntilNanos;
            l.keepUntilNanos = held ? nowNanos + config.stopGraceMillis() * 1_000_000L : 0;
            if (l.phase != Phase.IDLE && !keptWhileStopping(l, nowNanos)) {
                l.phase = Phase.IDLE;
            }
            // "when not wanted it stops renewing" (after its stop grace): the next held set leaves it
            // out (found by the simulation's health invariant: an unwanted, unreleased lease was
            // renewed for ever); renewHeldSet notices the end of a grace
            heldSetChanged |= l.heldUntilNanos != 0 && !keptWhileStopping(l, nowNanos);
        }
        flush(nowNanos);
    }

    /** A held lease no longer wanted, still renewed during its stop grace ({@link #setWanted}). */
    private static boolean keptWhileStopping(Lease l, long nowNanos) {
        return !l.wanted && l.heldUntilNanos != 0 && nowNanos < l.keepUntilNanos;
    }

    /** Gives the lease up now (the address is already down): acceptors clear our grant. No-op when not held. */
    void release(String vip, long nowNanos) {
        Lease l = leases.get(vip);
        if (l == null || (l.heldUntilNanos == 0 && l.phase == Phase.IDLE)) {
            return;
        }
        long epoch = l.heldEpoch;
        boolean held = l.heldUntilNanos != 0;
        l.wanted = false;
        l.keepUntilNanos = 0;
        l.phase = Phase.IDLE;
        l.heldUntilNanos = 0;
        l.heldEpoch = 0;
        heldSetChanged |= held;
        broadcastLease(new LeaseMessage.Release(vip, l.maxBallotUsed));
        if (held) {
            out.event(new LeaseReleased(vip, epoch));
        }
        flush(nowNanos);
    }

    /** The hash of peer {@code peer}'s VIP table, from its heartbeat: equal to ours means it can read our lease sets. */
    void onPeerLeaseTable(String peer, long tableHash) {
        peerTables.put(peer, tableHash);
    }

    void onLeaseBatch(String from, Message.LeaseBatch lb, long nowNanos) {
        for (LeaseMessage lm : lb.items()) {
            onLeaseMessage(from, lm, nowNanos);
        }
        flush(nowNanos);
    }

    void onLeaseSets(String from, Message.LeaseSets ls, long nowNanos) {
        if (ls.table() != table().hash()) {
            leaseSetsDropped++; // our VIP tables differ right now: a lost message, resent next round
        } else {
            try {
                for (LeaseMessage lm : LeaseSetCodec.decode(from, ls, table(), prepareSets)) {
                    onLeaseMessage(from, lm, nowNanos);
                }
            } catch (WireCodec.WireFormatException e) {
                leaseSetsDropped++;
                out.event(new CoreEvent.BadMessage(from, e.getMessage()));
            }
        }
        flush(nowNanos);
    }

    // ------------------------------------------------------------------ held-set renewal

    /**
     * Call right before this node's heartbeats of a tick leave at {@code nowNanos}; returns the
     * generation they renew (0: nothing held). A held set that changed since the last tick becomes
     * a new generation, sent to every peer first (in the lease lane, so before these heartbeats).
     * Our own acceptor extends our grants now, by the same rule as a peer's.
     */
    long renewHeldSet(long nowNanos) {
        return renewHeldSet(nowNanos, true);
    }

    /**
     * {@link #renewHeldSet(long)} for a heartbeat that answers one peer's, between ticks: the
     * current generation is renewed as it stands, and a change waits for the next tick, so a new
     * generation still starts at most once per heartbeat interval ({@link #HELD_SETS_KEPT} counts
     * on that, and each one is a {@code HeldSet} to every peer).
     *
     * @return the generation renewed, or -1 when the held set has changed since the current
     *     generation started (a lease acquired, lost, released, or out of its stop grace): then
     *     there is no answer, since renewing the old set would extend grants this node no longer
     *     holds at that epoch or no longer wants (simulation seed 62); the next tick starts the new
     *     generation and sends it to every peer
     */
    long renewHeldSetForAnswer(long nowNanos) {
        if (heldSetChanged || stopGraceEnded(nowNanos)) {
            return -1;
        }
        return renewHeldSet(nowNanos, false);
    }

    /** Whether a lease of the current generation is out of its stop grace (it leaves the set). */
    private boolean stopGraceEnded(long nowNanos) {
        if (heldGen == 0) {
            return false;
        }
        for (String vip : heldSets.get(heldGen).names) {
            Lease l = leaseIndex.get(vip);
            if (l != null && l.heldUntilNanos != 0 && !l.wanted && !keptWhileStopping(l, nowNanos)) {
                return true;
            }
        }
        return false;
    }

    private long renewHeldSet(long nowNanos, boolean mayStartGeneration) {
        if (mayStartGeneration && !heldSetChanged && stopGraceEnded(nowNanos)) {
            heldSetChanged = true; // a stop grace that ended takes its lease out of the set
        }
        if (mayStartGeneration && heldSetChanged) {
            heldSetChanged = false;
            List<String> names = new ArrayList<>();
            long[] epochs = new long[leases.size()];
            for (Lease l : leases.values()) { // sorted by name
                if (l.heldUntilNanos != 0 && (l.wanted || keptWhileStopping(l, nowNanos))) {
                    epochs[names.size()] = l.heldEpoch;
                    names.add(l.vip);
                }
            }
            heldGen = names.isEmpty() ? 0 : ++lastGen;
            heldSetSentNanos.clear();
            if (heldGen != 0) {
                heldSets.put(heldGen, new HeldSet(names.toArray(new String[0]), Arrays.copyOf(epochs, names.size())));
                if (heldSets.size() > HELD_SETS_KEPT) {
                    heldSets.remove(heldSets.keySet().iterator().next());
                }
                for (String peer : membership.peerNames()) {
                    sendHeldSet(peer, nowNanos);
                }
            }
        }
        if (heldGen == 0) {
            return 0;
        }
        HeldSet set = heldSets.get(heldGen);
        set.firstSentNanos = Math.min(set.firstSentNanos, nowNanos);
        set.lastSentNanos = nowNanos;
        if (!membership.restarting(nowNanos)) {
            int me = memberIndex.get(self);
            for (int i = 0; i < set.names.length; i++) {
                Lease l = leaseIndex.get(set.names[i]);
                if (l != null && l.heldUntilNanos != 0 && l.heldEpoch == set.epochs[i]
                        && extendGrant(l, self, set.epochs[i], nowNanos)) {
                    confirmed(l, me, nowNanos, nowNanos);
                }
            }
        }
        return heldGen;
    }

    /** The generation of our held set that our heartbeats renew now (0: nothing held). */
    long heldGen() {
        return heldGen;
    }

    /** What our next heartbeat to {@code peer} confirms of its held set. */
    RenewalAck ackFor(String peer) {
        return acks.getOrDefault(peer, RenewalAck.NONE);
    }

    /**
     * A heartbeat of {@code from}, whose membership matches ours. As an acceptor: it renews the
     * sender's held set of generation {@code heldGen}; we extend exactly the live grants we gave
     * the sender, at the epoch the set names, for the VIPs we recorded under that generation and
     * incarnation, and our next heartbeat says which we did not. As an owner: it confirms which of
     * our VIPs it extended. Either way it tells whether the sender's recorded set is current.
     */
    void onPeerHeartbeat(String from, Message.Heartbeat hb, long nowNanos) {
        PeerSet ps = peerSets.get(from);
        boolean current = ps != null && ps.names(hb.incarnation(), hb.heldGen()) && config.isFullMember(from);
        if (ps != null) {
            ps.heardNanos = current ? nowNanos : NEVER; // what that peer holds, as far as status and moves go
        }
        if (hb.heldGen() == 0) {
            acks.remove(from);
        } else if (!current || membership.restarting(nowNanos)) {
            acks.put(from, RenewalAck.NONE); // unknown here: the owner sends that set again
        } else {
            BitSet missing = null;
            String[] names = ps.names;
            for (int i = 0; i < names.length; i++) {
                Lease l = leaseIndex.get(names[i]);
                if (l == null || !extendGrant(l, from, ps.epochs[i], nowNanos)) {
                    if (missing == null) {
                        missing = new BitSet(names.length);
                    }
                    missing.set(i);
                }
            }
            acks.put(from, new RenewalAck(ps.gen, hb.sentNanos(),
                    missing == null ? "" : LeaseSetCodec.encodeBits(missing)));
        }
        onRenewalAck(from, hb, nowNanos);
    }

    /** The held set of peer {@code from} as generation {@code hs.gen()}: recorded (replacing its previous one). */
    void onHeldSet(String from, Message.HeldSet hs, long nowNanos) {
        // whatever happens next, the previous generation is no longer renewed
        PeerSet previous = peerSets.remove(from);
        List<String> names;
        long[] epochs;
        try {
            if (hs.gen() <= 0) {
                throw new WireCodec.WireFormatException("held set from peer '" + from + "': gen " + hs.gen()
                        + " is not positive", null);
            }
            if (hs.table() != 0) {
                if (hs.table() != table().hash()) {
                    leaseSetsDropped++; // our VIP tables differ: unknown generation, the owner sends names
                    return;
                }
                names = LeaseSetCodec.names(LeaseSetCodec.decodeBits(from, "held set bits", hs.bits(),
                        table().size()), table());
            } else {
                names = hs.names() == null ? List.of() : hs.names();
                if (names.size() > config.maxLeaseEntries()) {
                    throw new WireCodec.WireFormatException("held set from peer '" + from + "': " + names.size()
                            + " names, more than the " + config.maxLeaseEntries() + " lease entries", null);
                }
                for (int i = 0; i < names.size(); i++) {
                    if (names.get(i) == null || (i > 0 && names.get(i - 1).compareTo(names.get(i)) >= 0)) {
                        throw new WireCodec.WireFormatException("held set from peer '" + from + "': names[" + i
                                + "] is null or not after names[" + (i - 1) + "] (must ascend, no duplicates)", null);
                    }
                }
            }
            epochs = heldEpochs(from, hs.epochs(), names.size());
        } catch (WireCodec.WireFormatException e) {
            leaseSetsDropped++;
            out.event(new CoreEvent.BadMessage(from, e.getMessage()));
            return;
        }
        PeerSet recorded = new PeerSet(hs.incarnation(), hs.gen(), names.toArray(new String[0]), epochs);
        if (previous != null && previous.names(hs.incarnation(), hs.gen())) {
            recorded.heardNanos = previous.heardNanos; // the same generation sent again names the same set
        }
        peerSets.put(from, recorded);
    }

    /** A held set's epochs: one per name, each at least 1. */
    private static long[] heldEpochs(String from, List<Long> epochs, int names) throws WireCodec.WireFormatException {
        int count = epochs == null ? 0 : epochs.size();
        if (count != names) {
            throw new WireCodec.WireFormatException("held set from peer '" + from + "': " + count + " epochs for "
                    + names + " names (one each)", null);
        }
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            Long e = epochs.get(i);
            if (e == null || e < 1) {
                throw new WireCodec.WireFormatException("held set from peer '" + from + "': epochs[" + i + "] is "
                        + e + ", not an epoch (epochs start at 1)", null);
            }
            out[i] = e;
        }
        return out;
    }

    /** Owner: {@code from}'s heartbeat confirms (part of) one generation of our held set. */
    private void onRenewalAck(String from, Message.Heartbeat hb, long nowNanos) {
        if (heldGen == 0) {
            return;
        }
        if (hb.ackGen() != heldGen) {
            Long sent = heldSetSentNanos.get(from);
            if (sent == null || nowNanos - sent >= config.renewMillis() * 1_000_000L) {
                sendHeldSet(from, nowNanos); // lost (a reconnect), undecodable there, or it restarted
            }
        }
        HeldSet set = hb.ackGen() == 0 ? null : heldSets.get(hb.ackGen());
        long at = hb.ackSentNanos();
        // the confirmation must answer a heartbeat that carried that generation (and so is not from the future)
        if (set == null || at < set.firstSentNanos || at > set.lastSentNanos || at > nowNanos) {
            return;
        }
        BitSet missing;
        try {
            missing = LeaseSetCodec.decodeBits(from, "heartbeat field am (ackMissing)", hb.ackMissing(),
                    set.names.length);
        } catch (WireCodec.WireFormatException e) {
            out.event(new CoreEvent.BadMessage(from, e.getMessage()));
            return;
        }
        int acceptor = memberIndex.get(from);
        for (int i = 0; i < set.names.length; i++) {
            Lease l = leaseIndex.get(set.names[i]);
            // a confirmation is of the epoch that generation named: never of another holding
            if (l != null && l.heldUntilNanos != 0 && l.heldEpoch == set.epochs[i] && l.missingAt != null) {
                // an acceptor without our grant (it missed the round, it restarted) gets one from a round
                l.missingAt[acceptor] = missing.get(i);
                if (!missing.get(i)) {
                    confirmed(l, acceptor, at, nowNanos);
                }
            }
        }
    }

    /**
     * Acceptor {@code acceptor} extended its grant of {@code l} to us on receipt of our heartbeat
     * sent at {@code sentNanos}. When a majority's confirmations are a renewal step past the
     * current renewal, the lease runs from the majority's oldest one: that heartbeat left before any
     * of those grants was extended, so (as with a round's timer) our lease ends before all of theirs.
     */
    private void confirmed(Lease l, int acceptor, long sentNanos, long nowNanos) {
        long[] c = l.confirmedNanos;
        if (c == null || sentNanos <= c[acceptor]) {
            return;
        }
        c[acceptor] = sentNanos;
        if (!l.wanted && !keptWhileStopping(l, nowNanos)) {
            return; // no longer wanted and past its stop grace: it ends with its lease, as without a held set
        }
        long base = kthLargest(c, config.quorumSize());
        if (base < l.heldRoundStartNanos + renewStepNanos() || base + ownLeaseNanos <= nowNanos) {
            return;
        }
        l.heldRoundStartNanos = base;
        l.heldUntilNanos = base + ownLeaseNanos;
        l.lastUsedNanos = nowNanos;
        out.event(new CoreEvent.LeaseRenewed(l.vip, l.heldEpoch, l.heldUntilNanos));
    }

    /** The k-th largest of {@code values} (k from 1), or 0 when fewer than k are positive. */
    private static long kthLargest(long[] values, int k) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return k <= sorted.length ? Math.max(0, sorted[sorted.length - k]) : 0;
    }

    /**
     * Acceptor: extends our grant of {@code l} to {@code owner} by a lease from now, if that grant
     * is live, is {@code owner}'s and is of the {@code epoch} the owner holds it at. The only way
     * a grant grows outside a round: a grant that ended, that is another node's, or that is of
     * another epoch (a round of the owner's that did not win) is never extended; the owner then
     * runs a round, which brings this acceptor to its current epoch.
     */
    private boolean extendGrant(Lease l, String owner, long epoch, long nowNanos) {
        if (l.grantOwner == null || !l.grantOwner.equals(owner) || l.grantEpoch != epoch
                || nowNanos >= l.grantExpiresNanos) {
            return false;
        }
        l.grantExpiresNanos = Math.max(l.grantExpiresNanos, nowNanos + config.leaseMillis() * 1_000_000L);
        l.lastUsedNanos = nowNanos;
        return true;
    }

    private void sendHeldSet(String peer, long nowNanos) {
        HeldSet set = heldSets.get(heldGen);
        LeaseSetCodec.VipTable t = table();
        Message.HeldSet m;
        List<Long> epochs = new ArrayList<>(set.epochs.length);
        for (long e : set.epochs) {
            epochs.add(e);
        }
        if (t.hash() != 0 && peerTables.getOrDefault(peer, 0L) == t.hash()) {
            BitSet bits = new BitSet(t.size());
            for (String vip : set.names) {
                bits.set(t.indexOf(vip)); // every held VIP has an entry, so it is in the table
            }
            m = new Message.HeldSet(membership.incarnation(), heldGen, t.hash(), LeaseSetCodec.encodeBits(bits),
                    List.of(), epochs);
        } else {
            m = new Message.HeldSet(membership.incarnation(), heldGen, 0, "", List.of(set.names), epochs);
        }
        out.sendLease(peer, m);
        heldSetSentNanos.put(peer, nowNanos);
    }

    /**
     * How far a majority's confirmations must have moved before the lease is renewed from them:
     * one renewal interval less half a heartbeat, so a lease is renewed (and its address
     * lifetime refreshed) about once per {@code renew_ms}, not at every heartbeat.
     */
    private long renewStepNanos() {
        return (config.renewMillis() - config.heartbeatMillis() / 2) * 1_000_000L;
    }

    /**
     * A held lease whose renewal is this old (its held set was not confirmed by a majority in
     * time: an acceptor restarted and lost its grant, messages were lost) is renewed by a round,
     * as when it was acquired: two renewal intervals, which leaves a third of the lease for it.
     */
    private long fallbackNanos() {
        return 2 * config.renewMillis() * 1_000_000L;
    }

    /**
     * Starts the rounds queued since the last tick (by {@link #setWanted}) as one cohort, then puts
     * one lease message per peer for everything produced since the last drain into {@code out}: a
     * reconciler calling {@link #setWanted} for 1,000 VIPs and then a tick must not mean 1,000
     * batches per peer.
     */
    void drainInto(Outbox into) {
        if (!cohort.isEmpty()) {
            long at = cohortNanos;
            startCohort();
            flush(at);
        }
        if (!leaseOutbox.isEmpty()) {
            LeaseSetCodec.VipTable t = table();
            for (Map.Entry<String, List<LeaseMessage>> e : leaseOutbox.entrySet()) {
                Message.LeaseSets sets = peerTables.getOrDefault(e.getKey(), 0L) == t.hash()
                        ? LeaseSetCodec.encode(e.getValue(), t, prepareSets) : null;
                into.sendLease(e.getKey(), sets != null ? sets : new Message.LeaseBatch(List.copyOf(e.getValue())));
            }
            leaseOutbox.clear();
        }
    }

    // ------------------------------------------------------------------ queries

    LeaseView view(String vip, long nowNanos) {
        Lease l = leaseIndex.get(vip);
        if (l == null) {
            String owner = reportedOwner(vip, nowNanos);
            return new LeaseView(vip, false, 0, 0, null, 0, 0, epochs.getOrDefault(vip, 0L), false, owner,
                    owner == null ? 0 : heldSetEpoch(owner, vip));
        }
        boolean held = l.heldUntilNanos != 0 && nowNanos < l.heldUntilNanos;
        boolean grantLive = l.grantOwner != null && nowNanos < l.grantExpiresNanos;
        String reported = held ? null : grantLive ? l.grantOwner : reportedOwner(vip, nowNanos);
        long reportedEpoch = reported == null ? 0 : heldSetEpoch(reported, vip);
        return new LeaseView(vip, held, held ? l.heldEpoch : 0, held ? l.heldUntilNanos - nowNanos : 0,
                grantLive ? l.grantOwner : null, grantLive ? l.grantEpoch : 0,
                grantLive ? l.grantExpiresNanos - nowNanos : 0, l.highestEpoch, l.wanted,
                reportedEpoch == 0 ? null : reported, reportedEpoch);
    }

    /** The epoch {@code owner}'s held set, as recorded here, names for {@code vip}; 0 if it names none. */
    private long heldSetEpoch(String owner, String vip) {
        PeerSet ps = peerSets.get(owner);
        int i = ps == null ? -1 : Arrays.binarySearch(ps.names, vip);
        return i < 0 ? 0 : ps.epochs[i];
    }

    /**
     * Without a grant here: the peer whose recorded held set names {@code vip} at the highest epoch,
     * among those whose heartbeats renewed that very set within a lease; null if none.
     */
    private String reportedOwner(String vip, long nowNanos) {
        String owner = null;
        long best = 0;
        for (Map.Entry<String, PeerSet> e : peerSets.entrySet()) {
            long heard = e.getValue().heardNanos;
            if (heard == NEVER || nowNanos - heard >= config.leaseMillis() * 1_000_000L) {
                continue;
            }
            long epoch = heldSetEpoch(e.getKey(), vip);
            if (epoch > best) {
                best = epoch;
                owner = e.getKey();
            }
        }
        return owner;
    }

    /**
     * The latest heartbeat of ours at whose receipt {@code acceptor} confirmed extending its grant
     * of {@code vip} to us, during our current holding; 0 if none (or not held).
     */
    long confirmation(String vip, String acceptor) {
        Lease l = leaseIndex.get(vip);
        return l == null || l.heldUntilNanos == 0 || l.confirmedNanos == null ? 0
                : l.confirmedNanos[memberIndex.get(acceptor)];
    }

    /** Our acceptor's live grant of {@code vip}, or null. */
    Views.GrantView grant(String vip, long nowNanos) {
        Lease l = leaseIndex.get(vip);
        return l == null || l.grantOwner == null || nowNanos >= l.grantExpiresNanos ? null
                : new Views.GrantView(l.grantOwner, l.grantBallot, l.grantEpoch, l.grantedNanos, l.grantExpiresNanos);
    }

    /** Lease-set messages dropped since start: VIP tables differing for a moment, or malformed. */
    long leaseSetsDropped() {
        return leaseSetsDropped;
    }

    /** Times a VIP got no entry because the table was full (a wish of ours or a peer's lease message, ignored). */
    long leaseEntriesRefused() {
        return leaseEntriesRefused;
    }

    /** Entries in the lease table now. */
    int size() {
        return leases.size();
    }

    /** The hash of our VIP table, carried by heartbeats. */
    long tableHash() {
        return table().hash();
    }

    /** The earliest time a tick has lease work: an expiry, a round timeout, a renewal or retry. */
    long nextDeadlineNanos(long nowNanos) {
        long next = Long.MAX_VALUE;
        long renew = fallbackNanos();
        for (Lease l : leases.values()) {
            if (l.heldUntilNanos != 0) {
                next = Math.min(next, l.heldUntilNanos);
            }
            if (l.phase != Phase.IDLE) {
                next = Math.min(next, l.roundStartNanos + roundTimeoutNanos() + 1);
            } else if (l.wanted || keptWhileStopping(l, nowNanos)) {
                long at = l.heldUntilNanos == 0 ? nowNanos : l.missingSomewhere()
                        ? Math.min(l.heldRoundStartNanos, l.roundStartNanos) + renew : l.heldRoundStartNanos + renew;
                next = Math.min(next, Math.max(at, l.nextAttemptNanos));
            }
        }
        return next;
    }

    // ------------------------------------------------------------------ proposer

    /**
     * The entry of {@code vip}, made if needed; null when the table is full (counted, and reported
     * once until it has room again): this node then neither asks for that lease nor votes on it,
     * which is safe (a missing vote never grants anything) and visible.
     */
    private Lease lease(String vip, long nowNanos) {
        Lease l = leaseIndex.get(vip);
        if (l == null) {
            if (vip.equals(BALLOT_FLOOR_KEY)) {
                return null; // the ballot reservation's key in the epoch record, never a VIP
            }
            if (leases.size() >= config.maxLeaseEntries()) {
                leaseEntriesRefused++;
                if (!tableFullReported) {
                    tableFullReported = true;
                    out.event(new CoreEvent.LeaseTableFull(vip, config.maxLeaseEntries()));
                }
                return null;
            }
            l = new Lease(vip);
            Long epoch = epochs.remove(vip);
            l.highestEpoch = epoch == null ? 0 : epoch;
            leases.put(vip, l);
            leaseIndex.put(vip, l);
            table = null;
        }
        l.lastUsedNanos = nowNanos;
        return l;
    }

    /** @return true when it queued a round for {@code l} */
    private boolean leaseTick(Lease l, long nowNanos) {
        if (l.heldUntilNanos != 0 && nowNanos >= l.heldUntilNanos) {
            loseLease(l, !l.wanted && l.keepUntilNanos != 0 && nowNanos >= l.keepUntilNanos
                    ? "lease expired: not wanted here and not released within the stop grace ("
                            + config.stopGraceMillis() + " ms)"
                    : "lease expired: no majority renewed it in time");
        }
        if (l.phase != Phase.IDLE && nowNanos - l.roundStartNanos > roundTimeoutNanos()) {
            abandonRound(l, nowNanos, jitter(config.renewMillis() / 4, config.renewMillis() / 2));
        }
        if (l.queued || nowNanos < l.nextAttemptNanos || !canStartRound(l, nowNanos)) {
            return false;
        }
        boolean held = l.heldUntilNanos != 0;
        if (held && nowNanos - l.heldRoundStartNanos < fallbackNanos() && !(l.missingSomewhere()
                && nowNanos - l.roundStartNanos >= fallbackNanos())) {
            return false; // the held set's renewals keep it (a round only when they did not, see fallbackNanos)
        }
        queueRound(l, nowNanos);
        return true;
    }

    private boolean canStartRound(Lease l, long nowNanos) {
        return (l.wanted || keptWhileStopping(l, nowNanos)) && l.phase == Phase.IDLE && !membership.restarting(nowNanos) && membership.hasQuorum()
                && config.isFullMember(self);
    }

    private void queueRound(Lease l, long nowNanos) {
        if (cohort.isEmpty()) {
            cohortNanos = nowNanos;
        }
        l.queued = true;
        cohort.add(l);
    }

    /**
     * Starts the rounds of every queued lease with one fresh ballot, above every member's highest
     * ballot seen and every ballot this node used. Each round's timer starts when the first member
     * was queued: never after its prepare leaves.
     */
    private void startCohort() {
        if (cohort.isEmpty()) {
            return;
        }
        long counter = ballotCounter;
        int n = 0;
        for (Lease l : cohort) {
            l.queued = false;
            if (canStartRound(l, cohortNanos)) {
                counter = Math.max(counter, Math.max(l.highestBallotSeen.counter(), l.maxBallotUsed.counter()));
                cohort.set(n++, l);
            }
        }
        if (n > 0) {
            ballotCounter = counter + 1;
            if (ballotCounter > ballotsReservedUpTo) {
                // persisted before the prepares leave (a Ready persists, then sends)
                ballotsReservedUpTo = ballotCounter + BALLOT_BLOCK;
                out.persistEpoch(BALLOT_FLOOR_KEY, ballotsReservedUpTo);
            }
            Ballot ballot = new Ballot(ballotCounter, self);
            for (int i = 0; i < n; i++) {
                startRound(cohort.get(i), ballot, cohortNanos);
            }
        }
        cohort.clear();
    }

    private long roundTimeoutNanos() {
        return Math.max(50, config.renewMillis() / 2) * 1_000_000L;
    }

    private long jitter(long minMillis, long maxMillis) {
        long span = Math.max(1, maxMillis - minMillis);
        return (minMillis + random.nextLong(span)) * 1_000_000L;
    }

    private void startRound(Lease l, Ballot ballot, long nowNanos) {
        l.ballot = ballot;
        l.maxBallotUsed = l.ballot;
        l.highestBallotSeen = l.ballot;
        // The candidate's timer starts now, before the first prepare leaves (PaxosLease).
        l.roundStartNanos = nowNanos;
        l.phase = Phase.PREPARING;
        l.promisedBy.clear();
        l.acceptedBy.clear();
        l.rejectedBy.clear();
        l.rejectGrantMillis = -1;
        l.roundMaxEpoch = l.highestEpoch;
        broadcastLease(new LeaseMessage.Prepare(l.vip, l.ballot));
    }

    /**
     * The promises this preparing round of {@code l} can still get: those it has, plus every member
     * that has not answered yet and can (ourselves: a round never starts in our restart wait; a
     * peer online and out of its own). A silent (offline) member is not counted: when a dead
     * owner's grants still live on some acceptors, waiting for the round's timeout would only add
     * it to the failover. (Only while preparing: a refusal of the prepare may come from a grant
     * that has ended by the propose.)
     */
    private int votesStillPossible(Lease l) {
        Set<String> support = l.promisedBy;
        int possible = support.size();
        for (CoreConfig.Member m : config.members()) {
            String n = m.name();
            if (!support.contains(n) && !l.rejectedBy.contains(n)
                    && (n.equals(self) || membership.votesOnLeases(n))) {
                possible++;
            }
        }
        return possible;
    }

    private void abandonRound(Lease l, long nowNanos, long backoffNanos) {
        l.phase = Phase.IDLE;
        long at = nowNanos + backoffNanos;
        l.nextAttemptNanos = at - Math.floorMod(at, RETRY_GRID_NANOS) + RETRY_GRID_NANOS;
    }

    private void loseLease(Lease l, String reason) {
        long epoch = l.heldEpoch;
        l.keepUntilNanos = 0;
        l.heldUntilNanos = 0;
        l.heldEpoch = 0;
        heldSetChanged = true;
        out.event(new LeaseLost(l.vip, epoch, reason));
    }

    private void broadcastLease(LeaseMessage m) {
        selfLeaseInbox.add(m);
        for (String peer : membership.peerNames()) {
            leaseOutbox.computeIfAbsent(peer, k -> new ArrayList<>()).add(m);
        }
    }

    private void replyLease(String to, LeaseMessage m) {
        if (to.equals(self)) {
            selfLeaseInbox.add(m);
        } else {
            leaseOutbox.computeIfAbsent(to, k -> new ArrayList<>()).add(m);
        }
    }

    private void onLeaseMessage(String from, LeaseMessage m, long nowNanos) {
        Lease l = lease(m.vip(), nowNanos);
        if (l == null) {
            return;
        }
        if (m instanceof LeaseMessage.Prepare || m instanceof LeaseMessage.Propose
                || m instanceof LeaseMessage.Release) {
            // acceptor role: the sender must be the ballot's proposer (a peer cannot speak for another)
            if (!m.ballot().node().equals(from)) {
                return;
            }
            if (membership.restarting(nowNanos)) {
                return;
            }
            acceptorStep(l, from, m, nowNanos);
        } else {
            proposerStep(l, from, m, nowNanos);
        }
    }

    // ------------------------------------------------------------------ acceptor

    private void acceptorStep(Lease l, String from, LeaseMessage m, long nowNanos) {
        if (m.ballot().greaterThan(l.highestBallotSeen)) {
            l.highestBallotSeen = m.ballot();
        }
        boolean grantLive = l.grantOwner != null && nowNanos < l.grantExpiresNanos;
        if (!grantLive) {
            l.grantOwner = null;
        }
        if (m instanceof LeaseMessage.Release r) {
            if (l.grantOwner != null && l.grantOwner.equals(from) && l.grantBallot.compareTo(r.ballot()) <= 0) {
                l.grantOwner = null;
                l.grantExpiresNanos = 0;
            }
            retryNowIfWaiting(l, from, nowNanos);
            return;
        }
        if (!config.isFullMember(from)) {
            return; // a witness never holds a VIP
        }
        if (grantLive && !l.grantOwner.equals(from)) {
            // never replace another owner's live grant, renewals included
            replyLease(from, reject(l, m.ballot(), nowNanos));
            return;
        }
        if (m instanceof LeaseMessage.Prepare p) {
            if (p.ballot().greaterThan(l.promised)) {
                l.promised = p.ballot();
                replyLease(from, new LeaseMessage.Promise(l.vip, p.ballot(), l.highestEpoch,
                        grantLive ? l.grantEpoch : 0));
            } else {
                replyLease(from, reject(l, p.ballot(), nowNanos));
            }
        } else if (m instanceof LeaseMessage.Propose p) {
            if (p.ballot().compareTo(l.promised) >= 0 && p.leaseMillis() > 0
                    && p.leaseMillis() <= config.leaseMillis()) {
                l.promised = p.ballot();
                l.grantOwner = from;
                l.grantBallot = p.ballot();
                l.grantEpoch = p.epoch();
                // the acceptor's timer starts on receipt, so it always ends after the owner's
                l.grantExpiresNanos = nowNanos + p.leaseMillis() * 1_000_000L;
                l.grantedNanos = nowNanos;
                if (p.epoch() > l.highestEpoch) {
                    l.highestEpoch = p.epoch();
                    out.persistEpoch(l.vip, l.highestEpoch);
                }
                replyLease(from, new LeaseMessage.Accepted(l.vip, p.ballot(), p.epoch()));
            } else {
                replyLease(from, reject(l, p.ballot(), nowNanos));
            }
        }
    }

    /**
     * A peer released {@code l} (a move, a shutdown, a removal): if this node wants the lease and
     * is only backing off (a round was refused while the peer's grant was live), try now instead
     * of at the end of the back-off (up to 120 ms later). Only the timing of a round changes, never
     * what a round may do, so this cannot affect safety.
     */
    private void retryNowIfWaiting(Lease l, String from, long nowNanos) {
        if (!from.equals(self) && l.wanted && l.phase == Phase.IDLE && l.heldUntilNanos == 0
                && l.grantOwner == null && nowNanos < l.nextAttemptNanos) {
            l.nextAttemptNanos = nowNanos;
            leaseTick(l, nowNanos);
        }
    }

    private LeaseMessage.Reject reject(Lease l, Ballot ballot, long nowNanos) {
        boolean grantLive = l.grantOwner != null && nowNanos < l.grantExpiresNanos;
        // the remaining time is rounded up to 10 ms: rejects of one round then group on the wire
        long remaining = grantLive ? ((l.grantExpiresNanos - nowNanos) / 1_000_000L + 9) / 10 * 10 : 0;
        return new LeaseMessage.Reject(l.vip, ballot, l.promised, grantLive ? l.grantOwner : null, remaining,
                l.highestEpoch);
    }

    // ------------------------------------------------------------------ proposer replies

    private void proposerStep(Lease l, String from, LeaseMessage m, long nowNanos) {
        if (l.phase == Phase.IDLE || !m.ballot().equals(l.ballot)) {
            if (m instanceof LeaseMessage.Reject r && r.promised().greaterThan(l.highestBallotSeen)) {
                l.highestBallotSeen = r.promised();
            }
            return; // a reply to an old round
        }
        if (m instanceof LeaseMessage.Promise p && l.phase == Phase.PREPARING) {
            if (!l.promisedBy.add(from)) {
                return; // one vote per acceptor, however many messages
            }
            l.roundMaxEpoch = Math.max(l.roundMaxEpoch, p.highestEpoch());
            if (l.promisedBy.size() >= config.quorumSize()) {
                boolean renewing = l.heldUntilNanos != 0 && nowNanos < l.heldUntilNanos;
                if (!l.wanted && !renewing) {
                    l.phase = Phase.IDLE; // a renewal during the stop grace, but the lease ended meanwhile
                    return;
                }
                // a change of owner takes the highest epoch a majority reports, plus one
                l.roundEpoch = renewing ? l.heldEpoch : l.roundMaxEpoch + 1;
                l.phase = Phase.PROPOSING;
                broadcastLease(new LeaseMessage.Propose(l.vip, l.ballot, config.leaseMillis(), l.roundEpoch));
            }
        } else if (m instanceof LeaseMessage.Accepted a && l.phase == Phase.PROPOSING) {
            if (a.epoch() != l.roundEpoch || !l.acceptedBy.add(from)) {
                return;
            }
            if (l.acceptedBy.size() >= config.quorumSize()) {
                l.phase = Phase.IDLE;
                long until = l.roundStartNanos + ownLeaseNanos;
                if (until <= nowNanos) {
                    return; // the round took longer than the lease: worthless
                }
                boolean wasHeld = l.heldUntilNanos != 0;
                if (!l.wanted && !wasHeld) {
                    return; // not wanted and no longer held: a stop-grace renewal never acquires
                }
                long oldEpoch = l.heldEpoch;
                l.heldUntilNanos = until;
                l.heldRoundStartNanos = l.roundStartNanos;
                l.heldEpoch = l.roundEpoch;
                if (!wasHeld || oldEpoch != l.heldEpoch) { // a new holding: the held set names its epoch
                    heldSetChanged = true;
                    if (l.confirmedNanos == null) {
                        l.confirmedNanos = new long[memberIndex.size()];
                        l.missingAt = new boolean[memberIndex.size()];
                    }
                    Arrays.fill(l.confirmedNanos, 0); // confirmations of an earlier holding never count
                    Arrays.fill(l.missingAt, false);
                }
                if (!wasHeld || oldEpoch != l.heldEpoch) {
                    out.event(new LeaseAcquired(l.vip, l.heldEpoch, until));
                } else {
                    out.event(new CoreEvent.LeaseRenewed(l.vip, l.heldEpoch, until));
                }
            }
        } else if (m instanceof LeaseMessage.Reject r) {
            if (!l.rejectedBy.add(from)) {
                return;
            }
            if (r.promised().greaterThan(l.highestBallotSeen)) {
                l.highestBallotSeen = r.promised();
            }
            l.roundMaxEpoch = Math.max(l.roundMaxEpoch, r.highestEpoch());
            boolean liveGrant = r.grantOwner() != null && !r.grantOwner().equals(self);
            if (liveGrant) {
                l.rejectGrantMillis = Math.max(l.rejectGrantMillis, r.grantRemainingMillis());
            }
            if (l.phase == Phase.PREPARING && l.rejectGrantMillis >= 0 && votesStillPossible(l) < config.quorumSize()
                    && l.rejectedBy.size() <= config.members().size() - config.quorumSize()) {
                // Some acceptors still hold another owner's grant and the online ones left cannot make
                // a majority (a dead owner's grants end at slightly different times on each acceptor):
                // come back when the longest of those grants ends, not after the round's timeout.
                abandonRound(l, nowNanos, Math.max(10, Math.min(l.rejectGrantMillis + 5, 100)) * 1_000_000L
                        + jitter(0, 20));
                return;
            }
            if (l.rejectedBy.size() > config.members().size() - config.quorumSize()) {
                long backoff;
                if (r.grantOwner() != null && !r.grantOwner().equals(self)) {
                    // someone else holds it: come back shortly after that grant ends (or on release)
                    backoff = Math.max(10, Math.min(l.rejectGrantMillis + 5, 100)) * 1_000_000L
                            + jitter(0, 20);
                } else {
                    backoff = jitter(config.renewMillis() / 8, config.renewMillis() / 2);
                }
                abandonRound(l, nowNanos, backoff);
            }
        }
    }

    // ------------------------------------------------------------------ plumbing

    private LeaseSetCodec.VipTable table() {
        if (table == null) {
            table = LeaseSetCodec.VipTable.of(leases.keySet());
        }
        return table;
    }

    /** Handles lease messages we sent ourselves (batching per peer happens in {@link #drainInto}). */
    private void flush(long nowNanos) {
        // bounded: each self-message produces at most one reply, and a round at most two broadcasts
        int guard = 0;
        while (!selfLeaseInbox.isEmpty() && guard++ < 100_000) {
            LeaseMessage m = selfLeaseInbox.poll();
            onLeaseMessage(self, m, nowNanos);
        }
    }

    /** Acceptor, proposer and holder state of one VIP on this node. */
    private static final class Lease {
        final String vip;
        // acceptor
        Ballot promised = Ballot.ZERO;
        String grantOwner;
        Ballot grantBallot = Ballot.ZERO;
        long grantEpoch;
        long grantExpiresNanos;
        /** When the grant was made (a proposal accepted); a renewal by held set leaves it. */
        long grantedNanos;
        long highestEpoch;
        Ballot highestBallotSeen = Ballot.ZERO;
        // proposer
        boolean wanted;
        /** Not wanted but held: renewed until then (the stop grace), or until released. */
        long keepUntilNanos;
        /** In {@link #cohort}, waiting for its round to start. */
        boolean queued;
        Phase phase = Phase.IDLE;
        Ballot ballot = Ballot.ZERO;
        Ballot maxBallotUsed = Ballot.ZERO;
        long roundStartNanos;
        long roundMaxEpoch;
        long roundEpoch;
        long nextAttemptNanos;
        final Set<String> promisedBy = new HashSet<>();
        final Set<String> acceptedBy = new HashSet<>();
        final Set<String> rejectedBy = new HashSet<>();
        /** This round: the longest remaining grant to another owner a reject reported (ms); -1 if none. */
        long rejectGrantMillis = -1;
        // holder
        long heldUntilNanos;
        long heldRoundStartNanos;
        long heldEpoch;
        /** The last time this node or a peer asked anything about this lease. */
        long lastUsedNanos;
        /**
         * Per configured node ({@link #memberIndex}): the latest heartbeat of ours (our clock) at
         * whose receipt that node's acceptor extended its grant of this lease to us; made on the
         * first holding, zeroed at each new one.
         */
        long[] confirmedNanos;
        /**
         * Per configured node: its last confirmation of our held set said it holds no grant of this
         * lease for us. A round is then run for it (at most every {@link #fallbackNanos}), so every
         * acceptor that can grant it does, and knows the owner.
         */
        boolean[] missingAt;

        boolean missingSomewhere() {
            if (missingAt != null) {
                for (boolean m : missingAt) {
                    if (m) {
                        return true;
                    }
                }
            }
            return false;
        }

        Lease(String vip) {
            this.vip = vip;
        }
    }
}
