package io.lcs.controller.http;

import java.util.function.LongSupplier;

/**
 * Rate limit for reports of a repeated condition (a log line, an event): the first occurrence is
 * reported at once, later ones within {@code interval} only counted, and the next report after the
 * interval says how many were not reported. A flood thus costs one line per interval, and the exact
 * count stays in the metric the caller keeps next to it. Thread-safe.
 */
public final class ReportThrottle {
    /** 60 s: a flood of refusals or rejected connections writes at most one line (and event) a minute. */
    public static final long DEFAULT_INTERVAL_NANOS = 60_000_000_000L;

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private long lastReportNanos;
    private boolean reported;
    private long unreported;

    /** @param nanoTime the monotonic clock ({@code System::nanoTime}; tests pass a manual one) */
    public ReportThrottle(long intervalNanos, LongSupplier nanoTime) {
        if (intervalNanos < 1) {
            throw new IllegalArgumentException("interval must be positive");
        }
        this.intervalNanos = intervalNanos;
        this.nanoTime = nanoTime;
    }

    /**
     * Records one occurrence.
     *
     * @return -1 if it must not be reported now; otherwise the number of occurrences since the last
     *     report that were not reported (0 for the first)
     */
    public synchronized long occurred() {
        long now = nanoTime.getAsLong();
        if (reported && now - lastReportNanos < intervalNanos) {
            unreported++;
            return -1;
        }
        long n = unreported;
        unreported = 0;
        reported = true;
        lastReportNanos = now;
        return n;
    }

    /** {@code ""}, or {@code " (and N more since the last report)"} for a report's end. */
    public static String more(long unreported) {
        return unreported <= 0 ? "" : " (and " + unreported + " more since the last report)";
    }
}
