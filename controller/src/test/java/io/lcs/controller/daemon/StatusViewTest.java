package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.core.Views.LeaseView;
import io.lcs.core.Views.MembershipView;
import io.lcs.core.Views.PeerView;
import io.lcs.model.api.Condition;
import io.lcs.model.net.Cidr;
import io.lcs.model.status.ClusterStatus;
import io.lcs.reconcilers.vip.LocalVipState;
import io.lcs.reconcilers.vip.VipSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the VIP reconciler reports ({@link StatusView#observed}) as the status API shows it: the
 * reconciler's tests check what it reports, these check how it is shown.
 */
class StatusViewTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long NOW = 1_000 * SECOND;
    private static final VipSpec WEB = new VipSpec("web", Cidr.parse("198.18.0.201/24"), "eth0", List.of(), null,
            null, null, null, "config", 1);
    private static final MembershipView MEMBERS = new MembershipView(true, 3, 2, 3, List.of(
            new PeerView("a", true, true, true, true, 0, -1, false),
            new PeerView("b", true, false, true, true, 10_000_000, 1_000_000, false),
            new PeerView("c", true, false, true, true, 10_000_000, 1_000_000, false)));

    private final StatusView status = new StatusView("c1", "test", Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));

    private static NodeSnapshot heldHere(boolean wanted) {
        return new NodeSnapshot(NOW, "a", MEMBERS, List.of(WEB),
                Map.of("web", new LeaseView("web", true, 3, 5 * SECOND, null, 0, 0, 3, wanted)), Map.of(), Map.of(),
                Map.of(), List.of(), List.of(), Map.of());
    }

    private ClusterStatus.VipStatus web(NodeSnapshot s) {
        return status.status(s, NOW).vips().get(0);
    }

    private static Condition condition(ClusterStatus.VipStatus vip, String type) {
        return vip.conditions().stream().filter(c -> c.type().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " condition in " + vip.conditions()));
    }

    private static NodeSnapshot at(long nanos, boolean cOnline) {
        MembershipView m = new MembershipView(true, cOnline ? 3 : 2, 2, 3, List.of(MEMBERS.nodes().get(0),
                MEMBERS.nodes().get(1), new PeerView("c", true, false, cOnline, true, 10_000_000, 1_000_000, false)));
        return new NodeSnapshot(nanos, "a", m, List.of(WEB), Map.of("web", new LeaseView("web", true, 3, 5 * SECOND,
                null, 0, 0, 3, true)), Map.of(), Map.of(), Map.of(), List.of(), List.of(), Map.of());
    }

    @Test
    void membershipSecondsCountFromTheLastChangeOfTheOnlineSet() {
        assertEquals(null, status.status(at(NOW, true), NOW).quorum().membershipSeconds(), "nothing tracked yet");
        status.track(at(NOW, true));
        status.track(at(NOW + 5 * SECOND, true)); // the same set: the time runs on
        assertEquals(7.0, status.status(at(NOW + 7 * SECOND, true), NOW + 7 * SECOND).quorum().membershipSeconds(), 1e-9);
        status.track(at(NOW + 8 * SECOND, false)); // c went offline
        assertEquals(2.0, status.status(at(NOW + 10 * SECOND, false), NOW + 10 * SECOND).quorum().membershipSeconds(),
                1e-9);
        status.track(at(NOW + 11 * SECOND, true)); // and came back
        assertEquals(0.5, status.status(at(NOW + 11 * SECOND, true), NOW + 11 * SECOND + SECOND / 2).quorum()
                .membershipSeconds(), 1e-9);
    }

    @Test
    void problemTheReconcilerReportedIsAReadyFalseConditionWithItsReasonAndMessage() {
        status.observed("web", new LocalVipState(false, "pre_start exited 3; output: boom", "PreStartFailed"));

        Condition ready = condition(web(heldHere(true)), "Ready");

        assertEquals(Condition.FALSE, ready.status());
        assertEquals("PreStartFailed", ready.reason());
        assertEquals("pre_start exited 3; output: boom", ready.message());
    }

    @Test
    void ownerIsActiveOnlyOnceTheReconcilerReportsTheAddressPresent() {
        assertEquals("pending", web(heldHere(true)).state(), "lease held, address not reported yet");

        status.observed("web", new LocalVipState(true, null, null));

        ClusterStatus.VipStatus vip = web(heldHere(true));
        assertEquals("active", vip.state());
        assertTrue(vip.conditions().stream().noneMatch(c -> c.type().equals("Ready")), vip.conditions().toString());
    }

    @Test
    void skippedProbeIsAnInformativeConditionWhileTheAddressIsHereAndGoesWhenCleared() {
        String why = "no neighbour discovery on lo (loopback); duplicate probe and announcements skipped";
        status.probeSkipped("web", why);
        status.observed("web", new LocalVipState(true, null, null));

        ClusterStatus.VipStatus vip = web(heldHere(true));
        Condition skipped = condition(vip, "ProbeSkipped");
        assertEquals(Condition.TRUE, skipped.status(), "True: OK for lcs status, listed by lcs describe");
        assertEquals("NoNeighbourDiscovery", skipped.reason());
        assertEquals(why, skipped.message());
        assertEquals("active", vip.state());

        status.observed("web", new LocalVipState(false, null, null));
        assertTrue(web(heldHere(true)).conditions().stream().noneMatch(c -> c.type().equals("ProbeSkipped")),
                "only while the address is on this node");
        status.observed("web", new LocalVipState(true, null, null));
        status.probeSkipped("web", null);
        assertTrue(web(heldHere(true)).conditions().stream().noneMatch(c -> c.type().equals("ProbeSkipped")));
    }

    /** A snapshot in which {@code owner} holds web's grant at {@code epoch} (as another node sees it). */
    private static NodeSnapshot ownedBy(String owner, long epoch, Map<String, String> moves, List<String> draining) {
        return new NodeSnapshot(NOW, "c", MEMBERS, List.of(WEB),
                Map.of("web", new LeaseView("web", false, 0, 0, owner, epoch, owner == null ? 0 : 2 * SECOND, epoch,
                        false)), Map.of(), moves, Map.of(), draining, draining, Map.of());
    }

    @Test
    void aChangeOfOwnerAskedForByAMoveOrADrainIsAMoveNotAFailover() {
        status.track(ownedBy("a", 1, Map.of(), List.of()));
        // lcs move web --to b: the move is pending, a releases (no owner known), b acquires at epoch 2
        status.track(ownedBy("a", 1, Map.of("web", "b"), List.of()));
        status.track(ownedBy(null, 1, Map.of("web", "b"), List.of()));
        status.track(ownedBy("b", 2, Map.of(), List.of()));
        ClusterStatus.VipStatus vip = status.status(ownedBy("b", 2, Map.of(), List.of()), NOW).vips().get(0);
        assertEquals(1, vip.moves());
        assertEquals(0, vip.failovers(), "a planned move is no failover");

        // b dies: a takes over at epoch 3 with no move pending
        status.track(ownedBy("a", 3, Map.of(), List.of()));
        vip = status.status(ownedBy("a", 3, Map.of(), List.of()), NOW).vips().get(0);
        assertEquals(1, vip.failovers());
        assertEquals(1, vip.moves());

        // lcs drain a: b takes it
        status.track(ownedBy("b", 4, Map.of(), List.of("a")));
        vip = status.status(ownedBy("b", 4, Map.of(), List.of("a")), NOW).vips().get(0);
        assertEquals(2, vip.moves());
        assertEquals(1, vip.failovers());
    }

    @Test
    void aMoveThatEndsWithTheSameOwnerAtALaterEpochDoesNotMakeTheNextFailoverAMove() {
        status.track(ownedBy("a", 1, Map.of(), List.of()));
        status.track(ownedBy("a", 1, Map.of("web", "b"), List.of()));
        status.track(ownedBy("a", 2, Map.of(), List.of())); // b could not take it; a again at epoch 2
        status.track(ownedBy("b", 3, Map.of(), List.of())); // a dies later
        ClusterStatus.VipStatus vip = status.status(ownedBy("b", 3, Map.of(), List.of()), NOW).vips().get(0);
        assertEquals(1, vip.failovers());
        assertEquals(0, vip.moves());
    }
}
