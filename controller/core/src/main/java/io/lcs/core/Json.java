package io.lcs.core;

import com.fasterxml.jackson.databind.JsonNode;

/** Small pure helpers over Jackson trees used by the core. */
final class Json {
    private Json() {
    }

    /** Equal trees, where a missing node, JSON null and an empty object or array count as the same. */
    static boolean equalOrMissing(JsonNode a, JsonNode b) {
        boolean aEmpty = a == null || a.isNull() || (a.isContainerNode() && a.isEmpty());
        boolean bEmpty = b == null || b.isNull() || (b.isContainerNode() && b.isEmpty());
        if (aEmpty || bEmpty) {
            return aEmpty == bEmpty;
        }
        return a.equals(b);
    }
}
