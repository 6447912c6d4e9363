package io.lcs.reconcilers.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lcs.model.wire.Message.CheckReport;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckEligibilityTest {
    @Test
    void aNodeIsEligibleOnlyWhileEveryListedCheckPassesThere() {
        var reports = CheckEligibility.byName(List.of(new CheckReport("web", true, "passing"),
                new CheckReport("db", false, "failing 3/3: connection refused")));
        assertNull(CheckEligibility.problem(List.of(), reports), "no checks: eligible");
        assertNull(CheckEligibility.problem(List.of("web"), reports));
        assertEquals("check db failing 3/3: connection refused", CheckEligibility.problem(List.of("web", "db"), reports));
    }

    @Test
    void aCheckTheNodeHasNotReportedIsNotPassing() {
        assertEquals("check web not reported by this node yet",
                CheckEligibility.problem(List.of("web"), CheckEligibility.byName(List.of())));
    }
}
