package io.lcs.model.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
        assertEquals(hb, back);
    }

    @Test
    void aJsonHeartbeatOfProtocol3IsRefused() {
        byte[] old = ("{\"t\":\"hb\",\"ch\":1,\"in\":2,\"sd\":3,\"td\":4,\"sn\":5,\"en\":6,\"rs\":false,\"dc\":[],"
                + "\"lt\":7,\"hg\":0,\"ag\":0,\"at\":0,\"am\":\"\",\"cg\":0,\"ca\":0,\"cs\":null}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        WireCodec.WireFormatException e = org.junit.jupiter.api.Assertions.assertThrows(
                WireCodec.WireFormatException.class, () -> WireCodec.decode(old));
        assertEquals("malformed message: a heartbeat in JSON (protocol 4 sends them binary)", e.getMessage());
    }
}
