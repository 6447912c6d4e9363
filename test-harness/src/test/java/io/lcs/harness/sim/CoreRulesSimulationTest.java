package io.lcs.harness.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.core.CoreEvent;
import io.lcs.core.WriteOp;
import io.lcs.core.WriteResult;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.StoredObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fixed scenarios (no random faults) for single rules of docs/architecture.md (leases, epochs, invariants), on the same
 * simulated cluster as {@link ClusterSimulationTest}; invariants are still checked after every step.
 * Lease 2,000 ms, renew 500 ms, so the restart wait is 2,040 ms and the peer timeout 1,000 ms.
 */
class CoreRulesSimulationTest {
    static final long LEASE_MS = 2_000;
    static final ObjectKey V0 = new ObjectKey("VirtualIP", "v0");

    static SimCluster manual(int full, int witnesses, List<String> vips) {
        SimCluster c = new SimCluster(SimCluster.Options.manual(42, full, witnesses, vips));
        c.runForMillis(3_000); // past the start-up restart wait, membership formed
        return c;
    }

    static SimCluster auto(List<String> vips, long maxPauseMillis) {
        SimCluster c = new SimCluster(new SimCluster.Options(43, 3, 0, LEASE_MS, LEASE_MS / 4, 0.01, true, true,
                true, vips, maxPauseMillis * 1_000_000L, null));
        c.runForMillis(4_000);
        return c;
    }

    static WriteOp put(String name, String address) {
        return new WriteOp.Put(new ObjectKey("VirtualIP", name), SimRun.vipBody(name, address, "eth0"));
    }

    /** Runs in 5 ms slices until {@code vip} has exactly one holder; returns it (bounded by {@code maxMillis}). */
    static String awaitHolder(SimCluster c, String vip, long maxMillis) {
        for (long t = 0; t < maxMillis; t += 5) {
            List<String> h = c.holders(vip);
            if (h.size() == 1) {
                return h.get(0);
            }
            c.runForMillis(5);
        }
        return null;
    }

    @Test
    void writeAcknowledgedWithOneNodeDownSurvivesRestartOfEverything() {
        SimCluster c = manual(3, 0, List.of());
        c.crash("n3");
        c.runForMillis(1_500);
        String h = c.submit("n1", put("v0", "198.18.0.10/24"));
        c.runForMillis(300);
        WriteResult r = c.result(h);
        assertNotNull(r, "the write completed");
        assertEquals(WriteResult.Outcome.CREATED, r.outcome(), r.toString());
        c.crash("n1");
        c.crash("n2");
        c.runForMillis(500);
        for (String n : List.of("n1", "n2", "n3")) {
            c.restart(n);
        }
        c.runUntil(c.clock().nowNanos() + c.settleNanos());
        for (SimNode n : c.nodes()) {
            StoredObject o = n.core().object(V0).orElse(null);
            assertNotNull(o, n.name() + " lost the acknowledged write");
            assertEquals(r.version(), o.version(), n.name());
            assertEquals("198.18.0.10/24", o.body().path("spec").path("address").asText(), n.name());
        }
        c.invariants().checkConvergedAndNothingLost();
    }

    @Test
    void partitionedMinorityWriteFailsWithNoQuorum() {
        SimCluster c = manual(5, 0, List.of());
        c.network().partition(List.of(Set.of("n1", "n2"), Set.of("n3", "n4", "n5")));
        c.runForMillis(1_500);
        assertTrue(!c.node("n1").core().hasQuorum(), "the minority has no quorum");
        String minority = c.submit("n1", put("v0", "198.18.0.11/24"));
        String majority = c.submit("n3", put("v0", "198.18.0.12/24"));
        c.runForMillis(500);
        assertEquals(WriteResult.Outcome.NO_QUORUM, c.result(minority).outcome(), c.result(minority).toString());
        assertTrue(c.result(minority).message().contains("no quorum"), c.result(minority).message());
        assertEquals(WriteResult.Outcome.CREATED, c.result(majority).outcome());
        c.healEverything();
        c.runUntil(c.clock().nowNanos() + c.settleNanos());
        for (SimNode n : c.nodes()) {
            assertEquals("198.18.0.12/24", n.core().object(V0).orElseThrow().body().path("spec").path("address")
                    .asText(), n.name() + " converged on the majority's write; the refused one is nowhere");
        }
        c.invariants().checkConvergedAndNothingLost();
    }

