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
 */
public final class LazyServiceUnits implements ServiceUnits {
    private static final Logger LOG = System.getLogger(LazyServiceUnits.class.getName());
    /** 10 s: a missing system bus does not come back within a reconcile's retry. */
    public static final Duration RETRY = Duration.ofSeconds(10);

    /** Opens the connection; lcsd: {@link SystemdUnits#connect} on the system bus. */
    @FunctionalInterface
    public interface Connector {
        SystemdServiceUnits connect() throws SystemdException;
    }

    private final Connector connector;
    private final LongSupplier monotonic;
    private volatile SystemdServiceUnits units;
    private Consumer<String> changed = unit -> { };
    private Runnable connected = () -> { };
    private String lastFailure;
    private long lastFailureNanos;

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
        if (units != null) {
            action.run();
        }
        return this;
    }

    /** True once connected. */
    public boolean isConnected() {
        return units != null;
    }

    /**
     * Connects now if not yet connected (lcsd: at start, when lcs.conf or the stored objects have
     * services, for the startup cleanup).
     *
     * @throws SystemdException when systemd cannot be reached (not retried before {@link #RETRY})
     */
    public SystemdServiceUnits connect() throws SystemdException {
        SystemdServiceUnits u = units;
        return u != null ? u : connectLocked();
    }

    private synchronized SystemdServiceUnits connectLocked() throws SystemdException {
        if (units != null) {
            return units;
        }
        long now = monotonic.getAsLong();
        if (lastFailure != null && now - lastFailureNanos < RETRY.toNanos()) {
            throw new SystemdException(lastFailure);
        }
        SystemdServiceUnits u;
        try {
            u = connector.connect();
        } catch (SystemdException e) {
            if (!e.getMessage().equals(lastFailure)) {
                LOG.log(Level.ERROR, "services: " + e.getMessage() + "; this node runs none of them (retried every "
                        + RETRY.toSeconds() + " s)");
            }
            lastFailure = e.getMessage();
            lastFailureNanos = now;
            throw e;
        }
        if (lastFailure != null) {
            LOG.log(Level.INFO, "services: systemd reachable again over D-Bus");
        }
        lastFailure = null;
        u.onChange(changed);
        connected.run();
        units = u;
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
