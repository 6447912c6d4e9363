package io.lcs.controller.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The binding drop-in is loaded by systemd before a unit starts, or written again next time. */
class SystemdServiceUnitsTest {
    @TempDir
    Path tmp;

    @Test
    void aDropInWhoseReloadFailedIsWrittenAndReloadedAgain() throws Exception {
        Path dir = tmp.resolve("app.service.d");
        String text = SystemdServiceUnits.dropIn("lcsd.service", Duration.ofMillis(1500));
        AtomicInteger reloads = new AtomicInteger();
        assertThrows(SystemdException.class, () -> SystemdServiceUnits.writeDropIn(dir, text, () -> {
            reloads.incrementAndGet();
            throw new SystemdException("systemd refused daemon-reload: busy");
        }));
        assertFalse(Files.exists(dir.resolve(SystemdServiceUnits.DROP_IN)), "not left as if systemd had read it");
        SystemdServiceUnits.writeDropIn(dir, text, reloads::incrementAndGet);
        assertEquals(2, reloads.get(), "the next bind reloads");
        assertEquals(text, Files.readString(dir.resolve(SystemdServiceUnits.DROP_IN), StandardCharsets.UTF_8));
        SystemdServiceUnits.writeDropIn(dir, text, reloads::incrementAndGet);
        assertEquals(2, reloads.get(), "loaded already: no reload");
        assertTrue(text.contains("BindsTo=lcsd.service") && text.contains("TimeoutStopSec=1500ms"), text);
    }

    @Test
    void stopSettingsThatBreakTheStopBudgetAreNamed() {
        Duration budget = Duration.ofMillis(1500);
        assertEquals(null, SystemdServiceUnits.stopProblem(
                new SystemdUnits.StopSettings(1_500_000, false, "control-group", true), budget));
        assertEquals(null, SystemdServiceUnits.stopProblem(new SystemdUnits.StopSettings(1_500_000, false, "mixed", true),
                budget));
        String all = SystemdServiceUnits.stopProblem(new SystemdUnits.StopSettings(90_000_000, true, "process", false),
                budget);
        assertTrue(all.contains("its TimeoutStopSec is 90000 ms, not lcs's 1500 ms"), all);
        assertTrue(all.contains("it has ExecStop="), all);
        assertTrue(all.contains("its KillMode=process leaves processes running"), all);
        assertTrue(all.contains("its SendSIGKILL=no"), all);
    }

    @Test
    void anAliasOrAUnitThatSystemdDidNotBindToLcsdIsNotStarted() {
        assertEquals(null, SystemdServiceUnits.bindingProblem("app.service",
                new SystemdUnits.Identity("app.service", java.util.List.of("lcsd.service")), "lcsd.service"));
        String alias = SystemdServiceUnits.bindingProblem("web.service",
                new SystemdUnits.Identity("nginx.service", java.util.List.of("lcsd.service")), "lcsd.service");
        assertTrue(alias != null && alias.contains("web.service is an alias of nginx.service"), alias);
        String unbound = SystemdServiceUnits.bindingProblem("app.service",
                new SystemdUnits.Identity("app.service", java.util.List.of()), "lcsd.service");
        assertTrue(unbound != null && unbound.contains("app.service is not bound to lcsd.service"), unbound);
    }
}
