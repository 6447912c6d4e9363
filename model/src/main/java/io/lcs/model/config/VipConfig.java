package io.lcs.model.config;

import io.lcs.model.net.Cidr;
import java.util.List;
import java.util.Objects;

/**
 * One {@code [vip NAME]} section.
 *
 * @param name           the VIP name ({@link io.lcs.model.Names} rules)
 * @param address        the address with prefix, as {@code ip addr add} takes it
 * @param interfaceName  the Linux interface to put it on (1..15 characters)
 * @param preStart       absolute path of the hook run before the address is added, or null
 * @param postStart      absolute path of the hook run after the address is added, or null
 * @param preStop        absolute path of the hook run before the address is removed, or null
 * @param postStop       absolute path of the hook run after the address is removed, or null
 * @param preferredNodes full-member node names in order of preference; empty means no preference
 * @param line           the line of the section header, 0 if not from a file
 */
public record VipConfig(String name, Cidr address, String interfaceName, String preStart, String postStart,
                        String preStop, String postStop, List<String> preferredNodes, int line) {
    public VipConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(interfaceName, "interfaceName");
        preferredNodes = List.copyOf(preferredNodes);
    }
}
