package io.lcs.controller.systemd;

import io.lcs.reconcilers.service.ServiceUnits;
import io.lcs.reconcilers.service.UnitState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * The services' port over D-Bus ({@link SystemdUnits}), with the binding of every managed unit to
 * lcsd: a runtime drop-in {@code /run/systemd/system/UNIT.d/50-lcs.conf} (gone at reboot) that
 * says {@code BindsTo=} and {@code After=} the daemon's own unit, so systemd stops the unit when
 * lcsd stops, dies (kill -9) or is killed by its watchdog (frozen), and {@code TimeoutStopSec=} the
 * stop budget, so that a stop never takes longer than the next owner waits.
 */
public final class SystemdServiceUnits implements ServiceUnits {
    /** Where runtime drop-ins live (systemd reads them on daemon-reload; /run is a tmpfs). */
    public static final Path RUNTIME_UNITS = Path.of("/run/systemd/system");
    /** The drop-in's file name inside {@code UNIT.d}. */
    public static final String DROP_IN = "50-lcs.conf";

    /** Most units watched at once (one per configured service); beyond it, states are read from systemd each time. */
    public static final int MAX_WATCHED = 4096;

    private final SystemdUnits units;
    private final Path runtimeDir;
    private final String lcsdUnit;
    /** Unit → the last state systemd signalled (PropertiesChanged), kept by a watch started on the first read. */
    private final java.util.Map<String, UnitState> watched = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.List<AutoCloseable> watches = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile java.util.function.Consumer<String> changed = unit -> { };
    private final java.util.concurrent.atomic.AtomicBoolean limitLogged = new java.util.concurrent.atomic.AtomicBoolean();
    /** Units whose stop settings were looked at since lcsd started (once each: they change only with a reload). */
    private final java.util.Set<String> stopChecked = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param lcsdUnit the unit lcsd runs as ({@code lcsd.service}), that managed units are bound to
     */
    public SystemdServiceUnits(SystemdUnits units, Path runtimeDir, String lcsdUnit) {
        this.units = units;
        this.runtimeDir = runtimeDir;
        this.lcsdUnit = lcsdUnit;
        if (units != null) { // null: a test's stand-in that makes no call
            units.onLost(this::connectionLost);
        }
    }

    private volatile boolean lost;
    private volatile java.util.function.Consumer<String> onLost = why -> { };

    /**
     * The bus closed the connection: the states kept from systemd's signals are stale from here on
     * (signals are no longer received), so this object is done; {@code onLost} is told once.
     */
    void connectionLost(String why) {
        if (!lost) {
            lost = true;
            onLost.accept(why);
        }
    }

    /** False once the bus connection is gone: every call fails and the watched states are stale. */
    public boolean isConnected() {
        return !lost && (units == null || units.isConnected());
    }

    /** {@code listener} is told why when the bus connection is lost (on dbus-java's reader thread). */
    public SystemdServiceUnits onLost(java.util.function.Consumer<String> listener) {
        this.onLost = listener;
        return this;
    }

    /** The units whose states are watched: after a lost connection, the ones to look at again. */
    public java.util.Set<String> watchedUnits() {
        return java.util.Set.copyOf(watched.keySet());
    }

    /** Ends the watches and closes the bus connection. */
    public void close() {
        lost = true;
        if (units != null) {
            units.close();
        }
    }

    /** The text of the drop-in that binds a unit to {@code lcsdUnit} with a stop of at most {@code stopBudget}. */
    public static String dropIn(String lcsdUnit, Duration stopBudget) {
        return "# Written by lcsd: this unit is a cluster service that lcs runs on one node at a time.\n"
                + "# It stops with " + lcsdUnit + " (stop, crash, watchdog), and its stop is cut at lcs's stop budget.\n"
                + "[Unit]\nBindsTo=" + lcsdUnit + "\nAfter=" + lcsdUnit + "\n\n"
                + "[Service]\nTimeoutStopSec=" + stopBudget.toMillis() + "ms\n";
    }

    /** {@code changed} is told the unit whose state systemd signalled a change of (lcsd: wake its services). */
    public SystemdServiceUnits onChange(java.util.function.Consumer<String> changed) {
        this.changed = changed;
        return this;
    }

    /**
     * The unit's state as systemd last signalled it: the first call for a unit reads it and starts
     * watching it, later calls cost no D-Bus round trip (no polling).
     */
    @Override
    public UnitState state(String unit) throws SystemdException {
        if (!isConnected()) {
            throw new SystemdException(unit + ": the D-Bus connection to systemd was lost; its last state is stale");
        }
        UnitState known = watched.get(unit);
        if (known != null) {
            return known;
        }
        if (watched.size() >= MAX_WATCHED) {
            if (limitLogged.compareAndSet(false, true)) {
                java.util.logging.Logger.getLogger("systemd").warning("more than " + MAX_WATCHED
                        + " units watched; the others' states are read from systemd on every look");
            }
            return units.state(unit);
        }
        synchronized (watched) {
            if (!watched.containsKey(unit)) {
                watches.add(units.watch(unit, st -> {
                    UnitState before = watched.put(unit, st);
                    if (before != null) {
                        changed.accept(unit);
                    }
                }));
            }
        }
        return watched.get(unit);
    }

