package io.lcs.model.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.model.codec.LcsJson;

/**
 * The unit the replicated store keeps and the wire carries: one object at one version, or the
 * tombstone of a deleted one. The body is the object as a JSON tree, so a node can store, compare
 * and forward objects without reading them into records (and a newer node's fields survive an
 * older node's store).
 *
 * <p>Invariants (checked by the constructor): {@code key} and {@code version} are non-null; a live
 * object has an object {@code body}; a tombstone ({@code deleted}) has {@code body == null}. A JSON
 * {@code null} body is read as {@code null}. The body is not otherwise checked: {@link #toObject()}
 * reads and checks it. Equality is deep (trees compare by value; integers are always longs, see
 * {@link LcsJson}). JsonNode is mutable: callers must not modify a body after construction.
 *
 * @param key kind and name of the object
 * @param version the register version this body (or deletion) was written at
 * @param deleted true for a tombstone
 * @param body the object ({@code apiVersion, kind, metadata, spec[, status]}), null when deleted
 */
public record StoredObject(ObjectKey key, ObjectVersion version, boolean deleted, JsonNode body) {
    public StoredObject {
        if (key == null || version == null) {
            throw new IllegalArgumentException("key and version are required");
        }
        if (body != null && (body.isNull() || body.isMissingNode())) {
            body = null;
        }
        if (deleted && body != null) {
            throw new IllegalArgumentException("tombstone of " + key + " must not carry a body");
        }
        if (!deleted && (body == null || !body.isObject())) {
            throw new IllegalArgumentException("live " + key + " needs an object body");
        }
    }

    /** The stored form of {@code object} at {@code version}; the body is exactly the object's JSON. */
    public static StoredObject of(LcsObject object, ObjectVersion version) {
        return new StoredObject(object.key(), version, false, LcsJson.json().valueToTree(object));
    }

    /** The record of a deletion of {@code key} at {@code version}. */
    public static StoredObject tombstone(ObjectKey key, ObjectVersion version) {
        return new StoredObject(key, version, true, null);
    }

    /**
     * Reads the body back into its record, by kind.
     *
     * @throws IllegalStateException for a tombstone
     * @throws IllegalArgumentException if the body is not a valid {@code lcs/v1} object (message says why)
     */
    public LcsObject toObject() {
        if (deleted) {
            throw new IllegalStateException(key + " is deleted (version " + version + ")");
        }
        try {
            return LcsJson.json().treeToValue(body, LcsObject.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("stored " + key + " is not a valid object: " + e.getOriginalMessage(), e);
        }
    }
}
