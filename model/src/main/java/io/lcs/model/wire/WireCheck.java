package io.lcs.model.wire;

import io.lcs.model.Names;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.StoredObject;
import io.lcs.model.config.GroupRules;
import java.util.List;

/**
 * The field rules of a decoded {@link Message}, checked by {@link WireCodec#decode} before any
 * message reaches the core: a frame that breaks one is dropped whole, as a malformed frame, and
 * changes nothing. The decoder already refuses a missing field and a wrong type; these are the rules
 * it cannot see: no null where the core reads a value, lease names that follow {@link #leaseProblem} (so a peer
 * cannot fill the lease table or the state directory with long or odd keys), ballot counters and
 * epochs in {@code [0, MAX_COUNTER]} (so {@code + 1} never wraps, and no peer can push a VIP's
 * epoch or a ballot past what an honest node can still exceed), lists bounded in length. A peer of
 * this version never sends a message that breaks one.
 */
final class WireCheck {
    /**
     * The largest ballot counter and epoch a peer may send: 2^62. An honest node reaches neither
     * (both grow by one per round), and a node that adopts one can still count far past it.
     */
    static final long MAX_COUNTER = 1L << 62;
    /** The longest list of VIP names in one message (a held set, a heartbeat's declined VIPs): the lease table's size. */
    static final int MAX_NAMES = 10_000;
    /** The longest remaining grant a reject may report, in ms: ten minutes, the longest lease lcs.conf allows. */
    static final long MAX_REMAINING_MILLIS = 600_000;

    /** The longest lease name: a group's prefix and a name. */
    static final int MAX_LEASE_NAME = GroupRules.GROUP_LEASE_PREFIX.length() + Names.MAX_LENGTH;

    private WireCheck() {
    }

    /**
     * A lease is named by its VIP or service, or by {@link GroupRules#GROUP_LEASE_PREFIX} or
     * {@link GroupRules#DEPS_LEASE_PREFIX} and a name ({@link GroupRules}): null if {@code lease} is one.
     */
    static String leaseProblem(String lease) {
        if (lease != null && lease.startsWith(GroupRules.GROUP_LEASE_PREFIX)) {
            return Names.problem(lease.substring(GroupRules.GROUP_LEASE_PREFIX.length()));
        }
        if (lease != null && lease.startsWith(GroupRules.DEPS_LEASE_PREFIX)) {
            return Names.problem(lease.substring(GroupRules.DEPS_LEASE_PREFIX.length()));
        }
        return Names.problem(lease);
    }

    /** @throws WireCodec.WireFormatException naming the field and the problem */
    static void check(Message message) throws WireCodec.WireFormatException {
        String problem;
        try {
            problem = problem(message);
        } catch (RuntimeException e) { // a rule that missed a null: still only a bad frame, never another exception
            problem = "a field the rules could not read (" + e + ")";
        }
        if (problem != null) {
            throw new WireCodec.WireFormatException("malformed " + type(message) + ": " + problem, null);
        }
    }

    private static String type(Message m) {
        return m instanceof Message.Heartbeat ? "heartbeat"
                : m instanceof Message.HeldSet ? "held set"
                : m instanceof Message.ReadRequest ? "read request"
                : m instanceof Message.ReadReply ? "read reply"
                : m instanceof Message.WriteRequest ? "write request"
                : m instanceof Message.WriteAck ? "write acknowledgement"
                : m instanceof Message.SyncVersions ? "sync versions"
                : m instanceof Message.SyncObjects ? "sync objects"
                : m instanceof Message.LeaseBatch ? "lease batch"
                : m instanceof Message.LeaseSets ? "lease sets"
                : m.getClass().getSimpleName();
    }

    /** @return null if {@code m} keeps every rule, else which field breaks which */
    static String problem(Message m) {
        if (m instanceof Message.Heartbeat h) {
            return heartbeat(h);
        } else if (m instanceof Message.HeldSet h) {
            return heldSet(h);
        } else if (m instanceof Message.ReadRequest r) {
            return key("key", r.key());
        } else if (m instanceof Message.ReadReply r) {
            return readReply(r);
        } else if (m instanceof Message.WriteRequest w) {
            return w.object() == null ? "object: missing" : null;
        } else if (m instanceof Message.WriteAck w) {
            return w.version() == null ? "version: missing" : key("key", w.key());
        } else if (m instanceof Message.SyncObjects s) {
            return noNulls("objects", s.objects());
        } else if (m instanceof Message.LeaseBatch b) {
            return leaseBatch(b);
        } else if (m instanceof Message.LeaseSets s) {
            return leaseSets(s);
        }
        return null; // SyncVersions: its constructor refuses nulls and an empty range
    }

    /**
     * The one list of a heartbeat the core keeps as it came: the declined VIPs, bounded in count and
     * in each name's length (a null list is none; the check reports the core bounds itself).
     * Allocates nothing: it runs on every heartbeat.
     */
    private static String heartbeat(Message.Heartbeat h) {
        List<String> declined = h.declined();
        if (declined == null) {
            return null;
        }
        if (declined.size() > MAX_NAMES) {
            return "declined: " + declined.size() + " names, more than " + MAX_NAMES;
        }
        for (int i = 0; i < declined.size(); i++) {
            String d = declined.get(i);
            if (d == null || d.length() > MAX_LEASE_NAME) {
                return "declined[" + i + "]: " + (d == null ? "null" : "a name longer than " + MAX_LEASE_NAME
                        + " characters");
            }
        }
        return null;
    }

