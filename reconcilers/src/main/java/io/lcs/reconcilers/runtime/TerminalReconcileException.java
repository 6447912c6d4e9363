package io.lcs.reconcilers.runtime;

/**
 * Thrown by a {@link Reconciler} when retrying cannot help (e.g. the spec names an interface that
 * does not exist): the runner forgets the key's backoff and does not requeue it; the key is
 * reconciled again only when something adds it (a change event or the periodic resync). The
 * reconciler should write a failure condition to status before throwing.
 */
public class TerminalReconcileException extends Exception {
    public TerminalReconcileException(String message) {
        super(message);
    }

    public TerminalReconcileException(String message, Throwable cause) {
        super(message, cause);
    }
}
