package io.lcs.reconcilers.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lcs.model.config.GroupConfig;
import io.lcs.reconcilers.lease.GroupPlacement.UnitView;
import io.lcs.reconcilers.lease.Placement.Candidate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Placement of units: keep-together (AND of members), anti-affinity, home failback. */
class GroupPlacementTest {
    private static final Map<String, GroupConfig> GROUPS = Map.of(
            "apart", new GroupConfig("apart", GroupConfig.Type.ANTI_AFFINITY, GroupConfig.Mode.STRICT, 0),
            "spread", new GroupConfig("spread", GroupConfig.Type.ANTI_AFFINITY, GroupConfig.Mode.BEST_EFFORT, 0));

    private static Candidate up(String n) {
        return new Candidate(n, true, true, false, false, false, false);
    }

    private static Candidate declined(String n) {
        return new Candidate(n, true, true, false, false, false, true);
    }

    private static List<Candidate> nodes(Candidate... c) {
        return List.of(c);
    }

    /** A unit whose members have the given candidacies, nothing else set. */
    private static UnitView unit(String key, Map<String, List<Candidate>> members, String owner, Set<String> anti,
                                 boolean strict) {
        return new UnitView(key, 0, members, strict, List.of(), owner, null, null, null, false, anti);
    }

    @Test
    void aKeepTogetherUnitRunsOnlyWhereEveryMemberMay() {
        Map<String, List<Candidate>> m = new LinkedHashMap<>();
        m.put("db", nodes(up("a"), up("b")));
        m.put("app", nodes(declined("a"), up("b"))); // app's pre_start failed on a
        assertEquals("b", GroupPlacement.place(List.of(unit("group:p", m, "a", Set.of(), true)), GROUPS).get("group:p"),
                "the whole unit leaves a, db included");
    }

    @Test
    void strictKeepTogetherStaysDownWhenNoNodeTakesEveryMemberBestEffortRunsItsAnchor() {
        Map<String, List<Candidate>> m = new LinkedHashMap<>();
        m.put("db", nodes(up("a"), declined("b")));
        m.put("app", nodes(declined("a"), up("b")));
        assertNull(GroupPlacement.place(List.of(unit("group:p", m, null, Set.of(), true)), GROUPS).get("group:p"));
        assertEquals("a", GroupPlacement.place(List.of(unit("group:p", m, null, Set.of(), false)), GROUPS)
                .get("group:p"), "best-effort: where its first member (db) may run; app stays down, never split off");
    }

    @Test
    void strictAntiAffinityNeverCoLocatesEvenIfOneStaysDown() {
        List<UnitView> units = new ArrayList<>();
        units.add(unit("x", Map.of("x", nodes(up("a"), declined("b"))), "a", Set.of("apart"), true));
        units.add(unit("y", Map.of("y", nodes(up("a"), declined("b"))), null, Set.of("apart"), true));
        Map<String, String> placed = GroupPlacement.place(units, GROUPS);
        assertEquals("a", placed.get("x"));
        assertNull(placed.get("y"), "only a may hold y, and x is there");
    }

    @Test
    void bestEffortAntiAffinitySpreadsWhenItCanAndSharesWhenItMust() {
        List<UnitView> spread = List.of(
                unit("x", Map.of("x", nodes(up("a"), up("b"))), "a", Set.of("spread"), true),
                unit("y", Map.of("y", nodes(up("a"), up("b"))), "a", Set.of("spread"), true));
        Map<String, String> placed = GroupPlacement.place(spread, GROUPS);
        assertNotEquals(placed.get("x"), placed.get("y"), "two nodes, two members: one each");
        List<UnitView> shared = List.of(
                unit("x", Map.of("x", nodes(up("a"), declined("b"))), "a", Set.of("spread"), true),
                unit("y", Map.of("y", nodes(up("a"), declined("b"))), null, Set.of("spread"), true));
        placed = GroupPlacement.place(shared, GROUPS);
        assertEquals("a", placed.get("x"));
        assertEquals("a", placed.get("y"), "best-effort: better together than down");
    }

