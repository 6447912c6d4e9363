package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.lcs.controller.store.StateDirectory;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectVersion;
import io.lcs.model.api.StoredObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver's persist on a real state directory: one batch, and epochs never lost to a refused object. */
class StatePersistenceTest {
    @TempDir
    Path tmp;

    private static StoredObject vip(String name, long counter) {
        return new StoredObject(new ObjectKey("VirtualIP", name), new ObjectVersion(counter, "a"), false,
                JsonNodeFactory.instance.objectNode().put("kind", "VirtualIP"));
    }

    @Test
    void objectsForgetsAndEpochsOfOnePersistSurviveARestart() throws IOException {
        try (StateDirectory dir = StateDirectory.open(tmp)) {
            StatePersistence p = new StatePersistence(dir);
            p.persist(List.of(vip("web", 1), vip("gone", 1)), List.of(), Map.of("web", 3L));
            p.persist(List.of(vip("web", 2)), List.of(new ObjectKey("VirtualIP", "gone")), Map.of("db", 1L));
        }
        try (StateDirectory dir = StateDirectory.open(tmp)) {
            StatePersistence p = new StatePersistence(dir);
            assertEquals(List.of(vip("web", 2)), p.loadObjects());
            assertEquals(Map.of("web", 3L, "db", 1L), p.loadEpochs(), "epochs accumulate across persists");
        }
    }

    @Test
    void anObjectTheDirectoryRefusesStillLeavesTheEpochsOfItsPersistOnDisk() throws IOException {
        try (StateDirectory dir = StateDirectory.open(tmp)) {
            StatePersistence p = new StatePersistence(dir);
            assertThrows(IllegalArgumentException.class,
                    () -> p.persist(List.of(vip("web", 1), vip("a/b", 1)), List.of(), Map.of("web", 7L)));
        }
        try (StateDirectory dir = StateDirectory.open(tmp)) {
            StatePersistence p = new StatePersistence(dir);
            assertEquals(List.of(), p.loadObjects(), "no object of the refused batch");
            assertEquals(Map.of("web", 7L), p.loadEpochs(), "but its epochs");
        }
    }
}
