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

    /** Two memberships joined by a loss-free link: every heartbeat is delivered at once, answered as {@link ClusterCore} does. */
    static final class Link {
        final Outbox outA = new Outbox();
        final Outbox outB = new Outbox();
        static final List<CoreConfig.Member> TWO = MEMBERS.subList(0, 2);
        final CoreConfig configA = CoreConfig.defaults("a", TWO, HASH, 2_000, 500);
        final CoreConfig configB = CoreConfig.defaults("b", TWO, HASH, 2_000, 500);
        final Membership a;
        final Membership b;
        boolean aHolds;
        boolean bHolds;
        final List<Message.Heartbeat> aToB = new java.util.ArrayList<>();
        final List<Message.Heartbeat> bToA = new java.util.ArrayList<>();

        Link(long now) {
            a = new Membership(configA, 1, now, outA);
            b = new Membership(configB, 2, now, outB);
        }

        void tick(long now) {
            if (a.heartbeatDue(now)) {
                a.sendHeartbeats(now, 0, 0, 0, aHolds ? 1 : 0, peer -> Leases.RenewalAck.NONE);
            }
            if (b.heartbeatDue(now)) {
                b.sendHeartbeats(now, 0, 0, 0, bHolds ? 1 : 0, peer -> Leases.RenewalAck.NONE);
            }
            deliver(now);
        }

        void deliver(long now) {
            for (int round = 0; round < 4; round++) { // an answer is never answered: two rounds suffice
                deliver(outA, "a", b, "b", bHolds, aToB, now);
                deliver(outB, "b", a, "a", aHolds, bToA, now);
            }
        }

        /** What {@code from} sent, heard by {@code to}, which answers as {@link ClusterCore#receive} does. */
        static void deliver(Outbox out, String from, Membership to, String toName, boolean toHolds,
                            List<Message.Heartbeat> log, long now) {
            for (Ready.Outbound o : out.drain().messages()) {
                if (o.to().equals(toName) && o.message() instanceof Message.Heartbeat hb) {
                    log.add(hb);
                    to.onHeartbeat(from, hb, now);
                    if (to.replyWanted(from, hb, toHolds, now)) {
                        to.sendReply(from, now, 0, 0, 0, Leases.RenewalAck.NONE);
                    }
                }
            }
        }

        /** Runs {@code ms} in 10 ms ticks. */
        long run(long now, long ms) {
            for (long t = 0; t < ms; t += 10) {
                now += 10 * MS;
                tick(now);
            }
            return now;
        }
    }

    @Test
    void eachLinkSettlesOnOneLeaderWhoseHeartbeatsAreAnsweredAtOnce() {
        Link link = new Link(now);
        long t = link.run(now, 1_000); // both start at once: their first heartbeats cross
        link.aToB.clear();
        link.bToA.clear();
        link.run(t, 2_500);
        // 250 ms interval: ten heartbeats each way, every one from a (the lower name, after the crossing) on
        // its own timer and every one from b an answer sent in the same tick
        assertEquals(10, link.aToB.size(), "a's heartbeats");
        assertEquals(10, link.bToA.size(), "b's heartbeats");
        assertTrue(link.aToB.stream().noneMatch(Message.Heartbeat::reply), "a leads");
        assertTrue(link.bToA.stream().allMatch(Message.Heartbeat::reply), "b answers");
        for (int i = 0; i < 10; i++) {
            assertEquals(link.aToB.get(i).sentNanos(), link.bToA.get(i).sentNanos(), "answered at once");
        }
    }

    @Test
    void aNodeHoldingLeasesLeadsItsLinksSoItsRenewalsAreConfirmedAtOnce() {
        Link link = new Link(now);
        link.bHolds = true;
        long t = link.run(now, 1_000);
        link.aToB.clear();
        link.bToA.clear();
        link.run(t, 2_500);
        assertTrue(link.bToA.stream().noneMatch(Message.Heartbeat::reply), "b holds leases: it leads");
        assertTrue(link.aToB.stream().allMatch(Message.Heartbeat::reply), "a answers each");
        assertEquals(10, link.aToB.size());
    }

    /** An answer would confirm the follower's renewals an interval late every time: with both holding, a timer each. */
    @Test
    void twoNodesHoldingLeasesDoNotAnswerEachOther() {
        Link link = new Link(now);
        long t = link.run(now, 1_000); // a leads, b answers
        link.aHolds = true;
        link.bHolds = true;
        t = link.run(t, 1_000); // b's answers stop: it heartbeats on its own after an interval and a half
        link.aToB.clear();
        link.bToA.clear();
        link.run(t, 2_500);
        assertEquals(10, link.aToB.size());
        assertEquals(10, link.bToA.size());
        assertTrue(link.aToB.stream().noneMatch(Message.Heartbeat::reply), "a on its timer");
        assertTrue(link.bToA.stream().noneMatch(Message.Heartbeat::reply), "b on its timer");
    }

    @Test
    void aFollowerThatHearsNothingToAnswerHeartbeatsOnItsOwnAfterAnIntervalAndAHalf() {
        Link link = new Link(now);
        long t = link.run(now, 1_000); // a leads, b answers
        long interval = link.configB.heartbeatMillis() * MS;
        long lastAnswer = link.bToA.get(link.bToA.size() - 1).sentNanos();
        assertTrue(lastAnswer <= t && t - lastAnswer < interval, "b answered within the last interval");
        assertTrue(link.bToA.get(link.bToA.size() - 1).reply(), "b's last was an answer");
        assertFalse(link.b.heartbeatDue(lastAnswer + interval), "a's next lead is due first");
        assertTrue(link.b.heartbeatDue(lastAnswer + interval + interval / 2), "a fell silent: b heartbeats itself");
        assertTrue(link.a.heartbeatDue(lastAnswer + interval), "the leader's own interval");
    }

    @Test
    void aReplyIsNeverAnswered() {
        Message.Heartbeat reply = new Message.Heartbeat(HASH, 1, 0, 0, 5, 0, false, List.of(), 0, 0, 0, 0, "", 0, 0,
                null, true);
        m.onHeartbeat("b", reply, now);
        assertFalse(m.replyWanted("b", reply, false, now));
        Message.Heartbeat lead = heartbeat(HASH, 1, 6);
        m.onHeartbeat("b", lead, now);
        assertTrue(m.replyWanted("b", lead, false, now), "its own heartbeat is answered");
    }

    /** Nothing to answer and no one to lead: a node alone still runs its own timer, which renews its held set. */
    @Test
    void aClusterOfOneKeepsItsOwnHeartbeatTimer() {
        CoreConfig alone = CoreConfig.defaults("a", MEMBERS.subList(0, 1), HASH, 2_000, 500);
        Membership one = new Membership(alone, 1, now, out);
        long interval = alone.heartbeatMillis() * MS;
        assertTrue(one.heartbeatDue(now));
        one.sendHeartbeats(now, 0, 0, 0);
        for (int i = 1; i <= 5; i++) {
            assertFalse(one.heartbeatDue(now + i * interval - 1), "interval " + i);
            assertEquals(now + i * interval, one.nextDeadlineNanos(now + (i - 1) * interval + 1), "interval " + i);
            assertTrue(one.heartbeatDue(now + i * interval), "interval " + i);
            one.sendHeartbeats(now + i * interval, 0, 0, 0);
        }
    }

    /** Heartbeats read all at once after our own stall are answered once, not each. */
    @Test
    void aBacklogOfLeadHeartbeatsIsAnsweredOnce() {
        m.onHeartbeat("b", heartbeat(HASH, 1, 5), now);
        assertTrue(m.replyWanted("b", heartbeat(HASH, 1, 5), false, now));
        m.sendReply("b", now, 0, 0, 0, Leases.RenewalAck.NONE);
        Message.Heartbeat next = heartbeat(HASH, 1, 6);
        m.onHeartbeat("b", next, now + MS);
        assertFalse(m.replyWanted("b", next, false, now + MS), "read in the same wake-up as the one answered");
        long later = now + config.heartbeatMillis() * MS;
        assertTrue(m.replyWanted("b", heartbeat(HASH, 1, 7), false, later), "the next interval's");
    }

    /** A lead that falls out of step (here b's, after a's answers to b stopped) joins the others' tick. */
    @Test
    void leadsSettleOnOneTick() {
        long interval = config.heartbeatMillis() * MS; // 250 ms
        m.sendHeartbeats(now, 0, 0, 0); // to b and c
        Message.Heartbeat lead = heartbeat(HASH, 1, 5);
        m.onHeartbeat("b", lead, now + 150 * MS);
        assertTrue(m.replyWanted("b", lead, false, now + 150 * MS));
        m.sendReply("b", now + 150 * MS, 0, 0, 0, Leases.RenewalAck.NONE);
        out.drain();
        assertEquals(List.of("c"), tickSends(now + interval), "b's lead waits: a answered b");
        assertEquals(List.of("c"), tickSends(now + 2 * interval), "b's due 25 ms later, and a answered it last");
        assertEquals(List.of("b"), tickSends(now + 150 * MS + interval + interval / 2), "b silent: a leads it again");
        assertEquals(List.of("b", "c"), tickSends(now + 3 * interval), "b's lead, due 25 ms after c's, goes with it");
        assertFalse(m.heartbeatDue(now + 4 * interval - 1));
        assertEquals(List.of("b", "c"), tickSends(now + 4 * interval), "in step");
    }

    private List<String> tickSends(long at) {
        assertTrue(m.heartbeatDue(at), "due at +" + (at - now) / MS + " ms");
        m.sendHeartbeats(at, 0, 0, 0);
        return out.drain().messages().stream().map(Ready.Outbound::to).toList();
    }
}
