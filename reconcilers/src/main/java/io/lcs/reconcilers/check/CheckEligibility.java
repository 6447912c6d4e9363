package io.lcs.reconcilers.check;

import io.lcs.model.wire.Message.CheckReport;
import java.util.List;
import java.util.Map;

/**
 * Whether a node passes the health checks a resource lists, from that node's reported results:
 * the one rule placement, status and the simulation share. Pure.
 */
public final class CheckEligibility {
    private CheckEligibility() {
    }

    /**
     * @param checks the resource's checks (empty: always healthy)
     * @param reports the node's results by check name, as it last announced them
     * @return null when every check passes there; else why not, one clause per check that does
     *     not ({@code check web failing 3/3: connection refused}); a check the node has not
     *     reported counts as not passing (safety first: unknown is not healthy)
     */
    public static String problem(List<String> checks, Map<String, CheckReport> reports) {
        StringBuilder why = null;
        for (String check : checks) {
            CheckReport r = reports.get(check);
            if (r != null && r.passing()) {
                continue;
            }
            why = why == null ? new StringBuilder() : why.append("; ");
            why.append("check ").append(check).append(' ')
                    .append(r == null ? "not reported by this node yet" : r.summary());
        }
        return why == null ? null : why.toString();
    }

    /** {@code reports} by check name. */
    public static Map<String, CheckReport> byName(List<CheckReport> reports) {
        Map<String, CheckReport> out = new java.util.HashMap<>(reports.size() * 2);
        for (CheckReport r : reports) {
            out.put(r.check(), r);
        }
        return out;
    }
}