    private static String heldSet(Message.HeldSet h) {
        if (h.gen() < 0) {
            return "gen " + h.gen() + " is negative";
        }
        if (h.bits() == null) {
            return "bits: missing";
        }
        String p = leaseNames("names", h.names());
        if (p != null) {
            return p;
        }
        List<Long> epochs = h.epochs();
        if (epochs == null) {
            return "epochs: missing";
        }
        if (epochs.size() > MAX_NAMES) {
            return "epochs: " + epochs.size() + " entries, more than " + MAX_NAMES;
        }
        for (int i = 0; i < epochs.size(); i++) {
            Long e = epochs.get(i);
            if (e == null || !inRange(e)) {
                return "epochs[" + i + "]: " + (e == null ? "null" : e + " is outside 0..2^62");
            }
        }
        return null;
    }

    private static String readReply(Message.ReadReply r) {
        String p = key("key", r.key());
        if (p != null) {
            return p;
        }
        StoredObject current = r.current();
        if (current != null && !current.key().equals(r.key())) {
            return "current: object " + current.key() + " in a reply about " + r.key();
        }
        return null;
    }

    private static String leaseBatch(Message.LeaseBatch b) {
        List<LeaseMessage> items = b.items();
        if (items == null) {
            return "items: missing";
        }
        for (int i = 0; i < items.size(); i++) {
            LeaseMessage m = items.get(i);
            String p = m == null ? "a null item" : leaseProblem(m.vip());
            if (p == null) {
                p = leaseMessage(m);
            }
            if (p != null) {
                return "items[" + i + "]: " + p;
            }
        }
        return null;
    }

    private static String leaseSets(Message.LeaseSets s) {
        List<Message.LeaseGroup> groups = s.groups();
        if (groups == null) {
            return "groups: missing";
        }
        for (int i = 0; i < groups.size(); i++) {
            Message.LeaseGroup g = groups.get(i);
            String p;
            if (g == null || g.m() == null || g.m().vip() == null || g.bits() == null || g.epochs() == null) {
                p = "a null group, message, message VIP, bitmap or epoch column";
            } else if (!g.m().vip().isEmpty()) {
                p = "the message of a group names a VIP ('" + Names.abbreviate(g.m().vip()) + "')";
            } else {
                p = leaseMessage(g.m());
                long[] column = g.epochs();
                for (int k = 0; p == null && k < column.length; k++) {
                    if (!inRange(column[k])) {
                        p = "epochs[" + k + "] " + column[k] + " is outside 0..2^62";
                    }
                }
            }
            if (p != null) {
                return "groups[" + i + "]: " + p;
            }
        }
        return null;
    }

    /** The fields of one lease message besides its VIP name. */
    private static String leaseMessage(LeaseMessage m) {
        String p = ballot("ballot", m.ballot());
        if (p != null) {
            return p;
        }
        if (m instanceof LeaseMessage.Promise x) {
            return first(counter("highestEpoch", x.highestEpoch()), counter("grantEpoch", x.grantEpoch()));
        } else if (m instanceof LeaseMessage.Propose x) {
            return counter("epoch", x.epoch());
        } else if (m instanceof LeaseMessage.Accepted x) {
            return counter("epoch", x.epoch());
        } else if (m instanceof LeaseMessage.Reject x) {
            p = ballot("promised", x.promised());
            if (p == null && x.grantOwner() != null) {
                p = prefix("grantOwner", Names.problem(x.grantOwner()));
            }
            if (p == null && (x.grantRemainingMillis() < 0 || x.grantRemainingMillis() > MAX_REMAINING_MILLIS)) {
                p = "grantRemainingMillis " + x.grantRemainingMillis() + " is outside 0.." + MAX_REMAINING_MILLIS;
            }
            return p != null ? p : counter("highestEpoch", x.highestEpoch());
        }
        return null; // Prepare, Release: a ballot only
    }

    /** A ballot: a node name and a counter in range, or {@link Ballot#ZERO} (an acceptor that promised nothing). */
    private static String ballot(String field, Ballot b) {
        if (b == null || b.node() == null) {
            return field + ": missing";
        }
        if (b.node().isEmpty() && b.counter() == 0) {
            return null;
        }
        String p = prefix(field + ".node", Names.problem(b.node()));
        return p != null ? p : counter(field + ".counter", b.counter());
    }

    private static String counter(String field, long value) {
        return inRange(value) ? null : field + " " + value + " is outside 0..2^62";
    }

    private static boolean inRange(long value) {
        return value >= 0 && value <= MAX_COUNTER;
    }

    private static String key(String field, ObjectKey key) {
        return key == null ? field + ": missing" : null; // ObjectKey's constructor refuses a null kind or name
    }

    private static String leaseNames(String field, List<String> names) {
        if (names == null) {
            return field + ": missing";
        }
        if (names.size() > MAX_NAMES) {
            return field + ": " + names.size() + " names, more than " + MAX_NAMES;
        }
        for (int i = 0; i < names.size(); i++) {
            String p = leaseProblem(names.get(i));
            if (p != null) {
                return field + "[" + i + "]: " + p;
            }
        }
        return null;
    }

    private static String noNulls(String field, List<?> list) {
        if (list == null) {
            return field + ": missing";
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                return field + "[" + i + "]: null";
            }
        }
        return null;
    }

    private static String prefix(String field, String problem) {
        return problem == null ? null : field + ": " + problem;
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }
}
