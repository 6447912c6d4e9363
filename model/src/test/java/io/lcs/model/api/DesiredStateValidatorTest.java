package io.lcs.model.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.api.DesiredStateValidator.ApiVip;
import io.lcs.model.api.DesiredStateValidator.State;
import io.lcs.model.codec.ManifestError;
import io.lcs.model.config.ClusterConfig;
import io.lcs.model.config.ConfigError;
import io.lcs.model.config.ConfigParser;
import io.lcs.model.net.Cidr;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DesiredStateValidatorTest {
    private static final String CONF = """
            [cluster]
            name = demo
            node = a
            secret = 0123456789abcdef
            hook_dirs = /etc/lcs/hooks, /opt/hooks

            [node a]
            role = full-member
            address = 198.18.0.1

            [node b]
            role = full-member
            address = 198.18.0.2

            [node w]
            role = quorum-only
            address = 198.18.0.3

            [vip web]
            address = 198.18.0.100/24
            interface = eth0
            post_start = /usr/share/lcs/legacy-hook
            """;
    private static final ClusterConfig CONFIG = ConfigParser.parse("lcs.conf", CONF);
    private static final int WEB_LINE = line(CONF, "[vip web]");
    private static final int WEB_ADDRESS_LINE = line(CONF, "address = 198.18.0.100/24");
    private static final int NODE_B_LINE = line(CONF, "[node b]");

    /** The 1-based line of {@code text} whose content is {@code content}. */
    private static int line(String text, String content) {
        List<String> lines = List.of(text.split("\n", -1));
        int i = lines.indexOf(content);
        assertTrue(i >= 0, content);
        return i + 1;
    }

    private static VirtualIP vip(String name, String address) {
        return vip(name, address, null, null);
    }

    private static VirtualIP vip(String name, String address, List<String> preferred, VirtualIP.Hooks hooks) {
        return VirtualIP.of(ObjectMeta.named(name), new VirtualIP.Spec(address, "eth0", preferred, hooks));
    }

    private static State state(ApiVip... apiVips) {
        return new State(CONFIG, List.of(apiVips));
    }

    private static List<String> apply(State state, LcsObject... objects) {
        return DesiredStateValidator.validateApply(state, "request body", List.of(objects)).stream()
                .map(ManifestError::toString).toList();
    }

    private static Service service(String name, String unit) {
        return Service.of(ObjectMeta.named(name), new Service.Spec(unit));
    }

    @Test
    void anApplyThatTiesTwoLcsConfVipsOfAStrictAntiAffinityGroupTogetherIsRefused() {
        ClusterConfig apart = ConfigParser.parse("lcs.conf", CONF + """

                [group apart]
                type = anti-affinity
                mode = strict

                [vip one]
                address = 198.18.0.101/24
                interface = eth0
                group = apart

                [vip two]
                address = 198.18.0.102/24
                interface = eth0
                group = apart
                """);
        VirtualIP both = VirtualIP.of(ObjectMeta.named("both"), new VirtualIP.Spec("198.18.0.103/24", "eth0", null, null,
                null, null, null, List.of("one", "two")));
        List<String> errors = DesiredStateValidator.validateApply(new State(apart, List.of()), "both.yaml",
                List.of(both)).stream().map(ManifestError::toString).toList();
        assertEquals(1, errors.size(), "one and two would share a lease, so a node: " + errors);
        assertTrue(errors.get(0).startsWith("both.yaml: document 1 (VirtualIP both): "), errors.get(0));
        assertTrue(errors.get(0).contains("strict anti-affinity group apart"), errors.get(0));
    }

    @Test
    void aServiceNamingTheUnitOfAnotherServiceIsRefused() {
        String text = CONF + "\n[service proxy]\nsystemd_unit = haproxy.service\n";
        ClusterConfig withProxy = ConfigParser.parse("lcs.conf", text);
        State s = new State(withProxy, List.of(new ApiVip("mail", null, null, null, List.of(), "postfix.service")));
        assertEquals(List.of("request body: document 1 (Service p2): spec.systemdUnit: haproxy.service is already the unit"
                        + " of [service proxy] (lcs.conf:" + line(text, "[service proxy]") + "): each service has its own lease,"
                        + " so two nodes would run the unit at once; give each unit one service"),
                apply(s, service("p2", "haproxy.service")));
        assertTrue(apply(s, service("m2", "postfix.service")).get(0).contains("is already the unit of Service mail"));
        assertTrue(apply(s, service("x", "x.service"), service("y", "x.service")).get(0)
                .contains("document 2 (Service y): spec.systemdUnit: x.service is already the unit of Service x"
                        + " (document 1)"));
        assertEquals(List.of(), apply(s, service("mail", "postfix.service")), "a service keeps its own unit");
        assertEquals(List.of(), apply(s, service("mail", "other.service"), service("m2", "postfix.service")),
                "the unit is free once the change moves its service to another");
    }

    @Test
    void servicesThatSlippedThroughWithOneUnitKeepItByTheRuleEveryNodeApplies() {
        ApiVip early = new ApiVip("b-early", null, "2026-12-07T10:00:00Z", null, List.of(), "x.service");
        ApiVip late = new ApiVip("a-late", null, "2026-12-07T11:00:00Z", null, List.of(), "x.service");
        ApiVip other = new ApiVip("c", null, "2026-12-07T09:00:00Z", null, List.of(), "y.service");
        ApiVip vip = new ApiVip("v", Cidr.parse("198.18.0.9/24"), "2026-12-07T09:00:00Z");
        assertEquals(Map.of("a-late", "b-early"),
                DesiredStateValidator.unitConflicts(Map.of(), List.of(late, early, other, vip)),
                "the first created keeps it, not the first by name: a live winner is never displaced");
        assertEquals(Map.of("a-late", "b-early"), DesiredStateValidator.unitConflicts(Map.of(), List.of(vip, other,
                early, late)), "independent of the order");
        assertEquals(Map.of("a-late", "proxy", "b-early", "proxy"),
                DesiredStateValidator.unitConflicts(Map.of("proxy", "x.service"), List.of(late, early)),
                "lcs.conf's service first");
        assertEquals(Map.of(), DesiredStateValidator.unitConflicts(Map.of("proxy", "z.service"), List.of(late, other)));
    }

    @Test
    void aReloadGivingAServiceTheUnitOfAnAppliedServiceIsRefused() {
        String text = CONF + "\n[service proxy]\nunit = postfix.service\n";
        ClusterConfig reread = ConfigParser.parse("lcs.conf", text);
        List<ApiVip> api = List.of(new ApiVip("mail", null, null, null, List.of(), "postfix.service"));
        List<ConfigError> errors = DesiredStateValidator.validateReload(reread, api, List.of("proxy")).errors();
        assertEquals(1, errors.size(), errors.toString());
        assertEquals(line(text, "unit = postfix.service"), errors.get(0).line());
        assertTrue(errors.get(0).message().contains("[service proxy] unit postfix.service is already the unit of Service mail"),
                errors.get(0).message());
    }

    @Test
    void applyOfAVipWithTheAddressOfAnAppliedVipIsRefusedNamingDocumentFieldAndTheOtherVip() {
        State s = state(new ApiVip("db", Cidr.parse("198.18.0.50/24")));
        assertEquals(List.of("request body: document 1 (VirtualIP db2): spec.address: 198.18.0.50/24 is the same IP as"
                        + " VirtualIP db (198.18.0.50/24); one IP can be only one VIP"),
                apply(s, vip("db2", "198.18.0.50/24")));
        assertEquals(List.of(), apply(s, vip("db", "198.18.0.50/24")), "re-applying the VIP itself is no clash");
    }

    @Test
    void theSameIpWithAnotherPrefixLengthIsTheSameAddress() {
        State s = state(new ApiVip("db", Cidr.parse("198.18.0.50/24")));
        assertEquals(1, apply(s, vip("db2", "198.18.0.50/32")).size());
    }

    @Test
    void ipv6AddressesAreComparedAsAddressesNotAsText() {
        State s = state(new ApiVip("v6", Cidr.parse("2001:db8::1/64")));
        List<String> p = apply(s, vip("v6b", "2001:0DB8:0:0:0:0:0:0001/128"));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("is the same IP as VirtualIP v6 (2001:db8::1/64)"), p.get(0));
    }

    @Test
    void applyOfAVipWithTheAddressOfAnLcsConfVipNamesItsFileAndLine() {
        assertEquals(List.of("request body: document 1 (VirtualIP web2): spec.address: 198.18.0.100/32 is the same IP"
                        + " as [vip web] at lcs.conf:" + WEB_ADDRESS_LINE + " (198.18.0.100/24); one IP can be only one VIP"),
                apply(state(), vip("web2", "198.18.0.100/32")));
    }

    @Test
    void aMultiDocumentApplyIsCheckedAsAWholeAgainstItselfAndTheState() {
        List<String> p = apply(state(), vip("x", "198.18.0.60/24"), vip("y", "198.18.0.61/24"),
                vip("z", "198.18.0.60/24"));
        assertEquals(List.of("request body: document 3 (VirtualIP z): spec.address: 198.18.0.60/24 is the same IP as"
                + " document 1 (VirtualIP x) (198.18.0.60/24); one IP can be only one VIP"), p);
        // two VIPs swapping addresses in one apply leave every IP unique: accepted
        State s = state(new ApiVip("x", Cidr.parse("198.18.0.60/24")), new ApiVip("y", Cidr.parse("198.18.0.61/24")));
        assertEquals(List.of(), apply(s, vip("x", "198.18.0.61/24"), vip("y", "198.18.0.60/24")));
    }

    @Test
    void anApiVipMayNotShadowAnLcsConfVip() {
        assertEquals(List.of("request body: document 1 (VirtualIP web): metadata.name: VirtualIP web is defined in"
                + " lcs.conf ([vip web] at lcs.conf:" + WEB_LINE + "); change it there, or pick another name"),
                apply(state(), vip("web", "198.18.0.100/24")));
    }

    @Test
    void aVipMayNotBeTheAddressOfANode() {
        assertEquals(List.of("request body: document 1 (VirtualIP x): spec.address: 198.18.0.2 is the address of"
                + " [node b] (lcs.conf:" + NODE_B_LINE + "); a VIP must be an address no node owns permanently"),
                apply(state(), vip("x", "198.18.0.2/24")));
    }

    @Test
    void preferredNodesMustBeConfiguredFullMembers() {
        assertEquals(List.of(
                "request body: document 1 (VirtualIP x): spec.preferredNodes[1]: node 'w' is quorum-only and never"
                        + " holds a VIP or a service; list only full-member nodes",
                "request body: document 1 (VirtualIP x): spec.preferredNodes[2]: there is no [node c] in lcs.conf"
                        + " (nodes: a, b, w)"),
                apply(state(), vip("x", "198.18.0.60/24", List.of("a", "w", "c"), null)));
    }

    @Test
    void movesAndAcksMustNameAVipAndMovesAFullMember() {
        Move toWitness = new Move("lcs/v1", "Move", ObjectMeta.named("m"), new Move.Spec("web", "w", null));
        Move ofNothing = new Move("lcs/v1", "Move", ObjectMeta.named("m2"), new Move.Spec("nope", null, null));
        ConflictAck ack = new ConflictAck("lcs/v1", "ConflictAck", ObjectMeta.named("k"), new ConflictAck.Spec("nope", 3L));
        assertEquals(List.of(
                "request body: document 1 (Move m): spec.to: node 'w' is quorum-only and never holds a VIP",
                "request body: document 2 (Move m2): spec.vip: there is no VirtualIP or Service 'nope' (in lcs.conf, applied, or in"
                        + " this manifest)",
                "request body: document 3 (ConflictAck k): spec.vip: there is no VirtualIP or Service 'nope' (in lcs.conf, applied,"
                        + " or in this manifest)"),
                apply(state(), toWitness, ofNothing, ack));
        // a VIP created in the same manifest can be referred to
        assertEquals(List.of(), apply(state(), vip("nope", "198.18.0.60/24"), ofNothing, ack));
    }

    @Test
    void nodeIntentsMustNameANodeAndCordoningAQuorumOnlyNodeIsRefused() {
        assertEquals(List.of(
                "request body: document 1 (NodeIntent c): metadata.name: there is no [node c] in lcs.conf (nodes: a, b, w)",
                "request body: document 2 (NodeIntent w): metadata.name: node 'w' is quorum-only and never holds a VIP:"
                        + " cordoning or draining it changes nothing"),
                apply(state(), new NodeIntent("lcs/v1", "NodeIntent", ObjectMeta.named("c"), new NodeIntent.Spec(true, false)),
                        new NodeIntent("lcs/v1", "NodeIntent", ObjectMeta.named("w"), new NodeIntent.Spec(true, true))));
        assertEquals(List.of(), apply(state(),
                new NodeIntent("lcs/v1", "NodeIntent", ObjectMeta.named("b"), new NodeIntent.Spec(true, true))));
    }

    @Test
    void aManifestHookOutsideHookDirsIsRefusedNamingTheAllowedDirectories() {
        List<String> p = apply(state(), vip("x", "198.18.0.60/24", null,
                new VirtualIP.Hooks("/tmp/evil", null, "/etc/lcs/hooks/../../../tmp/evil", null)));
        assertEquals(List.of(
                "request body: document 1 (VirtualIP x): spec.hooks.preStart: '/tmp/evil' is not inside the allowed hook"
                        + " directories (/etc/lcs/hooks, /opt/hooks) and is not a hook lcs.conf names; put the program"
                        + " there, or add its directory to [cluster] hook_dirs in lcs.conf on every node",
                "request body: document 1 (VirtualIP x): spec.hooks.preStop: '/etc/lcs/hooks/../../../tmp/evil'"
                        + " (/tmp/evil) is not inside the allowed hook directories (/etc/lcs/hooks, /opt/hooks) and is"
                        + " not a hook lcs.conf names; put the program there, or add its directory to [cluster]"
                        + " hook_dirs in lcs.conf on every node"), p);
        // inside a hook_dirs directory, or a path lcs.conf itself names (wherever it lives): allowed
        assertEquals(List.of(), apply(state(), vip("x", "198.18.0.60/24", null,
                new VirtualIP.Hooks("/opt/hooks/start", "/etc/lcs/hooks/sub/post", null, "/usr/share/lcs/legacy-hook"))));
    }

    @Test
    void everyProblemOfEveryDocumentIsReported() {
        List<String> p = apply(state(new ApiVip("db", Cidr.parse("198.18.0.50/24"))),
                vip("ok", "198.18.0.70/24"), vip("db2", "198.18.0.50/24", List.of("zz"), null));
        assertEquals(2, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("request body: document 2 (VirtualIP db2): spec.address:"), p.get(0));
        assertTrue(p.get(1).startsWith("request body: document 2 (VirtualIP db2): spec.preferredNodes[0]:"), p.get(1));
    }

    @Test
    void anLcsConfVipCannotBeDeletedThroughTheApi() {
        List<ManifestError> p = DesiredStateValidator.validateDelete(state(), "request body",
                List.of(new ObjectKey("VirtualIP", "other"), new ObjectKey("VirtualIP", "web")));
        assertEquals(List.of("request body: document 2 (VirtualIP web): metadata.name: VirtualIP web is defined in"
                + " lcs.conf ([vip web] at lcs.conf:" + WEB_LINE + "); remove its [vip] section there"),
                p.stream().map(ManifestError::toString).toList());
        // an API object of that name that lcs.conf hides may still be deleted
        assertEquals(List.of(), DesiredStateValidator.validateDelete(state(new ApiVip("web", Cidr.parse("198.18.0.100/24"))),
                null, List.of(new ObjectKey("VirtualIP", "web"))));
    }

    @Test
    void aReloadWhoseVipHasTheAddressOfAnApiVipIsRefusedNamingTheLineAndTheApiObject() {
        String text = CONF + "\n[vip new]\naddress = 198.18.0.50/32\ninterface = eth1\n";
        ClusterConfig reread = ConfigParser.parse("lcs.conf", text);
        List<ApiVip> api = List.of(new ApiVip("db", Cidr.parse("198.18.0.50/24")));
        DesiredStateValidator.ReloadCheck check = DesiredStateValidator.validateReload(reread, api, List.of("web", "new"));
        assertEquals(List.of("lcs.conf:" + line(text, "address = 198.18.0.50/32") + ": [vip new] address 198.18.0.50/32 is the same IP as VirtualIP db (198.18.0.50/24)"
                        + " applied through the API; one IP can be only one VIP: change the address, or delete the API"
                        + " object first (lcs delete vip db)"),
                check.errors().stream().map(ConfigError::toString).toList());
        assertEquals(List.of(), check.warnings());
        assertEquals(List.of(), DesiredStateValidator.validateReload(reread, api, List.of("web")).errors(),
                "only the sections the reload adds or changes are its doing");
    }

    @Test
    void aReloadThatTakesOverAnApiVipOfTheSameNameWarns() {
        DesiredStateValidator.ReloadCheck check = DesiredStateValidator.validateReload(CONFIG,
                List.of(new ApiVip("web", Cidr.parse("198.18.0.100/24"))), List.of("web"));
        assertEquals(List.of(), check.errors());
        assertEquals(1, check.warnings().size());
        assertTrue(check.warnings().get(0).toString().startsWith("lcs.conf:" + WEB_LINE + ": [vip web] hides VirtualIP web"),
                check.warnings().toString());
    }

    @Test
    void whenTwoVipsShareAnIpTheEarliestCreatedKeepsItTiesByNameAndLcsConfFirst() {
        ApiVip older = new ApiVip("zeta", Cidr.parse("198.18.0.50/24"), "2025-01-01T00:00:00Z");
        ApiVip newer = new ApiVip("alpha", Cidr.parse("198.18.0.50/32"), "2025-01-02T00:00:00Z");
        ApiVip unknownAge = new ApiVip("aaa", Cidr.parse("198.18.0.50/24"), null);
        ApiVip tieB = new ApiVip("b", Cidr.parse("198.18.0.60/24"), "2025-01-01T00:00:00Z");
        ApiVip tieA = new ApiVip("a", Cidr.parse("198.18.0.60/24"), "2025-01-01T00:00:00Z");
        ApiVip onConfigIp = new ApiVip("old", Cidr.parse("198.18.0.100/24"), "2020-01-01T00:00:00Z");
        Map<String, Cidr> configVips = Map.of("web", CONFIG.vip("web").orElseThrow().address());
        Map<String, String> expected = Map.of("alpha", "zeta", "aaa", "zeta", "b", "a", "old", "web");
        List<ApiVip> all = new ArrayList<>(List.of(older, newer, unknownAge, tieB, tieA, onConfigIp,
                new ApiVip("alone", Cidr.parse("198.18.0.70/24"), null)));
        Random random = new Random(7);
        for (int i = 0; i < 50; i++) { // every node computes the same, whatever order it learned the VIPs in
            Collections.shuffle(all, random);
            assertEquals(expected, DesiredStateValidator.addressConflicts(configVips, all), "order " + all);
        }
        assertEquals(Map.of(), DesiredStateValidator.addressConflicts(configVips, List.of(older, tieA)));
    }
}
