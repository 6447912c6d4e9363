package io.lcs.model.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectVersion;
import io.lcs.model.api.StoredObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A peer's message that decodes but breaks a field rule (a null the core would read, a name the
 * lease table or state directory would keep, an epoch or ballot counter whose {@code + 1} wraps, a
 * list without bound) is a malformed frame: it never reaches the core, and the error says which
 * field. Every message this version sends keeps the rules.
 */
class WireCheckTest {
    private static final Ballot B = new Ballot(7, "n1");

    private static String refusal(String json) {
        return assertThrows(WireCodec.WireFormatException.class,
                () -> WireCodec.decode(json.getBytes(StandardCharsets.UTF_8)), json).getMessage();
    }

    private static String refusal(Message m) {
        byte[] frame = WireCodec.encode(m);
        return assertThrows(WireCodec.WireFormatException.class, () -> WireCodec.decode(frame), m.toString())
                .getMessage();
    }

    private static void roundTrips(Message m) throws Exception {
        assertEquals(m, WireCodec.decode(WireCodec.encode(m)));
    }

    @Test
    void nullsTheCoreWouldReadAreRefusedWithTheirField() {
        assertTrue(refusal("{\"t\":\"wr\",\"requestId\":1,\"object\":null}").contains("write request: object: missing"));
        assertTrue(refusal("{\"t\":\"so\",\"objects\":null}").contains("objects: missing"));
        assertTrue(refusal("{\"t\":\"so\",\"objects\":[null]}").contains("objects[0]: null"));
        assertTrue(refusal("{\"t\":\"rd\",\"requestId\":1,\"key\":null}").contains("read request: key: missing"));
        assertTrue(refusal("{\"t\":\"wra\",\"requestId\":1,\"key\":{\"kind\":\"VirtualIP\",\"name\":\"a\"},"
                + "\"version\":null}").contains("version: missing"));
        assertTrue(refusal("{\"t\":\"lb\",\"items\":null}").contains("lease batch: items: missing"));
        assertTrue(refusal("{\"t\":\"lb\",\"items\":[null]}").contains("items[0]: a null item"));
        assertTrue(refusal("{\"t\":\"lb\",\"items\":[{\"t\":\"prep\",\"v\":\"a\",\"b\":null}]}")
                .contains("items[0]: ballot: missing"));
        assertTrue(refusal("{\"t\":\"lb\",\"items\":[{\"t\":\"prep\",\"v\":\"a\",\"b\":{\"c\":1,\"n\":null}}]}")
                .contains("items[0]: ballot: missing"));
        assertTrue(refusal("{\"t\":\"lb\",\"items\":[{\"t\":\"rej\",\"v\":\"a\",\"b\":{\"c\":1,\"n\":\"n1\"},"
                + "\"p\":{\"c\":9,\"n\":null},\"o\":null,\"r\":0,\"he\":0}]}").contains("items[0]: promised: missing"));
        assertTrue(refusal("{\"t\":\"ls\",\"h\":1,\"g\":[{\"m\":null,\"r\":false,\"s\":\"AQ\",\"e\":[],\"k\":0}]}")
                .contains("groups[0]: a null group"));
        assertTrue(refusal("{\"t\":\"ls\",\"h\":1,\"g\":[{\"m\":{\"t\":\"prep\",\"v\":null,\"b\":{\"c\":1,\"n\":\"n1\"}},"
                + "\"r\":false,\"s\":\"AQ\",\"e\":[],\"k\":0}]}").contains("groups[0]: a null group, message, message VIP"));
        assertTrue(refusal("{\"t\":\"hs\",\"in\":1,\"g\":1,\"h\":0,\"s\":\"\",\"n\":[\"a\"],\"e\":[null]}")
                .contains("held set: epochs[0]: null"));
    }

    @Test
    void vipAndNodeNamesFollowTheNameRule() {
        String longName = "x".repeat(64);
        assertTrue(refusal(new Message.LeaseBatch(List.of(new LeaseMessage.Prepare(longName, B))))
                .contains("items[0]: name '" + longName + "' is longer than 63 characters"));
        assertTrue(refusal(new Message.LeaseBatch(List.of(new LeaseMessage.Prepare("#ballots", B))))
                .contains("items[0]: name '#ballots' may only contain"));
        assertTrue(refusal(new Message.LeaseBatch(List.of(new LeaseMessage.Prepare("", B))))
                .contains("items[0]: name is empty"));
        assertTrue(refusal(new Message.LeaseBatch(List.of(new LeaseMessage.Prepare("group:", B))))
                .contains("items[0]: name is empty"));
        assertTrue(refusal(new Message.LeaseBatch(List.of(new LeaseMessage.Prepare("other:x", B))))
                .contains("items[0]: name 'other:x' may only contain"));
        assertTrue(refusal(new Message.LeaseBatch(List.of(new LeaseMessage.Prepare("a", new Ballot(1, "n 1")))))
                .contains("ballot.node: name 'n 1'"));
        assertTrue(refusal(new Message.LeaseBatch(List.of(new LeaseMessage.Reject("a", B, Ballot.ZERO, "o/x", 10, 1))))
                .contains("grantOwner: name 'o/x'"));
        assertTrue(refusal(new Message.HeldSet(1, 1, 0, "", List.of("a", "b/c"), List.of(1L, 1L)))
                .contains("held set: names[1]: name 'b/c'"));
        // a group's message names no VIP: its set does
        assertTrue(refusal(new Message.LeaseSets(1, List.of(new Message.LeaseGroup(new LeaseMessage.Prepare("a", B),
                false, "AQ"))))
                .contains("groups[0]: the message of a group names a VIP ('a')"));
    }

