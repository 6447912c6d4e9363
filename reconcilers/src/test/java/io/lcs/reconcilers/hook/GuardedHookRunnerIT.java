package io.lcs.reconcilers.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lcs.model.config.HookPolicy;
import io.lcs.reconcilers.runtime.Ticker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A refused hook never starts; an allowed one runs as before; the policy in force is read on every run. */
class GuardedHookRunnerIT {
    private Path base;
    private Path hooks;
    private Path marker;
    private final AtomicReference<HookPolicy> policy = new AtomicReference<>();
    private GuardedHookRunner runner;

    @BeforeEach
    void setUp() throws IOException {
        base = HookFixtureDir.create("hook-guard", HookFileCheck.forThisProcess());
        hooks = Files.createDirectories(base.resolve("hooks"));
        for (Path p : List.of(hooks)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        marker = base.resolve("ran");
        policy.set(new HookPolicy(List.of(hooks.toString()), Set.of()));
        HookFileCheck check = HookFileCheck.forThisProcess();
        runner = new GuardedHookRunner(new ProcessHookRunner(), check, policy::get, Ticker.system());
        HookRefusal place = check.check(script("probe").toString(), policy.get());
        if ("true".equals(System.getenv("CI"))) {
            assertEquals(null, place, "the build directory must be a safe place for hooks under CI");
        }
        assumeTrue(place == null, () -> "the build directory is not a safe place for hooks here: " + place);
    }

    @AfterEach
    void tearDown() throws IOException {
        try (Stream<Path> all = Files.walk(base)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        if (base != null) {
            HookFixtureDir.deleteEmpty(base);
        }
    }

    private Path script(String name) throws IOException {
        Path p = hooks.resolve(name);
        Files.writeString(p, "#!/bin/sh\ntouch " + marker + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private static HookInvocation inv(Path program) {
        return new HookInvocation("pre_start", program, Map.of("LCS_VIP", "web"), Duration.ofSeconds(10));
    }

    @Test
    void aRefusedHookIsAFailedHookWithItsReasonAndNeverStarts() throws Exception {
        Path p = script("up");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
        HookResult r = runner.run(inv(p));
        assertFalse(r.succeeded());
        assertEquals(HookResult.REFUSED_EXIT_CODE, r.exitCode());
        assertEquals(HookRefusal.Reason.WRITABLE, r.refusal().reason());
        assertEquals("hook " + p + " refused: " + p + " is writable by others", r.output());
        assertFalse(Files.exists(marker), "the refused hook ran");
    }

    @Test
    void anAllowedHookRunsAndAReloadedPolicyDecidesTheNextRun() throws Exception {
        Path p = script("up");
        HookResult ok = runner.run(inv(p));
        assertTrue(ok.succeeded(), ok.toString());
        assertEquals(null, ok.refusal());
        assertTrue(Files.exists(marker), "the allowed hook did not run");
        Files.delete(marker);
        policy.set(new HookPolicy(List.of("/etc/lcs/hooks"), Set.of())); // its directory no longer allowed
        HookResult refused = runner.run(inv(p));
        assertEquals(HookRefusal.Reason.NOT_ALLOWED, refused.refusal().reason());
        assertFalse(Files.exists(marker));
    }
}
