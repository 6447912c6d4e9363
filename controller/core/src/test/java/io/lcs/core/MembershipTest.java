package io.lcs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.wire.Message;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Membership} alone: fed heartbeats and ticks by hand, its outbox read back. */
class MembershipTest {
    static final long HASH = 42;
    static final long MS = 1_000_000L;
    static final List<CoreConfig.Member> MEMBERS = List.of(new CoreConfig.Member("a", true),
            new CoreConfig.Member("b", true), new CoreConfig.Member("c", false));

    final Outbox out = new Outbox();
    long now = 1_000 * MS;
    final CoreConfig config = CoreConfig.defaults("a", MEMBERS, HASH, 2_000, 500);
    final Membership m = new Membership(config, 7, now, out);

    static Message.Heartbeat heartbeat(long hash, long incarnation, long sentNanos) {
        return new Message.Heartbeat(hash, incarnation, 0, 0, sentNanos, 0, false, List.of(), 0);
    }

    <T extends CoreEvent> List<T> events(Ready r, Class<T> type) {
        return r.events().stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void quorumNeedsMoreThanHalfOfAllConfiguredVotesAndFollowsPeerTimeouts() {
        assertFalse(m.hasQuorum(), "one vote of three");
        m.onHeartbeat("c", heartbeat(HASH, 1, 1), now);
        assertTrue(m.hasQuorum(), "a + the witness c are two of three votes");
        assertEquals(2, m.votesSeen());
        Ready r = out.drain();
        assertEquals(List.of(new CoreEvent.PeerUp("c", false)), events(r, CoreEvent.PeerUp.class));
        assertEquals(List.of(new CoreEvent.QuorumChanged(true, 2, 2)), events(r, CoreEvent.QuorumChanged.class));

        now += config.peerTimeoutMillis() * MS; // exactly the timeout: still online
        m.tick(now);
        assertTrue(m.hasQuorum());
        now += MS;
        m.tick(now);
        assertFalse(m.hasQuorum(), "c not heard for longer than the peer timeout");
        assertFalse(m.isOnline("c"));
        r = out.drain();
        assertEquals(1, events(r, CoreEvent.PeerDown.class).size());
        assertTrue(events(r, CoreEvent.PeerDown.class).get(0).silent());
    }

    @Test
    void peerWithAnotherMembershipHashIsNeitherOnlineNorCounted() {
        assertTrue(m.onHeartbeat("b", heartbeat(HASH, 1, 1), now));
        assertTrue(m.hasQuorum());
        out.drain();
        assertFalse(m.onHeartbeat("b", heartbeat(HASH + 1, 1, 2), now), "the hash differs");
        assertFalse(m.isOnline("b"));
        assertFalse(m.matches("b"));
        assertFalse(m.hasQuorum(), "b's vote no longer counts");
        Ready r = out.drain();
        assertEquals(List.of(new CoreEvent.ConfigMismatch("b", HASH + 1)), events(r, CoreEvent.ConfigMismatch.class));
        assertEquals("membership hash differs", events(r, CoreEvent.PeerDown.class).get(0).reason());
        // reported once per hash, not on every heartbeat
        m.onHeartbeat("b", heartbeat(HASH + 1, 1, 3), now);
        assertEquals(List.of(), events(out.drain(), CoreEvent.ConfigMismatch.class));
        assertEquals(1, m.view(now).votesSeen());
        assertFalse(m.view(now).nodes().get(1).configMatch());
    }

    @Test
    void restartWaitLastsOneLeasePlusTwiceTheDriftBound() {
        long wait = (long) (2_000 * MS * 1.02);
        assertTrue(m.restarting(now));
        assertTrue(m.restarting(now + wait - 1));
        assertFalse(m.restarting(now + wait));
        assertTrue(m.view(now).nodes().get(0).restarting(), "shown in our own view");
    }

    @Test
    void aNewIncarnationIsReportedAsARestartedPeer() {
        m.onHeartbeat("b", heartbeat(HASH, 1, 1), now);
        out.drain();
        m.onHeartbeat("b", heartbeat(HASH, 1, 2), now);
        assertEquals(List.of(), events(out.drain(), CoreEvent.PeerUp.class), "same incarnation: nothing new");
        m.onHeartbeat("b", heartbeat(HASH, 2, 3), now);
        assertEquals(List.of(new CoreEvent.PeerUp("b", true)), events(out.drain(), CoreEvent.PeerUp.class));
    }

    @Test
    void heartbeatsGoToEveryPeerWithWhatTheOtherPartsReportAndEchoTheLastOneHeard() {
        assertTrue(m.heartbeatDue(now));
        m.onHeartbeat("b", heartbeat(HASH, 1, 5_000), now);
        out.drain();
        m.setDeclined(List.of("web"));
        m.sendHeartbeats(now + 10 * MS, 11, 12, 13);
        assertFalse(m.heartbeatDue(now + 10 * MS + config.heartbeatMillis() * MS - 1));
        assertTrue(m.heartbeatDue(now + 10 * MS + config.heartbeatMillis() * MS));
        Ready r = out.drain();
        assertEquals(List.of("b", "c"), r.messages().stream().map(Ready.Outbound::to).toList());
        Message.Heartbeat toB = (Message.Heartbeat) r.messages().get(0).message();
        assertEquals(HASH, toB.configHash());
        assertEquals(7, toB.incarnation());
        assertEquals(11, toB.storeDigest());
        assertEquals(12, toB.tombstoneDigest());
        assertEquals(13, toB.leaseTable());
        assertTrue(toB.restarting());
        assertEquals(List.of("web"), toB.declined());
        assertEquals(5_000 + 10 * MS, toB.echoNanos(), "b's send time plus the time it waited here");
        assertEquals(0, ((Message.Heartbeat) r.messages().get(1).message()).echoNanos(), "c was never heard");
    }

    static List<String> recipients(Ready r) {
        return r.messages().stream().map(Ready.Outbound::to).toList();
    }

    @Test
    void everyNodeLeadsAboutHalfItsLinksAndEachLinkHasOneLeader() {
        for (int n = 2; n <= 9; n++) {
            List<String> names = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                names.add("n" + i);
            }
            for (String x : names) {
                int led = 0;
                for (String y : names) {
                    if (!x.equals(y)) {
                        assertTrue(Membership.leads(names, x, y) != Membership.leads(names, y, x),
                                "one leader of " + x + "-" + y + " of " + n);
                        led += Membership.leads(names, x, y) ? 1 : 0;
                    }
                }
                // with its own vote, the links it leads confirm a quorum's renewals at once
                assertTrue(led == n / 2 || led == (n - 1) / 2, x + " leads " + led + " of " + (n - 1));
                if (n % 2 == 1) {
                    assertEquals(n / 2 + 1, led + 1, "odd: a quorum exactly");
                }
            }
        }
    }

