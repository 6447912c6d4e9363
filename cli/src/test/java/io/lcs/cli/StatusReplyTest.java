package io.lcs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.model.status.ClusterStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link StatusReply} gives the record data binding gives, and refuses what data binding refuses. */
class StatusReplyTest {
    static final String FULL = """
            {"cluster":"demo","node":"node1","version":"0.1.0","future":{"x":[1,2]},
             "quorum":{"present":true,"votesSeen":3,"votesNeeded":2,"votesTotal":3},
             "nodes":[
              {"name":"node1","role":"full-member","online":true,"self":true,"configMatch":true,"cordoned":false,"restarting":false},
              {"name":"node2","role":"full-member","online":false,"self":false,"configMatch":false,"lastSeenSeconds":12,
               "rttMillis":0.25,"cordoned":true,"restarting":true}],
             "vips":[{"name":"vip1","address":"198.18.6.70/24","interfaceName":"enX0","state":"active","owner":"node1",
                      "epoch":11,"leaseRemainingSeconds":3.9,"failovers":1,"conditions":[
                        {"type":"Active","status":"True","reason":"LeaseHeld","message":"held by node1",
                         "lastTransitionTime":"2025-01-01T00:04:00.123Z","observedGeneration":4},
                        {"type":"Conflict","status":"False"}]},
                     {"name":"vip2","address":"2001:db8::10/64","interfaceName":"eth1","state":"pending","epoch":0}],
             "stale":false}
            """;

    @ParameterizedTest
    @ValueSource(strings = {
        FULL,
        "{}",
        "{\"quorum\":null,\"nodes\":null,\"vips\":[]}",
        "{\"cluster\":\"c\",\"quorum\":{\"present\":false},\"nodes\":[{}],\"vips\":[{\"conditions\":null}],\"stale\":true}"
    })
    void readsTheSameRecordAsDataBinding(String reply) throws Exception {
        JsonNode tree = Replies.parse(reply);
        ClusterStatus expected = Replies.convert(tree, ClusterStatus.class);
        assertEquals(expected, StatusReply.read(tree));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "[]",
        "{\"quorum\":[]}",
        "{\"quorum\":{\"present\":\"yes\"}}",
        "{\"quorum\":{\"votesSeen\":1.5}}",
        "{\"quorum\":{\"votesSeen\":null}}",
        "{\"quorum\":{\"votesSeen\":3000000000}}",
        "{\"nodes\":{}}",
        "{\"nodes\":[1]}",
        "{\"nodes\":[{\"lastSeenSeconds\":\"soon\"}]}",
        "{\"vips\":[{\"conditions\":[{\"lastTransitionTime\":\"yesterday\"}]}]}",
        "{\"stale\":null}"
    })
    void replyThatDoesNotFitIsExit1AsWithDataBinding(String reply) throws Exception {
        JsonNode tree = Replies.parse(reply);
        assertThrows(CliException.class, () -> Replies.convert(tree, ClusterStatus.class), "data binding accepts it");
        CliException e = assertThrows(CliException.class, () -> StatusReply.read(tree));
        assertEquals(Lcs.EXIT_ERROR, e.exitCode());
        assertTrue(e.getMessage().startsWith("unexpected reply from lcsd (ClusterStatus)"), e.getMessage());
    }

    /** Data binding turns 7 into "7" and "11" into 11; lcsd never sends either, so neither is guessed at. */
    @ParameterizedTest
    @ValueSource(strings = {"{\"nodes\":[{\"name\":7}]}", "{\"vips\":[{\"epoch\":\"11\"}]}"})
    void scalarOfTheWrongKindIsRefusedWhereDataBindingWouldCoerceIt(String reply) throws Exception {
        CliException e = assertThrows(CliException.class, () -> StatusReply.read(Replies.parse(reply)));
        assertEquals(Lcs.EXIT_ERROR, e.exitCode());
        assertTrue(e.getMessage().contains("field "), e.getMessage());
    }
}
