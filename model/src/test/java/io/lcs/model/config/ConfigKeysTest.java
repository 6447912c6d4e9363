package io.lcs.model.config;

import static io.lcs.model.config.Configs.BASE;
import static io.lcs.model.config.Configs.assertError;
import static io.lcs.model.config.Configs.errors;
import static io.lcs.model.config.Configs.line;
import static io.lcs.model.config.Configs.parse;
import static io.lcs.model.config.Configs.replace;
import static io.lcs.model.config.Configs.withCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each key of each section: required or default, accepted and refused values. */
class ConfigKeysTest {

    @Test
    void defaultsAreAppliedWhenKeysAreAbsent() {
        ClusterConfig c = parse(BASE);
        assertEquals("", c.bind());
        assertEquals(3322, c.port());
        assertEquals(2000, c.leaseMillis());
        assertEquals(500, c.renewMillis());
        assertEquals(5000, c.hookTimeoutMillis());
        assertEquals(250, c.probeMillis());
        assertFalse(c.metrics(), "metrics are opt-in");
        assertEquals("127.0.0.1", c.metricsBind());
        assertEquals(9120, c.metricsPort());
        assertEquals("127.0.0.1", c.adminBind());
        assertEquals(9121, c.adminPort());
        assertNull(c.adminTokenFile());
        assertEquals("/var/lib/lcs", c.stateDir());
        assertNull(c.secretFile());
        assertEquals(3322, c.node("b").orElseThrow().port(), "node port defaults to the cluster port");
    }

    @Test
    void clusterNameIsRequired() {
        String text = replace(BASE, "name = demo\n", "");
        assertError(errors(text), 1, "[cluster] is missing required key 'name'");
    }

    @Test
    void clusterNodeIsRequired() {
        String text = replace(BASE, "node = a\n", "");
        assertError(errors(text), 1, "[cluster] is missing required key 'node'");
    }

    @Test
    void clusterNodeMustNameANodeSection() {
        String text = replace(BASE, "node = a", "node = bb");
        assertError(text, "node = bb", "there is no [node bb] section (did you mean 'b'?)");
        String far = replace(BASE, "node = a", "node = zebra");
        assertError(far, "node = zebra", "(nodes: a, b, c)");
    }

    @Test
    void bindMustBeAnIpLiteralOrEmpty() {
        assertError(withCluster("bind = eth0"), "bind = eth0", "not an IPv4 or IPv6 address");
        assertError(withCluster("bind = 198.18.0.1/24"), "bind = 198.18.0.1/24", "no prefix length here");
        assertEquals("", parse(withCluster("bind =")).bind());
        assertEquals("2001:db8::1", parse(withCluster("bind = 2001:DB8:0::1")).bind(), "canonical form");
    }

    @ParameterizedTest
    @CsvSource({"port = 0, out of range 1..65535", "port = 65536, out of range 1..65535",
            "port = -1, negative", "port = 33x, not a whole number", "port = 99999999999, too large",
            "metrics_port = 70000, out of range", "admin_port = 0, out of range"})
    void portsMustBeIn1To65535(String line, String message) {
        assertError(withCluster(line), line, message);
    }

    @Test
    void nodePortMustBeInRangeAndOverridesTheClusterPort() {
        assertError(replace(BASE, "address = 198.18.0.2", "address = 198.18.0.2\nport = 0"), "port = 0", "out of range");
        ClusterConfig c = parse(replace(withCluster("port = 4000"), "address = 198.18.0.2", "address = 198.18.0.2\nport = 4001"));
        assertEquals(4000, c.node("a").orElseThrow().port());
        assertEquals(4001, c.node("b").orElseThrow().port());
    }

    @Test
    void secretAndSecretFileAreMutuallyExclusive() {
        String text = withCluster("secret_file = /etc/lcs/secret");
        assertError(text, "secret_file = /etc/lcs/secret", "mutually exclusive ('secret' is set on line "
                + line(text, "secret = 0123456789abcdef") + ")");
    }

    @Test
    void secretFileMustBeAbsoluteAndIsNotReadByTheParser() {
        String base = replace(BASE, "secret = 0123456789abcdef", "secret_file = etc/secret");
        assertError(base, "secret_file = etc/secret", "must be an absolute path");
        ClusterConfig c = parse(replace(BASE, "secret = 0123456789abcdef", "secret_file = /nonexistent/secret"));
        assertEquals("/nonexistent/secret", c.secretFile());
        assertNull(c.secret());
    }

