package io.lcs.model.codec;

import io.lcs.model.api.ConflictAck;
import io.lcs.model.api.Condition;
import io.lcs.model.api.LcsObject;
import io.lcs.model.api.Move;
import io.lcs.model.api.NodeIntent;
import io.lcs.model.api.ObjectMeta;
import io.lcs.model.api.VirtualIP;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One fully populated, valid object of every kind (user-writable fields only, plus a server variant). */
final class Fixtures {
    private Fixtures() {
    }

    static VirtualIP vip() {
        return VirtualIP.of(new ObjectMeta("web", null, null, null, Map.of("tier", "frontend", "app", "shop")),
                new VirtualIP.Spec("198.18.0.201/24", "eth0", List.of("a", "b"),
                        new VirtualIP.Hooks("/usr/local/libexec/lcs/pre", null, "/opt/stop", null)));
    }

    static VirtualIP vip6() {
        return VirtualIP.of(ObjectMeta.named("web6"), new VirtualIP.Spec("2001:db8::201/64", "eth1", null, null));
    }

    static Move move() {
        return new Move(LcsObject.API_VERSION, Move.KIND, ObjectMeta.named("move-web"), new Move.Spec("web", "b", 7L));
    }

    static ConflictAck ack() {
        return new ConflictAck(LcsObject.API_VERSION, ConflictAck.KIND, ObjectMeta.named("ack-web"),
                new ConflictAck.Spec("web", 3L));
    }

    static NodeIntent intent() {
        return new NodeIntent(LcsObject.API_VERSION, NodeIntent.KIND, ObjectMeta.named("node-a"),
                new NodeIntent.Spec(true, true));
    }

    static List<LcsObject> allKinds() {
        return List.of(vip(), vip6(), move(), ack(), intent());
    }

    /** A VirtualIP as the server writes it: version, generation, creation time and status. */
    static VirtualIP serverVip() {
        Instant t = Instant.parse("2024-05-01T12:00:00.123Z");
        return new VirtualIP(LcsObject.API_VERSION, VirtualIP.KIND,
                new ObjectMeta("web", 12L, 3L, t, Map.of("tier", "frontend")),
                new VirtualIP.Spec("198.18.0.201/24", "eth0", List.of("a"), null),
                new VirtualIP.Status("active", "a", 4L, 2.5, 1L, t, 3L,
                        List.of(new Condition("Active", Condition.TRUE, "LeaseHeld", "owner a", t, 3L))));
    }
}
