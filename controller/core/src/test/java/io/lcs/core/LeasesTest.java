package io.lcs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.core.CoreEvent.LeaseLost;
import io.lcs.core.Views.LeaseView;
import io.lcs.model.wire.Ballot;
import io.lcs.model.wire.LeaseMessage;
import io.lcs.model.wire.LeaseSetCodec;
import io.lcs.model.wire.Message;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link Leases} alone: nodes made of a real {@link Membership} (fed heartbeats by hand) and their
 * {@link Leases}, lease messages routed by the test, epochs "persisted" from each outbox before its
 * messages leave. Lease 2,000 ms, renew 500 ms: the restart wait is 2,040 ms.
 */
class LeasesTest {
    static final long MS = 1_000_000L;

    final class Node {
        final String name;
        final CoreConfig config;
        final Outbox out = new Outbox();
        final Membership membership;
        final Leases leases;
        final Map<String, Long> epochDisk = new TreeMap<>();
        final List<Ready> readies = new ArrayList<>();
        final List<CoreEvent> events = new ArrayList<>();

        Node(CoreConfig config) {
            this.name = config.self();
            this.config = config;
            this.membership = new Membership(config, 1, now, out);
            this.leases = new Leases(config, membership, out, new SplittableRandom(name.hashCode()), now);
        }

        LeaseView view(String vip) {
            return leases.view(vip, now);
        }