    @Test
    void aNodeAnswersTheHeartbeatsOfALinkItDoesNotLeadAndUsesItsOwnTimerOnlyWhenTheyStop() {
        Outbox outB = new Outbox();
        CoreConfig bConfig = CoreConfig.defaults("b", MEMBERS, HASH, 2_000, 500);
        Membership b = new Membership(bConfig, 9, now, outB);
        long interval = bConfig.heartbeatMillis() * MS;
        // a, b, c: a leads b, b leads c, c leads a
        assertTrue(b.answers("a"));
        assertFalse(b.answers("c"), "b keeps the rhythm of its link with c");
        assertFalse(m.answers("b"));
        assertTrue(m.answers("c"));

        b.sendHeartbeats(now, 0, 0, 0);
        assertEquals(List.of("a", "c"), recipients(outB.drain()), "the first heartbeats go to every peer");
        now += interval;
        b.sendHeartbeats(now, 0, 0, 0);
        assertEquals(List.of("c"), recipients(outB.drain()), "a's heartbeats are answered, not sent on b's timer");

        m.sendHeartbeats(now, 0, 0, 0);
        Message.Heartbeat fromA = (Message.Heartbeat) out.drain().messages().get(0).message();
        now += 3 * MS;
        b.onHeartbeat("a", fromA, now);
        assertTrue(b.answerDue("a", now, 0), "a heartbeat of a's, half an interval after b last sent it one");
        b.sendHeartbeat("a", now, 11, 12, 13, 0, Leases.RenewalAck.NONE);
        Message.Heartbeat answer = (Message.Heartbeat) outB.drain().messages().get(0).message();
        assertEquals(fromA.sentNanos(), answer.echoNanos(), "it echoes the heartbeat it answers, heard just now");
        assertEquals(11, answer.storeDigest());
        now += 20 * MS;
        b.onHeartbeat("a", fromA, now);
        assertFalse(b.answerDue("a", now, 0), "a's extra heartbeat 20 ms later (a change of its own) gets no second answer");
        assertFalse(b.answerDue("c", now, 0), "c's heartbeats are never answered: b sends to c on its timer");

        // b's timer ticks an interval after its answer, before a's next heartbeat: nothing for a yet
        long answeredAt = now - 20 * MS;
        now = answeredAt + interval;
        b.sendHeartbeats(now, 0, 0, 0);
        assertEquals(List.of("c"), recipients(outB.drain()), "a may be a little late, or tick in b's phase");
        // a falls silent: b's timer takes over once b has sent a nothing for 1.25 intervals
        now = answeredAt + interval * 5 / 4;
        b.sendHeartbeats(now, 0, 0, 0);
        assertEquals(List.of("a", "c"), recipients(outB.drain()), "a overdue: sent on b's timer");
        now += interval;
        b.sendHeartbeats(now, 0, 0, 0);
        assertEquals(List.of("a", "c"), recipients(outB.drain()), "then every interval while a is silent");
        long timerSend = now;
        now += 50 * MS; // a is back, 50 ms after b's timer sent it one
        b.onHeartbeat("a", fromA, now);
        assertFalse(b.answerDue("a", now, 0), "b sent a heartbeat 50 ms ago");
        now = timerSend + interval;
        b.sendHeartbeats(now, 0, 0, 0);
        assertEquals(List.of("c"), recipients(outB.drain()), "but b waits for a's heartbeats again, not its timer");
        now = timerSend + 50 * MS + interval; // a's next heartbeat
        b.onHeartbeat("a", fromA, now);
        assertTrue(b.answerDue("a", now, 0), "answered: the link has one rhythm again");
        b.sendHeartbeat("a", now, 0, 0, 0, 0, Leases.RenewalAck.NONE);
        outB.drain();
        now += interval;
        b.sendHeartbeats(now, 0, 0, 0);
        assertEquals(List.of("c"), recipients(outB.drain()), "answering again: 1.25 intervals before b's timer sends");

        b.heartbeatNow();
        now += MS;
        b.sendHeartbeats(now, 0, 0, 0);
        assertEquals(List.of("a", "c"), recipients(outB.drain()), "a change goes to every peer at once");
    }

