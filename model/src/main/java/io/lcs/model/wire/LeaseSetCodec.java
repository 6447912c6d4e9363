package io.lcs.model.wire;

import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
            long h = 0xcbf29ce484222325L; // FNV-1a over the names, each terminated by a 0 char
            for (int i = 0; i < sorted.length; i++) {
                index.put(sorted[i], i);
                String s = sorted[i];
                for (int k = 0; k < s.length(); k++) {
                    h = (h ^ s.charAt(k)) * 0x100000001b3L;
                }
                h = (h ^ 0) * 0x100000001b3L;
            }
            this.hash = h ^ sorted.length;
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

    /**
     * The VIP set of each recent prepare, by ballot (the ballot names its proposer): a reply or a
     * propose of the same round then names its VIPs as "that set minus a few". Bounded: the last
     * {@code perNode} ballots of each proposer. A ballot seen with two different sets is poisoned
     * (never resolved again), so the two ends can never resolve one reference differently.
     */
    public static final class PrepareSets {
        private static final List<String> POISON = List.of();
        private final int perNode;
        private final int maxNodes;
        private final Map<String, LinkedHashMap<Ballot, List<String>>> byNode = new HashMap<>();

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
            LinkedHashMap<Ballot, List<String>> m = byNode.get(ballot.node());
            if (m == null) {
                if (byNode.size() >= maxNodes) {
                    return true;
                }
                m = new LinkedHashMap<>();
                byNode.put(ballot.node(), m);
            }
            List<String> old = m.get(ballot);
            if (old != null) {
                if (old != POISON && !old.equals(sortedNames)) {
                    m.put(ballot, POISON);
                    return false;
                }
                return old != POISON;
            }
            m.put(ballot, List.copyOf(sortedNames));
            if (m.size() > perNode) {
                Iterator<Ballot> it = m.keySet().iterator();
                it.next();
                it.remove();
            }
            return true;
        }

        /** The sorted names of prepare {@code ballot}, or null when unknown or poisoned. */
        public List<String> get(Ballot ballot) {
            LinkedHashMap<Ballot, List<String>> m = byNode.get(ballot.node());
            List<String> s = m == null ? null : m.get(ballot);
            return s == POISON ? null : s;
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
        Map<LeaseMessage, BitSet> groups = new LinkedHashMap<>();
        for (LeaseMessage m : items) {
            int i = table.indexOf(m.vip());
            if (i < 0) {
                return null;
            }
            groups.computeIfAbsent(withVip(m, ""), k -> new BitSet(table.size())).set(i);
        }
        for (Map.Entry<LeaseMessage, BitSet> g : groups.entrySet()) {
            if (g.getKey() instanceof LeaseMessage.Prepare p) {
                if (!sets.put(p.ballot(), names(g.getValue(), table))) {
                    throw new IllegalStateException("prepare " + p.ballot() + " sent with two different VIP sets");
                }
            }
        }
        List<Message.LeaseGroup> out = new ArrayList<>(groups.size());
        for (Map.Entry<LeaseMessage, BitSet> g : groups.entrySet()) {
            LeaseMessage t = g.getKey();
            BitSet members = g.getValue();
            List<String> base = t instanceof LeaseMessage.Prepare ? null : sets.get(t.ballot());
            BitSet excluded = base == null ? null : excluded(base, members, table);
            if (excluded != null) {
                out.add(new Message.LeaseGroup(t, true, B64.encodeToString(excluded.toByteArray())));
            } else {
                out.add(new Message.LeaseGroup(t, false, B64.encodeToString(members.toByteArray())));
            }
        }
        return new Message.LeaseSets(table.hash(), out);
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
            if (!lg.ref() && bits.length() > table.size()) {
                throw bad(from, field + ".bits", "bit " + (bits.length() - 1) + " is past the VIP table ("
                        + table.size() + " names)");
            }
            bitsOf.add(bits);
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
            if (!lg.ref()) {
                for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
                    out.add(withVip(lg.m(), table.name(i)));
                }
                continue;
            }
            List<String> base = sets.get(lg.m().ballot());
            if (base == null || bits.length() > base.size()) {
                continue; // a set we never saw (or lost): the group is lost, as on a lossy network
            }
            for (int i = 0; i < base.size(); i++) {
                if (!bits.get(i)) {
                    out.add(withVip(lg.m(), base.get(i)));
                }
            }
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

    private static List<String> names(BitSet bits, VipTable table) {
        List<String> out = new ArrayList<>(bits.cardinality());
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
            out.add(table.name(i));
        }
        return out;
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
