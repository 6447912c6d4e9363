package io.lcs.reconcilers.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link Reconciler} asks for after a successful step. There are only two outcomes:
 * {@link Done} (converged for now; the key comes back on the next change or resync) and
 * {@link RequeueAfter} (look again after a delay, e.g. to renew a lifetime). To retry with
 * backoff, throw; to stop retrying, throw {@link TerminalReconcileException}.
 */
public sealed interface Result permits Result.Done, Result.RequeueAfter {

    /** Converged for now. */
    record Done() implements Result {
    }

    /**
     * Reconcile the same key again after {@code delay} (strictly positive), without counting a failure.
     */
    record RequeueAfter(Duration delay) implements Result {
        public RequeueAfter {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative() || delay.isZero()) {
                throw new IllegalArgumentException("requeue delay must be positive, got " + delay);
            }
        }
    }

    Done DONE = new Done();

    static Result done() {
        return DONE;
    }

    static Result requeueAfter(Duration delay) {
        return new RequeueAfter(delay);
    }
}
