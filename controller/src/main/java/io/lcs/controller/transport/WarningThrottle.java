package io.lcs.controller.transport;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * At most one warning line per source address per interval, so a flood of bad connections cannot
 * flood the log: the first line of an interval is written at once; the others are counted, and
 * the count is written with the source's next line or by {@link #flush} once the interval is over
 * (nothing is dropped without a trace; every rejection is also in the transport's counters).
 *
 * <p>Sources are tracked in a table of at most {@value #MAX_SOURCES} entries; when it is full, new
 * sources share one entry ("other sources"), so memory stays bounded under a flood from many
 * addresses. Entries idle for a whole interval are removed by {@link #flush}.
 *
 * <p>Sans clock: callers pass the monotonic time. Not thread-safe: the transport calls it on its
 * context only.
 */
final class WarningThrottle {
    /**
     * Distinct sources tracked at once. A cluster has at most 15 members, and strangers are refused
     * at accept, so 256 is far more than legitimate traffic needs and still small (a few KiB).
     */
    static final int MAX_SOURCES = 256;
    /** The key of the shared entry used when the table is full. */
    static final String OTHER_SOURCES = "other sources";

    private static final class Entry {
        long intervalStartNanos;
        long suppressed;
        String lastSuppressed;
    }

    private final long intervalNanos;
    private final Map<String, Entry> entries = new HashMap<>();

    /** @param intervalNanos at most one line per source per this many nanoseconds (positive) */
    WarningThrottle(long intervalNanos) {
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("warning interval must be positive: " + intervalNanos + " ns");
        }
        this.intervalNanos = intervalNanos;
    }

    /**
     * Offers one warning about {@code source}.
     *
     * @return the line to log now ({@code line}, plus how many were suppressed before it), or null
     * when it is suppressed (counted, to be reported later)
     */
    String admit(String source, String line, long nowNanos) {
        Entry e = entries.get(source);
        if (e == null) {
            if (entries.size() >= MAX_SOURCES) {
                source = OTHER_SOURCES;
                e = entries.get(source);
            }
            if (e == null) {
                e = new Entry();
                entries.put(source, e);
                e.intervalStartNanos = nowNanos;
                return source.equals(OTHER_SOURCES) ? line + " (more than " + MAX_SOURCES
                        + " sources warned about at once: further sources share one line per interval)" : line;
            }
        }
        if (nowNanos - e.intervalStartNanos >= intervalNanos) {
            String out = e.suppressed == 0 ? line : line + suppressedNote(source, e, nowNanos);
            e.intervalStartNanos = nowNanos;
            e.suppressed = 0;
            e.lastSuppressed = null;
            return out;
        }
        e.suppressed++;
        e.lastSuppressed = line;
        return null;
    }

    /**
     * Lines reporting the suppressed warnings of every source whose interval is over; forgets
     * sources that stayed quiet for a whole interval. Call it about once per interval while
     * {@link #isEmpty} is false.
     */
    List<String> flush(long nowNanos) {
        return flush(nowNanos, false);
    }

    /** Like {@link #flush(long)} but reports every suppressed count now, interval over or not (at stop). */
    List<String> flushAll(long nowNanos) {
        return flush(nowNanos, true);
    }

    private List<String> flush(long nowNanos, boolean all) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Entry> me = it.next();
            Entry e = me.getValue();
            if (!all && nowNanos - e.intervalStartNanos < intervalNanos) {
                continue;
            }
            if (e.suppressed == 0) {
                it.remove();
                continue;
            }
            out.add(e.suppressed + " more warning(s) about " + me.getKey() + " suppressed in the last "
                    + seconds(nowNanos - e.intervalStartNanos) + " s; the last: " + e.lastSuppressed);
            e.intervalStartNanos = nowNanos;
            e.suppressed = 0;
            e.lastSuppressed = null;
        }
        return out;
    }

    /** True when no source is tracked (no flush needed). */
    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Sources tracked right now (bounded by {@value #MAX_SOURCES} plus the shared entry). */
    int size() {
        return entries.size();
    }

    private static String suppressedNote(String source, Entry e, long nowNanos) {
        return " (" + e.suppressed + " more about " + source + " suppressed in the last "
                + seconds(nowNanos - e.intervalStartNanos) + " s)";
    }

    private static long seconds(long nanos) {
        return Math.max(1, Math.round(nanos / 1e9));
    }
}
