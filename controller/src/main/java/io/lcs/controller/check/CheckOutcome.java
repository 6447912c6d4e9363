package io.lcs.controller.check;

/**
 * How one run of a health check ended.
 *
 * @param passed exit 0, connected, the expected HTTP status, or the link up with carrier
 * @param message what the run saw, one line ({@code connection refused}, {@code HTTP 503},
 *     {@code exit 1: replica lag 30 s}, {@code timed out after 500 ms})
 * @param output the last lines an exec check printed (at most {@link CheckRunner#OUTPUT_TAIL_BYTES}), else null
 * @param tookNanos how long the run took
 */
public record CheckOutcome(boolean passed, String message, String output, long tookNanos) {
}
