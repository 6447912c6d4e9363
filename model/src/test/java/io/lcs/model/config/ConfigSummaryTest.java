package io.lcs.model.config;

import static io.lcs.model.config.Configs.BASE;
import static io.lcs.model.config.Configs.parse;
import static io.lcs.model.config.Configs.replace;
import static io.lcs.model.config.Configs.withCluster;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What {@code lcsd --check-config} shows. */
class ConfigSummaryTest {

    private static void assertContains(String text, String fragment) {
        assertTrue(text.contains(fragment), () -> "missing '" + fragment + "' in:\n" + text);
    }

    @Test
    void showsClusterSelfQuorumAndTiming() {
        ClusterConfig c = parse(withCluster("lease_ms = 3000\nrenew_ms = 750\nhook_timeout_ms = 8000"));
        String s = ConfigSummary.render(c);
        assertContains(s, "t.conf: OK");
        assertContains(s, "Cluster demo\n");
        assertContains(s, "membership hash: " + c.membershipHashHex());
        assertContains(s, "self: a (full-member), listening on *:3322 (all addresses)");
        assertContains(s, "quorum: 2 of 3 votes");
        assertContains(s, "lease: 3000 ms, renew every 750 ms");
        assertContains(s, "hook timeout: 8000 ms, duplicate probe: 250 ms");
        assertContains(s, "secret: inline");
        assertContains(s, "state_dir: /var/lib/lcs");
    }

    @Test
    void listsNodesWithRolesVotesAndSelf() {
        String s = ConfigSummary.render(parse(BASE));
        assertContains(s, "Nodes (3)\n");
        assertContains(s, "  a  role=full-member  votes=1  address=198.18.0.1:3322  (self)\n");
        assertContains(s, "  b  role=full-member  votes=1  address=198.18.0.2:3322\n");
        assertContains(s, "  c  role=quorum-only  votes=1  address=198.18.0.3:3322\n");
    }

    @Test
    void listsVipsWithInterfaceHooksAndPreferredNodes() {
        String text = replace(BASE, "interface = eth0",
                "interface = eth0\npre_start = /usr/local/libexec/lcs/restart-haproxy\npost_stop = /bin/true\npreferred_nodes = b, a")
                + "[vip v6]\naddress = 2001:db8::10/64\ninterface = eth1\n";
        String s = ConfigSummary.render(parse(text));
        assertContains(s, "VIPs (2)\n");
        assertContains(s, "  web 198.18.0.100/24 dev=eth0 preferred=b,a\n");
        assertContains(s, "    pre_start: /usr/local/libexec/lcs/restart-haproxy\n");
        assertContains(s, "    post_stop: /bin/true\n");
        assertFalse(s.contains("post_start:"));
        assertContains(s, "  v6 2001:db8::10/64 dev=eth1 preferred=any\n");
    }

    @Test
    void showsMetricsAndAdminEndpoints() {
        String off = ConfigSummary.render(parse(BASE));
        assertContains(off, "metrics: disabled (metrics = false)");
        assertContains(off, "admin: http://127.0.0.1:9121 (changes need the token of /var/lib/lcs/admin.token)");
        String on = ConfigSummary.render(parse(withCluster(
                "metrics = true\nmetrics_bind = ::1\nadmin_bind = 198.18.0.1\nadmin_token_file = /etc/lcs/token")));
        assertContains(on, "metrics: http://[::1]:9120/metrics");
        assertContains(on, "admin: http://198.18.0.1:9121 (changes need the token of /etc/lcs/token)");
        assertContains(off, "console: http://127.0.0.1:9121/ui/ (read-only)");
        assertContains(ConfigSummary.render(parse(withCluster("console = off"))), "console: disabled (console = off)");
    }

    @Test
    void showsWarningsWithTheirLines() {
        String text = withCluster("bind = 198.18.0.9");
        String s = ConfigSummary.render(parse(text));
        assertContains(s, "t.conf: OK (1 warning)");
        assertContains(s, "Warnings\n  t.conf:" + Configs.line(text, "bind = 198.18.0.9") + ": bind = 198.18.0.9 is not");
        assertFalse(ConfigSummary.render(parse(BASE)).contains("Warnings"));
    }
}
