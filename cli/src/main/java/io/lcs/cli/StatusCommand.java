package io.lcs.cli;

import io.lcs.model.api.Condition;
import io.lcs.model.status.ClusterStatus;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;

/**
 * {@code lcs status}: the original lcs's format, line for line, for a healthy cluster; extra text
 * only when something is wrong or informative (docs/api.md, "lcs status"). Exits 3 without quorum.
 */
@Command(name = "status", description = "Show quorum, nodes and VIPs as this node sees them.")
final class StatusCommand extends AdminCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    /** Condition types that are bad when True; every other type is bad when not True. */
    static final Set<String> ABNORMAL_TYPES = Set.of("Conflict", "AddressConflict", "HookFailed", "StopFailed", "Degraded",
            "Stale");

    @Override
    public Integer call() {
        ClusterStatus s = StatusReply.read(client().get("/api/v1/status"));
        print(s, out());
        return s.quorum() != null && s.quorum().present() ? Lcs.EXIT_OK : Lcs.EXIT_UNAVAILABLE;
    }

    static void print(ClusterStatus s, PrintWriter out) {
        out.println("Cluster");
        ClusterStatus.Quorum q = s.quorum();
        out.println("  quorum: " + (q.present() ? "yes" : "no") + " (" + q.votesSeen() + " votes, need "
                + q.votesNeeded() + ")");
        if (s.stale()) {
            out.println("  (stale: no quorum; what follows may be out of date)");
        }
        out.println("Nodes");
        for (ClusterStatus.NodeStatus n : list(s.nodes())) {
            StringBuilder sb = new StringBuilder("  ").append(n.name()).append(" role=").append(n.role())
                    .append(" online=").append(Formats.yesNo(n.online()));
            if (!n.configMatch()) {
                sb.append(" config=mismatch");
            }
            if (n.cordoned()) {
                sb.append(" cordoned=yes");
            }
            if (n.restarting()) {
                sb.append(" restarting=yes");
            }
            if (n.checks() != null && !n.checks().isEmpty()) {
                sb.append(" checks=").append(compactChecks(n.checks()));
            }
            if (n.self()) {
                sb.append(" (self)");
            }
            out.println(sb);
        }
        out.println("VIPs");
        for (ClusterStatus.VipStatus v : list(s.vips())) {
            StringBuilder sb = new StringBuilder("  ").append(v.name()).append(' ').append(v.address())
                    .append(" dev=").append(v.interfaceName()).append(" state=").append(v.state())
                    .append(" owner=").append(v.owner() == null ? "none" : v.owner())
                    .append(" epoch=").append(v.epoch());
            if (!"active".equals(v.state()) && v.leaseRemainingSeconds() != null) {
                sb.append(" lease=").append(Formats.seconds(v.leaseRemainingSeconds()));
            }
            out.println(sb);
            for (Condition c : list(v.conditions())) {
                if (!isOk(c)) {
                    out.println("    " + c.type() + "=" + c.status()
                            + (c.reason() == null ? "" : " reason=" + c.reason())
                            + (c.message() == null ? "" : ": " + c.message()));
                }
            }
        }
    }

    /** {@code web:ok,db:FAIL}: each check the node runs, upper case when it does not pass. */
    static String compactChecks(List<ClusterStatus.NodeCheck> checks) {
        StringBuilder sb = new StringBuilder();
        for (ClusterStatus.NodeCheck c : checks) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(c.name()).append(':').append(c.passing() ? "ok" : "FAIL");
        }
        return sb.toString();
    }

    static boolean isOk(Condition c) {
        boolean isTrue = Condition.TRUE.equals(c.status());
        return ABNORMAL_TYPES.contains(c.type()) ? !isTrue && !Condition.UNKNOWN.equals(c.status()) : isTrue;
    }

    static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
