package io.lcs.controller.systemd;

import io.lcs.reconcilers.service.UnitState;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.connections.IDisconnectCallback;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.Variant;

/**
 * systemd's units over D-Bus: start and stop with a wait for the job's result, a unit's state, and
 * its state changes as systemd signals them ({@code PropertiesChanged}), not by polling.
 *
 * <p>One connection for the daemon's lifetime (held in a field: a collected connection would close
 * its socket). dbus-java's receiving side runs on four single threads (signals, errors, method calls,
 * method returns), named by the library; {@link #start} and {@link #stop} block their caller (a
 * reconciler worker, never the event loop) until the job ends or the timeout passes.
 *
 * <p>The connection does not outlive the bus: when the system bus restarts (an upgrade of dbus),
 * its socket closes, {@link #isConnected} turns false, the jobs being waited for fail at once, and
 * {@link #onLost} is told. The owner ({@link LazyServiceUnits}) then connects anew.
 */
public final class SystemdUnits implements AutoCloseable {
    /** The system bus, where systemd is {@code org.freedesktop.systemd1}. */
    public static final String SYSTEM_BUS = "unix:path=/run/dbus/system_bus_socket";
    /** Results of jobs that ended before their caller asked, kept for a late caller; oldest dropped first. */
    public static final int RECENT_JOB_RESULTS = 256;
    private static final String UNIT_INTERFACE = "org.freedesktop.systemd1.Unit";
    private static final String SERVICE_INTERFACE = "org.freedesktop.systemd1.Service";
    private static final Logger LOG = Logger.getLogger("systemd");

