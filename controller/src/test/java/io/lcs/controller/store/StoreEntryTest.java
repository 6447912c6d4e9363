package io.lcs.controller.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StoreEntryTest {
    static ObjectKey vip(String name) {
        return new ObjectKey("VirtualIP", name);
    }

    static ObjectVersion v(long counter, String writer) {
        return new ObjectVersion(counter, writer);
    }

    @Test
    void storeEntryRejectsInconsistentTombstonesAndComparesBodiesByContent() {
        assertThrows(IllegalArgumentException.class, () -> new StoreEntry(vip("a"), v(1, "a"), true, new byte[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new StoreEntry(vip("a"), v(1, "a"), false, null));
        assertEquals(StoreEntry.live(vip("a"), v(1, "a"), "{}".getBytes(StandardCharsets.UTF_8)),
                StoreEntry.live(vip("a"), v(1, "a"), "{}".getBytes(StandardCharsets.UTF_8)));
    }
}
