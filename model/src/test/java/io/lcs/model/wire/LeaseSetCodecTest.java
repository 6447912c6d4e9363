package io.lcs.model.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LeaseSetCodecTest {
    private static final List<String> NAMES = names(1000);

    private static List<String> names(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(String.format("v%04d", i));
        }
        return out;
    }

    private static LeaseSetCodec.VipTable table() {
        return LeaseSetCodec.VipTable.of(NAMES);
    }

    private static Message roundTripJson(Message m) throws Exception {
        return WireCodec.decode(WireCodec.encode(m));
    }

    @Test
    void aRoundOfPreparesForTwoHundredVipsIsOneGroupOfABitmap() throws Exception {
        Ballot b = new Ballot(7, "n1");
        List<LeaseMessage> items = new ArrayList<>();
        for (int i = 0; i < 1000; i += 5) {
            items.add(new LeaseMessage.Prepare(NAMES.get(i), b));
        }
        LeaseSetCodec.PrepareSets mine = new LeaseSetCodec.PrepareSets(16, 8);
        Message.LeaseSets ls = LeaseSetCodec.encode(items, table(), mine);
        assertEquals(1, ls.groups().size());
        int bytes = WireCodec.encode(ls).length;
        assertTrue(bytes < 300, "200 prepares took " + bytes + " bytes");
        LeaseSetCodec.PrepareSets theirs = new LeaseSetCodec.PrepareSets(16, 8);
        assertEquals(items, LeaseSetCodec.decode("n1", (Message.LeaseSets) roundTripJson(ls), table(), theirs));
    }

    @Test
    void repliesAndProposesReferToThePrepareSetMinusTheExceptions() throws Exception {
        Ballot b = new Ballot(9, "n1");
        List<LeaseMessage> prepares = new ArrayList<>();
        for (int i = 0; i < 1000; i += 5) {
            prepares.add(new LeaseMessage.Prepare(NAMES.get(i), b));
        }
        LeaseSetCodec.PrepareSets proposer = new LeaseSetCodec.PrepareSets(16, 8);
        LeaseSetCodec.PrepareSets acceptor = new LeaseSetCodec.PrepareSets(16, 8);
        LeaseSetCodec.decode("n1", LeaseSetCodec.encode(prepares, table(), proposer), table(), acceptor);

        // the acceptor promises all but one, which it rejects
        List<LeaseMessage> replies = new ArrayList<>();
        for (LeaseMessage p : prepares) {
            if (p.vip().equals("v0500")) {
                replies.add(new LeaseMessage.Reject(p.vip(), b, new Ballot(12, "n2"), "n2", 480, 3));
            } else {
                replies.add(new LeaseMessage.Promise(p.vip(), b, 1, 1));
            }
        }
        Message.LeaseSets ls = LeaseSetCodec.encode(replies, table(), acceptor);
        assertEquals(2, ls.groups().size());
        assertTrue(ls.groups().get(0).ref(), "the promise group refers to the prepare set");
        int bytes = WireCodec.encode(ls).length;
        assertTrue(bytes < 300, "200 replies took " + bytes + " bytes");
        List<LeaseMessage> decoded = LeaseSetCodec.decode("n2", (Message.LeaseSets) roundTripJson(ls), table(),
                proposer);
        assertEquals(new LinkedHashSet<>(replies), new LinkedHashSet<>(decoded));
        assertEquals(replies.size(), decoded.size());
    }

    @Test
    void aReferenceToAPrepareSetTheReceiverNeverSawIsLostNotGuessed() throws Exception {
        Ballot b = new Ballot(3, "n1");
        LeaseSetCodec.PrepareSets proposer = new LeaseSetCodec.PrepareSets(16, 8);
        LeaseSetCodec.encode(List.of(new LeaseMessage.Prepare("v0001", b), new LeaseMessage.Prepare("v0002", b)),
                table(), proposer);
        Message.LeaseSets propose = LeaseSetCodec.encode(List.of(new LeaseMessage.Propose("v0001", b, 2000, 4)),
                table(), proposer);
        assertTrue(propose.groups().get(0).ref());
        // this acceptor lost the prepare
        assertEquals(List.of(), LeaseSetCodec.decode("n1", propose, table(), new LeaseSetCodec.PrepareSets(16, 8)));
    }

    @Test
    void randomMixesDecodeToExactlyTheDistinctMessagesSent() throws Exception {
        Random r = new Random(42);
        for (int run = 0; run < 200; run++) {
            LeaseSetCodec.PrepareSets proposer = new LeaseSetCodec.PrepareSets(16, 8);
            LeaseSetCodec.PrepareSets acceptor = new LeaseSetCodec.PrepareSets(16, 8);
            Ballot b = new Ballot(run + 1, "n1");
            List<LeaseMessage> prepares = new ArrayList<>();
            for (String n : NAMES) {
                if (r.nextInt(4) == 0) {
                    prepares.add(new LeaseMessage.Prepare(n, b));
                }
            }
            LeaseSetCodec.decode("n1", LeaseSetCodec.encode(prepares, table(), proposer), table(), acceptor);
            List<LeaseMessage> mix = new ArrayList<>();
            for (LeaseMessage p : prepares) {
                switch (r.nextInt(5)) {
                    case 0 -> mix.add(new LeaseMessage.Promise(p.vip(), b, r.nextInt(3), r.nextInt(2)));
                    case 1 -> mix.add(new LeaseMessage.Accepted(p.vip(), b, r.nextInt(3)));
                    case 2 -> mix.add(new LeaseMessage.Reject(p.vip(), b, new Ballot(r.nextInt(3), "n3"),
                            r.nextBoolean() ? null : "n3", r.nextInt(3) * 10, r.nextInt(3)));
                    case 3 -> mix.add(new LeaseMessage.Release(p.vip(), new Ballot(r.nextInt(3), "n2")));
                    default -> { }
                }
            }
            // some for VIPs outside the prepare set, and a duplicate
            mix.add(new LeaseMessage.Accepted(NAMES.get(r.nextInt(1000)), b, 1));
            if (!mix.isEmpty()) {
                mix.add(mix.get(0));
            }
            Message.LeaseSets ls = LeaseSetCodec.encode(mix, table(), acceptor);
            List<LeaseMessage> got = LeaseSetCodec.decode("n2", (Message.LeaseSets) roundTripJson(ls), table(),
                    proposer);
            assertEquals(new LinkedHashSet<>(mix), new LinkedHashSet<>(got), "run " + run);
            assertEquals(new LinkedHashSet<>(mix).size(), got.size(), "run " + run);
        }
    }

    @Test
    void aVipOutsideTheTableMeansSendByName() {
        assertNull(LeaseSetCodec.encode(List.of(new LeaseMessage.Prepare("unknown", new Ballot(1, "n1"))), table(),
                new LeaseSetCodec.PrepareSets(16, 8)));
    }

    @Test
    void onePrepareBallotWithTwoSetsIsRefusedBySenderAndPoisonedAtTheReceiver() throws Exception {
        Ballot b = new Ballot(5, "n1");
        LeaseSetCodec.PrepareSets sets = new LeaseSetCodec.PrepareSets(16, 8);
        LeaseSetCodec.encode(List.of(new LeaseMessage.Prepare("v0001", b)), table(), sets);
        assertThrows(IllegalStateException.class,
                () -> LeaseSetCodec.encode(List.of(new LeaseMessage.Prepare("v0002", b)), table(), sets));
        assertNull(sets.get(b));
    }

    @Test
    void badInputNamesThePeerAndTheField() {
        LeaseSetCodec.PrepareSets sets = new LeaseSetCodec.PrepareSets(16, 8);
        Ballot b = new Ballot(1, "n2");
        var bad64 = new Message.LeaseSets(table().hash(),
                List.of(new Message.LeaseGroup(new LeaseMessage.Prepare("", b), false, "!!not base64!!")));
        var e = assertThrows(WireCodec.WireFormatException.class, () -> LeaseSetCodec.decode("n2", bad64, table(), sets));
        assertTrue(e.getMessage().contains("peer 'n2'") && e.getMessage().contains("groups[0].bits"), e.getMessage());

        var named = new Message.LeaseSets(table().hash(),
                List.of(new Message.LeaseGroup(new LeaseMessage.Prepare("v0001", b), false, "AQ")));
        e = assertThrows(WireCodec.WireFormatException.class, () -> LeaseSetCodec.decode("n2", named, table(), sets));
        assertTrue(e.getMessage().contains("groups[0].m.vip"), e.getMessage());

        byte[] big = new byte[200];
        big[199] = 1;
        var past = new Message.LeaseSets(table().hash(), List.of(new Message.LeaseGroup(
                new LeaseMessage.Prepare("", b), false, java.util.Base64.getEncoder().encodeToString(big))));
        e = assertThrows(WireCodec.WireFormatException.class, () -> LeaseSetCodec.decode("n2", past, table(), sets));
        assertTrue(e.getMessage().contains("past the VIP table"), e.getMessage());

        var otherTable = new Message.LeaseSets(table().hash() + 1, List.of());
        e = assertThrows(WireCodec.WireFormatException.class,
                () -> LeaseSetCodec.decode("n2", otherTable, table(), sets));
        assertTrue(e.getMessage().contains("table"), e.getMessage());
        assertNull(sets.get(b), "nothing recorded from bad input");
    }

    @Test
    void aGroupMissingAFieldDoesNotDecodeFromJson() {
        String json = "{\"t\":\"ls\",\"h\":1,\"g\":[{\"m\":{\"t\":\"prep\",\"v\":\"\",\"b\":"
                + "{\"c\":1,\"n\":\"n1\"}},\"r\":false}]}";
        var e = assertThrows(WireCodec.WireFormatException.class,
                () -> WireCodec.decode(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("'s'"), e.getMessage());
    }
}
