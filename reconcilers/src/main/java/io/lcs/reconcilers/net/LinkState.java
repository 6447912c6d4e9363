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
 */
public record LinkState(String ifname, boolean exists, boolean up, boolean lowerUp, String operState,
                        String macAddress) {
    public LinkState {
        Objects.requireNonNull(ifname, "ifname");
        Objects.requireNonNull(operState, "operState");
        Objects.requireNonNull(macAddress, "macAddress");
    }

    public static LinkState absent(String ifname) {
        return new LinkState(ifname, false, false, false, "", "");
    }
}
