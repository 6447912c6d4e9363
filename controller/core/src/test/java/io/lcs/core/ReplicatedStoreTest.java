package io.lcs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.core.WriteResult.Outcome;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectVersion;
import io.lcs.model.api.StoredObject;
import io.lcs.model.wire.Message;
import io.lcs.model.wire.WireCodec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link ReplicatedStore} alone: three stores, each with a real {@link Membership} fed heartbeats
 * by hand, their ABD and anti-entropy messages routed by the test (links can be cut), each node's
 * "disk" written from its outbox before its messages leave.
 */
class ReplicatedStoreTest {
    static final long MS = 1_000_000L;
    static final ObjectKey WEB = new ObjectKey("VirtualIP", "web");

    final class Node {
        final String name;
        final Outbox out = new Outbox();
        final Membership membership;
        ReplicatedStore store;
        final Map<ObjectKey, StoredObject> disk = new TreeMap<>();
        final Map<Long, WriteResult> results = new LinkedHashMap<>();
        final List<Ready> readies = new ArrayList<>();

        Node(String name) {
            this.name = name;
            this.membership = new Membership(config(name), 1, now, out);
            this.store = new ReplicatedStore(config(name), membership, out);
        }

        /** Loses memory; comes back from its disk with a new store (membership kept: it is not under test). */
        void restartFromDisk() {
            store = new ReplicatedStore(config(name), membership, out);
            store.restore(disk.values(), now);
        }

        WriteResult result(long id) {
            return results.get(id);
        }
    }

    final Map<String, Node> nodes = new LinkedHashMap<>();
    /** Links "from>to" that drop every message. */
    final Set<String> cut = new HashSet<>();
    long now = 1_000 * MS;

    CoreConfig config(String self) {
        return CoreConfig.defaults(self, List.of(new CoreConfig.Member("a", true), new CoreConfig.Member("b", true),
                new CoreConfig.Member("c", true)), 42, 2_000, 500);
    }

    ReplicatedStoreTest() {
        for (String n : List.of("a", "b", "c")) {
            nodes.put(n, new Node(n));
        }
        hearEveryone();
    }

    /** Every node hears every other's heartbeat now (membership only: digests are not fed to the stores). */
    void hearEveryone() {
        for (Node n : nodes.values()) {
            for (String peer : n.membership.peerNames()) {
                n.membership.onHeartbeat(peer, MembershipTest.heartbeat(42, 1, now), now);
            }
        }
    }

    Node node(String name) {
        return nodes.get(name);
    }

    /** Drains every node, persists, then delivers, until nothing moves (bounded). */
    void route() {
        for (int round = 0; round < 100; round++) {
            boolean any = false;
            for (Node n : nodes.values()) {
                Ready r = n.out.drain();
                if (r.isEmpty()) {
                    continue;
                }
                any = true;
                n.readies.add(r);
                r.persistObjects().forEach(o -> n.disk.put(o.key(), o));
                r.forgetObjects().forEach(n.disk::remove);
                for (Ready.Outbound o : r.messages()) {
                    if (!cut.contains(n.name + ">" + o.to())) {
                        deliver(n.name, node(o.to()), o.message());
                    }
                }
                for (CoreEvent e : r.events()) {
                    if (e instanceof CoreEvent.WriteCompleted wc) {
                        n.results.put(wc.result().requestId(), wc.result());
                    }
                }
            }
            if (!any) {
                return;
            }
        }
        throw new AssertionError("messages did not settle");
    }

    void deliver(String from, Node to, Message m) {
        ReplicatedStore s = to.store;
        if (m instanceof Message.ReadRequest r) {
            s.onReadRequest(from, r);
        } else if (m instanceof Message.ReadReply r) {
            s.onReadReply(from, r, now);
        } else if (m instanceof Message.WriteRequest w) {
            s.onWriteRequest(from, w, now);
        } else if (m instanceof Message.WriteAck a) {
            s.onWriteAck(from, a);
        } else if (m instanceof Message.SyncVersions sv) {
            s.onSyncVersions(from, sv, now);
        } else if (m instanceof Message.SyncObjects so) {
            s.onSyncObjects(so, now);
        }
    }

