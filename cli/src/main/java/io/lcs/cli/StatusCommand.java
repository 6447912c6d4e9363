package io.lcs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.model.api.Condition;
import io.lcs.model.status.ClusterStatus;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lcs status [-o wide|json|yaml] [-j]}: the original lcs's format, line for line, for a
 * healthy cluster; extra text only when something is wrong or informative (docs/api.md, "lcs
 * status"); {@code -o wide} adds the C lcs's {@code membership for DURATION} and {@code state=} of
 * every node, each node's last-seen time and round trip and each VIP's lease, failovers and planned
 * moves; {@code -o json|yaml} print the daemon's status reply as it is; {@code -j/--json} prints the
 * C lcs's JSON ({@link CLcsShapes#statusJson}). Exits 3 without quorum, whatever the format.
 */
@Command(name = "status", description = "Show quorum, nodes and VIPs as this node sees them.")
final class StatusCommand extends AdminCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    /** Condition types that are bad when True; every other type is bad when not True. */
    static final Set<String> ABNORMAL_TYPES = Set.of("Conflict", "AddressConflict", "HookFailed", "StopFailed", "Degraded",
            "Stale");

    /** True when {@code c} is what the C lcs's {@code conflict:} or {@code stop_failed:} line ({@code label}) shows. */
    static boolean shownAsCLine(String label, Condition c) {
        if (label == null || !Condition.TRUE.equals(c.status())) {
            return false;
        }
        return label.equals("conflict") ? c.type().equals("Conflict") || c.type().equals("AddressConflict")
                : c.type().equals("StopFailed");
    }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "wide, json or yaml")
    String output;

    @Override
    public Integer call() {
        OutputFormat.check(output);
        boolean json = json();
        if (json && output != null) {
            throw new CliException(Lcs.EXIT_USAGE, "--json (the C lcs's JSON) and -o " + output
                    + " (lcs's) contradict each other: give one");
        }
        JsonNode reply = client().get("/api/v1/status");
        ClusterStatus s = StatusReply.read(reply);
        if (json) {
            out().println(CLcsShapes.statusJson(s).toString());
        } else if (OutputFormat.structured(output)) {
            out().print(Replies.format(reply, output));
        } else {
            print(s, out(), "wide".equals(output));
        }
        return s.quorum() != null && s.quorum().present() ? Lcs.EXIT_OK : Lcs.EXIT_UNAVAILABLE;
    }

    static void print(ClusterStatus s, PrintWriter out) {
        print(s, out, false);
    }

    /** @param wide also each node's last-seen time and round trip, each VIP's lease, failovers and moves */
    static void print(ClusterStatus s, PrintWriter out, boolean wide) {
        out.println("Cluster");
        ClusterStatus.Quorum q = s.quorum();
        out.println("  quorum: " + (q.present() ? "yes" : "no") + " (" + q.votesSeen() + " votes, need "
                + q.votesNeeded() + (wide && q.membershipSeconds() != null ? ", membership for "
                + CLcsShapes.duration(CLcsShapes.membershipSeconds(s)) : "") + ")");
        if (s.stale()) {
            out.println("  (stale: no quorum; what follows may be out of date)");
        }
        out.println("Nodes");
        for (ClusterStatus.NodeStatus n : list(s.nodes())) {
            StringBuilder sb = new StringBuilder("  ").append(n.name()).append(" role=").append(n.role())
                    .append(" online=").append(Formats.yesNo(n.online()));
            String state = CLcsShapes.nodeState(n);
            if (wide || !state.equals("online")) { // the C lcs's state word: offline, recovering (its restart wait)
                sb.append(" state=").append(state);
            }
            if (!n.configMatch()) {
                sb.append(" config=mismatch");
            }
            if (n.cordoned()) {
                sb.append(" cordoned=yes");
            }
            if (wide && !n.self()) {
                sb.append(" last_seen=").append(n.lastSeenSeconds() == null ? "never"
                        : Formats.seconds(n.lastSeenSeconds()));
                sb.append(" rtt=").append(n.rttMillis() == null ? "-" : Math.round(n.rttMillis()) + "ms");
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
            StringBuilder sb = new StringBuilder("  ").append(v.name()).append(' ');
            if (v.isService()) { // the C lcs's shape: NAME type=service unit=UNIT state=...
                sb.append("type=service unit=").append(v.systemdUnit() == null ? "-" : v.systemdUnit());
                if (Boolean.TRUE.equals(v.hookOnly())) {
                    sb.append(" hook-only");
                }
            } else {
                sb.append(v.address()).append(" dev=").append(v.interfaceName());
                if (Boolean.FALSE.equals(v.announce())) {
                    sb.append(" announce=false");
                }
            }
            sb.append(" state=").append(v.state())
                    .append(" owner=").append(v.owner() == null ? "-" : v.owner())
                    .append(" epoch=").append(v.epoch());
            if (v.group() != null) { // the C lcs's optional fields, in its order
                sb.append(" group=").append(v.group()).append(" priority=").append(v.priority() == null ? 0 : v.priority());
            }
            if (v.homeNode() != null) {
                sb.append(" home=").append(v.homeNode()).append(Boolean.TRUE.equals(v.homeBlocked()) ? " blocked=yes" : "");
            }
            if (Boolean.TRUE.equals(v.disabled())) {
                sb.append(" disabled=yes");
            }
            if ((wide || !"active".equals(v.state())) && v.leaseRemainingSeconds() != null) {
                sb.append(" lease=").append(Formats.seconds(v.leaseRemainingSeconds()));
            }
            if (wide) {
                sb.append(" failovers=").append(v.failovers()).append(" moves=").append(v.moves());
            }
            out.println(sb);
            String label = CLcsShapes.reasonLabel(v);
            if (label != null) { // the C lcs's line; it stands for the Conflict/StopFailed condition below
                out.println("    " + label + ": " + Formats.oneLine(CLcsShapes.reason(v)));
            }
            for (Condition c : list(v.conditions())) {
                if (!isOk(c) && !shownAsCLine(label, c)) {
                    out.println("    " + c.type() + "=" + c.status()
                            + (c.reason() == null ? "" : " reason=" + c.reason())
                            + (c.message() == null ? "" : ": " + Formats.oneLine(c.message())));
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
