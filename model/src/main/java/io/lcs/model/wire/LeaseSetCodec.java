package io.lcs.model.wire;

import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the per-VIP lease messages one node sends one peer in one tick into a compact
 * {@link Message.LeaseSets} and back, losslessly: {@code decode(encode(items))} yields exactly the
 * distinct messages of {@code items} (a duplicate of a message is sent once; to PaxosLease that is
 * a lost duplicate). A group whose set cannot be resolved on the receiving side (an unknown
 * prepare set) is left out, which is a lost message, never a different one. Pure: the caller
 * holds the {@link VipTable} and the {@link PrepareSets}. Not thread-safe.
 */
public final class LeaseSetCodec {
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private LeaseSetCodec() {
    }

    /**
     * A node's VIP table: every VIP name it knows, sorted, so that the names can travel as bit
     * positions. Two nodes may use each other's bitmaps only when their {@link #hash()}es match.
     */
    public static final class VipTable {
        private final String[] names;
        private final Map<String, Integer> index;
        private final long hash;

        private VipTable(String[] sorted) {
            this.names = sorted;
            this.index = new HashMap<>(sorted.length * 2);
            for (int i = 0; i < sorted.length; i++) {
                index.put(sorted[i], i);
            }
            this.hash = namesHash(java.util.Arrays.asList(sorted));
        }

        public static VipTable of(Collection<String> names) {
            String[] a = names.stream().distinct().sorted().toArray(String[]::new);
            return new VipTable(a);
        }

        public long hash() {
            return hash;
        }

        public int size() {
            return names.length;
        }

        /** The position of {@code name}, or -1. */
        public int indexOf(String name) {
            Integer i = index.get(name);
            return i == null ? -1 : i;
        }

        public String name(int i) {
            return names[i];
        }
    }

    /** FNV-1a (64 bits) over the sorted names, each terminated by a 0 char, xor their count. */
    private static long namesHash(List<String> sorted) {
        long h = 0xcbf29ce484222325L;
        for (String s : sorted) {
            for (int k = 0; k < s.length(); k++) {
                h = (h ^ s.charAt(k)) * 0x100000001b3L;
            }
            h = (h ^ 0) * 0x100000001b3L;
        }
        return h ^ sorted.size();
    }

    /**
     * The hash a reference carries of the prepare set it resolves against: the names' hash (as a
     * {@link VipTable}'s) folded to 32 bits, and never 0 (0 means "no reference").
     */
    public static int setHash(List<String> sortedNames) {
        long h = namesHash(sortedNames);
        int folded = (int) (h ^ (h >>> 32));
        return folded == 0 ? 1 : folded;
    }

    /**
     * The VIP set of each recent prepare, by ballot (the ballot names its proposer): a reply or a
     * propose of the same round then names its VIPs as "that set minus a few". Bounded: the last
     * {@code perNode} ballots of each proposer. A ballot seen with two different sets is poisoned
     * (never resolved again). A ballot is unique within one run of its proposer only: a restarted
     * node counts its ballots from the start again, while a peer may still hold a set its previous
     * run sent with the same ballot. So each set keeps its {@link #setHash}, a reference carries the
     * hash of the set its sender resolved it to, and a receiver whose set has another hash drops
     * the reference (a lost message): the two ends never resolve one reference differently.
     */
    public static final class PrepareSets {
        private static final Entry POISON = new Entry(List.of(), 0);
        private final int perNode;
        private final int maxNodes;
        private final Map<String, LinkedHashMap<Ballot, Entry>> byNode = new HashMap<>();

        /** A recorded prepare set and its {@link #setHash}. */
        private record Entry(List<String> names, int hash) {
        }

        public PrepareSets(int perNode, int maxNodes) {
            this.perNode = perNode;
            this.maxNodes = maxNodes;
        }

        /**
         * Records the sorted VIP names of prepare {@code ballot}.
         *
         * @return false when {@code ballot} was already recorded with another set (it is poisoned now)
         */
        public boolean put(Ballot ballot, List<String> sortedNames) {
            LinkedHashMap<Ballot, Entry> m = byNode.get(ballot.node());
            if (m == null) {
                if (byNode.size() >= maxNodes) {
                    return true;
                }
                m = new LinkedHashMap<>();
                byNode.put(ballot.node(), m);
            }
            Entry old = m.get(ballot);
            if (old != null) {
                if (old != POISON && !old.names().equals(sortedNames)) {
                    m.put(ballot, POISON);
                    return false;
                }
                return old != POISON;
            }
            List<String> names = List.copyOf(sortedNames);
            m.put(ballot, new Entry(names, setHash(names)));
            if (m.size() > perNode) {
                Iterator<Ballot> it = m.keySet().iterator();
                it.next();
                it.remove();
            }
            return true;
        }

