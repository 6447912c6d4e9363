package io.lcs.reconcilers.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one rate limit for log lines that a peer, a client or the file system can repeat at will: at
 * most one line per key (e.g. {@code peer b/kind}, a source address, a hook path) per interval.
 * Nothing is dropped without a trace: the next line of a key says how many like it were left out,
 * and {@link #flush} reports the left-out lines of keys that went quiet. Counting what happened
 * stays the metrics' job; this only keeps a flood out of the journal.
 *
 * <p>Two ways to use it: {@link #permit} when the caller builds the line only if it is logged (the
 * cheap path), or {@link #admit} with the line, which also remembers the last line left out, for
 * {@link #flush}.
 *
 * <p>Bounded: at most {@value #MAX_KEYS} keys are remembered at once. When the table is full, keys
 * whose interval is over are forgotten first; a key that still finds no room shares one entry,
 * {@value #OTHER_KEYS}, with every other such key (so a flood from many sources still yields one
 * line per interval), its first line says so, and {@link #keyTableOverflows()} counts each such
 * line (exported as {@code lcs_log_throttle_overflows_total}).
 *
 * <p>Thread-safe; no thread, no timer: time is read from the injected {@link Ticker} when asked.
 */
public final class LogThrottle {
    /**
     * Keys remembered at once, so memory stays bounded whatever the keys are: 1,024 is far above
     * the 15 members × 7 reasons of the peer boundary, the members' addresses of the transport and
     * the few hook paths × reasons one node refuses; about 100 KiB when full.
     */
    public static final int MAX_KEYS = 1_024;
    /** The key shared by every key that found the table full. */
    public static final String OTHER_KEYS = "other keys";

    private static final LongAdder KEY_TABLE_OVERFLOWS = new LongAdder();

    private static final class Window {
        long startNanos;
        long suppressed;
        String lastSuppressed;

        Window(long startNanos) {
            this.startNanos = startNanos;
        }
    }

    private final long intervalNanos;
    private final Ticker ticker;
    private final Map<String, Window> windows = new HashMap<>();
    private long lastForgetNanos = Long.MIN_VALUE / 2;

    /** @param interval one line per key per this much time */
    public LogThrottle(Duration interval, Ticker ticker) {
        this.intervalNanos = interval.toNanos();
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
    }

    /**
     * Lines, in this process, that found a throttle's key table full and were throttled under
     * {@value #OTHER_KEYS}.
     */
    public static long keyTableOverflows() {
        return KEY_TABLE_OVERFLOWS.sum();
    }

    /**
     * Asks to log one line under {@code key}.
     *
     * @return -1 to stay silent (counted as suppressed), otherwise log now: the number of lines of
     *     this key left out since the last one logged (0 the first time)
     */
    public synchronized long permit(String key) {
        return take(key, null).suppressedBefore;
    }

    /**
     * Offers {@code line} under {@code key}.
     *
     * @return the line to log now, with how many like it were left out before it ({@link
     *     #withSuppressed}) and, the first time keys share {@value #OTHER_KEYS}, a note saying so;
     *     null to stay silent (counted, and reported by the key's next line or by {@link #flush})
     */
    public synchronized String admit(String key, String line) {
        Taken t = take(key, line);
        if (t.suppressedBefore < 0) {
            return null;
        }
        String out = withSuppressed(line, t.suppressedBefore);
        return t.sharedFirst ? out + " (more than " + MAX_KEYS + " sources of such lines at once: further ones share"
                + " one line per interval)" : out;
    }

    /**
     * The lines left out of every key whose interval is over, one per key: its last line left out,
     * with how many others were ({@link #withSuppressed}); forgets keys that stayed quiet for a
     * whole interval. Call it about once per interval while {@link #isEmpty} is false.
     */
    public synchronized List<String> flush() {
        return flush(false);
    }

    /** Like {@link #flush()}, but reports every key's left-out lines now, interval over or not (at stop). */
    public synchronized List<String> flushAll() {
        return flush(true);
    }

    /** True when no key is remembered (nothing to flush). */
    public synchronized boolean isEmpty() {
        return windows.isEmpty();
    }

    /** Keys remembered now: at most {@value #MAX_KEYS} plus the shared {@value #OTHER_KEYS}. */
    public synchronized int size() {
        return windows.size();
    }

    /** {@code line}, followed by how many like it were left out when that is not 0. */
    public static String withSuppressed(String line, long suppressed) {
        return suppressed <= 0 ? line : line + " (" + suppressed + " more like this not logged)";
    }

    private record Taken(long suppressedBefore, boolean sharedFirst) {
    }

    private Taken take(String key, String line) {
        long now = ticker.nanoTime();
        Window w = windows.get(key);
        if (w == null && windows.size() >= MAX_KEYS) {
            // a scan of the whole table, so at most 8 per interval however many new keys arrive
            if (now - lastForgetNanos >= intervalNanos / 8) {
                lastForgetNanos = now;
                forgetExpired(now);
            }
            if (windows.size() >= MAX_KEYS) {
                KEY_TABLE_OVERFLOWS.increment();
                w = windows.get(OTHER_KEYS);
                if (w == null) {
                    windows.put(OTHER_KEYS, new Window(now));
                    return new Taken(0, true);
                }
            }
        }
        if (w == null) {
            windows.put(key, new Window(now));
            return new Taken(0, false);
        }
        if (now - w.startNanos < intervalNanos) {
            w.suppressed++;
            if (line != null) {
                w.lastSuppressed = line;
            }
            return new Taken(-1, false);
        }
        long before = w.suppressed;
        w.startNanos = now;
        w.suppressed = 0;
        w.lastSuppressed = null;
        return new Taken(before, false);
    }

    private List<String> flush(boolean all) {
        long now = ticker.nanoTime();
        List<String> out = new ArrayList<>();
        for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
            Window w = it.next();
            if (!all && now - w.startNanos < intervalNanos) {
                continue;
            }
            if (w.suppressed == 0) {
                it.remove();
                continue;
            }
            if (w.lastSuppressed == null) {
                continue; // a permit() key: the caller keeps its lines, its next one gives the count
            }
            out.add(withSuppressed(w.lastSuppressed, w.suppressed - 1));
            w.suppressed = 0;
            w.lastSuppressed = null;
            w.startNanos = now;
        }
        return out;
    }

    private void forgetExpired(long now) {
        for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
            if (now - it.next().startNanos >= intervalNanos) {
                it.remove();
            }
        }
    }
}
