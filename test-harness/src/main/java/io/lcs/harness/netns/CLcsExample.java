package io.lcs.harness.netns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lcs.model.config.ClusterConfig;
import io.lcs.model.config.ConfigParser;
import io.lcs.model.config.NodeConfig;
import io.lcs.model.config.VipConfig;
import io.lcs.model.net.Cidr;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A C-lcs-style lcs.conf of {@code examples/c-lcs}, run as written in network namespaces. The file
 * is not regenerated: each node gets a copy in which only the lines of the substitution table
 * below change (value replaced, the comment after it kept), and the namespaces get the file's own
 * node and VIP addresses (all in 198.18.0.0/15 or 2001:db8::/32, or loopback), so node addresses,
 * ports, VIPs, groups and every C-lcs key stay as the file has them.
 *
 * <table>
 *   <caption>Substitution table (per node and per run)</caption>
 *   <tr><th>line</th><th>becomes</th><th>why</th></tr>
 *   <tr><td>{@code [cluster] node}</td><td>the node's name</td><td>one file per node, as with the C lcs</td></tr>
 *   <tr><td>{@code [cluster] bind} (if set)</td><td>the node's own address</td><td>idem</td></tr>
 *   <tr><td>{@code [cluster] state_dir}</td><td>the run's directory for the node (added when absent)</td>
 *       <td>lcs keeps state per daemon; the default /var/lib/lcs is the host's</td></tr>
 *   <tr><td>{@code [cluster] socket}, {@code pidfile} (if set)</td><td>files in that directory</td>
 *       <td>/run/lcs is the host's</td></tr>
 *   <tr><td>{@code [cluster] admin_port}, {@code metrics_port}</td><td>port + node index - 1, only when all
 *       nodes share one host ({@code localhost-cluster.conf})</td><td>three daemons cannot listen on one port</td></tr>
 *   <tr><td>{@code interface} of a {@code [vip]}</td><td>as listed per example (e.g. {@code eth1} to
 *       {@code eth0})</td><td>a node namespace has one link, eth0</td></tr>
 * </table>
 *
 * <p>{@link #changedLinesOutsideTable} checks that a rewritten copy differs from the file on these
 * lines only. Network helpers put the file's addresses on a node's namespace, create the links a
 * file names that a namespace lacks ({@code eth0.41}: a segment of its own), give the client an address in each VIP's subnet, and read which
 * namespace holds which address.
 */
public final class CLcsExample {
    /** {@code [cluster]} keys the table may change (or add). */
    public static final Set<String> TABLE_KEYS = Set.of("node", "bind", "state_dir", "socket", "pidfile", "admin_port",
            "metrics_port", "interface");
    private static final Pattern SECTION = Pattern.compile("^\\s*\\[\\s*([A-Za-z]+)(?:\\s+[^\\]]*)?\\]");
    /** {@code key = value [comment]}; a comment starts at whitespace then # or ; (as ConfigParser reads it). */
    private static final Pattern KEY_LINE = Pattern.compile("^(\\s*)([A-Za-z][A-Za-z0-9_-]*)(\\s*=\\s*)(.*?)((?:\\s+[#;].*)?)$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String fileName;
    private final String text;
    private final ClusterConfig config;

    private CLcsExample(String fileName, String text) {
        this.fileName = fileName;
        this.text = text;
        this.config = ConfigParser.parse(fileName, text);
    }

    /** Reads and parses an example file (it must be valid as written). */
    public static CLcsExample read(Path file) throws IOException {
        return new CLcsExample(file.getFileName().toString(), Files.readString(file));
    }

    /** The directory {@code examples/c-lcs} of the source tree, found from the working directory up. */
    public static Path sourceDirectory() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("examples/c-lcs"))) {
                return dir.resolve("examples/c-lcs");
            }
        }
        throw new HarnessException("no examples/c-lcs above " + Path.of("").toAbsolutePath());
    }

    public String fileName() {
        return fileName;
    }

    public String text() {
        return text;
    }

    /** The file as lcs reads it (as written, for the node it names). */
    public ClusterConfig config() {
        return config;
    }

    public List<NodeConfig> nodes() {
        return config.nodes();
    }

    public List<VipConfig> vips() {
        return config.vips().stream().filter(v -> !v.isService()).toList();
    }

    /** True if the file sets {@code key} in {@code [cluster]}. */
    public boolean hasClusterKey(String key) {
        return clusterValue(key) != null;
    }

    /** The value of {@code key} in {@code [cluster]} as written, or null. */
    public String clusterValue(String key) {
        String section = "";
        for (String line : text.split("\n", -1)) {
            Matcher s = SECTION.matcher(line);
            if (s.find()) {
                section = s.group(1);
                continue;
            }
            Matcher m = KEY_LINE.matcher(line);
            if (section.equals("cluster") && !line.strip().startsWith("#") && m.matches() && m.group(2).equals(key)) {
                return m.group(4);
            }
        }
        return null;
    }

    /**
     * The copy of the file for one node: {@code cluster} replaces the value of each {@code [cluster]}
     * key it names (added at the end of {@code [cluster]} when the file lacks it), {@code interfaces}
     * renames the {@code interface} of {@code [vip]} sections. Everything else, comments after values
     * included, is kept byte for byte. Only keys of {@link #TABLE_KEYS}.
     */
    public String rewrite(Map<String, String> cluster, Map<String, String> interfaces) {
        for (String k : cluster.keySet()) {
            if (!TABLE_KEYS.contains(k)) {
                throw new HarnessException(k + " is not in the substitution table " + TABLE_KEYS);
            }
        }
        Map<String, String> missing = new LinkedHashMap<>(cluster);
        List<String> out = new ArrayList<>();
        String section = "";
        int clusterEnd = -1;
        for (String line : text.split("\n", -1)) {
            Matcher s = SECTION.matcher(line);
            if (s.find()) {
                section = s.group(1);
                out.add(line);
                continue;
            }
            Matcher m = KEY_LINE.matcher(line);
            if (!line.strip().startsWith("#") && !line.strip().startsWith(";") && m.matches()) {
                String key = m.group(2);
                String value = null;
                if (section.equals("cluster") && cluster.containsKey(key)) {
                    value = cluster.get(key);
                    missing.remove(key);
                } else if (section.equals("vip") && key.equals("interface") && interfaces.containsKey(m.group(4))) {
                    value = interfaces.get(m.group(4));
                }
                if (value != null) {
                    line = m.group(1) + key + m.group(3) + value + m.group(5);
                }
                if (section.equals("cluster")) {
                    clusterEnd = out.size();
                }
            }
            out.add(line);
        }
        if (!missing.isEmpty()) {
            if (clusterEnd < 0) {
                throw new HarnessException(fileName + " has no [cluster] key to add " + missing.keySet() + " after");
            }
            List<String> added = new ArrayList<>();
            missing.forEach((k, v) -> added.add(k + " = " + v + "   # added by the test (substitution table)"));
            out.addAll(clusterEnd + 1, added);
        }
        return String.join("\n", out);
    }

    /**
     * Lines of {@code copy} that differ from the file other than on a key of {@link #TABLE_KEYS} (or
     * lines added for such a key); empty when the copy is the file plus the table's changes.
     */
    public List<String> changedLinesOutsideTable(String copy) {
        List<String> wrong = new ArrayList<>();
        List<String> mine = List.of(text.split("\n", -1));
        List<String> theirs = new ArrayList<>(List.of(copy.split("\n", -1)));
        theirs.removeIf(l -> l.endsWith("# added by the test (substitution table)") && tableKey(l));
        if (mine.size() != theirs.size()) {
            wrong.add("line count " + mine.size() + " -> " + theirs.size());
            return wrong;
        }
        for (int i = 0; i < mine.size(); i++) {
            String a = mine.get(i);
            String b = theirs.get(i);
            if (a.equals(b)) {
                continue;
            }
            Matcher ma = KEY_LINE.matcher(a);
            Matcher mb = KEY_LINE.matcher(b);
            boolean sameShape = ma.matches() && mb.matches() && ma.group(2).equals(mb.group(2))
                    && ma.group(5).equals(mb.group(5)) && TABLE_KEYS.contains(ma.group(2));
            if (!sameShape) {
                wrong.add((i + 1) + ": '" + a + "' -> '" + b + "'");
            }
        }
        return wrong;
    }

    private static boolean tableKey(String line) {
        Matcher m = KEY_LINE.matcher(line);
        return m.matches() && TABLE_KEYS.contains(m.group(2));
    }

    /** The interfaces the VIPs name after renaming ({@code interfaces}), in file order. */
    public Set<String> vipInterfaces(Map<String, String> interfaces) {
        Set<String> out = new LinkedHashSet<>();
        for (VipConfig v : vips()) {
            out.add(interfaces.getOrDefault(v.interfaceName(), v.interfaceName()));
        }
        return out;
    }

    // ---- network helpers --------------------------------------------------------------------

    /** Adds {@code address} (a node's, as the file writes it) to {@code iface} of {@code ns}: /24 or /64. */
    public static void addAddress(String ns, String iface, String address) {
        InetAddress a = Cidr.parseAddress(address);
        boolean v6 = a.getAddress().length == 16;
        List<String> args = new ArrayList<>(List.of("addr", "add", Cidr.formatAddress(a) + (v6 ? "/64" : "/24"), "dev",
                iface));
        if (v6) {
            args.add("nodad");
        }
        Netns.ip(ns, args.toArray(String[]::new));
    }

    /**
     * Gives {@code ns} each link of {@code ifaces} it lacks (e.g. {@code eth0.41}, a VLAN as the file
     * names it) as a veth whose peer is a port of a bridge of its own in {@code switchNs}, one bridge
     * per name: the same layer-2 segment a VLAN is, without the 8021q module a test kernel may lack.
     * {@code tag} (a node's index, or "c" for the client) names the switch-side port.
     */
    public static void addSegments(String switchNs, String ns, String tag, Set<String> ifaces) {
        int k = 0;
        for (String iface : ifaces) {
            k++;
            if (Netns.run(Netns.COMMAND_TIMEOUT, List.of("ip", "-n", Netns.checkName(ns), "link", "show", "dev", iface))
                    .exitCode() == 0) {
                continue;
            }
            String bridge = "seg" + k;
            if (Netns.run(Netns.COMMAND_TIMEOUT, List.of("ip", "-n", Netns.checkName(switchNs), "link", "show", "dev",
                    bridge)).exitCode() != 0) {
                Netns.ip(switchNs, "link", "add", bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0");
                Netns.ip(switchNs, "link", "set", bridge, "up");
            }
            String port = "s" + k + "p" + tag;
            Netns.ip(switchNs, "link", "add", port, "type", "veth", "peer", "name", iface, "netns", ns);
            Netns.ip(switchNs, "link", "set", port, "master", bridge);
            Netns.ip(switchNs, "link", "set", port, "up");
            Netns.ip(ns, "link", "set", iface, "up");
        }
    }

    /** The MAC of {@code iface} in {@code ns}, lowercase. */
    public static String mac(String ns, String iface) {
        try {
            return JSON.readTree(Netns.ip(ns, "-j", "link", "show", "dev", iface)).get(0).path("address").asText()
                    .toLowerCase(java.util.Locale.ROOT);
        } catch (IOException e) {
            throw new HarnessException("cannot read the MAC of " + iface + " in " + ns + ": " + e.getMessage(), e);
        }
    }

    /**
     * An address for the client in {@code vip}'s subnet (host part 250, i.e. .250 or ::fa), or null
     * for a prefix longer than /24 (IPv4) or /120 (IPv6): no room, e.g. a /32 on lo.
     */
    public static String clientAddress(Cidr vip) {
        byte[] b = vip.address().getAddress();
        int bits = b.length * 8;
        if (vip.prefixLength() > bits - 8) {
            return null;
        }
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, vip.prefixLength() - i * 8));
            b[i] = (byte) (b[i] & (0xff << (8 - keep)));
        }
        b[b.length - 1] = (byte) 250;
        try {
            return Cidr.formatAddress(InetAddress.getByAddress(b)) + "/" + vip.prefixLength();
        } catch (UnknownHostException e) {
            throw new HarnessException("bad address bytes for " + vip + ": " + e.getMessage(), e);
        }
    }

    /** Every address on every interface of {@code ns}, canonical ({@link Cidr#formatAddress}). */
    public static Set<String> addresses(String ns) {
        Set<String> out = new TreeSet<>();
        try {
            for (JsonNode link : JSON.readTree(Netns.ip(ns, "-j", "addr", "show"))) {
                for (JsonNode a : link.path("addr_info")) {
                    out.add(Cidr.formatAddress(Cidr.parseAddress(a.path("local").asText())));
                }
            }
        } catch (IOException e) {
            throw new HarnessException("cannot read the addresses of " + ns + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The canonical text of a VIP's address (as {@link #addresses} lists it). */
    public static String address(VipConfig vip) {
        return Cidr.formatAddress(vip.address().address());
    }
}
