package io.lcs.controller.daemon;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lcs.controller.store.StateDirectory;
import io.lcs.controller.store.StoreCorruptException;
import io.lcs.controller.store.StoreEntry;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.StoredObject;
import io.lcs.model.codec.LcsJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The core's durable state in the {@link StateDirectory}: replicated objects (one crash-safe file
 * each) and the highest lease epoch seen per VIP (one record). Implements the driver's
 * persist-before-send contract. Not thread-safe: loaded at start, then written by the driver's
 * persistence thread only (one persist at a time).
 */
public final class StatePersistence implements CoreDriver.Durable {
    static final String EPOCHS_RECORD = "epochs";
    private static final ObjectMapper JSON = LcsJson.json();

    private final StateDirectory dir;
    private final Map<String, Long> epochs = new TreeMap<>();

    public StatePersistence(StateDirectory dir) {
        this.dir = dir;
    }

    /** Everything the directory holds; a corrupt file stops the load with a message naming it. */
    public List<StoredObject> loadObjects() throws IOException {
        List<StoredObject> out = new ArrayList<>();
        for (StoreEntry e : dir.loadObjects()) {
            JsonNode body = null;
            if (!e.deleted()) {
                try {
                    body = JSON.readTree(e.body());
                } catch (IOException ex) {
                    throw new StoreCorruptException(dir.objectFile(e.key()), "body is not JSON: " + ex.getMessage());
                }
            }
            out.add(new StoredObject(e.key(), e.version(), e.deleted(), body));
        }
        return out;
    }

    public Map<String, Long> loadEpochs() throws IOException {
        Optional<byte[]> bytes = dir.readRecord(EPOCHS_RECORD);
        if (bytes.isPresent()) {
            try {
                epochs.putAll(JSON.readValue(bytes.get(), new TypeReference<Map<String, Long>>() { }));
            } catch (IOException ex) {
                throw new StoreCorruptException(dir.directory().resolve("records").resolve(EPOCHS_RECORD + ".record"),
                        "epochs are not a JSON map: " + ex.getMessage());
            }
        }
        return Map.copyOf(epochs);
    }

    /**
     * Writes the objects, removes the forgotten ones and records the new epochs, all in one
     * {@link StateDirectory#writeBatch} (one sync per file and one per directory); returns once it
     * is on disk. Called on the driver's persistence thread. If the state directory refuses an
     * object's content (an exception other than an I/O error; nothing of the batch is written), the
     * epochs are still written, alone, before the refusal is rethrown: an epoch the core has seen is
     * never lost from the record.
     */
    @Override
    public void persist(List<StoredObject> objects, List<ObjectKey> forget, Map<String, Long> newEpochs)
            throws IOException {
        Map<String, Long> next = new TreeMap<>(epochs);
        newEpochs.forEach((vip, epoch) -> next.merge(vip, epoch, Math::max));
        Map<String, byte[]> records = newEpochs.isEmpty() ? Map.of()
                : Map.of(EPOCHS_RECORD, JSON.writeValueAsBytes(next));
        try {
            List<StoreEntry> entries = new ArrayList<>(objects.size());
            for (StoredObject o : objects) {
                entries.add(o.deleted() ? StoreEntry.tombstone(o.key(), o.version())
                        : StoreEntry.live(o.key(), o.version(), JSON.writeValueAsBytes(o.body())));
            }
            dir.writeBatch(entries, forget, records);
        } catch (RuntimeException refused) {
            if (!records.isEmpty()) {
                dir.writeBatch(List.of(), List.of(), records);
                epochs.putAll(next);
            }
            throw refused;
        }
        epochs.putAll(next); // only once it is on disk
    }
}
