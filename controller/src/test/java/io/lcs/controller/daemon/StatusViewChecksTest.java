package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.core.Views.LeaseView;
import io.lcs.core.Views.MembershipView;
import io.lcs.core.Views.PeerView;
import io.lcs.model.api.Condition;
import io.lcs.model.net.Cidr;
import io.lcs.model.status.ClusterStatus;
import io.lcs.model.wire.Message.CheckReport;
import io.lcs.reconcilers.vip.VipSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Health checks as the status shows them: per node, per VIP eligibility, and the Healthy condition. */
class StatusViewChecksTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long NOW = 1_000 * SECOND;
    private static final VipSpec WEB = new VipSpec("web", Cidr.parse("198.18.0.201/24"), "eth0", List.of(), null,
            null, null, null, "config", 1, List.of("http"), false);
    private static final MembershipView MEMBERS = new MembershipView(true, 3, 2, 3, List.of(
            new PeerView("a", true, true, true, true, 0, -1, false),
            new PeerView("b", true, false, true, true, 10_000_000, 1_000_000, false),
            new PeerView("w", false, false, true, true, 10_000_000, 1_000_000, false)));
    private static final CheckReport OK = new CheckReport("http", true, "passing");
    private static final CheckReport BAD = new CheckReport("http", false, "failing 3/3: connection refused");

    private final StatusView status = new StatusView("c1", "test", Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));

    private static NodeSnapshot ownedByA(CheckReport onA, CheckReport onB) {
        return new NodeSnapshot(NOW, "a", MEMBERS, List.of(WEB),
                Map.of("web", new LeaseView("web", true, 3, 5 * SECOND, null, 0, 0, 3, true)), Map.of(), Map.of(),
                Map.of(), List.of(), List.of(), Map.of(), NodeSnapshot.index(List.of(WEB)), Map.of(),
                Map.of("a", Map.of("http", onA), "b", Map.of("http", onB)));
    }

    private static Condition healthy(ClusterStatus.VipStatus vip) {
        return vip.conditions() == null ? null
                : vip.conditions().stream().filter(c -> c.type().equals("Healthy")).findFirst().orElse(null);
    }

    @Test
    void eachNodeShowsItsChecksAndEachFullMemberItsEligibility() {
        ClusterStatus s = status.status(ownedByA(OK, BAD), NOW);
        assertEquals(List.of(new ClusterStatus.NodeCheck("http", false, "failing 3/3: connection refused")),
                s.nodes().get(1).checks());
        assertNull(s.nodes().get(2).checks(), "the witness runs none");
        ClusterStatus.VipStatus web = s.vips().get(0);
        assertEquals(List.of("http"), web.checks());
        assertEquals(List.of(new ClusterStatus.Eligibility("a", true, null),
                new ClusterStatus.Eligibility("b", false, "check http failing 3/3: connection refused")),
                web.eligibility());
        assertNull(healthy(web), "the owner passes: nothing to say");
    }

    @Test
    void anUnhealthyOwnerWithAnEligibleNodeSaysItHandsOver() {
        Condition c = healthy(status.status(ownedByA(BAD, OK), NOW).vips().get(0));
        assertEquals(Condition.FALSE, c.status());
        assertEquals("OwnerUnhealthy", c.reason());
        assertTrue(c.message().startsWith("a: check http failing 3/3: connection refused"), c.message());
    }

    @Test
    void noEligibleNodeKeepsTheVipAndSaysWhy() {
        Condition c = healthy(status.status(ownedByA(BAD, BAD), NOW).vips().get(0));
        assertEquals("NoHealthyNode", c.reason());
        assertEquals("no node may hold it: a: check http failing 3/3: connection refused; b: check http failing 3/3:"
                + " connection refused; kept on a (on_no_healthy_node = keep)", c.message());
    }

    @Test
    void aVipWithoutChecksHasNoEligibilityList() {
        VipSpec plain = new VipSpec("db", Cidr.parse("198.18.0.202/24"), "eth0", List.of(), null, null, null, null,
                "config", 1);
        NodeSnapshot s = new NodeSnapshot(NOW, "a", MEMBERS, List.of(plain), Map.of(), Map.of(), Map.of(), Map.of(),
                List.of(), List.of(), Map.of());
        ClusterStatus.VipStatus db = status.status(s, NOW).vips().get(0);
        assertNull(db.eligibility());
        assertNull(db.checks());
        assertFalse(status.status(s, NOW).nodes().get(0).checks() != null);
    }
}
