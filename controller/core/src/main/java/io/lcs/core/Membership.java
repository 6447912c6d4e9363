package io.lcs.core;

import io.lcs.core.Views.MembershipView;
import io.lcs.core.Views.PeerView;
import io.lcs.model.wire.Message;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Membership and quorum of one node (docs/architecture.md, "Membership and quorum"): the
 * configured peers, the heartbeats this node sends and hears, which peers are online, whose
 * membership hash matches ours, whether this node sees a quorum, and the restart wait.
 *
 * <p><b>Inputs:</b> {@link #sendHeartbeats} when {@link #heartbeatDue} (the facade supplies what a
 * heartbeat carries from the other parts: store digests and the VIP-table hash),
 * {@link #tick} on every tick, {@link #onHeartbeat} for every heartbeat from a configured
 * peer and, when {@link #answerDue}, {@link #sendHeartbeat} to answer it, {@link #setDeclined}. <b>Outputs</b> (to the {@link Outbox}): heartbeats, and the events
 * {@link CoreEvent.PeerUp}, {@link CoreEvent.PeerDown}, {@link CoreEvent.ConfigMismatch},
 * {@link CoreEvent.QuorumChanged}.
 *
 * <p><b>Contract for the other parts:</b> {@link #hasQuorum()} is true only while more than half of
 * all configured votes (ours included) were heard within the peer timeout with our membership
 * hash; a peer whose hash differs is never {@link #isOnline online} and never counted.
 * {@link #restarting} is true for one lease (plus twice the drift bound) after this core started:
 * an acceptor that may have forgotten a grant. {@link #settled} says a peer and this node have
 * both been running and in touch for a peer timeout. Membership knows nothing of objects or leases.
 *
 * <p>Not thread-safe: one thread calls everything (the core's).
 */
final class Membership {
    private final CoreConfig config;
    private final String self;
    private final long incarnation;
    private final long restartUntilNanos;
    private final Outbox out;
    private final Map<String, Peer> peers = new LinkedHashMap<>();
    private final List<String> peerNames;
    private boolean quorum;
    private List<String> declined = List.of();
    private List<Message.CheckReport> checks = List.of();
    private long checkGeneration;
    private long lastHeartbeatNanos = Long.MIN_VALUE;
    private long lastTickNanos;
    /**
     * How long this node's own loop stood still, in total, as its driver reported (see
     * {@link ClusterCore#tick(long, long, long)}). A peer's silence is measured on the time this node
     * was listening (monotonic time less this), so a stall of our own never reads as the peers'
     * silence.
     */
    private long stalledTotalNanos;
    /** Since when this node has run without a gap of more than a peer timeout between ticks. */
    private long steadySinceNanos;

    /**
     * @param incarnation random per start, so peers see a restart even without a disconnect
     * @param nowNanos the monotonic clock at start: the restart wait runs from here
     */
    Membership(CoreConfig config, long incarnation, long nowNanos, Outbox out) {
        this(config, incarnation, nowNanos, fullRestartWaitNanos(config), out);
    }

    /**
     * @param restartWaitNanos how long this node votes on no lease and is no candidate, from
     *     {@code nowNanos}: {@link #fullRestartWaitNanos} unless the caller knows when the grants of
     *     this node's previous run ended (a clean stop it recorded; never more than it needs)
     */
    Membership(CoreConfig config, long incarnation, long nowNanos, long restartWaitNanos, Outbox out) {
        if (restartWaitNanos < 0) {
            throw new IllegalArgumentException("restart wait " + restartWaitNanos + " ns < 0");
        }
        this.config = config;
        this.self = config.self();
        this.incarnation = incarnation;
        this.out = out;
        this.restartUntilNanos = nowNanos + restartWaitNanos;
        List<String> names = new ArrayList<>();
        List<String> sorted = config.members().stream().map(CoreConfig.Member::name).sorted().toList();
        for (CoreConfig.Member m : config.members()) {
            if (!m.name().equals(self)) {
                peers.put(m.name(), new Peer(m.name(), m.fullMember(), leads(sorted, m.name(), self)));
                names.add(m.name());
            }
        }
        this.peerNames = List.copyOf(names);
        this.quorum = votesSeen() >= config.quorumSize();
        this.lastTickNanos = nowNanos;
        this.steadySinceNanos = nowNanos;
    }

    // ------------------------------------------------------------------ inputs

    boolean heartbeatDue(long nowNanos) {
        return lastHeartbeatNanos == Long.MIN_VALUE
                || nowNanos - lastHeartbeatNanos >= config.heartbeatMillis() * 1_000_000L;
    }

    /** One heartbeat to every configured peer that is due one, carrying what the other parts report. */
    void sendHeartbeats(long nowNanos, long storeDigest, long tombstoneDigest, long leaseTable) {
        sendHeartbeats(nowNanos, storeDigest, tombstoneDigest, leaseTable, 0, peer -> Leases.RenewalAck.NONE, false);
    }

    /**
     * This node's heartbeats of this interval, carrying what the other parts report: the lease
     * part's held-set generation ({@code heldGen}) and, per peer, what it confirms of that peer's
     * held set ({@code acks}). Membership carries them; it reads neither.
     *
     * <p>Each pair of nodes keeps one rhythm, set by the node that {@link #leads leads} their link:
     * it sends here, every interval; the other {@link #answers} each of those heartbeats when it
     * arrives ({@link #answerDue}), so its answer carries the TCP acknowledgement of the heartbeat
     * it answers. Without that, two rhythms of random phase meant a bare acknowledgement (52 bytes,
     * Linux delays one by 40 ms) for nearly every heartbeat: almost half of the idle frames. The
     * answering node sends here (on its own timer, so no extra wake-up) only to a peer it has sent
     * nothing for 1.25 intervals (that peer's heartbeats stopped or came late; the quarter keeps a
     * leader a few milliseconds late, or ticking in the same phase, from being taken for silent),
     * then every interval until that peer's heartbeats resume: a silent leader still hears from this
     * node within 2.25 intervals of the last answer, then every interval. And to every peer on the
     * first call, after {@link #heartbeatNow} and when {@code toAll} (a new held-set generation):
     * a change goes out at once to all.
     */
    void sendHeartbeats(long nowNanos, long storeDigest, long tombstoneDigest, long leaseTable, long heldGen,
                        Function<String, Leases.RenewalAck> acks, boolean toAll) {
        boolean all = toAll || lastHeartbeatNanos == Long.MIN_VALUE || !answering(heldGen);
        lastHeartbeatNanos = nowNanos;
        long interval = config.heartbeatMillis() * 1_000_000L;
        for (Peer p : peers.values()) {
            boolean send = all || !p.answers;
            if (!send && sentBefore(p, nowNanos, p.leaderLate ? interval : interval + interval / 4)) {
                p.leaderLate = true;
                send = true;
            }
            if (send) {
                send(p, nowNanos, storeDigest, tombstoneDigest, leaseTable, heldGen, acks.apply(p.name));
            }
        }
    }

    /**
     * Whether this node answers the heartbeat it has just heard from {@code peer} with one of its
     * own now: it {@link #answers} that peer and sent it nothing for half an interval (a peer's
     * extra heartbeat, after a change of its own, needs no second answer). The caller then sends it
     * with {@link #sendHeartbeat}, after the rest of the core has read the heartbeat, so the answer
     * confirms a renewal it carried.
     */
    boolean answerDue(String peer, long nowNanos, long heldGen) {
        Peer p = peers.get(peer);
        return p != null && p.answers && answering(heldGen)
                && sentBefore(p, nowNanos, config.heartbeatMillis() * 1_000_000L / 2);
    }

    /**
     * Whether this node answers the peers that lead its links now, rather than sending to every
     * peer on its own timer as the peers do that lead: always while it holds no lease
     * ({@code heldGen} 0), else only while the online peers whose links it leads, out of their
     * restart wait, make a quorum with its own vote. An owner's renewals riding on answers are confirmed an interval late
     * (by the leader's next heartbeat); when too few of the peers it leads are online (one is
     * down, or an even member count left it leading fewer), it sends to every peer on its timer,
     * each of which confirms with its own next heartbeat, as without answers: the kernel
     * lifetime's margin is not spent on the traffic saved. (With answers only, a node that lost
     * one of the two peers it led let addresses it had held for minutes lapse during the failover
     * of the dead node's 300 VIPs.)
     */
    boolean answering(long heldGen) {
        if (heldGen == 0) {
            return true;
        }
        int led = 0;
        for (Peer p : peers.values()) {
            if (!p.answers && p.online && !p.restarting) { // a restarting acceptor confirms nothing
                led++;
            }
        }
        return led + 1 >= config.quorumSize();
    }

    /** One heartbeat to {@code peer} alone (an answer, see {@link #answerDue}). */
    void sendHeartbeat(String peer, long nowNanos, long storeDigest, long tombstoneDigest, long leaseTable,
                       long heldGen, Leases.RenewalAck ack) {
        Peer p = peers.get(peer);
        p.leaderLate = false;
        send(p, nowNanos, storeDigest, tombstoneDigest, leaseTable, heldGen, ack);
    }

    /** Whether this node answers {@code peer}'s heartbeats rather than sending to it on its own timer. */
    boolean answers(String peer) {
        Peer p = peers.get(peer);
        return p != null && p.answers;
    }

    /**
     * Whether {@code node} leads its link with {@code other} (sends on its timer; {@code other}
     * answers). Over the sorted names of all {@code n} members (the membership hash covers them, so
     * the nodes of one cluster agree), node {@code i} leads node {@code j} when {@code (j - i) mod
     * n} is 1 to {@code (n - 1) / 2}, and of two nodes {@code n / 2} apart (even {@code n}) the
     * first leads: every node leads about half its links, exactly half for an odd {@code n}. An
     * answer's held-set renewal is confirmed only by the leader's next heartbeat, an interval
     * later, a leader's by the answer, at once. With an odd {@code n}, every owner leads enough
     * links for a quorum with its own vote, so its leases are known renewed at once; with an even
     * {@code n}, some owners lead one link fewer and wait for one late confirmation. (The first
     * name leading every link made the last name's leases known renewed a whole interval late,
     * which the margin of the kernel lifetime pays for.)
     */
    static boolean leads(List<String> sortedNames, String node, String other) {
        int n = sortedNames.size();
        int i = sortedNames.indexOf(node);
        int j = sortedNames.indexOf(other);
        int d = Math.floorMod(j - i, n);
        return (d >= 1 && d <= (n - 1) / 2) || (2 * d == n && i < j);
    }

    /** Nothing was sent to {@code p} within {@code nanos} before now (or ever). */
    private static boolean sentBefore(Peer p, long nowNanos, long nanos) {
        return !p.sentAny || nowNanos - p.lastSentNanos >= nanos;
    }

    private void send(Peer p, long nowNanos, long storeDigest, long tombstoneDigest, long leaseTable, long heldGen,
                      Leases.RenewalAck ack) {
        p.sentAny = true;
        p.lastSentNanos = nowNanos;
        // check results travel only until the peer acknowledged their generation: changes only
        List<Message.CheckReport> reports = checkGeneration != 0 && p.checkAck != checkGeneration ? checks : null;
        out.send(p.name, new Message.Heartbeat(config.configHash(), incarnation, storeDigest, tombstoneDigest,
                nowNanos, p.lastTheirSentNanos == 0 ? 0 : p.lastTheirSentNanos + (nowNanos - p.lastHeardNanos),
                restarting(nowNanos), declined, leaseTable, heldGen, ack.gen(), ack.sentNanos(), ack.missing(),
                checkGeneration, p.checkGeneration, reports));
    }

    /** This process's incarnation (random per start), as its heartbeats carry it. */
    long incarnation() {
        return incarnation;
    }

    /**
     * Every tick: peers not heard within the peer timeout go offline, quorum follows; a tick more
     * than a peer timeout after the previous one means this node did not run meanwhile (frozen,
     * starved): what it reads next may have waited that long, so it is not {@link #settled} for a
     * while.
     */
    void tick(long nowNanos) {
        tick(nowNanos, 0);
    }

    /** {@link #tick(long)} after this node's own loop stood still for {@code stalledNanos}. */
    void tick(long nowNanos, long stalledNanos) {
        long timeout = config.peerTimeoutMillis() * 1_000_000L;
        stalledTotalNanos += Math.max(0, Math.min(stalledNanos, nowNanos - lastTickNanos));
        long listening = nowNanos - stalledTotalNanos;
        if (nowNanos - lastTickNanos > timeout) {
            steadySinceNanos = nowNanos;
        }
        lastTickNanos = nowNanos;
        for (Peer p : peers.values()) {
            // heard after the stall began but before this tick reported it: counts from the stall's end
            p.lastHeardListeningNanos = Math.min(p.lastHeardListeningNanos, listening);
            if (p.online && listening - p.lastHeardListeningNanos > timeout) {
                p.online = false;
                out.event(new CoreEvent.PeerDown(p.name, true, "not heard for " + config.peerTimeoutMillis() + " ms"));
            }
        }
        updateQuorum();
    }

    /**
     * A heartbeat from configured peer {@code from}.
     *
     * @return whether the peer's membership hash matches ours (only then does the rest of its
     *     heartbeat, and any other message from it, count)
     */
    boolean onHeartbeat(String from, Message.Heartbeat hb, long nowNanos) {
        Peer p = peers.get(from);
        boolean match = hb.configHash() == config.configHash();
        if (!match && p.theirHash != hb.configHash()) {
            out.event(new CoreEvent.ConfigMismatch(p.name, hb.configHash()));
        }
        p.theirHash = hb.configHash();
        p.configMatch = match;
        p.lastHeardNanos = nowNanos;
        p.lastHeardListeningNanos = nowNanos - stalledTotalNanos;
        // the leader is back: this node waits for its heartbeats again (and answers the next one
        // at least half an interval after its own last), instead of sending on its timer forever
        p.leaderLate = false;
        p.lastTheirSentNanos = hb.sentNanos();
        p.restarting = hb.restarting();
        p.declined = hb.declined() == null ? List.of() : hb.declined();
        if (hb.echoNanos() != 0 && hb.echoNanos() <= nowNanos) {
            p.rttNanos = nowNanos - hb.echoNanos();
        }
        boolean restarted = p.incarnation != 0 && p.incarnation != hb.incarnation();
        p.incarnation = hb.incarnation();
        if (restarted) {
            p.checks = List.of(); // the new process reports afresh; until then its checks are unknown
            p.checkGeneration = 0;
        }
        p.checkAck = hb.checkAck();
        if (hb.checks() != null) {
            p.checks = boundedReports(hb.checks());
            p.checkGeneration = hb.checkGeneration();
        }
        if (!match) {
            if (p.online) {
                p.online = false;
                out.event(new CoreEvent.PeerDown(p.name, false, "membership hash differs"));
            }
        } else if (!p.online || restarted) {
            p.online = true;
            p.onlineSinceNanos = nowNanos;
            out.event(new CoreEvent.PeerUp(p.name, restarted));
        }
        updateQuorum();
        return match;
    }

    /** The VIPs this node will not take for now; carried by the next heartbeats. */
    void setDeclined(Collection<String> vips) {
        declined = List.copyOf(vips);
    }

    /**
     * This node's health-check results; a change gets a new generation and goes out with the next
     * heartbeats (at once) until each peer acknowledged it.
     */
    void setCheckReports(List<Message.CheckReport> reports) {
        if (reports.equals(checks)) {
            return;
        }
        checks = List.copyOf(reports);
        // starts from the incarnation so that a restarted node's generations never equal the old ones
        checkGeneration = checkGeneration == 0 ? Math.max(1, incarnation >>> 1) : checkGeneration + 1;
        heartbeatNow();
    }

    /** {@code node}'s health-check results as its last heartbeat that carried them said (ours for {@code self}). */
    List<Message.CheckReport> checkReports(String node) {
        if (node.equals(self)) {
            return checks;
        }
        Peer p = peers.get(node);
        return p == null ? List.of() : p.checks;
    }

    /**
     * A peer's reports as stored: at most {@link Message.CheckReport#MAX_REPORTS}, entries without a
     * name dropped, summaries cut to {@link Message.CheckReport#MAX_SUMMARY_CHARS} (a peer is
     * authenticated, not trusted).
     */
    private static List<Message.CheckReport> boundedReports(List<Message.CheckReport> reports) {
        List<Message.CheckReport> out = new ArrayList<>(Math.min(reports.size(), Message.CheckReport.MAX_REPORTS));
        for (Message.CheckReport r : reports) {
            if (out.size() == Message.CheckReport.MAX_REPORTS) {
                break;
            }
            if (r == null || r.check() == null || r.check().isEmpty()) {
                continue;
            }
            String summary = Message.CheckReport.cutSummary(r.summary() == null ? "" : r.summary());
            out.add(new Message.CheckReport(r.check(), r.passing(), summary));
        }
        return List.copyOf(out);
    }

    /** Makes the next {@link #heartbeatDue} true at once. */
    void heartbeatNow() {
        lastHeartbeatNanos = Long.MIN_VALUE;
    }

    // ------------------------------------------------------------------ queries

    /** A configured peer (not ourselves). */
    boolean isPeer(String node) {
        return peers.containsKey(node);
    }

    /** The configured peers in configuration order, ourselves excluded. */
    List<String> peerNames() {
        return peerNames;
    }

    /** The peer's last heartbeat carried our membership hash (true if never heard). */
    boolean matches(String peer) {
        Peer p = peers.get(peer);
        return p != null && p.configMatch;
    }

    /** Heard within the peer timeout with our membership hash. */
    boolean isOnline(String peer) {
        Peer p = peers.get(peer);
        return p != null && p.online;
    }

    /** Online and, as its last heartbeat said, out of its restart wait: it answers lease messages. */
    boolean votesOnLeases(String peer) {
        Peer p = peers.get(peer);
        return p != null && p.online && !p.restarting;
    }

    /**
     * The peer has been online (same incarnation, our membership hash) for at least a peer timeout,
     * and this node has run without a pause for as long: whatever either had queued for the other
     * while they were apart (a frozen process's socket backlog) has been read, and the peer's last
     * heartbeat reports its state after that. Tombstone collection waits for this (a copy in such a
     * backlog could bring a collected object back).
     */
    boolean settled(String peer, long nowNanos) {
        Peer p = peers.get(peer);
        long quiet = config.peerTimeoutMillis() * 1_000_000L;
        return p != null && p.online && nowNanos - p.onlineSinceNanos >= quiet && nowNanos - steadySinceNanos >= quiet;
    }

    boolean hasQuorum() {
        return quorum;
    }

    /** Our own vote plus every online peer's. */
    int votesSeen() {
        int votes = 1;
        for (Peer p : peers.values()) {
            if (p.online) {
                votes++;
            }
        }
        return votes;
    }

    /**
     * An acceptor keeps no promises on disk: after a (re)start it may have forgotten a live grant,
     * so it answers no lease message until any grant it could have given has ended everywhere: one
     * lease, lengthened by the drift bound on both clocks.
     */
    static long fullRestartWaitNanos(CoreConfig config) {
        return (long) (config.leaseMillis() * 1_000_000L * (1.0 + 2 * config.driftBound()));
    }

    /** True during the post-restart wait: this node votes on no lease and is no placement candidate. */
    boolean restarting(long nowNanos) {
        return nowNanos < restartUntilNanos;
    }

    /** VIPs {@code node} declines, as its last heartbeat said (ours for {@code self}). */
    List<String> declined(String node) {
        if (node.equals(self)) {
            return declined;
        }
        Peer p = peers.get(node);
        return p == null ? List.of() : p.declined;
    }

    /** The earliest time a tick has membership work: the next heartbeat, a peer timeout, the end of the restart wait. */
    long nextDeadlineNanos(long nowNanos) {
        long next = lastHeartbeatNanos == Long.MIN_VALUE ? nowNanos
                : lastHeartbeatNanos + config.heartbeatMillis() * 1_000_000L;
        long peerTimeout = config.peerTimeoutMillis() * 1_000_000L;
        for (Peer p : peers.values()) {
            if (p.online) {
                next = Math.min(next, p.lastHeardListeningNanos + stalledTotalNanos + peerTimeout + 1);
            }
        }
        if (nowNanos < restartUntilNanos) {
            next = Math.min(next, restartUntilNanos);
        }
        return next;
    }

    MembershipView view(long nowNanos) {
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

    private void updateQuorum() {
        int votes = votesSeen();
        boolean now = votes >= config.quorumSize();
        if (now != quorum) {
            quorum = now;
            out.event(new CoreEvent.QuorumChanged(now, votes, config.quorumSize()));
        }
    }

    private static final class Peer {
        final String name;
        final boolean fullMember;
        boolean online;
        boolean configMatch = true;
        long theirHash;
        long lastHeardNanos;
        /** {@link #lastHeardNanos} on the listening clock (monotonic time less this node's own stalls). */
        long lastHeardListeningNanos;
        /** When it last came online or was seen restarted. */
        long onlineSinceNanos;
        long lastTheirSentNanos;
        long incarnation;
        long rttNanos = -1;
        boolean restarting;
        List<String> declined = List.of();
        /** Its check results and their generation; what it acknowledged of ours. */
        List<Message.CheckReport> checks = List.of();
        long checkGeneration;
        long checkAck;
        /** This node answers its heartbeats: the peer {@link Membership#leads leads} our link. */
        final boolean answers;
        boolean sentAny;
        long lastSentNanos;
        /** It leads our link, and this node sent to it on its own timer since it last answered it. */
        boolean leaderLate;

        Peer(String name, boolean fullMember, boolean answers) {
            this.name = name;
            this.fullMember = fullMember;
            this.answers = answers;
        }
    }
}
