package io.lcs.reconcilers.hook;

import io.lcs.model.config.HookPolicy;
import io.lcs.reconcilers.runtime.LogThrottle;
import io.lcs.reconcilers.runtime.Ticker;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A {@link HookRunner} that runs a hook only if {@link HookFileCheck} allows its file under the
 * node's current lcs.conf ({@code policy}, read on every run: a reload changes it). A refused hook
 * is a failed hook: {@link HookResult#refused} with the reason, and one warning per hook and reason
 * per {@link #LOG_INTERVAL} (the reconciler retries a failing hook, the log must not repeat it each
 * time). Thread-safe; blocks like the runner it wraps.
 */
public final class GuardedHookRunner implements HookRunner {
    private static final Logger LOG = System.getLogger("io.lcs.hooks");
    /** One warning per refused hook and reason per minute: a failing pre_start is retried every 30 s. */
    static final Duration LOG_INTERVAL = Duration.ofMinutes(1);

    private final HookRunner delegate;
    private final HookFileCheck check;
    private final Supplier<HookPolicy> policy;
    private final Ticker ticker;
    private final LogThrottle throttle;

    public GuardedHookRunner(HookRunner delegate, HookFileCheck check, Supplier<HookPolicy> policy, Ticker ticker) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.check = Objects.requireNonNull(check, "check");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.throttle = new LogThrottle(LOG_INTERVAL, ticker);
    }

    @Override
    public HookResult run(HookInvocation invocation) throws InterruptedException {
        long start = ticker.nanoTime();
        HookRefusal refusal = check.check(invocation.program().toString(), policy.get());
        if (refusal == null) {
            return delegate.run(invocation);
        }
        long suppressed = throttle.permit(refusal.program() + "/" + refusal.reason().label());
        if (suppressed >= 0) {
            LOG.log(Level.WARNING, LogThrottle.withSuppressed("vip " + invocation.env().getOrDefault("LCS_VIP", "?")
                    + ": " + invocation.event() + " " + refusal.message(), suppressed));
        }
        return HookResult.refused(refusal, Duration.ofNanos(ticker.nanoTime() - start));
    }
}
