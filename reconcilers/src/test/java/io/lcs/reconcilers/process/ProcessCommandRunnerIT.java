package io.lcs.reconcilers.process;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@link ProcessCommandRunner} stops a command that runs past its timeout (real processes, /bin/sh). */
class ProcessCommandRunnerIT {
    private final ProcessCommandRunner runner = new ProcessCommandRunner();

    @Test
    void terminatingAtTheTimeoutLetsTheCommandReportWhatItDid() throws Exception {
        // like arping: on SIGTERM it prints its counters and exits with its own status
        CommandResult r = runner.runTerminating(List.of("/bin/sh", "-c",
                "trap 'kill $!; echo \"Sent 1 probes\"; exit 0' TERM; echo started; sleep 5 & wait"),
                Duration.ofSeconds(2), Duration.ofMillis(500));
        assertTrue(r.timedOut(), "" + r);
        assertEquals(0, r.exitCode(), "its own exit status: " + r);
        assertEquals("started\nSent 1 probes\n", r.stdout());
    }

    @Test
    void aCommandThatIgnoresTheTerminationIsKilledAfterTheGrace() throws Exception {
        CommandResult r = runner.runTerminating(List.of("/bin/sh", "-c", "trap '' TERM; echo started; exec sleep 5"),
                Duration.ofSeconds(2), Duration.ofMillis(200));
        assertTrue(r.timedOut(), "" + r);
        assertEquals(128 + 9, r.exitCode(), "killed: " + r);
        assertTrue(r.took().compareTo(Duration.ofSeconds(4)) < 0, "not waited for: " + r.took());
    }

    @Test
    void plainRunKillsAtTheTimeoutAndTheReportIsLost() throws Exception {
        CommandResult r = runner.run(List.of("/bin/sh", "-c",
                "trap 'echo \"Sent 1 probes\"; exit 0' TERM; echo started; exec sleep 5"), Duration.ofSeconds(2));
        assertTrue(r.timedOut());
        assertEquals(128 + 9, r.exitCode());
        assertEquals("started\n", r.stdout());
    }

    @Test
    void graceIsBounded() {
        assertThrows(IllegalArgumentException.class, () -> runner.runTerminating(List.of("/bin/true"),
                Duration.ofSeconds(1), Duration.ofSeconds(6)));
    }
}