    @Override
    public boolean lcsdStopping() throws SystemdException {
        return units.stopQueued(lcsdUnit);
    }

    @Override
    public UnitState read(String unit) throws SystemdException {
        return units.state(unit);
    }

    /**
     * Writes and loads the binding, then checks that systemd has it: the unit's own name is
     * {@code unit} (not an alias) and it is bound to lcsd.
     *
     * @throws SystemdException when the binding is not in effect (the caller declines the service)
     */
    @Override
    public void bind(String unit, Duration stopBudget) throws IOException, SystemdException {
        writeDropIn(runtimeDir.resolve(unit + ".d"), dropIn(lcsdUnit, stopBudget), units::reload);
        String unbound = bindingProblem(unit, units.identity(unit), lcsdUnit);
        if (unbound != null) {
            throw new SystemdException(unbound);
        }
        if (stopChecked.add(unit)) {
            try {
                String problem = stopProblem(units.stopSettings(unit), stopBudget);
                if (problem != null) {
                    java.util.logging.Logger.getLogger("systemd").warning(unit + ": " + problem + "; the next owner"
                            + " starts the unit " + stopBudget.toMillis() + " ms (the stop budget) and a renewal after"
                            + " it got the lease, so this unit may run on two nodes for a while after a fault"
                            + " (docs/services.md: what the stop budget assumes of a unit)");
                }
            } catch (SystemdException e) {
                stopChecked.remove(unit); // looked at again on the next bind
            }
        }
    }

    /**
     * Why {@code unit}, as systemd knows it ({@code identity}), must not be started by lcs, or null.
     * An alias: lcs tells two services apart by their units' names, so one unit under two names
     * could run on two nodes at once (and a drop-in under the alias's name binds nothing). Not bound
     * to lcsd after its drop-in was loaded: a kill -9 of lcsd would leave it running beside the next
     * owner's.
     */
    static String bindingProblem(String unit, SystemdUnits.Identity identity, String lcsdUnit) {
        if (!identity.id().isEmpty() && !identity.id().equals(unit)) {
            return unit + " is an alias of " + identity.id() + " on this node: name the unit by its own name ("
                    + identity.id() + ") in lcs, so that no two services can name one unit";
        }
        if (!identity.bindsTo().contains(lcsdUnit)) {
            return unit + " is not bound to " + lcsdUnit + " after lcs's drop-in " + DROP_IN + " was loaded (BindsTo="
                    + String.join(" ", identity.bindsTo()) + "): it would outlive lcsd, so lcs does not start it";
        }
        return null;
    }

    /**
     * Why {@code s} lets a stop take longer than {@code stopBudget} or leave processes behind, or null:
     * a later drop-in that overrides the budget, an {@code ExecStop=} (timed on its own), a
     * {@code KillMode=} that kills only part of the unit, SIGKILL turned off.
     */
    static String stopProblem(SystemdUnits.StopSettings s, Duration stopBudget) {
        java.util.List<String> problems = new java.util.ArrayList<>();
        if (s.timeoutStopMicros() >= 0 && s.timeoutStopMicros() != stopBudget.toNanos() / 1_000) {
            problems.add("its TimeoutStopSec is " + s.timeoutStopMicros() / 1_000 + " ms, not lcs's "
                    + stopBudget.toMillis() + " ms (a drop-in of its own sorts after " + DROP_IN + ")");
        }
        if (s.hasExecStop()) {
            problems.add("it has ExecStop=, which systemd gives a TimeoutStopSec of its own before the SIGTERM phase");
        }
        if (!s.killMode().isEmpty() && !s.killMode().equals("control-group") && !s.killMode().equals("mixed")) {
            problems.add("its KillMode=" + s.killMode() + " leaves processes running after the stop");
        }
        if (!s.sendSigkill()) {
            problems.add("its SendSIGKILL=no lets a process outlive the stop");
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /** systemd's daemon-reload, for {@link #writeDropIn}. */
    interface Reload {
        void run() throws SystemdException;
    }

    /**
     * Writes {@code text} as the drop-in in {@code dir} and has systemd read it, unless the file holds
     * it already. A file whose reload failed is removed again: systemd may not have read it, and
     * the next bind must reload, not find the same text and take it as loaded (the unit would
     * then start without its binding to lcsd).
     */
    static void writeDropIn(Path dir, String text, Reload reload) throws IOException, SystemdException {
        Path file = dir.resolve(DROP_IN);
        if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
            return;
        }
        Files.createDirectories(dir);
        Path tmp = dir.resolve(DROP_IN + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try {
            reload.run();
        } catch (SystemdException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    @Override
    public Job start(String unit, Duration timeout, java.util.function.BooleanSupplier keepWaiting)
            throws SystemdException {
        SystemdUnits.JobOutcome o = units.start(unit, timeout, keepWaiting, JOB_POLL);
        return new Job(o.result(), o.after());
    }

    @Override
    public Job stop(String unit, Duration timeout) throws SystemdException {
        SystemdUnits.JobOutcome o = units.stop(unit, timeout);
        return new Job(o.result(), o.after());
    }
}
