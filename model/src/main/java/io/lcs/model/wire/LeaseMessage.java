package io.lcs.model.wire;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * PaxosLease messages for one VIP. The proposer (and, for {@code Propose}, the would-be owner) is
 * always {@code ballot.node()}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "t")
@JsonSubTypes({
    @JsonSubTypes.Type(value = LeaseMessage.Prepare.class, name = "prep"),
    @JsonSubTypes.Type(value = LeaseMessage.Promise.class, name = "prom"),
    @JsonSubTypes.Type(value = LeaseMessage.Propose.class, name = "prop"),
    @JsonSubTypes.Type(value = LeaseMessage.Accepted.class, name = "acc"),
    @JsonSubTypes.Type(value = LeaseMessage.Reject.class, name = "rej"),
    @JsonSubTypes.Type(value = LeaseMessage.Release.class, name = "rel"),
})
public sealed interface LeaseMessage {
    String vip();

    Ballot ballot();

    record Prepare(String vip, Ballot ballot) implements LeaseMessage {
    }

    /**
     * @param highestEpoch the highest epoch this acceptor has seen for the VIP
     * @param grantEpoch the epoch of the live grant this acceptor holds for the proposer itself, or 0
     */
    record Promise(String vip, Ballot ballot, long highestEpoch, long grantEpoch) implements LeaseMessage {
    }

    /** Owner {@code ballot.node()} asks for the lease for {@code leaseMillis} at {@code epoch}. */
    record Propose(String vip, Ballot ballot, long leaseMillis, long epoch) implements LeaseMessage {
    }

    record Accepted(String vip, Ballot ballot, long epoch) implements LeaseMessage {
    }

    /**
     * A refused prepare or propose.
     *
     * @param grantOwner the owner of the live grant that caused the refusal, or null
     * @param grantRemainingMillis how long that grant still runs on the acceptor's clock
     * @param promised the ballot the acceptor has promised (a higher one caused the refusal)
     */
    record Reject(String vip, Ballot ballot, Ballot promised, String grantOwner, long grantRemainingMillis,
                  long highestEpoch) implements LeaseMessage {
    }

    /** The owner gives the lease up: acceptors clear a grant of that owner with a ballot at most this one. */
    record Release(String vip, Ballot ballot) implements LeaseMessage {
    }
}
