package io.lcs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.StoredObject;
import io.lcs.model.wire.Ballot;
import io.lcs.model.wire.LeaseMessage;
import io.lcs.model.wire.Message;
import io.lcs.model.wire.WireCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

/**
 * Fixed scenarios on three cores joined by a perfect, instant network (the randomized simulation
 * with faults lives in test-harness). Every message goes through the wire codec.
 */
class ClusterCoreTest {
    static final ObjectMapper JSON = new ObjectMapper();

    final class Net {
        final Map<String, ClusterCore> cores = new LinkedHashMap<>();
        final Map<String, Map<ObjectKey, StoredObject>> disks = new HashMap<>();
        final Map<String, Map<String, Long>> epochDisks = new HashMap<>();
        final Set<String> down = new HashSet<>();
        final List<WriteResult> results = new ArrayList<>();
        final List<CoreEvent> events = new ArrayList<>();
        /** Every non-empty Ready each node produced, in order. */
        final Map<String, List<Ready>> drained = new HashMap<>();
        /** Messages (sender, outbound) for which this is true are lost. */
        BiPredicate<String, Ready.Outbound> drop = (from, o) -> false;
        long now = 1_000_000_000L;

        Net(String... spec) {
            List<CoreConfig.Member> members = new ArrayList<>();
            for (String s : spec) {
                members.add(new CoreConfig.Member(s.replace("*", ""), !s.endsWith("*")));
            }
            for (CoreConfig.Member m : members) {
                disks.put(m.name(), new HashMap<>());
                epochDisks.put(m.name(), new HashMap<>());
                start(m.name(), members);
            }
        }

        void start(String name, List<CoreConfig.Member> members) {
            CoreConfig cfg = CoreConfig.defaults(name, members, 42, 2000, 500);
            cores.put(name, new ClusterCore(cfg, disks.get(name).values(), epochDisks.get(name), now,
                    new SplittableRandom(name.hashCode())));
            down.remove(name);
        }

        void crash(String name) {
            down.add(name);
        }

        /** The node's disk is gone (replaced): it comes back with nothing. */
        void wipe(String name) {
            disks.get(name).clear();
            epochDisks.get(name).clear();
        }

        void restart(String name) {
            start(name, cores.get(name).config().members());
        }

        /** Restarts {@code name} with the given post-restart wait (lcsd's record of a clean stop). */
        void restart(String name, long restartWaitMillis) {
            CoreConfig cfg = cores.get(name).config();
            cores.put(name, new ClusterCore(cfg, disks.get(name).values(), epochDisks.get(name), now,
                    restartWaitMillis * 1_000_000L, new SplittableRandom(name.hashCode() + 1)));
            down.remove(name);
        }

        void pump() {
            for (int i = 0; i < 1000; i++) {
                boolean any = false;
                for (Map.Entry<String, ClusterCore> e : cores.entrySet()) {
                    if (down.contains(e.getKey())) {
                        continue;
                    }
                    Ready r = e.getValue().drain();
                    if (r.isEmpty()) {
                        continue;
                    }
                    any = true;
                    drained.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(r);
                    r.persistObjects().forEach(o -> disks.get(e.getKey()).put(o.key(), o));
                    r.forgetObjects().forEach(k -> disks.get(e.getKey()).remove(k));
                    epochDisks.get(e.getKey()).putAll(r.persistEpochs());
                    for (Ready.Outbound o : r.messages()) {
                        if (down.contains(o.to()) || drop.test(e.getKey(), o)) {
                            continue;
                        }
                        try {
                            Message m = WireCodec.decode(WireCodec.encode(o.message()));
                            cores.get(o.to()).receive(e.getKey(), m, now);
                        } catch (WireCodec.WireFormatException ex) {
                            throw new AssertionError(ex);
                        }
                    }
                    for (CoreEvent ev : r.events()) {
                        events.add(ev);
                        if (ev instanceof CoreEvent.WriteCompleted wc) {
                            results.add(wc.result());
                        }
                    }
                }
                if (!any) {
                    return;
                }
            }
            throw new AssertionError("network did not settle");
        }

