package io.lcs.reconcilers.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
    @Test
    void oneLinePerKeyPerIntervalThenTheCountOfWhatWasLeftOut() {
        ManualTicker t = new ManualTicker();
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
    void whenFullExpiredKeysMakeRoomAndANewKeyIsNeverHidden() {
        ManualTicker t = new ManualTicker();
        LogThrottle throttle = new LogThrottle(Duration.ofSeconds(1), t);
        for (int i = 0; i < LogThrottle.MAX_KEYS; i++) {
            assertEquals(0, throttle.permit("k" + i));
        }
        assertEquals(0, throttle.permit("overflow"), "no room: logged rather than hidden");
        assertEquals(0, throttle.permit("overflow"), "and not remembered");
        t.advance(Duration.ofSeconds(1));
        assertEquals(0, throttle.permit("fresh"));
        assertEquals(-1, throttle.permit("fresh"), "expired keys were forgotten, so this one is remembered");
    }
}
