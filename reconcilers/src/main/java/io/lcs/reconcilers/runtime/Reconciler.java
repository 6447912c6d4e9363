package io.lcs.reconcilers.runtime;

/**
 * Takes one step from actual state toward desired state for one key. Level-triggered: the key is
 * only a name; the reconciler re-reads desired and actual state every time, so it is correct after
 * a restart and after missed or merged events. The runner never calls it concurrently for the same
 * key (different keys may run concurrently when the runner has several workers).
 *
 * <p>Outcomes: return {@link Result#done()} or {@link Result#requeueAfter}; throw
 * {@link TerminalReconcileException} to stop retrying until the key is added again; throw anything
 * else to be retried with per-key capped exponential backoff (see {@link WorkQueue}).
 *
 * @param <K> the key type; must have value equality ({@code equals}/{@code hashCode})
 */
@FunctionalInterface
public interface Reconciler<K> {
    Result reconcile(K key) throws Exception;
}