        void advance(long millis) {
            for (long t = 0; t < millis; t += 10) {
                now += 10_000_000L;
                for (Map.Entry<String, ClusterCore> e : cores.entrySet()) {
                    if (!down.contains(e.getKey())) {
                        e.getValue().tick(now, now / 1_000_000L);
                    }
                }
                pump();
            }
        }

        WriteResult put(String at, String name, String address) {
            ObjectNode body = JSON.createObjectNode();
            body.put("apiVersion", "lcs/v1").put("kind", "VirtualIP");
            body.putObject("metadata").put("name", name);
            body.putObject("spec").put("address", address).put("interface", "eth0");
            long id = cores.get(at).submit(new WriteOp.Put(new ObjectKey("VirtualIP", name), body), now);
            pump();
            advance(50);
            return results.stream().filter(r -> r.requestId() == id).reduce((a, b) -> b).orElse(null);
        }

        String holder(String vip) {
            String h = null;
            for (Map.Entry<String, ClusterCore> e : cores.entrySet()) {
                if (!down.contains(e.getKey()) && e.getValue().lease(vip, now).held()) {
                    assertEquals(null, h, "two holders of " + vip);
                    h = e.getKey();
                }
            }
            return h;
        }
    }

    @Test
    void quorumFormsWithAMajorityOfVotesIncludingAWitness() {
        Net net = new Net("a", "b", "c*");
        net.crash("b");
        net.advance(3000);
        assertTrue(net.cores.get("a").hasQuorum(), "a + witness c are 2 of 3 votes");
        assertEquals(2, net.cores.get("a").membership(net.now).votesSeen());
        net.crash("c");
        net.advance(3000);
        assertFalse(net.cores.get("a").hasQuorum());
    }

    @Test
    void writeIsReplicatedAndReportsCreatedConfiguredUnchanged() {
        Net net = new Net("a", "b", "c*");
        net.advance(500);
        assertEquals(WriteResult.Outcome.CREATED, net.put("a", "web", "198.18.0.1/24").outcome());
        assertEquals(WriteResult.Outcome.UNCHANGED, net.put("b", "web", "198.18.0.1/24").outcome());
        assertEquals(WriteResult.Outcome.CONFIGURED, net.put("c", "web", "198.18.0.2/24").outcome());
        for (ClusterCore c : net.cores.values()) {
            StoredObject o = c.object(new ObjectKey("VirtualIP", "web")).orElseThrow();
            assertEquals("198.18.0.2/24", o.body().path("spec").path("address").asText());
            assertEquals(2, o.body().path("metadata").path("generation").asLong());
        }
    }

    @Test
    void writeWithoutQuorumFailsAndChangesNothing() {
        Net net = new Net("a", "b", "c*");
        net.advance(500);
        net.crash("b");
        net.crash("c");
        net.advance(3000);
        WriteResult r = net.put("a", "web", "198.18.0.1/24");
        assertEquals(WriteResult.Outcome.NO_QUORUM, r.outcome());
        assertTrue(r.message().contains("no quorum"), r.message());
        assertTrue(net.cores.get("a").object(new ObjectKey("VirtualIP", "web")).isEmpty());
    }

    @Test
    void restartedNodeCatchesUpThroughAntiEntropy() {
        Net net = new Net("a", "b", "c*");
        net.advance(500);
        net.crash("c");
        net.advance(2000);
        assertEquals(WriteResult.Outcome.CREATED, net.put("a", "web", "198.18.0.1/24").outcome());
        net.restart("c");
        net.advance(3000);
        assertEquals(net.cores.get("a").storeDigest(), net.cores.get("c").storeDigest());
        assertTrue(net.cores.get("c").object(new ObjectKey("VirtualIP", "web")).isPresent());
    }