    @Test
    void concurrentWritesToOneKeyAtOneNodeGetDistinctVersions() {
        SimCluster c = manual(3, 0, List.of());
        String a = c.submit("n1", put("v0", "198.18.0.21/24"));
        String b = c.submit("n1", put("v0", "198.18.0.22/24"));
        c.runForMillis(500);
        WriteResult ra = c.result(a);
        WriteResult rb = c.result(b);
        assertTrue(ra.outcome().succeeded() && rb.outcome().succeeded(), ra + " / " + rb);
        assertNotEquals(ra.version(), rb.version(), "two acknowledged writes with different content share a version");
        c.runUntil(c.clock().nowNanos() + c.settleNanos());
        c.invariants().checkConvergedAndNothingLost();
    }

    @Test
    void oldOwnerFrozenLongerThanLeaseDoesNotOverlapNewOwner() {
        SimCluster c = auto(List.of("v0"), 3 * LEASE_MS);
        String old = awaitHolder(c, "v0", 2_000);
        assertNotNull(old, "someone holds v0");
        long oldEpoch = c.invariants().maxEpoch("v0");
        c.freeze(old);
        // a frozen node still counts as a holder by its own timer: the invariant checks every step
        String successor = null;
        for (int i = 0; i < 3 * LEASE_MS / 5 && successor == null; i++) {
            c.runForMillis(5);
            for (String h : c.holders("v0")) {
                if (!h.equals(old)) {
                    successor = h;
                }
            }
        }
        assertNotNull(successor, "another node took v0 while " + old + " was frozen");
        assertTrue(c.invariants().maxEpoch("v0") > oldEpoch, "the new owner has a higher epoch");
        c.runForMillis(1_000);
        c.resume(old);
        c.runForMillis(2_000);
        assertEquals(List.of(successor), c.holders("v0"), "sticky: the successor keeps it after the freeze");
    }

    @Test
    void nodeResumedFromAFreezeDoesNotDeclareItsLivePeersDownAndStillLosesTheLeaseItCouldNotRenew() {
        SimCluster c = auto(List.of("v0"), 3 * LEASE_MS);
        String old = awaitHolder(c, "v0", 2_000);
        assertNotNull(old);
        c.keepEvents(true);
        c.freeze(old);
        c.runForMillis(3_000); // the others declare it down and take v0
        c.resume(old); // its first tick runs before the frames that waited for it
        c.runForMillis(2_000);

        List<String> down = c.events().stream().filter(e -> e instanceof CoreEvent.PeerDown)
                .map(e -> ((CoreEvent.PeerDown) e).peer()).toList();
        assertTrue(down.stream().allMatch(old::equals), "only the frozen node was down, as its peers saw: " + down);
        assertTrue(c.events().stream().anyMatch(e -> e instanceof CoreEvent.LeaseLost), "it lost the lease it held");
        assertEquals(1, c.holders("v0").size());
        assertNotEquals(old, c.holders("v0").get(0), "the node that ran on keeps v0");
    }

