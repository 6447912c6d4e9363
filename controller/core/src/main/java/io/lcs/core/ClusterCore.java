package io.lcs.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.core.CoreEvent.LeaseAcquired;
import io.lcs.core.CoreEvent.LeaseLost;
import io.lcs.core.CoreEvent.LeaseReleased;
import io.lcs.core.Views.LeaseView;
import io.lcs.core.Views.MembershipView;
import io.lcs.core.Views.PeerView;
import io.lcs.core.WriteResult.Outcome;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectVersion;
import io.lcs.model.api.StoredObject;
import io.lcs.core.store.InMemoryObjectStore;
import io.lcs.model.wire.Ballot;
import io.lcs.model.wire.LeaseMessage;
import io.lcs.model.wire.LeaseSetCodec;
import io.lcs.model.wire.Message;
import io.lcs.model.wire.WireCodec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The sans-I/O cluster core of one lcsd: membership and quorum, the replicated desired-state store
 * (an ABD register per object, with anti-entropy), and PaxosLease leases per VIP with epochs.
 *
 * <p>Inputs: {@link #tick}, {@link #receive}, {@link #submit}, {@link #setLeaseWanted},
 * {@link #release}. Output: {@link #drain()} returns a {@link Ready} batch that the driver must
 * persist, then send, then deliver (see {@link Ready}). Time and randomness are injected: the core
 * never reads a clock, starts a thread or touches a socket or file, so a simulation can run many
 * cores in one thread and replay a seed exactly.
 *
 * <p>Not thread-safe: one thread (the driver's event loop, or the simulation) calls everything.
 *
 * <p>Safety of leases rests on PaxosLease (docs/architecture.md, "Leases"): the candidate's timer starts
 * when it sends its prepare; acceptors time from receipt of the proposal; an acceptor never grants
 * to another owner while a grant is live, renewals included; votes are counted per distinct
 * acceptor; a restarted core refuses every lease message for one lease plus drift (it may have
 * forgotten a grant); the owner's view is shortened by twice the drift bound.
 *
 * <p>Scale: the lease rounds this node starts in one step form a cohort that shares one ballot
 * (ballots are node-wide and only compared per VIP, so one fresh ballot above every member's
 * highest seen is a valid fresh ballot for each), and held leases renew together (a lease half-way
 * to its renewal joins a renewal that is due: renewing early is just another round). The per-VIP
 * messages of a step then differ only in their VIP, so {@link LeaseSetCodec} sends them as a few
 * groups with bitmaps; the per-VIP PaxosLease steps themselves are unchanged.
 */
public final class ClusterCore {
    /** Objects per anti-entropy message, so a large store never makes one oversized frame. */
    static final int MAX_OBJECTS_PER_SYNC = 64;
    /** Versions per anti-entropy message; each entry is well under 200 bytes of JSON. */
    static final int MAX_VERSIONS_PER_SYNC = 2_000;
    /** Bound on writes in flight from this node. */
    static final int MAX_PENDING_WRITES = 1_024;

    private final CoreConfig config;
    private final String self;
    private final RandomGenerator random;
    private final long incarnation;
    private final long restartUntilNanos;
    private final long leaseNanos;
    private final long ownLeaseNanos;

    private final Map<String, Peer> peers = new LinkedHashMap<>();
    /** This node's replica: the object store (tombstones included) with its live digest. */
    private final InMemoryObjectStore objects = new InMemoryObjectStore();
    private final Map<ObjectKey, Long> tombstoneSeenNanos = new HashMap<>();
    private final Map<Long, PendingWrite> writes = new HashMap<>();
    private long nextRequestId = 1;
    private final Map<String, Lease> leases = new TreeMap<>();
    /** {@link #leases} by hash (same entries): lookups of 1,000 VIPs per snapshot without tree walks. */
    private final Map<String, Lease> leaseIndex = new HashMap<>();
    /** The sorted names of {@link #leases}, for {@link Message.LeaseSets}; null when it must be rebuilt. */
    private LeaseSetCodec.VipTable table;
    private final LeaseSetCodec.PrepareSets prepareSets;
    /** The last ballot counter this node used (for any VIP). */
    private long ballotCounter;
    /** Leases whose round starts with the next cohort, and the earliest time one was queued. */
    private final List<Lease> cohort = new ArrayList<>();
    private long cohortNanos;
    private long leaseSetsDropped;

    private boolean quorum;
    private List<String> declined = List.of();
    private long lastTickNanos;
    /**
     * How long this node's own loop stood still, in total, as its driver reported ({@link #tick(long,
     * long, long)}). A peer's silence is measured on the time this node was listening (monotonic time
     * less this), so a stall of our own never reads as the peers' silence.
     */
    private long stalledTotalNanos;
    private long lastWallMillis = Long.MIN_VALUE;
    private long lastHeartbeatNanos = Long.MIN_VALUE;

    // outputs, drained by drain()
    private final List<StoredObject> persistObjects = new ArrayList<>();
    private final List<ObjectKey> forgetObjects = new ArrayList<>();
    private final Map<String, Long> persistEpochs = new TreeMap<>();
    private final List<Ready.Outbound> outbound = new ArrayList<>();
    private final List<CoreEvent> events = new ArrayList<>();
    private final Map<String, List<LeaseMessage>> leaseOutbox = new LinkedHashMap<>();
    /** Lease messages addressed to ourselves, handled after the current message (no deep recursion). */
    private final ArrayDeque<LeaseMessage> selfLeaseInbox = new ArrayDeque<>();

    /**
     * @param restoredObjects what the state directory held at start (objects and tombstones)
     * @param restoredEpochs the highest epoch seen per VIP, as persisted
     * @param nowNanos the monotonic clock now; the restart wait runs from here
     */
    public ClusterCore(CoreConfig config, Collection<StoredObject> restoredObjects, Map<String, Long> restoredEpochs,
                       long nowNanos, RandomGenerator random) {
        this.config = config;
        this.self = config.self();
        this.random = random;
        this.incarnation = random.nextLong();
        this.leaseNanos = config.leaseMillis() * 1_000_000L;
        this.ownLeaseNanos = (long) (leaseNanos * (1.0 - 2 * config.driftBound()));
        // An acceptor keeps no promises on disk: after a (re)start it may have forgotten a live grant,
        // so it answers no lease message until any grant it could have given has ended everywhere.
        this.restartUntilNanos = nowNanos + (long) (leaseNanos * (1.0 + 2 * config.driftBound()));
        this.lastTickNanos = nowNanos;
        this.prepareSets = new LeaseSetCodec.PrepareSets(16, config.members().size() + 1);
        for (CoreConfig.Member m : config.members()) {
            if (!m.name().equals(self)) {
                peers.put(m.name(), new Peer(m.name(), m.fullMember()));
            }
        }
        for (StoredObject o : restoredObjects) {
            putObject(o, nowNanos, false);
        }
        for (Map.Entry<String, Long> e : restoredEpochs.entrySet()) {
            Lease l = lease(e.getKey());
            if (l != null) {
                l.highestEpoch = Math.max(l.highestEpoch, e.getValue());
            }
        }
        quorum = votesSeen() >= config.quorumSize();
    }

    // ------------------------------------------------------------------ inputs

    /**
     * Advances time: heartbeats, peer timeouts, write timeouts, lease rounds and expiry, GC.
     *
     * @param nowNanos monotonic clock (never goes back)
     * @param wallMillis wall clock, used only to detect a suspend (wall time jumping past monotonic)
     */
    public void tick(long nowNanos, long wallMillis) {
        tick(nowNanos, wallMillis, 0);
    }

    /**
     * {@link #tick(long, long)} after this node's own loop stood still for {@code stalledNanos}
     * (how long its driver could not run this tick: a busy machine, a blocked loop, a JVM pause).
     *
     * <p>The stall only changes how a peer's silence is judged: a peer is down when it was not heard
     * for the peer timeout of time this node was listening, so the peers are not blamed for our own
     * pause, and frames that arrived during it (read when the loop resumes, possibly after this tick)
     * are heard first. Leases, rounds and writes still time out on {@code nowNanos} alone: a node that
     * could not renew in time loses its lease whatever the reason.
     *
     * @param stalledNanos at most the time since the previous tick counts (a larger value is capped)
     */
    public void tick(long nowNanos, long wallMillis, long stalledNanos) {
        stalledTotalNanos += Math.max(0, Math.min(stalledNanos, nowNanos - lastTickNanos));
        if (lastWallMillis != Long.MIN_VALUE) {
            long monoMillis = (nowNanos - lastTickNanos) / 1_000_000L;
            long gap = (wallMillis - lastWallMillis) - monoMillis;
            if (gap > config.suspendJumpMillis()) {
                events.add(new CoreEvent.SuspendDetected(gap));
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

        if (lastHeartbeatNanos == Long.MIN_VALUE
                || nowNanos - lastHeartbeatNanos >= config.heartbeatMillis() * 1_000_000L) {
            lastHeartbeatNanos = nowNanos;
            boolean restarting = nowNanos < restartUntilNanos;
            for (Peer p : peers.values()) {
                send(p.name, new Message.Heartbeat(config.configHash(), incarnation, objects.liveDigest(),
                        objects.tombstoneDigest(), nowNanos,
                        p.lastTheirSentNanos == 0 ? 0 : p.lastTheirSentNanos + (nowNanos - p.lastHeardNanos),
                        restarting, declined, table().hash()));
            }
        }
        long timeout = config.peerTimeoutMillis() * 1_000_000L;
        long listening = nowNanos - stalledTotalNanos;
        for (Peer p : peers.values()) {
            // heard after the stall began but before this tick reported it: counts from the stall's end
            p.lastHeardListeningNanos = Math.min(p.lastHeardListeningNanos, listening);
            if (p.online && listening - p.lastHeardListeningNanos > timeout) {
                p.online = false;
                events.add(new CoreEvent.PeerDown(p.name, true, "not heard for " + config.peerTimeoutMillis() + " ms"));
            }
        }
        updateQuorum();
        expireWrites(nowNanos);
        collectTombstones(nowNanos);
        boolean renewalDue = false;
        for (Lease l : leases.values()) {
            if (leaseTick(l, nowNanos) && l.heldUntilNanos != 0) {
                renewalDue = true;
            }
        }
        if (renewalDue) {
            // held leases past half their renewal interval renew with this cohort, so they stay aligned
            long half = config.renewMillis() * 500_000L;
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

    /** A message from peer {@code from}, authenticated by the transport. Unknown senders are ignored. */
    public void receive(String from, Message message, long nowNanos) {
        Peer peer = peers.get(from);
        if (peer == null) {
            return;
        }
        if (message instanceof Message.Heartbeat hb) {
            onHeartbeat(peer, hb, nowNanos);
        } else if (!peer.configMatch) {
            // A peer with another membership is not part of our cluster: only its heartbeats count.
            return;
        } else if (message instanceof Message.ReadRequest r) {
            send(from, new Message.ReadReply(r.requestId(), r.key(), objects.get(r.key()).orElse(null)));
        } else if (message instanceof Message.ReadReply r) {
            onReadReply(from, r, nowNanos);
        } else if (message instanceof Message.WriteRequest w) {
            putObject(w.object(), nowNanos, true);
            send(from, new Message.WriteAck(w.requestId(), w.object().key(), w.object().version()));
        } else if (message instanceof Message.WriteAck a) {
            onWriteAck(from, a, nowNanos);
        } else if (message instanceof Message.SyncVersions sv) {
            onSyncVersions(from, sv);
        } else if (message instanceof Message.SyncObjects so) {
            for (StoredObject o : so.objects()) {
                putObject(o, nowNanos, true);
            }
        } else if (message instanceof Message.LeaseBatch lb) {
            for (LeaseMessage lm : lb.items()) {
                onLeaseMessage(from, lm, nowNanos);
            }
        } else if (message instanceof Message.LeaseSets ls) {
            if (ls.table() != table().hash()) {
                leaseSetsDropped++; // our VIP tables differ right now: a lost message, resent next round
            } else {
                try {
                    for (LeaseMessage lm : LeaseSetCodec.decode(from, ls, table(), prepareSets)) {
                        onLeaseMessage(from, lm, nowNanos);
                    }
                } catch (WireCodec.WireFormatException e) {
                    leaseSetsDropped++;
                    events.add(new CoreEvent.BadMessage(from, e.getMessage()));
                }
            }
        }
        flush(nowNanos);
    }

    /**
     * Starts a replicated write. Its end comes as a {@link CoreEvent.WriteCompleted} event with
     * the returned id (at once, in the next {@link #drain()}, when there is no quorum).
     */
    public long submit(WriteOp op, long nowNanos) {
        long id = nextRequestId++;
        if (!quorum) {
            events.add(new CoreEvent.WriteCompleted(new WriteResult(id, op.key(), Outcome.NO_QUORUM, null,
                    "no quorum: " + votesSeen() + " of " + config.members().size() + " votes seen, "
                            + config.quorumSize() + " needed; the write was not applied")));
            return id;
        }
        if (writes.size() >= MAX_PENDING_WRITES) {
            events.add(new CoreEvent.WriteCompleted(new WriteResult(id, op.key(), Outcome.TIMED_OUT, null,
                    "too many writes in flight (" + MAX_PENDING_WRITES + "); try again")));
            return id;
        }
        PendingWrite w = new PendingWrite(id, op, nowNanos);
        writes.put(id, w);
        // ABD phase 1: read the highest version from a majority (ourselves included).
        w.readFrom.add(self);
        w.highest = objects.get(op.key()).orElse(null);
        for (Peer p : peers.values()) {
            send(p.name, new Message.ReadRequest(id, op.key()));
        }
        maybeAdvanceWrite(w, nowNanos);
        flush(nowNanos);
        return id;
    }

    /**
     * Level-triggered lease intent from the lease reconciler: while {@code wanted}, the core
     * acquires the VIP's lease and renews it; when not wanted it stops renewing (call
     * {@link #release} once the address is down to give it up at once).
     */
    public void setLeaseWanted(String vip, boolean wanted, long nowNanos) {
        Lease l = lease(vip);
        if (l == null || l.wanted == wanted) {
            return;
        }
        l.wanted = wanted;
        if (wanted) {
            l.nextAttemptNanos = nowNanos;
            leaseTick(l, nowNanos); // queued: the round starts with the next drain or tick
        } else if (l.phase != Phase.IDLE) {
            l.phase = Phase.IDLE;
        }
        flush(nowNanos);
    }

    /**
     * Gives the VIP's lease up now: acceptors clear our grant and another node may acquire at once.
     * The caller must already have removed the address. No-op when not held.
     */
    public void release(String vip, long nowNanos) {
        Lease l = leases.get(vip);
        if (l == null || (l.heldUntilNanos == 0 && l.phase == Phase.IDLE)) {
            return;
        }
        long epoch = l.heldEpoch;
        boolean held = l.heldUntilNanos != 0;
        l.wanted = false;
        l.phase = Phase.IDLE;
        l.heldUntilNanos = 0;
        l.heldEpoch = 0;
        broadcastLease(new LeaseMessage.Release(vip, l.maxBallotUsed));
        if (held) {
            events.add(new LeaseReleased(vip, epoch));
        }
        flush(nowNanos);
    }

    /**
     * The VIPs this node will not take for now (their pre_start hook failed here); announced in
     * heartbeats so the other nodes' placement skips this node for them.
     */
    public void setDeclined(Collection<String> vips) {
        declined = List.copyOf(vips);
    }

    /** Makes the next {@link #tick} send heartbeats at once (e.g. to announce a new declined list). */
    public void heartbeatNow() {
        lastHeartbeatNanos = Long.MIN_VALUE;
    }

    /** VIPs {@code node} declines, as its last heartbeat said (ours for {@code self}). */
    public List<String> declined(String node) {
        if (node.equals(self)) {
            return declined;
        }
        Peer p = peers.get(node);
        return p == null ? List.of() : p.declined;
    }

    /** Returns everything produced since the last call; see {@link Ready} for the order to apply it. */
    public Ready drain() {
        if (!cohort.isEmpty()) {
            // rounds wanted by setLeaseWanted calls since the last tick start here, as one cohort
            long at = cohortNanos;
            startCohort();
            flush(at);
        }
        batchLeaseMessages();
        if (persistObjects.isEmpty() && forgetObjects.isEmpty() && persistEpochs.isEmpty() && outbound.isEmpty()
                && events.isEmpty()) {
            return Ready.EMPTY;
        }
        Ready r = new Ready(List.copyOf(persistObjects), List.copyOf(forgetObjects), Map.copyOf(persistEpochs),
                List.copyOf(outbound), List.copyOf(events));
        persistObjects.clear();
        forgetObjects.clear();
        persistEpochs.clear();
        outbound.clear();
        events.clear();
        return r;
    }

    // ------------------------------------------------------------------ queries

    public String self() {
        return self;
    }

    public CoreConfig config() {
        return config;
    }

    public boolean hasQuorum() {
        return quorum;
    }

    /**
     * The earliest monotonic time at which {@link #tick} has something to do: the next heartbeat,
     * a peer or write timeout, a lease renewal, round timeout, retry or expiry, the end of the
     * restart wait. A driver may sleep until then instead of ticking at a fixed rate; ticking
     * earlier or later never breaks safety (lease checks compare against the time passed in),
     * it only moves when things happen.
     */
    public long nextDeadlineNanos(long nowNanos) {
        long next = lastHeartbeatNanos == Long.MIN_VALUE ? nowNanos
                : lastHeartbeatNanos + config.heartbeatMillis() * 1_000_000L;
        long peerTimeout = config.peerTimeoutMillis() * 1_000_000L;
        for (Peer p : peers.values()) {
            if (p.online) {
                next = Math.min(next, p.lastHeardListeningNanos + stalledTotalNanos + peerTimeout + 1);
            }
        }
        long writeTimeout = config.writeTimeoutMillis() * 1_000_000L;
        for (PendingWrite w : writes.values()) {
            next = Math.min(next, w.startNanos + writeTimeout + 1);
        }
        if (nowNanos < restartUntilNanos) {
            next = Math.min(next, restartUntilNanos);
        }
        long renew = config.renewMillis() * 1_000_000L;
        for (Lease l : leases.values()) {
            if (l.heldUntilNanos != 0) {
                next = Math.min(next, l.heldUntilNanos);
            }
            if (l.phase != Phase.IDLE) {
                next = Math.min(next, l.roundStartNanos + roundTimeoutNanos() + 1);
            } else if (l.wanted) {
                long at = l.heldUntilNanos != 0 ? l.heldRoundStartNanos + renew : nowNanos;
                next = Math.min(next, Math.max(at, l.nextAttemptNanos));
            }
        }
        return next;
    }

    /** Lease-set messages dropped since start: VIP tables differing for a moment, or malformed. */
    public long leaseSetsDropped() {
        return leaseSetsDropped;
    }

    /** True during the post-restart wait: this node votes on no lease and is no placement candidate. */
    public boolean restarting(long nowNanos) {
        return nowNanos < restartUntilNanos;
    }

    public MembershipView membership(long nowNanos) {
        List<PeerView> nodes = new ArrayList<>();
        for (CoreConfig.Member m : config.members()) {
            if (m.name().equals(self)) {
                nodes.add(new PeerView(self, m.fullMember(), true, true, true, -1, -1, restarting(nowNanos)));
            } else {
                Peer p = peers.get(m.name());
                nodes.add(new PeerView(p.name, p.fullMember, false, p.online, p.configMatch,
                        p.lastHeardNanos == 0 ? -1 : nowNanos - p.lastHeardNanos, p.rttNanos, p.restarting));
            }
        }
        return new MembershipView(quorum, votesSeen(), config.quorumSize(), config.members().size(), nodes);
    }

    public Optional<StoredObject> object(ObjectKey key) {
        return objects.get(key).filter(o -> !o.deleted());
    }

    /** The object or tombstone this node stores for {@code key}, if any. */
    public Optional<StoredObject> stored(ObjectKey key) {
        return objects.get(key);
    }

    /** Live objects of one kind, by name. */
    public List<StoredObject> objects(String kind) {
        return objects.live(kind);
    }

    /** Every stored object and tombstone (for the simulation's convergence check). */
    public Collection<StoredObject> allObjects() {
        return objects.all();
    }

    public long storeDigest() {
        return objects.liveDigest();
    }

    public LeaseView lease(String vip, long nowNanos) {
        Lease l = leaseIndex.get(vip);
        if (l == null) {
            return new LeaseView(vip, false, 0, 0, null, 0, 0, 0, false);
        }
        boolean held = l.heldUntilNanos != 0 && nowNanos < l.heldUntilNanos;
        boolean grantLive = l.grantOwner != null && nowNanos < l.grantExpiresNanos;
        return new LeaseView(vip, held, held ? l.heldEpoch : 0, held ? l.heldUntilNanos - nowNanos : 0,
                grantLive ? l.grantOwner : null, grantLive ? l.grantEpoch : 0,
                grantLive ? l.grantExpiresNanos - nowNanos : 0, l.highestEpoch, l.wanted);
    }

    // ------------------------------------------------------------------ membership

    private void onHeartbeat(Peer p, Message.Heartbeat hb, long nowNanos) {
        boolean match = hb.configHash() == config.configHash();
        if (!match && p.theirHash != hb.configHash()) {
            events.add(new CoreEvent.ConfigMismatch(p.name, hb.configHash()));
        }
        p.theirHash = hb.configHash();
        p.configMatch = match;
        p.lastHeardNanos = nowNanos;
        p.lastHeardListeningNanos = nowNanos - stalledTotalNanos;
        p.lastTheirSentNanos = hb.sentNanos();
        p.restarting = hb.restarting();
        p.declined = hb.declined() == null ? List.of() : hb.declined();
        p.leaseTable = hb.leaseTable();
        if (hb.echoNanos() != 0 && hb.echoNanos() <= nowNanos) {
            p.rttNanos = nowNanos - hb.echoNanos();
        }
        boolean restarted = p.incarnation != 0 && p.incarnation != hb.incarnation();
        p.incarnation = hb.incarnation();
        p.digest = hb.storeDigest();
        p.tombstoneDigest = hb.tombstoneDigest();
        if (!match) {
            if (p.online) {
                p.online = false;
                events.add(new CoreEvent.PeerDown(p.name, false, "membership hash differs"));
            }
        } else if (!p.online || restarted) {
            p.online = true;
            events.add(new CoreEvent.PeerUp(p.name, restarted));
        }
        updateQuorum();
        if (match && (p.digest != objects.liveDigest() || p.tombstoneDigest != objects.tombstoneDigest())
                && nowNanos - p.lastSyncNanos >= config.syncIntervalMillis() * 1_000_000L) {
            p.lastSyncNanos = nowNanos;
            sendVersions(p.name, false);
        }
    }

    private int votesSeen() {
        int votes = 1;
        for (Peer p : peers.values()) {
            if (p.online) {
                votes++;
            }
        }
        return votes;
    }

    private void updateQuorum() {
        int votes = votesSeen();
        boolean now = votes >= config.quorumSize();
        if (now != quorum) {
            quorum = now;
            events.add(new CoreEvent.QuorumChanged(now, votes, config.quorumSize()));
        }
    }

    // ------------------------------------------------------------------ replicated store

    /** Stores {@code o} if it is newer than what we hold; persists and reports the change. */
    private boolean putObject(StoredObject o, long nowNanos, boolean persist) {
        StoredObject before = objects.get(o.key()).orElse(null);
        if (!objects.applyIfNewer(o)) {
            return false;
        }
        if (!o.deleted()) {
            tombstoneSeenNanos.remove(o.key());
        } else {
            tombstoneSeenNanos.put(o.key(), nowNanos);
        }
        if (persist) {
            persistObjects.add(o);
            events.add(new CoreEvent.ObjectChanged(before, o));
        }
        return true;
    }

    private void onReadReply(String from, Message.ReadReply r, long nowNanos) {
        PendingWrite w = writes.get(r.requestId());
        if (w == null || w.phase != 1 || !w.readFrom.add(from)) {
            return;
        }
        if (r.current() != null && (w.highest == null || r.current().version().isNewerThan(w.highest.version()))) {
            w.highest = r.current();
        }
        maybeAdvanceWrite(w, nowNanos);
    }

    private void maybeAdvanceWrite(PendingWrite w, long nowNanos) {
        if (w.phase != 1 || w.readFrom.size() < config.quorumSize()) {
            return;
        }
        StoredObject highest = w.highest;
        // Our own store counts as one more read reply, taken now: a concurrent write to the same key
        // from this node may have entered phase 2 since this one started, and two writes from one
        // node must never pick the same version (same version + different content = divergence).
        StoredObject local = objects.get(w.op.key()).orElse(null);
        if (local != null && (highest == null || local.version().isNewerThan(highest.version()))) {
            highest = local;
        }
        boolean existed = highest != null && !highest.deleted();
        ObjectVersion base = highest == null ? ObjectVersion.ZERO : highest.version();
        StoredObject next;
        if (w.op instanceof WriteOp.Delete) {
            if (!existed) {
                complete(w, Outcome.NOT_FOUND, base, w.op.key() + " not found");
                return;
            }
            w.outcome = Outcome.DELETED;
            next = StoredObject.tombstone(w.op.key(), base.next(self));
        } else {
            ObjectNode body = ((WriteOp.Put) w.op).body().deepCopy();
            body.remove("status");
            ObjectNode meta = body.with("metadata");
            long generation = 1;
            if (existed) {
                JsonNode old = highest.body();
                if (Json.equalOrMissing(old.get("spec"), body.get("spec"))
                        && Json.equalOrMissing(old.path("metadata").get("labels"), meta.get("labels"))) {
                    complete(w, Outcome.UNCHANGED, base, null);
                    return;
                }
                generation = old.path("metadata").path("generation").asLong(0) + 1;
                JsonNode created = old.path("metadata").get("creationTimestamp");
                if (created != null) {
                    meta.set("creationTimestamp", created);
                }
            }
            ObjectVersion v = base.next(self);
            meta.put("version", v.counter());
            meta.put("generation", generation);
            w.outcome = existed ? Outcome.CONFIGURED : Outcome.CREATED;
            next = new StoredObject(w.op.key(), v, false, body);
        }
        // ABD phase 2: write version+1 to a majority; each acceptor persists before it acknowledges.
        w.phase = 2;
        w.written = next;
        putObject(next, nowNanos, true);
        w.ackFrom.add(self);
        for (Peer p : peers.values()) {
            send(p.name, new Message.WriteRequest(w.id, next));
        }
        maybeFinishWrite(w);
    }

    private void onWriteAck(String from, Message.WriteAck a, long nowNanos) {
        PendingWrite w = writes.get(a.requestId());
        if (w == null || w.phase != 2 || !a.version().equals(w.written.version()) || !w.ackFrom.add(from)) {
            return;
        }
        maybeFinishWrite(w);
    }

    private void maybeFinishWrite(PendingWrite w) {
        if (w.phase == 2 && w.ackFrom.size() >= config.quorumSize()) {
            complete(w, w.outcome, w.written.version(), null);
        }
    }

    private void complete(PendingWrite w, Outcome outcome, ObjectVersion version, String message) {
        writes.remove(w.id);
        events.add(new CoreEvent.WriteCompleted(new WriteResult(w.id, w.op.key(), outcome, version, message)));
    }

    private void expireWrites(long nowNanos) {
        if (writes.isEmpty()) {
            return;
        }
        long limit = config.writeTimeoutMillis() * 1_000_000L;
        for (PendingWrite w : List.copyOf(writes.values())) {
            if (nowNanos - w.startNanos > limit) {
                int got = w.phase == 1 ? w.readFrom.size() : w.ackFrom.size();
                // A write that timed out in phase 2 may still land on a majority later: say so.
                complete(w, Outcome.TIMED_OUT, null, "timed out after " + config.writeTimeoutMillis() + " ms: "
                        + got + " of " + config.quorumSize() + " needed nodes answered"
                        + (w.phase == 2 ? " (the write may still be applied)" : "; the write was not applied"));
            }
        }
    }

    private void sendVersions(String to, boolean reply) {
        List<Message.VersionEntry> batch = new ArrayList<>();
        for (StoredObject o : objects.all()) {
            batch.add(new Message.VersionEntry(o.key(), o.version(), o.deleted()));
            if (batch.size() == MAX_VERSIONS_PER_SYNC) {
                send(to, new Message.SyncVersions(batch, reply));
                batch = new ArrayList<>();
            }
        }
        send(to, new Message.SyncVersions(batch, reply));
    }

    private void onSyncVersions(String from, Message.SyncVersions sv) {
        Map<ObjectKey, Message.VersionEntry> theirs = new HashMap<>();
        for (Message.VersionEntry e : sv.versions()) {
            theirs.put(e.key(), e);
        }
        List<StoredObject> newer = new ArrayList<>();
        for (StoredObject mine : objects.all()) {
            Message.VersionEntry t = theirs.get(mine.key());
            // A tombstone is only sent to a peer holding an older live copy: for a peer that has
            // nothing, "absent" already means "deleted" (and it may have collected the tombstone).
            boolean send = t == null ? !mine.deleted() : mine.version().isNewerThan(t.version());
            if (send) {
                newer.add(mine);
                if (newer.size() == MAX_OBJECTS_PER_SYNC) {
                    send(from, new Message.SyncObjects(newer));
                    newer = new ArrayList<>();
                }
            }
        }
        if (!newer.isEmpty()) {
            send(from, new Message.SyncObjects(newer));
        }
        if (!sv.reply()) {
            sendVersions(from, true);
        }
    }

    private void collectTombstones(long nowNanos) {
        if (tombstoneSeenNanos.isEmpty()) {
            return;
        }
        for (Peer p : peers.values()) {
            if (!p.online || p.digest != objects.liveDigest()) {
                return;
            }
        }
        long age = config.tombstoneGcMillis() * 1_000_000L;
        for (Map.Entry<ObjectKey, Long> e : List.copyOf(tombstoneSeenNanos.entrySet())) {
            if (nowNanos - e.getValue() >= age) {
                objects.forget(e.getKey());
                tombstoneSeenNanos.remove(e.getKey());
                forgetObjects.add(e.getKey());
            }
        }
    }

    // ------------------------------------------------------------------ leases

    private enum Phase { IDLE, PREPARING, PROPOSING }

    private Lease lease(String vip) {
        Lease l = leases.get(vip);
        if (l == null) {
            if (leases.size() >= config.maxLeaseEntries()) {
                return null;
            }
            l = new Lease(vip);
            leases.put(vip, l);
            leaseIndex.put(vip, l);
            table = null;
        }
        return l;
    }

    /** @return true when it queued a round for {@code l} */
    private boolean leaseTick(Lease l, long nowNanos) {
        if (l.heldUntilNanos != 0 && nowNanos >= l.heldUntilNanos) {
            loseLease(l, "lease expired: no majority renewed it in time");
        }
        if (l.phase != Phase.IDLE && nowNanos - l.roundStartNanos > roundTimeoutNanos()) {
            abandonRound(l, nowNanos, jitter(config.renewMillis() / 4, config.renewMillis() / 2));
        }
        if (l.queued || nowNanos < l.nextAttemptNanos || !canStartRound(l, nowNanos)) {
            return false;
        }
        boolean held = l.heldUntilNanos != 0;
        if (held && nowNanos - l.heldRoundStartNanos < config.renewMillis() * 1_000_000L) {
            return false;
        }
        queueRound(l, nowNanos);
        return true;
    }

    private boolean canStartRound(Lease l, long nowNanos) {
        return l.wanted && l.phase == Phase.IDLE && !restarting(nowNanos) && quorum && config.isFullMember(self);
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
        l.roundMaxEpoch = l.highestEpoch;
        broadcastLease(new LeaseMessage.Prepare(l.vip, l.ballot));
    }

    /** Retries are aligned to this grid, so VIPs that backed off together retry as one cohort. */
    static final long RETRY_GRID_NANOS = 20_000_000L;

    private void abandonRound(Lease l, long nowNanos, long backoffNanos) {
        l.phase = Phase.IDLE;
        long at = nowNanos + backoffNanos;
        l.nextAttemptNanos = at - Math.floorMod(at, RETRY_GRID_NANOS) + RETRY_GRID_NANOS;
    }

    private void loseLease(Lease l, String reason) {
        long epoch = l.heldEpoch;
        l.heldUntilNanos = 0;
        l.heldEpoch = 0;
        events.add(new LeaseLost(l.vip, epoch, reason));
    }

    private void broadcastLease(LeaseMessage m) {
        selfLeaseInbox.add(m);
        for (Peer p : peers.values()) {
            leaseOutbox.computeIfAbsent(p.name, k -> new ArrayList<>()).add(m);
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
        Lease l = lease(m.vip());
        if (l == null) {
            return;
        }
        if (m instanceof LeaseMessage.Prepare || m instanceof LeaseMessage.Propose
                || m instanceof LeaseMessage.Release) {
            // acceptor role: the sender must be the ballot's proposer (a peer cannot speak for another)
            if (!m.ballot().node().equals(from)) {
                return;
            }
            if (restarting(nowNanos)) {
                return;
            }
            acceptorStep(l, from, m, nowNanos);
        } else {
            proposerStep(l, from, m, nowNanos);
        }
    }

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
                if (p.epoch() > l.highestEpoch) {
                    l.highestEpoch = p.epoch();
                    persistEpochs.put(l.vip, l.highestEpoch);
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
                long oldEpoch = l.heldEpoch;
                l.heldUntilNanos = until;
                l.heldRoundStartNanos = l.roundStartNanos;
                l.heldEpoch = l.roundEpoch;
                if (!wasHeld || oldEpoch != l.heldEpoch) {
                    events.add(new LeaseAcquired(l.vip, l.heldEpoch, until));
                } else {
                    events.add(new CoreEvent.LeaseRenewed(l.vip, l.heldEpoch, until));
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
            if (l.rejectedBy.size() > config.members().size() - config.quorumSize()) {
                long backoff;
                if (r.grantOwner() != null && !r.grantOwner().equals(self)) {
                    // someone else holds it: come back shortly after that grant ends (or on release)
                    backoff = Math.max(10, Math.min(r.grantRemainingMillis() + 5, 100)) * 1_000_000L
                            + jitter(0, 20);
                } else {
                    backoff = jitter(config.renewMillis() / 8, config.renewMillis() / 2);
                }
                abandonRound(l, nowNanos, backoff);
            }
        }
    }

    // ------------------------------------------------------------------ output plumbing

    private LeaseSetCodec.VipTable table() {
        if (table == null) {
            table = LeaseSetCodec.VipTable.of(leases.keySet());
        }
        return table;
    }

    private void send(String to, Message m) {
        outbound.add(new Ready.Outbound(to, m));
    }

    /** Handles lease messages we sent ourselves (batching per peer happens in {@link #drain()}). */
    private void flush(long nowNanos) {
        // bounded: each self-message produces at most one reply, and a round at most two broadcasts
        int guard = 0;
        while (!selfLeaseInbox.isEmpty() && guard++ < 100_000) {
            LeaseMessage m = selfLeaseInbox.poll();
            onLeaseMessage(self, m, nowNanos);
        }
    }

    /**
     * One {@link Message.LeaseBatch} per peer for every lease message produced since the last
     * drain, whichever inputs produced them (a reconciler calling {@link #setLeaseWanted} for 1,000
     * VIPs and then {@link #tick} must not mean 1,000 batches per peer).
     */
    private void batchLeaseMessages() {
        if (!leaseOutbox.isEmpty()) {
            LeaseSetCodec.VipTable t = table();
            for (Map.Entry<String, List<LeaseMessage>> e : leaseOutbox.entrySet()) {
                Peer p = peers.get(e.getKey());
                Message.LeaseSets sets = p != null && p.leaseTable == t.hash()
                        ? LeaseSetCodec.encode(e.getValue(), t, prepareSets) : null;
                send(e.getKey(), sets != null ? sets : new Message.LeaseBatch(List.copyOf(e.getValue())));
            }
            leaseOutbox.clear();
        }
    }

    // ------------------------------------------------------------------ state records

    private static final class Peer {
        final String name;
        final boolean fullMember;
        boolean online;
        boolean configMatch = true;
        long theirHash;
        long lastHeardNanos;
        /** {@link #lastHeardNanos} on the listening clock (monotonic time less this node's own stalls). */
        long lastHeardListeningNanos;
        long lastTheirSentNanos;
        long incarnation;
        long digest;
        long tombstoneDigest;
        /** The hash of the peer's VIP table, from its last heartbeat. */
        long leaseTable;
        long rttNanos = -1;
        long lastSyncNanos = Long.MIN_VALUE / 2;
        boolean restarting;
        List<String> declined = List.of();

        Peer(String name, boolean fullMember) {
            this.name = name;
            this.fullMember = fullMember;
        }
    }

    private static final class PendingWrite {
        final long id;
        final WriteOp op;
        final long startNanos;
        int phase = 1;
        final Set<String> readFrom = new HashSet<>();
        final Set<String> ackFrom = new HashSet<>();
        StoredObject highest;
        StoredObject written;
        Outcome outcome;

        PendingWrite(long id, WriteOp op, long startNanos) {
            this.id = id;
            this.op = op;
            this.startNanos = startNanos;
        }
    }

    /** Acceptor and proposer state of one VIP on this node. */
    private static final class Lease {
        final String vip;
        // acceptor
        Ballot promised = Ballot.ZERO;
        String grantOwner;
        Ballot grantBallot = Ballot.ZERO;
        long grantEpoch;
        long grantExpiresNanos;
        long highestEpoch;
        Ballot highestBallotSeen = Ballot.ZERO;
        // proposer
        boolean wanted;
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
        // holder
        long heldUntilNanos;
        long heldRoundStartNanos;
        long heldEpoch;

        Lease(String vip) {
            this.vip = vip;
        }
    }
}
