package io.lcs.reconcilers.vip;

/**
 * Where the {@link VipReconciler} reports what it observed on this node, for the status API (in
 * lcsd: {@code StatusView}). Called from the reconciler's threads; must not block.
 */
@FunctionalInterface
public interface VipStatusSink {
    void observed(String vip, LocalVipState state);

    /**
     * This node activates {@code vip} without a duplicate probe or announcements, and why (no
     * neighbour discovery on its interface); {@code null} clears it. Informative, not a problem.
     * This default ignores it.
     */
    default void probeSkipped(String vip, String why) {
    }
}
