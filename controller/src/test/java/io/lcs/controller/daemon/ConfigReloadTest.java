package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.api.DesiredStateValidator;
import io.lcs.model.config.ClusterConfig;
import io.lcs.model.config.ConfigParser;
import io.lcs.reconcilers.vip.VipSpec;
import io.lcs.model.net.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigReloadTest {
    private static final String CLUSTER = """
            [cluster]
            name = web
            node = a
            bind = 127.0.0.1
            secret = s3cret-one-0123456789
            lease_ms = 2000
            renew_ms = 500

            [node a]
            role = full-member
            address = 127.0.0.1

            [node b]
            role = full-member
            address = 127.0.0.2

            [node c]
            role = quorum-only
            address = 127.0.0.3
            """;
    private static final String WEB = """

            [vip web]
            address = 198.18.0.100/24
            interface = eth0
            preferred_nodes = a, b
            """;
    private static final String DB = """

            [vip db]
            address = 198.18.0.101/24
            interface = eth0
            """;

    private static ClusterConfig parse(String text) {
        return ConfigParser.parse("lcs.conf", text);
    }

    @Test
    void commentsAndReorderedLinesAreNotAChange() {
        ClusterConfig running = parse(CLUSTER + WEB);
        ClusterConfig reread = parse("# edited by hand\n\n" + CLUSTER.replace("lease_ms = 2000", "lease_ms = 2000 ; T")
                + "\n# the web VIP\n" + WEB);
        assertInstanceOf(ConfigReload.Unchanged.class, ConfigReload.decide(running, reread));
    }

    @Test
    void addedVipIsAppliedAndUnchangedVipIsLeftAlone() {
        ConfigReload.Decision d = ConfigReload.decide(parse(CLUSTER + WEB), parse(CLUSTER + WEB + DB));
        ConfigReload.ApplyVips a = assertInstanceOf(ConfigReload.ApplyVips.class, d);
        assertEquals(List.of("db"), a.added());
        assertEquals(List.of(), a.removed());
        assertEquals(List.of(), a.changed());
        assertEquals(List.of("web", "db"), a.vips().stream().map(VipSpec::name).toList());
    }

    @Test
    void removedVipIsApplied() {
        ConfigReload.ApplyVips a = assertInstanceOf(ConfigReload.ApplyVips.class,
                ConfigReload.decide(parse(CLUSTER + WEB + DB), parse(CLUSTER + WEB)));
        assertEquals(List.of("db"), a.removed());
        assertEquals(List.of("web"), a.vips().stream().map(VipSpec::name).toList());
    }

    @Test
    void changedHookOrAddressIsAppliedAsAChangeOfThatVipOnly() {
        String withHook = WEB + "pre_start = /usr/local/libexec/lcs/web-pre-start\n";
        ConfigReload.ApplyVips a = assertInstanceOf(ConfigReload.ApplyVips.class,
                ConfigReload.decide(parse(CLUSTER + WEB + DB), parse(CLUSTER + withHook + DB)));
        assertEquals(List.of("web"), a.changed());
        assertEquals("/usr/local/libexec/lcs/web-pre-start", a.vips().get(0).preStart());

        ConfigReload.ApplyVips moved = assertInstanceOf(ConfigReload.ApplyVips.class, ConfigReload.decide(
                parse(CLUSTER + WEB + DB), parse(CLUSTER + WEB + DB.replace("198.18.0.101", "198.18.0.102"))));
        assertEquals(List.of("db"), moved.changed());
        assertEquals(List.of(), moved.added());
    }

    @Test
    void aReloadedVipWithTheIpOfAnApiVipIsRefusedNamingItsLineAndTheApiObject() {
        String text = CLUSTER + WEB + DB.replace("198.18.0.101/24", "198.18.0.150/32");
        List<DesiredStateValidator.ApiVip> api = List.of(new DesiredStateValidator.ApiVip("shop",
                Cidr.parse("198.18.0.150/24")));
        ConfigReload.Refused r = assertInstanceOf(ConfigReload.Refused.class,
                ConfigReload.decide(parse(CLUSTER + WEB), parse(text), api));
        int line = List.of(text.split("\n", -1)).indexOf("address = 198.18.0.150/32") + 1;
        assertEquals(List.of("lcs.conf:" + line + ": [vip db] address 198.18.0.150/32 is the same IP as VirtualIP shop"
                + " (198.18.0.150/24) applied through the API; one IP can be only one VIP: change the address, or delete"
                + " the API object first (lcs delete vip shop)"), r.reasons());
        assertFalse(r.needsRestart(), "a restart would not help");
        assertInstanceOf(ConfigReload.Unchanged.class, ConfigReload.decide(parse(text), parse(text), api),
                "a clash the running configuration already had is not the reload's doing");
    }

    @Test
    void aReloadedVipNamedLikeAnApiVipTakesItOverWithAWarning() {
        ConfigReload.ApplyVips a = assertInstanceOf(ConfigReload.ApplyVips.class, ConfigReload.decide(
                parse(CLUSTER + WEB), parse(CLUSTER + WEB + DB),
                List.of(new DesiredStateValidator.ApiVip("db", Cidr.parse("198.18.0.101/24")))));
        assertEquals(List.of("db"), a.added());
        assertEquals(1, a.warnings().size());
        assertTrue(a.warnings().get(0).contains("[vip db] hides VirtualIP db applied through the API"), a.warnings().get(0));
    }

    @Test
    void hookDirsChangeNeedsARestart() {
        ConfigReload.Refused r = assertInstanceOf(ConfigReload.Refused.class, ConfigReload.decide(parse(CLUSTER + WEB),
                parse(CLUSTER.replace("renew_ms = 500", "renew_ms = 500\nhook_dirs = /opt/hooks") + WEB)));
        assertTrue(r.needsRestart());
        assertTrue(r.reasons().get(0).startsWith("[cluster] hook_dirs changed from"), r.reasons().get(0));
    }

    @Test
    void leaseChangeIsRefusedNamingTheKey() {
        ConfigReload.Refused r = assertInstanceOf(ConfigReload.Refused.class, ConfigReload.decide(
                parse(CLUSTER + WEB), parse(CLUSTER.replace("lease_ms = 2000", "lease_ms = 3000") + WEB + DB)));
        assertEquals(1, r.reasons().size(), r.reasons().toString());
        assertTrue(r.reasons().get(0).contains("lease_ms") && r.reasons().get(0).contains("3000"), r.reasons().get(0));
    }

    @Test
    void membershipChangeIsRefused() {
        String fourNodes = CLUSTER + "\n[node d]\nrole = full-member\naddress = 127.0.0.4\n";
        ConfigReload.Refused r = assertInstanceOf(ConfigReload.Refused.class,
                ConfigReload.decide(parse(CLUSTER + WEB), parse(fourNodes + WEB)));
        assertTrue(r.reasons().get(0).startsWith("[node] sections changed"), r.reasons().toString());

        ConfigReload.Refused moved = assertInstanceOf(ConfigReload.Refused.class, ConfigReload.decide(
                parse(CLUSTER + WEB), parse(CLUSTER.replace("address = 127.0.0.2", "address = 127.0.0.9") + WEB)));
        assertTrue(moved.reasons().get(0).contains("127.0.0.9"), moved.reasons().toString());
    }

    @Test
    void portsAndEndpointsAreRefused() {
        ConfigReload.Refused r = assertInstanceOf(ConfigReload.Refused.class, ConfigReload.decide(parse(CLUSTER + WEB),
                parse(CLUSTER.replace("bind = 127.0.0.1", "bind = 127.0.0.1\nport = 4000\nadmin_port = 9200") + WEB)));
        // the cluster port is also every node's default port: the membership changed too
        assertEquals(3, r.reasons().size(), r.reasons().toString());
        assertTrue(r.reasons().get(0).startsWith("[cluster] port changed from '3322' to '4000'"), r.reasons().toString());
        assertTrue(r.reasons().get(1).startsWith("[cluster] admin_port"), r.reasons().toString());
        assertTrue(r.reasons().get(2).startsWith("[node] sections changed"), r.reasons().toString());
    }

    @Test
    void consoleChangeNeedsARestart() {
        ConfigReload.Refused r = assertInstanceOf(ConfigReload.Refused.class, ConfigReload.decide(parse(CLUSTER + WEB),
                parse(CLUSTER.replace("bind = 127.0.0.1", "bind = 127.0.0.1\nconsole = on") + WEB)));
        assertEquals(1, r.reasons().size(), r.reasons().toString());
        assertTrue(r.reasons().get(0).startsWith("[cluster] console changed from 'read-only' to 'on'"),
                r.reasons().toString());
    }

    @Test
    void secretChangeIsRefusedWithoutShowingTheSecret() {
        ConfigReload.Refused r = assertInstanceOf(ConfigReload.Refused.class, ConfigReload.decide(
                parse(CLUSTER + WEB), parse(CLUSTER.replace("s3cret-one-0123456789", "s3cret-two-0123456789") + WEB)));
        assertEquals(1, r.reasons().size());
        assertFalse(r.reasons().get(0).contains("s3cret"), r.reasons().get(0));
    }
}
