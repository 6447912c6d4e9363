package io.lcs.controller.check;

import io.lcs.model.config.CheckConfig;

/**
 * Runs one health check once, blocking, bounded by the check's {@code timeout_ms}. Called on the
 * check runner's worker threads, never on an event loop. Implementations are thread-safe and never
 * throw for a failing check: a failure is an outcome.
 */
@FunctionalInterface
public interface CheckProbe {
    CheckOutcome run(CheckConfig check) throws InterruptedException;
}
