package io.lcs.model.config;

import static io.lcs.model.config.Configs.BASE;
import static io.lcs.model.config.Configs.assertError;
import static io.lcs.model.config.Configs.errors;
import static io.lcs.model.config.Configs.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code [check NAME]} sections and the {@code checks} / {@code on_no_healthy_node} keys of a VIP. */
class ConfigChecksTest {
    private static final String WITH_CHECK = BASE + """
            checks = web-http

            [check web-http]
            type = http
            url = http://127.0.0.1:8080/healthz
            """;

    private static String check(String body) {
        return BASE + "checks = c1\n\n[check c1]\n" + body;
    }

    @Test
    void httpCheckGetsDefaultsAndTheVipNamesIt() {
        ClusterConfig c = parse(WITH_CHECK);
        CheckConfig check = c.checks().get(0);
        assertEquals("web-http", check.name());
        assertEquals(CheckConfig.Type.HTTP, check.type());
        assertEquals("http://127.0.0.1:8080/healthz", check.url());
        assertEquals(0, check.expectStatus(), "0: any 2xx");
        assertEquals(1000, check.intervalMillis());
        assertEquals(1000, check.timeoutMillis());
        assertEquals(3, check.fall());
        assertEquals(2, check.rise());
        assertEquals(10_000, check.holdMillis());
        assertEquals(List.of("web-http"), c.vips().get(0).checks());
        assertFalse(c.vips().get(0).stopWhenNoHealthyNode(), "keep is the default");
    }

    @Test
    void everyTypeParsesItsOwnKey() {
        ClusterConfig c = parse(BASE + """
                checks = e, t, t6, i
                on_no_healthy_node = stop

                [check e]
                type = exec
                command = /etc/lcs/checks/db  --primary   -q
                interval_ms = 500
                timeout_ms = 200
                fall = 1
                rise = 5
                hold_ms = 0

                [check t]
                type = tcp
                address = db.example:5432

                [check t6]
                type = tcp
                address = [2001:db8::1]:80

                [check i]
                type = interface
                interface = eth0
                """);
        assertEquals(List.of("/etc/lcs/checks/db", "--primary", "-q"), c.checks().get(0).command());
        assertEquals(200, c.checks().get(0).timeoutMillis());
        assertEquals(0, c.checks().get(0).holdMillis());
        assertEquals("db.example", c.checks().get(1).host());
        assertEquals(5432, c.checks().get(1).port());
        assertEquals("2001:db8::1", c.checks().get(2).host());
        assertEquals("[2001:db8::1]:80", c.checks().get(2).target());
        assertEquals("eth0", c.checks().get(3).interfaceName());
        assertTrue(c.vips().get(0).stopWhenNoHealthyNode());
        assertTrue(HookPolicy.of(c).namedInConfig("/etc/lcs/checks/db"), "an exec check's program is lcs.conf's");
    }

    @Test
    void unknownTypeIsAnErrorAtItsLine() {
        String text = check("type = ping\n");
        assertError(text, "type = ping", "type = 'ping' is not a check type; use exec, tcp, http or interface");
    }

    @Test
    void missingTypeIsAnErrorAtTheSection() {
        String text = check("url = http://h/\n");
        assertError(text, "[check c1]", "missing required key 'type'");
    }

    @Test
    void httpWithoutUrlAndExecWithoutCommandAreErrors() {
        assertError(check("type = http\n"), "[check c1]", "of type http is missing required key 'url'");
        assertError(check("type = exec\n"), "[check c1]", "of type exec is missing required key 'command'");
        assertError(check("type = tcp\n"), "[check c1]", "of type tcp is missing required key 'address'");
    }

    @Test
    void intervalZeroAndTimeoutOverIntervalAreErrors() {
        assertError(check("type = interface\ninterface = eth0\ninterval_ms = 0\n"), "interval_ms = 0",
                "interval_ms = 0 is out of range 100..3600000");
        assertError(check("type = interface\ninterface = eth0\ninterval_ms = 500\ntimeout_ms = 600\n"),
                "timeout_ms = 600", "must be at most interval_ms (500)");
        assertError(check("type = interface\ninterface = eth0\nfall = 0\n"), "fall = 0", "out of range 1..100");
    }

    @Test
    void keysOfAnotherTypeAndBadValuesAreErrors() {
        assertError(check("type = tcp\naddress = h:1\nurl = http://h/\n"), "url = http://h/",
                "'url' is for type = http, not tcp");
        assertError(check("type = exec\ncommand = check-db\n"), "command = check-db", "must be an absolute path");
        assertError(check("type = http\nurl = https://h/\n"), "url = https://h/", "must start with http://");
        assertError(check("type = http\nurl = http:///x\n"), "url = http:///x", "has no host");
        assertError(check("type = http\nurl = http://u:p@h/\n"), "url = http://u:p@h/", "user name or password");
        assertError(check("type = http\nurl = http://h:99999/\n"), "url = http://h:99999/", "port '99999'");
        assertError(check("type = tcp\naddress = 2001:db8::1:80\n"), "address = 2001:db8::1:80", "must be HOST:PORT");
        assertError(check("type = tcp\naddress = h:0\n"), "address = h:0", "port '0' is not 1..65535");
        assertError(check("type = interface\ninterface = a/b\n"), "interface = a/b", "may not contain '/'");
        assertError(check("type = http\nurl = http://h/\nexpect_status = 99\n"), "expect_status = 99",
                "out of range 100..599");
    }

    @Test
    void unknownCheckReferencedIsAnErrorAtTheChecksLine() {
        String text = BASE + "checks = web, nope\n\n[check web]\ntype = interface\ninterface = eth0\n";
        assertError(text, "checks = web, nope", "checks: there is no [check nope] section (checks: web)");
        assertError(BASE + "checks = a, a\n\n[check a]\ntype = interface\ninterface = eth0\n", "checks = a, a",
                "'a' is listed twice");
    }

    @Test
    void unknownPolicyAndUnknownCheckKeyAreErrors() {
        assertError(BASE + "on_no_healthy_node = move\n", "on_no_healthy_node = move",
                "use keep (stay where it is, the default) or stop");
        assertError(check("type = interface\ninterface = eth0\nretries = 3\n"), "retries = 3",
                "unknown key 'retries' in [check c1]");
    }

    @Test
    void everyErrorIsReportedAtOnce() {
        List<ConfigError> errors = errors(check("type = http\ninterval_ms = 0\n"));
        assertEquals(2, errors.size(), Configs.render(errors));
    }
}
