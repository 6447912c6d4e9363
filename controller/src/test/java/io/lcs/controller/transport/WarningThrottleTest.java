package io.lcs.controller.transport;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WarningThrottleTest {
    private static final long SECOND = 1_000_000_000L;
    private final WarningThrottle throttle = new WarningThrottle(10 * SECOND);

    @Test
    void onlyTheFirstLinePerSourcePerIntervalIsWritten() {
        assertEquals("a 1", throttle.admit("198.18.0.9", "a 1", 0));
        for (int i = 2; i <= 1_000; i++) {
            assertNull(throttle.admit("198.18.0.9", "a " + i, i * 1_000_000L), "line " + i);
        }
        assertEquals("b 1", throttle.admit("198.18.0.10", "b 1", 5 * SECOND), "another source has its own interval");
    }

    @Test
    void theNextLineAfterTheIntervalCarriesTheCountOfSuppressedOnes() {
        throttle.admit("198.18.0.9", "first", 0);
        throttle.admit("198.18.0.9", "second", SECOND);
        throttle.admit("198.18.0.9", "third", 2 * SECOND);
        assertEquals("fourth (2 more about 198.18.0.9 suppressed in the last 12 s)",
                throttle.admit("198.18.0.9", "fourth", 12 * SECOND));
        assertNull(throttle.admit("198.18.0.9", "fifth", 13 * SECOND), "a new interval started with the fourth");
        assertEquals("sixth (1 more about 198.18.0.9 suppressed in the last 28 s)",
                throttle.admit("198.18.0.9", "sixth", 40 * SECOND));
    }

    @Test
    void flushReportsSuppressedLinesOnceTheIntervalIsOverAndForgetsQuietSources() {
        throttle.admit("198.18.0.9", "first", 0);
        throttle.admit("198.18.0.9", "second", SECOND);
        throttle.admit("198.18.0.9", "third", 2 * SECOND);
        throttle.admit("198.18.0.10", "only", 0);
        assertEquals(List.of(), throttle.flush(9 * SECOND), "interval not over yet");
        assertEquals(List.of("2 more warning(s) about 198.18.0.9 suppressed in the last 10 s; the last: third"),
                throttle.flush(10 * SECOND));
        assertEquals(1, throttle.size(), "198.18.0.10 had nothing suppressed: forgotten");
        assertEquals(List.of(), throttle.flush(20 * SECOND));
        assertTrue(throttle.isEmpty(), "198.18.0.9 stayed quiet for an interval: forgotten");
        assertEquals("again", throttle.admit("198.18.0.9", "again", 21 * SECOND));
    }

    @Test
    void flushAllReportsEverySuppressedCountAtOnce() {
        throttle.admit("198.18.0.9", "first", 0);
        throttle.admit("198.18.0.9", "second", SECOND);
        assertEquals(List.of("1 more warning(s) about 198.18.0.9 suppressed in the last 2 s; the last: second"),
                throttle.flushAll(2 * SECOND));
    }

    @Test
    void sourcesBeyondTheTableLimitShareOneEntry() {
        for (int i = 0; i < WarningThrottle.MAX_SOURCES; i++) {
            assertEquals("x", throttle.admit("source-" + i, "x", 0));
        }
        String first = throttle.admit("one-too-many", "y", 0);
        assertTrue(first.startsWith("y (more than " + WarningThrottle.MAX_SOURCES + " sources"), first);
        for (int i = 0; i < 1_000; i++) {
            assertNull(throttle.admit("stranger-" + i, "z", SECOND));
        }
        assertEquals(WarningThrottle.MAX_SOURCES + 1, throttle.size(), "bounded: the table plus the shared entry");
        List<String> flushed = throttle.flush(10 * SECOND);
        assertEquals(List.of("1000 more warning(s) about " + WarningThrottle.OTHER_SOURCES
                + " suppressed in the last 10 s; the last: z"), flushed);
    }

    @Test
    void intervalMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new WarningThrottle(0));
    }
}
