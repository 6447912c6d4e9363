package io.lcs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.model.api.ResourceSpec;
import io.lcs.model.api.Service;
import io.lcs.model.api.VirtualIP;
import io.lcs.model.status.ClusterEvent;
import io.lcs.model.status.ClusterStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lcs get vips|services|nodes|checks|events [NAME] [-o wide|json|yaml] [-w]}. */
@Command(name = "get", description = "List VIPs, services, nodes, health checks or events (kubectl-style).")
final class GetCommand extends AdminCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    @Parameters(index = "0", paramLabel = "TYPE", description = "vips, services, nodes, checks or events")
    String type;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "one object (events: about it)")
    String name;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "wide, json or yaml")
    String output;

    @Option(names = {"-w", "--watch"}, description = "after listing, print changes as they happen")
    boolean watch;

    @Override
    public Integer call() {
        OutputFormat.check(output);
        if (json()) { // -j: the same as -o json here (no C lcs shape for get)
            if (output != null && !output.equals("json")) {
                throw new CliException(Lcs.EXIT_USAGE, "--json and -o " + output + " contradict each other: give one");
            }
            output = "json";
        }
        if (watch && output != null && !output.equals("wide")) {
            throw new CliException(Lcs.EXIT_USAGE, "-w works with the table output only (-o wide or none)");
        }
        if (name != null) {
            checkName("NAME", name);
        }
        AdminClient client = client();
        return switch (type) {
            case "vips", "vip", "virtualip", "virtualips" -> resources(client, false);
            case "services", "service", "svc" -> resources(client, true);
            case "nodes", "node" -> nodes(client);
            case "checks", "check" -> checks(client);
            case "events", "event" -> events(client);
            default -> throw new CliException(Lcs.EXIT_USAGE, "unknown TYPE '" + type
                    + "': use vips, services, nodes, checks or events");
        };
    }

    private boolean wide() {
        return "wide".equals(output);
    }

    private boolean structured() {
        return OutputFormat.structured(output);
    }

    // ---- vips -----------------------------------------------------------------------------------

    private int resources(AdminClient client, boolean services) {
        String list = services ? "/api/v1/services" : "/api/v1/vips";
        JsonNode reply = client.get(name == null ? list : ResourceView.path(services, name));
        if (structured()) {
            out().print(Replies.format(reply, output));
            return Lcs.EXIT_OK;
        }
        List<ResourceView> items = new ArrayList<>();
        if (name == null) {
            reply.path("items").forEach(n -> items.add(view(n, services)));
        } else {
            items.add(view(reply, services));
        }
        List<String> head = new ArrayList<>(services ? List.of("NAME", "UNIT") : List.of("NAME", "ADDRESS", "INTERFACE"));
        head.addAll(List.of("STATE", "OWNER", "EPOCH", "AGE"));
        if (wide()) {
            head.addAll(List.of("PREFERRED", "LEASE", "FAILOVERS", "VERSION"));
        }
        Formats.Table t = new Formats.Table(head.toArray(String[]::new));
        Instant now = env().clock().instant();
        items.forEach(v -> t.add(resourceRow(v, now)));
        print(items.isEmpty(), t, services ? "No services found." : "No VIPs found.");
        if (watch) {
            String kind = services ? Service.KIND : VirtualIP.KIND;
            client.watch("/api/v1/watch", ev -> {
                String object = ev.path("object").asText("");
                if (object.startsWith(kind + "/") && matchesName(object)) {
                    String resource = object.substring(kind.length() + 1);
                    try {
                        out().print(t.row(resourceRow(ResourceView.get(client, services, resource),
                                env().clock().instant())));
                    } catch (CliException e) {
                        out().print(t.row(resource, "<deleted>"));
                    }
                    out().flush();
                }
                return true;
            });
        }
        return Lcs.EXIT_OK;
    }

    private static ResourceView view(JsonNode n, boolean service) {
        return service ? ResourceView.of(Replies.convert(n, Service.class))
                : ResourceView.of(Replies.convert(n, VirtualIP.class));
    }

    private String[] resourceRow(ResourceView v, Instant now) {
        VirtualIP.Status st = v.status();
        ResourceSpec sp = v.spec();
        List<String> row = new ArrayList<>();
        row.add(v.metadata().name());
        if (v.isService()) {
            row.add(Formats.orDash(v.unit()));
        } else {
            row.add(Formats.orDash(v.address()));
            row.add(Formats.orDash(v.interfaceName()));
        }
        row.addAll(List.of(st == null ? "pending" : Formats.orDash(st.state()),
                st == null ? "-" : Formats.orDash(st.owner()), st == null ? "-" : Formats.orDash(st.epoch()),
                Formats.age(v.metadata().creationTimestamp(), now)));
        if (wide()) {
            row.add(sp == null || sp.preferredNodes() == null || sp.preferredNodes().isEmpty() ? "-"
                    : String.join(",", sp.preferredNodes()));
            row.add(st == null ? "-" : Formats.seconds(st.leaseRemainingSeconds()));
            row.add(st == null ? "-" : Formats.orDash(st.failovers()));
            row.add(Formats.orDash(v.metadata().version()));
        }
        return row.toArray(String[]::new);
    }

    // ---- nodes ----------------------------------------------------------------------------------

    private int nodes(AdminClient client) {
        JsonNode reply = client.get(name == null ? "/api/v1/nodes" : "/api/v1/nodes/" + name);
        if (structured()) {
            out().print(Replies.format(reply, output));
            return Lcs.EXIT_OK;
        }
        List<ClusterStatus.NodeStatus> nodes = new ArrayList<>();
        if (name == null) {
            reply.path("items").forEach(n -> nodes.add(Replies.convert(n, ClusterStatus.NodeStatus.class)));
        } else {
            nodes.add(Replies.convert(reply, ClusterStatus.NodeStatus.class));
        }
        Formats.Table t = wide()
                ? new Formats.Table("NAME", "ROLE", "ONLINE", "CORDONED", "CONFIG", "LAST-SEEN", "RTT", "RESTARTING", "SELF")
                : new Formats.Table("NAME", "ROLE", "ONLINE", "CORDONED", "CONFIG", "LAST-SEEN");
        nodes.forEach(n -> t.add(nodeRow(n)));
        print(nodes.isEmpty(), t, "No nodes found.");
        if (watch) {
            client.watch("/api/v1/watch", ev -> {
                String object = ev.path("object").asText("");
                if (object.startsWith("node/") && matchesName(object)) {
                    String node = object.substring(5);
                    try {
                        out().print(t.row(nodeRow(Replies.convert(client.get("/api/v1/nodes/" + node),
                                ClusterStatus.NodeStatus.class))));
                    } catch (CliException e) {
                        out().print(t.row(node, "<gone>"));
                    }
                    out().flush();
                }
                return true;
            });
        }
        return Lcs.EXIT_OK;
    }

    private String[] nodeRow(ClusterStatus.NodeStatus n) {
        String[] base = {n.name(), n.role(), Formats.yesNo(n.online()), Formats.yesNo(n.cordoned()),
            n.configMatch() ? "ok" : "mismatch", n.self() ? "-" : Formats.seconds(n.lastSeenSeconds())};
        if (!wide()) {
            return base;
        }
        return concat(base, n.rttMillis() == null ? "-" : String.format(java.util.Locale.ROOT, "%.1fms", n.rttMillis()),
                Formats.yesNo(n.restarting()), Formats.yesNo(n.self()));
    }

    // ---- checks ---------------------------------------------------------------------------------

    /**
     * One row per check and node that reports it (a check no node runs: one row with node "-"); the
     * state is the node's own report. Wide adds this node's last run (duration, last output line).
     */
    private int checks(AdminClient client) {
        if (watch) {
            throw new CliException(Lcs.EXIT_USAGE, "-w is not supported for checks; use lcs get events -w");
        }
        ClusterStatus s = StatusReply.read(client.get("/api/v1/status"));
        List<ClusterStatus.CheckInfo> infos = new ArrayList<>();
        for (ClusterStatus.CheckInfo c : s.checks() == null ? List.<ClusterStatus.CheckInfo>of() : s.checks()) {
            if (name == null || c.name().equals(name)) {
                infos.add(c);
            }
        }
        if (structured()) {
            com.fasterxml.jackson.databind.node.ArrayNode items = io.lcs.model.codec.LcsJson.json().createArrayNode();
            for (ClusterStatus.CheckInfo c : infos) {
                com.fasterxml.jackson.databind.node.ObjectNode item = io.lcs.model.codec.LcsJson.json().valueToTree(c);
                com.fasterxml.jackson.databind.node.ArrayNode nodes = item.putArray("nodes");
                for (ClusterStatus.NodeStatus n : StatusCommand.list(s.nodes())) {
                    for (ClusterStatus.NodeCheck nc : StatusCommand.list(n.checks())) {
                        if (nc.name().equals(c.name())) {
                            nodes.addObject().put("node", n.name()).put("passing", nc.passing())
                                    .put("summary", nc.summary());
                        }
                    }
                }
                items.add(item);
            }
            List<JsonNode> list = new ArrayList<>();
            items.forEach(list::add);
            out().print(Replies.format(Replies.items(list), output));
            return Lcs.EXIT_OK;
        }
        Formats.Table t = wide()
                ? new Formats.Table("NAME", "TYPE", "TARGET", "NODE", "STATE", "INTERVAL", "FALL/RISE", "HOLD",
                        "LAST-RUN", "OUTPUT")
                : new Formats.Table("NAME", "TYPE", "TARGET", "NODE", "STATE");
        for (ClusterStatus.CheckInfo c : infos) {
            boolean any = false;
            for (ClusterStatus.NodeStatus n : StatusCommand.list(s.nodes())) {
                for (ClusterStatus.NodeCheck nc : StatusCommand.list(n.checks())) {
                    if (nc.name().equals(c.name())) {
                        any = true;
                        t.add(checkRow(c, n.name(), nc.summary(), n.self()));
                    }
                }
            }
            if (!any) {
                t.add(checkRow(c, "-", "not run (no VIP lists it, or no full-member reported it)", false));
            }
        }
        print(infos.isEmpty(), t, name == null ? "No checks configured." : "No check " + name + ".");
        return Lcs.EXIT_OK;
    }

    private String[] checkRow(ClusterStatus.CheckInfo c, String node, String state, boolean self) {
        String[] base = {c.name(), c.type(), c.target(), node, state};
        if (!wide()) {
            return base;
        }
        String output = c.lastOutput() == null || !self ? "-" : c.lastOutput().lines().reduce((a, b) -> b).orElse("-");
        return concat(base, c.intervalMs() + "ms", c.fall() + "/" + c.rise(), c.holdMs() + "ms",
                self && c.lastDurationSeconds() != null ? Formats.seconds(c.lastDurationSeconds()) : "-", output);
    }

    // ---- events ---------------------------------------------------------------------------------

    private int events(AdminClient client) {
        JsonNode reply = client.get("/api/v1/events?after=0&limit=1000");
        List<ClusterEvent> events = new ArrayList<>();
        // -o json|yaml prints the matching items as received, fields this client does not know included
        List<JsonNode> items = new ArrayList<>();
        reply.path("items").forEach(n -> {
            ClusterEvent e = Replies.convert(n, ClusterEvent.class);
            if (matchesName(e.object())) {
                events.add(e);
                items.add(n);
            }
        });
        if (structured()) {
            out().print(Replies.format(Replies.items(items), output));
            return Lcs.EXIT_OK;
        }
        Formats.Table t = wide()
                ? new Formats.Table("SEQ", "AGE", "TYPE", "OBJECT", "NODE", "MESSAGE", "TIME")
                : new Formats.Table("SEQ", "AGE", "TYPE", "OBJECT", "NODE", "MESSAGE");
        Instant now = env().clock().instant();
        events.forEach(e -> t.add(eventRow(e, now)));
        print(events.isEmpty(), t, "No events found.");
        if (watch) {
            long last = reply.path("items").size() == 0 ? 0
                    : reply.path("items").get(reply.path("items").size() - 1).path("seq").asLong();
            client.watch("/api/v1/watch?after=" + last, ev -> {
                ClusterEvent e = Replies.convert(ev, ClusterEvent.class);
                if (matchesName(e.object())) {
                    out().print(t.row(eventRow(e, env().clock().instant())));
                    out().flush();
                }
                return true;
            });
        }
        return Lcs.EXIT_OK;
    }

    private String[] eventRow(ClusterEvent e, Instant now) {
        String[] base = {String.valueOf(e.seq()), Formats.age(e.time(), now), Formats.orDash(e.type()),
            Formats.orDash(e.object()), Formats.orDash(e.node()), Formats.orDash(e.message())};
        return wide() ? concat(base, Formats.orDash(e.time())) : base;
    }

    // ---- shared ---------------------------------------------------------------------------------

    /** With NAME given, only objects named NAME ({@code Kind/NAME}). */
    private boolean matchesName(String object) {
        return name == null || (object != null && object.endsWith("/" + name));
    }

    private void print(boolean empty, Formats.Table t, String none) {
        PrintWriter out = out();
        String table = t.render();
        if (empty && !watch) {
            out.println(none);
        } else {
            out.print(table);
        }
        out.flush();
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
