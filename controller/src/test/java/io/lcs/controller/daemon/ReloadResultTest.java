package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.controller.admin.AdminBackend.ReloadResult;
import io.lcs.controller.admin.AdminException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@code lcs reload} ({@code POST /api/v1/reload}) reports each decision of a reload. */
class ReloadResultTest {
    @Test
    void appliedNamesWhatChangedAndEveryWarning() {
        ReloadResult r = DaemonBackend.reloadResult(new ConfigReload.ApplyVips(List.of("db"), List.of(), List.of("web"),
                List.of(), List.of("lcs.conf:9: hook /x does not exist")));
        assertEquals("applied", r.outcome());
        assertEquals(List.of("VIPs added [db], removed [], changed [web]; unchanged VIPs stay where they are",
                "lcs.conf:9: hook /x does not exist"), r.messages());
    }

    @Test
    void unchangedSaysSo() {
        assertEquals(new ReloadResult("unchanged", List.of("no VIP or setting changed")),
                DaemonBackend.reloadResult(new ConfigReload.Unchanged()));
    }

    @Test
    void refusedIsAnInvalidErrorNamingEveryReasonAndWhatToDo() {
        AdminException e = assertThrows(AdminException.class, () -> DaemonBackend.reloadResult(
                new ConfigReload.Refused(List.of("lease_ms changed from 2000 to 3000", "a node was added"), true)));
        assertEquals(AdminException.INVALID, e.code());
        assertEquals("reload refused: lease_ms changed from 2000 to 3000; a node was added; restart lcsd to apply these"
                + " changes", e.getMessage());
        AdminException parse = assertThrows(AdminException.class, () -> DaemonBackend.reloadResult(
                new ConfigReload.Refused(List.of("lcs.conf:4: unknown key 'lese_ms'"), false)));
        assertTrue(parse.getMessage().endsWith("lcs.conf:4: unknown key 'lese_ms'; nothing was changed"), parse.getMessage());
    }
}
