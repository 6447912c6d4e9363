package io.lcs.reconcilers.check;

import io.lcs.model.config.CheckConfig;

/**
 * The state of one health check on this node: a pure state machine fed with the result of each run
 * (no clock, thread or process of its own; the caller passes the monotonic time).
 *
 * <ul>
 *   <li>{@link Phase#UNKNOWN} until the first result, which decides at once (there is no state yet
 *       to protect against flapping, and the first result arrives well within the restart wait in
 *       which a node is no placement candidate anyway);</li>
 *   <li>{@link Phase#PASSING} turns {@link Phase#FAILING} after {@code fall} failures in a row:
 *       failure detection is never delayed by the hold;</li>
 *   <li>{@link Phase#FAILING} turns {@code PASSING} after {@code rise} successes in a row, and no
 *       sooner than {@code hold_ms} after it turned {@code FAILING}. A check flapping on one node so
 *       turns {@code FAILING} at most once per hold period, and placement (sticky, moves only away
 *       from a failing owner) moves a VIP for it at most once per hold period.</li>
 * </ul>
 *
 * <p>Not thread-safe: the check runner calls it from one thread at a time per check.
 */
public final class CheckState {
    /** What this node reports for a check. */
    public enum Phase { UNKNOWN, PASSING, FAILING }

    private final CheckConfig config;
    private Phase phase = Phase.UNKNOWN;
    private int successes;
    private int failures;
    private long failedAtNanos;
    private String lastMessage = "not run yet";

    public CheckState(CheckConfig config) {
        this.config = config;
    }

    /**
     * One run's result.
     *
     * @param passed the run succeeded (exit 0, connected, expected status, link up with carrier)
     * @param message what the run saw, e.g. {@code connection refused} or {@code HTTP 200}
     * @return true when the phase changed
     */
    public boolean record(boolean passed, String message, long nowNanos) {
        lastMessage = message;
        Phase before = phase;
        if (passed) {
            successes = Math.min(successes + 1, config.rise());
            failures = 0;
        } else {
            failures = Math.min(failures + 1, config.fall());
            successes = 0;
        }
        switch (phase) {
            case UNKNOWN -> {
                phase = passed ? Phase.PASSING : Phase.FAILING;
                if (!passed) {
                    failedAtNanos = nowNanos;
                }
            }
            case PASSING -> {
                if (failures >= config.fall()) {
                    phase = Phase.FAILING;
                    failedAtNanos = nowNanos;
                }
            }
            case FAILING -> {
                if (successes >= config.rise() && nowNanos - failedAtNanos >= config.holdMillis() * 1_000_000L) {
                    phase = Phase.PASSING;
                }
            }
            default -> throw new IllegalStateException();
        }
        return phase != before;
    }

    public Phase phase() {
        return phase;
    }

    public CheckConfig config() {
        return config;
    }

    /**
     * One line for status, describe and the heartbeat: {@code failing 3/3: connection refused},
     * {@code passing (failing 1/3: timed out after 500 ms)}, {@code failing, passed 2/2 again but held
     * for hold_ms 10000 after it failed}. It changes only with the state, never with time alone.
     */
    public String summary(long nowNanos) {
        return switch (phase) {
            case UNKNOWN -> "not run yet";
            case PASSING -> failures == 0 ? "passing" : "passing (failing " + failures + "/" + config.fall() + ": "
                    + lastMessage + ")";
            case FAILING -> {
                if (successes >= config.rise()) {
                    // no countdown: the summary travels to every peer whenever it changes
                    yield "failing, passed " + successes + "/" + config.rise() + " again but held for hold_ms "
                            + config.holdMillis() + " after it failed";
                }
                yield successes > 0 ? "failing (passed " + successes + "/" + config.rise() + ")"
                        : "failing " + failures + "/" + config.fall() + ": " + lastMessage;
            }
        };
    }
}
