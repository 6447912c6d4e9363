package io.lcs.model.config;

import static io.lcs.model.config.Configs.assertError;
import static io.lcs.model.config.Configs.assertWarning;
import static io.lcs.model.config.Configs.line;
import static io.lcs.model.config.Configs.parse;
import static io.lcs.model.config.Configs.replace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/**
 * A C-lcs lcs.conf with every [cluster] key of the C lcs is accepted: the keys lcs reads as the C lcs
 * did take effect, the others are accepted with a warning at their line saying what lcs does
 * instead; invalid values are still errors.
 */
class CLcsConfigTest {
    static final String C_CONF = """
            # a C lcs configuration, unchanged
            [cluster]
            name = prod ; a comment after a value
            node = n1
            bind = 198.18.0.1
            port = 3330
            socket = /run/lcs/lcsd.sock
            pidfile = /run/lcs/lcsd.pid
            secret = 0123456789abcdef0123
            lease_ms = 5000
            renew_ms = 1000
            peer_timeout_ms = 5000
            probe_count = 3
            probe_timeout_ms = 300
            hook_timeout_ms = 5000
            syslog = true
            vip_backend = netlink
            metrics = true
            metrics_bind = 127.0.0.1
            metrics_port = 9120

            [node n1]
            role = full-member
            address = 198.18.0.1

            [node n2]
            role = full-member
            address = 198.18.0.2
            port = 3323

            [node w]
            role = quorum-only
            address = 198.18.0.3

            [vip web]
            address = 198.18.0.100/24
            interface = eth0.5@eth0
            """;

    @Test
    void everyClusterKeyOfTheCLcsIsAcceptedAndTheOnesLcsReadsTakeEffect() {
        ClusterConfig c = parse(C_CONF);
        assertEquals("/run/lcs/lcsd.pid", c.pidFile());
        assertEquals(300, c.probeMillis(), "probe_timeout_ms is how long a probe waits: probe_ms");
        assertEquals(3330, c.node("n1").orElseThrow().port(), "a node after [cluster] inherits its port");
        assertEquals(3323, c.node("n2").orElseThrow().port());
        assertEquals("eth0.5", c.vips().get(0).interfaceName(), "the name ends before '@', as in the C lcs");
        assertEquals(5000, c.leaseMillis());
        assertEquals(5000, c.hookTimeoutMillis());
    }

    @Test
    void eachKeyLcsReadsDifferentlySaysWhatLcsDoesAtItsLine() {
        ClusterConfig c = parse(C_CONF);
        assertWarning(c, line(C_CONF, "socket ="), "lcs has no control socket");
        assertWarning(c, line(C_CONF, "peer_timeout_ms"), "lcs declares a peer down after 2500 ms");
        assertWarning(c, line(C_CONF, "probe_count"), "one duplicate-address probe and waits probe_ms");
        assertTrue(c.syslog(), "syslog = true is read: lines also go to the system log");
        assertTrue(c.warnings().stream().noneMatch(w -> w.line() == line(C_CONF, "syslog")), "no warning for syslog");
        assertTrue(!parse(replace(C_CONF, "syslog = true", "syslog = off")).syslog());
        assertWarning(c, line(C_CONF, "vip_backend"), "ip(8)");
        assertWarning(c, line(C_CONF, "interface ="), "using 'eth0.5'");
    }

    @Test
    void withoutPidfileThereIsNone() {
        assertNull(parse(replace(C_CONF, "pidfile = /run/lcs/lcsd.pid\n", "")).pidFile());
    }

    @Test
    void aNodeBeforeClusterGetsTheDefaultPortAsInTheCLcs() {
        String moved = replace(C_CONF, "[node w]\nrole = quorum-only\naddress = 198.18.0.3\n", "");
        moved = "[node w]\nrole = quorum-only\naddress = 198.18.0.3\n\n" + moved;
        ClusterConfig c = parse(moved);
        assertEquals(3322, c.node("w").orElseThrow().port());
        assertEquals(3330, c.node("n1").orElseThrow().port());
    }

    @Test
    void probeMsWinsOverProbeTimeoutMsAndSaysSo() {
        String both = replace(C_CONF, "probe_timeout_ms = 300\n", "probe_timeout_ms = 300\nprobe_ms = 200\n");
        ClusterConfig c = parse(both);
        assertEquals(200, c.probeMillis());
        assertWarning(c, line(both, "probe_timeout_ms"), "probe_timeout_ms is ignored: probe_ms is set");
    }

    @Test
    void invalidValuesOfTheCKeysAreErrors() {
        assertError(replace(C_CONF, "vip_backend = netlink", "vip_backend = ebpf"), "vip_backend",
                "vip_backend = 'ebpf' is not netlink or ip");
        assertError(replace(C_CONF, "socket = /run/lcs/lcsd.sock", "socket = lcsd.sock"), "socket",
                "must be an absolute path");
        assertError(replace(C_CONF, "socket = /run/lcs/lcsd.sock", "socket = /" + "s".repeat(120)), "socket",
                "longer than 107 bytes");
        assertError(replace(C_CONF, "pidfile = /run/lcs/lcsd.pid", "pidfile = lcsd.pid"), "pidfile",
                "must be an absolute path");
        assertError(replace(C_CONF, "syslog = true", "syslog = maybe"), "syslog", "is not a boolean");
        assertError(replace(C_CONF, "probe_count = 3", "probe_count = -1"), "probe_count", "negative");
        assertError(replace(C_CONF, "peer_timeout_ms = 5000", "peer_timeout_ms = x"), "peer_timeout_ms",
                "not a whole number");
    }
}
