package io.lcs.harness.netns;

/**
 * One VIP of the harness cluster: its lcs name, address without prefix and CIDR.
 *
 * @param name lcs VIP name, e.g. {@code v4a}
 * @param address the address as {@code ip} prints it, e.g. {@code 198.18.0.201} or {@code 2001:db8::201}
 * @param cidr with prefix length, as in lcs.conf
 */
public record Vip(String name, String address, String cidr, boolean ipv6) {
    /** VIP pair k (1..): IPv4 {@code v4-k} and IPv6 {@code v6-k}. */
    public static Vip v4(int k) {
        return new Vip("v4-" + k, Topology.vipV4(k), Topology.vipV4(k) + "/24", false);
    }

    public static Vip v6(int k) {
        return new Vip("v6-" + k, Topology.vipV6(k), Topology.vipV6(k) + "/64", true);
    }
}
