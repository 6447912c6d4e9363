package io.lcs.model.api;

import java.util.List;
import java.util.Map;

/**
 * The closed set of object kinds of {@code lcs/v1}: the one table that maps a {@code kind} string to
 * its record. The order of {@link #names()} is the order error messages and {@code lcs api-resources}
 * list them in.
 */
public final class Kinds {
    private static final Map<String, Class<? extends LcsObject>> BY_NAME = Map.of(
            VirtualIP.KIND, VirtualIP.class,
            Service.KIND, Service.class,
            Move.KIND, Move.class,
            ConflictAck.KIND, ConflictAck.class,
            NodeIntent.KIND, NodeIntent.class,
            ResourceIntent.KIND, ResourceIntent.class,
            HealthCheck.KIND, HealthCheck.class);
    private static final List<String> NAMES = List.of(VirtualIP.KIND, Service.KIND, HealthCheck.KIND, Move.KIND, ConflictAck.KIND,
            NodeIntent.KIND, ResourceIntent.KIND);

    private Kinds() {
    }

    /** @return the record class of {@code kind} (case-sensitive), or null if lcs has no such kind */
    public static Class<? extends LcsObject> classOf(String kind) {
        return kind == null ? null : BY_NAME.get(kind);
    }

    /** All kinds, in documentation order: VirtualIP, Service, HealthCheck, Move, ConflictAck, NodeIntent, ResourceIntent. */
    public static List<String> names() {
        return NAMES;
    }
}
