package io.lcs.reconcilers.runtime;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * Rate limit for a log line that a peer or the file system can repeat at will: at most one line per
 * key (e.g. {@code peer b/kind}) per interval, the next one saying how many were left out. Counting
 * stays the metrics' job; this only keeps a flood out of the journal. Thread-safe; no thread, no
 * timer: time is read from the injected {@link Ticker} when asked.
 */
public final class LogThrottle {
    /**
     * Keys remembered at once, so memory stays bounded whatever the keys are: 1,024 is far above
     * the 14 peers × 7 reasons of the peer boundary and the few hook paths × reasons one node
     * refuses. When full, keys whose interval is over are forgotten first; a key that still finds
     * no room is logged every time rather than hidden.
     */
    public static final int MAX_KEYS = 1_024;

    private record Window(long startNanos, long suppressed) {
    }

    private final long intervalNanos;
    private final Ticker ticker;
    private final Map<String, Window> windows = new HashMap<>();

    /** @param interval one line per key per this much time */
    public LogThrottle(Duration interval, Ticker ticker) {
        this.intervalNanos = interval.toNanos();
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
    }

    /**
     * Asks to log one line under {@code key}.
     *
     * @return -1 to stay silent (counted as suppressed), otherwise log now: the number of lines of
     *     this key left out since the last one logged (0 the first time)
     */
    public synchronized long permit(String key) {
        long now = ticker.nanoTime();
        Window w = windows.get(key);
        if (w != null && now - w.startNanos() < intervalNanos) {
            windows.put(key, new Window(w.startNanos(), w.suppressed() + 1));
            return -1;
        }
        if (w == null && windows.size() >= MAX_KEYS) {
            forgetExpired(now);
            if (windows.size() >= MAX_KEYS) {
                return 0;
            }
        }
        windows.put(key, new Window(now, 0));
        return w == null ? 0 : w.suppressed();
    }

    /** {@code line}, followed by how many like it were left out when that is not 0. */
    public static String withSuppressed(String line, long suppressed) {
        return suppressed <= 0 ? line : line + " (" + suppressed + " more like this not logged)";
    }

    private void forgetExpired(long now) {
        for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
            if (now - it.next().startNanos() >= intervalNanos) {
                it.remove();
            }
        }
    }
}
