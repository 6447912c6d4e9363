package io.lcs.model.config;

import java.util.Objects;

/**
 * One {@code [node NAME]} section.
 *
 * @param name    the node name ({@link io.lcs.model.Names} rules)
 * @param role    full member or quorum-only witness
 * @param address an IP literal in canonical form, or a host name (lower case, not resolved by the parser)
 * @param port    the TCP port peers connect to, 1..65535 (defaults to the cluster's {@code port})
 * @param line    the line of the section header, 0 if not from a file
 */
public record NodeConfig(String name, Role role, String address, int port, int line) {
    public NodeConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(address, "address");
    }

    /** @return {@code address:port}, with an IPv6 literal in brackets */
    public String endpoint() {
        return ClusterConfig.endpoint(address, port);
    }
}
