package io.lcs.reconcilers.net;

import java.util.Objects;

/**
 * Actual state of a network interface.
 *
 * @param ifname the interface name asked about
 * @param exists false if there is no such interface (then the other fields are false/empty)
 * @param up administratively up (the {@code UP} flag)
 * @param lowerUp carrier present (the {@code LOWER_UP} flag)
 * @param operState kernel operational state ({@code UP}, {@code DOWN}, {@code UNKNOWN},
 *                  {@code LOWERLAYERDOWN}, ...), empty if absent
 * @param macAddress link-layer address in lower case, empty if none
 * @param linkType iproute2's {@code link_type}: {@code ether}, {@code loopback}, {@code none} (tun,
 *                 WireGuard), ...; empty if absent or unknown
 * @param noArp the {@code NOARP} flag: the kernel neither asks nor answers ARP or neighbour
 *              solicitations on it
 * @param pointToPoint the {@code POINTOPOINT} flag: one peer at the other end, no neighbours to ask
 */
public record LinkState(String ifname, boolean exists, boolean up, boolean lowerUp, String operState,
                        String macAddress, String linkType, boolean noArp, boolean pointToPoint) {
    public LinkState {
        Objects.requireNonNull(ifname, "ifname");
        Objects.requireNonNull(operState, "operState");
        Objects.requireNonNull(macAddress, "macAddress");
        Objects.requireNonNull(linkType, "linkType");
    }

    /** An Ethernet-like link (neighbour discovery works), as most interfaces are. */
    public LinkState(String ifname, boolean exists, boolean up, boolean lowerUp, String operState, String macAddress) {
        this(ifname, exists, up, lowerUp, operState, macAddress, exists ? "ether" : "", false, false);
    }

    public static LinkState absent(String ifname) {
        return new LinkState(ifname, false, false, false, "", "", "", false, false);
    }

    /**
     * Why no neighbour can be asked about an address on this link or told where it is (no ARP probe,
     * no neighbour solicitation, no gratuitous ARP or unsolicited advertisement makes sense), or null
     * when they can. Loopback, point-to-point links (tun, WireGuard, IP tunnels), NOARP links, and
     * links without a link-layer address.
     */
    public String noNeighbourDiscovery() {
        if (!exists) {
            return null;
        }
        if (linkType.equals("loopback")) {
            return "loopback";
        }
        if (pointToPoint) {
            return "point-to-point";
        }
        if (noArp) {
            return "NOARP";
        }
        if (linkType.equals("none") || macAddress.isEmpty()) {
            return "no link-layer address";
        }
        return null;
    }
}
