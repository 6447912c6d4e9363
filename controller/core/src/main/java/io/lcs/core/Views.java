package io.lcs.core;

import java.util.List;

/** Read-only snapshots of the core's state, for reconcilers, status and metrics. */
public final class Views {
    private Views() {
    }

    /**
     * @param online heard within the peer timeout with a matching membership hash
     * @param configMatch the last hash heard matches ours (true if never heard)
     * @param lastHeardNanosAgo -1 if never heard
     * @param rttNanos last measured heartbeat round trip, -1 if unknown
     */
    public record PeerView(String name, boolean fullMember, boolean self, boolean online, boolean configMatch,
                           long lastHeardNanosAgo, long rttNanos, boolean restarting) {
    }

    public record MembershipView(boolean quorum, int votesSeen, int votesNeeded, int votesTotal,
                                 List<PeerView> nodes) {
        public boolean isOnline(String node) {
            for (PeerView p : nodes) {
                if (p.name().equals(node)) {
                    return p.online();
                }
            }
            return false;
        }
    }

    /**
     * One VIP's lease as this node sees it.
     *
     * @param held this node owns the lease now (its own, drift-shortened timer has not ended)
     * @param heldEpoch epoch of this node's lease, 0 if not held
     * @param heldRemainingNanos what is left of this node's lease by its own timer, 0 if not held
     * @param grantOwner the owner of the live grant this node's acceptor holds, or null
     * @param grantEpoch its epoch, 0 if none
     * @param grantRemainingNanos how long this acceptor's grant still runs, 0 if none
     * @param highestEpoch the highest epoch this node has seen for the VIP (persisted)
     * @param wanted the lease reconciler currently wants this node to hold it
     * @param reportedOwner the owner by the held sets this node recorded from its peers: {@code
     *     grantOwner} when its set names the VIP; without a live grant here (this node restarted, or
     *     missed the round), a peer whose set names it and that renewed that set within a lease;
     *     null if none
     * @param reportedEpoch the epoch that set names, 0 if none: above {@code grantEpoch} when this
     *     acceptor's grant is of a round of the owner's that did not win (until the owner's next
     *     round brings it up)
     */
    public record LeaseView(String vip, boolean held, long heldEpoch, long heldRemainingNanos, String grantOwner,
                            long grantEpoch, long grantRemainingNanos, long highestEpoch, boolean wanted,
                            String reportedOwner, long reportedEpoch) {
        public LeaseView(String vip, boolean held, long heldEpoch, long heldRemainingNanos, String grantOwner,
                         long grantEpoch, long grantRemainingNanos, long highestEpoch, boolean wanted) {
            this(vip, held, heldEpoch, heldRemainingNanos, grantOwner, grantEpoch, grantRemainingNanos, highestEpoch,
                    wanted, null, 0);
        }

        /** The owner as best this node knows: itself if it holds, else its acceptor's grant. */
        public String knownOwner(String self) {
            return held ? self : grantOwner;
        }

        /**
         * The epoch of {@link #knownOwner}'s holding as best this node knows: never the epoch of a
         * lost round when the owner told us better.
         */
        public long knownEpoch() {
            return held ? heldEpoch : grantOwner != null && grantOwner.equals(reportedOwner)
                    ? Math.max(grantEpoch, reportedEpoch) : grantEpoch;
        }

        /**
         * The owner a request to move the VIP is made against: {@link #knownOwner}, or else the one
         * the peers' held sets report (a node in its restart wait has no grant, but knows the owner).
         */
        public String ownerForMove(String self) {
            String known = knownOwner(self);
            return known != null ? known : reportedOwner;
        }

        /** The epoch of {@link #ownerForMove}'s holding: what a move names. */
        public long epochForMove(String self) {
            return knownOwner(self) != null ? knownEpoch() : reportedEpoch;
        }
    }

    /**
     * The acceptor's grant of one VIP on this node, for checks (the simulation's invariants).
     *
     * @param owner the node the grant is for
     * @param ballot the ballot of the round that made it (a renewal by held set keeps it)
     * @param epoch the epoch of that round's proposal
     * @param grantedNanos when that round's proposal was accepted (a renewal by held set keeps it)
     * @param expiresNanos when it ends, on this node's monotonic clock
     */
    public record GrantView(String owner, io.lcs.model.wire.Ballot ballot, long epoch, long grantedNanos,
                            long expiresNanos) {
    }
}
