package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectMeta;
import io.lcs.model.api.ObjectVersion;
import io.lcs.model.api.Service;
import io.lcs.model.api.StoredObject;
import io.lcs.model.codec.LcsJson;
import io.lcs.reconcilers.vip.VipSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A replicated Service becomes a service VipSpec; a peer's bad unit name is never handed to systemd. */
class CoreDriverServiceObjectTest {
    private static StoredObject stored(Service s) {
        return StoredObject.of(s, new ObjectVersion(1, "a"));
    }

    @Test
    void aServiceObjectIsAServiceResourceWithItsUnitAndNoAddress() {
        VipSpec v = CoreDriver.fromObject(stored(Service.of(ObjectMeta.named("proxy"), new Service.Spec(
                "haproxy.service", List.of("a"), null, null, null, "a", List.of("ip"), List.of("http"), "stop"))));
        assertTrue(v.isService());
        assertEquals("haproxy.service", v.systemdUnit());
        assertNull(v.address());
        assertEquals("Service", v.kind());
        assertEquals(List.of("ip"), v.grouping().dependsOn());
        assertEquals("a", v.grouping().homeNode());
        assertEquals(List.of("http"), v.checks());
        assertTrue(v.stopWhenNoHealthyNode());
        assertEquals("api", v.source());
    }

    @Test
    void aServiceObjectWithoutAUnitIsHookOnlyAndAVipMayBeUnannounced() {
        VipSpec h = CoreDriver.fromObject(stored(Service.of(ObjectMeta.named("eip"), new Service.Spec(null, null,
                new io.lcs.model.api.VirtualIP.Hooks("/etc/lcs/hooks/attach", null, null, "/etc/lcs/hooks/detach"),
                null, null, null, null, null, null))));
        assertTrue(h.isService() && h.hookOnly());
        assertEquals("/etc/lcs/hooks/attach", h.preStart());
        ObjectNode body = (ObjectNode) LcsJson.json().valueToTree(Service.of(ObjectMeta.named("p"),
                new Service.Spec(null)));
        StoredObject noPreStart = new StoredObject(new ObjectKey(Service.KIND, "p"), new ObjectVersion(1, "a"), false,
                body);
        assertThrows(IllegalArgumentException.class, () -> CoreDriver.fromObject(noPreStart),
                "a peer's hook-only service without pre_start is refused");
        io.lcs.model.api.VirtualIP quiet = io.lcs.model.api.VirtualIP.of(ObjectMeta.named("v"),
                new io.lcs.model.api.VirtualIP.Spec("198.18.0.9/24", "eth0", null, null, null, null, null, null, null,
                        null, false));
        assertTrue(!CoreDriver.fromObject(StoredObject.of(quiet, new ObjectVersion(1, "a"))).announce());
        io.lcs.model.api.VirtualIP loud = io.lcs.model.api.VirtualIP.of(ObjectMeta.named("v"),
                new io.lcs.model.api.VirtualIP.Spec("198.18.0.9/24", "eth0", null, null));
        assertTrue(CoreDriver.fromObject(StoredObject.of(loud, new ObjectVersion(1, "a"))).announce());
    }

    @Test
    void aReplicatedServiceWhoseUnitLcsMayNotRunIsRefused() {
        for (String unit : List.of("../../etc/passwd", "lcsd.service", "getty@.service", "x.timer", "", " ")) {
            ObjectNode body = (ObjectNode) LcsJson.json().valueToTree(Service.of(ObjectMeta.named("p"),
                    new Service.Spec("a.service")));
            ((ObjectNode) body.path("spec")).put("systemdUnit", unit);
            StoredObject o = new StoredObject(new ObjectKey(Service.KIND, "p"), new ObjectVersion(1, "a"), false, body);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CoreDriver.fromObject(o),
                    unit);
            assertTrue(e.getMessage().startsWith("spec.systemdUnit: "), e.getMessage());
        }
    }
}
