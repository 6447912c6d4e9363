package io.lcs.model.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Units (who shares a lease) and their start order, and the whole-state checks. */
class GroupRulesTest {
    private static final Map<String, GroupConfig> GROUPS = Map.of(
            "pair", new GroupConfig("pair", GroupConfig.Type.KEEP_TOGETHER, GroupConfig.Mode.STRICT, 0),
            "apart", new GroupConfig("apart", GroupConfig.Type.ANTI_AFFINITY, GroupConfig.Mode.STRICT, 0));
    private static final Map<String, Role> NODES = Map.of("a", Role.FULL_MEMBER, "w", Role.QUORUM_ONLY);

    private static GroupRules.Member m(String name, String group, Integer priority, String... deps) {
        return new GroupRules.Member(name, new Grouping(group, priority, null, List.of(deps)));
    }

    @Test
    void aLoneResourceIsItsOwnUnitUnderItsOwnName() {
        GroupRules.Units u = GroupRules.units(List.of(m("web", null, null)), GROUPS);
        assertEquals("web", u.leaseKey("web"), "the lease key of a VIP without group is what it always was");
    }

    @Test
    void aKeepTogetherGroupIsOneUnitStartingByPriority() {
        GroupRules.Units u = GroupRules.units(List.of(m("low", "pair", 1), m("high", "pair", 9), m("other", null, null)),
                GROUPS);
        assertEquals("group:pair", u.leaseKey("low"));
        assertSame(u.unitOf("low"), u.unitOf("high"));
        assertEquals(List.of("high", "low"), u.unitOf("low").members());
        assertEquals("other", u.leaseKey("other"));
    }

    @Test
    void aDependencyChainIsOneUnitInDependencyOrderWhateverThePriorities() {
        GroupRules.Units u = GroupRules.units(List.of(m("web", null, 100, "app"), m("app", null, 50, "db"),
                m("db", null, 1)), GROUPS);
        assertEquals("deps:app", u.leaseKey("web"));
        assertEquals(List.of("db", "app", "web"), u.unitOf("db").members());
        assertTrue(u.unitOf("db").blocked().isEmpty());
    }

    @Test
    void membersOfAnAntiAffinityGroupAreUnitsOfTheirOwn() {
        GroupRules.Units u = GroupRules.units(List.of(m("x", "apart", null), m("y", "apart", null)), GROUPS);
        assertEquals("x", u.leaseKey("x"));
        assertEquals("y", u.leaseKey("y"));
    }

    @Test
    void aCycleThatSlippedThroughBlocksItsMembersInsteadOfLoopingForever() {
        GroupRules.Units u = GroupRules.units(List.of(m("a1", null, null, "b1"), m("b1", null, null, "a1"),
                m("c1", null, null, "a1")), GROUPS);
        assertEquals(Set.of("a1", "b1", "c1"), u.unitOf("a1").blocked());
    }

    @Test
    void checksNameTheResourceAndTheField() {
        List<GroupRules.Problem> p = GroupRules.check(List.of(m("a1", "nope", null), m("b1", null, null, "c1"),
                m("c1", null, null, "b1"), new GroupRules.Member("d1", new Grouping(null, null, "w", List.of()))),
                GROUPS, NODES);
        assertEquals(List.of(
                new GroupRules.Problem("a1", GroupRules.Field.GROUP, "there is no group 'nope'; groups: apart, pair"),
                new GroupRules.Problem("d1", GroupRules.Field.HOME_NODE, "node 'w' is quorum-only and never holds a "
                        + "resource; the home node must be a full member"),
                new GroupRules.Problem("c1", GroupRules.Field.DEPENDS_ON, "dependency cycle: b1 -> c1 -> b1; a resource "
                        + "starts only after what it depends on, so none of them could start")), p);
    }

    @Test
    void aDependencyAcrossAStrictAntiAffinityGroupCannotBeSatisfied() {
        List<GroupRules.Problem> p = GroupRules.check(List.of(m("x", "apart", null), m("mid", null, null, "x"),
                m("y", "apart", null, "mid")), GROUPS, NODES);
        assertEquals(1, p.size(), p.toString());
        assertEquals("y", p.get(0).resource());
        assertTrue(p.get(0).message().startsWith("y and x are both in strict anti-affinity group apart"), p.toString());
    }

    @Test
    void aValidSetHasNoProblem() {
        assertEquals(List.of(), GroupRules.check(List.of(m("db", "pair", 2), m("app", "pair", 1, "db"),
                m("x", "apart", null), m("y", "apart", null)), GROUPS, NODES));
        assertNull(GroupRules.units(List.of(), GROUPS).unitOf("db"));
    }
}
