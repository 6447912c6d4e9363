package io.lcs.reconcilers.vip;

import io.lcs.model.config.Grouping;
import io.lcs.model.net.Cidr;
import java.util.List;

/**
 * One resource this node manages, a VIP or a service (a systemd unit instead of an address), whichever source it came from ({@code [vip]} in lcs.conf or a
 * {@code VirtualIP} applied through the API): what the reconcilers need, already validated.
 *
 * @param source {@code config} or {@code api}
 * @param grouping its group, priority, home node and dependencies
 * @param checks the health checks that must pass on a node for it to be eligible; empty: none
 * @param stopWhenNoHealthyNode {@code on_no_healthy_node = stop}
 * @param systemdUnit for a service, its unit ({@code address} and {@code interfaceName} are then null);
 *     the empty string for a hook-only service (no unit, no address: {@link #hookOnly()}); null for a VIP
 * @param announce for a VIP: send gratuitous ARP / unsolicited NA after adding the address (true, the
 *     default); false: add it without (a provider's API, called by the hooks, moves it). True for a service.
 */
public record VipSpec(String name, Cidr address, String interfaceName, List<String> preferredNodes, String preStart,
                      String postStart, String preStop, String postStop, String source, long generation,
                      Grouping grouping, List<String> checks, boolean stopWhenNoHealthyNode, String systemdUnit,
                      boolean announce) {
    public VipSpec {
        grouping = grouping == null ? Grouping.NONE : grouping;
        checks = checks == null ? List.of() : List.copyOf(checks);
        if (systemdUnit == null && (address == null || interfaceName == null)) {
            throw new IllegalArgumentException("a VIP needs an address and an interface");
        }
        if (systemdUnit != null && !announce) {
            throw new IllegalArgumentException("a service has no address to announce");
        }
    }

    /** A VIP (announced) or a service. */
    public VipSpec(String name, Cidr address, String interfaceName, List<String> preferredNodes, String preStart,
                   String postStart, String preStop, String postStop, String source, long generation,
                   Grouping grouping, List<String> checks, boolean stopWhenNoHealthyNode, String systemdUnit) {
        this(name, address, interfaceName, preferredNodes, preStart, postStart, preStop, postStop, source, generation,
                grouping, checks, stopWhenNoHealthyNode, systemdUnit, true);
    }

    /** A VIP (no systemd unit). */
    public VipSpec(String name, Cidr address, String interfaceName, List<String> preferredNodes, String preStart,
                   String postStart, String preStop, String postStop, String source, long generation,
                   Grouping grouping, List<String> checks, boolean stopWhenNoHealthyNode) {
        this(name, address, interfaceName, preferredNodes, preStart, postStart, preStop, postStop, source, generation,
                grouping, checks, stopWhenNoHealthyNode, null);
    }

    /** A service: its unit runs on the node holding its lease, nowhere else. */
    public static VipSpec service(String name, String systemdUnit, List<String> preferredNodes, String preStart,
                                  String postStart, String preStop, String postStop, String source, long generation,
                                  Grouping grouping, List<String> checks, boolean stopWhenNoHealthyNode) {
        return new VipSpec(name, null, null, preferredNodes, preStart, postStart, preStop, postStop, source,
                generation, grouping, checks, stopWhenNoHealthyNode, java.util.Objects.requireNonNull(systemdUnit));
    }

    /**
     * A hook-only service: no unit, no address; its hooks are the resource ({@code pre_start} attaches
     * it at a provider, {@code post_stop} detaches it), run under its lease like a service's unit.
     */
    public static VipSpec hookOnly(String name, List<String> preferredNodes, String preStart, String postStart,
                                   String preStop, String postStop, String source, long generation,
                                   Grouping grouping, List<String> checks, boolean stopWhenNoHealthyNode) {
        return new VipSpec(name, null, null, preferredNodes, java.util.Objects.requireNonNull(preStart, "preStart"),
                postStart, preStop, postStop, source, generation, grouping, checks, stopWhenNoHealthyNode, "");
    }

    /** True for a service (a systemd unit or only hooks; no address). */
    public boolean isService() {
        return systemdUnit != null;
    }

    /** True for a hook-only service (no unit, no address; {@link #hookOnly}). */
    public boolean hookOnly() {
        return systemdUnit != null && systemdUnit.isEmpty();
    }

    /** True for a service that runs a systemd unit (not hook-only). */
    public boolean hasUnit() {
        return systemdUnit != null && !systemdUnit.isEmpty();
    }

    /** {@code VirtualIP} or {@code Service}: the kind events and status name it by. */
    public String kind() {
        return isService() ? "Service" : "VirtualIP";
    }

    /** A VIP without health checks. */
    public VipSpec(String name, Cidr address, String interfaceName, List<String> preferredNodes, String preStart,
                   String postStart, String preStop, String postStop, String source, long generation,
                   Grouping grouping) {
        this(name, address, interfaceName, preferredNodes, preStart, postStart, preStop, postStop, source, generation,
                grouping, List.of(), false);
    }

    /** A VIP in no group. */
    public VipSpec(String name, Cidr address, String interfaceName, List<String> preferredNodes, String preStart,
                   String postStart, String preStop, String postStop, String source, long generation,
                   List<String> checks, boolean stopWhenNoHealthyNode) {
        this(name, address, interfaceName, preferredNodes, preStart, postStart, preStop, postStop, source, generation,
                Grouping.NONE, checks, stopWhenNoHealthyNode);
    }

    /** A VIP in no group, without priority, home node, dependencies or health checks. */
    public VipSpec(String name, Cidr address, String interfaceName, List<String> preferredNodes, String preStart,
                   String postStart, String preStop, String postStop, String source, long generation) {
        this(name, address, interfaceName, preferredNodes, preStart, postStart, preStop, postStop, source, generation,
                Grouping.NONE, List.of(), false);
    }
}
