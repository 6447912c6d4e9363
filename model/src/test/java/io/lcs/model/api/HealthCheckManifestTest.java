package io.lcs.model.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.api.DesiredStateValidator.ApiVip;
import io.lcs.model.api.DesiredStateValidator.State;
import io.lcs.model.codec.ManifestError;
import io.lcs.model.codec.ManifestException;
import io.lcs.model.codec.Manifests;
import io.lcs.model.config.CheckConfig;
import io.lcs.model.config.ClusterConfig;
import io.lcs.model.config.ConfigParser;
import io.lcs.model.config.Grouping;
import io.lcs.model.net.Cidr;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code kind: HealthCheck} and {@code VirtualIP.spec.checks}: parsing, per-object rules, whole-state rules. */
class HealthCheckManifestTest {
    private static final String CONF = """
            [cluster]
            name = demo
            node = a
            secret = 0123456789abcdef
            hook_dirs = /etc/lcs/hooks

            [node a]
            role = full-member
            address = 198.18.0.1

            [node b]
            role = full-member
            address = 198.18.0.2

            [check local]
            type = tcp
            address = 127.0.0.1:22
            """;
    private static final ClusterConfig CONFIG = ConfigParser.parse("lcs.conf", CONF);

    private static List<String> apply(State state, String yaml) {
        List<LcsObject> objects = Manifests.read("m.yaml", yaml);
        return DesiredStateValidator.validateApply(state, "m.yaml", objects).stream().map(ManifestError::toString)
                .toList();
    }

    private static String errors(String yaml) {
        ManifestException e = assertThrows(ManifestException.class, () -> Manifests.read("m.yaml", yaml));
        return e.getMessage();
    }

    @Test
    void aHealthCheckManifestIsTheCheckSectionWithTheSameDefaults() {
        List<LcsObject> objects = Manifests.read("m.yaml", """
                apiVersion: lcs/v1
                kind: HealthCheck
                metadata: {name: web}
                spec: {type: http, url: "http://127.0.0.1:8080/healthz", intervalMs: 500, fall: 2}
                """);
        CheckConfig c = ((HealthCheck) objects.get(0)).toCheckConfig();
        assertEquals(CheckConfig.Type.HTTP, c.type());
        assertEquals("http://127.0.0.1:8080/healthz", c.url());
        assertEquals(500, c.intervalMillis());
        assertEquals(500, c.timeoutMillis(), "timeout defaults to min(1000 ms, interval), as in lcs.conf");
        assertEquals(2, c.fall());
        assertEquals(2, c.rise(), "rise's lcs.conf default");

        CheckConfig exec = ((HealthCheck) Manifests.read("m.yaml", """
                apiVersion: lcs/v1
                kind: HealthCheck
                metadata: {name: db}
                spec: {type: exec, command: "/etc/lcs/hooks/check-db --primary  -q"}
                """).get(0)).toCheckConfig();
        assertEquals(List.of("/etc/lcs/hooks/check-db", "--primary", "-q"), exec.command(), "argv split on whitespace");
    }

    @Test
    void badChecksAreRefusedNamingTheDocumentAndTheManifestField() {
        String unknownType = errors("""
                apiVersion: lcs/v1
                kind: HealthCheck
                metadata: {name: web}
                spec: {type: ping, url: "http://127.0.0.1/"}
                """);
        assertTrue(unknownType.contains("spec.type") && unknownType.contains("'ping' is not a check type"), unknownType);
        String noUrl = errors("""
                apiVersion: lcs/v1
                kind: HealthCheck
                metadata: {name: web}
                spec: {type: http}
                """);
        assertTrue(noUrl.contains("spec.url") && noUrl.contains("missing required key 'url'"), noUrl);
        String zeroInterval = errors("""
                apiVersion: lcs/v1
                kind: HealthCheck
                metadata: {name: web}
                spec: {type: tcp, address: "127.0.0.1:80", intervalMs: 0}
                """);
        assertTrue(zeroInterval.contains("spec.intervalMs"), zeroInterval);
        String twice = errors("""
                apiVersion: lcs/v1
                kind: VirtualIP
                metadata: {name: v}
                spec: {address: 198.18.0.50/24, interface: eth0, checks: [local, local], onNoHealthyNode: maybe}
                """);
        assertTrue(twice.contains("spec.checks[1]") && twice.contains("listed twice"), twice);
        assertTrue(twice.contains("spec.onNoHealthyNode"), twice);
    }

