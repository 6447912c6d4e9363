package io.lcs.model.api;

import io.lcs.model.net.Cidr;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Canonical comparison of what a user controls, so {@code apply} can answer {@code unchanged}
 * instead of writing a new version. Pure and thread-safe.
 */
public final class ObjectDiff {
    private ObjectDiff() {
    }

    /**
     * True when {@code a} and {@code b} are of the same kind and have equal {@code spec} and
     * {@code metadata.labels}. Ignores name, server-maintained metadata and status (compare keys
     * yourself). Canonical: absent and empty labels, preferredNodes and hooks are equal; addresses
     * compare as parsed CIDRs ({@code 2001:DB8::1/64} equals {@code 2001:db8::1/64}); everything
     * else compares exactly (order of preferredNodes matters: it is the placement order).
     */
    public static boolean specEquals(LcsObject a, LcsObject b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (!a.kind().equals(b.kind()) || a.getClass() != b.getClass()) {
            return false;
        }
        if (!labels(a).equals(labels(b))) {
            return false;
        }
        if (a instanceof VirtualIP va && b instanceof VirtualIP vb) {
            return vipSpecEquals(va.spec(), vb.spec());
        }
        if (a instanceof Service sa && b instanceof Service sb) {
            return serviceSpecEquals(sa.spec(), sb.spec());
        }
        if (a instanceof HealthCheck ha && b instanceof HealthCheck hb) {
            return Objects.equals(ha.spec(), hb.spec());
        }
        if (a instanceof Move ma && b instanceof Move mb) {
            return Objects.equals(ma.spec(), mb.spec());
        }
        if (a instanceof ConflictAck ca && b instanceof ConflictAck cb) {
            return Objects.equals(ca.spec(), cb.spec());
        }
        if (a instanceof NodeIntent na && b instanceof NodeIntent nb) {
            return Objects.equals(na.spec(), nb.spec());
        }
        if (a instanceof ResourceIntent ra && b instanceof ResourceIntent rb) {
            return Objects.equals(ra.spec(), rb.spec());
        }
        return false;
    }

    private static Map<String, String> labels(LcsObject o) {
        ObjectMeta m = o.metadata();
        return m == null || m.labels() == null ? Map.of() : m.labels();
    }

    private static boolean vipSpecEquals(VirtualIP.Spec a, VirtualIP.Spec b) {
        if (a == null || b == null) {
            return a == b;
        }
        return addressEquals(a.address(), b.address())
                && Objects.equals(a.interfaceName(), b.interfaceName())
                && a.announced() == b.announced()
                && commonEquals(a, b);
    }

    private static boolean serviceSpecEquals(Service.Spec a, Service.Spec b) {
        if (a == null || b == null) {
            return a == b;
        }
        return Objects.equals(a.systemdUnit(), b.systemdUnit()) && commonEquals(a, b);
    }

    /** Placement, hooks, grouping, checks and what happens when no node passes them. */
    private static boolean commonEquals(ResourceSpec a, ResourceSpec b) {
        return orEmpty(a.preferredNodes()).equals(orEmpty(b.preferredNodes()))
                && orEmpty(a.hooks()).equals(orEmpty(b.hooks()))
                && a.grouping().equals(b.grouping())
                && orEmpty(a.checks()).equals(orEmpty(b.checks()))
                && a.stopWhenNoHealthyNode() == b.stopWhenNoHealthyNode();
    }

    private static boolean addressEquals(String a, String b) {
        if (Objects.equals(a, b)) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        try {
            return Cidr.parse(a).equals(Cidr.parse(b));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }

    private static VirtualIP.Hooks orEmpty(VirtualIP.Hooks hooks) {
        return hooks == null ? new VirtualIP.Hooks(null, null, null, null) : hooks;
    }
}
