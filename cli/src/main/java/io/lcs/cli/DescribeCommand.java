package io.lcs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.model.api.Condition;
import io.lcs.model.api.ResourceSpec;
import io.lcs.model.api.VirtualIP;
import io.lcs.model.status.ClusterEvent;
import io.lcs.model.status.ClusterStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code lcs describe vip|service NAME}: spec, status, conditions and the recent events about it. */
@Command(name = "describe", description = "Show one VIP or service in detail: spec, status, conditions, recent events.")
final class DescribeCommand extends AdminCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    /** 10: as kubectl, the recent history; {@code lcs get events NAME} has all of it. */
    static final int RECENT_EVENTS = 10;

    @Parameters(index = "0", paramLabel = "TYPE", description = "vip or service")
    String type;

    @Parameters(index = "1", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        boolean service = List.of("service", "services", "svc").contains(type);
        if (!service && !List.of("vip", "vips", "virtualip").contains(type)) {
            throw new CliException(Lcs.EXIT_USAGE, "can only describe 'vip' or 'service', got '" + type + "'");
        }
        checkName("NAME", name);
        AdminClient client = client();
        ResourceView v = ResourceView.get(client, service, name);
        List<ClusterEvent> events = new ArrayList<>();
        JsonNode reply = client.get("/api/v1/events?after=0&limit=1000");
        reply.path("items").forEach(n -> {
            ClusterEvent e = Replies.convert(n, ClusterEvent.class);
            if ((v.kind() + "/" + name).equals(e.object())) {
                events.add(e);
            }
        });
        Instant now = env().clock().instant();
        PrintWriter out = out();
        ResourceSpec sp = v.spec();
        VirtualIP.Status st = v.status();
        field(out, "Name", v.metadata().name());
        if (v.isService()) {
            field(out, "Unit", Formats.orDash(v.unit()));
        } else {
            field(out, "Address", Formats.orDash(v.address()));
            field(out, "Interface", Formats.orDash(v.interfaceName()));
        }
        field(out, "Preferred", sp == null || sp.preferredNodes() == null || sp.preferredNodes().isEmpty() ? "<any>"
                : String.join(", ", sp.preferredNodes()));
        if (sp != null && sp.group() != null) {
            field(out, "Group", sp.group() + " (priority " + (sp.priority() == null ? 0 : sp.priority()) + ")");
        }
        if (sp != null && sp.homeNode() != null) {
            field(out, "Home", sp.homeNode());
        }
        if (sp != null && sp.dependsOn() != null && !sp.dependsOn().isEmpty()) {
            field(out, "DependsOn", String.join(", ", sp.dependsOn()));
        }
        if (sp != null && sp.hooks() != null) {
            out.println("Hooks:");
            hook(out, "preStart", sp.hooks().preStart());
            hook(out, "postStart", sp.hooks().postStart());
            hook(out, "preStop", sp.hooks().preStop());
            hook(out, "postStop", sp.hooks().postStop());
        }
        field(out, "Created", v.metadata().creationTimestamp() == null ? "-"
                : v.metadata().creationTimestamp() + " (" + Formats.age(v.metadata().creationTimestamp(), now) + " ago)");
        field(out, "Version", Formats.orDash(v.metadata().version()));
        out.println("Status:");
        if (st == null) {
            out.println("  <not observed yet>");
        } else {
            field(out, "  State", Formats.orDash(st.state()));
            field(out, "  Owner", st.owner() == null ? "<none>" : st.owner());
            field(out, "  Epoch", Formats.orDash(st.epoch()));
            field(out, "  Lease", st.leaseRemainingSeconds() == null ? "-"
                    : Formats.seconds(st.leaseRemainingSeconds()) + " remaining");
            field(out, "  Failovers", Formats.orDash(st.failovers()));
        }
        ClusterStatus.VipStatus health = vipStatus(client);
        if (health != null && Boolean.FALSE.equals(health.announce())) {
            field(out, "Announce", "no (announce = false: no gratuitous ARP / unsolicited NA; its hooks move it)");
        }
        if (health != null && Boolean.TRUE.equals(health.hookOnly())) {
            field(out, "HookOnly", "yes (no unit, no address: pre_start attaches it, post_stop detaches it)");
        }
        if (health != null && health.checks() != null) {
            field(out, "Checks", String.join(", ", health.checks()));
            out.println("Eligible nodes:");
            for (ClusterStatus.Eligibility e : health.eligibility() == null ? List.<ClusterStatus.Eligibility>of()
                    : health.eligibility()) {
                out.println("  " + e.node() + ": " + (e.eligible() ? "eligible" : "not eligible: " + e.reason()));
            }
        }
        out.println("Conditions:");
        List<Condition> conditions = st == null || st.conditions() == null ? List.of() : st.conditions();
        if (conditions.isEmpty()) {
            out.println("  <none>");
        } else {
            Formats.Table t = new Formats.Table("  TYPE", "STATUS", "REASON", "AGE", "MESSAGE");
            for (Condition c : conditions) {
                t.add("  " + c.type(), Formats.orDash(c.status()), Formats.orDash(c.reason()),
                        c.lastTransitionTime() == null ? "-" : Formats.age(c.lastTransitionTime(), now),
                        Formats.orDash(c.message()));
            }
            out.print(t.render());
        }
        out.println("Events:");
        if (events.isEmpty()) {
            out.println("  <none>");
        } else {
            Formats.Table t = new Formats.Table("  AGE", "TYPE", "NODE", "MESSAGE");
            for (ClusterEvent e : events.subList(Math.max(0, events.size() - RECENT_EVENTS), events.size())) {
                t.add("  " + Formats.age(e.time(), now), Formats.orDash(e.type()), Formats.orDash(e.node()),
                        Formats.orDash(e.message()));
            }
            out.print(t.render());
        }
        return Lcs.EXIT_OK;
    }

    /** This VIP in the node's status (its checks and per-node eligibility), or null. */
    private ClusterStatus.VipStatus vipStatus(AdminClient client) {
        ClusterStatus s = StatusReply.read(client.get("/api/v1/status"));
        for (ClusterStatus.VipStatus v : s.vips() == null ? List.<ClusterStatus.VipStatus>of() : s.vips()) {
            if (v.name().equals(name)) {
                return v;
            }
        }
        return null;
    }

    private static void field(PrintWriter out, String label, String value) {
        String l = label + ":";
        out.println(l + " ".repeat(Math.max(1, 14 - l.length())) + value);
    }

    private static void hook(PrintWriter out, String label, String path) {
        if (path != null) {
            field(out, "  " + label, path);
        }
    }
}
