package io.lcs.model.config;

import static io.lcs.model.config.Configs.BASE;
import static io.lcs.model.config.Configs.assertError;
import static io.lcs.model.config.Configs.errors;
import static io.lcs.model.config.Configs.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code [group]} sections and the VIP keys group, priority, home_node, depends_on (alias depends-on). */
class ConfigGroupsTest {
    private static final String GROUPS = BASE + """

            [group pair]
            type = keep-together
            mode = strict

            [group spread]
            type = anti-affinity
            mode = best-effort

            [vip db]
            address = 198.18.0.101/24
            interface = eth0
            group = pair
            priority = 20
            home_node = a

            [vip app]
            address = 198.18.0.102/24
            interface = eth0
            group = pair
            priority = 10
            depends-on = db
            """;

    @Test
    void groupsAndResourceKeysAreRead() {
        ClusterConfig c = parse(GROUPS);
        assertEquals(List.of(new GroupConfig("pair", GroupConfig.Type.KEEP_TOGETHER, GroupConfig.Mode.STRICT,
                Configs.line(GROUPS, "[group pair]")), new GroupConfig("spread", GroupConfig.Type.ANTI_AFFINITY,
                GroupConfig.Mode.BEST_EFFORT, Configs.line(GROUPS, "[group spread]"))), c.groups());
        assertEquals(new Grouping("pair", 20, "a", List.of()), c.vip("db").orElseThrow().grouping());
        assertEquals(new Grouping("pair", 10, null, List.of("db")), c.vip("app").orElseThrow().grouping(),
                "depends-on is read as depends_on");
        assertEquals(Grouping.NONE, c.vip("web").orElseThrow().grouping());
        assertEquals(ConfigParser.DEFAULT_FAILBACK_SETTLE_MILLIS, c.failbackSettleMillis());
    }

    @Test
    void aGroupNeedsAKnownTypeAndMode() {
        String text = BASE + "\n[group g]\ntype = together\n";
        List<ConfigError> e = errors(text);
        assertError(e, Configs.line(text, "type = together"), "'together' is not a group type; use keep-together or anti-affinity");
        assertError(e, Configs.line(text, "[group g]"), "[group g] is missing required key 'mode'");
    }

    @Test
    void aGroupThatDoesNotExistIsAnErrorAtItsLine() {
        String text = Configs.replace(GROUPS, "group = pair\npriority = 10", "group = pairs\npriority = 10");
        assertError(text, "group = pairs", "[vip app] group: there is no group 'pairs'; groups: pair, spread");
    }

    @Test
    void aDependencyCycleIsAnErrorAtALineOfTheCycle() {
        String text = Configs.replace(GROUPS, "priority = 20\nhome_node = a", "priority = 20\nhome_node = a\ndepends_on = app");
        List<ConfigError> e = errors(text);
        // found walking from db (first in the file): app's dependency on db closes it
        assertError(e, Configs.line(text, "depends-on = db"), "[vip app] depends_on: dependency cycle: db -> app -> db");
    }

    @Test
    void homeNodeMustBeAKnownFullMember() {
        assertError(Configs.replace(GROUPS, "home_node = a", "home_node = c"), "home_node = c",
                "node 'c' is quorum-only and never holds a resource; the home node must be a full member");
        assertError(Configs.replace(GROUPS, "home_node = a", "home_node = z"), "home_node = z",
                "[vip db] home_node: there is no node 'z'");
    }

    @Test
    void unknownSelfAndRepeatedDependenciesAreErrors() {
        assertError(Configs.replace(GROUPS, "depends-on = db", "depends-on = dbx"), "depends-on = dbx",
                "there is no resource 'dbx'");
        assertError(Configs.replace(GROUPS, "depends-on = db", "depends-on = app"), "depends-on = app",
                "app cannot depend on itself");
        assertError(Configs.replace(GROUPS, "depends-on = db", "depends-on = db, db"), "depends-on = db, db",
                "'db' is listed twice");
        String both = Configs.replace(GROUPS, "depends-on = db", "depends-on = db\ndepends_on = db");
        assertError(both, "depends-on = db", "depends-on is another spelling of depends_on");
    }

    @Test
    void aDependencyInsideOneStrictAntiAffinityGroupCannotBeSatisfied() {
        String text = BASE + """

                [group apart]
                type = anti-affinity
                mode = strict

                [vip one]
                address = 198.18.0.101/24
                interface = eth0
                group = apart

                [vip two]
                address = 198.18.0.102/24
                interface = eth0
                group = apart
                depends_on = one
                """;
        assertError(text, "depends_on = one", "two and one are both in strict anti-affinity group apart");
        // best-effort gives way: the dependency wins and they share a node
        assertEquals(List.of("one"), parse(Configs.replace(text, "mode = strict", "mode = best-effort")).vip("two")
                .orElseThrow().grouping().dependsOn());
    }

    @Test
    void explicitPrioritiesDifferInsideAGroup() {
        assertError(Configs.replace(GROUPS, "priority = 10", "priority = 20  # same"), "priority = 20  # same",
                "priority 20 is also db's; priorities must differ inside group pair");
    }

    @Test
    void failbackSettleIsConfigurable() {
        assertEquals(2500, parse(Configs.withCluster("failback_settle_ms = 2500")).failbackSettleMillis());
        assertError(Configs.withCluster("failback_settle_ms = -1"), "failback_settle_ms = -1", "is negative");
    }
}
