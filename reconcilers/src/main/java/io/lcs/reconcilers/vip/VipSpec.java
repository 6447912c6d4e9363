package io.lcs.reconcilers.vip;

import io.lcs.model.net.Cidr;
import java.util.List;

/**
 * One VIP this node manages, whichever source it came from ({@code [vip]} in lcs.conf or a
 * {@code VirtualIP} applied through the API): what the reconcilers need, already validated.
 *
 * @param source {@code config} or {@code api}
 */
public record VipSpec(String name, Cidr address, String interfaceName, List<String> preferredNodes, String preStart,
                      String postStart, String preStop, String postStop, String source, long generation) {
}
