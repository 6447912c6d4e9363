package io.lcs.controller.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Connected only when a service first needs systemd; what must precede the first unit runs inside the connect. */
class LazyServiceUnitsTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<String> calls = new ArrayList<>();

    /** The connections made, in order. */
    private final List<SystemdServiceUnits> made = new ArrayList<>();

    /** A connector that fails while {@code failures} is positive, then "connects" (to no bus: no call is made). */
    private LazyServiceUnits.Connector connector(int[] failures) {
        return () -> {
            calls.add("connect");
            if (failures[0]-- > 0) {
                throw new SystemdException("cannot connect to the system bus: no such file");
            }
            SystemdServiceUnits u = new SystemdServiceUnits(null, Path.of("/nonexistent"), "lcsd.service");
            made.add(u);
            return u;
        };
    }

    @Test
    void aConnectionTheBusClosedIsReplacedTheServicesAreWokenAndTheWatchdogIsNotStartedAgain() throws Exception {
        int[] failures = {0};
        LazyServiceUnits units = new LazyServiceUnits(connector(failures), now::get);
        List<String> woken = new ArrayList<>();
        units.onChange(woken::add);
        units.onConnected(() -> calls.add("watchdog on"));
        SystemdServiceUnits first = units.connect();
        assertTrue(units.isConnected());

        failures[0] = 1; // the bus is still restarting at the first attempt
        first.connectionLost("the bus closed the connection");
        assertFalse(units.isConnected());
        assertEquals("cannot connect to the system bus: no such file", units.unavailable(), "tried at once");
        assertThrows(SystemdException.class, () -> units.state("a.service"), "a stale connection serves nothing");
        assertThrows(SystemdException.class, () -> first.state("a.service"));
        assertEquals(List.of("connect", "watchdog on", "connect"), calls, "not retried within " + LazyServiceUnits.RECONNECT_RETRY);
        now.addAndGet(LazyServiceUnits.RECONNECT_RETRY.toNanos());
        assertNull(units.unavailable());
        assertTrue(units.isConnected());
        assertEquals(List.of("connect", "watchdog on", "connect", "connect"), calls, "the watchdog is started once");
        assertEquals(2, made.size());
        assertTrue(units.connect() == made.get(1), "the new connection is used");
    }

    @Test
    void nothingConnectsUntilAServiceNeedsSystemdAndThenTheWatchdogComesFirst() throws Exception {
        LazyServiceUnits units = new LazyServiceUnits(connector(new int[] {0}), now::get);
        units.onConnected(() -> calls.add("watchdog on"));
        units.onChange(unit -> { });
        assertFalse(units.isConnected());
        assertEquals(List.of(), calls, "registering listeners connects nothing");
        assertNull(units.unavailable());
        assertEquals(List.of("connect", "watchdog on"), calls, "the watchdog is on before the call that connected returns");
        assertTrue(units.isConnected());
        units.connect();
        assertNull(units.unavailable());
        assertEquals(List.of("connect", "watchdog on"), calls, "connected once, the action ran once");
    }

    @Test
    void anActionRegisteredAfterTheConnectRunsAtOnce() throws Exception {
        LazyServiceUnits units = new LazyServiceUnits(connector(new int[] {0}), now::get);
        units.connect();
        units.onConnected(() -> calls.add("watchdog on"));
        assertEquals(List.of("connect", "watchdog on"), calls);
    }

    @Test
    void aFailedConnectSaysWhyAndIsRetriedOnlyAfterTheRetryInterval() throws Exception {
        LazyServiceUnits units = new LazyServiceUnits(connector(new int[] {1}), now::get);
        units.onConnected(() -> calls.add("watchdog on"));
        assertEquals("cannot connect to the system bus: no such file", units.unavailable());
        assertThrows(SystemdException.class, () -> units.state("a.service"));
        assertThrows(SystemdException.class, () -> units.start("a.service", Duration.ofSeconds(1), () -> true));
        assertEquals(List.of("connect"), calls, "not retried within " + LazyServiceUnits.RETRY);
        assertFalse(units.isConnected());
        now.addAndGet(LazyServiceUnits.RETRY.toNanos());
        assertNull(units.unavailable());
        assertEquals(List.of("connect", "connect", "watchdog on"), calls);
    }
}