        <T extends CoreEvent> List<T> events(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    final Map<String, Node> nodes = new LinkedHashMap<>();
    final Set<String> cut = new HashSet<>();
    long now = 1_000 * MS;
    int maxEntries = CoreConfig.DEFAULT_MAX_LEASE_ENTRIES;
    long stopGraceMillis;

    /** Names ending in {@code *} are quorum-only. */
    LeasesTest start(String... names) {
        List<CoreConfig.Member> members = new ArrayList<>();
        for (String n : names) {
            members.add(new CoreConfig.Member(n.replace("*", ""), !n.endsWith("*")));
        }
        for (CoreConfig.Member m : members) {
            CoreConfig d = CoreConfig.defaults(m.name(), members, 42, 2_000, 500);
            nodes.put(m.name(), new Node(new CoreConfig(d.self(), d.members(), d.configHash(), d.leaseMillis(),
                    d.renewMillis(), d.heartbeatMillis(), d.peerTimeoutMillis(), d.driftBound(),
                    d.writeTimeoutMillis(), d.syncIntervalMillis(), d.tombstoneGcMillis(), d.suspendJumpMillis(),
                    maxEntries, stopGraceMillis)));
        }
        now += 2_100 * MS; // past every restart wait
        hearEveryone();
        return this;
    }

    void hearEveryone() {
        for (Node n : nodes.values()) {
            for (String peer : n.membership.peerNames()) {
                if (!cut.contains(peer + ">" + n.name)) {
                    n.membership.onHeartbeat(peer, MembershipTest.heartbeat(42, 1, now),
                            now);
                }
            }
        }
    }

    Node node(String name) {
        return nodes.get(name);
    }

    /** Drains every node (epochs persisted first), delivers, until nothing moves (bounded). */
    void route() {
        for (int round = 0; round < 100; round++) {
            boolean any = false;
            for (Node n : nodes.values()) {
                n.leases.drainInto(n.out);
                Ready r = n.out.drain();
                if (r.isEmpty()) {
                    continue;
                }
                any = true;
                n.readies.add(r);
                n.epochDisk.putAll(r.persistEpochs());
                n.events.addAll(r.events());
                for (Ready.Outbound o : r.messages()) {
                    if (cut.contains(n.name + ">" + o.to())) {
                        continue;
                    }
                    Node to = node(o.to());
                    if (o.message() instanceof Message.HeldSet hs) {
                        to.leases.onHeldSet(n.name, hs, now);
                    } else if (o.message() instanceof Message.LeaseBatch lb) {
                        to.leases.onLeaseBatch(n.name, lb, now);
                    } else if (o.message() instanceof Message.LeaseSets ls) {
                        to.leases.onLeaseSets(n.name, ls, now);
                    }
                }
            }
            if (!any) {
                return;
            }
        }
        throw new AssertionError("lease messages did not settle");
    }

    /**
     * Ticks every node every 10 ms for {@code millis}, hearing everyone's heartbeats (cut links
     * excepted); every heartbeat interval the heartbeats carry the held sets' renewals.
     */
    void advance(long millis) {
        for (long t = 0; t < millis; t += 10) {
            now += 10 * MS;
            hearEveryone();
            for (Node n : nodes.values()) {
                n.membership.tick(now);
                n.leases.detectSuspend(now, now / MS);
                n.leases.tick(now);
            }
            route();
            if ((now / MS) % nodes.values().iterator().next().config.heartbeatMillis() == 0) {
                renewalHeartbeats();
            }
        }
    }

    /** Every node renews its held set: held sets first (routed), then one heartbeat per link. */
    void renewalHeartbeats() {
        Map<String, Long> gens = new HashMap<>();
        for (Node n : nodes.values()) {
            gens.put(n.name, n.leases.renewHeldSet(now));
        }
        route();
        List<Runnable> deliveries = new ArrayList<>();
        for (Node n : nodes.values()) {
            for (String peer : n.membership.peerNames()) {
                Leases.RenewalAck ack = n.leases.ackFor(peer);
                Message.Heartbeat hb = new Message.Heartbeat(42, 1, 0, 0, now, 0, false, List.of(), 0,
                        gens.get(n.name), ack.gen(), ack.sentNanos(), ack.missing());
                if (!cut.contains(n.name + ">" + peer)) {
                    deliveries.add(() -> node(peer).leases.onPeerHeartbeat(n.name, hb, now));
                }
            }
        }
        deliveries.forEach(Runnable::run);
        route();
    }

    String holder(String vip) {
        String h = null;
        for (Node n : nodes.values()) {
            if (n.view(vip).held()) {
                assertNull(h, "two holders of " + vip);
                h = n.name;
            }
        }
        return h;
    }

    @Test
    void aHeldLeaseNoLongerWantedIsRenewedDuringTheStopGraceUntilReleasedAndNobodyElseGetsIt() {
        stopGraceMillis = 7_000;
        start("a", "b", "c");
        node("a").leases.setWanted("web", true, now);
        route();
        long epoch = node("a").view("web").heldEpoch();
        node("a").leases.setWanted("web", false, now); // a move: placement picks b now
        node("b").leases.setWanted("web", true, now);
        advance(5_000); // a pre_stop hanging for 5 s: more than two leases
        assertEquals("a", holder("web"), "the old owner still holds the lease while it stops");
        assertEquals(epoch, node("a").view("web").heldEpoch());
        assertFalse(node("a").view("web").wanted());
        node("a").leases.release("web", now);
        advance(200); // b's back-off ends with the release
        assertEquals("b", holder("web"), "the target takes it the moment the release arrives");
        assertEquals(epoch + 1, node("b").view("web").heldEpoch());
    }

    @Test
    void theStopGraceEndsTheRenewalsOfALeaseNeverReleased() {
        stopGraceMillis = 1_000;
        start("a", "b", "c");
        node("a").leases.setWanted("web", true, now);
        route();
        node("a").leases.setWanted("web", false, now);
        advance(1_000 + 2_000 + 100); // the grace, then at most one lease
        assertFalse(node("a").view("web").held(), "a stuck stop cannot keep the VIP forever");
        assertTrue(node("a").events(CoreEvent.LeaseLost.class).stream()
                .anyMatch(l -> l.reason().contains("stop grace")), "the reason names the stop grace");
    }

    @Test
    void withoutAStopGraceALeaseNoLongerWantedIsNotRenewed() {
        start("a", "b", "c");
        node("a").leases.setWanted("web", true, now);
        route();
        node("a").leases.setWanted("web", false, now);
        advance(2_100);
        assertFalse(node("a").view("web").held());
    }

    @Test
    void aLeaseLostDuringItsStopGraceIsNotTakenAgain() {
        stopGraceMillis = 10_000;
        start("a", "b", "c");
        node("a").leases.setWanted("web", true, now);
        route();
        node("a").leases.setWanted("web", false, now);
        cut.addAll(List.of("b>a", "c>a")); // a hears no acceptor: its renewals fail
        advance(2_100);
        assertFalse(node("a").view("web").held());
        cut.clear();
        advance(3_000);
        assertNull(holder("web"), "a stop-grace renewal never acquires a lease that ended");
    }

    @Test
    void leaseNeedsAMajorityOfAcceptsAndEveryAcceptorPersistsTheEpochBeforeItsAccept() {
        start("a", "b", "c");
        node("a").leases.setWanted("web", true, now);
        route();
        assertEquals("a", holder("web"));
        assertEquals(1, node("a").view("web").heldEpoch());
        for (String acceptor : List.of("b", "c")) {
            Ready withAccept = node(acceptor).readies.stream().filter(r -> r.messages().stream()
                    .anyMatch(o -> o.message().toString().contains("Accepted"))).findFirst().orElseThrow();
            assertEquals(Map.of("web", 1L), withAccept.persistEpochs(), acceptor);
            assertEquals("a", node(acceptor).view("web").grantOwner());
        }
        assertTrue(node("a").view("web").heldRemainingNanos() < node("b").view("web").grantRemainingNanos(),
                "the owner's own view of its lease ends before any acceptor's grant");
    }

    @Test
    void votesAreCountedPerDistinctAcceptorNeverPerMessage() {
        start("a", "b", "c", "d", "e");
        for (String n : List.of("c", "d", "e")) {
            cut.add(n + ">a");
        }
        node("a").leases.setWanted("web", true, now);
        route();
        Ready prepare = node("a").readies.get(0);
        Message.LeaseBatch toB = (Message.LeaseBatch) prepare.messages().get(0).message();
        Ballot ballot = toB.items().get(0).ballot();
        LeaseMessage promise = new LeaseMessage.Promise("web", ballot, 0, 0);
        for (int i = 0; i < 3; i++) { // b's promise again and again: still two votes of the three needed
            node("a").leases.onLeaseBatch("b", new Message.LeaseBatch(List.of(promise)), now);
        }
        route();
        assertFalse(node("a").readies.stream().anyMatch(r -> r.messages().stream()
                .anyMatch(o -> o.message().toString().contains("Propose"))), "no proposal on two votes");
        assertNull(holder("web"));
    }

    @Test
    void acceptorNeverReplacesAnotherOwnersLiveGrantRenewalsIncluded() {
        start("a", "b", "c");
        node("a").leases.setWanted("web", true, now);
        route();
        long epoch = node("a").view("web").heldEpoch();
        node("b").leases.setWanted("web", true, now);
        advance(3_000); // a renews all along; b's rounds are refused
        assertEquals("a", holder("web"));
        assertEquals(epoch, node("a").view("web").heldEpoch());
        assertTrue(node("a").events(CoreEvent.LeaseRenewed.class).size() >= 4, "renewed every 500 ms");
        assertEquals(List.of(), node("b").events(CoreEvent.LeaseAcquired.class));
    }

    @Test
    void aRoundThatLiveGrantsOnSomeAcceptorsAndSilentOnesLeaveShortOfAMajorityComesBackWhenTheyEnd() {
        start("a", "b", "c", "d", "e");
        node("a").leases.setWanted("web", true, now);
        route();
        assertEquals("a", holder("web"));
        long gen = node("a").leases.renewHeldSet(now);
        route();
        // a's last renewal reaches b and c now, d and e 200 ms later; then a dies
        long t1 = now;
        for (String x : List.of("b", "c")) {
            node(x).leases.onPeerHeartbeat("a", renewal(1, gen, t1), now);
        }
        now += 200 * MS;
        for (String x : List.of("d", "e")) {
            node(x).leases.onPeerHeartbeat("a", renewal(1, gen, t1 + 200 * MS), now);
        }
        for (String x : List.of("b", "c", "d", "e")) {
            cut.add("a>" + x);
            cut.add(x + ">a");
        }
        node("a").leases.setWanted("web", false, now);
        node("b").leases.setWanted("web", true, now);
        long acquiredAt = 0;
        for (int i = 0; i < 300 && acquiredAt == 0; i++) {
            advance(10);
            if (!node("b").events(CoreEvent.LeaseAcquired.class).isEmpty()) {
                acquiredAt = now;
            }
        }
        assertTrue(acquiredAt > 0, "b never acquired web");
        long dEnds = t1 + 2_200 * MS; // d's and e's grants end a lease after a's renewal reached them
        assertTrue(acquiredAt >= dEnds, "no majority before d's and e's grants end");
        // b and c promise, d and e reject with 200 ms of grant left, a is silent: the round cannot
        // win, and without coming back when those grants end it waited for its timeout (250 ms)
        // and a back-off (125-250 ms)
        assertTrue(acquiredAt - dEnds <= 130 * MS, "acquired " + (acquiredAt - dEnds) / MS
                + " ms after the last grant to a ended");
    }

    static Message.Heartbeat renewal(long incarnation, long heldGen, long sentNanos) {
        return new Message.Heartbeat(42, incarnation, 0, 0, sentNanos, 0, false, List.of(), 0, heldGen, 0, 0, "");
    }

    static Message.Heartbeat ack(long gen, long ackSentNanos, String missing, long sentNanos) {
        return new Message.Heartbeat(42, 1, 0, 0, sentNanos, 0, false, List.of(), 0, 0, gen, ackSentNanos, missing);
    }

    @Test
    void heldSetRenewalKeepsALeaseWithoutAnyRound() {
        start("a", "b", "c");
        node("a").leases.setWanted("web", true, now);
        advance(100);
        assertEquals("a", holder("web"));
        int readiesAfterAcquire = node("a").readies.size();
        advance(5_000); // 2.5 leases
        assertEquals("a", holder("web"));
        assertTrue(node("a").events(CoreEvent.LeaseRenewed.class).size() >= 8, "renewed about every 500 ms");
        assertTrue(node("a").readies.subList(readiesAfterAcquire, node("a").readies.size()).stream()
                .flatMap(r -> r.messages().stream())
                .noneMatch(o -> o.message() instanceof Message.LeaseBatch || o.message() instanceof Message.LeaseSets),
                "no round once held: the heartbeats renew it");
        assertEquals(List.of(), node("a").events(CoreEvent.LeaseLost.class));
    }

    @Test
    void acceptorExtendsExactlyTheLiveGrantsItGaveTheOwnerUnderTheNamedGeneration() {
        start("a", "b", "c");
        node("a").leases.setWanted("web", true, now);
        route();
        node("c").leases.setWanted("db", true, now);
        route();
        Node b = node("b");
        assertEquals("a", b.leases.grant("web", now).owner());
        assertEquals("c", b.leases.grant("db", now).owner());
        // a claims db too (a bug or a lie): b records the set, but extends only what it granted a
        b.leases.onHeldSet("a", new Message.HeldSet(1, 1, 0, "", List.of("db", "web"), List.of(1L, 1L)), now);
        now += 300 * MS;
        long web = b.leases.grant("web", now).expiresNanos();
        long db = b.leases.grant("db", now).expiresNanos();

        b.leases.onPeerHeartbeat("a", renewal(1, 2, now), now); // a generation b has not recorded
        b.leases.onPeerHeartbeat("a", renewal(99, 1, now), now); // another incarnation of a
        assertEquals(web, b.leases.grant("web", now).expiresNanos(), "an unknown generation extends nothing");
        assertEquals(Leases.RenewalAck.NONE, b.leases.ackFor("a"));

        b.leases.onPeerHeartbeat("a", renewal(1, 1, now - 5 * MS), now);
        assertEquals(now + 2_000 * MS, b.leases.grant("web", now).expiresNanos(), "a lease from receipt");
        assertEquals("c", b.leases.grant("db", now).owner());
        assertEquals(db, b.leases.grant("db", now).expiresNanos(), "c's grant is never extended for a");
        BitSet missing = new BitSet();
        missing.set(0); // "db", the first name of the set
        assertEquals(new Leases.RenewalAck(1, now - 5 * MS, LeaseSetCodec.encodeBits(missing)), b.leases.ackFor("a"));

        now += 2_001 * MS; // web's grant at b ended: a renewal does not bring it back
        b.leases.onPeerHeartbeat("a", renewal(1, 1, now), now);
        assertNull(b.leases.grant("web", now), "an ended grant is never extended");
        missing.set(1);
        assertEquals(LeaseSetCodec.encodeBits(missing), b.leases.ackFor("a").missing());
    }

    @Test
    void anAcceptorExtendsOnlyAGrantOfTheEpochTheHeldSetNames() {
        start("a", "b", "c");
        node("a").leases.setWanted("web", true, now);
        route();
        Node b = node("b");
        assertEquals(1, b.leases.grant("web", now).epoch());
        b.leases.onHeldSet("a", new Message.HeldSet(1, 1, 0, "", List.of("web"), List.of(2L)), now);
        now += 300 * MS;
        long expires = b.leases.grant("web", now).expiresNanos();
        b.leases.onPeerHeartbeat("a", renewal(1, 1, now), now);
        assertEquals(expires, b.leases.grant("web", now).expiresNanos(), "a grant of epoch 1 is not renewed as epoch 2");
        BitSet missing = new BitSet();
        missing.set(0);
        assertEquals(LeaseSetCodec.encodeBits(missing), b.leases.ackFor("a").missing(), "and is reported missing");

        b.leases.onHeldSet("a", new Message.HeldSet(1, 2, 0, "", List.of("web"), List.of(1L)), now);
        b.leases.onPeerHeartbeat("a", renewal(1, 2, now), now);
        assertEquals(now + 2_000 * MS, b.leases.grant("web", now).expiresNanos(), "the epoch it was granted at is");
        assertEquals("", b.leases.ackFor("a").missing());
    }

    @Test
    void aHeldSetWithoutOneValidEpochPerNameIsRefusedAndRecordsNothing() {
        start("a", "b", "c");
        node("a").leases.setWanted("web", true, now);
        route();
        Node b = node("b");
        long expires = b.leases.grant("web", now).expiresNanos();
        List<List<Long>> bad = new ArrayList<>();
        bad.add(List.of());
        bad.add(List.of(1L, 1L));
        bad.add(List.of(0L));
        bad.add(null);
        for (List<Long> epochs : bad) {
            b.leases.onHeldSet("a", new Message.HeldSet(1, 1, 0, "", List.of("web"), epochs), now);
            now += 10 * MS;
            b.leases.onPeerHeartbeat("a", renewal(1, 1, now), now);
            assertEquals(expires, b.leases.grant("web", now).expiresNanos(), "epochs " + epochs + " renew nothing");
            assertEquals(Leases.RenewalAck.NONE, b.leases.ackFor("a"), "the generation is unknown: a sends it again");
        }
        b.leases.drainInto(b.out);
        List<String> reasons = b.out.drain().events().stream().filter(CoreEvent.BadMessage.class::isInstance)
                .map(e -> ((CoreEvent.BadMessage) e).reason()).toList();
        assertEquals(4, reasons.size(), reasons.toString());
        assertTrue(reasons.get(0).contains("0 epochs for 1 names"), reasons.get(0));
        assertTrue(reasons.get(2).contains("epochs[0] is 0"), reasons.get(2));
    }

    /**
     * The bug this guards against (seen in CI): a's first round for web was accepted by b but did
     * not win; its next won with a and c at a higher epoch. b then kept renewing its grant of the
     * lost round through a's held set, reported a at the old epoch for ever, and a move asked of b
     * named that old epoch, which a took as spent.
     */
    @Test
    void aGrantFromARoundThatDidNotWinIsBroughtToTheOwnersEpochNotRenewedAsItIs() {
        start("a", "b", "c");
        Ballot lost = new Ballot(1, "a");
        for (String acceptor : List.of("a", "b")) { // a round of a's that only a and b accepted
            node(acceptor).leases.onLeaseBatch("a", new Message.LeaseBatch(List.of(
                    new LeaseMessage.Propose("web", lost, 2_000, 1))), now);
        }
        route();
        cut.addAll(List.of("a>b", "b>a"));
        node("a").leases.setWanted("web", true, now);
        route();
        assertEquals("a", holder("web"));
        long epoch = node("a").view("web").heldEpoch();
        assertEquals(2, epoch, "the winning round is above the epoch a's own acceptor accepted");
        assertEquals(1, node("b").view("web").grantEpoch());
        cut.clear();
        renewalHeartbeats(); // a's held set reaches b, naming epoch 2; its round for b comes later
        assertEquals(1, node("b").view("web").grantEpoch());
        assertEquals(epoch, node("b").view("web").knownEpoch(), "b reports the epoch a told it, not its grant's");
        advance(3_000); // b's grant of epoch 1 would have ended by now had it not been renewed
        assertEquals("a", holder("web"));
        assertEquals(epoch, node("a").view("web").heldEpoch());
        assertEquals("a", node("b").view("web").grantOwner());
        assertEquals(epoch, node("b").view("web").grantEpoch(), "b knows the owner's epoch");
        assertEquals(epoch, node("b").view("web").knownEpoch(), "what a move asked of b is written at");
        assertEquals(List.of(), node("a").events(CoreEvent.LeaseLost.class));
    }

    /**
     * A renewal round whose promises arrive after the lease ended, before a tick noticed it, takes
     * the lease again at a new epoch while it is still marked held: the next held set must name
     * that epoch, or every acceptor (a's own included) reports it missing for ever and the lease
     * lives on rounds alone.
     */
    @Test
    void aLeaseTakenAgainAtANewEpochBeforeItsEndWasNoticedStartsAHeldSetNamingThatEpoch() {
        start("a", "b", "c");
        Node a = node("a");
        a.leases.setWanted("web", true, now);
        route();
        assertEquals(1, a.view("web").heldEpoch());
        cut.addAll(List.of("b>a", "c>a")); // no confirmation reaches a: it falls back to a round
        Ballot round = null;
        for (int i = 0; i < 200 && round == null; i++) {
            int seen = a.readies.size();
            advance(10);
            round = a.readies.subList(seen, a.readies.size()).stream().flatMap(r -> r.messages().stream())
                    .filter(o -> o.message() instanceof Message.LeaseBatch).flatMap(o -> ((Message.LeaseBatch) o
                    .message()).items().stream()).filter(LeaseMessage.Prepare.class::isInstance)
                    .map(LeaseMessage::ballot).findFirst().orElse(null);
        }
        assertTrue(round != null && a.view("web").held(), "a's fallback round started while it held web");
        long ended = a.view("web").heldRemainingNanos() + MS;
        now += (ended + 10 * MS - 1) / (10 * MS) * (10 * MS); // the lease ended (on advance's 10 ms grid); no tick saw it
        a.leases.onLeaseBatch("b", new Message.LeaseBatch(List.of(new LeaseMessage.Promise("web", round, 1, 1))), now);
        route(); // the proposal (a new epoch: a no longer renews) reaches b and c; their accepts are cut
        a.leases.onLeaseBatch("b", new Message.LeaseBatch(List.of(new LeaseMessage.Accepted("web", round, 2))), now);
        assertEquals(2, a.view("web").heldEpoch());
        assertEquals(2, node("b").leases.grant("web", now).epoch());
        cut.clear();
        advance(2_000);
        assertEquals("a", holder("web"));
        assertEquals(2, a.view("web").heldEpoch());
        for (String acceptor : List.of("b", "c")) {
            Leases.RenewalAck ack = node(acceptor).leases.ackFor("a");
            assertTrue(ack.gen() > 0 && ack.sentNanos() > now - 300 * MS, acceptor + " confirmed a's latest held set: " + ack);
            assertEquals("", ack.missing(), acceptor + " extends its epoch-2 grant by a's held set");
        }
        assertTrue(a.leases.confirmation("web", "a") > now - 300 * MS, "a's own acceptor confirms too");
    }

    @Test
    void aNodeWithoutAGrantKnowsTheOwnerAndItsEpochFromTheOwnersHeldSetUntilItStopsBeingRenewed() {
        start("a", "b", "c");
        node("a").leases.setWanted("web", true, now);
        advance(600);
        Node b = new Node(node("b").config); // b restarted: no grant, and none until its restart wait ends
        nodes.put("b", b);
        assertNull(b.view("web").ownerForMove("b"));
        advance(600); // a's heartbeats find b without their generation: a sends b its held set again
        LeaseView v = b.view("web");
        assertNull(v.grantOwner(), "still in its restart wait");
        assertNull(v.knownOwner("b"));
        assertEquals("a", v.ownerForMove("b"), "a move asked of b is made against a");
        assertEquals(1, v.epochForMove("b"));
        cut.addAll(List.of("a>b", "a>c")); // a falls silent
        advance(2_000);
        assertNull(b.view("web").ownerForMove("b"), "a set no heartbeat renewed for a lease reports nothing");
    }

    @Test
    void aConfirmationCountsOnlyForTheVipsOfItsOwnGenerationAndHeartbeat() {
        start("a", "b", "c");
        Node a = node("a");
        a.leases.setWanted("web", true, now);
        route();
        long t1 = now;
        long gen1 = a.leases.renewHeldSet(now); // {web}
        route();
        a.leases.setWanted("db", true, now);
        route();
        now += 10 * MS;
        long t2 = now;
        long gen2 = a.leases.renewHeldSet(now); // {db, web}
        route();
        assertTrue(gen2 > gen1);

        a.leases.onPeerHeartbeat("b", ack(gen1, t1, "", now), now);
        assertEquals(t1, a.leases.confirmation("web", "b"));
        assertEquals(0, a.leases.confirmation("db", "b"), "gen 1's position 0 is web, not gen 2's db");
        a.leases.onPeerHeartbeat("b", ack(gen2, t1, "", now), now);
        assertEquals(0, a.leases.confirmation("db", "b"), "no heartbeat at t1 carried gen 2");
        a.leases.onPeerHeartbeat("b", ack(gen2, now + MS, "", now), now);
        assertEquals(0, a.leases.confirmation("db", "b"), "a heartbeat from the future");
        BitSet webMissing = new BitSet();
        webMissing.set(1);
        a.leases.onPeerHeartbeat("b", ack(gen2, t2, LeaseSetCodec.encodeBits(webMissing), now), now);
        assertEquals(t2, a.leases.confirmation("db", "b"));
        assertEquals(t1, a.leases.confirmation("web", "b"), "b did not extend web at t2");
        a.leases.onPeerHeartbeat("b", ack(gen2, t2, "AAAAAAAE", now), now);
        route();
        assertEquals(1, a.events(CoreEvent.BadMessage.class).size(), "a bitmap past the set is reported");
    }

    @Test
    void ownerLosesItsLeaseWhenNoMajorityConfirmsItsHeldSet() {
        start("a", "b", "c");
        node("a").leases.setWanted("web", true, now);
        advance(1_000);
        assertEquals("a", holder("web"));
        long restartedAt = now;
        for (String n : List.of("b", "c")) { // both acceptors restart: their grants are forgotten
            nodes.put(n, new Node(node(n).config));
        }
        advance(1_960); // the lease, drift-shortened: every confirmation a had is older than the restart
        assertNull(holder("web"), "no majority extends any more: the lease ran out");
        LeaseLost lost = node("a").events(LeaseLost.class).get(0);
        assertTrue(lost.reason().contains("expired"), lost.reason());
        advance(1_000); // the restart wait ends: a takes it again by a round
        assertEquals("a", holder("web"));
        assertTrue(now - restartedAt > 2_000 * MS);
    }

    @Test
    void releaseWithAnOlderBallotClearsNoGrant() {
        start("a", "b", "c");
        node("a").leases.setWanted("web", true, now);
        advance(600); // a renewal: a's grant now carries a newer ballot
        Ballot current = null;
        for (Ready r : node("a").readies) {
            for (Ready.Outbound o : r.messages()) {
                if (o.message() instanceof Message.LeaseBatch lb && lb.items().get(0) instanceof LeaseMessage.Propose p) {
                    current = p.ballot();
                }
            }
        }
        Ballot stale = new Ballot(current.counter() - 1, "a");
        node("b").leases.onLeaseBatch("a", new Message.LeaseBatch(List.of(new LeaseMessage.Release("web", stale))), now);
        assertEquals("a", node("b").view("web").grantOwner(), "a stale release clears nothing");
        node("b").leases.onLeaseBatch("c", new Message.LeaseBatch(List.of(new LeaseMessage.Release("web",
                new Ballot(current.counter() + 5, "c")))), now);
        assertEquals("a", node("b").view("web").grantOwner(), "a release names the exact owner");
        node("b").leases.onLeaseBatch("a", new Message.LeaseBatch(List.of(new LeaseMessage.Release("web", current))),
                now);
        assertNull(node("b").view("web").grantOwner(), "the owner's release at its ballot clears the grant");
    }

    @Test
    void restartingAcceptorAnswersNoLeaseMessage() {
        start("a", "b", "c");
        Node fresh = new Node(node("b").config); // b restarted now: its wait starts
        nodes.put("b", fresh);
        hearEveryone();
        fresh.leases.onLeaseBatch("a", new Message.LeaseBatch(List.of(new LeaseMessage.Prepare("web",
                new Ballot(1, "a")))), now);
        fresh.leases.drainInto(fresh.out);
        assertTrue(fresh.out.drain().messages().isEmpty(), "no promise, no reject during the restart wait");
        fresh.leases.setWanted("web", true, now);
        fresh.leases.tick(now);
        fresh.leases.drainInto(fresh.out);
        assertTrue(fresh.out.drain().messages().isEmpty(), "no round during the restart wait");
    }

    @Test
    void witnessNeverHoldsALease() {
        start("a", "b", "c*");
        node("c").leases.setWanted("web", true, now);
        advance(1_000);
        assertNull(holder("web"));
        assertEquals(0, node("a").view("web").grantEpoch());
    }

    @Test
    void suspendDetectedDropsEveryHeldLeaseAndRoundAtOnce() {
        start("a", "b", "c");
        node("a").leases.setWanted("web", true, now);
        node("a").leases.setWanted("db", true, now);
        route();
        assertEquals("a", holder("db"));
        Node a = node("a");
        a.leases.detectSuspend(now, now / MS);
        now += 10 * MS;
        a.leases.detectSuspend(now, now / MS + a.config.suspendJumpMillis() + 1); // wall ran ahead
        a.leases.drainInto(a.out);
        Ready r = a.out.drain();
        assertTrue(r.events().get(0) instanceof CoreEvent.SuspendDetected, r.events().toString());
        assertEquals(2, r.events().stream().filter(e -> e instanceof CoreEvent.LeaseLost).count());
        assertFalse(a.view("web").held());
        assertFalse(a.view("db").held());
    }

    @Test
    void leaseSetsForAnotherVipTableAreDroppedAndCounted() {
        start("a", "b", "c");
        node("b").leases.onLeaseSets("a", new Message.LeaseSets(12345, List.of()), now);
        assertEquals(1, node("b").leases.leaseSetsDropped());
    }

    @Test
    void fullLeaseTableRefusesNewVipsReportsItOnceAndCountsEveryRefusal() {
        maxEntries = 3;
        start("a", "b", "c");
        Node a = node("a");
        for (String vip : List.of("v1", "v2", "v3", "v4", "v5")) {
            a.leases.setWanted(vip, true, now);
        }
        route();
        assertEquals(3, a.leases.size());
        assertEquals("a", holder("v3"));
        assertNull(holder("v4"), "no entry, no round");
        assertEquals(2, a.leases.leaseEntriesRefused());
        assertEquals(List.of(new CoreEvent.LeaseTableFull("v4", 3)), a.events(CoreEvent.LeaseTableFull.class),
                "reported once");
        // a peer's lease message for another VIP is refused the same way: no vote
        Node b = node("b");
        b.leases.onLeaseBatch("a", new Message.LeaseBatch(List.of(new LeaseMessage.Prepare("v9",
                new Ballot(99, "a")))), now);
        b.leases.drainInto(b.out);
        Ready r = b.out.drain();
        assertTrue(r.messages().isEmpty(), "no promise for a VIP b cannot track");
        assertEquals(1, b.leases.leaseEntriesRefused());
    }

    @Test
    void idleEntriesAreCollectedKeepingTheirEpochAndMakeRoomAgain() {
        maxEntries = 2;
        start("a", "b", "c");
        Node a = node("a");
        a.leases.setWanted("v1", true, now);
        a.leases.setWanted("v2", true, now);
        a.leases.setWanted("v3", true, now);
        route();
        assertEquals(1, a.events(CoreEvent.LeaseTableFull.class).size(), "v3 refused");
        long epoch = a.view("v1").heldEpoch();
        a.leases.setWanted("v1", false, now);
        a.leases.release("v1", now);
        route();
        long idle = Leases.IDLE_LEASES_BEFORE_COLLECT * 2_000L;
        advance(idle - 500);
        assertEquals(2, a.leases.size(), "v1 was used less than " + Leases.IDLE_LEASES_BEFORE_COLLECT + " leases ago");
        advance(1_000);
        assertEquals(1, a.leases.size(), "v1 collected; v2 is held and renewed: kept");
        assertEquals(1, node("b").leases.size(), "b collected v1 too; its grant of v2 is live");
        assertEquals(epoch, a.view("v1").highestEpoch(), "its highest epoch is kept");
        a.leases.setWanted("v3", true, now);
        route();
        assertEquals("a", holder("v3"), "room again");
        node("b").leases.setWanted("v1", true, now); // b's table: v2, v3 and now v1
        a.leases.setWanted("v4", true, now);
        advance(100);
        assertEquals(2, a.events(CoreEvent.LeaseTableFull.class).size(), "reported again: it had room in between");
        assertTrue(a.leases.leaseEntriesRefused() >= 2);
    }
}
