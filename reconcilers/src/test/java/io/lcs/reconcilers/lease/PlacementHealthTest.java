package io.lcs.reconcilers.lease;

import static io.lcs.reconcilers.lease.PlacementTest.up;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.reconcilers.lease.Placement.Candidate;
import io.lcs.reconcilers.lease.Placement.Input;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Health checks in placement: eligibility, hand-over, keep or stop when nobody is healthy, stickiness. */
class PlacementHealthTest {
    static Candidate sick(String n) {
        return new Candidate(n, true, true, false, false, false, false, false, "check web failing 3/3: refused");
    }

    @Test
    void unhealthyOwnerHandsOverToAHealthyNode() {
        Input in = new Input("web", List.of(), List.of(sick("a"), up("b")), "a", null, null);
        assertEquals("b", Placement.desiredOwner(in));
    }

    @Test
    void unhealthyOwnerKeepsTheVipWhenNoNodeIsHealthy() {
        Input in = new Input("web", List.of("b"), List.of(sick("a"), sick("b")), "a", null, null);
        assertEquals("a", Placement.desiredOwner(in));
        assertFalse(Placement.anyHealthy(in));
    }

    @Test
    void stopPolicyRunsTheVipNowhereWhenNoNodeIsHealthy() {
        Input in = new Input("web", List.of(), List.of(sick("a"), sick("b")), "a", null, null, true);
        assertNull(Placement.desiredOwner(in));
    }

    @Test
    void withoutOwnerAndWithoutHealthyNodeKeepPlacesAsWithoutChecks() {
        Input in = new Input("web", List.of("b"), List.of(sick("a"), sick("b")), null, null, null);
        assertEquals("b", Placement.desiredOwner(in));
    }

    @Test
    void recoveredOldOwnerDoesNotTakeTheVipBack() {
        // a failed, b took over; a passes again: b keeps it (sticky, no second outage)
        Input in = new Input("web", List.of("a"), List.of(up("a"), up("b")), "b", null, null);
        assertEquals("b", Placement.desiredOwner(in));
    }

    @Test
    void healthyPreferredNodeBeatsAnUnhealthyPreferredOne() {
        Input in = new Input("web", List.of("a", "b"), List.of(sick("a"), up("b"), up("c")), null, null, null);
        assertEquals("b", Placement.desiredOwner(in));
        assertTrue(Placement.anyHealthy(in));
    }

    @Test
    void moveToAnUnhealthyNodeIsNotFollowedWhileAHealthyNodeHoldsIt() {
        Input in = new Input("web", List.of(), List.of(sick("a"), up("b")), "b", "a", null);
        assertEquals("b", Placement.desiredOwner(in));
    }

    @Test
    void unhealthyNodesAreNeverPickedOverAHealthyOneForAnyVip() {
        List<Candidate> nodes = List.of(sick("a"), up("b"), sick("c"), sick("d"));
        for (int i = 0; i < 200; i++) {
            assertEquals("b", Placement.desiredOwner(new Input("vip" + i, List.of(), nodes, null, null, null)));
        }
    }
}
