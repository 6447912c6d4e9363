package io.lcs.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectVersion;
import io.lcs.model.api.StoredObject;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InMemoryObjectStoreTest {

    static ObjectKey vip(String name) {
        return new ObjectKey("VirtualIP", name);
    }

    static ObjectVersion v(long counter, String writer) {
        return new ObjectVersion(counter, writer);
    }

    static StoredObject live(ObjectKey key, ObjectVersion version) {
        return new StoredObject(key, version, false, JsonNodeFactory.instance.objectNode().put("n", key.name())
                .put("c", version.counter()));
    }

    @Test
    void digestIsEqualForEqualSetsRegardlessOfInsertionOrder() {
        List<StoredObject> entries = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            entries.add(live(new ObjectKey(i % 3 == 0 ? "Move" : "VirtualIP", "o" + i), v(1 + i % 7, "node" + i % 4)));
        }
        InMemoryObjectStore a = new InMemoryObjectStore();
        entries.forEach(a::applyIfNewer);
        for (long seed = 1; seed <= 20; seed++) {
            List<StoredObject> shuffled = new ArrayList<>(entries);
            Collections.shuffle(shuffled, new Random(seed));
            InMemoryObjectStore b = new InMemoryObjectStore();
            shuffled.forEach(b::applyIfNewer);
            assertEquals(a.liveDigest(), b.liveDigest(), "seed " + seed);
        }
        assertNotEquals(0L, a.liveDigest());
    }

    @Test
    void digestReachesTheSameValueThroughIntermediateVersions() {
        InMemoryObjectStore direct = new InMemoryObjectStore();
        direct.applyIfNewer(live(vip("web"), v(5, "b")));
        InMemoryObjectStore stepwise = new InMemoryObjectStore();
        stepwise.applyIfNewer(live(vip("web"), v(1, "a")));
        stepwise.applyIfNewer(live(vip("web"), v(3, "c")));
        stepwise.applyIfNewer(live(vip("web"), v(5, "b")));
        assertEquals(direct.liveDigest(), stepwise.liveDigest());
    }

    @Test
    void digestDiffersWhenOneVersionDiffers() {
        InMemoryObjectStore a = new InMemoryObjectStore();
        InMemoryObjectStore b = new InMemoryObjectStore();
        a.applyIfNewer(live(vip("web"), v(1, "a")));
        b.applyIfNewer(live(vip("web"), v(1, "a")));
        a.applyIfNewer(live(vip("db"), v(2, "a")));
        b.applyIfNewer(live(vip("db"), v(2, "b"))); // same counter, other writer
        assertNotEquals(a.liveDigest(), b.liveDigest());
        InMemoryObjectStore c = new InMemoryObjectStore();
        c.applyIfNewer(live(vip("web"), v(1, "a")));
        c.applyIfNewer(live(vip("db"), v(3, "a"))); // other counter
        assertNotEquals(a.liveDigest(), c.liveDigest());
    }

    @Test
    void digestSeparatesFieldBoundariesAndKinds() {
        assertNotEquals(InMemoryObjectStore.entryHash(new ObjectKey("Move", "ab"), v(1, "c")),
                InMemoryObjectStore.entryHash(new ObjectKey("Move", "a"), v(1, "bc")));
        assertNotEquals(InMemoryObjectStore.entryHash(new ObjectKey("Move", "web"), v(1, "a")),
                InMemoryObjectStore.entryHash(new ObjectKey("VirtualIP", "web"), v(1, "a")));
        // No collisions over a modest grid of similar keys.
        Set<Long> seen = new HashSet<>();
        for (int n = 0; n < 200; n++) {
            for (int c = 1; c <= 20; c++) {
                assertTrue(seen.add(InMemoryObjectStore.entryHash(vip("v" + n), v(c, "node" + (c % 3)))));
            }
        }
    }

    @Test
    void entryHashIsStableAcrossReleasesBecauseNodesCompareDigests() {
        // Golden value: if this changes, nodes of different releases disagree forever. Change it
        // only together with the replication protocol version.
        assertEquals(0x489f6bff59204004L, InMemoryObjectStore.entryHash(vip("web"), v(7, "node-a")));
    }

    @Test
    void tombstonesAreExcludedFromDigest() {
        InMemoryObjectStore a = new InMemoryObjectStore();
        a.applyIfNewer(live(vip("web"), v(1, "a")));
        long withWebOnly = a.liveDigest();
        a.applyIfNewer(live(vip("db"), v(1, "a")));
        a.applyIfNewer(StoredObject.tombstone(vip("db"), v(2, "a")));
        assertEquals(withWebOnly, a.liveDigest());
        a.applyIfNewer(StoredObject.tombstone(vip("gone"), v(4, "a"))); // tombstone over nothing
        assertEquals(withWebOnly, a.liveDigest());
        a.applyIfNewer(StoredObject.tombstone(vip("web"), v(2, "a")));
        assertEquals(0L, a.liveDigest());
        assertEquals(0, a.liveCount());
        assertEquals(3, a.size());
    }

    @Test
    void applyIfNewerIgnoresOlderAndEqualVersions() {
        InMemoryObjectStore s = new InMemoryObjectStore();
        StoredObject current = live(vip("web"), v(5, "b"));
        assertTrue(s.applyIfNewer(current));
        long digest = s.liveDigest();
        assertFalse(s.applyIfNewer(live(vip("web"), v(5, "b"))), "equal version");
        assertFalse(s.applyIfNewer(live(vip("web"), v(5, "a"))), "same counter, lower writer");
        assertFalse(s.applyIfNewer(live(vip("web"), v(4, "z"))), "lower counter");
        assertFalse(s.applyIfNewer(StoredObject.tombstone(vip("web"), v(3, "a"))), "older tombstone");
        assertSame(current, s.get(vip("web")).orElseThrow());
        assertEquals(digest, s.liveDigest());
        assertTrue(s.applyIfNewer(live(vip("web"), v(5, "c"))), "same counter, higher writer");
        assertEquals(v(5, "c"), s.get(vip("web")).orElseThrow().version());
    }

    @Test
    void versionZeroIsNeverStored() {
        InMemoryObjectStore s = new InMemoryObjectStore();
        assertFalse(s.applyIfNewer(live(vip("web"), ObjectVersion.ZERO)));
        assertTrue(s.get(vip("web")).isEmpty());
    }

    @Test
    void tombstoneBlocksAnOlderWriteFromResurrectingTheObject() {
        InMemoryObjectStore s = new InMemoryObjectStore();
        s.applyIfNewer(live(vip("web"), v(1, "a")));
        s.applyIfNewer(StoredObject.tombstone(vip("web"), v(2, "a")));
        assertFalse(s.applyIfNewer(live(vip("web"), v(1, "z"))));
        assertTrue(s.get(vip("web")).orElseThrow().deleted());
        assertTrue(s.live("VirtualIP").isEmpty());
    }

    @Test
    void liveListsOnlyLiveEntriesOfTheKindSortedByName() {
        InMemoryObjectStore s = new InMemoryObjectStore();
        s.applyIfNewer(live(vip("zeta"), v(1, "a")));
        s.applyIfNewer(live(vip("alpha"), v(1, "a")));
        s.applyIfNewer(live(vip("mid"), v(1, "a")));
        s.applyIfNewer(StoredObject.tombstone(vip("mid"), v(2, "a")));
        s.applyIfNewer(live(new ObjectKey("Move", "alpha"), v(1, "a")));
        s.applyIfNewer(live(new ObjectKey("VirtualIPX", "a"), v(1, "a"))); // kind with the same prefix
        List<String> names = s.live("VirtualIP").stream().map(e -> e.key().name()).toList();
        assertEquals(List.of("alpha", "zeta"), names);
        assertEquals(1, s.live("Move").size());
        assertTrue(s.live("ConflictAck").isEmpty());
        assertEquals(5, s.all().size(), "all() includes tombstones");
        Map<ObjectKey, ObjectVersion> versions = s.versions();
        assertEquals(v(2, "a"), versions.get(vip("mid")), "versions() includes tombstones");
        assertEquals(5, versions.size());
    }

    @Test
    void forgetRemovesOnlyTombstones() {
        InMemoryObjectStore s = new InMemoryObjectStore();
        s.applyIfNewer(live(vip("web"), v(1, "a")));
        long digest = s.liveDigest();
        assertThrows(IllegalStateException.class, () -> s.forget(vip("web")));
        assertTrue(s.get(vip("web")).isPresent());
        s.applyIfNewer(StoredObject.tombstone(vip("db"), v(3, "a")));
        assertTrue(s.forget(vip("db")));
        assertFalse(s.forget(vip("db")));
        assertTrue(s.get(vip("db")).isEmpty());
        assertEquals(digest, s.liveDigest());
        // after GC, an older write is accepted again: that is why tombstones must outlive replication
        assertTrue(s.applyIfNewer(live(vip("db"), v(1, "a"))));
    }

    @Test
    void watchReportsAddedModifiedDeletedWithPreviousEntries() {
        InMemoryObjectStore s = new InMemoryObjectStore();
        List<WatchEvent> events = new ArrayList<>();
        InMemoryObjectStore.Watch handle = s.watch(e -> {
            assertEquals(e.entry(), s.get(e.entry().key()).orElseThrow(), "fired after the change");
            events.add(e);
        });
        StoredObject v1 = live(vip("web"), v(1, "a"));
        StoredObject v2 = live(vip("web"), v(2, "a"));
        StoredObject t3 = StoredObject.tombstone(vip("web"), v(3, "a"));
        StoredObject v4 = live(vip("web"), v(4, "a"));
        s.applyIfNewer(v1);
        s.applyIfNewer(v2);
        s.applyIfNewer(v2); // ignored: no event
        s.applyIfNewer(t3);
        s.applyIfNewer(StoredObject.tombstone(vip("web"), v(3, "b"))); // tombstone over tombstone: no event
        s.applyIfNewer(StoredObject.tombstone(vip("never"), v(1, "a"))); // tombstone over nothing: no event
        s.applyIfNewer(v4);
        assertEquals(4, events.size(), events.toString());
        assertEquals(new WatchEvent(WatchEvent.Type.ADDED, v1, null), events.get(0));
        assertEquals(new WatchEvent(WatchEvent.Type.MODIFIED, v2, v1), events.get(1));
        assertEquals(new WatchEvent(WatchEvent.Type.DELETED, t3, v2), events.get(2));
        assertEquals(WatchEvent.Type.ADDED, events.get(3).type());
        assertEquals(v4, events.get(3).entry());
        assertTrue(events.get(3).previous().deleted(), "re-added over a tombstone");

        handle.close();
        handle.close(); // idempotent
        s.applyIfNewer(live(vip("web"), v(5, "a")));
        assertEquals(4, events.size(), "no events after close");
    }

    @Test
    void throwingListenerBreaksNeitherTheStoreNorOtherListeners() {
        List<RuntimeException> reported = new ArrayList<>();
        InMemoryObjectStore s = new InMemoryObjectStore((event, failure) -> reported.add(failure));
        List<WatchEvent> before = new ArrayList<>();
        List<WatchEvent> after = new ArrayList<>();
        s.watch(before::add);
        s.watch(e -> {
            throw new IllegalStateException("listener bug");
        });
        s.watch(after::add);
        assertTrue(s.applyIfNewer(live(vip("web"), v(1, "a"))));
        assertTrue(s.applyIfNewer(live(vip("web"), v(2, "a"))));
        assertEquals(2, before.size());
        assertEquals(2, after.size());
        assertEquals(2, s.listenerFailures());
        assertEquals("listener bug", reported.get(0).getMessage());
        assertEquals(v(2, "a"), s.get(vip("web")).orElseThrow().version());
    }

    @Test
    void listenerMayNotModifyTheStore() {
        List<RuntimeException> reported = new ArrayList<>();
        InMemoryObjectStore guarded = new InMemoryObjectStore((event, failure) -> reported.add(failure));
        guarded.watch(e -> guarded.applyIfNewer(live(vip("echo"), v(1, "a"))));
        assertTrue(guarded.applyIfNewer(live(vip("web"), v(1, "a"))));
        assertTrue(guarded.get(vip("echo")).isEmpty());
        assertEquals(1, reported.size());
        assertTrue(reported.get(0) instanceof IllegalStateException);
        // and the store is usable afterwards
        assertTrue(guarded.applyIfNewer(live(vip("web"), v(2, "a"))));
        assertEquals(2, reported.size());
        assertNull(guarded.get(vip("echo")).orElse(null));
    }

    @Test
    void listenerClosingItsOwnWatchDuringDispatchIsSafe() {
        InMemoryObjectStore s = new InMemoryObjectStore();
        List<WatchEvent> second = new ArrayList<>();
        InMemoryObjectStore.Watch[] self = new InMemoryObjectStore.Watch[1];
        List<WatchEvent> first = new ArrayList<>();
        self[0] = s.watch(e -> {
            first.add(e);
            self[0].close();
        });
        s.watch(second::add);
        s.applyIfNewer(live(vip("a"), v(1, "a")));
        s.applyIfNewer(live(vip("b"), v(1, "a")));
        assertEquals(1, first.size());
        assertEquals(2, second.size());
        assertEquals(0, s.listenerFailures());
    }

    @Test
    void tombstoneDigestSeesANodeLeftOnAnOlderTombstone() {
        InMemoryObjectStore a = new InMemoryObjectStore();
        InMemoryObjectStore b = new InMemoryObjectStore();
        for (InMemoryObjectStore s : List.of(a, b)) {
            s.applyIfNewer(live(vip("web"), v(1, "a")));
            s.applyIfNewer(StoredObject.tombstone(vip("web"), v(2, "a")));
        }
        assertEquals(a.tombstoneDigest(), b.tombstoneDigest());
        b.applyIfNewer(StoredObject.tombstone(vip("web"), v(3, "b")));
        assertEquals(a.liveDigest(), b.liveDigest(), "both hold nothing live");
        assertNotEquals(a.tombstoneDigest(), b.tombstoneDigest(), "but their tombstones differ");
        a.applyIfNewer(StoredObject.tombstone(vip("web"), v(3, "b")));
        assertEquals(a.tombstoneDigest(), b.tombstoneDigest());
        a.forget(vip("web"));
        b.forget(vip("web"));
        assertEquals(0, a.tombstoneDigest());
        assertEquals(0, b.tombstoneDigest());
    }
}
