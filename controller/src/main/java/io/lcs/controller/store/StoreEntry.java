package io.lcs.controller.store;

import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectVersion;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One replicated desired-state object as the store holds it: its key, its ABD version, and either
 * its body (opaque UTF-8 JSON bytes) or, for a delete, a tombstone ({@code deleted}, body null).
 *
 * <p>The body array is not copied (objects are replicated and persisted often; copying every one
 * is allocation with no benefit): whoever builds an entry hands the array over and nobody mutates
 * it afterwards. {@link #equals}/{@link #hashCode} compare the body by content.
 */
public record StoreEntry(ObjectKey key, ObjectVersion version, boolean deleted, byte[] body) {

    public StoreEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(version, "version");
        if (deleted && body != null) {
            throw new IllegalArgumentException("tombstone for " + key + " must not have a body");
        }
        if (!deleted && body == null) {
            throw new IllegalArgumentException("live entry for " + key + " needs a body");
        }
    }

    /** A live entry holding {@code body} (UTF-8 JSON). */
    public static StoreEntry live(ObjectKey key, ObjectVersion version, byte[] body) {
        return new StoreEntry(key, version, false, body);
    }

    /** A tombstone: {@code key} was deleted at {@code version}. */
    public static StoreEntry tombstone(ObjectKey key, ObjectVersion version) {
        return new StoreEntry(key, version, true, null);
    }

    public boolean isLive() {
        return !deleted;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoreEntry e
                && deleted == e.deleted
                && key.equals(e.key)
                && version.equals(e.version)
                && Arrays.equals(body, e.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, version, deleted) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        if (deleted) {
            return "StoreEntry[" + key + " @" + version + " deleted]";
        }
        String text = new String(body, StandardCharsets.UTF_8);
        return "StoreEntry[" + key + " @" + version + " " + (text.length() <= 120 ? text : text.substring(0, 117) + "...") + "]";
    }
}
