package io.lcs.cli;

import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What a command takes from outside besides its arguments and writers, so every verb runs
 * in-process under test: standard input ({@code apply -f -}), wall time (ages), the monotonic clock
 * and the poll interval ({@code move --wait}), and how to find the daemon.
 */
public record Environment(InputStream stdin, Clock clock, LongSupplier nanoTime, Duration pollInterval,
                          ServerLocator locator) {
    /**
     * 50 ms: a planned move completes in tens of milliseconds on a LAN (plus the probe window,
     * {@code probe_ms}), so a coarser poll would be most of what {@code move --wait} reports; 20
     * GETs a second against the local lcsd, for at most the wait's timeout, cost it little.
     */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(50);

    public static Environment system() {
        return new Environment(System.in, Clock.systemUTC(), System::nanoTime, DEFAULT_POLL_INTERVAL,
                new LcsConfLocator());
    }

    public Environment withStdin(InputStream in) {
        return new Environment(in, clock, nanoTime, pollInterval, locator);
    }
}
