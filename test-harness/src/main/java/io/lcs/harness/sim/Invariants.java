package io.lcs.harness.sim;

import io.lcs.core.CoreConfig;
import io.lcs.core.Ready;
import io.lcs.core.Views.LeaseView;
import io.lcs.core.WriteResult;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectVersion;
import io.lcs.model.api.StoredObject;
import io.lcs.model.wire.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The invariants of docs/architecture.md, checked by the simulation. {@link #afterStep} runs after every
 * tick, delivery and scripted action: lease exclusivity in real time, unique and growing epochs.
 * {@link #afterTick} checks that a node reporting quorum really has a majority alive. The final
 * checks run after everything healed and settled: acknowledged writes survive, stores converge,
 * every VIP has exactly one full-member owner.
 *
 * <p>A failure is an {@link AssertionError} whose message starts with {@code seed=<N>} and ends
 * with the last {@link SimTrace#KEEP} steps.
 */
public final class Invariants {
    private final SimCluster sim;
    private final List<String> vips;
    private final long[] maxEpoch;
    private final List<Map<Long, String>> epochHolder = new ArrayList<>();
    private final Map<ObjectKey, ObjectVersion> maxAcked = new TreeMap<>();
    private final Map<ObjectKey, StoredObject> ackedObject = new TreeMap<>();
    private long acked;
    private long leaseBatches;
    private long leaseItems;
    private int maxLeaseBatchItems;
    private final long quorumWindowNanos;

    Invariants(SimCluster sim) {
        this.sim = sim;
        this.vips = sim.options.vips();
        this.maxEpoch = new long[vips.size()];
        for (int i = 0; i < vips.size(); i++) {
            epochHolder.add(new HashMap<>());
        }
        CoreConfig c = sim.nodes.get(0).config;
        // How stale a "peer online" view may be: the peer timeout on a drifting clock, plus a
        // message's flight, plus the gap between two ticks, plus a pause (a frozen node's backlog).
        this.quorumWindowNanos = (long) (c.peerTimeoutMillis() * 1_000_000L * (1 + 2 * c.driftBound()))
                + 50_000_000L + 2 * SimCluster.MAX_TICK_NANOS + sim.options.maxPauseNanos() + 1_000_000L;
    }

    public AssertionError failure(String what) {
        return new AssertionError("seed=" + sim.options.seed() + " t=" + String.format("%.3f", sim.clock.nowNanos() / 1e6)
                + " ms: " + what + "\nlast steps (replay: -Dlcs.sim.seed=" + sim.options.seed() + "):\n"
                + sim.trace.tail());
    }

    /** Rules 1 and 3 of section 4, at this real instant. */
    void afterStep() {
        long delay = sim.network.maxDelayNanos();
        if (delay > 50_000_000L) {
            throw failure("network delay above the 50 ms the quorum check allows for");
        }
        for (int v = 0; v < vips.size(); v++) {
            String vip = vips.get(v);
            SimNode holder = null;
            long holderEpoch = 0;
            for (SimNode n : sim.nodes) {
                // a crashed node holds nothing; a suspended host runs nothing (it re-checks on resume)
                if (n.core == null || n.status == SimNode.Status.SUSPENDED) {
                    continue;
                }
                LeaseView lv = n.core.lease(vip, n.clock.monoNanos());
                if (!lv.held()) {
                    continue;
                }
                long epoch = lv.heldEpoch();
                if (holder != null) {
                    throw failure("lease exclusivity: VIP " + vip + " held by " + holder.name + " (epoch "
                            + holderEpoch + ") and " + n.name + " (epoch " + epoch + ") at the same instant");
                }
                holder = n;
                holderEpoch = epoch;
                if (!n.config.isFullMember(n.name)) {
                    throw failure("witness " + n.name + " holds VIP " + vip);
                }
                if (epoch < 1) {
                    throw failure(n.name + " holds VIP " + vip + " at epoch " + epoch);
                }
                String prev = epochHolder.get(v).get(epoch);
                if (prev == null) {
                    if (epoch <= maxEpoch[v]) {
                        throw failure("epochs must grow: " + n.name + " holds VIP " + vip + " at epoch " + epoch
                                + " after epoch " + maxEpoch[v] + " was held (by " + epochHolder.get(v).get(maxEpoch[v])
                                + ")");
                    }
                    epochHolder.get(v).put(epoch, n.name);
                    maxEpoch[v] = epoch;
                } else if (!prev.equals(n.name)) {
                    throw failure("epoch " + epoch + " of VIP " + vip + " held by two nodes: " + prev + " and "
                            + n.name);
                }
            }
        }
    }

    /** Rule: quorum only with a real majority alive (within the peer-timeout lag). */
    void afterTick(SimNode n) {
        if (!n.core.hasQuorum()) {
            return;
        }
        long now = sim.clock.nowNanos();
        int alive = 0;
        for (SimNode m : sim.nodes) {
            if (m.status != SimNode.Status.CRASHED || now - m.crashedAtNanos <= quorumWindowNanos) {
                alive++;
            }
        }
        if (alive < n.config.quorumSize()) {
            throw failure(n.name + " reports quorum but only " + alive + " nodes were alive within the last "
                    + quorumWindowNanos / 1_000_000 + " ms (" + n.config.quorumSize() + " needed)");
        }
    }

    /** Lease messages for all VIPs go out as one batch per peer per drain. */
    void onReady(SimNode n, Ready r) {
        Map<String, Integer> batchesTo = null;
        for (Ready.Outbound o : r.messages()) {
            if (o.message() instanceof Message.LeaseBatch lb) {
                if (batchesTo == null) {
                    batchesTo = new HashMap<>();
                }
                if (batchesTo.merge(o.to(), 1, Integer::sum) > 1) {
                    throw failure(n.name + " sent two LeaseBatch messages to " + o.to() + " in one Ready");
                }
                leaseBatches++;
                leaseItems += lb.items().size();
                maxLeaseBatchItems = Math.max(maxLeaseBatchItems, lb.items().size());
            }
        }
    }

    void onWriteCompleted(SimNode n, WriteResult r) {
        if (!r.outcome().succeeded()) {
            return;
        }
        if (r.version() == null) {
            throw failure(n.name + " acknowledged " + r + " without a version");
        }
        acked++;
        ObjectVersion prev = maxAcked.get(r.key());
        if (prev == null || r.version().isNewerThan(prev)) {
            maxAcked.put(r.key(), r.version());
            StoredObject mine = n.diskObjects.get(r.key());
            if (mine != null && mine.version().equals(r.version())) {
                ackedObject.put(r.key(), mine);
            } else {
                ackedObject.remove(r.key()); // UNCHANGED read from a peer: we know the version only
            }
        }
    }

    /**
     * After heal and settle: every node is up, objects and tombstones are identical everywhere (a
     * node may hold nothing for a deleted object it never saw), digests match, and no acknowledged write was lost: for each key
     * the converged version is at least the highest acknowledged one, and equal to it only with the
     * acknowledged content.
     */
    public void checkConvergedAndNothingLost() {
        Map<ObjectKey, StoredObject> union = new TreeMap<>();
        for (SimNode n : sim.nodes) {
            if (n.core == null || n.status != SimNode.Status.UP) {
                throw failure("final check: " + n.name + " is " + n.status);
            }
            for (StoredObject o : n.core.allObjects()) {
                StoredObject u = union.get(o.key());
                if (u == null || o.version().isNewerThan(u.version())) {
                    union.put(o.key(), o);
                }
            }
        }
        long digest = sim.nodes.get(0).core.storeDigest();
        for (SimNode n : sim.nodes) {
            for (StoredObject u : union.values()) {
                StoredObject mine = coreCopy(n, u.key());
                if (u.deleted() && mine == null) {
                    // a node that never held the object, or collected its tombstone: "absent" is deleted
                    continue;
                }
                if (mine == null || !mine.version().equals(u.version()) || mine.deleted() != u.deleted()
                        || (!u.deleted() && !mine.body().toString().equals(u.body().toString()))) {
                    throw failure("convergence: " + n.name + " holds " + describe(mine) + " for " + u.key()
                            + " but the newest copy is " + describe(u));
                }
            }
            if (n.core.storeDigest() != digest) {
                throw failure("convergence: store digests differ (" + n.name + " vs " + sim.nodes.get(0).name + ")");
            }
        }
        for (Map.Entry<ObjectKey, ObjectVersion> e : maxAcked.entrySet()) {
            StoredObject fin = union.get(e.getKey());
            ObjectVersion fv = fin == null ? ObjectVersion.ZERO : fin.version();
            if (e.getValue().isNewerThan(fv)) {
                throw failure("acknowledged write lost: " + e.getKey() + " was acknowledged at version "
                        + e.getValue() + " but the cluster converged on " + describe(fin));
            }
            StoredObject a = ackedObject.get(e.getKey());
            if (fv.equals(e.getValue()) && a != null && (a.deleted() != fin.deleted()
                    || (!a.deleted() && !a.body().toString().equals(fin.body().toString())))) {
                throw failure("acknowledged write changed: " + e.getKey() + " at version " + fv + " was "
                        + describe(a) + " when acknowledged, now " + describe(fin));
            }
        }
    }

    private static StoredObject coreCopy(SimNode n, ObjectKey key) {
        for (StoredObject o : n.core.allObjects()) {
            if (o.key().equals(key)) {
                return o;
            }
        }
        return null;
    }

    private static String describe(StoredObject o) {
        if (o == null) {
            return "nothing";
        }
        return o.deleted() ? "tombstone " + o.version() : "version " + o.version() + " " + o.body();
    }

    /** After settle: every VIP is held by exactly one node, and that node is a full member. */
    public void checkEveryVipHeldOnce() {
        for (String vip : vips) {
            List<String> h = sim.holders(vip);
            if (h.size() != 1) {
                throw failure("liveness: after heal and settle VIP " + vip + " is held by " + h
                        + " (expected exactly one full member)");
            }
        }
    }

    public long acked() {
        return acked;
    }

    public long leaseBatches() {
        return leaseBatches;
    }

    public long leaseItems() {
        return leaseItems;
    }

    public int maxLeaseBatchItems() {
        return maxLeaseBatchItems;
    }

    /** Highest epoch any node held for {@code vip} so far (0 if none). */
    public long maxEpoch(String vip) {
        int i = vips.indexOf(vip);
        return i < 0 ? 0 : maxEpoch[i];
    }
}
