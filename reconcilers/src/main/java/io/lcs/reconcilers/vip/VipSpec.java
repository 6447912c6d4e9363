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
 *     null for a VIP
 */
public record VipSpec(String name, Cidr address, String interfaceName, List<String> preferredNodes, String preStart,
                      String postStart, String preStop, String postStop, String source, long generation,
                      Grouping grouping, List<String> checks, boolean stopWhenNoHealthyNode, String systemdUnit) {
    public VipSpec {
        grouping = grouping == null ? Grouping.NONE : grouping;
        checks = checks == null ? List.of() : List.copyOf(checks);
        if (systemdUnit == null && (address == null || interfaceName == null)) {
            throw new IllegalArgumentException("a VIP needs an address and an interface");
        }
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

    /** True for a service (a systemd unit, no address). */
    public boolean isService() {
        return systemdUnit != null;
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