    @Test
    void ownerSuspendedPastTheJumpThresholdHoldsNothingOnResume() {
        SimCluster c = auto(List.of("v0"), 3 * LEASE_MS);
        c.keepEvents(true);
        String old = awaitHolder(c, "v0", 2_000);
        assertNotNull(old);
        c.suspend(old);
        c.runForMillis(3 * LEASE_MS);
        String successor = awaitHolder(c, "v0", 1);
        assertNotNull(successor, "another node holds v0 after the owner's lease ran out in real time");
        assertNotEquals(old, successor);
        c.resume(old); // the resume tick must see the wall-clock jump and drop the lease
        assertEquals(List.of(successor), c.holders("v0"));
        assertTrue(c.events().stream().anyMatch(e -> e instanceof CoreEvent.SuspendDetected), "suspend detected");
    }

    @Test
    void restartedAcceptorWaitsBeforeVoting() {
        SimCluster c = manual(3, 0, List.of("v0"));
        c.network().partition(List.of(Set.of("n1", "n2"), Set.of("n3")));
        c.crash("n2");
        c.runForMillis(100);
        c.restart("n2");
        long t0 = c.clock().nowNanos();
        c.want("n1", "v0", true);
        // n1 + n2 are a majority of 3, but n2 may have forgotten a grant: it must not vote for a lease
        long waitNanos = (long) (LEASE_MS * 1_000_000L * (1 + 2 * 0.01) / 1.005);
        while (c.clock().nowNanos() < t0 + waitNanos - 20_000_000L) {
            c.runForMillis(5);
            assertEquals(List.of(), c.holders("v0"), "acquired with a restarting acceptor's vote");
        }
        assertTrue(c.node("n1").core().hasQuorum(), "n1 saw a majority all along (n2 is up, only restarting)");
        String h = awaitHolder(c, "v0", 1_000);
        assertEquals("n1", h, "n1 acquires once n2's restart wait is over");
    }

    @Test
    void releaseLetsAnotherNodeAcquireBeforeExpiry() {
        SimCluster c = manual(3, 0, List.of("v0"));
        c.want("n1", "v0", true);
        assertEquals("n1", awaitHolder(c, "v0", 1_000));
        c.runForMillis(300);
        c.release("n1", "v0");
        c.want("n2", "v0", true);
        long t0 = c.clock().nowNanos();
        assertEquals("n2", awaitHolder(c, "v0", LEASE_MS / 2), "n2 acquired within half a lease of the release");
        long took = (c.clock().nowNanos() - t0) / 1_000_000L;
        assertTrue(took < LEASE_MS / 2, "took " + took + " ms");
    }

