package io.lcs.reconcilers.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lcs.reconcilers.lease.Placement.Candidate;
import io.lcs.reconcilers.lease.Placement.Input;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {
    static Candidate up(String n) {
        return new Candidate(n, true, true, false, false, false, false);
    }

    static Candidate witness(String n) {
        return new Candidate(n, false, true, false, false, false, false);
    }

    static Candidate down(String n) {
        return new Candidate(n, true, false, false, false, false, false);
    }

    @Test
    void currentOwnerKeepsVipEvenWhenAPreferredNodeReturns() {
        Input in = new Input("web", List.of("a"), List.of(up("a"), up("b"), witness("c")), "b", null, null);
        assertEquals("b", Placement.desiredOwner(in));
    }

    @Test
    void preferredNodeWinsWhenThereIsNoOwner() {
        Input in = new Input("web", List.of("b", "a"), List.of(up("a"), up("b")), null, null, null);
        assertEquals("b", Placement.desiredOwner(in));
    }

    @Test
    void offlineOwnerIsReplacedByNextEligible() {
        Input in = new Input("web", List.of("a", "b"), List.of(down("a"), up("b"), witness("c")), "a", null, null);
        assertEquals("b", Placement.desiredOwner(in));
    }

    @Test
    void witnessIsNeverChosen() {
        Input in = new Input("web", List.of("c"), List.of(down("a"), down("b"), witness("c")), null, null, null);
        assertNull(Placement.desiredOwner(in));
    }

    @Test
    void nodeInRestartWaitIsNoCandidate() {
        Candidate restarting = new Candidate("a", true, true, true, false, false, false);
        Input in = new Input("web", List.of("a"), List.of(restarting, up("b")), null, null, null);
        assertEquals("b", Placement.desiredOwner(in));
    }

    @Test
    void cordonedOwnerKeepsButTakesNothingNew() {
        Candidate cordoned = new Candidate("a", true, true, false, true, false, false);
        assertEquals("a", Placement.desiredOwner(new Input("web", List.of("a"), List.of(cordoned, up("b")), "a",
                null, null)));
        assertEquals("b", Placement.desiredOwner(new Input("web", List.of("a"), List.of(cordoned, up("b")), null,
                null, null)));
    }

    @Test
    void drainingOwnerLosesItsVip() {
        Candidate draining = new Candidate("a", true, true, false, true, true, false);
        assertEquals("b", Placement.desiredOwner(new Input("web", List.of("a"), List.of(draining, up("b")), "a",
                null, null)));
    }

    @Test
    void moveTargetWinsOverStickiness() {
        Input in = new Input("web", List.of(), List.of(up("a"), up("b"), up("d")), "a", "d", null);
        assertEquals("d", Placement.desiredOwner(in));
    }

    @Test
    void moveToIneligibleTargetKeepsOwner() {
        Input in = new Input("web", List.of(), List.of(up("a"), down("b")), "a", "b", null);
        assertEquals("a", Placement.desiredOwner(in));
    }

    @Test
    void moveAwayPicksAnotherNode() {
        Input in = new Input("web", List.of("a"), List.of(up("a"), up("b")), "a", null, "a");
        assertEquals("b", Placement.desiredOwner(in));
    }

    @Test
    void failedHookLetsAnotherNodeTry() {
        Candidate failed = new Candidate("a", true, true, false, false, false, true);
        assertEquals("b", Placement.desiredOwner(new Input("web", List.of("a"), List.of(failed, up("b")), null,
                null, null)));
    }

    @Test
    void hashOrderSpreadsVipsAndIsStable() {
        List<Candidate> nodes = List.of(up("a"), up("b"), up("d"));
        Map<String, Integer> count = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            String owner = Placement.desiredOwner(new Input("vip" + i, List.of(), nodes, null, null, null));
            count.merge(owner, 1, Integer::sum);
            assertEquals(owner, Placement.desiredOwner(new Input("vip" + i, List.of(), nodes, null, null, null)));
        }
        assertEquals(3, count.size(), "every node gets some VIPs: " + count);
        count.values().forEach(c -> assertNotEquals(0, c));
    }
}