        /** The sorted names of prepare {@code ballot}, or null when unknown or poisoned. */
        public List<String> get(Ballot ballot) {
            Entry e = entry(ballot);
            return e == null ? null : e.names();
        }

        /**
         * The sorted names of prepare {@code ballot} when its {@link #setHash} is {@code hash}, else
         * null (unknown, poisoned, or another set under the same ballot).
         */
        public List<String> get(Ballot ballot, int hash) {
            Entry e = entry(ballot);
            return e == null || e.hash() != hash ? null : e.names();
        }

        /** The {@link #setHash} of prepare {@code ballot}'s set, or 0 when unknown or poisoned. */
        public int hash(Ballot ballot) {
            Entry e = entry(ballot);
            return e == null ? 0 : e.hash();
        }

        private Entry entry(Ballot ballot) {
            LinkedHashMap<Ballot, Entry> m = byNode.get(ballot.node());
            Entry e = m == null ? null : m.get(ballot);
            return e == POISON ? null : e;
        }
    }

    /**
     * Groups {@code items} (every VIP must be in {@code table}) into one message. Prepares are
     * recorded in {@code sets} first, so the other groups of the same round may refer to them.
     * The caller must send each prepare ballot with one VIP set only (a round's prepares all
     * leave in one batch): a ballot sent with two sets is a programming error
     * ({@link IllegalStateException}), because a peer could then resolve a reference differently.
     *
     * @return the message, or null when some VIP is not in {@code table} (send names instead)
     */
    public static Message.LeaseSets encode(List<LeaseMessage> items, VipTable table, PrepareSets sets) {
        // first by the message without VIP and epochs; then each such set becomes one group with an
        // epoch column, or (when all its epochs are equal, when a column would cost more than the
        // groups it saves, or when a VIP is in it twice) one group per distinct message as before
        Map<LeaseMessage, Map<Integer, List<LeaseMessage>>> byStep = new LinkedHashMap<>();
        for (LeaseMessage m : items) {
            int i = table.indexOf(m.vip());
            if (i < 0) {
                return null;
            }
            byStep.computeIfAbsent(withoutEpochs(m), k -> new java.util.TreeMap<>())
                    .computeIfAbsent(i, k -> new ArrayList<>(1)).add(m);
        }
        List<Group> groups = new ArrayList<>();
        for (Map.Entry<LeaseMessage, Map<Integer, List<LeaseMessage>>> step : byStep.entrySet()) {
            LeaseMessage template = step.getKey();
            Map<Integer, List<LeaseMessage>> members = step.getValue();
            int k = epochFields(template);
            if (k > 0 && columnPays(members, k)) {
                Group g = new Group(template, table.size(), new long[members.size() * k]);
                int at = 0;
                for (Map.Entry<Integer, List<LeaseMessage>> e : members.entrySet()) {
                    g.members.set(e.getKey());
                    at = epochsOf(e.getValue().get(0), g.column, at);
                }
                groups.add(g);
                continue;
            }
            Map<LeaseMessage, Group> split = new LinkedHashMap<>();
            for (Map.Entry<Integer, List<LeaseMessage>> e : members.entrySet()) {
                for (LeaseMessage m : e.getValue()) {
                    split.computeIfAbsent(withVip(m, ""), t -> new Group(t, table.size(), new long[0]))
                            .members.set(e.getKey());
                }
            }
            groups.addAll(split.values());
        }
        for (Group g : groups) {
            if (g.template instanceof LeaseMessage.Prepare p) {
                if (!sets.put(p.ballot(), names(g.members, table))) {
                    throw new IllegalStateException("prepare " + p.ballot() + " sent with two different VIP sets");
                }
            }
        }
        List<Message.LeaseGroup> out = new ArrayList<>(groups.size());
        for (Group g : groups) {
            LeaseMessage t = g.template;
            BitSet members = g.members;
            List<String> base = t instanceof LeaseMessage.Prepare ? null : sets.get(t.ballot());
            BitSet excluded = base == null ? null : excluded(base, members, table);
            if (excluded != null) {
                out.add(new Message.LeaseGroup(t, true, B64.encodeToString(excluded.toByteArray()), g.column,
                        sets.hash(t.ballot())));
            } else {
                out.add(new Message.LeaseGroup(t, false, B64.encodeToString(members.toByteArray()), g.column));
            }
        }
        return new Message.LeaseSets(table.hash(), out);
    }

    /** About what one more group costs on the wire: its message and a bitmap, in JSON. */
    static final int GROUP_COST_BYTES = 110;

