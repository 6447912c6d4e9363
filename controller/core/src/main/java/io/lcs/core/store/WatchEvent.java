package io.lcs.core.store;

import io.lcs.model.api.StoredObject;
import java.util.Objects;

/**
 * A change to an {@link InMemoryObjectStore}, delivered to watchers synchronously after the store
 * has changed.
 *
 * <ul>
 *   <li>{@link Type#ADDED}: {@code entry} is live; {@code previous} is null or a tombstone (the
 *       object is visible again after a delete).</li>
 *   <li>{@link Type#MODIFIED}: {@code entry} and {@code previous} are both live.</li>
 *   <li>{@link Type#DELETED}: {@code entry} is the tombstone, {@code previous} the live entry it
 *       replaced.</li>
 * </ul>
 * A tombstone that replaces nothing or another tombstone changes nothing visible and fires no event.
 */
public record WatchEvent(Type type, StoredObject entry, StoredObject previous) {

    public enum Type { ADDED, MODIFIED, DELETED }

    public WatchEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(entry, "entry");
    }
}
