package io.lcs.model.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.api.DesiredStateValidator.ApiVip;
import io.lcs.model.api.DesiredStateValidator.State;
import io.lcs.model.codec.ManifestError;
import io.lcs.model.codec.ManifestException;
import io.lcs.model.codec.Manifests;
import io.lcs.model.config.ClusterConfig;
import io.lcs.model.config.ConfigParser;
import io.lcs.model.config.Grouping;
import io.lcs.model.net.Cidr;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code kind: Service}: parsing, per-object rules, and the whole-state rules it shares with VirtualIP. */
class ServiceManifestTest {
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

            [node w]
            role = quorum-only
            address = 198.18.0.3

            [group web]
            type = keep-together
            mode = strict

            [vip web-ip]
            address = 198.18.0.100/24
            interface = eth0
            group = web

            [service mail]
            systemd_unit = postfix.service
            """;
    private static final ClusterConfig CONFIG = ConfigParser.parse("lcs.conf", CONF);
    private static final State EMPTY = new State(CONFIG, List.of(), Set.of());

    private static List<String> apply(State state, String yaml) {
        return DesiredStateValidator.validateApply(state, "m.yaml", Manifests.read("m.yaml", yaml)).stream()
                .map(ManifestError::toString).toList();
    }

    private static List<String> delete(State state, ObjectKey key) {
        return DesiredStateValidator.validateDelete(state, null, List.of(key)).stream().map(ManifestError::message)
                .toList();
    }

    private static String errors(String yaml) {
        return assertThrows(ManifestException.class, () -> Manifests.read("m.yaml", yaml)).getMessage();
    }

    private static ApiVip apiService(String name, String... dependsOn) {
        return new ApiVip(name, null, null, new Grouping(null, null, null, List.of(dependsOn)));
    }

    @Test
    void aServiceManifestCarriesItsUnitAndEveryResourceField() {
        Service s = (Service) Manifests.read("m.yaml", """
                apiVersion: lcs/v1
                kind: Service
                metadata: {name: proxy}
                spec:
                  systemdUnit: haproxy.service
                  group: web
                  priority: 5
                  homeNode: a
                  dependsOn: [web-ip]
                  preferredNodes: [a, b]
                  checks: [http]
                  onNoHealthyNode: stop
                  hooks: {preStart: /etc/lcs/hooks/pre}
                """).get(0);
        assertEquals("haproxy.service", s.spec().systemdUnit());
        assertEquals(new Grouping("web", 5, "a", List.of("web-ip")), s.spec().grouping());
        assertEquals(List.of("a", "b"), s.spec().preferredNodes());
        assertEquals(List.of("http"), s.spec().checks());
        assertTrue(s.spec().stopWhenNoHealthyNode());
        assertEquals("/etc/lcs/hooks/pre", s.spec().hooks().preStart());
    }

    @Test
    void aBadUnitOrAnAddressIsRefusedNamingTheField() {
        String noUnit = errors("apiVersion: lcs/v1\nkind: Service\nmetadata: {name: s}\nspec: {group: web}\n");
        assertTrue(noUnit.contains("spec.systemdUnit: is required"), noUnit);
        String notService = errors("apiVersion: lcs/v1\nkind: Service\nmetadata: {name: s}\nspec: {systemdUnit: x.timer}\n");
        assertTrue(notService.contains("spec.systemdUnit: 'x.timer' is not a systemd service unit name"), notService);
        String template = errors("apiVersion: lcs/v1\nkind: Service\nmetadata: {name: s}\nspec: {systemdUnit: getty@.service}\n");
        assertTrue(template.contains("is a template; name an instance"), template);
        String self = errors("apiVersion: lcs/v1\nkind: Service\nmetadata: {name: s}\nspec: {systemdUnit: lcsd.service}\n");
        assertTrue(self.contains("lcsd.service is lcs itself"), self);
        String address = errors("apiVersion: lcs/v1\nkind: Service\nmetadata: {name: s}\n"
                + "spec: {systemdUnit: a.service, address: 198.18.0.9/24}\n");
        assertTrue(address.contains("spec.address") && address.contains("unknown field"), address);
    }

    @Test
    void aServiceWithoutAUnitIsOnlyItsHooksAndNeedsPreStart() {
        Service s = (Service) Manifests.read("m.yaml", """
                apiVersion: lcs/v1
                kind: Service
                metadata: {name: eip}
                spec:
                  hooks: {preStart: /etc/lcs/hooks/aws-attach, postStop: /etc/lcs/hooks/aws-detach}
                """).get(0);
        assertTrue(s.spec().hookOnly());
        assertEquals(List.of(), apply(EMPTY, "apiVersion: lcs/v1\nkind: Service\nmetadata: {name: eip}\n"
                + "spec: {hooks: {preStart: /etc/lcs/hooks/aws-attach}}\n"));
        String noPreStart = errors("apiVersion: lcs/v1\nkind: Service\nmetadata: {name: eip}\n"
                + "spec: {hooks: {postStop: /etc/lcs/hooks/aws-detach}}\n");
        assertTrue(noPreStart.contains("spec.systemdUnit: is required") && noPreStart.contains("spec.hooks.preStart"),
                noPreStart);
    }

    @Test
    void aVipMayBeAddedWithoutAnnouncementsAndThatCountsAsAChange() {
        VirtualIP v = (VirtualIP) Manifests.read("m.yaml", "apiVersion: lcs/v1\nkind: VirtualIP\nmetadata: {name: v}\n"
                + "spec: {address: 198.18.0.9/24, interface: eth0, announce: false}\n").get(0);
        assertFalse(v.spec().announced());
        VirtualIP announced = VirtualIP.of(ObjectMeta.named("v"), new VirtualIP.Spec("198.18.0.9/24", "eth0", null,
                null));
        assertTrue(announced.spec().announced(), "announced unless announce: false");
        assertFalse(ObjectDiff.specEquals(v, announced));
    }

    @Test
    void aServiceTakesPartInGroupsDependenciesAndChecksLikeAVip() {
        assertEquals(List.of(), apply(EMPTY, """
                apiVersion: lcs/v1
                kind: Service
                metadata: {name: proxy}
                spec: {systemdUnit: haproxy.service, group: web, dependsOn: [web-ip], preferredNodes: [a]}
                """));
        assertEquals(List.of(
                "m.yaml: document 1 (Service proxy): spec.preferredNodes[0]: node 'w' is quorum-only and never holds a"
                        + " VIP or a service; list only full-member nodes",
                "m.yaml: document 1 (Service proxy): spec.checks[0]: there is no check 'nope' (a [check] section of"
                        + " lcs.conf, a HealthCheck applied, or one in this manifest)"), apply(EMPTY, """
                apiVersion: lcs/v1
                kind: Service
                metadata: {name: proxy}
                spec: {systemdUnit: haproxy.service, preferredNodes: [w], checks: [nope]}
                """));
        List<String> unknownGroup = apply(EMPTY, """
                apiVersion: lcs/v1
                kind: Service
                metadata: {name: proxy}
                spec: {systemdUnit: haproxy.service, group: nope}
                """);
        assertEquals(1, unknownGroup.size(), unknownGroup.toString());
        assertTrue(unknownGroup.get(0).startsWith("m.yaml: document 1 (Service proxy): spec.group:"), unknownGroup.get(0));
        List<String> hook = apply(EMPTY, """
                apiVersion: lcs/v1
                kind: Service
                metadata: {name: proxy}
                spec: {systemdUnit: haproxy.service, hooks: {postStart: /tmp/evil}}
                """);
        assertEquals(1, hook.size(), hook.toString());
        assertTrue(hook.get(0).contains("spec.hooks.postStart") && hook.get(0).contains("hook directories"), hook.get(0));
    }

    @Test
    void aVipAndAServiceShareOneNameSpace() {
        assertEquals(List.of("m.yaml: document 1 (Service web-ip): metadata.name: Service web-ip is defined in lcs.conf"
                + " ([vip web-ip] at lcs.conf:23); change it there, or pick another name"), apply(EMPTY, """
                apiVersion: lcs/v1
                kind: Service
                metadata: {name: web-ip}
                spec: {systemdUnit: haproxy.service}
                """));
        State withApiService = new State(CONFIG, List.of(apiService("proxy")), Set.of());
        assertEquals(List.of("m.yaml: document 1 (VirtualIP proxy): metadata.name: proxy is already a Service; a VIP"
                + " and a service share one name space (one lease per name): pick another name, or delete the Service"
                + " first"), apply(withApiService, """
                apiVersion: lcs/v1
                kind: VirtualIP
                metadata: {name: proxy}
                spec: {address: 198.18.0.50/24, interface: eth0}
                """));
        State withApiVip = new State(CONFIG, List.of(new ApiVip("db", Cidr.parse("198.18.0.51/24"))), Set.of());
        assertEquals(1, apply(withApiVip, "apiVersion: lcs/v1\nkind: Service\nmetadata: {name: db}\n"
                + "spec: {systemdUnit: pg.service}\n").size(), "a Service named like an applied VirtualIP");
        List<String> sameChange = apply(EMPTY, """
                apiVersion: lcs/v1
                kind: Service
                metadata: {name: x}
                spec: {systemdUnit: x.service}
                ---
                apiVersion: lcs/v1
                kind: VirtualIP
                metadata: {name: x}
                spec: {address: 198.18.0.52/24, interface: eth0}
                """);
        assertEquals(1, sameChange.size(), sameChange.toString());
        assertTrue(sameChange.get(0).startsWith("m.yaml: document 2 (VirtualIP x): metadata.name: x is already a Service"),
                sameChange.get(0));
        assertEquals(List.of(), apply(withApiService, """
                apiVersion: lcs/v1
                kind: Service
                metadata: {name: proxy}
                spec: {systemdUnit: haproxy2.service}
                """), "changing an applied Service is no clash");
    }

    @Test
    void movesAcksAndIntentsMayNameAService() {
        State withApiService = new State(CONFIG, List.of(apiService("proxy")), Set.of());
        assertEquals(List.of(), apply(withApiService, """
                apiVersion: lcs/v1
                kind: Move
                metadata: {name: proxy}
                spec: {vip: proxy, to: b}
                ---
                apiVersion: lcs/v1
                kind: Move
                metadata: {name: mail}
                spec: {vip: mail}
                """));
    }

    @Test
    void aServiceOthersDependOnOrOneOfLcsConfCannotBeDeleted() {
        State s = new State(CONFIG, List.of(apiService("proxy"), apiService("app", "proxy")), Set.of());
        assertEquals(List.of("Service app depends on it (spec.dependsOn); delete or change app first"),
                delete(s, new ObjectKey(Service.KIND, "proxy")));
        assertEquals(List.of(), delete(s, new ObjectKey(Service.KIND, "app")));
        assertEquals(List.of("Service mail is defined in lcs.conf ([service mail] at lcs.conf:28); remove its [service]"
                + " section there"), delete(EMPTY, new ObjectKey(Service.KIND, "mail")));
    }

    @Test
    void aServiceHasNoAddressSoItNeverTakesPartInAddressConflicts() {
        assertEquals(Map.of(), DesiredStateValidator.addressConflicts(Map.of("v", Cidr.parse("198.18.0.9/24")),
                List.of(apiService("proxy"), new ApiVip("w", Cidr.parse("198.18.0.10/24")))));
        assertTrue(apiService("proxy").isService());
        assertEquals(Service.KIND, apiService("proxy").kind());
        assertFalse(new ApiVip("w", Cidr.parse("198.18.0.10/24")).isService());
        assertNull(apiService("p").address());
    }

    @Test
    void applyingTheSameServiceAgainIsUnchangedAndEveryFieldCounts() {
        Service a = Service.of(ObjectMeta.named("p"), new Service.Spec("a.service"));
        assertTrue(ObjectDiff.specEquals(a, Service.of(ObjectMeta.named("p"), new Service.Spec("a.service"))));
        assertFalse(ObjectDiff.specEquals(a, Service.of(ObjectMeta.named("p"), new Service.Spec("b.service"))));
        assertFalse(ObjectDiff.specEquals(a, Service.of(ObjectMeta.named("p"), new Service.Spec("a.service", null,
                null, null, null, null, null, List.of("http"), null))), "checks count");
        VirtualIP v = VirtualIP.of(ObjectMeta.named("v"), new VirtualIP.Spec("198.18.0.9/24", "eth0", null, null));
        assertFalse(ObjectDiff.specEquals(v, VirtualIP.of(ObjectMeta.named("v"), new VirtualIP.Spec("198.18.0.9/24",
                "eth0", null, null, null, null, null, null, List.of("http"), "stop"))),
                "a VirtualIP's checks and onNoHealthyNode count too");
        HealthCheck c = HealthCheck.of("c", new HealthCheck.Spec("tcp", null, null, null, "127.0.0.1:1", null, null,
                null, null, null, null));
        assertTrue(ObjectDiff.specEquals(c, HealthCheck.of("c", c.spec())), "a HealthCheck applied again is unchanged");
    }

    @Test
    void serverFieldsOfAServiceAndAHealthCheckAreStripped() {
        ObjectMeta served = new ObjectMeta("p", 3L, 1L, java.time.Instant.parse("2026-01-01T00:00:00Z"), null);
        Service s = new Service(LcsObject.API_VERSION, Service.KIND, served, new Service.Spec("a.service"),
                new VirtualIP.Status("active", "a", 2L, 1.0, 0L, null, 1L, null));
        Service stripped = (Service) ServerFields.strip(s);
        assertNull(stripped.status());
        assertNull(stripped.metadata().version());
        HealthCheck c = new HealthCheck(LcsObject.API_VERSION, HealthCheck.KIND, served, null);
        assertNull(((HealthCheck) ServerFields.strip(c)).metadata().version());
    }
}