    /**
     * Whether one group with an epoch column is smaller than one group per distinct epoch tuple:
     * never when every member has the same epochs (the steady state: then the column is empty),
     * nor when a VIP is in the set twice (two epochs for one step: sent as separate groups).
     */
    private static boolean columnPays(Map<Integer, List<LeaseMessage>> members, int k) {
        Set<LeaseMessage> distinct = new HashSet<>();
        long columnBytes = 0;
        long[] one = new long[k];
        for (List<LeaseMessage> ms : members.values()) {
            if (ms.size() > 1) {
                return false;
            }
            LeaseMessage m = ms.get(0);
            distinct.add(withVip(m, ""));
            epochsOf(m, one, 0);
            for (long e : one) {
                columnBytes += Long.toString(e).length() + 1;
            }
        }
        return distinct.size() > 1 && columnBytes < (long) (distinct.size() - 1) * GROUP_COST_BYTES;
    }

    /** One group being encoded: its message, its members' bits and its epoch column (maybe empty). */
    private static final class Group {
        final LeaseMessage template;
        final BitSet members;
        final long[] column;

        Group(LeaseMessage template, int tableSize, long[] column) {
            this.template = template;
            this.members = new BitSet(tableSize);
            this.column = column;
        }
    }

    /**
     * The per-VIP messages of {@code m}, from peer {@code from}, read against our {@code table}.
     * Prepares whose ballot names {@code from} are recorded in {@code sets}. Groups referring to a
     * prepare set we do not hold are left out (a lost message).
     *
     * @throws WireCodec.WireFormatException when the table differs or a group is malformed; the
     *     message names the peer and the field, and nothing was recorded
     */
    public static List<LeaseMessage> decode(String from, Message.LeaseSets m, VipTable table, PrepareSets sets)
            throws WireCodec.WireFormatException {
        if (m.table() != table.hash()) {
            throw bad(from, "table", "VIP table hash " + Long.toHexString(m.table()) + " differs from ours ("
                    + Long.toHexString(table.hash()) + ")");
        }
        List<Message.LeaseGroup> groups = m.groups();
        if (groups == null) {
            throw bad(from, "groups", "missing");
        }
        List<BitSet> bitsOf = new ArrayList<>(groups.size());
        for (int g = 0; g < groups.size(); g++) {
            Message.LeaseGroup lg = groups.get(g);
            String field = "groups[" + g + "]";
            if (lg == null) {
                throw bad(from, field, "missing");
            }
            LeaseMessage t = lg.m();
            if (t == null) {
                throw bad(from, field + ".m", "missing");
            }
            if (t.vip() == null || !t.vip().isEmpty()) {
                throw bad(from, field + ".m.vip", "must be empty in a group, found '" + t.vip() + "'");
            }
            if (t.ballot() == null || t.ballot().node() == null) {
                throw bad(from, field + ".m.ballot", "missing");
            }
            if (lg.bits() == null) {
                throw bad(from, field + ".bits", "missing");
            }
            BitSet bits;
            try {
                bits = BitSet.valueOf(B64D.decode(lg.bits()));
            } catch (IllegalArgumentException e) {
                throw bad(from, field + ".bits", "not base64: " + e.getMessage());
            }
            if (lg.ref() && t instanceof LeaseMessage.Prepare) {
                throw bad(from, field + ".ref", "a prepare cannot refer to a prepare set");
            }
            if (lg.ref() && lg.setHash() == 0) {
                throw bad(from, field + ".k", "missing: a reference to a prepare set must carry the set's hash");
            }
            if (!lg.ref() && lg.setHash() != 0) {
                throw bad(from, field + ".k", "is set (" + lg.setHash() + ") on a group that is not a reference");
            }
            if (!lg.ref() && bits.length() > table.size()) {
                throw bad(from, field + ".bits", "bit " + (bits.length() - 1) + " is past the VIP table ("
                        + table.size() + " names)");
            }
            checkEpochs(from, field, lg);
            int k = epochFields(t);
            if (!lg.ref() && lg.epochs().length != 0 && lg.epochs().length != bits.cardinality() * k) {
                throw bad(from, field + ".e", "has " + lg.epochs().length + " values for " + bits.cardinality()
                        + " members of " + k + " epoch field(s) each");
            }
            bitsOf.add(bits);
        }
        // a reference to a set recorded before this message (the usual case: the prepare came
        // earlier) is checked now, before anything is recorded; one to a prepare of this same
        // message is resolved below and, if its column does not fit, lost like an unknown set
        Set<Ballot> preparedHere = new HashSet<>();
        for (Message.LeaseGroup lg : groups) {
            if (!lg.ref() && lg.m() instanceof LeaseMessage.Prepare p) {
                preparedHere.add(p.ballot());
            }
        }
        for (int g = 0; g < groups.size(); g++) {
            Message.LeaseGroup lg = groups.get(g);
            List<String> base = lg.ref() && !preparedHere.contains(lg.m().ballot())
                    ? sets.get(lg.m().ballot(), lg.setHash()) : null;
            if (base != null && bitsOf.get(g).length() <= base.size()) {
                int members = base.size() - bitsOf.get(g).cardinality();
                int k = epochFields(lg.m());
                if (lg.epochs().length != 0 && lg.epochs().length != members * k) {
                    throw bad(from, "groups[" + g + "].e", "has " + lg.epochs().length + " values for " + members
                            + " members of " + k + " epoch field(s) each");
                }
            }
        }
        List<LeaseMessage> out = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            Message.LeaseGroup lg = groups.get(g);
            if (!lg.ref() && lg.m() instanceof LeaseMessage.Prepare p && p.ballot().node().equals(from)) {
                sets.put(p.ballot(), names(bitsOf.get(g), table));
            }
        }
        for (int g = 0; g < groups.size(); g++) {
            Message.LeaseGroup lg = groups.get(g);
            BitSet bits = bitsOf.get(g);
            long[] column = lg.epochs();
            int k = column.length == 0 ? 0 : epochFields(lg.m()); // no column: the message carries them
            int at = 0;
            if (!lg.ref()) {
                for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
                    out.add(withEpochs(lg.m(), table.name(i), column, at));
                    at += k;
                }
                continue;
            }
            List<String> base = sets.get(lg.m().ballot(), lg.setHash());
            if (base == null || bits.length() > base.size()
                    || (k > 0 && column.length != (base.size() - bits.cardinality()) * k)) {
                continue; // a set we never saw, lost, or another run's: the group is lost, as on a lossy network
            }
            for (int i = 0; i < base.size(); i++) {
                if (!bits.get(i)) {
                    out.add(withEpochs(lg.m(), base.get(i), column, at));
                    at += k;
                }
            }
        }
        return out;
    }

    /** The epoch fields of the template are 0 and its column holds no negative epoch. */
    private static void checkEpochs(String from, String field, Message.LeaseGroup lg)
            throws WireCodec.WireFormatException {
        if (lg.epochs() == null) {
            throw bad(from, field + ".e", "missing");
        }
        if (lg.epochs().length != 0 && !withoutEpochs(lg.m()).equals(lg.m())) {
            throw bad(from, field + ".m", "epoch fields must be 0 in a group with an epoch column e");
        }
        for (int i = 0; i < lg.epochs().length; i++) {
            if (lg.epochs()[i] < 0) {
                throw bad(from, field + ".e[" + i + "]", "is negative (" + lg.epochs()[i] + ")");
            }
        }
    }

    /**
     * How many epoch fields a message of {@code m}'s type carries in a group's column: Promise 2
     * (highest, grant), Propose and Accepted 1 (epoch), Reject 1 (highest), Prepare and Release 0.
     */
    public static int epochFields(LeaseMessage m) {
        if (m instanceof LeaseMessage.Promise) {
            return 2;
        } else if (m instanceof LeaseMessage.Propose || m instanceof LeaseMessage.Accepted
                || m instanceof LeaseMessage.Reject) {
            return 1;
        }
        return 0;
    }

    /** Writes the epoch fields of {@code m} into {@code column} at {@code at}; returns the next position. */
    private static int epochsOf(LeaseMessage m, long[] column, int at) {
        if (m instanceof LeaseMessage.Promise p) {
            column[at++] = p.highestEpoch();
            column[at++] = p.grantEpoch();
        } else if (m instanceof LeaseMessage.Propose p) {
            column[at++] = p.epoch();
        } else if (m instanceof LeaseMessage.Accepted a) {
            column[at++] = a.epoch();
        } else if (m instanceof LeaseMessage.Reject r) {
            column[at++] = r.highestEpoch();
        }
        return at;
    }

    /** {@code m} without its VIP and with its epoch fields 0: the template of a group. */
    static LeaseMessage withoutEpochs(LeaseMessage m) {
        if (m instanceof LeaseMessage.Promise p) {
            return new LeaseMessage.Promise("", p.ballot(), 0, 0);
        } else if (m instanceof LeaseMessage.Propose p) {
            return new LeaseMessage.Propose("", p.ballot(), p.leaseMillis(), 0);
        } else if (m instanceof LeaseMessage.Accepted a) {
            return new LeaseMessage.Accepted("", a.ballot(), 0);
        } else if (m instanceof LeaseMessage.Reject r) {
            return new LeaseMessage.Reject("", r.ballot(), r.promised(), r.grantOwner(), r.grantRemainingMillis(), 0);
        }
        return withVip(m, "");
    }

    /** Template {@code t} for {@code vip} with the epoch fields at {@code column[at..]}. */
    private static LeaseMessage withEpochs(LeaseMessage t, String vip, long[] column, int at) {
        if (column.length == 0) {
            return withVip(t, vip);
        } else if (t instanceof LeaseMessage.Promise p) {
            return new LeaseMessage.Promise(vip, p.ballot(), column[at], column[at + 1]);
        } else if (t instanceof LeaseMessage.Propose p) {
            return new LeaseMessage.Propose(vip, p.ballot(), p.leaseMillis(), column[at]);
        } else if (t instanceof LeaseMessage.Accepted a) {
            return new LeaseMessage.Accepted(vip, a.ballot(), column[at]);
        } else if (t instanceof LeaseMessage.Reject r) {
            return new LeaseMessage.Reject(vip, r.ballot(), r.promised(), r.grantOwner(), r.grantRemainingMillis(),
                    column[at]);
        }
        return withVip(t, vip);
    }

    /** {@code bits} as on the wire: base64 (no padding), least significant bit first, trailing zero bytes left out. */
    public static String encodeBits(BitSet bits) {
        return B64.encodeToString(bits.toByteArray());
    }

    /**
     * The bitmap {@code b64} (as {@link #encodeBits} writes it), whose positions must all be below
     * {@code size}.
     *
     * @throws WireCodec.WireFormatException naming {@code peer} and {@code field} when it is not
     *     base64 or names a position at or past {@code size}
     */
    public static BitSet decodeBits(String peer, String field, String b64, int size)
            throws WireCodec.WireFormatException {
        if (b64 == null || b64.isEmpty()) {
            return new BitSet();
        }
        if (b64.length() > (size + 7) / 8 * 4 / 3 + 4) {
            throw bad(peer, field, "is longer than a bitmap of " + size + " positions");
        }
        BitSet bits;
        try {
            bits = BitSet.valueOf(B64D.decode(b64));
        } catch (IllegalArgumentException e) {
            throw bad(peer, field, "is not base64: " + e.getMessage());
        }
        if (bits.length() > size) {
            throw bad(peer, field, "names position " + (bits.length() - 1) + " of only " + size);
        }
        return bits;
    }

    /** The names at the set positions of {@code bits} in {@code table} (ascending). */
    public static List<String> names(BitSet bits, VipTable table) {
        List<String> out = new ArrayList<>(bits.cardinality());
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
            out.add(table.name(i));
        }
        return out;
    }

    private static WireCodec.WireFormatException bad(String from, String field, String why) {
        return new WireCodec.WireFormatException("lease sets from peer '" + from + "': " + field + " " + why, null);
    }

    /** Positions in {@code base} not in {@code members}, or null when some member is not in {@code base}. */
    private static BitSet excluded(List<String> base, BitSet members, VipTable table) {
        BitSet ex = new BitSet(base.size());
        int found = 0;
        for (int i = 0; i < base.size(); i++) {
            int t = table.indexOf(base.get(i));
            if (t >= 0 && members.get(t)) {
                found++;
            } else {
                ex.set(i);
            }
        }
        return found == members.cardinality() ? ex : null;
    }

    /** {@code m} for another VIP. */
    public static LeaseMessage withVip(LeaseMessage m, String vip) {
        if (m instanceof LeaseMessage.Prepare p) {
            return new LeaseMessage.Prepare(vip, p.ballot());
        } else if (m instanceof LeaseMessage.Promise p) {
            return new LeaseMessage.Promise(vip, p.ballot(), p.highestEpoch(), p.grantEpoch());
        } else if (m instanceof LeaseMessage.Propose p) {
            return new LeaseMessage.Propose(vip, p.ballot(), p.leaseMillis(), p.epoch());
        } else if (m instanceof LeaseMessage.Accepted a) {
            return new LeaseMessage.Accepted(vip, a.ballot(), a.epoch());
        } else if (m instanceof LeaseMessage.Reject r) {
            return new LeaseMessage.Reject(vip, r.ballot(), r.promised(), r.grantOwner(), r.grantRemainingMillis(),
                    r.highestEpoch());
        } else if (m instanceof LeaseMessage.Release r) {
            return new LeaseMessage.Release(vip, r.ballot());
        }
        throw new IllegalArgumentException("unknown lease message " + m.getClass().getSimpleName());
    }
}
