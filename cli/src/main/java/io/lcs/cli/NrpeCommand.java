package io.lcs.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.model.status.ClusterStatus;
import io.lcs.model.status.ClusterStatus.NodeStatus;
import io.lcs.model.status.ClusterStatus.VipStatus;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code lcs nrpe [-j]}: a Nagios/NRPE check with the C lcs's output and exit codes. CRITICAL (2):
 * no quorum, or a VIP that is not stopped by an operator and not {@code active}; WARNING (1): a node
 * that is not {@code online} ({@code recovering} counts as not online); OK (0) otherwise; UNKNOWN
 * (3): lcsd cannot be reached or its reply not read. One line:
 * {@code STATE - quorum=yes votes=3/3 need=2 membership_for=5m 02s nodes=3/3 resources=2/2 active[
 * disabled=D][ down=NAME=STATE,...]}.
 */
@Command(name = "nrpe", description = "Nagios/NRPE check: OK, WARNING (a node not online), CRITICAL (no quorum, a"
        + " VIP down), UNKNOWN (lcsd unreachable); exit 0, 1, 2, 3.")
final class NrpeCommand extends AdminCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    static final int OK = 0;
    static final int WARNING = 1;
    static final int CRITICAL = 2;
    static final int UNKNOWN = 3;
    static final List<String> STATES = List.of("OK", "WARNING", "CRITICAL", "UNKNOWN");

    /** What one status says, counted as the C lcs counts it. */
    record Verdict(int exitCode, boolean quorum, int votesSeen, int nodeCount, int votesNeeded, long membershipSeconds,
                   int onlineNodes, int activeResources, int resourceCount, int disabledResources, List<String> down) {
        String state() {
            return STATES.get(exitCode);
        }

        /** {@code NAME=STATE,...} of the VIPs that are down; empty when none. */
        String downDetail() {
            return String.join(",", down);
        }
    }

    static Verdict verdict(ClusterStatus s) {
        ClusterStatus.Quorum q = s.quorum();
        boolean quorum = q != null && q.present();
        List<NodeStatus> nodes = StatusCommand.list(s.nodes());
        int online = 0;
        for (NodeStatus n : nodes) {
            if ("online".equals(CLcsShapes.nodeState(n))) {
                online++;
            }
        }
        int active = 0;
        int disabled = 0;
        List<String> down = new ArrayList<>();
        List<VipStatus> vips = CLcsShapes.byName(StatusCommand.list(s.vips()), VipStatus::name);
        for (VipStatus v : vips) {
            if (Boolean.TRUE.equals(v.disabled())) {
                disabled++;
            } else if ("active".equals(v.state())) {
                active++;
            } else {
                down.add(v.name() + "=" + v.state());
            }
        }
        int exit = !quorum || !down.isEmpty() ? CRITICAL : online < nodes.size() ? WARNING : OK;
        return new Verdict(exit, quorum, q == null ? 0 : q.votesSeen(), nodes.size(), q == null ? 0 : q.votesNeeded(),
                CLcsShapes.membershipSeconds(s), online, active, vips.size(), disabled, down);
    }

    static String text(Verdict v) {
        StringBuilder sb = new StringBuilder(v.state()).append(" - quorum=").append(Formats.yesNo(v.quorum()))
                .append(" votes=").append(v.votesSeen()).append('/').append(v.nodeCount())
                .append(" need=").append(v.votesNeeded())
                .append(" membership_for=").append(CLcsShapes.duration(v.membershipSeconds()))
                .append(" nodes=").append(v.onlineNodes()).append('/').append(v.nodeCount())
                .append(" resources=").append(v.activeResources()).append('/').append(v.resourceCount()).append(" active");
        if (v.disabledResources() > 0) {
            sb.append(" disabled=").append(v.disabledResources());
        }
        if (!v.down().isEmpty()) {
            sb.append(" down=").append(v.downDetail());
        }
        return sb.toString();
    }

    static ObjectNode json(Verdict v) {
        ObjectNode o = Replies.LENIENT.createObjectNode();
        o.put("state", v.state());
        o.put("exit_code", v.exitCode());
        o.put("quorum", v.quorum());
        o.put("votes_seen", v.votesSeen());
        o.put("node_count", v.nodeCount());
        o.put("quorum_needed", v.votesNeeded());
        o.put("membership_seconds", v.membershipSeconds());
        o.put("online_nodes", v.onlineNodes());
        o.put("active_resources", v.activeResources());
        o.put("resource_count", v.resourceCount());
        o.put("disabled_resources", v.disabledResources());
        o.put("down_resources", v.down().size());
        if (!v.down().isEmpty()) {
            o.put("down_detail", v.downDetail());
        }
        return o;
    }

    @Override
    public Integer call() {
        Verdict v;
        try {
            v = verdict(StatusReply.read(client().get("/api/v1/status")));
        } catch (CliException e) { // unreachable, refused, unreadable: the check cannot tell
            if (json()) {
                out().println(Replies.LENIENT.createObjectNode().put("state", "UNKNOWN").put("ok", false)
                        .put("message", e.getMessage()));
            } else {
                out().println("UNKNOWN - " + Formats.oneLine(e.getMessage()));
            }
            return UNKNOWN;
        }
        out().println(json() ? json(v).toString() : text(v));
        return v.exitCode();
    }
}
