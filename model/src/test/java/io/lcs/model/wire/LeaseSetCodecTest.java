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
        assertTrue(bytes < 340, "200 replies took " + bytes + " bytes"); // 2 groups, each reference with its set hash
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

    /**
     * A restarted node counts its ballots from the start again: its new run's prepare of ballot
     * (4, n1) may be lost on the way to an acceptor that still holds the set of its previous run's
     * (4, n1). Neither end may then read a reference of the other against another set: the acceptor
     * would grant leases the proposer never asked for, and the proposer would count an acceptance
     * for leases the acceptor never granted.
     */
    @Test
    void aReferenceToAnotherRunsSetUnderTheSameBallotIsLostNotMisread() throws Exception {
        Ballot b = new Ballot(4, "n1");
        LeaseSetCodec.PrepareSets acceptor = new LeaseSetCodec.PrepareSets(16, 8);
        LeaseSetCodec.PrepareSets oldRun = new LeaseSetCodec.PrepareSets(16, 8);
        LeaseSetCodec.decode("n1", LeaseSetCodec.encode(List.of(new LeaseMessage.Prepare("v0001", b),
                new LeaseMessage.Prepare("v0002", b), new LeaseMessage.Prepare("v0003", b)), table(), oldRun),
                table(), acceptor);

        LeaseSetCodec.PrepareSets newRun = new LeaseSetCodec.PrepareSets(16, 8);
        LeaseSetCodec.encode(List.of(new LeaseMessage.Prepare("v0007", b), new LeaseMessage.Prepare("v0008", b),
                new LeaseMessage.Prepare("v0009", b)), table(), newRun); // lost on the way to the acceptor
        Message.LeaseSets propose = LeaseSetCodec.encode(List.of(new LeaseMessage.Propose("v0007", b, 2000, 5),
                new LeaseMessage.Propose("v0008", b, 2000, 5)), table(), newRun);
        assertTrue(propose.groups().get(0).ref(), "the propose refers to the new run's prepare set");
        assertEquals(List.of(), LeaseSetCodec.decode("n1", (Message.LeaseSets) roundTripJson(propose), table(),
                acceptor), "the acceptor must not read the new run's propose against the old run's set");

        Message.LeaseSets accepted = LeaseSetCodec.encode(List.of(new LeaseMessage.Accepted("v0001", b, 2),
                new LeaseMessage.Accepted("v0002", b, 2)), table(), acceptor);
        assertTrue(accepted.groups().get(0).ref(), "the acceptor refers to the set it holds");
        assertEquals(List.of(), LeaseSetCodec.decode("n2", (Message.LeaseSets) roundTripJson(accepted), table(),
                newRun), "the proposer must not read an acceptance against its own, other set");

        // the same set under the same ballot still resolves (it is the same round's content)
        Message.LeaseSets same = LeaseSetCodec.encode(List.of(new LeaseMessage.Accepted("v0001", b, 2)), table(),
                acceptor);
        assertEquals(List.of(new LeaseMessage.Accepted("v0001", b, 2)),
                LeaseSetCodec.decode("n2", same, table(), oldRun));
    }

    @Test
    void aReferenceWithoutItsSetHashIsRefusedAndAPlainGroupWithOneToo() {
        LeaseSetCodec.PrepareSets sets = new LeaseSetCodec.PrepareSets(16, 8);
        Ballot b = new Ballot(1, "n2");
        var noHash = new Message.LeaseSets(table().hash(), List.of(new Message.LeaseGroup(
                new LeaseMessage.Accepted("", b, 1), true, "", new long[0], 0)));
        var e = assertThrows(WireCodec.WireFormatException.class, () -> LeaseSetCodec.decode("n2", noHash, table(), sets));
        assertTrue(e.getMessage().contains("peer 'n2'") && e.getMessage().contains("groups[0].k"), e.getMessage());
        var plainWithHash = new Message.LeaseSets(table().hash(), List.of(new Message.LeaseGroup(
                new LeaseMessage.Prepare("", b), false, "AQ", new long[0], 77)));
        e = assertThrows(WireCodec.WireFormatException.class,
                () -> LeaseSetCodec.decode("n2", plainWithHash, table(), sets));
        assertTrue(e.getMessage().contains("groups[0].k"), e.getMessage());
        assertNull(sets.get(b), "nothing recorded from bad input");
    }

    @Test
    void aReferenceCarriesItsSetsHashOnTheWire() throws Exception {
        Ballot b = new Ballot(2, "n1");
        LeaseSetCodec.PrepareSets sets = new LeaseSetCodec.PrepareSets(16, 8);
        String prepare = new String(WireCodec.encode(LeaseSetCodec.encode(
                List.of(new LeaseMessage.Prepare("v0001", b), new LeaseMessage.Prepare("v0002", b)), table(), sets)),
                java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(prepare.contains("\"k\":0"), "a plain group carries k 0: " + prepare);
        Message.LeaseSets propose = LeaseSetCodec.encode(List.of(new LeaseMessage.Propose("v0001", b, 2000, 1)),
                table(), sets);
        assertEquals(LeaseSetCodec.setHash(List.of("v0001", "v0002")), propose.groups().get(0).setHash());
        assertEquals(propose, roundTripJson(propose));
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

    /** After a churny start one owner's VIPs have many epochs: a renewal must stay one group, not one per epoch. */
    @Test
    void aRoundWhoseVipsHaveManyEpochsIsOneGroupWithAnEpochColumn() throws Exception {
        Ballot b = new Ballot(21, "n1");
        List<LeaseMessage> prepares = new ArrayList<>();
        List<LeaseMessage> proposes = new ArrayList<>();
        List<LeaseMessage> promises = new ArrayList<>();
        for (int i = 0; i < 1000; i += 5) {
            long epoch = 1 + (i / 5 * 7L) % 9; // nine different epochs, in no order by name
            prepares.add(new LeaseMessage.Prepare(NAMES.get(i), b));
            proposes.add(new LeaseMessage.Propose(NAMES.get(i), b, 2000, epoch));
            promises.add(new LeaseMessage.Promise(NAMES.get(i), b, epoch, epoch));
        }
        LeaseSetCodec.PrepareSets proposer = new LeaseSetCodec.PrepareSets(16, 8);
        LeaseSetCodec.PrepareSets acceptor = new LeaseSetCodec.PrepareSets(16, 8);
        LeaseSetCodec.decode("n1", LeaseSetCodec.encode(prepares, table(), proposer), table(), acceptor);

        Message.LeaseSets ls = LeaseSetCodec.encode(proposes, table(), proposer);
        assertEquals(1, ls.groups().size(), "one group for nine epochs");
        assertEquals(200, ls.groups().get(0).epochs().length);
        assertEquals(proposes, LeaseSetCodec.decode("n1", (Message.LeaseSets) roundTripJson(ls), table(), acceptor));
        int bytes = WireCodec.encode(ls).length;
        assertTrue(bytes < 800, "200 proposes of nine epochs took " + bytes + " bytes");

        Message.LeaseSets replies = LeaseSetCodec.encode(promises, table(), acceptor);
        assertEquals(1, replies.groups().size());
        assertEquals(400, replies.groups().get(0).epochs().length, "two epoch fields per promise");
        assertEquals(promises, LeaseSetCodec.decode("n2", (Message.LeaseSets) roundTripJson(replies), table(),
                proposer));
    }

    @Test
    void aRoundWhoseVipsShareOneEpochCarriesNoColumn() {
        Ballot b = new Ballot(22, "n1");
        List<LeaseMessage> proposes = new ArrayList<>();
        for (int i = 0; i < 1000; i += 5) {
            proposes.add(new LeaseMessage.Propose(NAMES.get(i), b, 2000, 7));
        }
        Message.LeaseSets ls = LeaseSetCodec.encode(proposes, table(), new LeaseSetCodec.PrepareSets(16, 8));
        assertEquals(1, ls.groups().size());
        assertEquals(0, ls.groups().get(0).epochs().length);
        assertEquals(7, ((LeaseMessage.Propose) ls.groups().get(0).m()).epoch(), "the message carries the epoch");
    }

    @Test
    void aBadEpochColumnNamesThePeerAndTheFieldAndRecordsNothing() throws Exception {
        Ballot mine = new Ballot(30, "n1");
        LeaseSetCodec.PrepareSets sets = new LeaseSetCodec.PrepareSets(16, 8);
        LeaseSetCodec.PrepareSets peer = new LeaseSetCodec.PrepareSets(16, 8);
        LeaseSetCodec.decode("n1", LeaseSetCodec.encode(List.of(new LeaseMessage.Prepare("v0001", mine),
                new LeaseMessage.Prepare("v0002", mine)), table(), sets), table(), peer);
        Ballot theirs = new Ballot(31, "n2");
        String prep = java.util.Base64.getEncoder().withoutPadding().encodeToString(new byte[] {2});

        // a column of the wrong length, with a prepare of the peer that must not be recorded
        var shortColumn = new Message.LeaseSets(table().hash(), List.of(
                new Message.LeaseGroup(new LeaseMessage.Prepare("", theirs), false, prep),
                new Message.LeaseGroup(new LeaseMessage.Promise("", mine, 0, 0), true, "", new long[] {4, 4, 5},
                        sets.hash(mine))));
        var e = assertThrows(WireCodec.WireFormatException.class,
                () -> LeaseSetCodec.decode("n2", shortColumn, table(), sets));
        assertTrue(e.getMessage().contains("peer 'n2'") && e.getMessage().contains("groups[1].e"), e.getMessage());
        assertNull(sets.get(theirs), "nothing recorded from bad input");

        var bitmapColumn = new Message.LeaseSets(table().hash(), List.of(new Message.LeaseGroup(
                new LeaseMessage.Accepted("", theirs, 0), false, prep, new long[] {1, 2})));
        e = assertThrows(WireCodec.WireFormatException.class,
                () -> LeaseSetCodec.decode("n2", bitmapColumn, table(), sets));
        assertTrue(e.getMessage().contains("groups[0].e"), e.getMessage());

        var negative = new Message.LeaseSets(table().hash(), List.of(new Message.LeaseGroup(
                new LeaseMessage.Accepted("", theirs, 0), false, prep, new long[] {-1})));
        e = assertThrows(WireCodec.WireFormatException.class, () -> LeaseSetCodec.decode("n2", negative, table(), sets));
        assertTrue(e.getMessage().contains("groups[0].e[0]") && e.getMessage().contains("negative"), e.getMessage());

        var both = new Message.LeaseSets(table().hash(), List.of(new Message.LeaseGroup(
                new LeaseMessage.Accepted("", theirs, 3), false, prep, new long[] {3})));
        e = assertThrows(WireCodec.WireFormatException.class, () -> LeaseSetCodec.decode("n2", both, table(), sets));
        assertTrue(e.getMessage().contains("groups[0].m") && e.getMessage().contains("epoch"), e.getMessage());

        String missing = "{\"t\":\"ls\",\"h\":1,\"g\":[{\"m\":{\"t\":\"acc\",\"v\":\"\",\"b\":"
                + "{\"c\":1,\"n\":\"n1\"},\"e\":0},\"r\":false,\"s\":\"AQ\"}]}";
        e = assertThrows(WireCodec.WireFormatException.class,
                () -> WireCodec.decode(missing.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("'e'"), e.getMessage());
    }
}
