package io.lcs.model.config;

import static io.lcs.model.config.Configs.BASE;
import static io.lcs.model.config.Configs.assertError;
import static io.lcs.model.config.Configs.errors;
import static io.lcs.model.config.Configs.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code [service NAME]}: a systemd unit instead of an address, with a VIP's placement, group and hook keys. */
class ConfigServicesTest {
    private static final String SERVICES = BASE + """

            [group front]
            type = keep-together
            mode = strict

            [check http]
            type = tcp
            address = 127.0.0.1:80

            [service proxy]
            systemd_unit = haproxy.service
            group = front
            priority = 20
            home_node = a
            checks = http
            pre_start = /etc/lcs/hooks/proxy-pre

            [service relay]
            unit = postfix@main.service
            depends-on = proxy
            """;

    @Test
    void aServiceIsAResourceWithAUnitAndNoAddress() {
        ClusterConfig c = parse(SERVICES.replace("[vip web]\naddress = 198.18.0.100/24\ninterface = eth0\n",
                "[vip web]\naddress = 198.18.0.100/24\ninterface = eth0\ngroup = front\npriority = 10\n"
                        + "depends_on = proxy\n"));
        VipConfig proxy = c.vip("proxy").orElseThrow();
        assertTrue(proxy.isService());
        assertEquals("haproxy.service", proxy.systemdUnit());
        assertNull(proxy.address());
        assertNull(proxy.interfaceName());
        assertEquals(new Grouping("front", 20, "a", List.of()), proxy.grouping());
        assertEquals(List.of("http"), proxy.checks());
        assertEquals("/etc/lcs/hooks/proxy-pre", proxy.preStart());
        VipConfig relay = c.vip("relay").orElseThrow();
        assertEquals("postfix@main.service", relay.systemdUnit(), "unit is the alias of systemd_unit");
        assertEquals(List.of("proxy"), relay.grouping().dependsOn());
        VipConfig web = c.vip("web").orElseThrow();
        assertFalse(web.isService());
        assertEquals(List.of("proxy"), web.grouping().dependsOn(), "a VIP may depend on a service");
        assertEquals("service", proxy.sectionKind());
    }

    @Test
    void theUnitMustBeAServiceUnitSystemdAccepts() {
        for (String bad : List.of("haproxy", "haproxy.socket", "ha proxy.service", "x/../y.service")) {
            String text = BASE + "\n[service s]\nsystemd_unit = " + bad + "\n";
            assertError(errors(text), Configs.line(text, "systemd_unit = "), "is not a systemd service unit name");
        }
        String template = BASE + "\n[service s]\nunit = getty@.service\n";
        assertError(template, "unit = getty@", "is a template; name an instance");
        String self = BASE + "\n[service s]\nunit = lcsd.service\n";
        assertError(self, "unit = lcsd", "lcsd.service is lcs itself");
        String missing = BASE + "\n[service s]\npost_stop = /etc/lcs/hooks/detach\n";
        assertError(missing, "[service s]", "[service s] has no systemd_unit, so it is a hook-only resource");
        assertError(missing, "[service s]", "needs pre_start = /PATH (the attach)");
        String both = BASE + "\n[service s]\nunit = a.service\nsystemd_unit = a.service\n";
        assertError(both, "unit = a.service", "unit is another spelling of systemd_unit");
    }

    @Test
    void twoServicesNeverNameOneUnit() {
        // each service has its own lease: two naming one unit would start it on two nodes at once
        String twice = BASE + "\n[service a]\nsystemd_unit = haproxy.service\n\n[service b]\nunit = haproxy.service\n";
        assertError(twice, "unit = haproxy.service", "[service b]: haproxy.service is already the unit of [service a] (line "
                + Configs.line(twice, "[service a]") + "): each service has its own lease");
        parse(BASE + "\n[service a]\nsystemd_unit = haproxy.service\n\n[service b]\nunit = haproxy@2.service\n");
    }

    @Test
    void aServiceHasNoAddressOrInterface() {
        String text = BASE + "\n[service s]\nsystemd_unit = a.service\naddress = 198.18.0.9/24\ninterface = eth0\n";
        List<ConfigError> e = errors(text);
        assertError(e, Configs.line(text, "address = 198.18.0.9"), "[service s] address: a service has no address");
        assertError(e, (int) text.lines().count(), "[service s] interface: a service has no interface");
    }

