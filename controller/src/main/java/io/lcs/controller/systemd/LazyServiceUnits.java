package io.lcs.controller.systemd;

import io.lcs.reconcilers.service.ServiceUnits;
import io.lcs.reconcilers.service.UnitState;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The services' units over D-Bus, connected when a service first needs them: a node whose lcs.conf
 * has no {@code [service]} holds no system-bus connection (a socket and its reader thread) until a
 * {@code Service} is applied or a reload adds one. What must happen before the first unit starts
 * (systemd's watchdog for lcsd, see {@link #onConnected}) happens inside the connect, before any
 * call returns. A failed connect is retried at most every {@link #RETRY}; each failure is logged
 * once, and the services decline this node meanwhile ({@link #unavailable}). Thread-safe.
 *
 * <p>A connection the bus closes (the system bus restarted) is replaced: the next call connects
 * anew (tried at once, then at most every {@link #RECONNECT_RETRY}), the units watched before are
 * watched again, and their services are woken to look at them, since a change systemd signalled
 * meanwhile was not received. The {@link #onConnected} action is not run again: it is about lcsd,
 * not the connection. Until the new connection is made, calls fail and are retried by their
 * reconcilers; a running unit is left as it is.
 */
public final class LazyServiceUnits implements ServiceUnits {
    private static final Logger LOG = System.getLogger(LazyServiceUnits.class.getName());
    /** 10 s: a missing system bus does not come back within a reconcile's retry. */
    public static final Duration RETRY = Duration.ofSeconds(10);
    /** 1 s: a bus that was there and went away is restarting, back within a second or two. */
    public static final Duration RECONNECT_RETRY = Duration.ofSeconds(1);

    /** Opens the connection; lcsd: {@link SystemdUnits#connect} on the system bus. */
    @FunctionalInterface
    public interface Connector {
        SystemdServiceUnits connect() throws SystemdException;
    }

    private final Connector connector;
    private final LongSupplier monotonic;
    private volatile SystemdServiceUnits units;
    private volatile Consumer<String> changed = unit -> { };
    private Runnable connected = () -> { };
    private String lastFailure;
    private long lastFailureNanos;
    private boolean connectedRan;
    /** The units watched on connections the bus closed, to look at again once reconnected. */
    private final java.util.Set<String> toLookAgain = new java.util.TreeSet<>();
    /** When the connection was found lost (0: it was not), for the log line of the reconnect. */
    private volatile long lostAtNanos;

    public LazyServiceUnits(Connector connector, LongSupplier monotonic) {
        this.connector = connector;
        this.monotonic = monotonic;
    }

    /** {@code changed} is told the unit whose state systemd signalled a change of, once connected. */
    public synchronized LazyServiceUnits onChange(Consumer<String> changed) {
        this.changed = changed;
        if (units != null) {
            units.onChange(changed);
        }
        return this;
    }

    /**
     * {@code action} runs once, when the connection is made (at once if it already is), before the
     * call that needed the connection goes on: lcsd turns systemd's watchdog on there, so that no unit
     * ever runs under an lcsd that systemd would not stop when it freezes.
     */
    public synchronized LazyServiceUnits onConnected(Runnable action) {
        this.connected = action;
        if (connectedRan) {
            action.run();
        }
        return this;
    }

    /** True while connected (false before the first connect and after the bus closed the connection). */
    public boolean isConnected() {
        SystemdServiceUnits u = units;
        return u != null && u.isConnected();
    }

    /**
     * Connects now if not yet connected (lcsd: at start, when lcs.conf or the stored objects have
     * services, for the startup cleanup).
     *
     * @throws SystemdException when systemd cannot be reached (not retried before {@link #RETRY})
     */
    public SystemdServiceUnits connect() throws SystemdException {
        SystemdServiceUnits u = units;
        return u != null && u.isConnected() ? u : connectLocked();
    }

    private synchronized SystemdServiceUnits connectLocked() throws SystemdException {
        long now = monotonic.getAsLong();
        SystemdServiceUnits old = units;
        if (old != null) {
            if (old.isConnected()) {
                return old;
            }
            units = null;
            toLookAgain.addAll(old.watchedUnits());
            old.close();
            if (lostAtNanos == 0) {
                lostAtNanos = now;
            }
            lastFailure = null; // reconnect at once
            LOG.log(Level.WARNING, "services: the D-Bus connection to systemd was lost (the system bus restarted?);"
                    + " connecting again (retried every " + RECONNECT_RETRY.toMillis() + " ms); until then no unit"
                    + " is started or stopped here, and the running ones are left as they are");
        }
        Duration retry = connectedRan ? RECONNECT_RETRY : RETRY;
        if (lastFailure != null && now - lastFailureNanos < retry.toNanos()) {
            throw new SystemdException(lastFailure);
        }
        SystemdServiceUnits u;
        try {
            u = connector.connect();
        } catch (SystemdException e) {
            if (!e.getMessage().equals(lastFailure)) {
                LOG.log(Level.ERROR, "services: " + e.getMessage() + "; this node starts none of them (retried every "
                        + retry.toMillis() + " ms)");
            }
            lastFailure = e.getMessage();
            lastFailureNanos = now;
            throw e;
        }
        if (lastFailure != null || lostAtNanos != 0) {
            LOG.log(Level.INFO, "services: systemd reachable again over D-Bus" + (lostAtNanos == 0 ? ""
                    : " (" + (now - lostAtNanos) / 1_000_000 + " ms after the connection was lost; looking again at "
                    + toLookAgain.size() + " units)"));
        }
        lastFailure = null;
        lostAtNanos = 0;
        u.onChange(changed);
        u.onLost(why -> {
            lostAtNanos = monotonic.getAsLong();
            // wake the services at once: their next look finds the connection gone and reconnects
            for (String unit : u.watchedUnits()) {
                changed.accept(unit);
            }
        });
        if (!connectedRan) {
            connected.run();
            connectedRan = true;
        }
        units = u;
        for (String unit : toLookAgain) {
            changed.accept(unit); // what systemd signalled while the connection was gone was not received
        }
        toLookAgain.clear();
        return u;
    }

    @Override
    public String unavailable() {
        try {
            connect();
            return null;
        } catch (SystemdException e) {
            return e.getMessage();
        }
    }

    @Override
    public UnitState state(String unit) throws Exception {
        return connect().state(unit);
    }

    @Override
    public UnitState read(String unit) throws Exception {
        return connect().read(unit);
    }

    @Override
    public boolean lcsdStopping() throws Exception {
        return connect().lcsdStopping();
    }

    @Override
    public void bind(String unit, Duration stopBudget) throws Exception {
        connect().bind(unit, stopBudget);
    }

    @Override
    public Job start(String unit, Duration timeout, java.util.function.BooleanSupplier keepWaiting) throws Exception {
        return connect().start(unit, timeout, keepWaiting);
    }

    @Override
    public Job stop(String unit, Duration timeout) throws Exception {
        return connect().stop(unit, timeout);
    }
}