    @Test
    void manyVipsRenewByOneHeldSetOnTheHeartbeats() {
        Net net = new Net("a", "b", "c");
        net.advance(2500); // restart wait
        for (int i = 0; i < 300; i++) {
            net.cores.get("a").setLeaseWanted(String.format("v%03d", i), true, net.now);
            // b and c know the names too (in lcsd every node knows every configured VIP)
            net.cores.get("b").setLeaseWanted(String.format("v%03d", i), false, net.now);
            net.cores.get("c").setLeaseWanted(String.format("v%03d", i), false, net.now);
        }
        net.advance(1500);
        for (int i = 0; i < 300; i++) {
            assertEquals("a", net.holder(String.format("v%03d", i)));
        }
        // in the steady state a sends no lease message at all: its heartbeats renew all 300
        net.advance(10);
        List<Message> sent = new ArrayList<>();
        int renewed = 0;
        int pumpedBefore = net.drained.getOrDefault("a", List.of()).size();
        for (int t = 0; t < 300; t++) { // 3 s, longer than the lease
            net.now += 10_000_000L;
            ClusterCore a = net.cores.get("a");
            a.tick(net.now, net.now / 1_000_000L);
            Ready r = a.drain();
            renewed += (int) r.events().stream().filter(e -> e instanceof CoreEvent.LeaseRenewed).count();
            for (Ready.Outbound o : r.messages()) {
                sent.add(o.message());
                try {
                    net.cores.get(o.to()).receive("a", WireCodec.decode(WireCodec.encode(o.message())), net.now);
                } catch (WireCodec.WireFormatException ex) {
                    throw new AssertionError(ex);
                }
            }
            net.pump();
            for (String other : List.of("b", "c")) {
                net.cores.get(other).tick(net.now, net.now / 1_000_000L);
            }
            net.pump();
        }
        for (Ready r : net.drained.get("a").subList(pumpedBefore, net.drained.get("a").size())) { // a's replies
            renewed += (int) r.events().stream().filter(e -> e instanceof CoreEvent.LeaseRenewed).count();
            r.messages().forEach(o -> sent.add(o.message()));
        }
        assertTrue(sent.stream().noneMatch(m -> m instanceof Message.LeaseBatch || m instanceof Message.LeaseSets
                || m instanceof Message.HeldSet), "no lease message in the steady state: " + sent.stream()
                .filter(m -> !(m instanceof Message.Heartbeat)).toList());
        List<Message.Heartbeat> beats = sent.stream().filter(m -> m instanceof Message.Heartbeat)
                .map(m -> (Message.Heartbeat) m).toList();
        assertTrue(beats.size() >= 20, "heartbeats went out: " + beats.size());
        for (Message.Heartbeat hb : beats) {
            assertTrue(hb.heldGen() > 0, "every heartbeat renews a's held set");
            int bytes = WireCodec.encode(hb).length;
            assertTrue(bytes < 400, "a heartbeat renewing 300 leases in " + bytes + " bytes");
        }
        assertTrue(renewed >= 300 * 4, "all 300 leases renewed about every 500 ms: " + renewed + " renewals in 3 s");
        for (int i = 0; i < 300; i++) {
            assertEquals("a", net.holder(String.format("v%03d", i)));
        }
    }

    /** The heartbeats {@code from} sent to {@code to} in its Readies from index {@code first} on. */
    static List<Message.Heartbeat> heartbeats(Net net, String from, String to, int first) {
        List<Ready> readies = net.drained.get(from);
        return heartbeats(readies.subList(first, readies.size()), to);
    }

