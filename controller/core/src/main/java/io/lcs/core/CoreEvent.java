package io.lcs.core;

import io.lcs.model.api.StoredObject;

/** Something that changed inside the core, for reconcilers, status, events and logs. */
public sealed interface CoreEvent {
    record PeerUp(String peer, boolean restarted) implements CoreEvent {
    }

    /** @param silent the peer was not heard for the peer timeout (rather than: its config differs) */
    record PeerDown(String peer, boolean silent, String reason) implements CoreEvent {
    }

    /** A peer's membership hash differs from ours; it is not counted until it matches. */
    record ConfigMismatch(String peer, long theirHash) implements CoreEvent {
    }

    record QuorumChanged(boolean present, int votesSeen, int votesNeeded) implements CoreEvent {
    }

    /** A replicated object changed locally: {@code before} or {@code now} may be null or a tombstone. */
    record ObjectChanged(StoredObject before, StoredObject now) implements CoreEvent {
    }

    /** @param untilNanos when this node's own view of the lease ends (monotonic clock fed to the core) */
    record LeaseAcquired(String vip, long epoch, long untilNanos) implements CoreEvent {
    }

    /**
     * This node renewed a lease it holds: its own view now ends at {@code untilNanos} (the
     * monotonic clock the core is fed). The address reconciler refreshes the kernel lifetime on it.
     */
    record LeaseRenewed(String vip, long epoch, long untilNanos) implements CoreEvent {
    }

    /** This node's lease ended without a release: renewal failed, or a suspend was detected. */
    record LeaseLost(String vip, long epoch, String reason) implements CoreEvent {
    }

    record LeaseReleased(String vip, long epoch) implements CoreEvent {
    }

    /** Wall time ran ahead of monotonic time: the host was suspended or the VM paused. */
    record SuspendDetected(long gapMillis) implements CoreEvent {
    }

    record WriteCompleted(WriteResult result) implements CoreEvent {
    }

    /**
     * The lease table is full ({@code limit} entries): the lease of {@code vip} cannot be tracked,
     * so this node neither asks for it nor votes on it until entries are collected. Reported once
     * until the table has room again; every refusal is counted
     * ({@link ClusterCore#leaseEntriesRefused()}).
     */
    record LeaseTableFull(String vip, int limit) implements CoreEvent {
    }

    /**
     * Anti-entropy with {@code peer} has more to send than one heartbeat interval's budget of
     * {@code budgetBytes}: it goes out over the next intervals. Reported once until that work is done.
     *
     * @param objectsPending objects still to send it when the budget ran out
     */
    record SyncPaced(String peer, int objectsPending, int budgetBytes) implements CoreEvent {
    }

    /** A peer's message that decoded but made no sense (e.g. a malformed lease set); it was dropped. */
    record BadMessage(String peer, String reason) implements CoreEvent {
    }
}