    @Test
    void leasesOfGroupsAndDependencyUnitsAreNamedByTheirPrefixAndAName() throws Exception {
        roundTrips(new Message.LeaseBatch(List.of(new LeaseMessage.Prepare("group:kt", B),
                new LeaseMessage.Prepare("deps:app", B), new LeaseMessage.Prepare("web", B))));
        roundTrips(new Message.HeldSet(1, 1, 0, "", List.of("deps:app", "group:kt"), List.of(1L, 2L)));
    }

    @Test
    void countersAndEpochsStayWhereOneMoreNeverWraps() {
        long max = WireCheck.MAX_COUNTER;
        assertTrue(refusal(new Message.LeaseBatch(List.of(new LeaseMessage.Prepare("a", new Ballot(Long.MAX_VALUE, "n1")))))
                .contains("ballot.counter " + Long.MAX_VALUE + " is outside 0..2^62"));
        assertTrue(refusal(new Message.LeaseBatch(List.of(new LeaseMessage.Propose("a", B, 2000, Long.MAX_VALUE))))
                .contains("epoch " + Long.MAX_VALUE));
        assertTrue(refusal(new Message.LeaseBatch(List.of(new LeaseMessage.Promise("a", B, -1, 0))))
                .contains("highestEpoch -1"));
        assertTrue(refusal(new Message.LeaseBatch(List.of(new LeaseMessage.Promise("a", B, 1, max + 1))))
                .contains("grantEpoch " + (max + 1)));
        assertTrue(refusal(new Message.LeaseBatch(List.of(new LeaseMessage.Accepted("a", B, -5))))
                .contains("epoch -5"));
        assertTrue(refusal(new Message.LeaseBatch(List.of(new LeaseMessage.Reject("a", B,
                new Ballot(Long.MAX_VALUE, "n2"), null, 0, 1)))).contains("promised.counter"));
        assertTrue(refusal(new Message.LeaseBatch(List.of(new LeaseMessage.Reject("a", B, B, "n2", -1, 1))))
                .contains("grantRemainingMillis -1"));
        assertTrue(refusal(new Message.LeaseBatch(List.of(new LeaseMessage.Reject("a", B, B, "n2", 10, Long.MAX_VALUE))))
                .contains("highestEpoch " + Long.MAX_VALUE));
        assertTrue(refusal(new Message.HeldSet(1, 1, 0, "", List.of("a"), List.of(Long.MAX_VALUE)))
                .contains("epochs[0]: " + Long.MAX_VALUE));
        assertTrue(refusal(new Message.HeldSet(1, -1, 0, "", List.of(), List.of())).contains("gen -1"));
        assertTrue(refusal(new Message.LeaseSets(1, List.of(new Message.LeaseGroup(new LeaseMessage.Accepted("", B, 0),
                false, "Aw", new long[] {3, max + 1})))).contains("groups[0]: epochs[1] " + (max + 1)));
    }

    @Test
    void theLargestLegalValuesPass() throws Exception {
        long max = WireCheck.MAX_COUNTER;
        roundTrips(new Message.LeaseBatch(List.of(new LeaseMessage.Propose("v-1.a_b", new Ballot(max, "n1"), 2000, max),
                new LeaseMessage.Reject("v", B, Ballot.ZERO, null, WireCheck.MAX_REMAINING_MILLIS, max),
                new LeaseMessage.Promise("v", B, max, max), new LeaseMessage.Release("v", B))));
        roundTrips(new Message.LeaseSets(5, List.of(new Message.LeaseGroup(new LeaseMessage.Accepted("", B, 0), false,
                "Aw", new long[] {0, max}))));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < WireCheck.MAX_NAMES; i++) {
            names.add(String.format("v%05d", i));
        }
        roundTrips(new Message.HeldSet(1, 1, 0, "", names, Collections.nCopies(names.size(), 1L)));
        roundTrips(new Message.Heartbeat(1, 2, 3, 4, 5, 6, false, names, 7));
    }

    @Test
    void listsAreBounded() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i <= WireCheck.MAX_NAMES; i++) {
            names.add("v" + i);
        }
        // the binary heartbeat: a peer could fill the lists with a megabyte of one-letter names
        assertTrue(refusal(new Message.Heartbeat(1, 2, 3, 4, 5, 6, false, names, 7))
                .contains("heartbeat: declined: 10001 names, more than 10000"));
        assertTrue(refusal(new Message.HeldSet(1, 1, 0, "", names, Collections.nCopies(names.size(), 1L)))
                .contains("names: 10001 names"));
        assertTrue(refusal(new Message.Heartbeat(1, 2, 3, 4, 5, 6, false, List.of("ok", "x".repeat(70)), 7))
                .contains("declined[1]: a name longer than 69 characters"));
    }

    @Test
    void aReadReplyCarriesTheObjectItNames() throws Exception {
        ObjectKey a = new ObjectKey("VirtualIP", "a");
        ObjectKey b = new ObjectKey("VirtualIP", "b");
        StoredObject bGone = StoredObject.tombstone(b, new ObjectVersion(4, "n2"));
        assertTrue(refusal(new Message.ReadReply(9, a, bGone))
                .contains("read reply: current: object VirtualIP/b in a reply about VirtualIP/a"));
        roundTrips(new Message.ReadReply(9, b, bGone));
        roundTrips(new Message.ReadReply(9, a, null));
    }
}
