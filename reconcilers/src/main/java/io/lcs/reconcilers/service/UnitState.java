package io.lcs.reconcilers.service;

/**
 * A unit as systemd reports it (the {@code org.freedesktop.systemd1.Unit} properties).
 *
 * @param loadState loaded, not-found, masked, bad-setting, error
 * @param activeState active, reloading, inactive, failed, activating, deactivating
 * @param subState the unit type's own state, e.g. running, dead, exited, auto-restart
 */
public record UnitState(String unit, String loadState, String activeState, String subState) {
    public boolean exists() {
        return !"not-found".equals(loadState);
    }

    public boolean masked() {
        return "masked".equals(loadState);
    }

    public boolean active() {
        return "active".equals(activeState) || "reloading".equals(activeState);
    }

    /** Active, activating or deactivating: a process of the unit may be running. */
    public boolean mayRun() {
        return !"inactive".equals(activeState) && !"failed".equals(activeState);
    }

    @Override
    public String toString() {
        return unit + " " + loadState + "/" + activeState + "/" + subState;
    }
}
