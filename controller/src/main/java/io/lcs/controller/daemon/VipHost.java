package io.lcs.controller.daemon;

import io.lcs.core.WriteOp;
import io.lcs.core.WriteResult;
import java.util.concurrent.CompletionStage;

/**
 * What the {@link VipReconciler} needs from the node's cluster core, and nothing more: the seam
 * that lets it be tested without Vert.x. In lcsd it is {@link CoreDriver#vipHost()}; tests use a
 * fake that hands out snapshots built by hand.
 *
 * <p>Threading: every method may be called from any thread (the reconciler's workers).
 * {@link #release} and {@link #setDeclined} may take effect later (lcsd hops onto the driver's
 * context), but calls from one thread take effect in the order they were made.
 */
public interface VipHost {
    /** The latest published picture of the core; never null, immutable. */
    NodeSnapshot snapshot();

    /** Gives up {@code vip}'s lease (the address must already be down); a no-op if not held. */
    void release(String vip);

    /** Declines (or stops declining) {@code vip} on this node; peers learn it from heartbeats. */
    void setDeclined(String vip, boolean declined);

    /** Starts a replicated write; completes (on any thread) when a majority answered or it failed. */
    CompletionStage<WriteResult> write(WriteOp op);
}
