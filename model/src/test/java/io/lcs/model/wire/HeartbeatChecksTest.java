package io.lcs.model.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Heartbeats with and without health-check results through the wire codec. */
class HeartbeatChecksTest {
    @Test
    void checkResultsSurviveTheCodec() throws Exception {
        Message.Heartbeat hb = new Message.Heartbeat(1, 2, 3, 4, 5, 6, false, List.of(), 7, 0, 0, 0, "", 42, 41,
                List.of(new Message.CheckReport("web", false, "failing 3/3: connection refused")));
        assertEquals(hb, WireCodec.decode(WireCodec.encode(hb)));
    }

    @Test
    void aHeartbeatWithoutResultsCarriesOnlyTheGenerations() throws Exception {
        Message.Heartbeat hb = new Message.Heartbeat(1, 2, 3, 4, 5, 6, false, List.of(), 7);
        Message.Heartbeat back = (Message.Heartbeat) WireCodec.decode(WireCodec.encode(hb));
        assertNull(back.checks());
        assertEquals(0, back.checkGeneration());
        String json = new String(WireCodec.encode(hb), StandardCharsets.UTF_8);
        assertEquals(true, json.contains("\"cg\":0"), json);
    }

    @Test
    void aProtocol2HeartbeatWithoutTheCheckFieldsDoesNotDecode() {
        byte[] old = "{\"t\":\"hb\",\"ch\":1,\"in\":2,\"sd\":3,\"td\":4,\"sn\":5,\"en\":6,\"rs\":false,\"dc\":[],\"lt\":7}"
                .getBytes(StandardCharsets.UTF_8);
        assertThrows(WireCodec.WireFormatException.class, () -> WireCodec.decode(old),
                "protocol 3 needs the check fields: mixed versions refuse each other at the handshake anyway");
    }
}
