package io.lcs.core.store;

import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectVersion;
import io.lcs.model.api.StoredObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The node's full replica of the desired-state objects: a versioned map {@link ObjectKey} →
 * {@link StoredObject}, tombstones included, with change watches and an incrementally maintained
 * digest for anti-entropy. Production code, not a test double: durability is the caller's job
 * (persist through {@link StateDirectory} before acknowledging).
 *
 * <p><b>Threading:</b> single-threaded. Every method must be called from one thread (the cluster
 * core's); there is no locking and no memory-visibility guarantee for other threads.
 *
 * <p><b>Ordering:</b> an entry replaces the held one only if its version is newer
 * ({@link ObjectVersion#isNewerThan}); an absent key counts as {@link ObjectVersion#ZERO}, so an
 * entry at version ZERO is never stored. Tombstones are kept (so a late older write cannot
 * resurrect a deleted object) until {@link #forget} removes them.
 *
 * <p><b>Watches:</b> listeners are called synchronously, in registration order, after the store has
 * changed, so a listener sees the new state. A listener that throws is reported to the failure
 * handler and counted; the store and the other listeners carry on. Listeners must not modify the
 * store (that would deliver events out of order): such a call throws {@link IllegalStateException}.
 */
public final class InMemoryObjectStore {

    private static final Consumer<?>[] NO_LISTENERS = new Consumer<?>[0];

    private final TreeMap<ObjectKey, StoredObject> entries = new TreeMap<>();
    private final BiConsumer<WatchEvent, RuntimeException> onListenerFailure;
    /** Copy-on-write (rebuilt on watch/close, which are rare) so dispatch allocates nothing. */
    private Consumer<?>[] listeners = NO_LISTENERS;
    private long liveDigest;
    private long tombstoneDigest;
    private int liveCount;
    private long listenerFailures;
    private boolean dispatching;

    /** A store whose listener failures are only counted ({@link #listenerFailures()}). */
    public InMemoryObjectStore() {
        this((event, failure) -> { });
    }

    /** @param onListenerFailure called with the event and the exception when a listener throws */
    public InMemoryObjectStore(BiConsumer<WatchEvent, RuntimeException> onListenerFailure) {
        this.onListenerFailure = Objects.requireNonNull(onListenerFailure, "onListenerFailure");
    }

    /** The entry held for {@code key}, live or tombstone. */
    public Optional<StoredObject> get(ObjectKey key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** The live entries of {@code kind}, sorted by name (a new list). */
    public List<StoredObject> live(String kind) {
        Objects.requireNonNull(kind, "kind");
        List<StoredObject> out = new ArrayList<>();
        for (Map.Entry<ObjectKey, StoredObject> e : entries.tailMap(new ObjectKey(kind, ""), true).entrySet()) {
            if (!e.getKey().kind().equals(kind)) {
                break;
            }
            if (!e.getValue().deleted()) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    /** A snapshot of every entry, tombstones included, ordered by key. */
    public Collection<StoredObject> all() {
        return List.copyOf(entries.values());
    }

    /**
     * The entries with {@code after < key <= upTo}, tombstones included, ordered by key: a live view
     * (no copy), so the store must not change while the caller iterates it.
     *
     * @param after null: from the first key
     * @param upTo null: to the last key
     */
    public Collection<StoredObject> range(ObjectKey after, ObjectKey upTo) {
        NavigableMap<ObjectKey, StoredObject> m = entries;
        if (after != null) {
            m = m.tailMap(after, false);
        }
        if (upTo != null) {
            m = m.headMap(upTo, true);
        }
        return Collections.unmodifiableCollection(m.values());
    }

    /** A snapshot of every held version, tombstones included (so deletes propagate), ordered by key. */
    public Map<ObjectKey, ObjectVersion> versions() {
        TreeMap<ObjectKey, ObjectVersion> out = new TreeMap<>();
        for (StoredObject e : entries.values()) {
            out.put(e.key(), e.version());
        }
        return Collections.unmodifiableMap(out);
    }

    /** Number of entries held, tombstones included. */
    public int size() {
        return entries.size();
    }

    /** Number of live entries. */
    public int liveCount() {
        return liveCount;
    }

    /**
     * Stores {@code entry} if its version is newer than the one held for its key (or than
     * {@link ObjectVersion#ZERO} when nothing is held), then notifies watchers.
     *
     * @return whether the store changed (false: an equal or older version, nothing done)
     */
    public boolean applyIfNewer(StoredObject entry) {
        Objects.requireNonNull(entry, "entry");
        checkNotDispatching();
        StoredObject previous = entries.get(entry.key());
        ObjectVersion held = previous == null ? ObjectVersion.ZERO : previous.version();
        if (!entry.version().isNewerThan(held)) {
            return false;
        }
        entries.put(entry.key(), entry);
        boolean wasLive = previous != null && !previous.deleted();
        if (wasLive) {
            liveDigest ^= entryHash(previous.key(), previous.version());
            liveCount--;
        } else if (previous != null) {
            tombstoneDigest ^= entryHash(previous.key(), previous.version());
        }
        if (!entry.deleted()) {
            liveDigest ^= entryHash(entry.key(), entry.version());
            liveCount++;
        } else {
            tombstoneDigest ^= entryHash(entry.key(), entry.version());
        }
        WatchEvent.Type type;
        if (!entry.deleted()) {
            type = wasLive ? WatchEvent.Type.MODIFIED : WatchEvent.Type.ADDED;
        } else if (wasLive) {
            type = WatchEvent.Type.DELETED;
        } else {
            return true; // tombstone over nothing or over a tombstone: nothing visible changed
        }
        dispatch(new WatchEvent(type, entry, previous));
        return true;
    }

    /**
     * Garbage-collects the tombstone held for {@code key}; no event is fired. A missing key is a
     * no-op.
     *
     * @return whether a tombstone was removed
     * @throws IllegalStateException if the entry is live (delete it by applying a tombstone first)
     */
    public boolean forget(ObjectKey key) {
        checkNotDispatching();
        StoredObject held = entries.get(key);
        if (held == null) {
            return false;
        }
        if (!held.deleted()) {
            throw new IllegalStateException("cannot forget " + key + ": it is live at " + held.version()
                    + "; only tombstones are forgotten");
        }
        entries.remove(key);
        tombstoneDigest ^= entryHash(held.key(), held.version());
        return true;
    }

    /**
     * An order-independent 64-bit digest of the (key, version) pairs of the live entries: the XOR
     * of {@link #entryHash} over them, 0 for an empty store. Two stores with the same live
     * (key, version) set have the same digest, on any node and any release. O(1).
     */
    public long liveDigest() {
        return liveDigest;
    }

    /**
     * The same digest over the tombstones: nodes that agree on live objects but hold different
     * tombstones (one missed a later delete of a deleted object) still see a difference.
     */
    public long tombstoneDigest() {
        return tombstoneDigest;
    }

    /** A registered watch; {@link #close()} stops it, is idempotent and throws nothing. */
    public interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Registers {@code listener} for every later change. Close the returned handle to stop; a
     * listener may close its own watch while being called.
     */
    public Watch watch(Consumer<WatchEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        Consumer<?>[] grown = new Consumer<?>[listeners.length + 1];
        System.arraycopy(listeners, 0, grown, 0, listeners.length);
        grown[listeners.length] = listener;
        listeners = grown;
        return () -> unwatch(listener);
    }

    /** How many times a listener threw. */
    public long listenerFailures() {
        return listenerFailures;
    }

    private void unwatch(Consumer<WatchEvent> listener) {
        for (int i = 0; i < listeners.length; i++) {
            if (listeners[i] == listener) {
                Consumer<?>[] shrunk = new Consumer<?>[listeners.length - 1];
                System.arraycopy(listeners, 0, shrunk, 0, i);
                System.arraycopy(listeners, i + 1, shrunk, i, listeners.length - i - 1);
                listeners = shrunk;
                return;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void dispatch(WatchEvent event) {
        Consumer<?>[] snapshot = listeners; // a listener closing its watch does not disturb this loop
        dispatching = true;
        try {
            for (Consumer<?> l : snapshot) {
                try {
                    ((Consumer<WatchEvent>) l).accept(event);
                } catch (RuntimeException failure) {
                    listenerFailures++;
                    try {
                        onListenerFailure.accept(event, failure);
                    } catch (RuntimeException ignored) {
                        // the failure handler itself failed; already counted, nothing more to do
                    }
                }
            }
        } finally {
            dispatching = false;
        }
    }

    private void checkNotDispatching() {
        if (dispatching) {
            throw new IllegalStateException("the object store must not be modified from a watch listener");
        }
    }

    /**
     * The hash of one (key, version) pair that {@link #liveDigest} XORs together. Stable across
     * JVMs and releases (nodes compare digests): changing it is a wire-protocol change. Every
     * character is folded through the SplitMix64 finalizer, and each field is prefixed with its
     * length so that ("ab","c") and ("a","bc") differ. Allocates nothing.
     */
    public static long entryHash(ObjectKey key, ObjectVersion version) {
        long h = 0x6c63732d64696731L; // "lcs-dig1"
        h = absorb(h, key.kind());
        h = absorb(h, key.name());
        h = mix(h ^ version.counter());
        h = absorb(h, version.writer());
        return mix(h);
    }

    private static long absorb(long h, String s) {
        int n = s.length();
        h = mix(h ^ (0x100000000L | n));
        for (int i = 0; i < n; i++) {
            h = mix(h ^ s.charAt(i));
        }
        return h;
    }

    /** SplitMix64 finalizer (Steele, Lea, Flood 2014): a bijection with good avalanche. */
    private static long mix(long z) {
        z += 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
