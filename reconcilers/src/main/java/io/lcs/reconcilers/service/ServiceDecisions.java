package io.lcs.reconcilers.service;

import java.time.Duration;

/** What a service's unit state means for placement: pure functions of systemd's answers. */
public final class ServiceDecisions {
    private ServiceDecisions() {
    }

    /**
     * Why the unit cannot be started on {@code node}, as "Reason: message" (UnitMissing, UnitMasked,
     * UnitBroken), or null when it can. The node then declines the service, and another one takes it.
     */
    public static String startProblem(UnitState u, String node) {
        if (!u.exists()) {
            return "UnitMissing: " + u.unit() + " does not exist on " + node + " (no unit file; install it there"
                    + " or keep the service off that node)";
        }
        if (u.masked()) {
            return "UnitMasked: " + u.unit() + " is masked on " + node + " (systemctl unmask " + u.unit() + ")";
        }
        if (!"loaded".equals(u.loadState())) {
            return "UnitBroken: " + u.unit() + " cannot be loaded on " + node + " (load state " + u.loadState()
                    + "; see systemctl status " + u.unit() + ")";
        }
        return null;
    }

    /** Why a start job did not leave the unit active, or null if it did. */
    public static String startFailure(ServiceUnits.Job job, Duration timeout) {
        UnitState after = job.after();
        if ("done".equals(job.result()) && after != null && after.active()) {
            return null;
        }
        String unit = after == null ? "the unit" : after.unit();
        String state = after == null ? "unknown" : after.activeState() + "/" + after.subState();
        if ("no-answer".equals(job.result())) {
            return unit + " did not start within " + timeout.toMillis() + " ms (state " + state + ")";
        }
        return unit + " did not start: systemd's job ended " + job.result() + " (state " + state + ")";
    }

    /** The reason a failed start is declined with: UnitStartTimeout, UnitMissing, UnitMasked or UnitStartFailed. */
    public static String startFailureReason(ServiceUnits.Job job) {
        return switch (job.result()) {
            case "no-answer", "timeout" -> "UnitStartTimeout";
            case "not-found" -> "UnitMissing";
            case "masked" -> "UnitMasked";
            default -> "UnitStartFailed";
        };
    }
}
