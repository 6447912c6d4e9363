package io.lcs.reconcilers.vip;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.model.api.ObjectKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * What the {@link VipReconciler} needs from the node's cluster core, and nothing more: the port
 * that lets it be tested without the core or Vert.x. It speaks in its own small types
 * ({@link Snapshot}, {@link Lease}, {@link Put}, {@link WriteOutcome}); lcsd adapts the core's views
 * to them ({@code CoreDriver.vipHost()}), tests use a fake that hands out snapshots built by hand.
 *
 * <p>Threading: every method may be called from any thread (the reconciler's workers).
 * {@link #release} and {@link #setDeclined} may take effect later (lcsd hops onto the driver's
 * context), but calls from one thread take effect in the order they were made.
 */
public interface VipHost {
    /** The latest published picture of the core; never null, immutable. */
    Snapshot snapshot();

    /** Gives up {@code vip}'s lease (the address must already be down); a no-op if not held. */
    void release(String vip);

    /** Declines (or stops declining) {@code vip} on this node; peers learn it from heartbeats. */
    void setDeclined(String vip, boolean declined);

    /** Starts a replicated write; completes (on any thread) when a majority answered or it failed. */
    CompletionStage<WriteOutcome> write(Put put);

    /**
     * The core as the reconciler reads it at one instant: the VIPs this node manages, their leases
     * and the unacknowledged conflicts. Immutable.
     */
    interface Snapshot {
        /** The monotonic clock when taken; {@link Lease#heldRemainingNanos} is relative to it. */
        long takenAtNanos();

        /** Every VIP this node manages, whichever source it came from. */
        List<VipSpec> vips();

        /** The VIP called {@code name}, or null if there is none (deleted). */
        VipSpec vip(String name);

        /** {@code vip}'s lease as this node sees it; never null (not held when unknown). */
        Lease lease(String vip);

        /** Per VIP: the epoch of an unacknowledged conflict. */
        Map<String, Long> conflicts();

        /**
         * Per VIP held out of placement because another VIP keeps its IP (the rule every node
         * applies alike): the keeper's name. Empty when no two VIPs share an IP.
         */
        Map<String, String> addressConflicts();

        /** An operator stopped {@code vip} ({@code lcs stop}): it runs nowhere. */
        default boolean stopped(String vip) {
            return false;
        }

        /**
         * The VIPs that share {@code vip}'s lease (its unit), in start order: dependencies first, then
         * by priority; {@code [vip]} alone when it is a unit of its own.
         */
        default List<String> unitMembers(String vip) {
            return List.of(vip);
        }

        /** {@code vip} is on a dependency cycle (state that slipped past validation): it never starts. */
        default boolean onCycle(String vip) {
            return false;
        }
    }

    /**
     * One VIP's lease as this node sees it.
     *
     * @param held this node owns the lease now (its own, drift-shortened timer has not ended)
     * @param wanted the lease reconciler currently wants this node to hold it
     * @param heldEpoch epoch of this node's lease, 0 if not held
     * @param heldRemainingNanos what is left of this node's lease by its own timer at
     *     {@link Snapshot#takenAtNanos}, 0 if not held
     * @param highestEpoch the highest epoch this node has seen for the VIP
     */
    record Lease(boolean held, boolean wanted, long heldEpoch, long heldRemainingNanos, long highestEpoch) {
    }

    /**
     * Create or replace one replicated object. {@code body} is the whole object as JSON; the core
     * sets its version.
     */
    record Put(ObjectKey key, ObjectNode body) {
    }

    /**
     * How a replicated write ended.
     *
     * @param succeeded a majority holds the result
     * @param message why not, when it did not succeed
     */
    record WriteOutcome(boolean succeeded, String message) {
    }
}
