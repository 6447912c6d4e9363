package io.lcs.harness.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lcs.controller.daemon.Lcsd;
import io.lcs.model.config.GroupConfig;
import io.lcs.model.config.NodeConfig;
import io.lcs.model.config.VipConfig;
import io.lcs.reconcilers.process.CommandResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every C-lcs-style configuration of examples/c-lcs, taken as written ({@link CLcsExample}: only
 * the lines of its substitution table change per node), checks ({@code lcsd --check-config}, with
 * the warnings the C-lcs keys earn), starts a cluster in network namespaces (one per node on a
 * bridge in a namespace of the test; the namespaces carry the file's own addresses and VLAN links)
 * and works: quorum, each VIP on exactly one node's interface and answered from the client
 * namespace by that node's MAC, each keep-together group on one node and each anti-affinity group
 * spread, {@code lcs status} and {@code lcs -j status} say the same, {@code lcs nrpe} is OK, a
 * pidfile names the daemon; then a kill -9 of the owner of the first VIP moves its VIPs (and
 * groups, together) to another node. localhost-cluster.conf runs its three daemons in one
 * namespace on its loopback, each with its own admin port. systemd-service.conf needs a systemd per
 * node: dist's SystemdCLcsExampleIT runs it. Needs root: skipped otherwise, except under
 * {@code CI=true}. Prints each file's times.
 */
class NetnsCLcsExamplesIT {
    /** Run under real systemd by dist's SystemdCLcsExampleIT (its [service] is a systemd unit). */
    static final String UNDER_SYSTEMD = "systemd-service.conf";
    static final Set<String> ALL = Set.of("simple-cluster.conf", "localhost-cluster.conf", "different-ports.conf",
            "ipv6.conf", "groups.conf", "grouped-dual-stack.conf", UNDER_SYSTEMD);
    /** Examples whose nodes all run on one host (one namespace, its loopback). */
    static final Set<String> ONE_HOST = Set.of("localhost-cluster.conf");
    /** Interface renames of the substitution table, per example: a node namespace has one link, eth0. */
    static final Map<String, Map<String, String>> INTERFACES = Map.of("different-ports.conf", Map.of("eth1", "eth0"));
    /** A C-lcs key the file sets → text lcsd --check-config must print about it (a warning naming it). */
    static final Map<String, String> C_KEY_WARNINGS = Map.of("socket", ": socket: lcs has no control socket",
            "peer_timeout_ms", ": peer_timeout_ms: ", "probe_count", ": probe_count: ");
    static final Duration CONVERGE = Duration.ofSeconds(45);
    static final Duration CLI_TIMEOUT = Duration.ofSeconds(20);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private RunRegistry registry;
    private Topology topology;
    private final List<Daemon> daemons = new ArrayList<>();

    /** One lcsd of the example. */
    static final class Daemon {
        final NodeConfig node;
        final int index;
        final String ns;
        final Path dir;
        final Path conf;
        final Path log;
        final int adminPort;
        Process process;

        Daemon(NodeConfig node, int index, String ns, Path dir, int adminPort) {
            this.node = node;
            this.index = index;
            this.ns = ns;
            this.dir = dir;
            this.conf = dir.resolve("lcs.conf");
            this.log = dir.resolve("lcsd.log");
            this.adminPort = adminPort;
        }

        boolean running() {
            return process != null && process.isAlive();
        }

        String name() {
            return node.name();
        }
    }

    @BeforeAll
    static void preflight() {
        String why = HarnessMain.preflight();
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but the netns harness cannot run: " + why);
            }
            assumeTrue(false, "needs root and network tools: " + why);
        }
    }

    static Stream<String> examples() throws IOException {
        try (Stream<Path> s = Files.list(CLcsExample.sourceDirectory())) {
            Set<String> names = s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(ALL), names, "examples/c-lcs: every file is run, here or under systemd");
        }
        return ALL.stream().filter(n -> !n.equals(UNDER_SYSTEMD)).sorted();
    }

    @AfterEach
    void tearDown() {
        for (Daemon d : daemons) {
            if (d.process != null) {
                d.process.toHandle().destroyForcibly(); // our own processes, by PID
            }
        }
        for (Daemon d : daemons) {
            if (d.process != null) {
                try {
                    d.process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (topology != null) {
            topology.close();
        }
        if (registry != null) {
            registry.finished();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    @Timeout(value = 150)
    void startsAsWrittenWorksAndFailsOver(String file) throws Exception {
        long t0 = System.nanoTime();
        CLcsExample ex = CLcsExample.read(CLcsExample.sourceDirectory().resolve(file));
        boolean oneHost = ONE_HOST.contains(file);
        Map<String, String> ifaces = INTERFACES.getOrDefault(file, Map.of());
        String runId = Topology.newRunId();
        registry = RunRegistry.open(runId);
        topology = Topology.create(runId, Math.max(Topology.MIN_NODES, ex.nodes().size()), registry);
        String clientNs = oneHost ? topology.nodeNs(1) : topology.clientNs();
        writeConfigs(ex, oneHost, ifaces);
        prepareNetwork(ex, oneHost, ifaces, clientNs);
        for (Daemon d : daemons) {
            start(d);
        }
        long started = System.nanoTime();

        // quorum, each VIP on exactly one node, the status of every node agrees
        Map<String, String> owners = awaitOwners(ex, CONVERGE, null);
        long formedMs = (System.nanoTime() - t0) / 1_000_000;
        if (ex.vips().stream().anyMatch(v -> v.grouping().homeNode() != null)) {
            // The node that ends its restart wait first takes every VIP; a home node that came later
            // takes its VIPs back once eligible for failback_settle_ms. Kill only after that, so the
            // failover below starts from where the VIPs stay (restart wait ~ a lease, plus JVM start).
            long failbackDone = started + Duration.ofMillis(ex.config().leaseMillis()
                    + ex.config().failbackSettleMillis() + 4_000).toNanos();
            long wait = failbackDone - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000);
            }
            owners = awaitOwners(ex, CONVERGE, null);
            assertHomes(ex, owners);
        }
        for (Daemon d : daemons) {
            assertListening(d);
        }
        Daemon witness = daemons.get(daemons.size() - 1); // any node reads the cluster; the last one is often a witness
        JsonNode status = awaitStatus(witness, ex, owners, true);
        assertGroups(ex, owners);
        for (VipConfig v : ex.vips()) {
            assertAnswered(ex, v, owners.get(v.name()), clientNs, oneHost);
        }
        checkCStatusText(witness, ex, owners);
        CommandResult nrpe = cli(witness, "nrpe");
        assertEquals(0, nrpe.exitCode(), nrpe + logs());
        assertTrue(nrpe.stdout().startsWith("OK - quorum=yes votes=" + ex.nodes().size() + "/" + ex.nodes().size()),
                nrpe.stdout());
        if (ex.hasClusterKey("pidfile")) {
            for (Daemon d : daemons) {
                Path pidfile = d.dir.resolve("lcsd.pid");
                assertTrue(Files.isRegularFile(pidfile), "no " + pidfile);
                assertEquals(d.process.pid(), Long.parseLong(Files.readString(pidfile).strip()), pidfile.toString());
            }
        }

        // failover: kill -9 of the owner of the first VIP
        VipConfig first = ex.vips().get(0);
        String victimName = owners.get(first.name());
        Daemon victim = daemons.stream().filter(d -> d.name().equals(victimName)).findFirst().orElseThrow();
        Set<String> moved = owners.entrySet().stream().filter(e -> e.getValue().equals(victimName))
                .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
        long k0 = System.nanoTime();
        victim.process.toHandle().destroyForcibly();
        assertTrue(victim.process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "kill -9 of " + victimName);
        Map<String, String> after = awaitOwners(ex, CONVERGE, victimName);
        long failoverMs = (System.nanoTime() - k0) / 1_000_000;
        for (String vip : moved) {
            assertNotEquals(victimName, after.get(vip), vip);
        }
        assertGroups(ex, after);
        assertHomes(ex, after); // a failover goes straight home, not elsewhere first
        Daemon survivor = daemons.stream().filter(Daemon::running).reduce((a, b) -> b).orElseThrow();
        awaitStatus(survivor, ex, after, false);
        for (VipConfig v : ex.vips()) {
            assertAnswered(ex, v, after.get(v.name()), clientNs, oneHost);
        }
        System.out.printf("[NetnsCLcsExamplesIT] %s: %d nodes, %d VIPs; formed and steady after %d ms; kill -9 of %s"
                        + " (held %s) -> all VIPs active elsewhere after %d ms; whole case %d ms%n", file,
                ex.nodes().size(), ex.vips().size(), formedMs, victimName, moved, failoverMs,
                (System.nanoTime() - t0) / 1_000_000);
        assertTrue(status.path("cluster").path("quorum").asBoolean());
    }

    /** Writes each node's copy (the substitution table) and checks it with lcsd --check-config. */
    private void writeConfigs(CLcsExample ex, boolean oneHost, Map<String, String> ifaces) throws IOException {
        int i = 0;
        for (NodeConfig n : ex.nodes()) {
            i++;
            Path dir = Files.createDirectories(tmp.resolve(n.name()));
            Files.createDirectories(dir.resolve("state"));
            Map<String, String> table = new LinkedHashMap<>();
            table.put("node", n.name());
            if (ex.hasClusterKey("bind")) {
                table.put("bind", n.address());
            }
            table.put("state_dir", dir.resolve("state").toString());
            if (ex.hasClusterKey("socket")) {
                table.put("socket", dir.resolve("lcsd.sock").toString());
            }
            if (ex.hasClusterKey("pidfile")) {
                table.put("pidfile", dir.resolve("lcsd.pid").toString());
            }
            int admin = ex.config().adminPort();
            if (oneHost) {
                admin += i - 1;
                table.put("admin_port", Integer.toString(admin));
                if (ex.config().metrics()) {
                    table.put("metrics_port", Integer.toString(ex.config().metricsPort() + i - 1));
                }
            }
            String copy = ex.rewrite(table, ifaces);
            assertEquals(List.of(), ex.changedLinesOutsideTable(copy), n.name() + "'s copy changes only the table");
            Daemon d = new Daemon(n, i, topology.nodeNs(oneHost ? 1 : i), dir, admin);
            Files.writeString(d.conf, copy);
            daemons.add(d);
            checkConfig(ex, d);
        }
    }

    private static void checkConfig(CLcsExample ex, Daemon d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = new CommandLine(new Lcsd(ps, ps)).execute("--check-config", "-c", d.conf.toString());
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, d.name() + ":\n" + text);
        assertTrue(text.contains(": OK"), text);
        java.util.regex.Matcher at = java.util.regex.Pattern.compile("interface = ((\\S+)@\\S+)").matcher(ex.text());
        while (at.find()) { // NAME@PARENT as ip(8) shows a VLAN or veth: lcs uses NAME and says so
            assertTrue(text.contains(": interface = " + at.group(1) + ": using '" + at.group(2) + "'"), text);
        }
        C_KEY_WARNINGS.forEach((key, warning) -> {
            if (ex.hasClusterKey(key)) {
                assertTrue(text.contains(warning), ex.fileName() + " sets " + key + ": --check-config says '" + warning
                        + "'\n" + text);
            }
        });
    }

    /** The file's addresses on the node namespaces, its VLAN links, a client address in each VIP subnet. */
    private void prepareNetwork(CLcsExample ex, boolean oneHost, Map<String, String> ifaces, String clientNs) {
        Set<String> vipIfaces = ex.vipInterfaces(ifaces);
        if (oneHost) {
            return; // loopback: 127.0.0.0/8 is local on lo of the one namespace
        }
        for (Daemon d : daemons) {
            CLcsExample.addAddress(d.ns, Topology.IFACE, d.node.address());
            CLcsExample.addSegments(topology.switchNs(), d.ns, Integer.toString(d.index), vipIfaces);
        }
        CLcsExample.addSegments(topology.switchNs(), clientNs, "c", vipIfaces);
        Set<String> done = new TreeSet<>();
        for (VipConfig v : ex.vips()) {
            String client = CLcsExample.clientAddress(v.address());
            String iface = ifaces.getOrDefault(v.interfaceName(), v.interfaceName());
            if (client != null && done.add(client)) {
                List<String> args = new ArrayList<>(List.of("addr", "add", client, "dev", iface));
                if (v.address().isIpv6()) {
                    args.add("nodad");
                }
                Netns.ip(clientNs, args.toArray(String[]::new));
            }
        }
    }

    private void start(Daemon d) throws IOException {
        List<String> argv = new ArrayList<>(Cluster.LCSD_PRIORITY);
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(Cluster.JVM_FLAGS);
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.lcs.controller.daemon.Lcsd", "-c",
                d.conf.toString(), "-v"));
        d.process = new ProcessBuilder(Netns.exec(d.ns, argv)).redirectErrorStream(true)
                .redirectOutput(d.log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        registry.process(d.process, "lcsd-" + d.name());
    }

    /**
     * Waits until every VIP is on exactly one node, a running one other than {@code not} (null: any),
     * the same for 1 s: from the kernels of the node namespaces, or (one host: one kernel for all)
     * from {@code lcs -j status}. Returns VIP → owner.
     */
    private Map<String, String> awaitOwners(CLcsExample ex, Duration timeout, String not) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> last = null;
        long stableSince = 0;
        String why = "";
        while (System.nanoTime() < deadline) {
            Map<String, String> now = new LinkedHashMap<>();
            why = "";
            Map<String, Set<String>> held = ONE_HOST.contains(ex.fileName()) ? statusOwners(ex) : kernelHolders(ex);
            for (VipConfig v : ex.vips()) {
                Set<String> h = held.getOrDefault(v.name(), Set.of());
                if (h.size() == 1 && (not == null || !h.contains(not)) && daemon(h.iterator().next()).running()) {
                    now.put(v.name(), h.iterator().next());
                } else {
                    why += " " + v.name() + "=" + h;
                }
            }
            if (why.isEmpty() && now.equals(last)) {
                if (System.nanoTime() - stableSince >= 1_000_000_000L) {
                    return now;
                }
            } else {
                stableSince = System.nanoTime();
            }
            last = why.isEmpty() ? now : null;
            Thread.sleep(100);
        }
        fail(ex.fileName() + ": VIPs not each on exactly one running node" + (not == null ? "" : " other than " + not)
                + " within " + timeout.toSeconds() + " s:" + why + "\n" + logs());
        return null;
    }

    /** VIP → the nodes whose namespace has its address on an interface. */
    private Map<String, Set<String>> kernelHolders(CLcsExample ex) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (Daemon d : daemons) {
            Set<String> addrs = CLcsExample.addresses(d.ns);
            for (VipConfig v : ex.vips()) {
                if (addrs.contains(CLcsExample.address(v))) {
                    out.computeIfAbsent(v.name(), k -> new TreeSet<>()).add(d.name());
                }
            }
        }
        return out;
    }

    /** One host: VIP → its owner per {@code lcs -j status} of a running daemon, if its address is on the host. */
    private Map<String, Set<String>> statusOwners(CLcsExample ex) throws IOException {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        Daemon via = daemons.stream().filter(Daemon::running).reduce((a, b) -> b).orElseThrow();
        CommandResult r = cli(via, "-j", "status");
        if (!r.ok()) {
            return out;
        }
        Set<String> addrs = CLcsExample.addresses(via.ns);
        for (JsonNode res : JSON.readTree(r.stdout()).path("resources")) {
            VipConfig v = ex.config().vip(res.path("name").asText()).orElseThrow();
            if ("active".equals(res.path("state").asText()) && addrs.contains(CLcsExample.address(v))) {
                out.put(v.name(), Set.of(res.path("owner").asText()));
            }
        }
        return out;
    }

    /**
     * {@code lcs -j status} on {@code via} until it shows quorum, every node online (all: every
     * running one) and every VIP active on its owner with the file's group, home node and interface.
     */
    private JsonNode awaitStatus(Daemon via, CLcsExample ex, Map<String, String> owners, boolean all) throws Exception {
        String last = "";
        for (int attempt = 0; attempt < 20; attempt++) {
            CommandResult r = cli(via, "-j", "status");
            last = r.toString();
            if (r.ok()) {
                JsonNode s = JSON.readTree(r.stdout());
                String problem = statusProblem(s, ex, owners, all);
                if (problem == null) {
                    return s;
                }
                last = problem + "\n" + r.stdout();
            }
            Thread.sleep(500);
        }
        fail(ex.fileName() + ": lcs -j status on " + via.name() + " never agreed: " + last + "\n" + logs());
        return null;
    }

    private String statusProblem(JsonNode s, CLcsExample ex, Map<String, String> owners, boolean all) {
        if (!s.path("cluster").path("quorum").asBoolean()) {
            return "no quorum";
        }
        for (JsonNode n : s.path("nodes")) {
            boolean shouldRun = all || daemon(n.path("name").asText()).running();
            if (shouldRun && !"online".equals(n.path("state").asText())) {
                return n.path("name").asText() + " is " + n.path("state").asText();
            }
        }
        if (s.path("resources").size() != ex.config().vips().size()) {
            return "resources: " + s.path("resources").size();
        }
        for (JsonNode res : s.path("resources")) {
            VipConfig v = ex.config().vip(res.path("name").asText()).orElse(null);
            if (v == null) {
                return "unknown resource " + res.path("name");
            }
            if (!"active".equals(res.path("state").asText()) || !owners.get(v.name()).equals(res.path("owner").asText())) {
                return v.name() + " " + res.path("state").asText() + " on " + res.path("owner").asText() + ", kernel: "
                        + owners.get(v.name());
            }
            if (!res.path("interface").asText().equals(v.interfaceName())
                    && !INTERFACES.getOrDefault(ex.fileName(), Map.of()).containsValue(res.path("interface").asText())) {
                return v.name() + " interface " + res.path("interface");
            }
            String group = v.grouping().group();
            if (group != null && !group.equals(res.path("group").asText())) {
                return v.name() + " group " + res.path("group");
            }
            String home = v.grouping().homeNode();
            if (home != null && !home.equals(res.path("home_node").asText())) {
                return v.name() + " home_node " + res.path("home_node");
            }
        }
        return null;
    }

    /** lcsd listens for peers on its node's address (or all) and the port the file gives it (different-ports.conf: its own). */
    private static void assertListening(Daemon d) {
        String ss = Netns.must(Netns.exec(d.ns, List.of("ss", "-Hltn")));
        String port = ":" + d.node.port();
        // the local address as ss shows it: 198.18.10.1:3322, [2001:db8:6::1]:3322, [::ffff:198.18.10.1]:3322 (a
        // JVM's IPv4 socket), or a wildcard
        Set<String> accepted = Set.of(d.node.address() + port, "[" + d.node.address() + "]" + port,
                "[::ffff:" + d.node.address() + "]" + port, "0.0.0.0" + port, "*" + port, "[::]" + port,
                "[::ffff:0.0.0.0]" + port);
        boolean found = ss.lines().map(l -> l.trim().split("\\s+")).anyMatch(f -> f.length > 3 && accepted.contains(f[3]));
        assertTrue(found, d.name() + " listens on " + d.node.address() + port + " in " + d.ns + ":\n" + ss);
    }

    /** Keep-together groups on one node; anti-affinity groups on as many nodes as the full members allow. */
    private static void assertGroups(CLcsExample ex, Map<String, String> owners) {
        for (GroupConfig g : ex.config().groups()) {
            List<String> members = ex.vips().stream().filter(v -> g.name().equals(v.grouping().group()))
                    .map(VipConfig::name).toList();
            Set<String> on = members.stream().map(owners::get).collect(Collectors.toCollection(TreeSet::new));
            if (g.keepTogether()) {
                assertEquals(1, on.size(), "group " + g.name() + " " + members + " together: " + owners);
            } else {
                long holders = ex.nodes().stream().filter(n -> n.role().holdsVips()).count();
                assertEquals(Math.min(members.size(), holders), on.size(), "group " + g.name() + " " + members
                        + " spread: " + owners);
            }
        }
    }

    /**
     * Every VIP whose home node runs is there, unless another member of its anti-affinity group holds
     * that node; a keep-together group follows the home of its members (when they name one).
     */
    private void assertHomes(CLcsExample ex, Map<String, String> owners) {
        for (VipConfig v : ex.vips()) {
            String home = v.grouping().homeNode();
            if (home == null || !daemon(home).running()) {
                continue;
            }
            GroupConfig g = ex.config().groups().stream().filter(x -> x.name().equals(v.grouping().group()))
                    .findFirst().orElse(null);
            List<VipConfig> others = ex.vips().stream()
                    .filter(o -> g != null && !o.name().equals(v.name()) && g.name().equals(o.grouping().group()))
                    .toList();
            if (g != null && !g.keepTogether() && others.stream().anyMatch(o -> home.equals(owners.get(o.name())))) {
                continue; // anti-affinity: its home is taken by another member
            }
            if (g != null && g.keepTogether() && others.stream().anyMatch(o -> o.grouping().homeNode() != null
                    && !home.equals(o.grouping().homeNode()))) {
                continue; // members of one unit name different homes
            }
            assertEquals(home, owners.get(v.name()), ex.fileName() + ": " + v.name() + " not on its home node "
                    + home + ": " + owners + "\n" + logs());
        }
    }

    /** The client reaches the VIP, and (separate hosts) the answer came from the owner's MAC. */
    private void assertAnswered(CLcsExample ex, VipConfig v, String owner, String clientNs, boolean oneHost)
            throws InterruptedException {
        String addr = CLcsExample.address(v);
        String[] last = {""};
        boolean ok = Harness.await(Duration.ofSeconds(10), () -> {
            CommandResult ping = Netns.run(Duration.ofSeconds(3), Netns.enter(clientNs, List.of("ping", "-c", "1", "-W",
                    "1", addr)));
            if (!ping.ok()) {
                last[0] = "ping: " + ping;
                return false;
            }
            if (oneHost) {
                return true;
            }
            String neigh = Netns.ip(clientNs, "neigh", "show", addr);
            String mac = CLcsExample.mac(daemon(owner).ns, INTERFACES.getOrDefault(ex.fileName(), Map.of())
                    .getOrDefault(v.interfaceName(), v.interfaceName()));
            last[0] = "neighbour entry: " + neigh + " (owner " + owner + " has " + mac + ")";
            return neigh.contains(mac);
        });
        assertTrue(ok, ex.fileName() + ": " + v.name() + " (" + addr + ") answered from " + clientNs + " by " + owner
                + ": " + last[0]);
    }

    /** {@code lcs status}, the C lcs's text: every node and every VIP with its owner, group and home. */
    private void checkCStatusText(Daemon via, CLcsExample ex, Map<String, String> owners) {
        CommandResult r = cli(via, "status");
        assertTrue(r.ok(), r.toString());
        String out = r.stdout();
        assertTrue(out.contains("  quorum: yes ("), out);
        for (NodeConfig n : ex.nodes()) {
            assertTrue(out.contains("  " + n.name() + " role=" + n.role().label() + " online=yes"), n.name() + "\n" + out);
        }
        for (VipConfig v : ex.vips()) {
            String line = out.lines().filter(l -> l.startsWith("  " + v.name() + " ")).findFirst().orElse("");
            assertTrue(line.contains(" state=active owner=" + owners.get(v.name()) + " "), v.name() + "\n" + out);
            if (v.grouping().group() != null) {
                assertTrue(line.contains(" group=" + v.grouping().group() + " priority="), v.name() + "\n" + out);
            }
            if (v.grouping().homeNode() != null) {
                assertTrue(line.contains(" home=" + v.grouping().homeNode()), v.name() + "\n" + out);
            }
        }
    }

    /** The lcs CLI in {@code via}'s namespace against its admin API (its token file). */
    private CommandResult cli(Daemon via, String... args) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                "io.lcs.cli.Lcs", "--server", "http://127.0.0.1:" + via.adminPort, "--token-file",
                via.dir.resolve("state").resolve("admin.token").toString()));
        argv.addAll(List.of(args));
        return Netns.run(CLI_TIMEOUT, Netns.exec(via.ns, argv));
    }

    private Daemon daemon(String name) {
        return daemons.stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no node " + name));
    }

    private String logs() {
        StringBuilder sb = new StringBuilder();
        for (Daemon d : daemons) {
            try {
                String s = Files.exists(d.log) ? Files.readString(d.log) : "";
                sb.append("---- ").append(d.name()).append(" ----\n").append(s.length() > 3000 ? s.substring(s.length() - 3000) : s);
            } catch (IOException e) {
                sb.append("(cannot read ").append(d.log).append(")\n");
            }
        }
        return sb.toString();
    }
}
