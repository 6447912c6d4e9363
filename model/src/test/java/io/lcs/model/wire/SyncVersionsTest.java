package io.lcs.model.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Anti-entropy version lists carry the key range they cover; a peer's malformed one never decodes. */
class SyncVersionsTest {
    static Message decode(String json) throws WireCodec.WireFormatException {
        return WireCodec.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void rangeAndEntriesSurviveTheWire() throws Exception {
        Message.SyncVersions sv = new Message.SyncVersions(List.of(new Message.VersionEntry(
                new ObjectKey("VirtualIP", "b"), new ObjectVersion(3, "n1"), false)), true,
                new ObjectKey("VirtualIP", "a"), null);
        assertEquals(sv, WireCodec.decode(WireCodec.encode(sv)));
    }

    @Test
    void emptyKeyRangeOrEntryWithoutVersionIsAWireFormatError() {
        String inverted = "{\"t\":\"sv\",\"versions\":[],\"reply\":false,"
                + "\"after\":{\"kind\":\"VirtualIP\",\"name\":\"b\"},\"upTo\":{\"kind\":\"VirtualIP\",\"name\":\"a\"}}";
        WireCodec.WireFormatException e = assertThrows(WireCodec.WireFormatException.class, () -> decode(inverted));
        assertTrue(e.getMessage().contains("empty key range"), e.getMessage());
        String noVersion = "{\"t\":\"sv\",\"versions\":[{\"key\":{\"kind\":\"VirtualIP\",\"name\":\"a\"},"
                + "\"version\":null,\"deleted\":false}],\"reply\":false,\"after\":null,\"upTo\":null}";
        assertThrows(WireCodec.WireFormatException.class, () -> decode(noVersion));
        String noList = "{\"t\":\"sv\",\"versions\":null,\"reply\":false,\"after\":null,\"upTo\":null}";
        assertThrows(WireCodec.WireFormatException.class, () -> decode(noList));
    }
}
