package io.lcs.harness.netns;

import io.lcs.reconcilers.process.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real lcsd processes, one per node namespace: writes each node's lcs.conf, starts
 * {@code ip netns exec NS java -cp <classpath> io.lcs.controller.daemon.Lcsd -c FILE -v} (so the
 * daemon sees only its namespace and its real iproute2/arping actuator acts on that namespace's
 * {@code eth0}), and applies process faults to the processes it started, by PID only.
 *
 * <p>Node i is {@code n<i>}; the last {@code witnesses} nodes are quorum-only. Peers talk on the
 * node addresses; the admin API is on 127.0.0.1 of each node's own namespace (private to it, so
 * no token is needed); metrics are on the node address. Each process is recorded in the
 * {@link RunRegistry} as it starts. Not thread-safe: one driver thread calls it.
 */
public final class Cluster implements AutoCloseable {
    public static final int PEER_PORT = 3322;
    public static final int ADMIN_PORT = 9121;
    public static final int METRICS_PORT = 9120;
    /** Bound on a SIGTERM stop (lcsd releases its VIPs with hooks first; a few seconds at most). */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    /**
     * lcsd runs at the priority its systemd unit grants ({@code Nice=-10} in dist's lcsd.service), so
     * a loaded machine (a build, the tests around this one) treats it as it would in production.
     */
    static final List<String> LCSD_PRIORITY = List.of("nice", "-n", "-10");
    /** JVM flags of docs/footprint.md: a small daemon, so seven fit on a CI machine. */
    static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx48m",
            "-XX:MaxMetaspaceSize=96m", "-XX:ReservedCodeCacheSize=32m", "-Xss512k", "-XX:TieredStopAtLevel=1",
            "-XX:CICompilerCount=1", "-XX:-UsePerfData");

    /**
     * @param nodes 2..7, witnesses included
     * @param witnesses quorum-only nodes (the last ones), at most nodes - 1
     * @param vipPairs how many IPv4+IPv6 VIP pairs (1..20)
     */
    public record Settings(int nodes, int witnesses, int leaseMillis, int renewMillis, int probeMillis, int vipPairs) {
        public Settings {
            if (nodes < Topology.MIN_NODES || nodes > Topology.MAX_NODES) {
                throw new HarnessException("nodes = " + nodes + ": must be " + Topology.MIN_NODES + ".." + Topology.MAX_NODES);
            }
            if (witnesses < 0 || witnesses >= nodes) {
                throw new HarnessException("witnesses = " + witnesses + ": must be 0.." + (nodes - 1));
            }
            if (vipPairs < 1 || vipPairs > 20) {
                throw new HarnessException("vip pairs = " + vipPairs + ": must be 1..20");
            }
            if (leaseMillis < 1400 || leaseMillis < probeMillis + 1600 || renewMillis < 1 || renewMillis > leaseMillis / 3) {
                throw new HarnessException("lease " + leaseMillis + " ms / renew " + renewMillis + " ms / probe "
                        + probeMillis + " ms: lease must be >= 1400 and >= probe + 1600 (lcs.conf's rules), renew <= lease / 3");
            }
        }

        public static Settings of(int nodes, int witnesses) {
            return new Settings(nodes, witnesses, 2000, 500, 250, 1);
        }
    }

    /** One node and its daemon process (null while not running). */
    public final class Node {
        public final int index;
        public final String name;
        public final boolean witness;
        public final String ns;
        public final Path dir;
        public final Path config;
        public final Path log;
        private Process process;
        private boolean frozen;
        /** Wall µs of the latest start; set by {@link #start}. */
        private volatile long startedMicros = -1;
        /** Wall µs since which the daemon reports quorum (from its log), or -1. */
        private volatile long quorumSinceMicros = -1;
        /**
         * Wall µs at which the daemon's restart wait ends: its "started: ... waiting N ms before
         * voting" line plus N, or -1 before that line. Until then it answers no lease message.
         */
        private volatile long votingFromMicros = -1;

        /**
         * True once the daemon's restart wait is over (it said when, at its start, and it is at
         * least one lease after the process started) and it reports quorum in its log ("quorum
         * gained" after its latest start, no "quorum lost" since). A fault before that finds a
         * member that cannot vote yet: a slower failover, not the steady cluster a trial measures.
         */
        public boolean joined() {
            long q = quorumSinceMicros;
            long v = votingFromMicros;
            long now = WallMicros.now();
            return running() && !frozen && q >= 0 && v >= 0 && now >= v
                    && now - startedMicros >= settings.leaseMillis() * 1000L;
        }

        Node(int index, boolean witness, Path dir) {
            this.index = index;
            this.name = "n" + index;
            this.witness = witness;
            this.ns = topology.nodeNs(index);
            this.dir = dir;
            this.config = dir.resolve("lcs.conf");
            this.log = dir.resolve("lcsd.log");
        }

        public boolean running() {
            return process != null && process.isAlive();
        }

        public boolean frozen() {
            return frozen && running();
        }

        public long pid() {
            return process == null ? -1 : process.pid();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final Topology topology;
    private final Path runDir;
    private final Settings settings;
    private final RunRegistry registry;
    private final String classpath;
    /** Distribution home (bin/lcsd, bin/lcs) the daemons and the CLI run from, or null: the classpath. */
    private final Path lcsHome;
    private final String secret;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Vip> vips = new ArrayList<>();
    private final ConfigExtras extras;

    private final long startMicros;

    /**
     * @param startMicros the run's time origin (wall µs), for the log line prefixes
     */
    public Cluster(Topology topology, Path runDir, Settings settings, RunRegistry registry, String classpath,
                   long startMicros) {
        this(topology, runDir, settings, registry, classpath, null, null, startMicros, ConfigExtras.NONE);
    }

    /** In {@link ConfigExtras#cluster()}: replaced by each node's name. */
    public static final String NODE_PLACEHOLDER = "{node}";

    /**
     * What a test adds to every node's lcs.conf.
     *
     * @param cluster lines for {@code [cluster]} (e.g. {@code failback_settle_ms = 3000}), or "";
     *     {@link Cluster#NODE_PLACEHOLDER} stands for the node's name (e.g. in a {@code pidfile} path)
     * @param sections whole sections after the nodes (e.g. {@code [group ...]}, {@code [check web]}), or ""
     * @param vipKeys per VIP name, lines for its {@code [vip]} section (e.g. {@code group = pair}); an
     *     {@code interface} line there replaces the topology's
     * @param vipLines lines for every {@code [vip]} section (e.g. {@code checks = web}), or ""
     */
    public record ConfigExtras(String cluster, String sections, Map<String, String> vipKeys, String vipLines) {
        public static final ConfigExtras NONE = new ConfigExtras("", "", Map.of(), "");

        public ConfigExtras(String cluster, String sections, Map<String, String> vipKeys) {
            this(cluster, sections, vipKeys, "");
        }

        /** {@code vipLines} in every {@code [vip]} section and {@code sections} at the end. */
        public ConfigExtras(String vipLines, String sections) {
            this("", sections, Map.of(), vipLines);
        }
    }

    /** As {@link #Cluster(Topology, Path, Settings, RunRegistry, String, long)}, with {@code extras} in lcs.conf. */
    public Cluster(Topology topology, Path runDir, Settings settings, RunRegistry registry, String classpath,
                   long startMicros, ConfigExtras extras) {
        this(topology, runDir, settings, registry, classpath, null, null, startMicros, extras);
    }

    /**
     * A cluster whose daemons run the way users run them: {@code LCS_HOME/bin/lcsd -c FILE -v}
     * (the distribution's launcher with its shipped JVM flags, runtime and CDS archive), and whose
     * CLI is {@code LCS_HOME/bin/lcs}; with {@code vips} instead of the settings' VIP pairs (null:
     * the pairs). Used by the benchmark ({@code io.lcs.harness.bench}).
     *
     * @param lcsHome a distribution tree holding {@code bin/lcsd} and {@code bin/lcs}
     * @param vips the VIPs to configure, 1..5000, distinct names and addresses
     */
    public static Cluster fromDistribution(Topology topology, Path runDir, Settings settings, RunRegistry registry,
                                           Path lcsHome, List<Vip> vips, long startMicros) {
        if (!Files.isExecutable(lcsHome.resolve("bin/lcsd")) || !Files.isExecutable(lcsHome.resolve("bin/lcs"))) {
            throw new HarnessException("no executable bin/lcsd and bin/lcs under " + lcsHome
                    + ": build the distribution (./mvnw -pl dist -am package -DskipTests) or pass --lcs-home");
        }
        if (vips != null && (vips.isEmpty() || vips.size() > 5000)) {
            throw new HarnessException(vips.size() + " VIPs: must be 1..5000");
        }
        return fromDistribution(topology, runDir, settings, registry, lcsHome, vips, startMicros, ConfigExtras.NONE);
    }

    /** As {@link #fromDistribution(Topology, Path, Settings, RunRegistry, Path, List, long)}, with {@code extras} in lcs.conf. */
    public static Cluster fromDistribution(Topology topology, Path runDir, Settings settings, RunRegistry registry,
                                           Path lcsHome, List<Vip> vips, long startMicros, ConfigExtras extras) {
        if (!Files.isExecutable(lcsHome.resolve("bin/lcsd")) || !Files.isExecutable(lcsHome.resolve("bin/lcs"))) {
            throw new HarnessException("no executable bin/lcsd and bin/lcs under " + lcsHome
                    + ": build the distribution (./mvnw -pl dist -am package -DskipTests) or pass --lcs-home");
        }
        return new Cluster(topology, runDir, settings, registry, null, lcsHome, vips, startMicros, extras);
    }

    private Cluster(Topology topology, Path runDir, Settings settings, RunRegistry registry, String classpath,
                    Path lcsHome, List<Vip> explicitVips, long startMicros, ConfigExtras extras) {
        this.startMicros = startMicros;
        this.extras = extras;
        this.lcsHome = lcsHome == null ? null : lcsHome.toAbsolutePath();
        if (topology.nodeCount() != settings.nodes()) {
            throw new HarnessException("topology has " + topology.nodeCount() + " nodes, settings " + settings.nodes());
        }
        this.topology = topology;
        this.runDir = runDir;
        this.settings = settings;
        this.registry = registry;
        this.classpath = classpath;
        this.secret = "lcsh-" + topology.runId() + "-" + Topology.newRunId() + Topology.newRunId();
        if (explicitVips != null) {
            vips.addAll(explicitVips);
        } else {
            for (int k = 1; k <= settings.vipPairs(); k++) {
                vips.add(Vip.v4(k));
                vips.add(Vip.v6(k));
            }
        }
        try {
            for (int i = 1; i <= settings.nodes(); i++) {
                Path dir = runDir.resolve("n" + i);
                Files.createDirectories(dir.resolve("state"));
                nodes.add(new Node(i, i > settings.nodes() - settings.witnesses(), dir));
            }
            for (Node n : nodes) {
                Files.writeString(n.config, config(n));
            }
        } catch (IOException e) {
            throw new HarnessException("cannot write node configs under " + runDir + ": " + e.getMessage(), e);
        }
    }

    /** The lcs.conf of {@code self}. */
    String config(Node self) {
        StringBuilder sb = new StringBuilder();
        sb.append("# generated by the lcs netns harness, run ").append(topology.runId()).append('\n');
        sb.append("[cluster]\nname = lcsh\nnode = ").append(self.name)
                .append("\nbind = ").append(Topology.nodeV4(self.index))
                .append("\nport = ").append(PEER_PORT)
                .append("\nsecret = ").append(secret)
                .append("\nlease_ms = ").append(settings.leaseMillis())
                .append("\nrenew_ms = ").append(settings.renewMillis())
                .append("\nprobe_ms = ").append(settings.probeMillis())
                .append("\nstate_dir = ").append(self.dir.resolve("state").toAbsolutePath())
                .append("\nadmin_bind = 127.0.0.1\nadmin_port = ").append(ADMIN_PORT)
                .append("\nmetrics = true\nmetrics_bind = ").append(Topology.nodeV4(self.index))
                .append("\nmetrics_port = ").append(METRICS_PORT).append('\n')
                .append(extras.cluster().replace(NODE_PLACEHOLDER, self.name));
        for (Node n : nodes) {
            sb.append("\n[node ").append(n.name).append("]\nrole = ")
                    .append(n.witness ? "quorum-only" : "full-member")
                    .append("\naddress = ").append(Topology.nodeV4(n.index)).append('\n');
        }
        sb.append(extras.sections());
        for (Vip v : vips) {
            String keys = extras.vipKeys().getOrDefault(v.name(), "") + extras.vipLines();
            sb.append("\n[vip ").append(v.name()).append("]\naddress = ").append(v.cidr()).append('\n');
            if (keys.lines().noneMatch(l -> l.startsWith("interface"))) {
                sb.append("interface = ").append(Topology.IFACE).append('\n');
            }
            sb.append(keys);
        }
        return sb.toString();
    }

    public Settings settings() {
        return settings;
    }

    public Topology topology() {
        return topology;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public List<Node> fullMembers() {
        return nodes.stream().filter(n -> !n.witness).toList();
    }

    public List<Vip> vips() {
        return vips;
    }

    public Node node(String name) {
        return nodes.stream().filter(n -> n.name.equals(name)).findFirst()
                .orElseThrow(() -> new HarnessException("no node " + name));
    }

    public Node node(int index) {
        return nodes.get(index - 1);
    }

    public void startAll() {
        for (Node n : nodes) {
            start(n);
        }
    }

    /** Starts node {@code n}'s daemon (no-op if running); output appends to its log. */
    public void start(Node n) {
        if (n.running()) {
            return;
        }
        List<String> argv = new ArrayList<>(LCSD_PRIORITY); // nice execs lcsd: the PID is still lcsd's
        if (lcsHome != null) {
            // the launcher execs the JVM, so the process we hold is lcsd's JVM itself
            argv.addAll(List.of(lcsHome.resolve("bin/lcsd").toString(), "-c", n.config.toString(), "-v"));
        } else {
            argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            argv.addAll(JVM_FLAGS);
            argv.addAll(List.of("-cp", classpath, "io.lcs.controller.daemon.Lcsd", "-c", n.config.toString(), "-v"));
        }
        ProcessBuilder pb = new ProcessBuilder(Netns.exec(n.ns, argv)).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        pb.environment().remove("LCSD_JAVA_OPTS"); // the shipped flags, unchanged
        try {
            Files.writeString(n.log, "==== harness: start " + java.time.Instant.now() + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            n.process = pb.start();
        } catch (IOException e) {
            throw new HarnessException("cannot start lcsd for " + n.name + " in " + n.ns + ": " + e.getMessage(), e);
        }
        n.frozen = false;
        n.quorumSinceMicros = -1;
        n.votingFromMicros = -1;
        n.startedMicros = WallMicros.now();
        registry.process(n.process, "lcsd-" + n.name);
        Process p = n.process;
        Thread t = new Thread(() -> copyLog(p, n), "log-" + n.name);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Copies the daemon's output into its log, each line prefixed with the milliseconds since the
     * run started (the axis of the report), so logs and measurements can be read side by side.
     * Ends when the process's output closes.
     */
    /** lcsd's start line: "... started: ...; waiting N ms before voting" (N is 0 when it votes at once). */
    public static final java.util.regex.Pattern VOTING_WAIT = java.util.regex.Pattern.compile(
            " started: .*waiting (\\d+) ms before voting");

    private void copyLog(Process p, Node n) {
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8));
             java.io.Writer w = Files.newBufferedWriter(n.log, java.nio.charset.StandardCharsets.UTF_8,
                     java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (p == n.process) {
                    java.util.regex.Matcher waiting = VOTING_WAIT.matcher(line);
                    if (waiting.find()) {
                        n.votingFromMicros = WallMicros.now() + Long.parseLong(waiting.group(1)) * 1000L;
                    } else if (line.contains("quorum gained")) {
                        n.quorumSinceMicros = WallMicros.now();
                    } else if (line.contains("quorum lost")) {
                        n.quorumSinceMicros = -1;
                    }
                }
                w.write(String.format(java.util.Locale.ROOT, "[%9.1f] %s%n", (WallMicros.now() - startMicros) / 1000.0,
                        line.length() > 4000 ? line.substring(0, 4000) + "..." : line));
                w.flush();
            }
        } catch (IOException e) {
            // the process is gone or the run directory was removed: nothing more to copy
        }
    }

    /** Waits (bounded) until every node has {@link Node#joined()}; false at the deadline. */
    public boolean awaitJoined(List<Node> which, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (which.stream().allMatch(Node::joined)) {
                return true;
            }
            Harness.sleep(20);
        }
        return which.stream().allMatch(Node::joined);
    }

    /** kill -9 (SIGKILL to our own process), and wait (bounded) until it is gone. */
    public void kill(Node n) {
        if (!n.running()) {
            return;
        }
        n.process.toHandle().destroyForcibly();
        waitGone(n, Duration.ofSeconds(5));
        n.frozen = false;
    }

    /** SIGTERM: lcsd releases its VIPs and exits; SIGKILL if it does not within {@link #STOP_TIMEOUT}. */
    public void stop(Node n) {
        if (!n.running()) {
            return;
        }
        if (n.frozen) {
            thaw(n);
        }
        n.process.toHandle().destroy(); // via the handle: Process.destroy() would close the log pipe first
        if (!waitGone(n, STOP_TIMEOUT)) {
            n.process.toHandle().destroyForcibly();
            waitGone(n, Duration.ofSeconds(5));
        }
    }

    /** SIGSTOP: the whole JVM stops, timers included; the kernel keeps counting address lifetimes. */
    public void freeze(Node n) {
        signal(n, "STOP");
        n.frozen = true;
    }

    /** SIGCONT. */
    public void thaw(Node n) {
        signal(n, "CONT");
        n.frozen = false;
    }

    private void signal(Node n, String sig) {
        if (!n.running()) {
            throw new HarnessException("cannot send SIG" + sig + " to " + n.name + ": not running");
        }
        Netns.must(List.of("kill", "-s", sig, Long.toString(n.process.pid())));
    }

    private static boolean waitGone(Node n, Duration timeout) {
        try {
            return n.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs the {@code lcs} CLI inside {@code via}'s namespace against its admin API, e.g.
     * {@code cli(n1, "move", "v4-1", "--to", "n2")}; bounded by {@code timeout}.
     */
    public CommandResult cli(Node via, Duration timeout, String... args) {
        List<String> argv = cliArgv(via, args);
        // ProcessCommandRunner clears the environment; java is found by its absolute path
        return Netns.run(timeout, Netns.exec(via.ns, argv));
    }

    /**
     * The argv of {@code lcs --server http://127.0.0.1:ADMIN --token-file TOKEN ARGS...} (to be run
     * inside {@code via}'s namespace, as root: the token in its state directory lets it change the
     * cluster): the distribution's {@code bin/lcs} (through {@code env} with a PATH, since the
     * command runners clear the environment) or java with the classpath.
     */
    public List<String> cliArgv(Node via, String... args) {
        List<String> target = List.of("--server", "http://127.0.0.1:" + ADMIN_PORT, "--token-file",
                via.dir.resolve("state").resolve("admin.token").toString());
        List<String> argv;
        if (lcsHome != null) {
            argv = new ArrayList<>(List.of("env", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                    "LCS_HOME=" + lcsHome, lcsHome.resolve("bin/lcs").toString()));
        } else {
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            argv = new ArrayList<>(List.of(javaBin, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Xshare:auto", "-cp", classpath, "io.lcs.cli.Lcs"));
        }
        argv.addAll(target);
        argv.addAll(List.of(args));
        return argv;
    }

    /** The last {@code chars} characters of a node's log. */
    public String logTail(Node n, int chars) {
        try {
            if (!Files.exists(n.log)) {
                return "";
            }
            String s = Files.readString(n.log);
            return s.length() > chars ? s.substring(s.length() - chars) : s;
        } catch (IOException e) {
            return "(cannot read " + n.log + ": " + e.getMessage() + ")";
        }
    }

    /** Log tails of every node, for failure messages. */
    public String logs(int charsPerNode) {
        StringBuilder sb = new StringBuilder();
        for (Node n : nodes) {
            sb.append("---- ").append(n.name).append(" (").append(n.log).append(") ----\n")
                    .append(logTail(n, charsPerNode)).append('\n');
        }
        return sb.toString();
    }

    public Path runDir() {
        return runDir;
    }

    /** Kills every daemon still running (SIGKILL; thawed first is not needed for SIGKILL). */
    @Override
    public void close() {
        for (Node n : nodes) {
            if (n.running()) {
                n.process.destroyForcibly();
            }
        }
        for (Node n : nodes) {
            if (n.process != null) {
                waitGone(n, Duration.ofSeconds(5));
            }
        }
    }
}
