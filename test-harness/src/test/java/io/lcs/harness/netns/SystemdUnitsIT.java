package io.lcs.harness.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lcs.controller.systemd.LazyServiceUnits;
import io.lcs.controller.systemd.SystemdException;
import io.lcs.controller.systemd.SystemdServiceUnits;
import io.lcs.controller.systemd.SystemdUnits;
import io.lcs.reconcilers.service.UnitState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SystemdUnits} against a real systemd (and its D-Bus system bus) running as PID 1 of its own
 * namespaces ({@link SystemdHost}): start and stop wait for the job's result, a missing or masked
 * unit says so, a unit that dies on its own is seen from systemd's signal, not by polling. Needs
 * root and systemd; skipped otherwise, except under {@code CI=true}, where a skip is a failure.
 */
@Timeout(value = 120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemdUnitsIT {
    static final Duration JOB = Duration.ofSeconds(20);
    static final String WEB = "lcs-it-web.service";

    @TempDir
    static Path tmp;
    static String ns;
    static RunRegistry registry;
    static SystemdHost host;
    static SystemdUnits units;

    @BeforeAll
    static void boot() throws Exception {
        String why = !"root".equals(System.getProperty("user.name")) ? "needs root (network, PID and mount namespaces)"
                : !Files.isExecutable(Path.of("/lib/systemd/systemd")) ? "/lib/systemd/systemd not found: install systemd"
                : !HarnessMain.onPath("dbus-daemon") ? "dbus-daemon not found: install dbus" : null;
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but this test cannot run: " + why + " (a skip here would hide the test)");
            }
            assumeTrue(false, why);
        }
        String runId = Topology.newRunId();
        registry = RunRegistry.open(runId);
        ns = Netns.PREFIX + runId + "-sd";
        Netns.add(ns);
        registry.namespace(ns);
        host = SystemdHost.boot(ns, ns, SystemdHost.binds(), tmp.resolve("console.log"), registry);
        host.writeFile("/run/systemd/system/" + WEB, "[Service]\nExecStart=/bin/sleep infinity\n", "644");
        host.writeFile("/run/systemd/system/lcs-it-slow.service",
                "[Service]\nType=notify\nExecStart=/bin/sleep infinity\nTimeoutStartSec=60\n", "644");
        host.systemctl("daemon-reload");
        host.systemctl("mask", "--runtime", "lcs-it-masked.service"); // a link to /dev/null in /run/systemd/system
        // the machine's system bus, reached through its PID 1's root directory
        units = SystemdUnits.connect("unix:path=/proc/" + host.pid1() + "/root/run/dbus/system_bus_socket");
    }

    @AfterAll
    static void tearDown() {
        if (units != null) {
            units.close();
        }
        if (host != null) {
            host.close();
        }
        if (ns != null) {
            Netns.delete(ns);
        }
        if (registry != null) {
            registry.finished();
        }
    }

    @Test
    void startAndStopWaitForTheJobAndAStateChangeArrivesAsASignal() throws Exception {
        LinkedBlockingQueue<UnitState> seen = new LinkedBlockingQueue<>();
        try (AutoCloseable w = units.watch(WEB, seen::add)) {
            UnitState first = seen.poll(5, TimeUnit.SECONDS);
            assertNotNull(first);
            assertEquals("inactive", first.activeState(), first.toString());

            SystemdUnits.JobOutcome start = units.start(WEB, JOB);
            assertTrue(start.done(), start.toString());
            assertEquals("active", start.after().activeState(), start.toString());
            assertEquals("active", host.property(WEB, "ActiveState"), "systemd agrees");
            assertEquals("active", awaitState(seen, "active").activeState());

            // the unit dies on its own: systemd's PropertiesChanged says so, nobody polls
            host.systemctl("kill", "--signal=KILL", WEB);
            UnitState dead = awaitState(seen, "failed");
            assertFalse(dead.mayRun(), dead.toString());

            assertTrue(units.start(WEB, JOB).done());
            SystemdUnits.JobOutcome stop = units.stop(WEB, JOB);
            assertTrue(stop.done(), stop.toString());
            assertEquals("inactive", stop.after().activeState(), stop.toString());
            assertEquals("inactive", host.property(WEB, "ActiveState"), "systemd agrees");
        }
    }

    /** The next state in {@code seen} whose ActiveState is {@code active} (states in between are skipped). */
    static UnitState awaitState(LinkedBlockingQueue<UnitState> seen, String active) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        StringBuilder skipped = new StringBuilder();
        while (System.nanoTime() < deadline) {
            UnitState s = seen.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (s != null && s.activeState().equals(active)) {
                return s;
            }
            skipped.append(s).append("; ");
        }
        fail("no " + active + " state signalled within 10 s; seen: " + skipped);
        return null;
    }

    @Test
    void aMissingOrMaskedUnitIsNotStartedAndSaysWhy() throws Exception {
        UnitState missing = units.state("lcs-it-no-such.service");
        assertFalse(missing.exists(), missing.toString());
        assertEquals("not-found", units.start("lcs-it-no-such.service", JOB).result());
        SystemdUnits.JobOutcome masked = units.start("lcs-it-masked.service", JOB);
        assertEquals("masked", masked.result(), masked.toString());
        assertEquals("inactive", host.property("lcs-it-masked.service", "ActiveState"));
    }

    @Test
    void aStartThatDoesNotEndInTimeIsNoAnswerAndTheUnitIsStillActivating() throws Exception {
        SystemdUnits.JobOutcome slow = units.start("lcs-it-slow.service", Duration.ofMillis(1500));
        assertEquals("no-answer", slow.result(), slow.toString());
        assertEquals("activating", slow.after().activeState(), slow.toString());
        assertTrue(slow.after().mayRun(), "a unit still activating may run: it must be stopped before another node starts it");
        assertTrue(units.stop("lcs-it-slow.service", JOB).done());
    }

    /** The stop settings as systemd loaded them: what lcs checks a bound unit's stop budget against. */
    @Test
    void stopSettingsAreReadAsSystemdLoadedThem() throws Exception {
        host.writeFile("/run/systemd/system/lcs-it-execstop.service", "[Service]\nExecStart=/bin/sleep infinity\n"
                + "ExecStop=/bin/true\nKillMode=process\nSendSIGKILL=no\nTimeoutStopSec=7s\n", "644");
        host.systemctl("daemon-reload");
        SystemdUnits.StopSettings odd = units.stopSettings("lcs-it-execstop.service");
        assertEquals(7_000_000, odd.timeoutStopMicros(), odd.toString());
        assertTrue(odd.hasExecStop(), odd.toString());
        assertEquals("process", odd.killMode());
        assertFalse(odd.sendSigkill(), odd.toString());
        SystemdUnits.StopSettings plain = units.stopSettings(WEB);
        assertFalse(plain.hasExecStop(), plain.toString());
        assertEquals("control-group", plain.killMode());
        assertTrue(plain.sendSigkill(), plain.toString());
    }

    /**
     * lcs binds a unit only by its own name: an alias (one unit, two names, which two services could
     * name and run on two nodes) is refused, and a unit is bound to lcsd once its drop-in is loaded.
     */
    @Test
    void aUnitIsBoundByItsOwnNameAndAnAliasIsRefused() throws Exception {
        host.writeFile("/run/systemd/system/lcs-it-bound.service", "[Service]\nExecStart=/bin/sleep infinity\n", "644");
        host.must(Duration.ofSeconds(5), "ln", "-sf", "/run/systemd/system/lcs-it-bound.service",
                "/run/systemd/system/lcs-it-alias.service");
        host.systemctl("daemon-reload");
        assertEquals("lcs-it-bound.service", units.identity("lcs-it-alias.service").id(), "systemd's own name");
        SystemdServiceUnits bound = new SystemdServiceUnits(units,
                Path.of("/proc/" + host.pid1() + "/root/run/systemd/system"), "lcsd.service");
        SystemdException alias = org.junit.jupiter.api.Assertions.assertThrows(SystemdException.class,
                () -> bound.bind("lcs-it-alias.service", Duration.ofMillis(1500)));
        assertTrue(alias.getMessage().contains("lcs-it-alias.service is an alias of lcs-it-bound.service"),
                alias.getMessage());
        bound.bind("lcs-it-bound.service", Duration.ofMillis(1500));
        SystemdUnits.Identity id = units.identity("lcs-it-bound.service");
        assertEquals("lcs-it-bound.service", id.id());
        assertTrue(id.bindsTo().contains("lcsd.service"), "bound by the drop-in: " + id);
    }

    /** A start whose lease ends is given up at once, not at its timeout; the stop that follows replaces the start job. */
    @Test
    void aStartIsWaitedForOnlyWhileTheCallerSaysSo() throws Exception {
        long t0 = System.nanoTime();
        long giveUpAt = t0 + 300_000_000L;
        SystemdUnits.JobOutcome slow = units.start("lcs-it-slow.service", Duration.ofSeconds(30),
                () -> System.nanoTime() < giveUpAt, Duration.ofMillis(20));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("no-answer", slow.result(), slow.toString());
        assertTrue(tookMs < 10_000, "given up when told (after ~300 ms), not at the 30 s timeout: " + tookMs + " ms");
        assertTrue(slow.after().mayRun(), slow.toString());
        assertTrue(units.stop("lcs-it-slow.service", JOB).done());
        assertEquals("inactive", host.property("lcs-it-slow.service", "ActiveState"));
    }

    /**
     * The system bus restarts under a running unit (an upgrade of dbus): the connection is replaced,
     * the unit is looked at again (its service woken), a change of it after the restart arrives as a
     * signal on the new connection, it can be stopped, and what must precede the first unit (lcsd's
     * watchdog) is not started a second time. Last: it restarts the bus the other tests use.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void aRestartOfTheSystemBusIsSurvived() throws Exception {
        String unit = "lcs-it-bus.service";
        host.writeFile("/run/systemd/system/" + unit, "[Service]\nExecStart=/bin/sleep infinity\n", "644");
        host.systemctl("daemon-reload");
        String address = "unix:path=/proc/" + host.pid1() + "/root/run/dbus/system_bus_socket";
        LazyServiceUnits lazy = new LazyServiceUnits(() -> new SystemdServiceUnits(SystemdUnits.connect(address),
                tmp.resolve("runtime"), "lcsd.service"), System::nanoTime);
        LinkedBlockingQueue<String> woken = new LinkedBlockingQueue<>();
        int[] watchdogs = {0};
        lazy.onChange(woken::add).onConnected(() -> watchdogs[0]++);
        assertTrue("done".equals(lazy.start(unit, JOB, () -> true).result()));
        assertEquals("active", lazy.state(unit).activeState(), "watched from here on");
        woken.clear();

        host.systemctl("restart", "dbus.service");
        assertEquals(unit, woken.poll(10, TimeUnit.SECONDS), "the service is woken when the bus closes the connection");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String why = null;
        while (System.nanoTime() < deadline) {
            why = lazy.unavailable();
            if (why == null) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals(null, why, "connected again within 20 s of the bus's restart");
        assertEquals("active", lazy.read(unit).activeState(), "read over the new connection");
        assertEquals("active", lazy.state(unit).activeState(), "watched again");
        woken.clear();

        host.systemctl("kill", "--signal=KILL", unit);
        assertEquals(unit, woken.poll(10, TimeUnit.SECONDS), "the unit's end arrives as a signal on the new connection");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lazy.state(unit).mayRun() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertFalse(lazy.state(unit).mayRun(), lazy.state(unit).toString());
        assertTrue("done".equals(lazy.start(unit, JOB, () -> true).result()));
        assertTrue("done".equals(lazy.stop(unit, JOB).result()), "stopped over the new connection");
        assertEquals("inactive", host.property(unit, "ActiveState"));
        assertEquals(1, watchdogs[0], "the watchdog is started once, not again on the reconnect");
    }
}
