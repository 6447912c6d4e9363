package io.lcs.harness.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The keepalived.conf of one node of the benchmark's VRRP cluster: one {@code vrrp_instance}
 * with the given priority, {@code advert_int}, and keepalived's defaults otherwise (preemption,
 * VRRPv2, no authentication, no {@code vrrp_strict}). The highest-priority node starts in state
 * MASTER, the others BACKUP, as keepalived's documentation sets it up. Multicast (keepalived's
 * default, 224.0.0.18 on the bridge) unless {@code unicastPeers} is non-empty. Pure.
 *
 * @param routerId {@code global_defs router_id}, e.g. the node name
 * @param iface the VRRP and VIP interface
 * @param virtualRouterId 1..255, the same on every node
 * @param priority 1..254
 * @param master whether {@code state MASTER} (else BACKUP)
 * @param advertSeconds {@code advert_int}, 1..255
 * @param unicastSrc this node's address when unicast, else null
 * @param unicastPeers the other nodes' addresses (empty: multicast)
 * @param vipCidrs the {@code virtual_ipaddress} entries, e.g. {@code 198.18.0.201/24}, at least one
 */
public record KeepalivedConfig(String routerId, String iface, int virtualRouterId, int priority, boolean master,
                               int advertSeconds, String unicastSrc, List<String> unicastPeers, List<String> vipCidrs,
                               TrackScript track) {
    /**
     * A {@code vrrp_script} the instance tracks ({@code track_script}): while it fails the node goes to
     * FAULT and gives the VIP up, keepalived's counterpart of an lcs health check.
     *
     * @param path an executable, root-owned, run as root ({@code script_user root}, {@code enable_script_security})
     * @param intervalSeconds {@code interval}
     * @param fall failures in a row before FAULT
     * @param rise successes in a row before it leaves FAULT
     */
    public record TrackScript(String path, int intervalSeconds, int fall, int rise) {
        public TrackScript {
            if (path == null || !path.startsWith("/") || path.contains("\"") || path.contains(" ")) {
                throw new IllegalArgumentException("vrrp_script path '" + path + "': an absolute path without spaces");
            }
            if (intervalSeconds < 1 || fall < 1 || rise < 1) {
                throw new IllegalArgumentException("vrrp_script interval/fall/rise must be >= 1");
            }
        }
    }

    public KeepalivedConfig(String routerId, String iface, int virtualRouterId, int priority, boolean master,
                            int advertSeconds, String unicastSrc, List<String> unicastPeers, List<String> vipCidrs) {
        this(routerId, iface, virtualRouterId, priority, master, advertSeconds, unicastSrc, unicastPeers, vipCidrs, null);
    }

    /** The same instance tracking {@code script}. */
    public KeepalivedConfig withTrack(TrackScript script) {
        return new KeepalivedConfig(routerId, iface, virtualRouterId, priority, master, advertSeconds, unicastSrc,
                unicastPeers, vipCidrs, script);
    }

    public KeepalivedConfig {
        if (routerId == null || !routerId.matches("[A-Za-z0-9_.-]{1,32}")) {
            throw new IllegalArgumentException("keepalived router_id '" + routerId + "': 1..32 of [A-Za-z0-9_.-]");
        }
        if (iface == null || !iface.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new IllegalArgumentException("keepalived interface '" + iface + "' is not an interface name");
        }
        if (virtualRouterId < 1 || virtualRouterId > 255) {
            throw new IllegalArgumentException("virtual_router_id " + virtualRouterId + ": must be 1..255");
        }
        if (priority < 1 || priority > 254) {
            throw new IllegalArgumentException("priority " + priority + ": must be 1..254");
        }
        if (advertSeconds < 1 || advertSeconds > 255) {
            throw new IllegalArgumentException("advert_int " + advertSeconds + ": must be 1..255");
        }
        unicastPeers = List.copyOf(unicastPeers);
        if (!unicastPeers.isEmpty() && unicastSrc == null) {
            throw new IllegalArgumentException("unicast peers " + unicastPeers + " without a unicast_src_ip");
        }
        vipCidrs = List.copyOf(vipCidrs);
        if (vipCidrs.isEmpty()) {
            throw new IllegalArgumentException("keepalived instance without a virtual_ipaddress");
        }
        for (String c : vipCidrs) {
            if (!c.matches("[0-9a-fA-F:.]+/\\d{1,3}")) {
                throw new IllegalArgumentException("virtual_ipaddress '" + c + "' is not ADDRESS/PREFIX");
            }
        }
    }

    /**
     * One config per node: node i (0-based) has {@code priorities.get(i)}, the highest is MASTER.
     *
     * @param unicast unicast peers instead of multicast
     */
    public static List<KeepalivedConfig> cluster(List<String> nodeNames, List<String> nodeAddresses,
                                                 List<Integer> priorities, String iface, int virtualRouterId,
                                                 List<String> vipCidrs, boolean unicast) {
        if (nodeNames.size() < 2 || nodeNames.size() != nodeAddresses.size() || nodeNames.size() != priorities.size()) {
            throw new IllegalArgumentException("keepalived cluster: " + nodeNames.size() + " names, "
                    + nodeAddresses.size() + " addresses, " + priorities.size() + " priorities: need >= 2 of each, equal");
        }
        int top = priorities.stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (priorities.stream().filter(p -> p == top).count() > 1) {
            throw new IllegalArgumentException("keepalived priorities " + priorities + ": the highest must be unique");
        }
        List<KeepalivedConfig> out = new ArrayList<>();
        for (int i = 0; i < nodeNames.size(); i++) {
            List<String> peers = new ArrayList<>();
            if (unicast) {
                for (int j = 0; j < nodeAddresses.size(); j++) {
                    if (j != i) {
                        peers.add(nodeAddresses.get(j));
                    }
                }
            }
            out.add(new KeepalivedConfig(nodeNames.get(i), iface, virtualRouterId, priorities.get(i),
                    priorities.get(i) == top, 1, unicast ? nodeAddresses.get(i) : null, peers, vipCidrs));
        }
        return out;
    }

    /** The keepalived.conf text. */
    public String render() {
        StringBuilder sb = new StringBuilder(128 + vipCidrs.size() * 40);
        sb.append("# generated by the lcs benchmark (lcs-harness bench)\n");
        sb.append("global_defs {\n    router_id ").append(routerId).append('\n');
        if (track != null) {
            sb.append("    script_user root\n    enable_script_security\n");
        }
        sb.append("}\n\n");
        if (track != null) {
            sb.append("vrrp_script chk_service {\n    script \"").append(track.path()).append("\"\n    interval ")
                    .append(track.intervalSeconds()).append("\n    timeout ").append(track.intervalSeconds())
                    .append("\n    fall ").append(track.fall()).append("\n    rise ").append(track.rise()).append("\n}\n\n");
        }
        sb.append("vrrp_instance VI_1 {\n");
        sb.append("    state ").append(master ? "MASTER" : "BACKUP").append('\n');
        sb.append("    interface ").append(iface).append('\n');
        sb.append("    virtual_router_id ").append(virtualRouterId).append('\n');
        sb.append("    priority ").append(priority).append('\n');
        sb.append("    advert_int ").append(advertSeconds).append('\n');
        if (!unicastPeers.isEmpty()) {
            sb.append("    unicast_src_ip ").append(unicastSrc).append('\n');
            sb.append("    unicast_peer {\n");
            for (String p : unicastPeers) {
                sb.append("        ").append(p).append('\n');
            }
            sb.append("    }\n");
        }
        if (track != null) {
            sb.append("    track_script {\n        chk_service\n    }\n");
        }
        sb.append("    virtual_ipaddress {\n");
        for (String c : vipCidrs) {
            sb.append("        ").append(c).append(" dev ").append(iface).append('\n');
        }
        sb.append("    }\n}\n");
        return sb.toString();
    }
}
