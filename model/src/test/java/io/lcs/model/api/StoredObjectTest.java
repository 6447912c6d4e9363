package io.lcs.model.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.lcs.model.codec.LcsJson;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoredObjectTest {
    private static final ObjectVersion V = new ObjectVersion(7, "node-b");

    private static List<LcsObject> objects() {
        Instant t = Instant.parse("2024-05-01T12:00:00Z");
        return List.of(
                new VirtualIP("lcs/v1", "VirtualIP", new ObjectMeta("web", 7L, 2L, t, Map.of("a", "b")),
                        new VirtualIP.Spec("198.18.0.201/24", "eth0", List.of("a"), null),
                        new VirtualIP.Status("active", "a", 3L, 1.5, 0L, t, 2L,
                                List.of(new Condition("Active", Condition.TRUE, "LeaseHeld", "ok", t, 2L)))),
                new Move("lcs/v1", "Move", ObjectMeta.named("m"), new Move.Spec("web", "b", 3L)),
                new ConflictAck("lcs/v1", "ConflictAck", ObjectMeta.named("c"), new ConflictAck.Spec("web", 3L)),
                new NodeIntent("lcs/v1", "NodeIntent", ObjectMeta.named("n"), new NodeIntent.Spec(true, false)));
    }

    @Test
    void storedObjectsRoundTripThroughJsonAndBackToTheirRecords() throws Exception {
        for (LcsObject o : objects()) {
            StoredObject stored = StoredObject.of(o, V);
            assertEquals(o.key(), stored.key());
            String json = LcsJson.json().writeValueAsString(stored);
            StoredObject back = LcsJson.json().readValue(json, StoredObject.class);
            assertEquals(stored, back, json);
            assertEquals(o, back.toObject());
        }
    }

    @Test
    void tombstonesRoundTripWithANullBody() throws Exception {
        StoredObject t = StoredObject.tombstone(new ObjectKey("VirtualIP", "web"), V);
        String json = LcsJson.json().writeValueAsString(t);
        assertTrue(json.contains("\"deleted\":true"), json);
        StoredObject back = LcsJson.json().readValue(json, StoredObject.class);
        assertEquals(t, back);
        assertNull(back.body());
        assertThrows(IllegalStateException.class, back::toObject);
        String explicitNull = "{\"key\":{\"kind\":\"VirtualIP\",\"name\":\"web\"},"
                + "\"version\":{\"counter\":7,\"writer\":\"node-b\"},\"deleted\":true,\"body\":null}";
        assertEquals(t, LcsJson.json().readValue(explicitNull, StoredObject.class));
    }

    @Test
    void invariantsAreChecked() {
        ObjectKey k = new ObjectKey("Move", "m");
        assertThrows(IllegalArgumentException.class, () -> new StoredObject(k, V, true, JsonNodeFactory.instance.objectNode()));
        assertThrows(IllegalArgumentException.class, () -> new StoredObject(k, V, false, null));
        assertThrows(IllegalArgumentException.class, () -> new StoredObject(null, V, true, null));
        assertThrows(IllegalArgumentException.class, () -> new StoredObject(k, V, false, JsonNodeFactory.instance.textNode("x")));
    }

    @Test
    void aCorruptBodySaysWhatIsWrong() {
        StoredObject s = new StoredObject(new ObjectKey("Move", "m"), V, false,
                JsonNodeFactory.instance.objectNode().put("apiVersion", "lcs/v1").put("kind", "Mover"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, s::toObject);
        assertTrue(e.getMessage().contains("unknown kind 'Mover'"), e.getMessage());
    }
}
