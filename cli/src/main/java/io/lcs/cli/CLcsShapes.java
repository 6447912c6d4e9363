package io.lcs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.model.api.Condition;
import io.lcs.model.status.ClusterStatus;
import io.lcs.model.status.ClusterStatus.NodeStatus;
import io.lcs.model.status.ClusterStatus.VipStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The C lcs's output shapes, built from lcsd's status reply ({@code GET /api/v1/status}): the JSON
 * of {@code lcs -j status} and {@code lcs -j resource list}, the {@code resource list} line, the
 * node {@code state} word and the {@code membership for DURATION} text (docs/migrating-from-c-lcs.md
 * has the field mapping). Every resource is a VIP ({@code type} {@value #VIP_TYPE}). Stateless.
 */
final class CLcsShapes {
    static final String VIP_TYPE = "vip";
    static final String SERVICE_TYPE = "service";

    private CLcsShapes() {
    }

    /**
     * {@code online} (heard from and out of its post-restart wait), {@code recovering} (online but in
     * that wait: it votes on no lease yet) or {@code offline}: the C lcs's node states.
     */
    static String nodeState(NodeStatus n) {
        return !n.online() ? "offline" : n.restarting() ? "recovering" : "online";
    }

    /** Whole seconds the online set has been unchanged; 0 when the daemon does not say. */
    static long membershipSeconds(ClusterStatus s) {
        Double m = s.quorum() == null ? null : s.quorum().membershipSeconds();
        return m == null ? 0 : (long) Math.floor(m);
    }

    /** {@code 45s}, {@code 5m 02s}, {@code 3h 05m 02s}, {@code 2d 03h 05m 02s}, as the C lcs writes durations. */
    static String duration(long seconds) {
        long s = Math.max(0, seconds);
        long d = s / 86_400;
        long h = s % 86_400 / 3600;
        long m = s % 3600 / 60;
        long sec = s % 60;
        if (d > 0) {
            return String.format("%dd %02dh %02dm %02ds", d, h, m, sec);
        }
        if (h > 0) {
            return String.format("%dh %02dm %02ds", h, m, sec);
        }
        if (m > 0) {
            return String.format("%dm %02ds", m, sec);
        }
        return sec + "s";
    }

    /**
     * What the C lcs shows after {@code conflict:} or {@code stop_failed:}: the message of the VIP's
     * {@code Conflict}/{@code AddressConflict} condition when it is in conflict, of its
     * {@code StopFailed} condition when stopping it failed; null otherwise.
     */
    static String reason(VipStatus v) {
        if ("conflict".equals(v.state())) {
            Condition c = trueCondition(v, "Conflict", "AddressConflict");
            return c == null ? "in conflict" : message(c);
        }
        Condition stopFailed = trueCondition(v, "StopFailed");
        return stopFailed == null ? null : message(stopFailed);
    }

    /** {@code conflict} or {@code stop_failed}: which label {@link #reason} goes with; null without one. */
    static String reasonLabel(VipStatus v) {
        if ("conflict".equals(v.state())) {
            return "conflict";
        }
        return trueCondition(v, "StopFailed") != null ? "stop_failed" : null;
    }

    private static String message(Condition c) {
        return c.message() != null ? c.message() : c.reason() != null ? c.reason() : c.type();
    }

    private static Condition trueCondition(VipStatus v, String... types) {
        for (Condition c : StatusCommand.list(v.conditions())) {
            for (String t : types) {
                if (t.equals(c.type()) && Condition.TRUE.equals(c.status())) {
                    return c;
                }
            }
        }
        return null;
    }

    /** The C lcs's wire IDs: the position in the names sorted byte-wise (strcmp), as it numbers nodes and resources. */
    static <T> List<T> byName(List<T> items, java.util.function.Function<T, String> name) {
        List<T> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(name));
        return sorted;
    }

    /**
     * {@code lcs -j status}: {@code {"cluster":{quorum, votes_seen, quorum_needed,
     * membership_seconds}, "nodes":[{id, name, role, state, self}], "resources":[{id, name, type,
     * state, owner, epoch, lease_id, address, interface, [group, priority], [home_node, home_blocked],
     * disabled, [reason]}]}}, field for field the C lcs's; {@code lease_id} is the epoch (lcs names a
     * lease by its epoch) and {@code owner} is null when nobody holds it.
     */
    static ObjectNode statusJson(ClusterStatus s) {
        ObjectNode root = Replies.LENIENT.createObjectNode();
        ObjectNode cluster = root.putObject("cluster");
        ClusterStatus.Quorum q = s.quorum();
        cluster.put("quorum", q != null && q.present());
        cluster.put("votes_seen", q == null ? 0 : q.votesSeen());
        cluster.put("quorum_needed", q == null ? 0 : q.votesNeeded());
        cluster.put("membership_seconds", membershipSeconds(s));
        ArrayNode nodes = root.putArray("nodes");
        List<NodeStatus> sortedNodes = byName(StatusCommand.list(s.nodes()), NodeStatus::name);
        for (int id = 0; id < sortedNodes.size(); id++) {
            NodeStatus n = sortedNodes.get(id);
            ObjectNode o = nodes.addObject();
            o.put("id", id);
            o.put("name", n.name());
            o.put("role", n.role());
            o.put("state", nodeState(n));
            o.put("self", n.self());
        }
        ArrayNode resources = root.putArray("resources");
        List<VipStatus> sortedVips = byName(StatusCommand.list(s.vips()), VipStatus::name);
        for (int id = 0; id < sortedVips.size(); id++) {
            VipStatus v = sortedVips.get(id);
            ObjectNode o = resources.addObject();
            o.put("id", id);
            o.put("name", v.name());
            o.put("type", type(v));
            o.put("state", v.state());
            o.put("owner", v.owner());
            o.put("epoch", v.epoch());
            o.put("lease_id", v.epoch());
            place(o, v);
            groupAndHome(o, v);
            o.put("disabled", Boolean.TRUE.equals(v.disabled()));
            putReason(o, v);
        }
        return root;
    }

    /** {@code vip} or {@code service}, as the C lcs's {@code type}. */
    private static String type(VipStatus v) {
        return v.isService() ? SERVICE_TYPE : VIP_TYPE;
    }

    /** A VIP's {@code address} and {@code interface}, or a service's {@code systemd_unit}. */
    private static void place(ObjectNode o, VipStatus v) {
        if (v.isService()) {
            o.put("systemd_unit", v.systemdUnit() == null ? "" : v.systemdUnit()); // "": hook-only
        } else {
            o.put("address", v.address());
            o.put("interface", v.interfaceName());
        }
    }

    /** {@code group} and {@code priority} for a VIP in a group; {@code home_node} and {@code home_blocked} for one with a home. */
    private static void groupAndHome(ObjectNode o, VipStatus v) {
        if (v.group() != null) {
            o.put("group", v.group());
            o.put("priority", v.priority() == null ? 0 : v.priority());
        }
        if (v.homeNode() != null) {
            o.put("home_node", v.homeNode());
            o.put("home_blocked", Boolean.TRUE.equals(v.homeBlocked()));
        }
    }

    private static void putReason(ObjectNode o, VipStatus v) {
        String reason = reason(v);
        if (reason != null) {
            o.put("reason", reason);
        }
    }

    /**
     * One line of {@code lcs resource list}: {@code NAME type=vip state=S owner=O address=CIDR dev=IF[
     * disabled=yes][ group=G priority=P][ home=H[ home_blocked=yes]][ reason="…"]}.
     */
    static String resourceLine(VipStatus v) {
        StringBuilder sb = new StringBuilder(v.name()).append(" type=").append(type(v)).append(" state=")
                .append(v.state()).append(" owner=").append(v.owner() == null ? "-" : v.owner());
        if (v.isService()) {
            sb.append(" unit=").append(v.systemdUnit() == null ? "-" : v.systemdUnit());
        } else {
            sb.append(" address=").append(v.address()).append(" dev=").append(v.interfaceName());
        }
        if (Boolean.TRUE.equals(v.disabled())) {
            sb.append(" disabled=yes");
        }
        if (v.group() != null) {
            sb.append(" group=").append(v.group()).append(" priority=").append(v.priority() == null ? 0 : v.priority());
        }
        if (v.homeNode() != null) {
            sb.append(" home=").append(v.homeNode());
            if (Boolean.TRUE.equals(v.homeBlocked())) {
                sb.append(" home_blocked=yes");
            }
        }
        String reason = reason(v);
        if (reason != null) {
            sb.append(" reason=\"").append(Formats.oneLine(reason).replace("\"", "'")).append('"');
        }
        return sb.toString();
    }

    /** {@code lcs -j resource list}: {@code {"resources":[{name, type, state, owner, address, interface, disabled, [group, priority], [home_node, home_blocked], [reason]}]}}. */
    static ObjectNode resourceListJson(ClusterStatus s) {
        ObjectNode root = Replies.LENIENT.createObjectNode();
        ArrayNode resources = root.putArray("resources");
        for (VipStatus v : byName(StatusCommand.list(s.vips()), VipStatus::name)) {
            ObjectNode o = resources.addObject();
            o.put("name", v.name());
            o.put("type", type(v));
            o.put("state", v.state());
            o.put("owner", v.owner());
            place(o, v);
            o.put("disabled", Boolean.TRUE.equals(v.disabled()));
            groupAndHome(o, v);
            putReason(o, v);
        }
        return root;
    }
}
