package io.lcs.reconcilers.vip;

/**
 * Where the {@link VipReconciler} reports what it observed on this node, for the status API (in
 * lcsd: {@code StatusView}). Called from the reconciler's threads; must not block.
 */
@FunctionalInterface
public interface VipStatusSink {
    void observed(String vip, LocalVipState state);
}
