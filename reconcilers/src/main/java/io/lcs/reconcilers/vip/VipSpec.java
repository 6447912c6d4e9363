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
 */
public record VipSpec(String name, Cidr address, String interfaceName, List<String> preferredNodes, String preStart,
                      String postStart, String preStop, String postStop, String source, long generation,
                      Grouping grouping) {
    public VipSpec {
        grouping = grouping == null ? Grouping.NONE : grouping;
    }

    /** A VIP in no group, without priority, home node or dependencies. */
    public VipSpec(String name, Cidr address, String interfaceName, List<String> preferredNodes, String preStart,
                   String postStart, String preStop, String postStop, String source, long generation) {
        this(name, address, interfaceName, preferredNodes, preStart, postStart, preStop, postStop, source, generation,
                Grouping.NONE);
    }
}
