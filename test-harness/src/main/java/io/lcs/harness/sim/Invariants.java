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
 * {@link #afterTick} checks that a node reporting quorum really has a majority alive. Invariant 4
 * (an acknowledged write survives while a majority survives) is checked whenever it could change:
 * when a write is acknowledged and after every disk change ({@link #checkAcknowledgedSurvives}).
 * The final checks run after everything healed and settled: stores converge and match their disks,
 * acknowledged writes survive, every VIP has exactly one full-member owner.
 *
 * <p>A failure is an {@link AssertionError} whose message starts with {@code seed=<N>} and ends
 * with the last {@link SimTrace#KEEP} steps.
 */
public final class Invariants {
    private final SimCluster sim;
    private final List<String> vips;
    private final long[] maxEpoch;
    private final List<Map<Long, String>> epochHolder = new ArrayList<>();
    /** Per object key: what the checks must find durable, see {@link #checkAcknowledgedSurvives}. */
    private final Map<ObjectKey, KeyHistory> history = new TreeMap<>();
    private long acked;
    private long strangerMessages;
    private long collections;
    /** Nodes whose durable copy must hold an acknowledged write for every majority to include one. */
    private final int holdersNeeded;
    private long leaseBatches;
    private long leaseItems;
    private int maxLeaseBatchItems;
    private final long quorumWindowNanos;
    /** Per node and VIP: the acceptor grant seen after the previous step (to tell a renewal from a new grant). */
    private final Grant[][] grants;
    /** The core each node ran at the previous step: a new one (a restart) remembers no grant. */
    private final Object[] cores;
    private long grantExtensions;
    /**
     * Per node and VIP: for each epoch that node held the VIP at, the last real instant it was
     * seen holding it. A grant extended by a held set must be of an epoch its owner held a
     * heartbeat's flight ago at most ({@link #extensionWindowNanos}).
     */
    private final List<List<Map<Long, Long>>> heldEpochSeen = new ArrayList<>();
    /** How long before an extension its owner may last have held the grant's epoch: one heartbeat's flight and pauses. */
    private final long extensionWindowNanos;

    /** An acceptor's grant as last seen; {@code expiresNanos} on that node's clock, 0 once cleared. */
    private record Grant(String owner, io.lcs.model.wire.Ballot ballot, long grantedNanos, long expiresNanos) {
    }
    /**
     * Per VIP and holder, since when (real time) the holder has held it while it knew itself failing
     * its checks and knew another eligible full-member: it must give the VIP up within
     * {@link #handOverBoundNanos}. Empty without health checks.
     */
    private final Map<String, Long> unhealthyHoldSince = new HashMap<>();
    private boolean healthChecks;
    private final long handOverBoundNanos;

    Invariants(SimCluster sim) {
        this.sim = sim;
        this.vips = sim.options.vips();
        this.maxEpoch = new long[vips.size()];
        this.grants = new Grant[sim.nodes.size()][vips.size()];
        this.cores = new Object[sim.nodes.size()];
        for (int i = 0; i < sim.nodes.size(); i++) {
            List<Map<Long, Long>> perVip = new ArrayList<>();
            for (int v = 0; v < vips.size(); v++) {
                perVip.add(new HashMap<>());
            }
            heldEpochSeen.add(perVip);
        }
        for (int i = 0; i < vips.size(); i++) {
            epochHolder.add(new HashMap<>());
        }
        CoreConfig c = sim.nodes.get(0).config;
        // How stale a "peer online" view may be: the peer timeout on a drifting clock, plus a
        // message's flight, plus the gap between two ticks, plus a pause (a frozen node's backlog).
        this.holdersNeeded = sim.nodes.size() - c.quorumSize() + 1;
        this.extensionWindowNanos = 50_000_000L + 2 * SimCluster.MAX_TICK_NANOS + sim.options.maxPauseNanos()
                + 1_000_000L;
        this.quorumWindowNanos = (long) (c.peerTimeoutMillis() * 1_000_000L * (1 + 2 * c.driftBound()))
                + 50_000_000L + 2 * SimCluster.MAX_TICK_NANOS + sim.options.maxPauseNanos() + 1_000_000L;
        // the holder's next tick stops wanting it and releases it at once; if it lets the lease run
        // out instead, the rest of its lease on its (drifting) clock; plus a tick
        this.handOverBoundNanos = (long) (c.leaseMillis() * 1_000_000L * (1 + c.driftBound()))
                + 2 * SimCluster.MAX_TICK_NANOS;
    }

    void enableHealthChecks() {
        healthChecks = true;
    }

    /**
     * Health rule (issue 15): a node that holds a VIP while it knows its own check fails and knows
     * another full-member that may hold it (online, not in its restart wait, check passing, all in
     * its own view, with quorum) gives the VIP up within the hand-over bound. The detection part of
     * "fall × interval + hand-over" is the check state machine's (CheckStateTest): here a report
     * flips at once. A node that is not running (frozen, suspended) is not asked to act.
     */
    private void checkUnhealthyOwnersHandOver() {
        long now = sim.clock.nowNanos();
        for (String vip : vips) {
            for (SimNode n : sim.nodes) {
                String key = vip + "@" + n.name;
                if (n.core == null || n.status != SimNode.Status.UP || !n.core.hasQuorum()
                        || !n.core.lease(vip, n.clock.monoNanos()).held() || sim.unhealthy(n.name, n.name) == null
                        || !knowsAnotherEligible(n)) {
                    unhealthyHoldSince.remove(key);
                    continue;
                }
                long since = unhealthyHoldSince.computeIfAbsent(key, k -> now);
                if (now - since > handOverBoundNanos) {
                    throw failure("health: " + n.name + " holds VIP " + vip + " while its check fails ("
                            + sim.unhealthy(n.name, n.name) + ") and another node is eligible, for "
                            + (now - since) / 1_000_000 + " ms, more than the hand-over bound of "
                            + handOverBoundNanos / 1_000_000 + " ms");
                }
            }
        }
    }

    private boolean knowsAnotherEligible(SimNode n) {
        for (io.lcs.core.Views.PeerView p : n.core.membership(n.clock.monoNanos()).nodes()) {
            if (!p.self() && p.fullMember() && p.online() && !p.restarting() && sim.unhealthy(n.name, p.name()) == null) {
                return true;
            }
        }
        return false;
    }

    public AssertionError failure(String what) {
        return new AssertionError("seed=" + sim.options.seed() + " t=" + String.format("%.3f", sim.clock.nowNanos() / 1e6)
                + " ms: " + what + "\nlast steps (replay: -Dlcs.sim.seed=" + sim.options.seed() + "):\n"
                + sim.trace.tail());
    }

    /** Rules 1 and 3 of section 4, at this real instant; the acceptors' grants ({@link #checkGrants}). */
    void afterStep() {
        afterStep(null);
    }

    /** {@link #afterStep()} after a step in which only {@code changed}'s state moved (null: any node's). */
    void afterStep(SimNode changed) {
        long delay = sim.network.maxDelayNanos();
        if (delay > 50_000_000L) {
            throw failure("network delay above the 50 ms the quorum check allows for");
        }
        checkGrants(changed);
        if (healthChecks) {
            checkUnhealthyOwnersHandOver();
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
                heldEpochSeen.get(n.index).get(v).put(epoch, sim.clock.nowNanos());
                if (holder != null) {
                    throw failure("lease exclusivity: VIP " + vip + " held by " + holder.name + " (epoch "
                            + holderEpoch + ") and " + n.name + " (epoch " + epoch + ") at the same instant");
                }
                holder = n;
                holderEpoch = epoch;
                checkBackedByMajority(n, vip);
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
        checkGroups();
    }

    /**
     * With groups ({@link SimCluster#groupModel}), at this real instant: no node holds two units of
     * one strict anti-affinity group, and the members of a keep-together group are never held by two
     * nodes (each member's unit, as the production {@code GroupRules} computes it, has one holder).
     */
    void checkGroups() {
        SimCluster.GroupModel g = sim.groupModel();
        if (g == null) {
            return;
        }
        Map<String, String> keepTogetherHolder = new HashMap<>();
        Map<String, String> strictHeld = new HashMap<>(); // group + node -> unit
        for (io.lcs.model.config.GroupRules.Member m : g.resources()) {
            String groupName = g.groupOf().get(m.name());
            io.lcs.model.config.GroupConfig group = groupName == null ? null : g.groups().get(groupName);
            if (group == null) {
                continue;
            }
            String key = g.units().leaseKey(m.name());
            for (SimNode n : sim.nodes) {
                if (n.core == null || n.status == SimNode.Status.SUSPENDED
                        || !n.core.lease(key, n.clock.monoNanos()).held()) {
                    continue;
                }
                if (group.keepTogether()) {
                    String other = keepTogetherHolder.putIfAbsent(group.name(), n.name);
                    if (other != null && !other.equals(n.name)) {
                        throw failure("keep-together group " + group.name() + " split: " + m.name() + " held by "
                                + n.name + " while another member is held by " + other);
                    }
                } else if (group.strict()) {
                    String other = strictHeld.putIfAbsent(group.name() + "@" + n.name, key);
                    if (other != null && !other.equals(key)) {
                        throw failure("strict anti-affinity group " + group.name() + ": " + n.name + " holds both "
                                + other + " and " + key);
                    }
                }
            }
        }
    }

    /**
     * The acceptor rules, at every step and for every node and VIP: a grant is never extended
     * unless it was still live and is the same grant (same owner, same ballot: one this acceptor
     * made, not made again since), and a live grant of one owner is never replaced by another
     * owner's. Only a proposal accepted (under the owner's own ballot) makes a grant.
     */
    private void checkGrants(SimNode changed) {
        for (int i = 0; i < sim.nodes.size(); i++) {
            SimNode n = sim.nodes.get(i);
            if (changed != null && changed != n) {
                continue; // a grant changes only in its own node's step
            }
            if (n.core != cores[i]) {
                cores[i] = n.core;
                java.util.Arrays.fill(grants[i], null); // a crash or restart forgets every grant
            }
            if (n.core == null) {
                continue;
            }
            long now = n.clock.monoNanos();
            for (int v = 0; v < vips.size(); v++) {
                io.lcs.core.Views.GrantView g = n.core.grant(vips.get(v), now);
                Grant prev = grants[i][v];
                boolean prevLive = prev != null && prev.expiresNanos() > now;
                if (g == null) {
                    if (prevLive) {
                        grants[i][v] = new Grant(prev.owner(), prev.ballot(), prev.grantedNanos(), 0); // released
                    }
                    continue;
                }
                // the same grant: not made again by a proposal since (a duplicate proposal may be accepted anew)
                boolean same = prev != null && prev.owner().equals(g.owner()) && prev.ballot().equals(g.ballot())
                        && prev.grantedNanos() == g.grantedNanos();
                if (same && g.expiresNanos() > prev.expiresNanos()) {
                    if (!prevLive) {
                        throw failure(n.name + " extended a grant of VIP " + vipName(v) + " to " + g.owner()
                                + " (ballot " + g.ballot() + ") that had " + (prev.expiresNanos() == 0 ? "been cleared"
                                : "ended " + (now - prev.expiresNanos()) / 1_000 + " us before"));
                    }
                    checkExtendedEpoch(n, v, g);
                    grantExtensions++;
                } else if (!same) {
                    if (prevLive && !prev.owner().equals(g.owner())) {
                        throw failure(n.name + " replaced the live grant of VIP " + vipName(v) + " to " + prev.owner()
                                + " by one to " + g.owner());
                    }
                    if (!g.ballot().node().equals(g.owner())) {
                        throw failure(n.name + " granted VIP " + vipName(v) + " to " + g.owner() + " under ballot "
                                + g.ballot() + " of another node");
                    }
                }
                grants[i][v] = new Grant(g.owner(), g.ballot(), g.grantedNanos(), g.expiresNanos());
            }
        }
    }

    /**
     * A grant extended outside a round is of an epoch its owner held when it sent the heartbeat
     * that renewed it: an acceptor that renewed the grant of a round that did not win (the owner
     * won the next, at a higher epoch, without it) would report a stale epoch for ever, and a move
     * asked of that node would name an ownership that does not exist.
     */
    private void checkExtendedEpoch(SimNode acceptor, int v, io.lcs.core.Views.GrantView g) {
        SimNode owner = sim.nodes.stream().filter(x -> x.name.equals(g.owner())).findFirst().orElseThrow();
        Long seen = heldEpochSeen.get(owner.index).get(v).get(g.epoch());
        long now = sim.clock.nowNanos();
        if (seen == null || now - seen > extensionWindowNanos) {
            throw failure(acceptor.name + " extended its grant of VIP " + vipName(v) + " to " + g.owner() + " at epoch "
                    + g.epoch() + ", which " + g.owner() + (seen == null ? " never held" : " last held "
                    + (now - seen) / 1_000_000 + " ms before") + " (it holds epochs " + heldEpochSeen.get(owner.index)
                    .get(v).keySet() + ")");
        }
    }

    private String vipName(int v) {
        return vips.get(v);
    }

    /**
     * A holder's lease rests on live grants: at this instant a majority of the nodes holds a live
     * grant of {@code vip} to {@code holder}, not counting nodes that may have forgotten one
     * (crashed, or restarted and still in their wait, during which they vote on nothing). A
     * renewal that counted an acceptor which did not extend (a held set read in the wrong
     * generation) would leave the holder's lease running past its grants: caught here.
     */
    private void checkBackedByMajority(SimNode holder, String vip) {
        int backing = 0;
        StringBuilder seen = new StringBuilder();
        for (SimNode m : sim.nodes) {
            if (m.core == null || m.core.restarting(m.clock.monoNanos())) {
                backing++;
                seen.append(' ').append(m.name).append(m.core == null ? "=crashed" : "=restarting");
                continue;
            }
            io.lcs.core.Views.GrantView g = m.core.grant(vip, m.clock.monoNanos());
            if (g != null && g.owner().equals(holder.name)) {
                backing++;
            }
            seen.append(' ').append(m.name).append('=').append(g == null ? "-" : g.owner());
        }
        if (backing < holder.config.quorumSize()) {
            throw failure(holder.name + " holds VIP " + vip + " but only " + backing + " nodes back it with a live"
                    + " grant (" + holder.config.quorumSize() + " needed):" + seen);
        }
    }

    /** Grant extensions seen (renewals without a round), for the tests' reports. */
    public long grantExtensions() {
        return grantExtensions;
    }

    /** Rule: quorum only with a real majority alive (within the peer-timeout lag). */
    void afterTick(SimNode n) {
        if (!n.core.hasQuorum()) {
            return;
        }
        long now = sim.clock.nowNanos();
        int alive = 0;
        for (SimNode m : sim.nodes) {
            // a node with another membership hash never counts (unless it had ours within the window)
            boolean sameCluster = m.config.configHash() == n.config.configHash()
                    || (m.previousHash == n.config.configHash() && now - m.reconfiguredAtNanos <= quorumWindowNanos);
            if (sameCluster && (m.status != SimNode.Status.CRASHED || now - m.crashedAtNanos <= quorumWindowNanos)) {
                alive++;
            }
        }
        if (alive < n.config.quorumSize()) {
            throw failure(n.name + " reports quorum but only " + alive + " nodes with its membership hash were alive"
                    + " within the last " + quorumWindowNanos / 1_000_000 + " ms (" + n.config.quorumSize()
                    + " needed)");
        }
    }

    /**
     * {@code to} got a message other than a heartbeat from {@code from}, whose last heartbeat carried
     * another membership hash: it is not part of the cluster, so nothing may come of it (no vote, no
     * grant, no stored object, no reply).
     */
    void strangerChangedNothing(SimNode to, String from, Message m) {
        strangerMessages++;
        Ready r = to.core.drain();
        if (!r.isEmpty()) {
            throw failure(to.name + " acted on " + m.getClass().getSimpleName() + " from " + from
                    + ", whose membership hash differs: " + r);
        }
    }

    /**
     * Before {@code n} applies {@code r}: the tombstones it is about to collect (their version is
     * known only from its disk before the apply); and lease messages for all VIPs go out as one batch
     * per peer per drain.
     */
    void onReady(SimNode n, Ready r) {
        for (ObjectKey k : r.forgetObjects()) {
            StoredObject t = n.diskObjects.get(k);
            if (t == null || !t.deleted()) {
                throw failure(n.name + " collects " + k + " but its disk holds " + describe(t) + ", not a tombstone");
            }
            history.computeIfAbsent(k, x -> new KeyHistory()).collected(t.version());
            collections++;
        }
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

    /** After {@code n} applied {@code r} (its disk changed): the acknowledged writes of the keys it touched survive. */
    void afterApply(SimNode n, Ready r) {
        for (StoredObject o : r.persistObjects()) {
            history.computeIfAbsent(o.key(), x -> new KeyHistory()).stored(o);
            checkAcknowledgedSurvives(o.key());
        }
        for (ObjectKey k : r.forgetObjects()) {
            checkAcknowledgedSurvives(k);
        }
    }

    /**
     * A write was acknowledged to a client (or a NOT_FOUND answered on a tombstone): from now on a
     * majority must hold it or a later version ({@link #checkAcknowledgedSurvives}), checked at once
     * and after every later change of any disk.
     */
    void onWriteCompleted(SimNode n, WriteResult r) {
        boolean tombstoneNotFound = r.outcome() == WriteResult.Outcome.NOT_FOUND && r.version() != null
                && !r.version().equals(ObjectVersion.ZERO);
        if (!r.outcome().succeeded() && !tombstoneNotFound) {
            return;
        }
        if (r.version() == null) {
            throw failure(n.name + " acknowledged " + r + " without a version");
        }
        acked++;
        StoredObject mine = n.diskObjects.get(r.key());
        // the content is known when the coordinator's disk holds that version (else only the version)
        StoredObject content = mine != null && mine.version().equals(r.version()) ? mine : null;
        if (content == null && tombstoneNotFound) {
            content = StoredObject.tombstone(r.key(), r.version());
        }
        history.computeIfAbsent(r.key(), x -> new KeyHistory())
                .acknowledged(new Acked(r.version(), content, n.name, sim.clock.nowNanos()));
        checkAcknowledgedSurvives(r.key());
    }

    /**
     * Invariant 4 at this instant: the newest acknowledged write of {@code key} is durable on enough
     * nodes that every majority includes one, i.e. a majority read (whichever majority answers,
     * crashed nodes' disks included) returns it or a later version. A node holding nothing counts
     * when a tombstone at least as new was collected (absent is then the later state); a node
     * holding a tombstone that was collected before the acknowledged write does not (collected
     * history that came back). Same version with other content is a divergence.
     */
    void checkAcknowledgedSurvives(ObjectKey key) {
        KeyHistory h = history.get(key);
        if (h == null || h.acked == null) {
            return;
        }
        Acked a = h.acked;
        int holders = 0;
        List<String> missing = new ArrayList<>();
        for (SimNode n : sim.nodes) {
            StoredObject d = n.diskObjects.get(key);
            boolean holds;
            if (d == null) {
                holds = h.collected != null && !a.version().isNewerThan(h.collected);
            } else if (h.dead.contains(d.version())) {
                holds = false;
            } else if (h.collected != null && !a.version().isNewerThan(h.collected)
                    && h.collected.isNewerThan(d.version())) {
                // below a collected tombstone: a write made after the collection (a re-create on its way
                // to a majority) is later than the acknowledged state; a copy from before it is stale
                holds = h.isFresh(d);
            } else if (d.version().equals(a.version()) && a.content() != null) {
                if (d != a.content() && !sameContent(d, a.content())) {
                    throw failure("divergence: " + n.name + " holds " + describe(d) + " for " + key
                            + " but " + describe(a.content()) + " was acknowledged at that version by " + a.node());
                }
                holds = true;
            } else {
                holds = !a.version().isNewerThan(d.version());
            }
            if (holds) {
                holders++;
            } else {
                missing.add(n.name + " (" + n.status + ", disk: " + describe(d) + ")");
            }
        }
        if (holders < holdersNeeded) {
            throw failure("acknowledged write lost: " + key + " was acknowledged at version " + a.version() + " by "
                    + a.node() + " at t=" + String.format("%.3f", a.atNanos() / 1e6) + " ms, but only " + holders
                    + " disks hold it or a later version (" + holdersNeeded + " needed so that every majority"
                    + " has one); a majority read without " + missing + " misses it");
        }
    }

    /** The newest acknowledged write of a key; {@code content} null when only its version is known. */
    private record Acked(ObjectVersion version, StoredObject content, String node, long atNanos) {
    }

    /**
     * What the invariant remembers of one key. Versions start again after a tombstone is collected
     * (a re-created object reads nothing and writes version 1), so acknowledgements are grouped in
     * generations: an acknowledged version no newer than a collected tombstone starts a new one, and
     * the collected tombstones of earlier generations are dead: a disk holding one again holds
     * nothing acknowledged.
     */
    private static final class KeyHistory {
        Acked acked;
        /** The newest tombstone of this generation some node collected, or null. */
        ObjectVersion collected;
        final java.util.Set<ObjectVersion> dead = new java.util.HashSet<>();
        /** (version, content) of every copy stored in this generation up to its first collection. */
        java.util.Set<String> seen = new java.util.HashSet<>();
        /** ... and stored after it that were not seen before: the next generation's writes. */
        java.util.Set<String> fresh = new java.util.HashSet<>();

        /** A copy is identified by version and content: a re-created object reuses version numbers. */
        private static String identity(StoredObject o) {
            return o.version() + (o.deleted() ? "#deleted" : "#" + o.body().hashCode());
        }

        void stored(StoredObject o) {
            String id = identity(o);
            if (collected == null) {
                seen.add(id);
            } else if (!seen.contains(id)) {
                fresh.add(id);
            }
        }

        boolean isFresh(StoredObject o) {
            return fresh.contains(identity(o));
        }

        void collected(ObjectVersion tombstone) {
            if (collected == null || tombstone.isNewerThan(collected)) {
                collected = tombstone;
            }
        }

        void acknowledged(Acked a) {
            if (collected != null && a.version().equals(collected) && a.content() != null && a.content().deleted()) {
                // a NOT_FOUND answered on the very tombstone some node collected (others still hold
                // it): the same deleted state, not a write of a new generation
                if (acked == null || a.version().isNewerThan(acked.version())) {
                    acked = a;
                }
            } else if (collected != null && !a.version().isNewerThan(collected)) {
                // written by a write that read nothing after the collection: a new generation
                dead.add(collected);
                collected = null;
                acked = a;
                seen = fresh;
                fresh = new java.util.HashSet<>();
            } else if (acked == null || a.version().isNewerThan(acked.version())) {
                acked = a;
            }
        }
    }

    /**
     * After heal and settle: every node is up, objects and tombstones are identical everywhere (a
     * node may hold nothing for a deleted object it never saw), digests match, and every acknowledged
     * write survives ({@link #checkAcknowledgedSurvives}, now on converged disks).
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
            if (!List.copyOf(n.core.allObjects()).equals(List.copyOf(n.diskObjects.values()))) {
                throw failure("durability: " + n.name + " holds in memory what its disk does not: "
                        + n.core.allObjects() + " vs " + n.diskObjects.values());
            }
            if (n.core.storeDigest() != digest) {
                throw failure("convergence: store digests differ (" + n.name + " vs " + sim.nodes.get(0).name + ")");
            }
        }
        for (ObjectKey k : history.keySet()) {
            checkAcknowledgedSurvives(k);
        }
    }

    /** Same deletion state and body; bodies compared as trees first (cheap), as JSON text if they differ. */
    private static boolean sameContent(StoredObject x, StoredObject y) {
        if (x.deleted() || y.deleted()) {
            return x.deleted() == y.deleted();
        }
        return x.body().equals(y.body()) || x.body().toString().equals(y.body().toString());
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

    /**
     * After settle: every VIP is held by exactly one node, and that node is a full member; with
     * groups, a strict anti-affinity group has as many units held as it has members or full
     * members, whichever is fewer (the others stay down rather than share a node).
     */
    public void checkEveryVipHeldOnce() {
        SimCluster.GroupModel g = sim.groupModel();
        Map<String, Integer> strictHeld = new HashMap<>();
        Map<String, Integer> strictSize = new HashMap<>();
        for (String vip : vips) {
            List<String> h = sim.holders(vip);
            String strictGroup = null;
            if (g != null) {
                var groups = io.lcs.reconcilers.lease.GroupPlacement.strictGroups(g.units().byKey().get(vip), g.groups(),
                        g.groupOf()::get);
                strictGroup = groups.isEmpty() ? null : groups.iterator().next();
            }
            if (strictGroup != null && h.size() <= 1) {
                strictHeld.merge(strictGroup, h.size(), Integer::sum);
                strictSize.merge(strictGroup, 1, Integer::sum);
                continue;
            }
            if (h.size() != 1) {
                throw failure("liveness: after heal and settle VIP " + vip + " is held by " + h
                        + " (expected exactly one full member)");
            }
        }
        int fullMembers = sim.options.fullMembers();
        for (Map.Entry<String, Integer> e : strictSize.entrySet()) {
            int expected = Math.min(e.getValue(), fullMembers);
            if (strictHeld.get(e.getKey()) != expected) {
                throw failure("liveness: after heal and settle strict anti-affinity group " + e.getKey() + " has "
                        + strictHeld.get(e.getKey()) + " members held, expected " + expected);
            }
        }
    }

    public long acked() {
        return acked;
    }

    /** Tombstones collected (each node's count). */
    public long collections() {
        return collections;
    }

    /** Messages other than heartbeats that arrived from a peer with another membership hash (and changed nothing). */
    public long strangerMessages() {
        return strangerMessages;
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
