package io.lcs.model.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * PaxosLease messages for one VIP. The proposer (and, for {@code Propose}, the would-be owner) is
 * always {@code ballot.node()}. Field names are short on the wire ({@code v} vip, {@code b} ballot,
 * and so on): a thousand VIPs renew twice a second.
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

    record Prepare(@JsonProperty("v") String vip, @JsonProperty("b") Ballot ballot) implements LeaseMessage {
    }

    /**
     * @param highestEpoch the highest epoch this acceptor has seen for the VIP
     * @param grantEpoch the epoch of the live grant this acceptor holds for the proposer itself, or 0
     */
    record Promise(@JsonProperty("v") String vip, @JsonProperty("b") Ballot ballot,
                   @JsonProperty("he") long highestEpoch,
                   @JsonProperty("ge") long grantEpoch) implements LeaseMessage {
    }

    /** Owner {@code ballot.node()} asks for the lease for {@code leaseMillis} at {@code epoch}. */
    record Propose(@JsonProperty("v") String vip, @JsonProperty("b") Ballot ballot,
                   @JsonProperty("ms") long leaseMillis, @JsonProperty("e") long epoch) implements LeaseMessage {
    }

    record Accepted(@JsonProperty("v") String vip, @JsonProperty("b") Ballot ballot,
                    @JsonProperty("e") long epoch) implements LeaseMessage {
    }

    /**
     * A refused prepare or propose.
     *
     * @param grantOwner the owner of the live grant that caused the refusal, or null
     * @param grantRemainingMillis how long that grant still runs on the acceptor's clock
     * @param promised the ballot the acceptor has promised (a higher one caused the refusal)
     */
    record Reject(@JsonProperty("v") String vip, @JsonProperty("b") Ballot ballot,
                  @JsonProperty("p") Ballot promised, @JsonProperty("o") String grantOwner,
                  @JsonProperty("r") long grantRemainingMillis,
                  @JsonProperty("he") long highestEpoch) implements LeaseMessage {
    }

    /** The owner gives the lease up: acceptors clear a grant of that owner with a ballot at most this one. */
    record Release(@JsonProperty("v") String vip, @JsonProperty("b") Ballot ballot) implements LeaseMessage {
    }
}
