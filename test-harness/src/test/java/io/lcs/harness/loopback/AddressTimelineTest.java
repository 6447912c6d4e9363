package io.lcs.harness.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lcs.harness.loopback.AddressTimeline.Interval;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The journal-based overlap checker must be able to fail: each rule of a hold's end, and an overlap. */
class AddressTimelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String A = "198.18.0.201/24";

    private static List<JsonNode> journal(String... lines) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : lines) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    private static String op(long t, String op, long lifetime) {
        return "{\"t\":" + t + ",\"op\":\"" + op + "\",\"address\":\"" + A + "\",\"ifname\":\"eth0\""
                + (lifetime >= 0 ? ",\"lifetimeSeconds\":" + lifetime : "") + "}";
    }

    @Test
    void holdEndsAtRemoveExpireOrLastRefreshPlusLifetime() throws Exception {
        List<Interval> held = AddressTimeline.intervals("a", journal(
                op(1000, "add", 1), op(1500, "refresh", 1), op(1800, "remove", -1),   // removed
                op(3000, "add", 1), op(3400, "expire", 1),                              // expired
                op(5000, "add", 1), op(5500, "refresh", 2),                             // killed: fence
                op(9000, "probe", -1)), A);
        assertEquals(List.of(new Interval("a", 1000, 1800), new Interval("a", 3000, 3400),
                new Interval("a", 5000, 7500)), held);
    }

    @Test
    void otherAddressesAndLoneRemovesAreIgnored() throws Exception {
        List<JsonNode> j = journal(op(100, "remove", -1),
                "{\"t\":200,\"op\":\"add\",\"address\":\"198.18.0.9/24\",\"ifname\":\"eth0\",\"lifetimeSeconds\":1}");
        assertTrue(AddressTimeline.intervals("a", j, A).isEmpty());
    }

    @Test
    void overlapOfTwoNodesIsReportedAndHandOverIsNot() throws Exception {
        // a is killed at ~5600 with its fence until 7500; b adds at 7000: overlap of 500 ms
        Map<String, List<JsonNode>> bad = Map.of(
                "a", journal(op(5000, "add", 1), op(5500, "refresh", 2)),
                "b", journal(op(7000, "add", 1)));
        List<String> problems = AddressTimeline.overlaps(bad, A);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("500 ms"), problems.get(0));

        Map<String, List<JsonNode>> good = Map.of(
                "a", journal(op(5000, "add", 1), op(5500, "refresh", 2)),
                "b", journal(op(7500, "add", 1)),
                "c", journal(op(8500, "add", 1)));
        assertTrue(AddressTimeline.overlaps(good, A).isEmpty());
    }
}
