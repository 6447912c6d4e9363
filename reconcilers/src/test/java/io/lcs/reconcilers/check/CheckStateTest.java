package io.lcs.reconcilers.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.config.CheckConfig;
import io.lcs.reconcilers.check.CheckState.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckStateTest {
    private static final long MS = 1_000_000L;

    static CheckConfig check(int fall, int rise, int holdMillis) {
        return new CheckConfig("web", CheckConfig.Type.HTTP, "http://127.0.0.1/", 0, List.of(), null, 0, null, 1000,
                500, fall, rise, holdMillis, 0);
    }

    @Test
    void firstResultDecides() {
        CheckState ok = new CheckState(check(3, 2, 0));
        assertEquals(Phase.UNKNOWN, ok.phase());
        assertTrue(ok.record(true, "HTTP 200", 0));
        assertEquals(Phase.PASSING, ok.phase());
        CheckState bad = new CheckState(check(3, 2, 0));
        assertTrue(bad.record(false, "connection refused", 0));
        assertEquals(Phase.FAILING, bad.phase());
    }

    @Test
    void passingCheckFailsAfterFallFailuresInARow() {
        CheckState s = new CheckState(check(3, 2, 0));
        s.record(true, "ok", 0);
        assertFalse(s.record(false, "refused", 1000 * MS));
        assertFalse(s.record(false, "refused", 2000 * MS));
        assertEquals("passing (failing 2/3: refused)", s.summary(2000 * MS));
        assertTrue(s.record(false, "refused", 3000 * MS));
        assertEquals(Phase.FAILING, s.phase());
        assertEquals("failing 3/3: refused", s.summary(3000 * MS));
    }

    @Test
    void aSuccessInBetweenStartsTheFailureCountAgain() {
        CheckState s = new CheckState(check(3, 2, 0));
        s.record(true, "ok", 0);
        s.record(false, "refused", 1);
        s.record(false, "refused", 2);
        s.record(true, "ok", 3);
        s.record(false, "refused", 4);
        s.record(false, "refused", 5);
        assertEquals(Phase.PASSING, s.phase());
    }

    @Test
    void failingCheckPassesAfterRiseSuccessesOnceTheHoldHasPassed() {
        CheckState s = new CheckState(check(1, 2, 10_000));
        s.record(true, "ok", 0);
        assertTrue(s.record(false, "refused", 1000 * MS)); // failed at 1 s
        s.record(true, "ok", 2000 * MS);
        assertFalse(s.record(true, "ok", 3000 * MS), "rise reached but held until 11 s");
        assertEquals(Phase.FAILING, s.phase());
        assertEquals("failing, passed 2/2 again but held for hold_ms 10000 after it failed", s.summary(3000 * MS));
        assertEquals(s.summary(3000 * MS), s.summary(9000 * MS), "the summary does not change with time alone");
        assertFalse(s.record(true, "ok", 10_999 * MS));
        assertTrue(s.record(true, "ok", 11_000 * MS));
        assertEquals(Phase.PASSING, s.phase());
    }

    @Test
    void aFlappingCheckFailsAtMostOncePerHoldPeriod() {
        CheckState s = new CheckState(check(1, 1, 5000));
        int failedTransitions = 0;
        for (int t = 0; t < 60; t++) { // flaps every 100 ms for 6 s
            boolean changed = s.record(t % 2 == 0, t % 2 == 0 ? "ok" : "refused", t * 100 * MS);
            if (changed && s.phase() == Phase.FAILING) {
                failedTransitions++;
            }
        }
        assertEquals(2, failedTransitions, "fails at 0.1 s, passes again at 5.2 s, fails at 5.3 s");
    }
}
