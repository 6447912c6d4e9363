package io.lcs.model.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The unit the replicated store holds and the wire carries: one object at one version, or a
 * tombstone ({@code deleted}, {@code body} null) that records a delete at that version.
 *
 * @param body the object as a JSON tree; treat as immutable once stored
 */
public record StoredObject(ObjectKey key, ObjectVersion version, boolean deleted, JsonNode body) {
    public StoredObject {
        if (key == null || version == null) {
            throw new IllegalArgumentException("key and version are required");
        }
        if (!deleted && body == null) {
            throw new IllegalArgumentException("a live object needs a body: " + key);
        }
    }

    public static StoredObject tombstone(ObjectKey key, ObjectVersion version) {
        return new StoredObject(key, version, true, null);
    }
}