    @Test
    void aVipAndAServiceNeedDifferentNames() {
        String text = BASE + "\n[service web]\nsystemd_unit = a.service\n";
        assertError(text, "[service web]", "[service web] has the name of [vip web]");
    }

    @Test
    void unknownGroupCheckOrDependencyOfAServiceIsAnErrorAtItsLine() {
        String group = BASE + "\n[service s]\nsystemd_unit = a.service\ngroup = nope\n";
        assertError(group, "group = nope", "[service s] group:");
        String check = BASE + "\n[service s]\nsystemd_unit = a.service\nchecks = nope\n";
        assertError(check, "checks = nope", "nope");
        String dep = BASE + "\n[service s]\nsystemd_unit = a.service\ndepends_on = nope\n";
        assertError(dep, "depends_on = nope", "[service s] depends_on:");
        String key = BASE + "\n[vip v]\naddress = 198.18.0.9/24\ninterface = eth0\nsystemd_unit = a.service\n";
        assertError(key, "systemd_unit = a.service", "belongs in a [service NAME] section");
    }

    @Test
    void aServiceWithoutAUnitIsHookOnlyWithEveryPlacementGroupCheckAndHookKey() {
        String text = BASE + """

                [group front]
                type = keep-together
                mode = strict

                [check http]
                type = tcp
                address = 127.0.0.1:80

                [service fip]
                pre_start = /etc/lcs/hooks/attach
                post_start = /etc/lcs/hooks/started
                pre_stop = /etc/lcs/hooks/stopping
                post_stop = /etc/lcs/hooks/detach
                group = front
                priority = 5
                home_node = a
                depends_on = web
                checks = http
                on_no_healthy_node = stop
                preferred_nodes = a
                """;
        ClusterConfig c = parse(text);
        VipConfig fip = c.vip("fip").orElseThrow();
        assertTrue(fip.isService() && fip.hookOnly(), "a service, hook-only");
        assertEquals("", fip.systemdUnit(), "no unit");
        assertNull(fip.address());
        assertEquals(new Grouping("front", 5, "a", List.of("web")), fip.grouping());
        assertEquals(List.of("http"), fip.checks());
        assertTrue(fip.stopWhenNoHealthyNode());
        assertEquals("/etc/lcs/hooks/detach", fip.postStop());
        assertTrue(fip.announce());
        assertFalse(c.vip("web").orElseThrow().hookOnly());
        assertTrue(ConfigSummary.render(c).contains("fip service hook-only"), ConfigSummary.render(c));
    }

    @Test
    void aHookOnlyServiceWithoutPostStopIsWarnedThatNothingDetachesIt() {
        String text = BASE + "\n[service fip]\npre_start = /etc/lcs/hooks/attach\n";
        Configs.assertWarning(parse(text), Configs.line(text, "[service fip]"), "is hook-only and has no post_stop");
    }

    @Test
    void aHookOnlyServiceWithABadPreStartIsOneErrorAtThatLine() {
        String text = BASE + "\n[service fip]\npre_start = hooks/attach\npost_stop = /etc/lcs/hooks/detach\n";
        List<ConfigError> e = errors(text);
        assertError(e, Configs.line(text, "pre_start = hooks"), "pre_start");
        assertEquals(1, e.size(), "not also 'needs pre_start': " + e);
    }

    @Test
    void announceIsAVipKeyAndABoolean() {
        String off = BASE.replace("interface = eth0\n", "interface = eth0\nannounce = false\n");
        assertFalse(parse(off).vip("web").orElseThrow().announce());
        assertTrue(ConfigSummary.render(parse(off)).contains("announce=false"));
        assertTrue(parse(BASE).vip("web").orElseThrow().announce(), "announced by default");
        String bad = BASE.replace("interface = eth0\n", "interface = eth0\nannounce = sometimes\n");
        assertError(bad, "announce = sometimes", "announce = 'sometimes' is not a boolean");
        String onService = BASE + "\n[service s]\nsystemd_unit = a.service\nannounce = false\n";
        assertError(onService, "announce = false", "unknown key 'announce' in [service s]");
    }
}