    static WriteOp put(String address) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("apiVersion", "lcs/v1").put("kind", "VirtualIP");
        body.putObject("metadata").put("name", WEB.name());
        body.putObject("spec").put("address", address).put("interface", "eth0");
        return new WriteOp.Put(WEB, body);
    }

    long submit(String at, WriteOp op) {
        long id = node(at).store.submit(op, now);
        route();
        return id;
    }

    void isolate(String name) {
        for (String other : nodes.keySet()) {
            if (!other.equals(name)) {
                cut.add(name + ">" + other);
                cut.add(other + ">" + name);
            }
        }
    }

    @Test
    void writeIsAcknowledgedOnlyOnceAMajorityPersistedIt() {
        cut.add("c>a");
        cut.add("b>a");
        long id = submit("a", put("198.18.0.1/24"));
        assertNull(node("a").result(id), "nobody answered: no acknowledgement");
        cut.clear();
        long id2 = submit("a", put("198.18.0.2/24"));
        WriteResult r = node("a").result(id2);
        assertEquals(Outcome.CREATED, r.outcome(), r.toString());
        for (String acceptor : List.of("b", "c")) {
            // the acknowledgement left in the same Ready that persisted the object, so after it
            Ready withAck = node(acceptor).readies.stream()
                    .filter(x -> x.messages().stream().anyMatch(o -> o.message() instanceof Message.WriteAck a
                            && a.version().equals(r.version())))
                    .findFirst().orElseThrow();
            assertTrue(withAck.persistObjects().stream().anyMatch(o -> o.version().equals(r.version())), acceptor);
            assertEquals(r.version(), node(acceptor).disk.get(WEB).version());
        }
    }

    /**
     * A peer's reply to a request of this node's previous run can reach this run: under the same
     * request id and another key it is another request's answer, and counts for nothing (it would
     * stand for a read of the key, or an acknowledgement, the peer never gave).
     */
    @Test
    void aReplyOrAnAcknowledgementOfAnotherKeyUnderTheSameRequestIdCountsForNothing() {
        ObjectKey db = new ObjectKey("VirtualIP", "db");
        ObjectNode dbBody = JsonNodeFactory.instance.objectNode();
        dbBody.put("apiVersion", "lcs/v1").put("kind", "VirtualIP");
        dbBody.putObject("metadata").put("name", "db");
        dbBody.putObject("spec").put("address", "198.18.0.9/24").put("interface", "eth0");
        assertEquals(Outcome.CREATED, node("a").result(submit("a", new WriteOp.Put(db, dbBody))).outcome());
        StoredObject dbObject = node("b").disk.get(db);

        cut.add("b>a");
        cut.add("c>a");
        long id = submit("a", put("198.18.0.1/24"));
        int before = node("a").readies.size();
        for (String peer : List.of("b", "c")) {
            node("a").store.onReadReply(peer, new Message.ReadReply(id, db, dbObject), now);
        }
        route();
        assertTrue(node("a").readies.subList(before, node("a").readies.size()).stream()
                .noneMatch(r -> r.messages().stream().anyMatch(o -> o.message() instanceof Message.WriteRequest)),
                "replies about db are no read of web: no majority read, no write");

        node("a").store.onReadReply("b", new Message.ReadReply(id, WEB, null), now);
        route();
        StoredObject written = node("b").disk.get(WEB);
        assertNotNull(written, "a majority read web: the write went out");
        for (String peer : List.of("b", "c")) {
            node("a").store.onWriteAck(peer, new Message.WriteAck(id, db, written.version()));
        }
        route();
        assertNull(node("a").result(id), "acknowledgements of db under web's version acknowledge nothing");
        node("a").store.onWriteAck("b", new Message.WriteAck(id, WEB, written.version()));
        route();
        assertEquals(Outcome.CREATED, node("a").result(id).outcome());

        // and a run's request ids start from its incarnation (random per start), not from 1
        long incarnation = 0x7123_4567_89ab_cdefL;
        Membership otherRun = new Membership(config("a"), incarnation, now, new Outbox());
        assertEquals((incarnation >>> 2) + 1,
                new ReplicatedStore(config("a"), otherRun, new Outbox()).submit(put("198.18.0.3/24"), now));
    }

    @Test
    void writeWithoutQuorumIsRefusedAndChangesNothing() {
        now += 2_000 * MS;
        node("a").membership.tick(now);
        long id = submit("a", put("198.18.0.1/24"));
        WriteResult r = node("a").result(id);
        assertEquals(Outcome.NO_QUORUM, r.outcome());
        assertTrue(r.message().contains("1 of 3 votes seen, 2 needed"), r.message());
        assertTrue(node("a").disk.isEmpty());
        assertTrue(node("b").disk.isEmpty());
    }

    @Test
    void writeThatNoMajorityAnswersTimesOutSayingWhetherItMayStillApply() {
        isolate("a");
        long id = submit("a", put("198.18.0.1/24"));
        now += config("a").writeTimeoutMillis() * MS + MS;
        node("a").store.tick(now);
        route();
        WriteResult r = node("a").result(id);
        assertEquals(Outcome.TIMED_OUT, r.outcome());
        assertTrue(r.message().endsWith("1 of 2 needed nodes answered; the write was not applied"), r.message());

        cut.remove("b>a"); // reads answered, writes not acknowledged
        cut.remove("a>b");
        cut.add("b>a");
        long id2 = node("a").store.submit(put("198.18.0.2/24"), now);
        node("a").store.onReadReply("b", new Message.ReadReply(id2, WEB, null), now);
        route();
        now += config("a").writeTimeoutMillis() * MS + MS;
        node("a").store.tick(now);
        route();
        r = node("a").result(id2);
        assertEquals(Outcome.TIMED_OUT, r.outcome());
        assertTrue(r.message().endsWith("(the write may still be applied)"), r.message());
    }

    @Test
    void writesBeyondTheInFlightLimitAreRefusedWithAClearError() {
        isolate("a");
        for (int i = 0; i < ReplicatedStore.MAX_PENDING_WRITES; i++) {
            node("a").store.submit(put("198.18.0.1/24"), now);
        }
        route();
        assertTrue(node("a").results.isEmpty(), "all in flight");
        long id = submit("a", put("198.18.0.1/24"));
        WriteResult r = node("a").result(id);
        assertEquals(Outcome.TIMED_OUT, r.outcome());
        assertEquals("too many writes in flight (1024); try again", r.message());
    }

    @Test
    void deleteOfAnObjectNoMajorityHoldsIsNotFound() {
        long id = submit("b", new WriteOp.Delete(WEB));
        assertEquals(Outcome.NOT_FOUND, node("b").result(id).outcome());
        assertTrue(node("b").disk.isEmpty(), "no tombstone for nothing");
    }

    @Test
    void concurrentWritesAtOneNodeGetDistinctVersions() {
        long first = node("a").store.submit(put("198.18.0.1/24"), now);
        long second = node("a").store.submit(put("198.18.0.2/24"), now);
        route();
        WriteResult r1 = node("a").result(first);
        WriteResult r2 = node("a").result(second);
        assertTrue(r1.outcome().succeeded() && r2.outcome().succeeded(), r1 + " / " + r2);
        assertFalse(r1.version().equals(r2.version()), "two contents at one version would diverge");
    }

    @Test
    void antiEntropyBringsANodeThatMissedAWriteUpToDate() {
        isolate("c");
        long id = submit("a", put("198.18.0.1/24"));
        assertEquals(Outcome.CREATED, node("a").result(id).outcome());
        assertNull(node("c").disk.get(WEB));
        cut.clear();
        Node c = node("c");
        // c's heartbeat reaches a with c's digests: they differ, a starts an exchange
        node("a").store.onPeerDigests("c", c.store.liveDigest(), c.store.tombstoneDigest(), now);
        route();
        assertEquals(node("a").disk.get(WEB), c.disk.get(WEB), "c got and persisted a's copy");
        assertEquals(node("a").store.liveDigest(), c.store.liveDigest());
        // at most one exchange per sync interval
        int before = node("a").readies.size();
        node("a").store.onPeerDigests("c", 1, 1, now + MS);
        route();
        assertEquals(before, node("a").readies.size(), "no second exchange within the sync interval");
    }

    /** Time passes in 100 ms steps: every node hears every other's heartbeat (cut links excepted) and ticks its membership. */
    void passTime(long millis) {
        for (long t = 0; t < millis; t += 100) {
            now += 100 * MS;
            for (Node n : nodes.values()) {
                for (String peer : n.membership.peerNames()) {
                    if (!cut.contains(peer + ">" + n.name)) {
                        n.membership.onHeartbeat(peer, MembershipTest.heartbeat(42, 1, now),
                                now);
                    }
                }
                n.membership.tick(now);
            }
        }
    }

    /** b's and c's digests as their heartbeats would report them to a. */
    void digestsReachA() {
        for (String peer : List.of("b", "c")) {
            node("a").store.onPeerDigests(peer, node(peer).store.liveDigest(), node(peer).store.tombstoneDigest(), now);
        }
        route();
    }

    @Test
    void tombstoneIsCollectedOnlyOnceOldEnoughAndEveryPeerReportedOurDigest() {
        submit("a", put("198.18.0.1/24"));
        long del = submit("a", new WriteOp.Delete(WEB));
        assertEquals(Outcome.DELETED, node("a").result(del).outcome());
        Node a = node("a");
        assertTrue(a.disk.get(WEB).deleted());
        long gcMillis = config("a").tombstoneGcMillis();
        passTime(gcMillis - 100);
        digestsReachA();
        a.store.tick(now);
        route();
        assertTrue(a.disk.containsKey(WEB), "not old enough");
        passTime(100);
        a.store.onPeerDigests("c", node("c").store.liveDigest() ^ 1, node("c").store.tombstoneDigest(), now);
        route();
        a.store.tick(now);
        route();
        assertTrue(a.disk.containsKey(WEB), "c's live digest differs");
        digestsReachA();
        a.store.tick(now);
        route();
        assertFalse(a.disk.containsKey(WEB), "collected: old enough, every peer settled with our live digest");
        assertEquals(List.of(WEB), a.readies.get(a.readies.size() - 1).forgetObjects());
        assertTrue(a.store.allObjects().isEmpty());
        assertNotNull(node("b").disk.get(WEB), "b collects on its own schedule");
    }

    @Test
    void tombstoneWaitsAPeerTimeoutAfterAPeerCameBackSoItHasReadItsBacklog() {
        submit("a", put("198.18.0.1/24"));
        submit("a", new WriteOp.Delete(WEB));
        isolate("c"); // c is away: cut off, or frozen
        long peerTimeout = config("a").peerTimeoutMillis();
        passTime(config("a").tombstoneGcMillis() + peerTimeout);
        Node a = node("a");
        assertFalse(a.membership.isOnline("c"));
        cut.clear(); // c is back: a hears it at once, c reads what it missed in the next moments
        passTime(100);
        digestsReachA();
        a.store.tick(now);
        route();
        assertTrue(a.disk.containsKey(WEB), "c has been back for 100 ms only");
        passTime(peerTimeout);
        digestsReachA();
        a.store.tick(now);
        route();
        assertFalse(a.disk.containsKey(WEB), "collected once c has been back for a peer timeout");
    }

    @Test
    void tombstoneWaitsAPeerTimeoutAfterThisNodeItselfDidNotRun() {
        submit("a", put("198.18.0.1/24"));
        submit("a", new WriteOp.Delete(WEB));
        passTime(config("a").tombstoneGcMillis());
        Node a = node("a");
        now += 2 * config("a").peerTimeoutMillis() * MS; // a was frozen: its ticks stopped; its peers' heartbeats wait
        for (String peer : a.membership.peerNames()) {
            a.membership.onHeartbeat(peer, MembershipTest.heartbeat(42, 1, now), now);
        }
        a.membership.tick(now);
        digestsReachA();
        a.store.tick(now);
        route();
        assertTrue(a.disk.containsKey(WEB), "a may not have read its backlog yet");
        passTime(config("a").peerTimeoutMillis());
        digestsReachA();
        a.store.tick(now);
        route();
        assertFalse(a.disk.containsKey(WEB));
    }

    /** A copy of {@code web} at version 1 written by b that reached only {@code holder} (b's write timed out). */
    StoredObject minorityCopy(String holder, boolean deleted) {
        ObjectNode body = ((WriteOp.Put) put("198.18.0.1/24")).body().deepCopy();
        body.with("metadata").put("version", 1).put("generation", 1);
        StoredObject o = deleted ? StoredObject.tombstone(WEB, new ObjectVersion(1, "b"))
                : new StoredObject(WEB, new ObjectVersion(1, "b"), false, body);
        node(holder).store.onWriteRequest("b", new Message.WriteRequest(99, o), now);
        route(); // its acknowledgement finds no write pending at b
        return o;
    }

    boolean sentWriteRequest(String from, ObjectVersion version) {
        return node(from).readies.stream().flatMap(r -> r.messages().stream())
                .anyMatch(o -> o.message() instanceof Message.WriteRequest w && w.object().version().equals(version));
    }

    @Test
    void unchangedReadFromAMinorityIsWrittenBackToAMajorityBeforeTheAnswer() {
        StoredObject onlyOnA = minorityCopy("a", false);
        long id = submit("c", put("198.18.0.1/24")); // c reads a's copy first: a and c are its majority
        WriteResult r = node("c").result(id);
        assertEquals(Outcome.UNCHANGED, r.outcome(), r.toString());
        assertEquals(onlyOnA.version(), r.version());
        assertTrue(sentWriteRequest("c", onlyOnA.version()), "phase 2 with the version read");
        assertEquals(onlyOnA, node("c").disk.get(WEB));
        assertEquals(onlyOnA, node("b").disk.get(WEB), "a majority without a holds it");
    }

    @Test
    void notFoundFromAMinorityTombstoneIsWrittenBackToAMajorityBeforeTheAnswer() {
        submit("a", put("198.18.0.1/24"));
        StoredObject live = node("b").disk.get(WEB);
        StoredObject tombstone = StoredObject.tombstone(WEB, live.version().next("b"));
        node("a").store.onWriteRequest("b", new Message.WriteRequest(99, tombstone), now);
        route();
        long id = submit("c", new WriteOp.Delete(WEB));
        WriteResult r = node("c").result(id);
        assertEquals(Outcome.NOT_FOUND, r.outcome(), r.toString());
        assertEquals("VirtualIP/web not found", r.message());
        assertEquals(tombstone.version(), r.version());
        assertTrue(node("b").disk.get(WEB).deleted(), "a majority without a holds the tombstone");
        assertTrue(node("c").disk.get(WEB).deleted());
    }

    @Test
    void answerReadFromAMajorityNeedsNoWriteBack() {
        long created = submit("a", put("198.18.0.1/24"));
        ObjectVersion v = node("a").result(created).version();
        for (Node n : nodes.values()) {
            n.readies.clear();
        }
        long id = submit("b", put("198.18.0.1/24"));
        assertEquals(Outcome.UNCHANGED, node("b").result(id).outcome());
        assertFalse(sentWriteRequest("b", v), "every reply held it: already on a majority");
        long none = submit("b", new WriteOp.Delete(new ObjectKey("VirtualIP", "nothing")));
        assertEquals(Outcome.NOT_FOUND, node("b").result(none).outcome());
        assertTrue(node("b").readies.stream().flatMap(r -> r.messages().stream())
                .noneMatch(o -> o.message() instanceof Message.WriteRequest), "nothing read: nothing to write back");
    }

    /** Every node's heartbeat digests reach every other node (the store's part of a heartbeat). */
    void digestsEverywhere() {
        for (Node n : nodes.values()) {
            for (String peer : n.membership.peerNames()) {
                n.store.onPeerDigests(peer, node(peer).store.liveDigest(), node(peer).store.tombstoneDigest(), now);
            }
        }
        route();
    }

    /** Encoded bytes of the anti-entropy messages {@code from} sent {@code to} in its Readies from index {@code since}. */
    long syncBytes(String from, String to, int since) {
        long bytes = 0;
        List<Ready> rs = node(from).readies;
        for (int i = since; i < rs.size(); i++) {
            for (Ready.Outbound o : rs.get(i).messages()) {
                if (o.to().equals(to) && (o.message() instanceof Message.SyncObjects
                        || o.message() instanceof Message.SyncVersions)) {
                    bytes += WireCodec.encode(o.message()).length;
                }
            }
        }
        return bytes;
    }

    @Test
    void nodeFarBehindCatchesUpOverSeveralIntervalsWithinTheSyncBudgetPerPeer() {
        List<StoredObject> many = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            ObjectNode body = ((WriteOp.Put) put("198.18." + (i / 250) + "." + (i % 250) + "/24")).body().deepCopy();
            body.with("metadata").put("name", String.format("vip%04d", i)).put("version", 1).put("generation", 1);
            many.add(new StoredObject(new ObjectKey("VirtualIP", String.format("vip%04d", i)), new ObjectVersion(1, "a"),
                    false, body));
        }
        for (String n : List.of("a", "b")) {
            node(n).store.restore(many, now);
            many.forEach(o -> node(n).disk.put(o.key(), o));
        }
        Node a = node("a");
        Node c = node("c");
        long interval = config("a").heartbeatMillis() * MS;
        long worst = 0;
        int intervals = 0;
        while (c.store.liveDigest() != a.store.liveDigest() && intervals < 400) {
            int mark = a.readies.size();
            now += interval;
            digestsEverywhere();
            for (Node n : nodes.values()) {
                n.store.tick(now);
            }
            route();
            worst = Math.max(worst, syncBytes("a", "c", mark));
            intervals++;
        }
        assertEquals(a.store.liveDigest(), c.store.liveDigest(), "c caught up");
        assertEquals(3_000, c.disk.size());
        assertTrue(intervals >= 5, "over several intervals, not in one burst: " + intervals);
        assertTrue(worst <= ReplicatedStore.SYNC_BYTES_PER_PEER_PER_HEARTBEAT, "a sent c " + worst
                + " bytes of sync in one interval, budget " + ReplicatedStore.SYNC_BYTES_PER_PEER_PER_HEARTBEAT);
        assertTrue(a.store.syncPaced() >= 1);
        long pacedEvents = a.readies.stream().flatMap(r -> r.events().stream())
                .filter(e -> e instanceof CoreEvent.SyncPaced p && p.peer().equals("c")).count();
        assertEquals(1, pacedEvents, "reported once for the whole catch-up");
        System.out.printf("3,000 objects behind: caught up in %d intervals of %d ms, at most %d bytes a->c per interval%n",
                intervals, interval / MS, worst);
    }

    @Test
    void objectRecreatedAfterSomeNodesCollectedItsTombstoneOutranksTheTombstoneOthersStillHold() {
        submit("a", put("198.18.0.1/24"));
        submit("a", new WriteOp.Delete(WEB));
        ObjectVersion tombstone = node("a").disk.get(WEB).version();
        passTime(config("a").tombstoneGcMillis() + 100);
        for (String collector : List.of("a", "b")) { // a and b collect; c has not yet (it stored it later)
            for (String peer : node(collector).membership.peerNames()) {
                node(collector).store.onPeerDigests(peer, node(peer).store.liveDigest(),
                        node(peer).store.tombstoneDigest(), now);
            }
            node(collector).store.tick(now);
        }
        route();
        assertFalse(node("a").disk.containsKey(WEB));
        assertFalse(node("b").disk.containsKey(WEB));
        assertTrue(node("c").disk.get(WEB).deleted());
        cut.add("c>a"); // the re-create reads a and b only
        long id = submit("a", put("198.18.0.2/24"));
        WriteResult r = node("a").result(id);
        assertEquals(Outcome.CREATED, r.outcome());
        assertTrue(r.version().isNewerThan(tombstone), r.version() + " must outrank the tombstone c still holds, "
                + tombstone);
        cut.clear();
        digestsEverywhere(); // anti-entropy between a and c
        for (Node n : nodes.values()) {
            assertEquals("198.18.0.2/24", n.disk.get(WEB).body().path("spec").path("address").asText(), n.name);
        }
    }

    @Test
    void collectedTombstoneIsForgottenOnceEveryPeerHoldsExactlyOurTombstones() {
        submit("a", put("198.18.0.1/24"));
        submit("a", new WriteOp.Delete(WEB));
        passTime(config("a").tombstoneGcMillis() + 100);
        for (int i = 0; i < 2; i++) { // everyone collects, then learns that everyone did
            for (Node n : nodes.values()) {
                for (String peer : n.membership.peerNames()) {
                    n.store.onPeerDigests(peer, node(peer).store.liveDigest(), node(peer).store.tombstoneDigest(), now);
                }
                n.store.tick(now);
            }
            route();
        }
        for (Node n : nodes.values()) {
            n.readies.clear();
        }
        long id = submit("a", new WriteOp.Delete(WEB));
        assertEquals(Outcome.NOT_FOUND, node("a").result(id).outcome());
        assertEquals(ObjectVersion.ZERO, node("a").result(id).version(), "nobody answers with the collected tombstone");
        assertTrue(node("a").readies.stream().flatMap(r -> r.messages().stream())
                .noneMatch(o -> o.message() instanceof Message.WriteRequest), "nothing to write back");
    }
}
