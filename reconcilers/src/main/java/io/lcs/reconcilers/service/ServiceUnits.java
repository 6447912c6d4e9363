package io.lcs.reconcilers.service;

import java.time.Duration;

/**
 * The port through which the reconcilers run a service's systemd unit. lcsd implements it over
 * D-Bus ({@code SystemdUnits}); tests with {@link RecordingServiceUnits}.
 */
public interface ServiceUnits {
    /**
     * What a start or stop job came to.
     *
     * @param result systemd's job result (done, failed, timeout, dependency, canceled, skipped), or
     *     {@code not-found} / {@code masked} when there was no unit to start, or {@code no-answer}
     *     when the job had not ended within the timeout
     * @param after the unit's state once the job ended (or the wait did)
     */
    record Job(String result, UnitState after) {
    }

    /**
     * Null when systemd can be reached; otherwise why not (lcsd connects to it when a service first
     * needs it, and then this node declines every service until it can).
     */
    default String unavailable() {
        return null;
    }

    /** The unit's state as last known (lcsd: as systemd last signalled it; no round trip). */
    UnitState state(String unit) throws Exception;

    /** The unit's state read from systemd now (to confirm what {@link #state} says before acting on it). */
    UnitState read(String unit) throws Exception;

    /**
     * True while lcsd's own unit is being stopped ({@code systemctl stop lcsd}): systemd then stops the
     * bound units first, and a unit that ends is not a failure of this node.
     */
    boolean lcsdStopping() throws Exception;

    /**
     * Binds {@code unit} to lcsd before it is started here: a runtime drop-in (gone at reboot) with
     * which systemd stops the unit when lcsd stops, dies or is killed by its watchdog, and kills it
     * if its stop takes longer than {@code stopBudget}.
     */
    void bind(String unit, Duration stopBudget) throws Exception;

    /**
     * Starts {@code unit} and waits up to {@code timeout} for the job, but only while
     * {@code keepWaiting} says so (asked every {@link #JOB_POLL}): a start whose lease is ending must
     * not hold its caller until the job ends, for the caller must stop the unit before the lease
     * does. A wait given up that way returns result {@code no-answer}, the job still queued or running.
     */
    Job start(String unit, Duration timeout, java.util.function.BooleanSupplier keepWaiting) throws Exception;

    /** How often a start's wait asks whether to go on waiting. */
    Duration JOB_POLL = Duration.ofMillis(20);

    /** Stops {@code unit} and waits up to {@code timeout} for the job. */
    Job stop(String unit, Duration timeout) throws Exception;
}
