package io.lcs.model.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectValidatorTest {
    private static VirtualIP vip(String address, String ifname, List<String> preferred, VirtualIP.Hooks hooks) {
        return VirtualIP.of(ObjectMeta.named("web"), new VirtualIP.Spec(address, ifname, preferred, hooks));
    }

    private static List<String> problems(LcsObject o) {
        return ObjectValidator.validate(o).stream().map(FieldProblem::toString).toList();
    }

    @Test
    void validObjectsOfEveryKindHaveNoProblems() {
        assertEquals(List.of(), problems(vip("198.18.0.201/24", "eth0", List.of("a", "b"),
                new VirtualIP.Hooks("/bin/true", null, null, "/x/y"))));
        assertEquals(List.of(), problems(vip("2001:db8::201/64", "br-lan.10", null, null)));
        assertEquals(List.of(), problems(new Move("lcs/v1", "Move", ObjectMeta.named("m"), new Move.Spec("web", null, null))));
        assertEquals(List.of(), problems(new ConflictAck("lcs/v1", "ConflictAck", ObjectMeta.named("c"),
                new ConflictAck.Spec("web", 1L))));
        assertEquals(List.of(), problems(new NodeIntent("lcs/v1", "NodeIntent", ObjectMeta.named("node-a"),
                new NodeIntent.Spec(true, false))));
    }

    @Test
    void metadataNameIsRequiredAndValid() {
        assertEquals(List.of("metadata: is required (at least metadata.name)", "spec: is required (vip, and optionally to)"),
                problems(new Move("lcs/v1", "Move", null, null)));
        assertEquals(List.of("metadata.name: is required"),
                problems(VirtualIP.of(new ObjectMeta(null, null, null, null, null),
                        new VirtualIP.Spec("198.18.0.1/24", "eth0", null, null))));
        assertEquals(List.of("metadata.name: name '../x' may only contain letters, digits, '_', '.' and '-'"),
                problems(VirtualIP.of(ObjectMeta.named("../x"), new VirtualIP.Spec("198.18.0.1/24", "eth0", null, null))));
    }

    @Test
    void vipAddressMustBeACidr() {
        assertEquals(List.of("spec.address: is required (e.g. 198.18.0.201/24)"), problems(vip(null, "eth0", null, null)));
        assertEquals(List.of("spec.address: '198.18.0.1' is not a valid CIDR: the prefix length is missing (e.g. 198.18.0.1/24)"),
                problems(vip("198.18.0.1", "eth0", null, null)));
        assertEquals(List.of("spec.address: '198.18.0.1/33' is not a valid CIDR: prefix length 33 is greater than 32"),
                problems(vip("198.18.0.1/33", "eth0", null, null)));
    }

    @Test
    void vipAddressMustBeUnicastAsInLcsConf() {
        assertEquals(List.of("spec.address: 224.0.0.5/32 is a multicast address; a VIP must be a unicast address"),
                problems(vip("224.0.0.5/32", "eth0", null, null)));
        assertEquals(List.of("spec.address: ::/0 is the unspecified address; a VIP must be a unicast address"),
                problems(vip("::/0", "eth0", null, null)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "eth0/1", "eth:0", "eth 0", "a-very-long-name", ".", "..", "tab\tx"})
    void badInterfaceNamesAreRefused(String ifname) {
        List<String> p = problems(vip("198.18.0.1/24", ifname, null, null));
        assertEquals(1, p.size(), p.toString());
        assertEquals(true, p.get(0).startsWith("spec.interface: interface name "), p.get(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"eth0", "a23456789012345", "bond0.100", "veth-x_y", "wlp2s0"})
    void goodInterfaceNamesAreAccepted(String ifname) {
        assertEquals(null, ObjectValidator.interfaceNameProblem(ifname));
    }

    @Test
    void interfaceIsRequired() {
        assertEquals(List.of("spec.interface: is required (the link to add the address to, e.g. eth0)"),
                problems(vip("198.18.0.1/24", null, null, null)));
    }

    @Test
    void hooksMustBeAbsolutePaths() {
        assertEquals(List.of(
                "spec.hooks.preStart: 'bin/start' is not an absolute path (hooks run without a shell or PATH lookup)",
                "spec.hooks.postStop: is empty; give an absolute path or remove it"),
                problems(vip("198.18.0.1/24", "eth0", null, new VirtualIP.Hooks("bin/start", "/ok", null, ""))));
    }

    @Test
    void preferredNodesAreValidNamesWithoutDuplicates() {
        assertEquals(List.of("spec.preferredNodes[1]: name 'b c' may only contain letters, digits, '_', '.' and '-'",
                        "spec.preferredNodes[2]: 'a' is already listed at spec.preferredNodes[0]",
                        "spec.preferredNodes[3]: name is empty"),
                problems(vip("198.18.0.1/24", "eth0", Arrays.asList("a", "b c", "a", null), null)));
    }

    @Test
    void statusIsAcceptedFromUsersAndFromTheServer() {
        VirtualIP withStatus = new VirtualIP("lcs/v1", "VirtualIP", ObjectMeta.named("web"),
                new VirtualIP.Spec("198.18.0.1/24", "eth0", null, null),
                new VirtualIP.Status("active", "a", 1L, null, null, null, null, null));
        assertEquals(List.of(), problems(withStatus));
        assertEquals(List.of(), ObjectValidator.validate(withStatus, Origin.SERVER));
    }

    @Test
    void serverMetadataFromUsersIsNotAProblemAndIsStripped() {
        Move m = new Move("lcs/v1", "Move", new ObjectMeta("m", 5L, 2L, java.time.Instant.EPOCH, Map.of("a", "b")),
                new Move.Spec("web", "n1", 3L));
        assertEquals(List.of(), problems(m));
        assertEquals(new ObjectMeta("m", null, null, null, Map.of("a", "b")), ServerFields.strip(m).metadata());
    }

    @Test
    void moveTargetsAreValidNames() {
        assertEquals(List.of("spec.vip: is required", "spec.to: name 'x y' may only contain letters, digits, '_', '.' and '-'",
                        "spec.fromEpoch: 0 is not an epoch (epochs start at 1)"),
                problems(new Move("lcs/v1", "Move", ObjectMeta.named("m"), new Move.Spec(null, "x y", 0L))));
    }

    @Test
    void conflictAckNeedsAnEpochOfAtLeastOne() {
        assertEquals(List.of("spec.epoch: is required (the epoch of the conflict, see lcs describe vip)"),
                problems(new ConflictAck("lcs/v1", "ConflictAck", ObjectMeta.named("c"), new ConflictAck.Spec("web", null))));
        assertEquals(List.of("spec.vip: is required", "spec.epoch: 0 is not an epoch (epochs start at 1)"),
                problems(new ConflictAck("lcs/v1", "ConflictAck", ObjectMeta.named("c"), new ConflictAck.Spec(null, 0L))));
    }

    @Test
    void drainRequiresCordon() {
        assertEquals(List.of("spec.drain: requires spec.cordoned: true (a drained node must not take VIPs back)"),
                problems(new NodeIntent("lcs/v1", "NodeIntent", ObjectMeta.named("n"), new NodeIntent.Spec(false, true))));
        assertEquals(List.of("metadata.name: name 'node a' may only contain letters, digits, '_', '.' and '-'"),
                problems(new NodeIntent("lcs/v1", "NodeIntent", ObjectMeta.named("node a"), new NodeIntent.Spec(true, true))));
    }

    @Test
    void labelsAreBounded() {
        Map<String, String> many = new java.util.HashMap<>();
        for (int i = 0; i <= ObjectValidator.MAX_LABELS; i++) {
            many.put("k" + i, "v");
        }
        assertEquals(List.of("metadata.labels: 65 labels; at most 64"),
                problems(new Move("lcs/v1", "Move", new ObjectMeta("m", null, null, null, many), new Move.Spec("w", null, null))));
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("has space", "v");
        bad.put("k", null);
        List<String> p = new ArrayList<>(problems(new Move("lcs/v1", "Move", new ObjectMeta("m", null, null, null, bad),
                new Move.Spec("w", null, null))));
        assertEquals(2, p.size(), p.toString());
    }
}
