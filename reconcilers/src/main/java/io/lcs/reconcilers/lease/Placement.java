package io.lcs.reconcilers.lease;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Decides which node should hold a VIP: a pure function of one node's view, so every node computes
 * the same answer from the same view and the others back off (proposers rarely duel).
 *
 * <p>Order of preference (docs/architecture.md, "Placement, moves and conflicts"):
 * <ol>
 *   <li>the target of a pending {@code Move}, if eligible;</li>
 *   <li>the current owner, if it may keep the VIP (sticky: a returning node never takes a VIP back
 *       and causes a second outage);</li>
 *   <li>the first eligible node in the VIP's {@code preferredNodes};</li>
 *   <li>the eligible node first in a stable rendezvous-hash order of (VIP, node), which spreads VIPs
 *       over nodes and stays put when unrelated nodes come and go.</li>
 * </ol>
 * Eligible for a new placement: a full-member that is online, in quorum, not in its restart wait,
 * not cordoned, not draining, whose hooks have not failed for this VIP, and not the node a
 * {@code Move} without target moves away from. The current owner may keep the VIP when cordoned
 * (cordon only keeps <em>new</em> VIPs off), but not when draining or moved away from.
 *
 * <p>Health checks: the order above is tried first among <em>healthy</em> candidates (every check
 * the VIP lists passes there), so an owner whose checks fail hands the VIP to a healthy node (on the
 * planned path: the owner stops wanting it) and a healthy owner is never left for another. When no
 * candidate is healthy the VIP stays where it is, or goes where it would without checks ({@code
 * on_no_healthy_node = keep}, the default), or runs nowhere ({@code stop}). Restored health on the
 * old owner moves nothing back: the new owner is healthy and sticky.
 */
public final class Placement {
    private Placement() {
    }

    /**
     * One node as the deciding node sees it.
     *
     * @param hookFailed this VIP's pre_start hook failed on it recently (lets another node try)
     * @param healthy every health check the VIP lists passes on it (true for a VIP without checks)
     * @param unhealthyReason why it is not healthy ({@code check web failing 3/3: connection
     *     refused}), for describe and events; null when healthy
     */
    public record Candidate(String name, boolean fullMember, boolean online, boolean restarting, boolean cordoned,
                            boolean draining, boolean hookFailed, boolean healthy, String unhealthyReason) {

        /** A candidate for a VIP without health checks. */
        public Candidate(String name, boolean fullMember, boolean online, boolean restarting, boolean cordoned,
                         boolean draining, boolean hookFailed) {
            this(name, fullMember, online, restarting, cordoned, draining, hookFailed, true, null);
        }

        boolean mayHold() {
            return fullMember && online && !restarting && !draining && !hookFailed;
        }

        boolean mayTakeNew() {
            return mayHold() && !cordoned;
        }

        /**
         * One node as a unit of several resources sees it: it may hold the unit only if it may hold
         * every member ({@code views} are that node's candidacies for each member; not empty).
         */
        public static Candidate allOf(List<Candidate> views) {
            Candidate first = views.get(0);
            boolean full = true;
            boolean online = true;
            boolean restarting = false;
            boolean cordoned = false;
            boolean draining = false;
            boolean hookFailed = false;
            boolean healthy = true;
            String unhealthyReason = null;
            for (Candidate c : views) {
                full &= c.fullMember;
                online &= c.online;
                restarting |= c.restarting;
                cordoned |= c.cordoned;
                draining |= c.draining;
                hookFailed |= c.hookFailed;
                if (!c.healthy && healthy) {
                    healthy = false;
                    unhealthyReason = c.unhealthyReason;
                }
            }
            return new Candidate(first.name, full, online, restarting, cordoned, draining, hookFailed, healthy,
                    unhealthyReason);
        }

        /** This node kept out of the placement (as if draining): another member of an anti-affinity group is on it. */
        public Candidate excluded() {
            return new Candidate(name, fullMember, online, restarting, cordoned, true, hookFailed, healthy,
                    unhealthyReason);
        }
    }

    /**
     * @param currentOwner the owner as the deciding node knows it (its own lease or its acceptor's
     *     live grant), or null
     * @param moveTo the target of a pending move, or null
     * @param moveAwayFrom the owner a pending move without target moves the VIP away from, or null
     * @param stopWhenNoHealthyNode {@code on_no_healthy_node = stop}: no healthy candidate, no owner
     */
    public record Input(String vip, List<String> preferredNodes, List<Candidate> nodes, String currentOwner,
                        String moveTo, String moveAwayFrom, boolean stopWhenNoHealthyNode) {

        /** A VIP whose policy is {@code keep}. */
        public Input(String vip, List<String> preferredNodes, List<Candidate> nodes, String currentOwner,
                     String moveTo, String moveAwayFrom) {
            this(vip, preferredNodes, nodes, currentOwner, moveTo, moveAwayFrom, false);
        }
    }

    /** @return the node that should hold the VIP, or null when no node is eligible */
    public static String desiredOwner(Input in) {
        String healthy = desiredOwner(in, true);
        if (healthy != null || in.stopWhenNoHealthyNode()) {
            return healthy;
        }
        return desiredOwner(in, false);
    }

    /** @return true when some candidate that could hold the VIP is healthy for it */
    public static boolean anyHealthy(Input in) {
        return desiredOwner(in, true) != null;
    }

    private static String desiredOwner(Input in, boolean healthyOnly) {
        if (in.moveTo() != null) {
            Candidate target = find(in, in.moveTo(), healthyOnly);
            if (target != null && target.mayTakeNew()) {
                return target.name();
            }
        }
        if (in.currentOwner() != null && !in.currentOwner().equals(in.moveAwayFrom())) {
            Candidate owner = find(in, in.currentOwner(), healthyOnly);
            if (owner != null && owner.mayHold()) {
                return owner.name();
            }
        }
        for (String preferred : in.preferredNodes()) {
            Candidate c = find(in, preferred, healthyOnly);
            if (c != null && c.mayTakeNew() && !c.name().equals(in.moveAwayFrom())) {
                return c.name();
            }
        }
        List<Candidate> ordered = new ArrayList<>(in.nodes());
        ordered.sort(Comparator.comparingLong((Candidate c) -> rendezvous(in.vip(), c.name()))
                .thenComparing(Candidate::name));
        for (Candidate c : ordered) {
            if ((c.healthy() || !healthyOnly) && c.mayTakeNew() && !c.name().equals(in.moveAwayFrom())) {
                return c.name();
            }
        }
        return null;
    }

    /** The candidate named {@code name}; null if none, or if it is unhealthy and {@code healthyOnly}. */
    private static Candidate find(Input in, String name, boolean healthyOnly) {
        Candidate c = find(in.nodes(), name);
        return c != null && (c.healthy() || !healthyOnly) ? c : null;
    }

    /** The candidate called {@code name}, or null. */
    static Candidate find(List<Candidate> nodes, String name) {
        for (Candidate c : nodes) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** Rendezvous (highest-random-weight) hash; lower sorts first. Stable across JVMs and runs. */
    static long rendezvous(String vip, String node) {
        long h = 0xcbf29ce484222325L; // FNV-1a 64
        for (int i = 0; i < vip.length(); i++) {
            h = (h ^ vip.charAt(i)) * 0x100000001b3L;
        }
        h = (h ^ 0xff) * 0x100000001b3L;
        for (int i = 0; i < node.length(); i++) {
            h = (h ^ node.charAt(i)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
