package io.lcs.model.config;

import static io.lcs.model.config.Configs.BASE;
import static io.lcs.model.config.Configs.assertError;
import static io.lcs.model.config.Configs.assertWarning;
import static io.lcs.model.config.Configs.errors;
import static io.lcs.model.config.Configs.line;
import static io.lcs.model.config.Configs.parse;
import static io.lcs.model.config.Configs.replace;
import static io.lcs.model.config.Configs.withCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Rules that relate several keys or sections: the mistakes an operator is likely to make. */
class ConfigCrossCheckTest {

    private static String nodes(int count, String role) {
        StringBuilder sb = new StringBuilder("[cluster]\nname = n\nnode = n1\nsecret = 0123456789abcdef\n");
        for (int i = 1; i <= count; i++) {
            sb.append("[node n").append(i).append("]\nrole = ").append(i == 1 ? "full-member" : role)
                    .append("\naddress = 198.18.0.").append(i).append('\n');
        }
        return sb.toString();
    }

    @Test
    void atLeastOneFullMemberIsRequired() {
        String text = BASE.replace("role = full-member", "role = quorum-only");
        assertError(errors(text), 1, "no node has role = full-member");
    }

    @Test
    void atLeastOneNodeIsRequired() {
        String text = "[cluster]\nname = x\nnode = a\n";
        assertError(errors(text), 1, "no [node NAME] sections");
    }

    @Test
    void renewMustBeShorterThanLease() {
        String text = withCluster("lease_ms = 3000\nrenew_ms = 3000");
        assertError(text, "renew_ms = 3000", "renew_ms (3000) must be less than lease_ms (3000)");
    }

    @Test
    void renewMustLeaveRoomForTwoMissedRenewals() {
        String text = withCluster("lease_ms = 3000\nrenew_ms = 1001");
        assertError(text, "renew_ms = 1001", "at most lease_ms / 3 (1000)");
        assertTrue(Configs.errors(text).get(0).message().contains("two lost or late renewals"));
        assertEquals(1000, parse(withCluster("lease_ms = 3000\nrenew_ms = 1000")).renewMillis());
    }

    @Test
    void shorterLeaseWithDefaultRenewIsReportedOnTheLeaseLine() {
        String text = withCluster("lease_ms = 1450");
        assertError(text, "lease_ms = 1450", "renew_ms (500) must be at most lease_ms / 3 (483)");
    }

    @Test
    void leaseTooShortForTheKernelFenceIsAnError() {
        String text = withCluster("lease_ms = 1399\nrenew_ms = 300");
        assertError(text, "lease_ms = 1399", "too short for the kernel fence");
        // the kernel fence alone would allow 1400; the probe and a whole second of lifetime need 1601
        assertError(withCluster("lease_ms = 1400\nrenew_ms = 400\nprobe_ms = 1"), "lease_ms = 1400",
                "lease_ms must be at least probe_ms + 1600 (1601); raise lease_ms");
        assertEquals(1601, parse(withCluster("lease_ms = 1601\nrenew_ms = 400\nprobe_ms = 1")).leaseMillis());
    }

    @Test
    void leaseMustLeaveRoomForTheProbeAndAWholeSecondOfLifetime() {
        // default probe_ms 250: 1850 is the shortest lease with which a VIP can be added at all
        assertError(withCluster("lease_ms = 1849\nrenew_ms = 400"), "lease_ms = 1849",
                "too short for a probe of 250 ms");
        assertTrue(Configs.errors(withCluster("lease_ms = 1849\nrenew_ms = 400")).get(0).message()
                .contains("lower probe_ms to at most 249"));
        assertEquals(1850, parse(withCluster("lease_ms = 1850\nrenew_ms = 400")).leaseMillis());
        // a shorter probe allows a shorter lease; the C lcs's probe_timeout_ms counts as probe_ms
        assertEquals(1700, parse(withCluster("lease_ms = 1700\nrenew_ms = 400\nprobe_ms = 100")).leaseMillis());
        assertError(withCluster("lease_ms = 1700\nrenew_ms = 400\nprobe_timeout_ms = 300"), "lease_ms = 1700",
                "too short for a probe of 300 ms");
        // lease_ms not set: the default lease grows to fit the probe, with a warning on the probe's line
        // (a C-lcs file with a long probe_timeout_ms and the C lcs's 5 s default lease must still run)
        assertEquals(2000, parse(withCluster("probe_ms = 400")).leaseMillis());
        String longProbe = withCluster("probe_timeout_ms = 450");
        ClusterConfig c = parse(longProbe);
        assertEquals(2050, c.leaseMillis());
        assertEquals(450, c.probeMillis());
        Configs.assertWarning(c, Configs.line(longProbe, "probe_timeout_ms = 450"),
                "probe_timeout_ms = 450 needs a lease of at least probe_ms + 1600: lease_ms is not set, so it is 2050 ms");
    }

    @Test
    void hookTimeoutMustBePositiveAndAtMostTenMinutes() {
        assertError(withCluster("hook_timeout_ms = 0"), "hook_timeout_ms = 0", "out of range 1..600000 ms");
        assertError(withCluster("hook_timeout_ms = 600001"), "hook_timeout_ms = 600001", "out of range 1..600000 ms");
        ClusterConfig c = parse(withCluster("hook_timeout_ms = 600000"));
        assertEquals(600000, c.hookTimeoutMillis(), "may exceed lease_ms: hooks are bounded separately");
    }