    private final DBusConnection bus;
    private final SystemdManager manager;
    private final Map<String, CompletableFuture<String>> pendingJobs = new ConcurrentHashMap<>();
    private final Map<String, String> recentResults = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > RECENT_JOB_RESULTS;
        }
    };
    /** Unit object path → its watch (the last state seen and the listeners). */
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final AtomicBoolean lost = new AtomicBoolean();
    private volatile Consumer<String> onLost = why -> { };

    private final class Watch {
        final List<Consumer<UnitState>> listeners = new CopyOnWriteArrayList<>();
        volatile UnitState last;

        Watch(UnitState first) {
            last = first;
        }
    }

    private SystemdUnits(DBusConnection bus) throws DBusException {
        this.bus = bus;
        this.manager = bus.getRemoteObject(SystemdManager.BUS_NAME, SystemdManager.OBJECT_PATH, SystemdManager.class);
        bus.setDisconnectCallback(new IDisconnectCallback() {
            @Override
            public void disconnectOnError(IOException e) {
                lost("the bus closed the connection (" + e.getMessage() + ")");
            }

            @Override
            public void requestedDisconnect(Integer connectionId) {
                lost("the connection was ended after a message it could not read");
            }

            @Override
            public void clientDisconnect() {
                lost("the connection was closed");
            }
        });
        bus.addSigHandler(SystemdManager.JobRemoved.class, this::jobRemoved);
        bus.addSigHandler(Properties.PropertiesChanged.class, this::propertiesChanged);
        manager.Subscribe();
    }

    /**
     * Connects to the bus at {@code address} (e.g. {@link #SYSTEM_BUS}) and subscribes to systemd's
     * signals.
     */
    public static SystemdUnits connect(String address) throws SystemdException {
        DBusConnection bus = null;
        try {
            bus = DBusConnectionBuilder.forAddress(address).withShared(false)
                    .receivingThreadConfig().withSignalThreadCount(1).withErrorHandlerThreadCount(1)
                    .withMethodCallThreadCount(1).withMethodReturnThreadCount(1).connectionConfig()
                    .build();
            return new SystemdUnits(bus);
        } catch (DBusException | DBusExecutionException e) {
            if (bus != null) {
                bus.disconnect();
            }
            throw new SystemdException("cannot talk to systemd over D-Bus at " + address + ": " + e.getMessage(), e);
        }
    }

    /**
     * False once the bus closed the connection (or it was closed): nothing more arrives on it, no
     * signal and no job's result, and every call fails. Connect anew.
     */
    public boolean isConnected() {
        return !lost.get() && bus.isConnected();
    }

    /**
     * {@code listener} is told why, once, when the bus closes the connection (on dbus-java's reader
     * thread: keep it short). Jobs being waited for have failed by then.
     */
    public void onLost(Consumer<String> listener) {
        this.onLost = listener;
        if (lost.get()) {
            listener.accept("the connection was already lost");
        }
    }

    private void lost(String why) {
        if (!lost.compareAndSet(false, true)) {
            return;
        }
        SystemdException e = new SystemdException("the D-Bus connection to systemd was lost: " + why);
        synchronized (recentResults) {
            for (CompletableFuture<String> waiting : pendingJobs.values()) {
                waiting.completeExceptionally(e);
            }
        }
        try {
            onLost.accept(why);
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "a listener of the lost D-Bus connection failed: " + ex, ex);
        }
    }

    /** The unit's state now (loads the unit's definition if systemd had not). */
    public UnitState state(String unit) throws SystemdException {
        try {
            return read(unit, manager.LoadUnit(unit).getPath());
        } catch (DBusExecutionException | DBusException e) {
            throw new SystemdException(unit + ": cannot read its state from systemd: " + e.getMessage(), e);
        }
    }

    private UnitState read(String unit, String path) throws DBusException {
        Properties props = bus.getRemoteObject(SystemdManager.BUS_NAME, path, Properties.class);
        Map<String, Variant<?>> all = props.GetAll(UNIT_INTERFACE);
        return new UnitState(unit, text(all, "LoadState"), text(all, "ActiveState"), text(all, "SubState"));
    }

    private static String text(Map<String, Variant<?>> props, String name) {
        Variant<?> v = props.get(name);
        return v == null ? "" : String.valueOf(v.getValue());
    }

    /**
     * Who a unit is to systemd: {@code id} its own name (another than the one asked for when that is
     * an alias), {@code bindsTo} the units it is bound to (drop-ins included).
     */
    public record Identity(String id, List<String> bindsTo) {
    }

    /** All properties of {@code unit} on {@code iface}, read from systemd now (loading the unit if it was not). */
    private Map<String, Variant<?>> properties(String unit, String iface) throws DBusException {
        return bus.getRemoteObject(SystemdManager.BUS_NAME, manager.LoadUnit(unit).getPath(), Properties.class)
                .GetAll(iface);
    }

    /** The unit's own name and bindings, read from systemd now. */
    public Identity identity(String unit) throws SystemdException {
        try {
            Map<String, Variant<?>> all = properties(unit, UNIT_INTERFACE);
            Object binds = all.containsKey("BindsTo") ? all.get("BindsTo").getValue() : null;
            List<String> bindsTo = new java.util.ArrayList<>();
            if (binds instanceof java.util.Collection<?> c) {
                c.forEach(b -> bindsTo.add(String.valueOf(b)));
            } else if (binds instanceof Object[] a) {
                for (Object b : a) {
                    bindsTo.add(String.valueOf(b));
                }
            }
            return new Identity(text(all, "Id"), List.copyOf(bindsTo));
        } catch (DBusExecutionException | DBusException e) {
            throw new SystemdException(unit + ": cannot read its name and bindings from systemd: " + e.getMessage(), e);
        }
    }

    /** What bounds a service unit's stop, as systemd has loaded it (drop-ins included). */
    public record StopSettings(long timeoutStopMicros, boolean hasExecStop, String killMode, boolean sendSigkill) {
    }

    /** The unit's stop settings, read from systemd now. */
    public StopSettings stopSettings(String unit) throws SystemdException {
        try {
            Map<String, Variant<?>> all = properties(unit, SERVICE_INTERFACE);
            Object timeout = all.containsKey("TimeoutStopUSec") ? all.get("TimeoutStopUSec").getValue() : null;
            Object execStop = all.containsKey("ExecStop") ? all.get("ExecStop").getValue() : null;
            Object sigkill = all.containsKey("SendSIGKILL") ? all.get("SendSIGKILL").getValue() : null;
            return new StopSettings(timeout instanceof Number n ? n.longValue() : -1,
                    execStop instanceof java.util.Collection<?> c ? !c.isEmpty()
                            : execStop instanceof Object[] a && a.length > 0,
                    text(all, "KillMode"), !(sigkill instanceof Boolean b) || b);
        } catch (DBusExecutionException | DBusException e) {
            throw new SystemdException(unit + ": cannot read its stop settings from systemd: " + e.getMessage(), e);
        }
    }

    /** daemon-reload: systemd reads unit files and drop-ins again (after a runtime drop-in was written). */
    public void reload() throws SystemdException {
        try {
            manager.Reload();
        } catch (DBusExecutionException e) {
            throw new SystemdException("systemd refused daemon-reload: " + e.getMessage(), e);
        }
    }

    /**
     * True if systemd has a stop job queued or running for {@code unit} ({@code systemctl stop} of
     * it), or a restart ({@code systemctl restart}, an upgrade: its job type is {@code restart}, and
     * it stops the units bound to it just the same).
     */
    public boolean stopQueued(String unit) throws SystemdException {
        try {
            for (SystemdManager.QueuedJob j : manager.ListJobs()) {
                if (unit.equals(j.unit) && ("stop".equals(j.type) || "restart".equals(j.type)
                        || "try-restart".equals(j.type))) {
                    return true;
                }
            }
            return false;
        } catch (DBusExecutionException e) {
            throw new SystemdException("cannot list systemd's jobs: " + e.getMessage(), e);
        }
    }

    /** What a start or stop job came to. */
    public record JobOutcome(String unit, String verb, String result, UnitState after) {
        /** systemd finished the job as asked. */
        public boolean done() {
            return "done".equals(result);
        }
    }

    /**
     * Starts {@code unit} and waits for the job: {@code result} is systemd's (done, failed, timeout,
     * dependency, canceled, skipped), or "not-found" / "masked" when there is no unit to start, or
     * "no-answer" when the job had not ended within {@code timeout}.
     */
    public JobOutcome start(String unit, Duration timeout) throws SystemdException {
        return job(unit, "start", timeout, () -> true, timeout);
    }

    /**
     * As {@link #start(String, Duration)}, but the wait also ends ("no-answer") as soon as
     * {@code keepWaiting}, asked every {@code poll}, is false; the job then goes on in systemd.
     */
    public JobOutcome start(String unit, Duration timeout, java.util.function.BooleanSupplier keepWaiting, Duration poll)
            throws SystemdException {
        return job(unit, "start", timeout, keepWaiting, poll);
    }

    /** Stops {@code unit} and waits for the job, as {@link #start}. */
    public JobOutcome stop(String unit, Duration timeout) throws SystemdException {
        return job(unit, "stop", timeout, () -> true, timeout);
    }

    private JobOutcome job(String unit, String verb, Duration timeout, java.util.function.BooleanSupplier keepWaiting,
                           Duration poll) throws SystemdException {
        UnitState before = state(unit);
        if (verb.equals("start") && (!before.exists() || before.masked())) {
            return new JobOutcome(unit, verb, before.masked() ? "masked" : "not-found", before);
        }
        String job;
        try {
            DBusPath path = verb.equals("start") ? manager.StartUnit(unit, "replace") : manager.StopUnit(unit, "replace");
            job = path.getPath();
        } catch (DBusExecutionException e) {
            throw new SystemdException(unit + ": systemd refused to " + verb + " it: " + e.getMessage(), e);
        }
        CompletableFuture<String> result;
        synchronized (recentResults) { // one lock with jobRemoved: its signal is never lost between the two tables
            result = pendingJobs.computeIfAbsent(job, j -> new CompletableFuture<>());
            String early = recentResults.remove(job);
            if (early != null) {
                result.complete(early);
            } else if (lost.get()) { // lost after StartUnit answered: no JobRemoved will come
                result.completeExceptionally(new SystemdException("the D-Bus connection to systemd was lost"));
            }
        }
        String r = null;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (r == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !keepWaiting.getAsBoolean()) {
                    r = result.getNow("no-answer"); // a result that came meanwhile still counts
                    break;
                }
                try {
                    r = result.get(Math.min(left, poll.toNanos()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    // asks keepWaiting again
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SystemdException(unit + ": interrupted waiting for its " + verb + " job", e);
        } catch (ExecutionException e) {
            throw new SystemdException(unit + ": " + verb + " job: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pendingJobs.remove(job);
        }
        return new JobOutcome(unit, verb, r, state(unit));
    }

    private void jobRemoved(SystemdManager.JobRemoved signal) {
        CompletableFuture<String> waiting;
        synchronized (recentResults) {
            waiting = pendingJobs.get(signal.job());
            if (waiting == null) {
                recentResults.put(signal.job(), signal.result());
                return;
            }
        }
        waiting.complete(signal.result());
    }

    /**
     * Calls {@code listener} with the unit's state now and on every change systemd signals, on
     * dbus-java's signal thread (keep it short: hand the state to a queue). Returns what ends the watch.
     */
    public AutoCloseable watch(String unit, Consumer<UnitState> listener) throws SystemdException {
        String path;
        UnitState now;
        try {
            path = manager.LoadUnit(unit).getPath();
            now = read(unit, path);
        } catch (DBusExecutionException | DBusException e) {
            throw new SystemdException(unit + ": cannot watch it: " + e.getMessage(), e);
        }
        Watch w = watches.computeIfAbsent(path, p -> new Watch(now));
        w.listeners.add(listener);
        listener.accept(now);
        return () -> {
            w.listeners.remove(listener);
            if (w.listeners.isEmpty()) {
                watches.remove(path, w);
            }
        };
    }

    private void propertiesChanged(Properties.PropertiesChanged signal) {
        if (!UNIT_INTERFACE.equals(signal.getInterfaceName())) {
            return;
        }
        Watch w = watches.get(signal.getPath());
        if (w == null) {
            return;
        }
        Map<String, Variant<?>> changed = signal.getPropertiesChanged();
        UnitState old = w.last;
        UnitState next = new UnitState(old.unit(), changed.containsKey("LoadState") ? text(changed, "LoadState") : old.loadState(),
                changed.containsKey("ActiveState") ? text(changed, "ActiveState") : old.activeState(),
                changed.containsKey("SubState") ? text(changed, "SubState") : old.subState());
        if (Objects.equals(next, old)) {
            return;
        }
        w.last = next;
        for (Consumer<UnitState> l : w.listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a listener of " + old.unit() + " failed: " + e, e);
            }
        }
    }

    @Override
    public void close() {
        lost.set(true); // closed on purpose: no listener is told
        try {
            bus.close();
        } catch (IOException e) {
            LOG.fine("closing the D-Bus connection: " + e.getMessage());
        }
    }
}