    @Test
    void failbackGoesHomeAndAMoveWinsOverIt() {
        Map<String, List<Candidate>> m = Map.of("web", nodes(up("a"), up("b")));
        UnitView home = new UnitView("web", 0, m, true, List.of(), "b", null, null, "a", true, Set.of());
        assertEquals("a", GroupPlacement.place(List.of(home), GROUPS).get("web"));
        UnitView sticky = new UnitView("web", 0, m, true, List.of(), "b", null, null, "a", false, Set.of());
        assertEquals("b", GroupPlacement.place(List.of(sticky), GROUPS).get("web"), "no failback due: sticky");
        UnitView moving = new UnitView("web", 0, m, true, List.of(), "a", "b", null, "a", true, Set.of());
        assertEquals("b", GroupPlacement.place(List.of(moving), GROUPS).get("web"));
    }

    @Test
    void aUnitPlacedAnewGoesStraightHomeWithoutWaitingForTheSettleTime() {
        Map<String, List<Candidate>> m = Map.of("web", nodes(up("a"), up("b"), up("c")));
        String elsewhere = GroupPlacement.place(List.of(unit("web", m, null, Set.of(), true)), GROUPS).get("web");
        String home = "a".equals(elsewhere) ? "b" : "a"; // a home the rendezvous order would not pick
        UnitView noOwner = new UnitView("web", 0, m, true, List.of(), null, null, null, home, false, Set.of());
        assertEquals(home, GroupPlacement.place(List.of(noOwner), GROUPS).get("web"),
                "a failover goes home at once, not elsewhere and home again after failback_settle_ms");

        String gone = "c".equals(home) ? "b" : "c";
        List<Candidate> ownerOffline = new ArrayList<>();
        for (String n : List.of("a", "b", "c")) {
            ownerOffline.add(n.equals(gone) ? new Candidate(n, true, false, false, false, false, false) : up(n));
        }
        UnitView lost = new UnitView("web", 0, Map.of("web", ownerOffline), true, List.of(), gone, null, null, home,
                false, Set.of());
        assertEquals(home, GroupPlacement.place(List.of(lost), GROUPS).get("web"),
                "an owner seen offline (its lease not yet run out) is as good as none");

        List<Candidate> homeRestarting = new ArrayList<>();
        for (String n : List.of("a", "b", "c")) {
            homeRestarting.add(n.equals(home) ? new Candidate(n, true, true, true, false, false, false) : up(n));
        }
        UnitView notYet = new UnitView("web", 0, Map.of("web", homeRestarting), true, List.of(), null, null, null,
                home, false, Set.of());
        assertEquals(elsewhere, GroupPlacement.place(List.of(notYet), GROUPS).get("web"),
                "a home in its restart wait is not eligible");

        String owner = elsewhere;
        List<Candidate> ownerFailing = new ArrayList<>();
        for (String n : List.of("a", "b", "c")) {
            ownerFailing.add(n.equals(owner)
                    ? new Candidate(n, true, true, false, false, false, false, false, "check web failing") : up(n));
        }
        UnitView failing = new UnitView("web", 0, Map.of("web", ownerFailing), true, List.of(), owner, null, null,
                home, false, Set.of());
        assertEquals(home, GroupPlacement.place(List.of(failing), GROUPS).get("web"),
                "an owner failing its checks hands over: home first");
        UnitView healthy = new UnitView("web", 0, m, true, List.of(), owner, null, null, home, false, Set.of());
        assertEquals(owner, GroupPlacement.place(List.of(healthy), GROUPS).get("web"),
                "a healthy owner keeps the unit until failback is due");
    }

