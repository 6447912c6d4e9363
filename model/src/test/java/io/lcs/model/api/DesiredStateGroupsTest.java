package io.lcs.model.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lcs.model.api.DesiredStateValidator.ApiVip;
import io.lcs.model.api.DesiredStateValidator.State;
import io.lcs.model.codec.ManifestError;
import io.lcs.model.config.ClusterConfig;
import io.lcs.model.config.ConfigParser;
import io.lcs.model.config.Grouping;
import io.lcs.model.net.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Groups, home nodes and dependencies of VIPs applied through the API, checked with the whole state. */
class DesiredStateGroupsTest {
    private static final ClusterConfig CONFIG = ConfigParser.parse("lcs.conf", """
            [cluster]
            name = demo
            node = a
            secret = 0123456789abcdef

            [node a]
            role = full-member
            address = 198.18.0.1

            [node b]
            role = full-member
            address = 198.18.0.2

            [node w]
            role = quorum-only
            address = 198.18.0.3

            [group pair]
            type = keep-together
            mode = strict

            [vip web]
            address = 198.18.0.100/24
            interface = eth0
            """);

    private static VirtualIP vip(String name, String address, String group, String home, List<String> deps) {
        return VirtualIP.of(ObjectMeta.named(name), new VirtualIP.Spec(address, "eth0", null, null, group, null, home,
                deps));
    }

    private static List<String> apply(State state, LcsObject... objects) {
        return DesiredStateValidator.validateApply(state, "vips.yaml", List.of(objects)).stream()
                .map(ManifestError::toString).toList();
    }

    @Test
    void aGroupOfLcsConfAndADependencyOnAnLcsConfVipAreAccepted() {
        assertEquals(List.of(), apply(new State(CONFIG, List.of()),
                vip("api", "198.18.0.101/24", "pair", "a", List.of("web"))));
    }

    @Test
    void anUnknownGroupAndAQuorumOnlyHomeAreRefusedNamingDocumentAndField() {
        assertEquals(List.of(
                "vips.yaml: document 1 (VirtualIP api): spec.group: there is no group 'nope'; groups: pair",
                "vips.yaml: document 1 (VirtualIP api): spec.homeNode: node 'w' is quorum-only and never holds a "
                        + "resource; the home node must be a full member"),
                apply(new State(CONFIG, List.of()), vip("api", "198.18.0.101/24", "nope", "w", null)));
    }

    @Test
    void aCycleClosedThroughAnAppliedVipIsRefusedAndNothingIsWritten() {
        State s = new State(CONFIG, List.of(new ApiVip("x", Cidr.parse("198.18.0.110/24"), null,
                new Grouping(null, null, null, List.of("y")))));
        List<String> errors = apply(s, vip("y", "198.18.0.111/24", null, null, List.of("x")));
        assertEquals(1, errors.size(), errors.toString());
        assertEquals(true, errors.get(0).startsWith("vips.yaml: document 1 (VirtualIP "), errors.toString());
        assertEquals(true, errors.get(0).contains("spec.dependsOn: dependency cycle:"), errors.toString());
    }

    @Test
    void aVipAnotherDependsOnCannotBeDeleted() {
        State s = new State(CONFIG, List.of(new ApiVip("x", Cidr.parse("198.18.0.110/24"), null,
                new Grouping(null, null, null, List.of("y"))), new ApiVip("y", Cidr.parse("198.18.0.111/24"))));
        assertEquals(List.of("vips.yaml: document 1 (VirtualIP y): metadata.name: VirtualIP x depends on it "
                + "(spec.dependsOn); delete or change x first"), DesiredStateValidator.validateDelete(s, "vips.yaml",
                List.of(new ObjectKey(VirtualIP.KIND, "y"))).stream().map(ManifestError::toString).toList());
    }
}
