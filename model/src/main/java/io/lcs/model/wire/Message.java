package io.lcs.model.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectVersion;
import io.lcs.model.api.StoredObject;
import java.util.List;

/**
 * Every message lcsd nodes exchange over the peer transport. The sender is not in the message: the
 * transport authenticated it in the handshake. Field {@code t} names the type on the wire.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "t")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Message.Heartbeat.class, name = "hb"),
    @JsonSubTypes.Type(value = Message.ReadRequest.class, name = "rd"),
    @JsonSubTypes.Type(value = Message.ReadReply.class, name = "rdr"),
    @JsonSubTypes.Type(value = Message.WriteRequest.class, name = "wr"),
    @JsonSubTypes.Type(value = Message.WriteAck.class, name = "wra"),
    @JsonSubTypes.Type(value = Message.SyncVersions.class, name = "sv"),
    @JsonSubTypes.Type(value = Message.SyncObjects.class, name = "so"),
    @JsonSubTypes.Type(value = Message.LeaseBatch.class, name = "lb"),
    @JsonSubTypes.Type(value = Message.LeaseSets.class, name = "ls"),
    @JsonSubTypes.Type(value = Message.HeldSet.class, name = "hs"),
})
public sealed interface Message {

    /**
     * Sent to every peer every heartbeat interval (short field names on the wire: 20 links, 4 a second).
     *
     * @param configHash the sender's membership hash; a peer with another hash is not counted
     * @param incarnation random per process start, so a restart is seen even without a disconnect
     * @param storeDigest digest of the sender's live objects; a mismatch starts anti-entropy
     * @param tombstoneDigest digest of the sender's tombstones; a mismatch starts anti-entropy too
     * @param sentNanos the sender's monotonic clock at send
     * @param echoNanos the {@code sentNanos} of the last heartbeat the sender got from the receiver
     *     (0 if none), so the receiver measures the round trip on its own clock
     * @param restarting the sender is in its post-restart wait (it votes on no lease and is no candidate)
     * @param declined VIPs the sender will not take for now (a hook failed there): others pick
     *     another node; usually empty
     * @param leaseTable the hash of the sender's VIP table ({@link LeaseSetCodec.VipTable}): a peer
     *     with the same hash may send it {@link LeaseSets}, others get {@link LeaseBatch}
     * @param heldGen the generation of the sender's held set ({@link HeldSet}) this heartbeat renews:
     *     the receiver extends exactly the live grants it gave the sender for the VIPs it recorded
     *     under that generation (and incarnation). 0: the sender holds nothing, nothing to renew
     * @param ackGen the generation of the receiver's held set the sender extended when it received
     *     the receiver's heartbeat {@code ackSentNanos}; 0: none (generation unknown here: the
     *     receiver sends its set again)
     * @param ackSentNanos the {@code sentNanos} of that heartbeat of the receiver (the receiver's
     *     clock): the receiver's renewal timer for that confirmation starts there
     * @param ackMissing positions (in the sorted names of that set) of the VIPs the sender did not
     *     extend, because it holds no live grant of them for the receiver: a bitmap, base64 (RFC 4648,
     *     no padding), least significant bit first; empty when every one was extended
     * @param checkGeneration the generation of the sender's health-check results (0: it runs none
     *     yet); a new one with every change of {@code checks}
     * @param checkAck the generation of the receiver's check results the sender holds, so the
     *     receiver stops sending them once they arrived
     * @param checks the sender's check results, sent only while the receiver has not acknowledged
     *     {@code checkGeneration} (changes only); null otherwise (on the wire {@code "cs":null}: the
     *     codec wants every field present)
     */
    record Heartbeat(@JsonProperty("ch") long configHash, @JsonProperty("in") long incarnation,
                     @JsonProperty("sd") long storeDigest, @JsonProperty("td") long tombstoneDigest,
                     @JsonProperty("sn") long sentNanos, @JsonProperty("en") long echoNanos,
                     @JsonProperty("rs") boolean restarting, @JsonProperty("dc") List<String> declined,
                     @JsonProperty("lt") long leaseTable, @JsonProperty("hg") long heldGen,
                     @JsonProperty("ag") long ackGen, @JsonProperty("at") long ackSentNanos,
                     @JsonProperty("am") String ackMissing, @JsonProperty("cg") long checkGeneration,
                     @JsonProperty("ca") long checkAck,
                     @JsonProperty("cs") List<CheckReport> checks) implements Message {

        /** A heartbeat that renews nothing, confirms nothing and carries no check results. */
        public Heartbeat(long configHash, long incarnation, long storeDigest, long tombstoneDigest, long sentNanos,
                         long echoNanos, boolean restarting, List<String> declined, long leaseTable) {
            this(configHash, incarnation, storeDigest, tombstoneDigest, sentNanos, echoNanos, restarting, declined,
                    leaseTable, 0, 0, 0, "", 0, 0, null);
        }

        /** A heartbeat of a node that runs no health checks. */
        public Heartbeat(long configHash, long incarnation, long storeDigest, long tombstoneDigest, long sentNanos,
                         long echoNanos, boolean restarting, List<String> declined, long leaseTable, long heldGen,
                         long ackGen, long ackSentNanos, String ackMissing) {
            this(configHash, incarnation, storeDigest, tombstoneDigest, sentNanos, echoNanos, restarting, declined,
                    leaseTable, heldGen, ackGen, ackSentNanos, ackMissing, 0, 0, null);
        }
    }

    /**
     * The VIPs whose lease the sender holds, as its generation {@code gen}: sent to every peer when
     * the set changes (and again to a peer whose heartbeats do not confirm that generation); from
     * then on each heartbeat naming {@code gen} renews them all (docs/architecture.md, "Leases").
     * A generation names one set for ever (per incarnation): the sender never reuses it.
     *
     * @param incarnation the sender's incarnation (as in its heartbeats)
     * @param gen the generation, from 1, growing
     * @param table 0: the set is {@code names}; else the hash of the sender's VIP table and the set
     *     is {@code bits} over it (a receiver with another table records nothing, and the sender
     *     sends names next time)
     * @param bits bitmap over the VIP table (as in {@link LeaseGroup}); empty when {@code table} is 0
     * @param names the VIP names in ascending order, no duplicates; empty when {@code table} is not 0
     * @param epochs the epoch the sender holds each VIP at, in the set's order (ascending names):
     *     an acceptor extends only a grant of that epoch, so a grant from a round that did not win
     *     is reported missing and brought to the current epoch by a round, never renewed as it is
     */
    record HeldSet(@JsonProperty("in") long incarnation, @JsonProperty("g") long gen, @JsonProperty("h") long table,
                   @JsonProperty("s") String bits, @JsonProperty("n") List<String> names,
                   @JsonProperty("e") List<Long> epochs) implements Message {
    }

    /**
     * One health check's state on the node that sends it.
     *
     * @param check the check's name
     * @param passing it passes there (false also while it has not run yet)
     * @param summary one line for status and describe ({@code failing 3/3: connection refused}), at
     *     most {@value #MAX_SUMMARY_CHARS} characters
     */
    record CheckReport(@JsonProperty("n") String check, @JsonProperty("p") boolean passing,
                       @JsonProperty("s") String summary) {
        public static final int MAX_SUMMARY_CHARS = 200;
        /** A peer's list longer than this is cut (lcs.conf allows 256 checks). */
        public static final int MAX_REPORTS = 256;

        /** {@code summary} cut to at most {@link #MAX_SUMMARY_CHARS}, never between the two halves of a surrogate pair. */
        public static String cutSummary(String summary) {
            if (summary.length() <= MAX_SUMMARY_CHARS) {
                return summary;
            }
            int end = Character.isHighSurrogate(summary.charAt(MAX_SUMMARY_CHARS - 1))
                    ? MAX_SUMMARY_CHARS - 1 : MAX_SUMMARY_CHARS;
            return summary.substring(0, end);
        }
    }

    /** ABD phase 1: what is your version of {@code key}? */
    record ReadRequest(long requestId, ObjectKey key) implements Message {
    }

    /** @param current the replier's object (or tombstone), null if it has none */
    record ReadReply(long requestId, ObjectKey key, StoredObject current) implements Message {
    }

    /** ABD phase 2: store {@code object} if newer, persist, then acknowledge. */
    record WriteRequest(long requestId, StoredObject object) implements Message {
    }

    record WriteAck(long requestId, ObjectKey key, ObjectVersion version) implements Message {
    }

    /**
     * Anti-entropy: every version the sender holds for the keys in {@code (after, upTo]},
     * tombstones included, in key order. An exchange covers all keys in several such messages, so
     * that none is large and the sender can pace them.
     *
     * @param reply false for a message of an exchange the sender started (the receiver answers with
     *     its own versions of the same range)
     * @param after the range starts after this key; null: at the first key
     * @param upTo the range ends at this key, included; null: at the last key
     */
    record SyncVersions(List<VersionEntry> versions, boolean reply, ObjectKey after, ObjectKey upTo)
            implements Message {
        public SyncVersions {
            versions = List.copyOf(versions); // no null list, no null entry
            if (after != null && upTo != null && after.compareTo(upTo) >= 0) {
                throw new IllegalArgumentException("empty key range (" + after + ", " + upTo + "]");
            }
        }
    }

    record VersionEntry(ObjectKey key, ObjectVersion version, boolean deleted) {
        public VersionEntry {
            if (key == null || version == null) {
                throw new IllegalArgumentException("a version entry needs a key and a version");
            }
        }
    }

    /** Anti-entropy: objects the receiver lacks or holds older. */
    record SyncObjects(List<StoredObject> objects) implements Message {
    }

    /**
     * All lease messages for all VIPs from one node to one peer in one tick, one entry per VIP by
     * name: the fallback when the peer's VIP table differs from ours (see {@link LeaseSets}).
     */
    record LeaseBatch(List<LeaseMessage> items) implements Message {
    }

    /**
     * All lease messages from one node to one peer in one tick, grouped: a thousand renewals of
     * one round share one ballot, so each group is one lease message (its {@code vip} empty) and
     * the set of VIPs it applies to. Decoded by {@link LeaseSetCodec} against the receiver's VIP
     * table, which must have hash {@code table} (else the whole message is dropped: a lost message).
     *
     * @param table the hash of the sender's VIP table the bitmaps index
     */
    record LeaseSets(@JsonProperty("h") long table, @JsonProperty("g") List<LeaseGroup> groups) implements Message {
    }

    /**
     * One lease message for a set of VIPs.
     *
     * @param m the message, with an empty {@code vip}
     * @param ref false: {@code bits} is a bitmap over the VIP table (bit i = the i-th name in sorted
     *     order). True: the set is the VIP set of the prepare that carried {@code m.ballot()} (which
     *     both ends recorded), minus the members whose bit is set in {@code bits} (bit i = the i-th
     *     name of that prepare set in sorted order)
     * @param bits the bitmap, base64 (RFC 4648, no padding), least significant bit first in each
     *     byte, trailing zero bytes left out
     * @param epochs the epoch column: the epoch fields of each member in the order the members are
     *     listed (ascending bit, i.e. sorted name), {@link LeaseSetCodec#epochFields} values per
     *     member (Promise: highest, grant; Propose, Accepted: epoch; Reject: highest; Prepare,
     *     Release: none), and then the epoch fields of {@code m} itself are 0. Empty: {@code m}
     *     carries the epochs of every member (the steady state, all epochs equal). So VIPs of one
     *     round whose epochs differ (after a churny start an owner's VIPs have many) stay one group
     *     when the column is smaller than the groups it replaces.
     * @param setHash with {@code ref}: {@link LeaseSetCodec#setHash} of the prepare set the sender
     *     resolved {@code m.ballot()} to (never 0). The receiver resolves the reference only against
     *     a set with the same hash, so the two ends never read one reference as two different sets
     *     (a restarted node reuses the ballots of its previous run, and a receiver may still hold
     *     that run's set). 0 without {@code ref}
     */
    record LeaseGroup(@JsonProperty("m") LeaseMessage m, @JsonProperty("r") boolean ref,
                      @JsonProperty("s") String bits, @JsonProperty("e") long[] epochs,
                      @JsonProperty("k") int setHash) {

        /** A bitmap group (not a reference) with an epoch column. */
        public LeaseGroup(LeaseMessage m, boolean ref, String bits, long[] epochs) {
            this(m, ref, bits, epochs, 0);
        }

        /** A group of a message type without epoch fields (Prepare, Release). */
        public LeaseGroup(LeaseMessage m, boolean ref, String bits) {
            this(m, ref, bits, new long[0], 0);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LeaseGroup g && java.util.Objects.equals(m, g.m) && ref == g.ref
                    && java.util.Objects.equals(bits, g.bits) && java.util.Arrays.equals(epochs, g.epochs)
                    && setHash == g.setHash;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(m, ref, bits, java.util.Arrays.hashCode(epochs), setHash);
        }

        @Override
        public String toString() {
            return "LeaseGroup[m=" + m + ", ref=" + ref + ", bits=" + bits + ", epochs="
                    + java.util.Arrays.toString(epochs) + ", setHash=" + setHash + "]";
        }
    }
}
