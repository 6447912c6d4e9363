package io.lcs.harness.netns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The network of one run, all inside namespaces this run creates (prefix {@code lcsh-<6 hex>-}):
 *
 * <ul>
 *   <li>{@code <prefix>sw}: the switch, with bridges {@code br0} (the LAN) and {@code br1..br7}
 *       (spare segments for partitions). One veth pair per node: {@code p<i>} stays here as a
 *       bridge port, its peer becomes {@code eth0} of the node. The pairs are created inside this
 *       namespace and the peer is created directly in the node's namespace, so no interface ever
 *       appears in the host's namespace;</li>
 *   <li>{@code <prefix>n<i>} (i = 1..N): node i, {@code eth0} with 198.18.0.i/24 and
 *       2001:db8::i/64 ({@code nodad}: no 1.5 s DAD wait);</li>
 *   <li>{@code <prefix>cl}: the client, 198.18.0.250/24 and 2001:db8::250/64, always on br0.</li>
 * </ul>
 *
 * A partition moves bridge ports between bridges: links stay up and the nodes simply hear
 * nothing from the other side. VIP k (k = 1..) is 198.18.0.(200+k)/24 and 2001:db8::(200+k)/64.
 * {@link #close()} deletes every namespace (idempotent).
 */
public final class Topology implements AutoCloseable {
    public static final int MIN_NODES = 2;
    public static final int MAX_NODES = 7;
    /** br0 plus one spare per possible group: any split of 7 nodes fits. */
    public static final int BRIDGES = MAX_NODES + 1;
    public static final String IFACE = "eth0";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String runId;
    private final String prefix;
    private final int nodes;
    private final RunRegistry registry;
    private final List<String> created = new ArrayList<>();
    private final Map<Integer, String> macs = new HashMap<>();
    /** Bridge each node's port is on now (0 = br0). */
    private final Map<Integer, Integer> bridgeOf = new HashMap<>();
    private boolean closed;

    private Topology(String runId, int nodes, RunRegistry registry) {
        this.runId = runId;
        this.prefix = Netns.PREFIX + runId + "-";
        this.nodes = nodes;
        this.registry = registry;
    }

    /** A fresh random run id: 6 lowercase hex digits. */
    public static String newRunId() {
        byte[] b = new byte[3];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * Builds the whole network. On any failure what was built is deleted before the exception
     * propagates.
     */
    public static Topology create(String runId, int nodes, RunRegistry registry) {
        if (nodes < MIN_NODES || nodes > MAX_NODES) {
            throw new HarnessException("nodes = " + nodes + ": the harness runs " + MIN_NODES + ".." + MAX_NODES + " nodes");
        }
        if (!runId.matches("[0-9a-f]{6}")) {
            throw new HarnessException("run id '" + runId + "' must be 6 lowercase hex digits");
        }
        Topology t = new Topology(runId, nodes, registry);
        try {
            t.build();
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private void build() {
        String sw = switchNs();
        addNs(sw);
        for (int b = 0; b < BRIDGES; b++) {
            Netns.ip(sw, "link", "add", "br" + b, "type", "bridge", "stp_state", "0", "forward_delay", "0");
            Netns.ip(sw, "link", "set", "br" + b, "up");
        }
        for (int i = 1; i <= nodes; i++) {
            addNs(nodeNs(i));
            attach(nodeNs(i), "p" + i);
            configure(nodeNs(i), nodeV4(i), nodeV6(i));
            bridgeOf.put(i, 0);
            macs.put(i, mac(nodeNs(i)));
        }
        addNs(clientNs());
        attach(clientNs(), "pc");
        configure(clientNs(), CLIENT_V4, CLIENT_V6);
    }

    public static final String CLIENT_V4 = "198.18.0.250";
    public static final String CLIENT_V6 = "2001:db8::250";

    private void addNs(String ns) {
        Netns.add(ns);
        created.add(ns);
        registry.namespace(ns);
    }

    private void attach(String ns, String port) {
        String sw = switchNs();
        Netns.ip(sw, "link", "add", port, "type", "veth", "peer", "name", IFACE, "netns", ns);
        Netns.ip(sw, "link", "set", port, "master", "br0");
        Netns.ip(sw, "link", "set", port, "up");
    }

    private static void configure(String ns, String v4, String v6) {
        Netns.ip(ns, "link", "set", "lo", "up");
        Netns.ip(ns, "link", "set", IFACE, "up");
        Netns.ip(ns, "addr", "add", v4 + "/24", "dev", IFACE);
        Netns.ip(ns, "addr", "add", v6 + "/64", "dev", IFACE, "nodad");
    }

    private static String mac(String ns) {
        try {
            JsonNode a = JSON.readTree(Netns.ip(ns, "-j", "link", "show", "dev", IFACE));
            return a.get(0).path("address").asText().toLowerCase(Locale.ROOT);
        } catch (java.io.IOException e) {
            throw new HarnessException("cannot read the MAC of " + IFACE + " in " + ns + ": " + e.getMessage(), e);
        }
    }

    public String runId() {
        return runId;
    }

    public String prefix() {
        return prefix;
    }

    public int nodeCount() {
        return nodes;
    }

    public String switchNs() {
        return prefix + "sw";
    }

    public String clientNs() {
        return prefix + "cl";
    }

    public String nodeNs(int i) {
        checkNode(i);
        return prefix + "n" + i;
    }

    public static String nodeV4(int i) {
        return "198.18.0." + i;
    }

    public static String nodeV6(int i) {
        return "2001:db8::" + i;
    }

    public static String vipV4(int k) {
        return "198.18.0." + (200 + k);
    }

    public static String vipV6(int k) {
        return "2001:db8::" + (200 + k);
    }

    /** MAC of node i's eth0, lowercase. */
    public String mac(int i) {
        checkNode(i);
        return macs.get(i);
    }

    /** Node index of a MAC, or 0 if it is no node's. */
    public int nodeOfMac(String mac) {
        String m = mac.toLowerCase(Locale.ROOT);
        for (Map.Entry<Integer, String> e : macs.entrySet()) {
            if (e.getValue().equals(m)) {
                return e.getKey();
            }
        }
        return 0;
    }

    /**
     * Splits the LAN: group 0 stays on br0 with the client, group g moves to br(g). Every node
     * must be in exactly one group.
     */
    public synchronized void partition(List<List<Integer>> groups) {
        if (groups.isEmpty() || groups.size() > BRIDGES) {
            throw new HarnessException("partition into " + groups.size() + " groups: must be 1.." + BRIDGES);
        }
        Set<Integer> seen = new HashSet<>();
        for (List<Integer> g : groups) {
            for (int i : g) {
                checkNode(i);
                if (!seen.add(i)) {
                    throw new HarnessException("partition " + groups + ": node " + i + " is in two groups");
                }
            }
        }
        if (seen.size() != nodes) {
            throw new HarnessException("partition " + groups + ": every node 1.." + nodes + " must be in a group");
        }
        Map<Integer, Integer> target = new LinkedHashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            for (int i : groups.get(g)) {
                target.put(i, g);
            }
        }
        for (Map.Entry<Integer, Integer> e : target.entrySet()) {
            movePort(e.getKey(), e.getValue());
        }
    }

    /** Puts every node back on br0. */
    public synchronized void heal() {
        for (int i = 1; i <= nodes; i++) {
            movePort(i, 0);
        }
    }

    private void movePort(int node, int bridge) {
        if (bridgeOf.get(node) == bridge) {
            return;
        }
        Netns.ip(switchNs(), "link", "set", "p" + node, "master", "br" + bridge);
        bridgeOf.put(node, bridge);
    }

    /** Which bridge node i is on (0 = with the client). */
    public synchronized int bridgeOf(int i) {
        checkNode(i);
        return bridgeOf.get(i);
    }

    /** Administratively downs node i's eth0 (the VIP interface; the kernel flushes its IPv6 addresses). */
    public void linkDown(int i) {
        Netns.ip(nodeNs(i), "link", "set", IFACE, "down");
    }

    /** Brings eth0 back up and restores the node's own IPv6 address the kernel flushed on down. */
    public void linkUp(int i) {
        Netns.ip(nodeNs(i), "link", "set", IFACE, "up");
        Netns.ip(nodeNs(i), "addr", "replace", nodeV6(i) + "/64", "dev", IFACE, "nodad");
    }

    private void checkNode(int i) {
        if (i < 1 || i > nodes) {
            throw new HarnessException("node " + i + " does not exist (nodes 1.." + nodes + ")");
        }
    }

    /** Deletes every namespace this run created (node namespaces first, so their veths go too). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> rev = new ArrayList<>(created);
        java.util.Collections.reverse(rev);
        for (String ns : rev) {
            Netns.delete(ns);
        }
    }
}
