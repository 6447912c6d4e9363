package io.lcs.core;

import io.lcs.core.Views.LeaseView;
import io.lcs.core.Views.MembershipView;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.StoredObject;
import io.lcs.model.wire.Message;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The sans-I/O cluster core of one lcsd: a thin facade over its three parts, each with its own
 * contract and tests: {@link Membership} (peers, heartbeats, quorum, the restart wait),
 * {@link ReplicatedStore} (an ABD register per desired-state object, anti-entropy, tombstone
 * collection) and {@link Leases} (PaxosLease per VIP, epochs, suspend handling). The facade routes
 * inputs to them, supplies each with what it needs of the others, and collects what they produce
 * into one {@link Ready}.
 *
 * <p>Inputs: {@link #tick}, {@link #receive}, {@link #submit}, {@link #setLeaseWanted},
 * {@link #release}. Output: {@link #drain()} returns a {@link Ready} batch that the driver must
 * persist, then send, then deliver (see {@link Ready}). Time and randomness are injected: the core
 * never reads a clock, starts a thread or touches a socket or file, so a simulation can run many
 * cores in one thread and replay a seed exactly.
 *
 * <p>Not thread-safe: one thread (the driver's event loop, or the simulation) calls everything.
 */
public final class ClusterCore {
    private final CoreConfig config;
    private final Outbox out = new Outbox();
    private final Membership membership;
    private final ReplicatedStore store;
    private final Leases leases;

    /**
     * @param restoredObjects what the state directory held at start (objects and tombstones)
     * @param restoredEpochs the highest epoch seen per VIP, as persisted
     * @param nowNanos the monotonic clock now; the restart wait runs from here
     */
    public ClusterCore(CoreConfig config, Collection<StoredObject> restoredObjects, Map<String, Long> restoredEpochs,
                       long nowNanos, RandomGenerator random) {
        this(config, restoredObjects, restoredEpochs, nowNanos, fullRestartWaitNanos(config), random);
    }

    /**
     * A core whose post-restart wait (no vote on any lease, no candidacy) lasts {@code
     * restartWaitNanos} from {@code nowNanos} instead of {@link #fullRestartWaitNanos}: for a node
     * that knows every grant of its previous run has ended by then (lcsd's record of a clean stop).
     */
    public ClusterCore(CoreConfig config, Collection<StoredObject> restoredObjects, Map<String, Long> restoredEpochs,
                       long nowNanos, long restartWaitNanos, RandomGenerator random) {
        this.config = config;
        this.membership = new Membership(config, random.nextLong(), nowNanos, restartWaitNanos, out);
        this.store = new ReplicatedStore(config, membership, out);
        this.leases = new Leases(config, membership, out, random, nowNanos);
        store.restore(restoredObjects, nowNanos);
        leases.restoreEpochs(restoredEpochs);
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
        leases.detectSuspend(nowNanos, wallMillis);
        if (membership.heartbeatDue(nowNanos)) {
            long previousGen = leases.heldGen();
            long heldGen = leases.renewHeldSet(nowNanos);
            // A new generation goes out with heartbeats to every peer, not only to those whose link
            // this node leads: a peer that has its HeldSet but no heartbeat naming it yet knows of no
            // set of ours (it reports no owner of those VIPs, and placement may take them as free).
            membership.sendHeartbeats(nowNanos, store.liveDigest(), store.tombstoneDigest(), leases.tableHash(),
                    heldGen, leases::ackFor, heldGen != previousGen);
        }
        membership.tick(nowNanos, stalledNanos);
        store.tick(nowNanos);
        leases.tick(nowNanos);
    }

    /** A message from peer {@code from}, authenticated by the transport. Unknown senders are ignored. */
    public void receive(String from, Message message, long nowNanos) {
        if (!membership.isPeer(from)) {
            return;
        }
        if (message instanceof Message.Heartbeat hb) {
            boolean match = membership.onHeartbeat(from, hb, nowNanos);
            leases.onPeerLeaseTable(from, hb.leaseTable());
            if (match) {
                store.onPeerDigests(from, hb.storeDigest(), hb.tombstoneDigest(), nowNanos);
                leases.onPeerHeartbeat(from, hb, nowNanos);
            }
            if (membership.answerDue(from, nowNanos, leases.heldGen())) {
                // after the lease part read it: the answer confirms the renewal this heartbeat carried;
                // none while our held set has changed (the next tick sends the new one to every peer)
                long heldGen = leases.renewHeldSetForAnswer(nowNanos);
                if (heldGen >= 0) {
                    membership.sendHeartbeat(from, nowNanos, store.liveDigest(), store.tombstoneDigest(),
                            leases.tableHash(), heldGen, leases.ackFor(from));
                }
            }
        } else if (!membership.matches(from)) {
            // A peer with another membership is not part of our cluster: only its heartbeats count.
            return;
        } else if (message instanceof Message.ReadRequest r) {
            store.onReadRequest(from, r);
        } else if (message instanceof Message.ReadReply r) {
            store.onReadReply(from, r, nowNanos);
        } else if (message instanceof Message.WriteRequest w) {
            store.onWriteRequest(from, w, nowNanos);
        } else if (message instanceof Message.WriteAck a) {
            store.onWriteAck(from, a);
        } else if (message instanceof Message.SyncVersions sv) {
            store.onSyncVersions(from, sv, nowNanos);
        } else if (message instanceof Message.SyncObjects so) {
            store.onSyncObjects(so, nowNanos);
        } else if (message instanceof Message.LeaseBatch lb) {
            leases.onLeaseBatch(from, lb, nowNanos);
        } else if (message instanceof Message.LeaseSets ls) {
            leases.onLeaseSets(from, ls, nowNanos);
        } else if (message instanceof Message.HeldSet hs) {
            leases.onHeldSet(from, hs, nowNanos);
        }
    }

    /**
     * Starts a replicated write. Its end comes as a {@link CoreEvent.WriteCompleted} event with
     * the returned id (at once, in the next {@link #drain()}, when there is no quorum).
     */
    public long submit(WriteOp op, long nowNanos) {
        return store.submit(op, nowNanos);
    }

    /**
     * Level-triggered lease intent from the lease reconciler: while {@code wanted}, the core
     * acquires the VIP's lease and renews it; when not wanted it stops renewing (call
     * {@link #release} once the address is down to give it up at once).
     */
    public void setLeaseWanted(String vip, boolean wanted, long nowNanos) {
        leases.setWanted(vip, wanted, nowNanos);
    }

    /**
     * Gives the VIP's lease up now: acceptors clear our grant and another node may acquire at once.
     * The caller must already have removed the address. No-op when not held.
     */
    public void release(String vip, long nowNanos) {
        leases.release(vip, nowNanos);
    }

    /**
     * The VIPs this node will not take for now (their pre_start hook failed here); announced in
     * heartbeats so the other nodes' placement skips this node for them.
     */
    public void setDeclined(Collection<String> vips) {
        membership.setDeclined(vips);
    }

    /** Makes the next {@link #tick} send heartbeats at once (e.g. to announce a new declined list). */
    public void heartbeatNow() {
        membership.heartbeatNow();
    }

    /**
     * This node's health-check results (every check it runs); a change is announced in heartbeats
     * at once, and only changes travel.
     */
    public void setCheckReports(List<Message.CheckReport> reports) {
        membership.setCheckReports(reports);
    }

    /** {@code node}'s health-check results as it last announced them (ours for {@code self}). */
    public List<Message.CheckReport> checkReports(String node) {
        return membership.checkReports(node);
    }

    /** VIPs {@code node} declines, as its last heartbeat said (ours for {@code self}). */
    public List<String> declined(String node) {
        return membership.declined(node);
    }

    /** Returns everything produced since the last call; see {@link Ready} for the order to apply it. */
    public Ready drain() {
        leases.drainInto(out);
        return out.drain();
    }

    // ------------------------------------------------------------------ queries

    public String self() {
        return config.self();
    }

    public CoreConfig config() {
        return config;
    }

    public boolean hasQuorum() {
        return membership.hasQuorum();
    }

    /**
     * The earliest monotonic time at which {@link #tick} has something to do: the next heartbeat,
     * a peer or write timeout, a lease renewal, round timeout, retry or expiry, the end of the
     * restart wait. A driver may sleep until then instead of ticking at a fixed rate; ticking
     * earlier or later never breaks safety (lease checks compare against the time passed in),
     * it only moves when things happen.
     */
    public long nextDeadlineNanos(long nowNanos) {
        return Math.min(membership.nextDeadlineNanos(nowNanos),
                Math.min(store.nextDeadlineNanos(), leases.nextDeadlineNanos(nowNanos)));
    }

    /** Lease-set messages dropped since start: VIP tables differing for a moment, or malformed. */
    public long leaseSetsDropped() {
        return leases.leaseSetsDropped();
    }

    /**
     * Times a VIP got no lease entry because the table was full ({@link CoreConfig#maxLeaseEntries()}):
     * our own wish for it or a peer's lease message for it was ignored. The first refusal of an
     * episode is also a {@link CoreEvent.LeaseTableFull} event.
     */
    public long leaseEntriesRefused() {
        return leases.leaseEntriesRefused();
    }

    /** Entries in the lease table now (VIPs this node or a peer asked about recently). */
    public int leaseEntries() {
        return leases.size();
    }

    /** Writes refused at once because too many were in flight (each got a TIMED_OUT result saying so). */
    public long writesRefused() {
        return store.writesRefused();
    }

    /** Times anti-entropy with a peer had more than one heartbeat interval's budget to send (see {@link CoreEvent.SyncPaced}). */
    public long syncPaced() {
        return store.syncPaced();
    }

    /**
     * The post-restart wait of a node that knows nothing of its previous run: one lease lengthened by
     * the drift bound on both clocks, the longest any grant it may have forgotten can live.
     */
    public static long fullRestartWaitNanos(CoreConfig config) {
        return Membership.fullRestartWaitNanos(config);
    }

    /** True during the post-restart wait: this node votes on no lease and is no placement candidate. */
    public boolean restarting(long nowNanos) {
        return membership.restarting(nowNanos);
    }

    public MembershipView membership(long nowNanos) {
        return membership.view(nowNanos);
    }

    public Optional<StoredObject> object(ObjectKey key) {
        return store.object(key);
    }

    /** The object or tombstone this node stores for {@code key}, if any. */
    public Optional<StoredObject> stored(ObjectKey key) {
        return store.stored(key);
    }

    /** Live objects of one kind, by name. */
    public List<StoredObject> objects(String kind) {
        return store.objects(kind);
    }

    /** Every stored object and tombstone (for the simulation's convergence check). */
    public Collection<StoredObject> allObjects() {
        return store.allObjects();
    }

    public long storeDigest() {
        return store.liveDigest();
    }

    public LeaseView lease(String vip, long nowNanos) {
        return leases.view(vip, nowNanos);
    }

    /** This node's acceptor grant of {@code vip} if live, else null (for checks). */
    public Views.GrantView grant(String vip, long nowNanos) {
        return leases.grant(vip, nowNanos);
    }
}
