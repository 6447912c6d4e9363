package io.lcs.core;

import java.util.List;

/**
 * Everything the cluster core needs to know, fixed for its lifetime. Durations are milliseconds.
 *
 * @param self this node's name; must be one of {@code members}
 * @param members every configured node, witnesses included; each has one vote
 * @param configHash the membership hash peers must share to be counted
 * @param leaseMillis T, the lease an acceptor grants (and waits out after a restart)
 * @param renewMillis how often an owner renews (T/4 by default)
 * @param heartbeatMillis how often heartbeats go to each peer
 * @param peerTimeoutMillis a peer not heard from for this long is offline
 * @param driftBound the largest relative rate difference between two nodes' monotonic clocks
 *     (0.01 = 1%); the owner's own view of its lease is shortened by twice this
 * @param writeTimeoutMillis a replicated write not acknowledged by a majority in this time fails
 * @param syncIntervalMillis at most one anti-entropy exchange per peer per this interval
 * @param tombstoneGcMillis a tombstone is collected only this long after it was stored, and only
 *     once every node's digest matches (so no node can still hold an older live copy)
 * @param suspendJumpMillis wall time advancing this much further than monotonic time in one tick
 *     means the host was suspended: every held lease is dropped at once
 * @param maxLeaseEntries bound on per-VIP lease records (a peer cannot make us allocate more); a full
 *     table is reported ({@link CoreEvent.LeaseTableFull}) and counted
 * @param stopGraceMillis how long a held lease that stopped being wanted is still renewed, so that
 *     its owner can run {@code pre_stop} and remove the address under a live lease; {@link ClusterCore#release}
 *     ends it earlier (0: renewals stop when the lease stops being wanted)
 */
public record CoreConfig(String self, List<Member> members, long configHash, long leaseMillis, long renewMillis,
                         long heartbeatMillis, long peerTimeoutMillis, double driftBound, long writeTimeoutMillis,
                         long syncIntervalMillis, long tombstoneGcMillis, long suspendJumpMillis,
                         int maxLeaseEntries, long stopGraceMillis) {

    /**
     * The lease table's limit lcsd runs with: ten times the 1,000 VIPs the lease batching is sized
     * for, room for every configured VIP plus the names peers ask about while a configuration change
     * spreads; at well under 1 KiB per entry, a few MiB at most. Idle entries are collected, so the
     * table holds about as many entries as VIPs in use.
     */
    public static final int DEFAULT_MAX_LEASE_ENTRIES = 10_000;

    /** One configured node. Quorum-only nodes vote and replicate but never hold a VIP. */
    public record Member(String name, boolean fullMember) {
    }

    public CoreConfig {
        members = List.copyOf(members);
        if (members.stream().noneMatch(m -> m.name().equals(self))) {
            throw new IllegalArgumentException("self '" + self + "' is not a member");
        }
        if (renewMillis <= 0 || renewMillis >= leaseMillis) {
            throw new IllegalArgumentException("renew must be in (0, lease)");
        }
        if (driftBound < 0 || driftBound >= 0.1) {
            throw new IllegalArgumentException("drift bound must be in [0, 0.1)");
        }
        if (stopGraceMillis < 0) {
            throw new IllegalArgumentException("stop grace must not be negative");
        }
    }

    /** This configuration with {@code stopGraceMillis} (see the record's parameters). */
    public CoreConfig withStopGraceMillis(long millis) {
        return new CoreConfig(self, members, configHash, leaseMillis, renewMillis, heartbeatMillis, peerTimeoutMillis,
                driftBound, writeTimeoutMillis, syncIntervalMillis, tombstoneGcMillis, suspendJumpMillis,
                maxLeaseEntries, millis);
    }

    /** The defaults lcsd runs with, derived from {@code lease_ms} and {@code renew_ms}. */
    public static CoreConfig defaults(String self, List<Member> members, long configHash, long leaseMillis,
                                      long renewMillis) {
        long heartbeat = Math.max(50, Math.min(250, renewMillis / 2));
        return new CoreConfig(self, members, configHash, leaseMillis, renewMillis, heartbeat,
                Math.max(4 * heartbeat, leaseMillis / 2), 0.01, 5_000, 1_000, 600_000,
                Math.max(1_000, leaseMillis / 2), DEFAULT_MAX_LEASE_ENTRIES, 0);
    }

    /** Votes needed: more than half of all configured votes. */
    public int quorumSize() {
        return members.size() / 2 + 1;
    }

    public boolean isFullMember(String node) {
        for (Member m : members) {
            if (m.name().equals(node)) {
                return m.fullMember();
            }
        }
        return false;
    }

    public boolean isMember(String node) {
        for (Member m : members) {
            if (m.name().equals(node)) {
                return true;
            }
        }
        return false;
    }
}
