package io.lcs.model.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectDiffTest {
    private static VirtualIP vip(ObjectMeta meta, String address, List<String> nodes, VirtualIP.Hooks hooks) {
        return VirtualIP.of(meta, new VirtualIP.Spec(address, "eth0", nodes, hooks));
    }

    @Test
    void sameSpecAndLabelsIsUnchangedWhateverTheServerFields() {
        VirtualIP user = vip(new ObjectMeta("web", null, null, null, Map.of("a", "b")), "198.18.0.1/24", List.of("x"), null);
        VirtualIP stored = new VirtualIP("lcs/v1", "VirtualIP", new ObjectMeta("web", 9L, 3L, Instant.EPOCH, Map.of("a", "b")),
                user.spec(), new VirtualIP.Status("active", "x", 2L, null, null, null, null, null));
        assertTrue(ObjectDiff.specEquals(user, stored));
    }

    @Test
    void absentAndEmptyAreTheSameAndAddressesCompareCanonically() {
        assertTrue(ObjectDiff.specEquals(
                vip(ObjectMeta.named("w"), "2001:DB8:0::1/64", null, null),
                vip(new ObjectMeta("w", null, null, null, Map.of()), "2001:db8::1/64", List.of(),
                        new VirtualIP.Hooks(null, null, null, null))));
    }

    @Test
    void anyChangeOfSpecOrLabelsIsAChange() {
        VirtualIP base = vip(ObjectMeta.named("w"), "198.18.0.1/24", List.of("a", "b"), null);
        assertFalse(ObjectDiff.specEquals(base, vip(ObjectMeta.named("w"), "198.18.0.1/25", List.of("a", "b"), null)));
        assertFalse(ObjectDiff.specEquals(base, vip(ObjectMeta.named("w"), "198.18.0.1/24", List.of("b", "a"), null)));
        assertFalse(ObjectDiff.specEquals(base, vip(ObjectMeta.named("w"), "198.18.0.1/24", List.of("a", "b"),
                new VirtualIP.Hooks("/x", null, null, null))));
        assertFalse(ObjectDiff.specEquals(base, vip(new ObjectMeta("w", null, null, null, Map.of("k", "v")),
                "198.18.0.1/24", List.of("a", "b"), null)));
        Move m1 = new Move("lcs/v1", "Move", ObjectMeta.named("m"), new Move.Spec("w", "a", null));
        Move m2 = new Move("lcs/v1", "Move", ObjectMeta.named("m"), new Move.Spec("w", "b", null));
        assertFalse(ObjectDiff.specEquals(m1, m2));
        assertTrue(ObjectDiff.specEquals(m1, new Move("lcs/v1", "Move", ObjectMeta.named("m"), new Move.Spec("w", "a", null))));
        assertFalse(ObjectDiff.specEquals(m1, base));
    }
}
