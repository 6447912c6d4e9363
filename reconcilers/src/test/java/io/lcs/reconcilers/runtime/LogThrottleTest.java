package io.lcs.reconcilers.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one log throttle (peer boundary, transport, admin and metrics HTTP servers, hooks). */
class LogThrottleTest {
    private final ManualTicker t = new ManualTicker();

    @Test
    void oneLinePerKeyPerIntervalThenTheCountOfWhatWasLeftOut() {
        LogThrottle throttle = new LogThrottle(Duration.ofSeconds(60), t);
        assertEquals(0, throttle.permit("b/kind"));
        assertEquals(-1, throttle.permit("b/kind"));
        assertEquals(-1, throttle.permit("b/kind"));
        assertEquals(0, throttle.permit("b/name"), "another key has its own window");
        t.advance(Duration.ofSeconds(60));
        assertEquals(2, throttle.permit("b/kind"), "the next line says how many were left out");
        assertEquals(-1, throttle.permit("b/kind"));
        assertEquals("x (1 more like this not logged)", LogThrottle.withSuppressed("x", 1));
        assertEquals("x", LogThrottle.withSuppressed("x", 0));
    }

    @Test
    void admitGivesTheLineWithTheCountOfTheLinesLeftOutBeforeIt() {
        LogThrottle throttle = new LogThrottle(Duration.ofSeconds(10), t);
        assertEquals("a 1", throttle.admit("198.18.0.9", "a 1"));
        for (int i = 2; i <= 1_000; i++) {
            assertNull(throttle.admit("198.18.0.9", "a " + i), "line " + i);
        }
        assertEquals("b 1", throttle.admit("198.18.0.10", "b 1"), "another source has its own interval");
        t.advance(Duration.ofSeconds(10));
        assertEquals("a 1001 (999 more like this not logged)", throttle.admit("198.18.0.9", "a 1001"));
        assertNull(throttle.admit("198.18.0.9", "a 1002"), "a new interval started with a 1001");
    }

    @Test
    void flushReportsTheLastLineLeftOutOnceTheIntervalIsOverAndForgetsQuietKeys() {
        LogThrottle throttle = new LogThrottle(Duration.ofSeconds(10), t);
        throttle.admit("198.18.0.9", "first");
        throttle.admit("198.18.0.9", "second");
        throttle.admit("198.18.0.9", "third");
        throttle.admit("198.18.0.10", "only");
        t.advance(Duration.ofSeconds(9));
        assertEquals(List.of(), throttle.flush(), "interval not over yet");
        t.advance(Duration.ofSeconds(1));
        assertEquals(List.of("third (1 more like this not logged)"), throttle.flush());
        assertEquals(1, throttle.size(), "198.18.0.10 had nothing left out: forgotten");
        t.advance(Duration.ofSeconds(10));
        assertEquals(List.of(), throttle.flush());
        assertTrue(throttle.isEmpty(), "198.18.0.9 stayed quiet for an interval: forgotten");
        assertEquals("again", throttle.admit("198.18.0.9", "again"));
    }

    @Test
    void flushAllReportsEveryLeftOutLineAtOnce() {
        LogThrottle throttle = new LogThrottle(Duration.ofSeconds(10), t);
        throttle.admit("198.18.0.9", "first");
        throttle.admit("198.18.0.9", "second");
        t.advance(Duration.ofSeconds(2));
        assertEquals(List.of("second"), throttle.flushAll());
        assertEquals(List.of(), throttle.flushAll(), "reported once");
    }

    @Test
    void flushLeavesPermitKeysToTheirCallersNextLine() {
        LogThrottle throttle = new LogThrottle(Duration.ofSeconds(10), t);
        throttle.permit("k");
        throttle.permit("k");
        t.advance(Duration.ofSeconds(10));
        assertEquals(List.of(), throttle.flush(), "a permit() caller has no line to flush");
        assertEquals(1, throttle.permit("k"), "its next line still gives the count");
    }

    @Test
    void whenFullExpiredKeysMakeRoomElseNewKeysShareOneEntrySaidAndCounted() {
        LogThrottle throttle = new LogThrottle(Duration.ofSeconds(10), t);
        for (int i = 0; i < LogThrottle.MAX_KEYS; i++) {
            assertEquals("x", throttle.admit("source-" + i, "x"));
        }
        long overflowsBefore = LogThrottle.keyTableOverflows();
        String first = throttle.admit("one-too-many", "y");
        assertTrue(first.startsWith("y (more than " + LogThrottle.MAX_KEYS + " sources"), first);
        for (int i = 0; i < 1_000; i++) {
            assertNull(throttle.admit("stranger-" + i, "z"), "strangers share one line per interval");
        }
        assertEquals(-1, throttle.permit("stranger-permit"));
        assertEquals(LogThrottle.MAX_KEYS + 1, throttle.size(), "bounded: the table plus the shared entry");
        assertEquals(1_002, LogThrottle.keyTableOverflows() - overflowsBefore, "every shared line is counted");
        t.advance(Duration.ofSeconds(10));
        assertEquals(List.of("z (1000 more like this not logged)"), throttle.flush(),
                "what the shared entry left out is still said; the quiet keys are forgotten");
        assertEquals(1, throttle.size());
        assertEquals("fresh", throttle.admit("fresh", "fresh"), "room again");
    }

    @Test
    void intervalMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new LogThrottle(Duration.ZERO, t));
    }
}