    @Test
    void eachPairKeepsOneRhythmAndAnAnswerConfirmsTheRenewalOfTheHeartbeatItAnswers() {
        Net net = new Net("a", "b", "c");
        net.advance(2500); // restart wait
        net.cores.get("a").setLeaseWanted("v1", true, net.now);
        net.cores.get("b").setLeaseWanted("v1", false, net.now);
        net.cores.get("c").setLeaseWanted("v1", false, net.now);
        net.advance(1500);
        assertEquals("a", net.holder("v1"));
        int a0 = net.drained.get("a").size();
        int b0 = net.drained.get("b").size();
        int c0 = net.drained.get("c").size();
        net.advance(2000);
        List<Message.Heartbeat> aToB = heartbeats(net, "a", "b", a0);
        List<Message.Heartbeat> bToA = heartbeats(net, "b", "a", b0);
        assertEquals(8, aToB.size(), "a sends on its timer, every 250 ms");
        assertEquals(aToB.size(), bToA.size(), "b answers each of a's heartbeats, and sends a no other");
        for (int i = 0; i < bToA.size(); i++) {
            Message.Heartbeat answer = bToA.get(i);
            assertEquals(aToB.get(i).sentNanos(), answer.sentNanos(), "sent when a's arrived (no delay here)");
            assertTrue(answer.ackGen() > 0, "b confirms a's held set");
            assertEquals(aToB.get(i).sentNanos(), answer.ackSentNanos(),
                    "the renewal of the very heartbeat it answers, not of the one before");
        }
        assertEquals(heartbeats(net, "b", "c", b0).size(), heartbeats(net, "c", "b", c0).size(), "b keeps c's rhythm");
        assertEquals(8, heartbeats(net, "c", "a", c0).size());
        assertEquals("a", net.holder("v1"));
    }

    /**
     * Simulation seed 62: a node whose held set had changed since the last tick answered with a
     * renewal of the old generation, naming a lease it no longer held at that epoch. Between a
     * change and the next tick (which starts the new generation and sends it to every peer) it
     * answers no heartbeat.
     */
    @Test
    void anAnswerNeverRenewsAHeldSetThatChangedSinceItsGenerationStarted() {
        Net net = new Net("a", "b", "c"); // a leads its link with b: b answers a
        net.advance(2500); // restart wait
        for (String n : List.of("a", "b", "c")) {
            net.cores.get(n).setLeaseWanted("v1", n.equals("b"), net.now);
            net.cores.get(n).setLeaseWanted("v2", n.equals("b"), net.now);
        }
        net.advance(1500);
        assertEquals("b", net.holder("v1"));
        assertEquals("b", net.holder("v2"));
        List<Message.Heartbeat> heldBack = new ArrayList<>();
        net.drop = (from, o) -> from.equals("a") && o.to().equals("b")
                && o.message() instanceof Message.Heartbeat hb && heldBack.add(hb);
        ClusterCore b = net.cores.get("b");

        for (int i = 0; i < 40 && heldBack.isEmpty(); i++) {
            net.advance(10);
        }
        b.receive("a", heldBack.remove(0), net.now);
        List<Message.Heartbeat> answers = heartbeats(List.of(b.drain()), "a");
        assertEquals(1, answers.size(), "without a change b answers a's heartbeat at once");
        long gen = answers.get(0).heldGen();

        for (int i = 0; i < 40 && heldBack.isEmpty(); i++) {
            net.advance(10);
        }
        b.setLeaseWanted("v2", false, net.now);
        b.release("v2", net.now);
        b.receive("a", heldBack.remove(0), net.now);
        assertEquals(List.of(), heartbeats(List.of(b.drain()), "a"),
                "no answer renews generation " + gen + ", which still names v2");
        net.drop = (from, o) -> false;
        int b0 = net.drained.get("b").size();
        net.advance(260); // b's own timer starts the new generation and sends it to every peer
        List<Message.Heartbeat> next = heartbeats(net, "b", "a", b0);
        assertTrue(!next.isEmpty(), "b's timer sends to a");
        assertTrue(next.get(0).heldGen() > gen, "the first heartbeat b sends a names a new generation, without v2");
        assertEquals("b", net.holder("v1"));
    }

    /** The heartbeats to {@code to} in {@code readies}. */
    static List<Message.Heartbeat> heartbeats(List<Ready> readies, String to) {
        List<Message.Heartbeat> out = new ArrayList<>();
        for (Ready r : readies) {
            for (Ready.Outbound o : r.messages()) {
                if (o.to().equals(to) && o.message() instanceof Message.Heartbeat hb) {
                    out.add(hb);
                }
            }
        }
        return out;
    }