    @Test
    void aVipListsOnlyChecksThatExistInLcsConfTheApiOrTheSameManifest() {
        State empty = new State(CONFIG, List.of(), Set.of());
        assertEquals(List.of("m.yaml: document 1 (VirtualIP v): spec.checks[1]: there is no check 'web' (a [check]"
                + " section of lcs.conf, a HealthCheck applied, or one in this manifest)"), apply(empty, """
                apiVersion: lcs/v1
                kind: VirtualIP
                metadata: {name: v}
                spec: {address: 198.18.0.50/24, interface: eth0, checks: [local, web]}
                """));
        assertEquals(List.of(), apply(empty, """
                apiVersion: lcs/v1
                kind: VirtualIP
                metadata: {name: v}
                spec: {address: 198.18.0.50/24, interface: eth0, checks: [local, web]}
                ---
                apiVersion: lcs/v1
                kind: HealthCheck
                metadata: {name: web}
                spec: {type: tcp, address: "127.0.0.1:80"}
                """), "the check in the same manifest");
        assertEquals(List.of(), apply(new State(CONFIG, List.of(), Set.of("web")), """
                apiVersion: lcs/v1
                kind: VirtualIP
                metadata: {name: v}
                spec: {address: 198.18.0.50/24, interface: eth0, checks: [web]}
                """), "a HealthCheck applied earlier");
    }

    @Test
    void aHealthCheckNeitherShadowsLcsConfNorRunsAProgramLcsConfDoesNotAllow() {
        State empty = new State(CONFIG, List.of(), Set.of());
        List<String> shadow = apply(empty, """
                apiVersion: lcs/v1
                kind: HealthCheck
                metadata: {name: local}
                spec: {type: tcp, address: "127.0.0.1:80"}
                """);
        assertEquals(1, shadow.size(), "" + shadow);
        assertTrue(shadow.get(0).contains("metadata.name: check local is defined in lcs.conf ([check local] at"
                + " lcs.conf:"), shadow.get(0));
        List<String> exec = apply(empty, """
                apiVersion: lcs/v1
                kind: HealthCheck
                metadata: {name: probe}
                spec: {type: exec, command: "/tmp/anyone-wrote-this"}
                """);
        assertEquals(1, exec.size(), "" + exec);
        assertTrue(exec.get(0).contains("spec.command") && exec.get(0).contains("/etc/lcs/hooks"), exec.get(0));
        assertEquals(List.of(), apply(empty, """
                apiVersion: lcs/v1
                kind: HealthCheck
                metadata: {name: probe}
                spec: {type: exec, command: "/etc/lcs/hooks/check-db"}
                """));
    }

    @Test
    void aHealthCheckAVipListsCannotBeDeletedUnlessTheVipGoesToo() {
        State s = new State(CONFIG, List.of(new ApiVip("v", Cidr.parse("198.18.0.50/24"), null, Grouping.NONE,
                List.of("web"))), Set.of("web"));
        List<ManifestError> refused = DesiredStateValidator.validateDelete(s, null,
                List.of(new ObjectKey(HealthCheck.KIND, "web")));
        assertEquals(1, refused.size());
        assertTrue(refused.get(0).message().contains("VirtualIP v lists it in spec.checks"), refused.get(0).message());
        assertEquals(List.of(), DesiredStateValidator.validateDelete(s, "m.yaml", List.of(
                new ObjectKey(HealthCheck.KIND, "web"), new ObjectKey(VirtualIP.KIND, "v"))), "both together");
        List<ManifestError> config = DesiredStateValidator.validateDelete(s, null,
                List.of(new ObjectKey(HealthCheck.KIND, "local")));
        assertTrue(config.get(0).message().contains("defined in lcs.conf"), "" + config);
    }
}
