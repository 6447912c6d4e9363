package io.lcs.reconcilers.vip;

/**
 * Where the {@link VipReconciler} records what happened ({@code lcs get events}; in lcsd the
 * bounded {@code EventLog}). Called from the reconciler's threads; must not block.
 */
@FunctionalInterface
public interface EventSink {
    /**
     * @param type e.g. {@code VipActive}, {@code Conflict}, {@code HookFailed}
     * @param object what it is about, e.g. {@code VirtualIP/web}
     */
    void append(String type, String object, String message);
}