    @Test
    void secretShorterThanTheTransportNeedsIsAnError() {
        assertError(replace(BASE, "secret = 0123456789abcdef", "secret = 0123456789abcde"),
                "secret = 0123456789abcde", "at least 16");
    }

    @Test
    void secretKeepsHashAndSemicolonInside() {
        assertEquals("ab#c;d-0123456789abcdef", parse(replace(BASE, "secret = 0123456789abcdef", "secret = ab#c;d-0123456789abcdef")).secret());
    }

    @ParameterizedTest
    @CsvSource({"true,true", "yes,true", "on,true", "1,true", "TRUE,true", "false,false", "no,false", "off,false",
            "0,false", "Off,false"})
    void booleansAcceptEverySpelling(String text, boolean expected) {
        assertEquals(expected, parse(withCluster("metrics = " + text)).metrics());
    }

    @Test
    void booleanRefusesOtherWords() {
        assertError(withCluster("metrics = maybe"), "metrics = maybe", "not a boolean; use true/false, yes/no, on/off or 1/0");
    }

    @Test
    void adminTokenFileIsRequiredWhenAdminBindIsNotLoopback() {
        assertError(withCluster("admin_bind = 198.18.0.1"), "admin_bind = 198.18.0.1", "set admin_token_file");
        assertError(withCluster("admin_bind ="), "admin_bind =", "(all addresses) is not a loopback address");
        ClusterConfig ok = parse(withCluster("admin_bind = 198.18.0.1\nadmin_token_file = /etc/lcs/token"));
        assertEquals("/etc/lcs/token", ok.adminTokenFile());
        assertEquals("::1", parse(withCluster("admin_bind = ::1")).adminBind());
        assertEquals("127.0.0.5", parse(withCluster("admin_bind = 127.0.0.5")).adminBind());
    }

    @Test
    void adminTokenFileMustBeAbsolute() {
        assertError(withCluster("admin_token_file = token"), "admin_token_file = token", "must be an absolute path");
    }

    @Test
    void stateDirMustBeAbsolute() {
        assertError(withCluster("state_dir = var/lib/lcs"), "state_dir = var/lib/lcs", "must be an absolute path");
        assertEquals("/srv/lcs", parse(withCluster("state_dir = /srv/lcs")).stateDir());
    }

    @Test
    void probeMillisIsBounded() {
        assertError(withCluster("probe_ms = 0"), "probe_ms = 0", "out of range 1..10000 ms");
        assertEquals(100, parse(withCluster("probe_ms = 100")).probeMillis());
    }

    @Test
    void emptyValueIsAnErrorExceptForBindKeys() {
        assertError(withCluster("state_dir ="), "state_dir =", "'state_dir' has no value");
        assertEquals("", parse(withCluster("metrics_bind =\nmetrics = true\nmetrics_port = 9200")).metricsBind());
    }

    @Test
    void nodeRoleIsRequiredAndMustBeKnown() {
        assertError(errors(replace(BASE, "role = quorum-only\n", "")), line(BASE, "[node c]"),
                "[node c] is missing required key 'role'");
        assertError(replace(BASE, "role = quorum-only", "role = full_member"), "role = full_member",
                "did you mean 'full-member'?");
        assertError(replace(BASE, "role = quorum-only", "role = witness"), "role = witness",
                "did you mean 'quorum-only'?");
    }

