package io.lcs.reconcilers.runtime;

import java.time.Duration;

/**
 * Told about every reconcile call, for metrics and logs. Called on the worker thread right after
 * the call; must be fast and must not throw (anything thrown is logged and ignored).
 *
 * @param <K> the key type
 */
@FunctionalInterface
public interface ReconcileObserver<K> {
    /**
     * @param reconciler the runner's name
     * @param key the key reconciled
     * @param took wall time of the call, measured with the runner's {@link Ticker}
     * @param error null on success, else what the reconciler threw
     *              ({@link TerminalReconcileException} for terminal failures)
     */
    void reconciled(String reconciler, K key, Duration took, Throwable error);

    static <K> ReconcileObserver<K> none() {
        return (reconciler, key, took, error) -> { };
    }
}