    @Test
    void aNewHeldSetGenerationGoesWithHeartbeatsToEveryPeerAtOnceEvenOnLinksThePeerLeads() {
        Net net = new Net("a", "b", "c");
        net.advance(2500); // restart wait
        int a0 = net.drained.get("a").size();
        net.cores.get("a").setLeaseWanted("v1", true, net.now);
        net.cores.get("b").setLeaseWanted("v1", false, net.now);
        net.cores.get("c").setLeaseWanted("v1", false, net.now);
        net.advance(1000);
        assertEquals("a", net.holder("v1"));
        List<Ready> readies = net.drained.get("a").subList(a0, net.drained.get("a").size());
        Ready first = readies.stream().filter(r -> r.messages().stream()
                .anyMatch(o -> o.message() instanceof Message.HeldSet)).findFirst().orElseThrow();
        long gen = first.messages().stream().filter(o -> o.message() instanceof Message.HeldSet)
                .map(o -> ((Message.HeldSet) o.message()).gen()).findFirst().orElseThrow();
        List<String> named = first.messages().stream()
                .filter(o -> o.message() instanceof Message.Heartbeat hb && hb.heldGen() == gen)
                .map(Ready.Outbound::to).toList();
        // c leads its link with a: without the rule c would learn of a's set only from a's next answer
        assertEquals(List.of("b", "c"), named, "the set and a heartbeat naming it, to every peer, in one tick");
    }