    @Test
    void aUnitPlacedAnewKeepsOffTheHomeOfAnotherMemberOfItsAntiAffinityGroup() {
        // groups.conf of the C lcs: front-a (priority 2, no home) and front-b (priority 1, home n2),
        // best-effort anti-affinity. Placed first, front-a took n2 after a failover, so front-b
        // could never go home.
        List<Candidate> abc = nodes(up("a"), up("b"), up("c"));
        String hashPick = GroupPlacement.place(List.of(new UnitView("x", 2, Map.of("x", abc), true, List.of(), null,
                null, null, null, false, Set.of("spread"))), GROUPS).get("x");
        UnitView x = new UnitView("x", 2, Map.of("x", abc), true, List.of(), null, null, null, null, false,
                Set.of("spread"));
        UnitView y = new UnitView("y", 1, Map.of("y", abc), true, List.of(), null, null, null, hashPick, false,
                Set.of("spread"));
        Map<String, String> placed = GroupPlacement.place(List.of(x, y), GROUPS);
        assertEquals(hashPick, placed.get("y"), "y goes to its home: " + placed);
        assertNotEquals(hashPick, placed.get("x"), "x, placed first, left y's home free: " + placed);

        UnitView xStays = new UnitView("x", 2, Map.of("x", abc), true, List.of(), hashPick, null, null, null, false,
                Set.of("spread"));
        placed = GroupPlacement.place(List.of(xStays, y), GROUPS);
        assertEquals(hashPick, placed.get("x"), "a healthy owner is not moved to make room: " + placed);
        assertNotEquals(hashPick, placed.get("y"), "best-effort: y goes elsewhere meanwhile: " + placed);

        List<Candidate> onlyHome = nodes(up(hashPick));
        UnitView xAlone = new UnitView("x", 2, Map.of("x", onlyHome), true, List.of(), null, null, null, null, false,
                Set.of("spread"));
        UnitView yAlone = new UnitView("y", 1, Map.of("y", onlyHome), true, List.of(), null, null, null, hashPick,
                false, Set.of("spread"));
        placed = GroupPlacement.place(List.of(xAlone, yAlone), GROUPS);
        assertEquals(hashPick, placed.get("x"), "a home is kept free only while another node is left");

        // the only healthy node left for x is y's home: x goes there rather than stay on failing checks
        String other = "a".equals(hashPick) ? "c" : "a";
        String third = List.of("a", "b", "c").stream().filter(n -> !n.equals(hashPick) && !n.equals(other))
                .findFirst().orElseThrow();
        List<Candidate> failingElsewhere = new ArrayList<>();
        for (String n : List.of("a", "b", "c")) {
            failingElsewhere.add(n.equals(hashPick) ? up(n)
                    : new Candidate(n, true, true, false, false, false, false, false, "check failing"));
        }
        UnitView xFailing = new UnitView("x", 2, Map.of("x", failingElsewhere), true, List.of(), other, null, null,
                null, false, Set.of("spread"));
        UnitView yAway = new UnitView("y", 1, Map.of("y", abc), true, List.of(), third, null, null, hashPick, false,
                Set.of("spread"));
        placed = GroupPlacement.place(List.of(xFailing, yAway), GROUPS);
        assertEquals(hashPick, placed.get("x"), "never kept on failing checks to keep a home free: " + placed);

        // an operator's move of x onto y's home goes there
        UnitView xMoved = new UnitView("x", 2, Map.of("x", abc), true, List.of(), null, hashPick, null, null, false,
                Set.of("spread"));
        UnitView yStopped = new UnitView("y", 1, Map.of(), true, List.of(), null, null, null, hashPick, false,
                Set.of("spread"));
        assertEquals(hashPick, GroupPlacement.place(List.of(xMoved, yStopped), GROUPS).get("x"),
                "a move goes where it was asked");
    }

    @Test
    void aUnitWithNothingToRunIsPlacedNowhere() {
        assertNull(GroupPlacement.place(List.of(unit("web", Map.of(), "a", Set.of(), true)), GROUPS).get("web"),
                "every member stopped or in conflict");
    }
}