    @Test
    void twoNodesWithTheSameAddressAndPortAreAnError() {
        String text = replace(BASE, "address = 198.18.0.3", "address = 198.18.0.2");
        ConfigError e = assertError(errors(text), line(BASE, "address = 198.18.0.3"),
                "[node c] has the same address and port (198.18.0.2:3322) as [node b]");
        assertTrue(e.message().contains("on line " + line(BASE, "[node b]")));
    }

    @Test
    void twoNodesOnOneAddressWithDifferentPortsAreFine() {
        String text = replace(BASE, "address = 198.18.0.3", "address = 198.18.0.2\nport = 3323");
        assertEquals(3323, parse(text).node("c").orElseThrow().port());
    }

    @Test
    void sameNodeAddressIsComparedAfterCanonicalization() {
        String text = replace(replace(BASE, "address = 198.18.0.2", "address = 2001:db8::2"),
                "address = 198.18.0.3", "address = 2001:DB8:0:0::2");
        assertError(errors(text), line(BASE, "address = 198.18.0.3"), "same address and port ([2001:db8::2]:3322)");
    }

    @Test
    void twoVipsWithTheSameAddressAreAnError() {
        String text = BASE + "[vip web6]\naddress = 198.18.0.100/32\ninterface = eth1\n";
        assertError(text, "address = 198.18.0.100/32", "is the same IP as [vip web] (198.18.0.100/24)");
    }

    @Test
    void twoVipsWithTheSameIpv6AddressInDifferentSpellingsAreAnError() {
        String text = replace(BASE, "address = 198.18.0.100/24", "address = 2001:db8::10/64")
                + "[vip other]\naddress = 2001:DB8:0::0:10/64\ninterface = eth0\n";
        assertError(text, "address = 2001:DB8:0::0:10/64", "same IP as [vip web]");
    }

    @Test
    void vipOnANodeAddressIsAnError() {
        String text = replace(BASE, "address = 198.18.0.100/24", "address = 198.18.0.2/24");
        assertError(text, "address = 198.18.0.2/24", "is the address of [node b]");
    }

    @Test
    void bindDifferentFromOwnAddressIsAWarning() {
        String text = withCluster("bind = 198.18.0.2");
        ClusterConfig c = parse(text);
        assertWarning(c, line(text, "bind = 198.18.0.2"), "not the address of this node [node a] (198.18.0.1)");
    }

    @Test
    void bindEqualToOwnAddressOrEmptyIsNoWarning() {
        for (String bind : new String[] {"bind = 198.18.0.1", "bind ="}) {
            ClusterConfig c = parse(withCluster(bind));
            assertTrue(c.warnings().stream().noneMatch(w -> w.message().contains("bind")), c.warnings().toString());
        }
    }

    @Test
    void twoVotersIsAWarningRecommendingAWitness() {
        ClusterConfig c = parse(nodes(2, "full-member"));
        assertWarning(c, 1, "2 voters");
        assertWarning(c, 1, "quorum-only witness is recommended");
        assertEquals(2, c.quorumSize());
    }

    @Test
    void evenNumberOfVotersIsAWarning() {
        ClusterConfig c = parse(nodes(4, "full-member"));
        assertWarning(c, 1, "4 voters: an even count");
    }

    @Test
    void oddNumberOfVotersGivesNoVoterWarning() {
        ClusterConfig c = parse(nodes(3, "quorum-only"));
        assertTrue(c.warnings().isEmpty(), c.warnings().toString());
    }

    @Test
    void singleNodeIsAWarning() {
        assertWarning(parse(nodes(1, "full-member")), 1, "single node cannot fail over");
    }

    @Test
    void moreThanFifteenNodesIsAnError() {
        String text = nodes(16, "full-member");
        assertError(text, "[node n16]", "lcs supports at most 15");
    }

    @Test
    void missingSecretIsAWarning() {
        ClusterConfig c = parse(replace(BASE, "secret = 0123456789abcdef\n", ""));
        assertWarning(c, 1, "not authenticated");
    }

    @Test
    void metricsPortEqualToClusterPortOnOverlappingBindIsAnError() {
        String text = withCluster("metrics = true\nmetrics_port = 3322");
        assertError(text, "metrics_port = 3322", "metrics_port 127.0.0.1:3322 clashes with the cluster port *:3322");
    }

    @Test
    void adminPortEqualToMetricsPortIsAnError() {
        String text = withCluster("metrics = true\nadmin_port = 9120");
        assertError(text, "admin_port = 9120", "admin_port 127.0.0.1:9120 clashes with the metrics_port 127.0.0.1:9120");
    }

    @Test
    void samePortOnDifferentSpecificAddressesIsFine() {
        String text = withCluster("bind = 198.18.0.1\nadmin_port = 3322");
        assertEquals(3322, parse(text).adminPort());
    }

    @Test
    void disabledMetricsDoNotClash() {
        String text = withCluster("metrics = false\nmetrics_port = 9121");
        assertEquals(9121, parse(text).metricsPort());
    }
}