    @Test
    void thousandVipsProduceOneLeaseBatchPerPeerPerTick() {
        List<String> vips = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            vips.add("vip" + i);
        }
        SimCluster c = manual(3, 0, vips);
        long batchesBefore = c.invariants().leaseBatches();
        for (String v : vips) {
            c.want("n1", v, true);
        }
        c.runForMillis(3_000); // acquire, then about six renewals
        for (String v : List.of("vip0", "vip499", "vip999")) {
            assertEquals(List.of("n1"), c.holders(v), v);
        }
        // every Ready carried at most one LeaseBatch per peer (checked on every drain by the invariants)
        long batches = c.invariants().leaseBatches() - batchesBefore;
        assertTrue(c.invariants().maxLeaseBatchItems() >= 1_000, "one batch carries a round for all VIPs");
        // 3 s: each node sends each peer at most one batch per tick or delivery; 1,000 VIPs x 7 rounds
        // x 4 message kinds x 2 peers unbatched would be ~56,000 messages
        assertTrue(batches < 2_000, batches + " lease batches in 3 s");
    }

    @Test
    void peerWithAnotherMembershipHashIsNeverCountedNorVotes() {
        SimCluster c = manual(3, 0, List.of("v0"));
        c.misconfigure("n3", SimCluster.CLUSTER_HASH + 1);
        c.crash("n2");
        c.want("n1", "v0", true);
        c.runForMillis(3_000); // n3 is up and heard, and past its restart wait
        SimNode n1 = c.node("n1");
        var view = n1.core().membership(n1.clock().monoNanos());
        assertTrue(!view.nodes().get(2).configMatch(), "n1 sees n3's hash differ");
        assertEquals(1, view.votesSeen(), "n3 is heard but not counted");
        assertTrue(!n1.core().hasQuorum());
        assertEquals(List.of(), c.holders("v0"), "no lease without a majority of our cluster");
        String w = c.submit("n1", put("v0", "198.18.0.30/24"));
        c.runForMillis(100);
        assertEquals(WriteResult.Outcome.NO_QUORUM, c.result(w).outcome());
        // every non-heartbeat message between n1 and n3 was checked to change nothing on arrival
        c.fixConfiguration("n3");
        assertEquals("n1", awaitHolder(c, "v0", 3 * LEASE_MS), "n1 acquires once n3 runs our configuration");
    }

    @Test
    void twoConfigurationsNeverFormTwoMajorities() {
        SimCluster c = manual(3, 0, List.of("v0"));
        c.misconfigure("n2", SimCluster.CLUSTER_HASH + 1);
        c.misconfigure("n3", SimCluster.CLUSTER_HASH + 1);
        for (String n : List.of("n1", "n2", "n3")) {
            c.want(n, "v0", true);
        }
        c.runForMillis(4_000);
        // n2 and n3 are two of three configured votes under their hash: they may hold v0
        assertEquals(1, c.holders("v0").size(), c.holders("v0").toString());
        assertTrue(!c.holders("v0").contains("n1"), "n1 alone is no majority");
        assertTrue(!c.node("n1").core().hasQuorum());
        assertTrue(c.invariants().strangerMessages() > 0, "their lease traffic reached n1 and changed nothing there");
    }

    @Test
    void tombstoneCollectedWhileANodeMissedTheDeleteDoesNotResurrectTheObject() {
        SimCluster c = new SimCluster(SimCluster.Options.manual(42, 3, 0, List.of())
                .withTombstoneGcMillis(SimRun.SHORT_TOMBSTONE_GC_MILLIS));
        c.runForMillis(3_000);
        c.freeze("n3"); // n3 reads nothing until it resumes: the create waits in its backlog
        String created = c.submit("n1", put("v0", "198.18.0.40/24"));
        c.runForMillis(300);
        assertEquals(WriteResult.Outcome.CREATED, c.result(created).outcome());
        c.network().cut("n1", "n3"); // the delete never reaches n3
        String deleted = c.submit("n1", new WriteOp.Delete(V0));
        c.runForMillis(300);
        assertEquals(WriteResult.Outcome.DELETED, c.result(deleted).outcome());
        c.network().heal();
        c.runForMillis(SimRun.SHORT_TOMBSTONE_GC_MILLIS + 500); // old enough; n3 is offline: nothing collected yet
        assertTrue(c.node("n1").diskObjects().containsKey(V0));
        // n3's heartbeats leave at once and say it holds nothing; it reads its backlog (the create) 200 ms later
        c.resume("n3", 200_000_000L, 0);
        c.runUntil(c.clock().nowNanos() + c.settleNanos()); // invariant 4 is checked on every disk change
        for (SimNode n : c.nodes()) {
            assertTrue(n.core().object(V0).isEmpty(), n.name() + " brought the deleted object back");
        }
        assertTrue(c.invariants().collections() > 0, "the tombstone was collected in the end");
        c.invariants().checkConvergedAndNothingLost();
    }

    @Test
    void nodeFarBehindCatchesUpOverSeveralIntervalsWithoutFillingPeerQueuesWhileLeasesRenew() {
        SimCluster c = manual(3, 0, List.of("v0", "v1"));
        c.keepEvents(true);
        // lcsd's transport: 256 KiB queued per peer at most, frames beyond dropped; a 100 Mbit/s link
        c.network().setLinkQueue(256 * 1024, 12_500_000);
        c.want("n1", "v0", true);
        c.crash("n3");
        c.runForMillis(1_500);
        int objects = 5_000;
        for (int i = 0; i < objects; i += 500) { // n3 misses all of them
            for (int j = i; j < i + 500; j++) {
                c.submit(j % 2 == 0 ? "n1" : "n2", put("o" + j, "198.18." + (j / 250) + "." + (j % 250) + "/24"));
            }
            c.runForMillis(300);
        }
        assertEquals(objects, c.node("n1").diskObjects().size());
        c.restart("n3");
        c.runForMillis(2_500); // n3's restart wait; it starts catching up meanwhile
        c.want("n3", "v1", true); // n3 holds a VIP while it catches up: its renewals need n1's and n2's replies
        long start = c.clock().nowNanos();
        long caughtUp = -1;
        for (int i = 0; i < 3_000 && caughtUp < 0; i++) {
            c.runForMillis(10);
            if (c.node("n3").core().storeDigest() == c.node("n1").core().storeDigest()) {
                caughtUp = c.clock().nowNanos();
            }
            if (i > 100) {
                assertEquals(List.of("n3"), c.holders("v1"), "n3 keeps its lease while catching up");
            }
            assertEquals(List.of("n1"), c.holders("v0"));
        }
        assertTrue(caughtUp > 0, "n3 caught up");
        long took = (caughtUp - start) / 1_000_000L;
        assertTrue(took > 5 * 250, "over several heartbeat intervals, not in one burst: " + took + " ms");
        assertEquals(0, c.network().droppedQueueFull(), "no peer queue ever filled: nothing dropped");
        assertTrue(c.events().stream().noneMatch(e -> e instanceof CoreEvent.LeaseLost),
                "no lease lost: " + c.events().stream().filter(e -> e instanceof CoreEvent.LeaseLost).toList());
        System.out.printf("%d objects behind: caught up in %d ms, %d frames dropped for full queues%n", objects, took,
                c.network().droppedQueueFull());
    }

    @Test
    void objectRecreatedWhileOneNodeStillHoldsTheCollectedTombstoneSurvives() {
        SimCluster c = new SimCluster(SimCluster.Options.manual(42, 3, 0, List.of())
                .withTombstoneGcMillis(SimRun.SHORT_TOMBSTONE_GC_MILLIS));
        c.runForMillis(3_000);
        assertEquals(WriteResult.Outcome.CREATED, c.result(submitAndRun(c, "n1", put("v0", "198.18.0.50/24"))).outcome());
        c.network().partition(List.of(Set.of("n1", "n2"), Set.of("n3")));
        assertEquals(WriteResult.Outcome.DELETED, c.result(submitAndRun(c, "n1", new WriteOp.Delete(V0))).outcome());
        c.runForMillis(4_000); // n3 gets the tombstone 4 s after n1 and n2: it collects 4 s after them
        c.network().heal();
        c.runForMillis(SimRun.SHORT_TOMBSTONE_GC_MILLIS - 4_000 + 1_500);
        assertTrue(!c.node("n1").diskObjects().containsKey(V0), "n1 collected the tombstone");
        assertTrue(c.node("n3").diskObjects().get(V0).deleted(), "n3 still holds it");
        c.network().cut("n3", "n1"); // the re-create reads n1 and n2 only
        String again = submitAndRun(c, "n1", put("v0", "198.18.0.51/24"));
        assertEquals(WriteResult.Outcome.CREATED, c.result(again).outcome());
        c.network().heal();
        c.runUntil(c.clock().nowNanos() + c.settleNanos()); // invariant 4 holds the re-created object
        for (SimNode n : c.nodes()) {
            assertEquals("198.18.0.51/24", n.core().object(V0).orElseThrow().body().path("spec").path("address")
                    .asText(), n.name());
        }
    }

    static String submitAndRun(SimCluster c, String at, WriteOp op) {
        String h = c.submit(at, op);
        c.runForMillis(300);
        return h;
    }
}
