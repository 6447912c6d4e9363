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
}