    /** The ballots of the prepares {@code from} sent, in order. */
    static List<Ballot> prepareBallots(Net net, String from, int first) {
        List<Ready> readies = net.drained.get(from);
        List<Ballot> out = new ArrayList<>();
        for (Ready r : readies.subList(first, readies.size())) {
            for (Ready.Outbound o : r.messages()) {
                List<LeaseMessage> ms = new ArrayList<>();
                if (o.message() instanceof Message.LeaseSets ls) {
                    ls.groups().forEach(g -> ms.add(g.m()));
                } else if (o.message() instanceof Message.LeaseBatch lb) {
                    ms.addAll(lb.items());
                }
                ms.stream().filter(m -> m instanceof LeaseMessage.Prepare).map(LeaseMessage::ballot)
                        .filter(b -> !out.contains(b)).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * A node never uses one ballot twice, not even across a restart: a peer may still hold state of
     * the previous run's ballot (a promise, a grant, a prepare set). The counter is reserved in
     * blocks in the epoch record, durably before a ballot of the block leaves.
     */
    @Test
    void aRestartedNodesBallotsAreAboveEveryBallotOfItsPreviousRun() {
        Net net = new Net("a", "b", "c");
        net.advance(2500); // restart wait
        for (String n : List.of("a", "b", "c")) {
            net.cores.get(n).setLeaseWanted("v1", n.equals("a"), net.now);
        }
        net.advance(1500);
        assertEquals("a", net.holder("v1"));
        List<Ballot> before = prepareBallots(net, "a", 0);
        assertTrue(!before.isEmpty(), "a ran a round");
        assertTrue(net.epochDisks.get("a").get(Leases.BALLOT_FLOOR_KEY) >= before.get(before.size() - 1).counter(),
                "the reservation is on a's disk");

        net.crash("a");
        net.advance(3000);
        net.restart("a");
        int a0 = net.drained.get("a").size();
        for (String n : List.of("a", "b", "c")) {
            net.cores.get(n).setLeaseWanted("v1", n.equals("a"), net.now);
            net.cores.get(n).setLeaseWanted("v2", n.equals("a"), net.now);
        }
        net.advance(4000);
        List<Ballot> after = prepareBallots(net, "a", a0);
        assertTrue(!after.isEmpty(), "a ran rounds after its restart");
        long highestBefore = before.stream().mapToLong(Ballot::counter).max().orElseThrow();
        for (Ballot b : after) {
            assertTrue(b.counter() > highestBefore, "ballot " + b + " of the new run is not above " + highestBefore);
        }
    }

    @Test
    void leaseIsAcquiredRenewedAndFailsOverAfterCrash() {
        Net net = new Net("a", "b", "c*");
        net.advance(2500); // restart wait
        net.cores.get("a").setLeaseWanted("web", true, net.now);
        net.advance(200);
        assertEquals("a", net.holder("web"));
        long epoch = net.cores.get("a").lease("web", net.now).heldEpoch();
        net.advance(5000); // renewals keep it
        assertEquals("a", net.holder("web"));
        assertEquals(epoch, net.cores.get("a").lease("web", net.now).heldEpoch());

        long aRemaining = net.cores.get("a").lease("web", net.now).heldRemainingNanos();
        net.crash("a");
        net.cores.get("b").setLeaseWanted("web", true, net.now);
        long crashedAt = net.now;
        String h = null;
        for (int i = 0; i < 400 && h == null; i++) {
            net.advance(10);
            h = net.holder("web");
        }
        assertEquals("b", h);
        long failoverMillis = (net.now - crashedAt) / 1_000_000L;
        assertTrue(net.now - crashedAt > aRemaining, "b acquires only after a's own view of its lease ended");
        assertTrue(failoverMillis <= 2300, "failover within about one lease: " + failoverMillis);
        assertTrue(net.cores.get("b").lease("web", net.now).heldEpoch() > epoch);
    }

    @Test
    void releaseLetsAnotherNodeAcquireBeforeExpiry() {
        Net net = new Net("a", "b", "c*");
        net.advance(2500);
        net.cores.get("a").setLeaseWanted("web", true, net.now);
        net.advance(100);
        net.cores.get("b").setLeaseWanted("web", true, net.now);
        net.advance(300);
        assertEquals("a", net.holder("web"), "b backs off while a's grant is live");
        long t0 = net.now;
        net.cores.get("a").setLeaseWanted("web", false, net.now);
        net.cores.get("a").release("web", net.now);
        net.pump();
        String h = null;
        for (int i = 0; i < 100 && h == null; i++) {
            net.advance(10);
            h = net.holder("web");
        }
        assertEquals("b", h);
        assertTrue(net.now - t0 < 300_000_000L, "move without waiting for expiry");
    }

    @Test
    void nodeBackingOffForALeaseTriesAtOnceWhenTheHolderReleasesIt() {
        Net net = new Net("a", "b", "c*");
        net.advance(2500);
        net.cores.get("a").setLeaseWanted("web", true, net.now);
        net.advance(100);
        net.cores.get("b").setLeaseWanted("web", true, net.now);
        net.advance(300);
        assertEquals("a", net.holder("web"), "b backs off while a's grant is live");
        long epoch = net.cores.get("a").lease("web", net.now).heldEpoch();
        net.cores.get("a").setLeaseWanted("web", false, net.now);
        net.cores.get("a").release("web", net.now);
        net.pump(); // no time passes: b's back-off has not ended, the release alone starts its round
        assertEquals("b", net.holder("web"), "b acquires on the release, not at the end of its back-off");
        assertTrue(net.cores.get("b").lease("web", net.now).heldEpoch() > epoch);
    }

    @Test
    void releaseStartsNoRoundOnNodesThatDoNotWantTheLease() {
        Net net = new Net("a", "b", "c*");
        net.advance(2500);
        net.cores.get("a").setLeaseWanted("web", true, net.now);
        net.advance(100);
        net.cores.get("a").setLeaseWanted("web", false, net.now);
        net.cores.get("a").release("web", net.now);
        net.pump();
        net.advance(1000);
        assertEquals(null, net.holder("web"), "nobody wanted it: nobody takes it");
    }

    @Test
    void restartedAcceptorDoesNotVoteDuringItsWait() {
        Net net = new Net("a", "b", "c*");
        net.advance(2500);
        net.crash("b");
        net.restart("c"); // c restarts: a alone cannot make a majority while c waits
        net.advance(100);
        net.cores.get("a").setLeaseWanted("web", true, net.now);
        net.advance(1000);
        assertEquals(null, net.holder("web"));
        net.advance(1500);
        assertEquals("a", net.holder("web"));
    }

    @Test
    void aRestartWithAShorterWaitVotesWhenThatWaitEnds() {
        Net net = new Net("a", "b", "c*");
        net.advance(2500);
        net.crash("b");
        net.restart("c", 300); // its previous run's grants ended by then (a recorded clean stop)
        assertTrue(net.cores.get("c").restarting(net.now), "still waiting its 300 ms");
        net.advance(100);
        net.cores.get("a").setLeaseWanted("web", true, net.now);
        net.advance(100);
        assertEquals(null, net.holder("web"), "c does not vote before its wait ends");
        net.advance(500);
        assertEquals("a", net.holder("web"), "c votes once its 300 ms are over, not after a whole lease");
        assertEquals(2_040_000_000L, ClusterCore.fullRestartWaitNanos(net.cores.get("a").config()),
                "the full wait: one lease lengthened by the drift bound on both clocks");
    }

    @Test
    void aRestartWithoutWaitVotesAtOnce() {
        Net net = new Net("a", "b", "c*");
        net.advance(2500);
        net.crash("b");
        net.restart("c", 0);
        assertFalse(net.cores.get("c").restarting(net.now));
        net.cores.get("a").setLeaseWanted("web", true, net.now);
        net.advance(300);
        assertEquals("a", net.holder("web"));
    }

    @Test
    void witnessNeverHoldsALease() {
        Net net = new Net("a", "b", "c*");
        net.advance(2500);
        net.cores.get("c").setLeaseWanted("web", true, net.now);
        net.advance(1000);
        assertEquals(null, net.holder("web"));
        assertNotNull(net.cores.get("c"));
    }

    /** The first write's phase 2 reaches nobody but its coordinator {@code a}, and no anti-entropy leaves a. */
    static boolean writeAndSyncFromA(String from, Ready.Outbound o) {
        return from.equals("a") && (o.message() instanceof Message.WriteRequest
                || o.message() instanceof Message.SyncObjects || o.message() instanceof Message.SyncVersions);
    }

    void assertEverywhere(Net net, ObjectKey key, WriteResult acknowledged, boolean deleted) {
        for (Map.Entry<String, ClusterCore> e : net.cores.entrySet()) {
            StoredObject o = e.getValue().allObjects().stream().filter(x -> x.key().equals(key)).findFirst()
                    .orElse(null);
            if (deleted && o == null) {
                continue;
            }
            assertNotNull(o, e.getKey() + " lost the acknowledged " + acknowledged);
            assertEquals(deleted, o.deleted(), e.getKey() + " holds " + o);
            assertFalse(acknowledged.version().isNewerThan(o.version()),
                    e.getKey() + " holds " + o.version() + ", older than the acknowledged " + acknowledged.version());
        }
    }

    @Test
    void unchangedAnswerFromAMinorityCopyIsWrittenBackToAMajorityFirst() {
        Net net = new Net("a", "b", "c*");
        net.advance(500);
        net.drop = ClusterCoreTest::writeAndSyncFromA;
        WriteResult first = net.put("a", "web", "198.18.0.1/24");
        assertEquals(null, first, "its phase 2 reached no acceptor");
        net.advance(5_100);
        assertEquals(WriteResult.Outcome.TIMED_OUT, net.results.get(net.results.size() - 1).outcome());
        assertTrue(net.cores.get("b").object(new ObjectKey("VirtualIP", "web")).isEmpty(), "only a holds it");
        net.drop = (from, o) -> false;
        WriteResult again = net.put("a", "web", "198.18.0.1/24");
        assertEquals(WriteResult.Outcome.UNCHANGED, again.outcome(), "the same content is already the highest");
        // a, the one node that held it, loses its disk: b and c are a majority that must still hold it
        net.crash("a");
        net.wipe("a");
        net.restart("a");
        net.advance(3_000);
        assertEverywhere(net, new ObjectKey("VirtualIP", "web"), again, false);
    }

    @Test
    void notFoundAnswerFromAMinorityTombstoneIsWrittenBackToAMajorityFirst() {
        Net net = new Net("a", "b", "c*");
        net.advance(500);
        ObjectKey web = new ObjectKey("VirtualIP", "web");
        assertEquals(WriteResult.Outcome.CREATED, net.put("a", "web", "198.18.0.1/24").outcome());
        net.drop = ClusterCoreTest::writeAndSyncFromA;
        long first = net.cores.get("a").submit(new WriteOp.Delete(web), net.now);
        net.advance(5_100);
        assertEquals(WriteResult.Outcome.TIMED_OUT, net.results.stream().filter(r -> r.requestId() == first)
                .findFirst().orElseThrow().outcome());
        assertTrue(net.cores.get("b").object(web).isPresent(), "only a holds the tombstone");
        net.drop = (from, o) -> false;
        long again = net.cores.get("a").submit(new WriteOp.Delete(web), net.now);
        net.pump();
        WriteResult notFound = net.results.stream().filter(r -> r.requestId() == again).findFirst().orElseThrow();
        assertEquals(WriteResult.Outcome.NOT_FOUND, notFound.outcome(), "already deleted");
        net.crash("a");
        net.wipe("a");
        net.restart("a");
        net.advance(3_000);
        assertEverywhere(net, web, notFound, true);
        for (ClusterCore c : net.cores.values()) {
            assertTrue(c.object(web).isEmpty(), c.self() + " brought the deleted object back");
        }
    }

    @Test
    void leaseTrafficGoesFirstInEveryReadyAndRenewsOnTimeWhileANodeFarBehindCatchesUp() {
        Net net = new Net("a", "b", "c");
        for (String n : List.of("a", "b")) {
            for (int i = 0; i < 2_000; i++) {
                ObjectNode body = JSON.createObjectNode();
                body.put("apiVersion", "lcs/v1").put("kind", "VirtualIP");
                body.putObject("metadata").put("name", "vip" + i).put("version", 1).put("generation", 1);
                body.putObject("spec").put("address", "198.18." + (i / 250) + "." + (i % 250) + "/24")
                        .put("interface", "eth0");
                ObjectKey key = new ObjectKey("VirtualIP", "vip" + i);
                net.disks.get(n).put(key, new StoredObject(key, new io.lcs.model.api.ObjectVersion(1, "a"), false, body));
            }
            net.restart(n);
        }
        net.restart("c");
        net.advance(2_500); // restart waits over; anti-entropy toward c has started
        net.cores.get("a").setLeaseWanted("web", true, net.now);
        net.cores.get("c").setLeaseWanted("db", true, net.now);
        net.advance(200);
        assertEquals("a", net.holder("web"));
        assertEquals("c", net.holder("db"), "c holds a VIP while it catches up");
        net.drained.clear();
        net.events.clear();
        for (int i = 0; i < 400 && net.cores.get("c").storeDigest() != net.cores.get("a").storeDigest(); i++) {
            net.advance(10);
        }
        assertEquals(net.cores.get("a").storeDigest(), net.cores.get("c").storeDigest(), "c caught up");
        for (Map.Entry<String, List<Ready>> e : net.drained.entrySet()) {
            for (Ready r : e.getValue()) {
                boolean bulkSeen = false;
                for (Ready.Outbound o : r.messages()) {
                    boolean lease = o.message() instanceof Message.LeaseSets || o.message() instanceof Message.LeaseBatch;
                    boolean bulk = o.message() instanceof Message.SyncObjects
                            || o.message() instanceof Message.SyncVersions;
                    assertFalse(lease && bulkSeen, e.getKey() + " put lease traffic after bulk sync in one Ready");
                    bulkSeen |= bulk;
                }
            }
        }
        assertTrue(net.events.stream().noneMatch(ev -> ev instanceof CoreEvent.LeaseLost), net.events.stream()
                .filter(ev -> ev instanceof CoreEvent.LeaseLost).toList().toString());
        assertEquals("a", net.holder("web"));
        assertEquals("c", net.holder("db"));
        assertTrue(net.cores.get("a").syncPaced() + net.cores.get("b").syncPaced() > 0, "the catch-up was paced");
    }
}
