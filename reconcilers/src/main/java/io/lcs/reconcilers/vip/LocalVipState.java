package io.lcs.reconcilers.vip;

/**
 * What the {@link VipReconciler} last observed for one VIP on this node.
 *
 * @param addressPresent the address is on this node's interface
 * @param problem why this node cannot hold the VIP now (a hook or the interface failed), or null
 * @param problemReason a one-word reason for {@code problem} (e.g. {@code PreStartFailed}), or null
 */
public record LocalVipState(boolean addressPresent, String problem, String problemReason) {
}
