package io.lcs.reconcilers.runtime;

import io.lcs.model.api.Condition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConditionsTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final Instant T1 = Instant.parse("2025-01-01T00:01:00Z");

    private static Condition c(String type, String status, String reason) {
        return new Condition(type, status, reason, reason + " message", null, 7L);
    }

    @Test
    void sameStatusKeepsTheTransitionTimeButTakesTheNewReason() {
        List<Condition> first = Conditions.set(List.of(), c("Active", Condition.TRUE, "LeaseHeld"), T0);
        List<Condition> second = Conditions.set(first, c("Active", Condition.TRUE, "Renewed"), T1);
        assertEquals(1, second.size());
        assertEquals(T0, second.get(0).lastTransitionTime());
        assertEquals("Renewed", second.get(0).reason());
    }

    @Test
    void changedStatusSetsTheTransitionTimeToNow() {
        List<Condition> first = Conditions.set(List.of(), c("Active", Condition.TRUE, "LeaseHeld"), T0);
        List<Condition> second = Conditions.set(first, c("Active", Condition.FALSE, "LeaseLost"), T1);
        assertEquals(T1, second.get(0).lastTransitionTime());
        assertEquals(Condition.FALSE, second.get(0).status());
    }

    @Test
    void newTypeIsAppendedAndOthersAreUntouchedInOrder() {
        List<Condition> existing = new ArrayList<>(Conditions.set(null, c("Active", Condition.TRUE, "LeaseHeld"), T0));
        List<Condition> after = Conditions.set(existing, c("Conflict", Condition.FALSE, "ProbeSilent"), T1);
        assertEquals(List.of("Active", "Conflict"), after.stream().map(Condition::type).toList());
        assertEquals(T0, after.get(0).lastTransitionTime());
        assertEquals(T1, after.get(1).lastTransitionTime());
        assertEquals(1, existing.size(), "input list not modified");
        List<Condition> replaced = Conditions.set(after, c("Active", Condition.UNKNOWN, "NoQuorum"), T1);
        assertEquals(List.of("Active", "Conflict"), replaced.stream().map(Condition::type).toList());
        assertTrue(Conditions.isTrue(after, "Active"));
        assertFalse(Conditions.isTrue(after, "Conflict"));
        assertEquals(List.of("Conflict"), Conditions.remove(after, "Active").stream().map(Condition::type).toList());
    }
}
