package io.lcs.reconcilers.vip;

import io.lcs.model.config.Grouping;
import io.lcs.model.net.Cidr;
import java.util.List;

/**
 * One VIP this node manages, whichever source it came from ({@code [vip]} in lcs.conf or a
 * {@code VirtualIP} applied through the API): what the reconcilers need, already validated.
 *
 * @param source {@code config} or {@code api}
 * @param grouping its group, priority, home node and dependencies
 * @param checks the health checks that must pass on a node for it to be eligible; empty: none
 * @param stopWhenNoHealthyNode {@code on_no_healthy_node = stop}
 */
public record VipSpec(String name, Cidr address, String interfaceName, List<String> preferredNodes, String preStart,
                      String postStart, String preStop, String postStop, String source, long generation,
                      Grouping grouping, List<String> checks, boolean stopWhenNoHealthyNode) {
    public VipSpec {
        grouping = grouping == null ? Grouping.NONE : grouping;
        checks = checks == null ? List.of() : List.copyOf(checks);
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