    @Test
    void anOwnerThatLeadsTooFewOnlinePeersForAQuorumSendsToEveryPeerOnItsTimerAndAnswersNone() {
        Outbox outB = new Outbox();
        CoreConfig bConfig = CoreConfig.defaults("b", MEMBERS, HASH, 2_000, 500);
        Membership b = new Membership(bConfig, 9, now, outB);
        long interval = bConfig.heartbeatMillis() * MS;
        b.sendHeartbeats(now, 0, 0, 0);
        outB.drain();
        b.onHeartbeat("a", heartbeat(HASH, 1, now), now); // a leads b; b leads c, not heard yet
        assertTrue(b.answering(0), "holding nothing: answers");
        assertFalse(b.answering(5), "holding leases, and c (the one peer b leads) is offline: b + nobody is no quorum");
        assertFalse(b.answerDue("a", now + interval, 5));
        now += interval;
        b.sendHeartbeats(now, 0, 0, 0, 5, peer -> Leases.RenewalAck.NONE, false);
        assertEquals(List.of("a", "c"), recipients(outB.drain()), "every peer on b's timer, a included");

        b.onHeartbeat("c", heartbeat(HASH, 2, now), now);
        assertTrue(b.isOnline("c"));
        assertTrue(b.answering(5), "c online: b + c are a quorum, confirmed at once");
        now += interval;
        b.sendHeartbeats(now, 0, 0, 0, 5, peer -> Leases.RenewalAck.NONE, false);
        assertEquals(List.of("c"), recipients(outB.drain()), "a's heartbeats are answered again");
        b.onHeartbeat("a", heartbeat(HASH, 1, now), now + MS);
        assertTrue(b.answerDue("a", now + interval / 2, 5));
    }

    /** For {@code nanos}, {@code peer}'s heartbeat arrives and this node ticks every 100 ms. */
    void hearEvery100Ms(String peer, long incarnation, long nanos) {
        for (long t = 0; t < nanos; t += 100 * MS) {
            now += 100 * MS;
            m.onHeartbeat(peer, heartbeat(HASH, incarnation, now), now);
            m.tick(now);
        }
    }

    @Test
    void peerIsSettledAfterAPeerTimeoutOnlineAndThisNodeRunningThroughout() {
        long quiet = config.peerTimeoutMillis() * MS;
        m.onHeartbeat("b", heartbeat(HASH, 1, 1), now);
        assertFalse(m.settled("b", now), "just came online");
        hearEvery100Ms("b", 1, quiet);
        assertTrue(m.settled("b", now));
        assertFalse(m.settled("c", now), "never heard");
        m.onHeartbeat("b", heartbeat(HASH, 2, now), now);
        assertFalse(m.settled("b", now), "b restarted: it starts over");
        hearEvery100Ms("b", 2, quiet);
        assertTrue(m.settled("b", now));
        now += quiet + MS; // this node did not run for longer than a peer timeout
        m.onHeartbeat("b", heartbeat(HASH, 2, now), now);
        m.tick(now);
        assertTrue(m.isOnline("b"));
        assertFalse(m.settled("b", now), "after its own pause this node may not have read its backlog");
        now += quiet;
        m.onHeartbeat("b", heartbeat(HASH, 2, now), now);
        m.tick(now);
        assertTrue(m.settled("b", now));
    }
}