    @Test
    void nodeAddressIsRequired() {
        assertError(errors(replace(BASE, "address = 198.18.0.2\n", "")), line(BASE, "[node b]"),
                "[node b] is missing required key 'address'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"db1.example.net", "db1", "DB1.Example.NET.", "2001:db8::2", "198.18.0.2"})
    void nodeAddressMayBeIpOrHostName(String address) {
        ClusterConfig c = parse(replace(BASE, "address = 198.18.0.2", "address = " + address));
        String stored = c.node("b").orElseThrow().address();
        assertEquals(stored.toLowerCase(), stored, "canonical lower case");
        assertFalse(stored.endsWith("."));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "bad_host.example|character '_' is not allowed",
            "-db.example|starts or ends with '-'",
            "a..b|empty label",
            "198.18.0.300|octet '300'",
            "198.18.0|not an IPv4 or IPv6 address",
            "2001:db8::zz|not an IPv4 or IPv6 address",
            "[2001:db8::2]|without brackets",
            "198.18.0.2/24|not a CIDR",
            "host.123|last label is all digits"})
    void nodeAddressSyntaxIsChecked(String address, String message) {
        String text = replace(BASE, "address = 198.18.0.2", "address = " + address);
        assertError(text, "address = " + address, message);
    }

    @Test
    void vipAddressIsRequiredAndMustBeACidr() {
        assertError(errors(replace(BASE, "address = 198.18.0.100/24\n", "")), line(BASE, "[vip web]"),
                "[vip web] is missing required key 'address'");
        assertError(replace(BASE, "address = 198.18.0.100/24", "address = 198.18.0.100"), "address = 198.18.0.100",
                "the prefix length is missing");
        assertError(replace(BASE, "address = 198.18.0.100/24", "address = 198.18.0.100/33"), "address = 198.18.0.100/33",
                "prefix length 33 is greater than 32");
        assertError(replace(BASE, "address = 198.18.0.100/24", "address = 224.0.0.1/32"), "address = 224.0.0.1/32",
                "must be a unicast address");
    }

    @Test
    void vipAcceptsIpv6() {
        ClusterConfig c = parse(replace(BASE, "address = 198.18.0.100/24", "address = 2001:DB8::100/64"));
        assertEquals("2001:db8::100/64", c.vips().get(0).address().toString());
    }

    @Test
    void vipInterfaceIsRequired() {
        assertError(errors(replace(BASE, "interface = eth0\n", "")), line(BASE, "[vip web]"),
                "[vip web] is missing required key 'interface'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"eth0:1|may not contain", "a/b|may not contain",
            "abcdefghijklmnop|longer than 15", "..|reserved"})
    void vipInterfaceMustBeALinuxInterfaceName(String ifname, String message) {
        String text = replace(BASE, "interface = eth0", "interface = " + ifname);
        assertError(text, "interface = " + ifname, message);
    }

    @Test
    void fifteenCharacterInterfaceNameIsAccepted() {
        assertEquals("abcdefghijklmno", parse(replace(BASE, "interface = eth0", "interface = abcdefghijklmno"))
                .vips().get(0).interfaceName());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pre_start", "post_start", "pre_stop", "post_stop"})
    void hooksMustBeAbsolutePaths(String hook) {
        String text = replace(BASE, "interface = eth0", "interface = eth0\n" + hook + " = hooks/run");
        assertError(text, hook + " = hooks/run", hook + " = 'hooks/run' must be an absolute path");
        VipConfig v = parse(replace(BASE, "interface = eth0", "interface = eth0\n" + hook + " = /usr/libexec/x"))
                .vips().get(0);
        assertEquals("/usr/libexec/x", switch (hook) {
            case "pre_start" -> v.preStart();
            case "post_start" -> v.postStart();
            case "pre_stop" -> v.preStop();
            default -> v.postStop();
        });
    }

    @Test
    void preferredNodesAreSeparatedByCommasOrSpaces() {
        String text = replace(BASE, "interface = eth0", "interface = eth0\npreferred_nodes = b,a");
        assertEquals(List.of("b", "a"), parse(text).vips().get(0).preferredNodes());
        text = replace(BASE, "interface = eth0", "interface = eth0\npreferred_nodes =  b ,  a ");
        assertEquals(List.of("b", "a"), parse(text).vips().get(0).preferredNodes());
        text = replace(BASE, "interface = eth0", "interface = eth0\npreferred_nodes = b a");
        assertEquals(List.of("b", "a"), parse(text).vips().get(0).preferredNodes());
        assertTrue(parse(BASE).vips().get(0).preferredNodes().isEmpty());
    }

    @Test
    void preferredNodesMustExistAndBeFullMembers() {
        String unknown = replace(BASE, "interface = eth0", "interface = eth0\npreferred_nodes = a, x");
        assertError(unknown, "preferred_nodes = a, x", "there is no [node x] section");
        String witness = replace(BASE, "interface = eth0", "interface = eth0\npreferred_nodes = c");
        assertError(witness, "preferred_nodes = c", "node 'c' is quorum-only and never holds a VIP");
        String twice = replace(BASE, "interface = eth0", "interface = eth0\npreferred_nodes = a a");
        assertError(twice, "preferred_nodes = a a", "'a' is listed twice");
    }

    @Test
    void anIpv6ZoneIdIsRefusedNamingZoneIdsInVipNodeAndBindAddresses() {
        assertError(replace(BASE, "address = 198.18.0.100/24", "address = fe80::100%eth0/64"),
                "address = fe80::100%eth0/64", "zone IDs are not supported");
        assertError(replace(BASE, "address = 198.18.0.2", "address = fe80::2%eth0"), "address = fe80::2%eth0",
                "zone IDs are not supported");
        assertError(withCluster("bind = fe80::1%eth0"), "bind = fe80::1%eth0", "zone IDs are not supported");
    }
}
