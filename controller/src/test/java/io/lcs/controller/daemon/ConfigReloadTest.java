package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.config.ClusterConfig;
import io.lcs.model.config.ConfigParser;
import io.lcs.reconcilers.vip.VipSpec;
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
    void secretChangeIsRefusedWithoutShowingTheSecret() {
        ConfigReload.Refused r = assertInstanceOf(ConfigReload.Refused.class, ConfigReload.decide(
                parse(CLUSTER + WEB), parse(CLUSTER.replace("s3cret-one-0123456789", "s3cret-two-0123456789") + WEB)));
        assertEquals(1, r.reasons().size());
        assertFalse(r.reasons().get(0).contains("s3cret"), r.reasons().get(0));
    }
}
