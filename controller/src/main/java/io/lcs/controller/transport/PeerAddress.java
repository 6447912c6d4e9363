package io.lcs.controller.transport;

import io.lcs.model.Names;

/**
 * Where a peer node listens for the peer transport.
 *
 * @param name the peer's node name ({@link Names} rule)
 * @param host an IP literal or a host name; when it is an IP literal, connections from that peer
 *             must come from exactly this address
 * @param port TCP port, 1 to 65535
 */
public record PeerAddress(String name, String host, int port) {
    public PeerAddress {
        String problem = Names.problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("peer address: " + problem);
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("peer '" + name + "': host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("peer '" + name + "': port " + port + " is not in 1..65535");
        }
    }

    /** host:port, with brackets around an IPv6 literal. */
    public String endpoint() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
