package io.lcs.harness.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lcs.harness.netns.ClientProbe;
import io.lcs.harness.netns.Cluster;
import io.lcs.harness.netns.HarnessException;
import io.lcs.harness.netns.Netns;
import io.lcs.harness.netns.OwnershipSampler;
import io.lcs.harness.netns.RunRegistry;
import io.lcs.harness.netns.Topology;
import io.lcs.harness.netns.Vip;
import io.lcs.harness.netns.WallMicros;
import io.lcs.reconcilers.process.CommandResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark of issue 8: lcs (from its distribution, as users run it) and keepalived (VRRP,
 * priorities 150/100/50, advert_int 1, multicast on the bridge) one after the other on the same
 * namespaces, probed by the same client namespace on the same VIP, then the footprint of both at
 * once (distinct VIP ranges) and a 5-node, 1,000-VIP scale run. Writes the Markdown report and
 * the raw per-trial figures (raw.json, raw.csv in the run directory).
 *
 * <p>Every wait has a deadline and the whole run a time budget: a trial that does not finish
 * becomes "not within X s" and the run goes on. Everything it starts is recorded in the
 * {@link RunRegistry} and torn down by {@link #close()} (also from a shutdown hook).
 */
public final class Bench implements AutoCloseable {
    public static final List<String> AREAS = List.of("failover", "service", "load", "move", "coldstart", "cli", "footprint",
            "scale");
    static final Vip VIP = Vip.v4(1);
    static final int[] FOOTPRINT_VIPS = {1, 100, 1000};
    static final Duration STEADY_TIMEOUT = Duration.ofSeconds(40);
    /** How long one node must answer alone to call the VIP steady (lcs; keepalived: {@link #STABLE_KEEPALIVED}). */
    static final Duration STABLE = Duration.ofMillis(2500);
    /** The ARP probe's window while stress-ng loads every core (ClientProbe.arpWindow). */
    static final Duration LOAD_ARP_WINDOW = Duration.ofMillis(150);
    /** Longer than keepalived's master-down interval (3 x advert_int + skew), so a pending preemption is waited out. */
    static final Duration STABLE_KEEPALIVED = Duration.ofMillis(5000);
    /** A freeze or isolation lasts until the new owner has answered for this long (and at least {@link #MIN_FAULT}). */
    static final Duration AFTER_NEW_OWNER = Duration.ofMillis(1500);
    static final Duration MIN_FAULT = Duration.ofMillis(3000);
    static final Duration MAX_FAULT = Duration.ofSeconds(15);
    static final Duration FAILOVER_WAIT = Duration.ofSeconds(15);
    /** Footprint: how long to wait for every VIP to be active before the settle starts. */
    static final int ACTIVE_WAIT_SECONDS = 90;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What to run. {@code footprintSeconds}: settle and measure time each (≥ 60 s for the report of record). */
    public record Options(int trials, Set<String> only, Path out, Path lcsHome, int footprintSeconds, int budgetMinutes,
                          List<String> commandLine, int loadMinutes) {
        public Options(int trials, Set<String> only, Path out, Path lcsHome, int footprintSeconds, int budgetMinutes,
                       List<String> commandLine) {
            this(trials, only, out, lcsHome, footprintSeconds, budgetMinutes, commandLine, 10);
        }
    }

    private final Options opt;
    private final PrintStream log;
    private final String runId = Topology.newRunId();
    private final RunRegistry registry = RunRegistry.open(runId);
    private final Path runDir = RunRegistry.STATE_DIR.resolve("bench-" + runId);
    private final long startNanos = System.nanoTime();
    private final long startMicros = WallMicros.now();
    private final Thread hook = new Thread(this::close, "bench-shutdown");
    private final List<Map<String, Object>> raw = new ArrayList<>();
    /** area -> system -> metric -> values. */
    private final Map<String, Map<String, Map<String, List<Double>>>> results = new LinkedHashMap<>();
    private final Map<String, List<String>> areaNotes = new LinkedHashMap<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private Topology topology;
    private ClientProbe probe;
    /** ICMP and TCP from the client namespace through its neighbour cache (failover only). */
    private io.lcs.harness.netns.TrafficProbe traffic;
    private boolean closed;

    public Bench(Options opt, PrintStream log) {
        this.opt = opt;
        this.log = log;
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public Path runDir() {
        return runDir;
    }

    private boolean wants(String area) {
        return opt.only() == null || opt.only().isEmpty() || opt.only().contains(area);
    }

    private boolean overBudget() {
        return System.nanoTime() - startNanos > TimeUnit.MINUTES.toNanos(opt.budgetMinutes());
    }

    private void say(String s) {
        log.printf(Locale.ROOT, "[bench %6.1fs] %s%n", (System.nanoTime() - startNanos) / 1e9, s);
    }

    private void note(String area, String text) {
        areaNotes.computeIfAbsent(area, k -> new ArrayList<>()).add(text);
        say(area + ": " + text);
    }

    private void record(String area, String system, String metric, int trial, double value, Map<String, Object> extra) {
        results.computeIfAbsent(area, k -> new LinkedHashMap<>()).computeIfAbsent(system, k -> new LinkedHashMap<>())
                .computeIfAbsent(metric, k -> new ArrayList<>()).add(value);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("area", area);
        r.put("system", system);
        r.put("metric", metric);
        r.put("trial", trial);
        r.put("value", Double.isNaN(value) ? null : value);
        if (extra != null) {
            r.putAll(extra);
        }
        synchronized (raw) {
            raw.add(r);
        }
    }

    List<Double> values(String area, String system, String metric) {
        return results.getOrDefault(area, Map.of()).getOrDefault(system, Map.of()).getOrDefault(metric, List.of());
    }

    /** Runs the selected areas and writes the report; returns the report's path. */
    public Path run() throws IOException {
        Files.createDirectories(runDir);
        say("run " + runId + ": " + runDir + "; lcs from " + opt.lcsHome());
        if (!Files.exists(opt.lcsHome().resolve("runtime/release")) || !Files.exists(opt.lcsHome().resolve("cds/lcs.jsa"))) {
            // a -Dlcs.skipDist=true build (demo.sh, quick loops) leaves the tree without them: the
            // figures would be the system JDK's without the archive, not the shipped package's
            say("WARNING: " + opt.lcsHome() + " has no bundled runtime or no CDS archive: RSS, PSS and CLI times will"
                    + " not be the shipped package's (build it with ./mvnw -B -pl dist -am package -DskipTests;"
                    + " the report says what ran)");
        }
        BenchReport report = header();
        boolean threeNode = wants("failover") || wants("service") || wants("load") || wants("move") || wants("coldstart")
                || wants("cli") || wants("footprint");
        // the client's probes at the default priority, like the daemons' competitors on a real
        // machine; only the load area raises them (see Netns.clientBoost)
        Netns.clientBoost(false);
        if (threeNode) {
            topology = Topology.create(runId, 3, registry);
            open.add(topology);
            probe = new ClientProbe(topology.clientNs(), List.of(VIP));
            probe.start();
            open.add(probe);
            if (wants("failover") || wants("move") || wants("coldstart") || wants("cli")) {
                phase(lcsSubject(runDir.resolve("lcs"), List.of(VIP), 3));
                phase(keepalived(runDir.resolve("keepalived"), List.of(VIP.cidr()), 3));
            }
            if (wants("service")) {
                guarded("service", () -> service(lcsSubject(runDir.resolve("lcs-service"), List.of(VIP), 3,
                        new Cluster.ConfigExtras("checks = svc\n", SERVICE_CHECK))));
                guarded("service", () -> service(keepalivedTracking(runDir.resolve("keepalived-service"))));
            }
            if (wants("load")) {
                guarded("load", () -> load(lcsSubject(runDir.resolve("lcs-load"), List.of(VIP), 3)));
                guarded("load", () -> load(keepalived(runDir.resolve("keepalived-load"), List.of(VIP.cidr()), 3)));
            }
            probe.close();
            if (wants("footprint")) {
                guarded("footprint", this::footprint);
            }
            topology.close();
        }
        if (wants("scale")) {
            guarded("scale", this::scale);
        }
        for (String a : AREAS) {
            if (wants(a)) {
                report.area(area(a));
            }
        }
        report.machine("load average at the end", loadAverage());
        report.note("Run time: " + Math.round((System.nanoTime() - startNanos) / 1e9) + " s; run directory " + runDir
                + " (raw.json, raw.csv, node logs).");
        writeRaw();
        Path out = opt.out();
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, report.render());
        Files.writeString(runDir.resolve("BENCHMARKS.md"), report.render());
        say("report: " + out.toAbsolutePath());
        return out;
    }

    private void guarded(String area, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            note(area, "area failed: " + e.getMessage());
        }
    }

    // ---- the 3-node phases --------------------------------------------------------------------

    private LcsSubject lcsSubject(Path dir, List<Vip> vips, int nodes) {
        return lcsSubject(dir, vips, nodes, Cluster.ConfigExtras.NONE);
    }

    private LcsSubject lcsSubject(Path dir, List<Vip> vips, int nodes, Cluster.ConfigExtras extras) {
        Cluster c = Cluster.fromDistribution(topology, dir, new Cluster.Settings(nodes, 0, 2000, 500, 250, 1), registry,
                opt.lcsHome(), vips, startMicros, extras);
        LcsSubject s = new LcsSubject(c);
        open.add(s);
        return s;
    }

    private KeepalivedCluster keepalived(Path dir, List<String> vipCidrs, int nodes) {
        List<String> names = new ArrayList<>();
        List<String> ns = new ArrayList<>();
        List<String> addrs = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            names.add("n" + i);
            ns.add(topology.nodeNs(i));
            addrs.add(Topology.nodeV4(i));
        }
        KeepalivedCluster k = new KeepalivedCluster(ns, KeepalivedConfig.cluster(names, addrs, priorities(nodes),
                Topology.IFACE, 51, vipCidrs, false), dir, registry);
        open.add(k);
        return k;
    }

    // ---- a busy machine -----------------------------------------------------------------------------

    /**
     * Every core busy (stress-ng: a CPU worker per core and a memory worker taking a quarter of the
     * RAM) for {@code --load-minutes}: owner changes without a fault (spurious failovers) and the longest
     * time no node answered the client; then the kill, freeze and isolation trials under the same load.
     */
    private void load(Subject s) {
        // (an ARP probe under full load: see ClientProbe.arpWindow)
        String sys = s.name();
        OwnershipSampler sampler = null;
        Process stress = null;
        try {
            if (s instanceof LcsSubject l) {
                sampler = new OwnershipSampler(l.cluster(), registry);
                sampler.start();
            }
            s.startAll();
            if (awaitSteady(s, Duration.ofSeconds(60)) == 0) {
                throw new HarnessException(sys + ": the VIP is not answered by exactly one node within 60 s: "
                        + probeSummary(s));
            }
            // before stress-ng starts: its first seconds (allocating and touching its memory) can stall the machine
            List<TreeMap<Double, Double>> lagBefore = s instanceof LcsSubject l ? readLoopLag(l.cluster()) : null;
            int seconds = opt.loadMinutes() * 60 + opt.trials() * 3 * 60; // outlives the faults; killed at the end
            List<String> argv = List.of("stress-ng", "--cpu", "0", "--cpu-method", "matrixprod", "--vm", "1",
                    "--vm-bytes", "25%", "--timeout", seconds + "s", "--quiet");
            try {
                stress = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
            } catch (IOException e) {
                throw new HarnessException("cannot start stress-ng (apt-get install stress-ng): " + e.getMessage(), e);
            }
            registry.process(stress, "bench-stress-ng");
            probe.arpWindow(LOAD_ARP_WINDOW);
            Netns.clientBoost(true); // the client stands for another machine: its probes must not starve here
            Process started = stress;
            open.add(() -> { // also when the bench is interrupted (its shutdown hook closes what is open)
                if (started.isAlive()) {
                    started.destroy();
                    if (!started.waitFor(10, TimeUnit.SECONDS)) {
                        started.destroyForcibly();
                    }
                }
            });
            OwnershipSampler ls = sampler;
            withClientTraffic(() -> loadAndFaults(s, ls, argv, lagBefore));
        } finally {
            probe.arpWindow(ClientProbe.ARP_WINDOW);
            Netns.clientBoost(false);
            if (stress != null) {
                stress.destroy(); // SIGTERM: stress-ng ends its workers
                try {
                    if (!stress.waitFor(10, TimeUnit.SECONDS)) {
                        stress.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    stress.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
            tearDown(s, sampler);
        }
    }

    /**
     * The load window (spurious failovers, silences) and then the faults under the same load;
     * {@code lagBefore} is lcsd's event-loop lag histogram read just before the load began (null for
     * keepalived).
     */
    private void loadAndFaults(Subject s, OwnershipSampler sampler, List<String> argv,
                               List<TreeMap<Double, Double>> lagBefore) {
        String sys = s.name();
        {
            long t0 = WallMicros.now();
            say(sys + " load: every core busy for " + opt.loadMinutes() + " min (" + String.join(" ", argv) + ")");
            sleepFor(Duration.ofMinutes(opt.loadMinutes()));
            long t1 = WallMicros.now();
            if (lagBefore != null) {
                recordLoopLag(lagBefore, readLoopLag(((LcsSubject) s).cluster()));
            }
            List<ClientProbe.Sample> w = probe.samplesSince(0, t0);
            int changes = 0;
            long lastAnswer = t0;
            long longestSilence = 0;
            String mac = null;
            for (ClientProbe.Sample x : w) {
                if (x.atMicros() > t1 || x.macs().isEmpty()) {
                    continue;
                }
                longestSilence = Math.max(longestSilence, x.atMicros() - lastAnswer);
                lastAnswer = x.atMicros();
                String m = x.macs().get(0);
                if (mac != null && (!m.equals(mac) || x.macs().size() > 1)) {
                    changes++;
                }
                mac = m;
            }
            longestSilence = Math.max(longestSilence, t1 - lastAnswer);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("minutes", opt.loadMinutes());
            extra.put("probes", w.size());
            extra.put("loadAverage", loadAverage());
            record("load", sys, "spurious", 1, changes, extra);
            record("load", sys, "silence", 1, longestSilence / 1000.0, null);
            if (traffic != null) {
                io.lcs.harness.netns.TrafficProbe.Outage icmp = traffic.icmpOutage(t0, t0, t1);
                record("load", sys, "icmpLongest", 1, icmp.gapMs(), null);
            }
            say(String.format(Locale.ROOT, "%s load: %d owner changes without a fault in %d min, longest time without an"
                    + " ARP answer %s ms (load average %s)", sys, changes, opt.loadMinutes(),
                    BenchReport.num(longestSilence / 1000.0, ""), loadAverage()));
            for (String kind : List.of("kill", "freeze", "isolate")) {
                failover(s, kind, sampler, "load");
            }
        }
    }

    /**
     * Each node's {@code lcs_event_loop_lag_seconds} buckets (upper bound in seconds, +Inf as
     * infinity, to cumulative count), read from its /metrics with curl in its namespace; an empty
     * map for a node that did not answer.
     */
    private List<TreeMap<Double, Double>> readLoopLag(Cluster c) {
        List<TreeMap<Double, Double>> out = new ArrayList<>();
        for (Cluster.Node n : c.nodes()) {
            String url = "http://" + Topology.nodeV4(n.index) + ":" + Cluster.METRICS_PORT + "/metrics";
            List<String> argv = Netns.enter(n.ns, List.of("curl", "-sS", "-m", "5", url)); // -S: say why it failed
            Timed r = timed(argv, Duration.ofSeconds(10));
            // again, up to 5 times a second apart: a busy machine can hold up one request, and a node
            // started just before may not listen yet (n1's read came a second after its start once)
            for (int attempt = 0; attempt < 5 && !r.ok(); attempt++) {
                sleep(1000);
                r = timed(argv, Duration.ofSeconds(10));
            }
            if (!r.ok()) {
                note("load", "lcs: " + n.name + "'s /metrics could not be read: " + r.output());
            }
            out.add(r.ok() ? lagBuckets(r.output()) : new TreeMap<>());
        }
        return out;
    }

    private static final Pattern LAG_BUCKET = Pattern.compile(
            "^lcs_event_loop_lag_seconds_bucket\\{(?:[^}]*,)?le=\"([^\"]+)\"[^}]*}\\s+(\\S+)", Pattern.MULTILINE);

    /** The lag histogram's buckets in a Prometheus text exposition (see {@link #readLoopLag}). */
    static TreeMap<Double, Double> lagBuckets(String metrics) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        Matcher m = LAG_BUCKET.matcher(metrics);
        while (m.find()) {
            try {
                double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
                buckets.put(le, Double.parseDouble(m.group(2)));
            } catch (NumberFormatException e) {
                // not a number: not a bucket line we can use
            }
        }
        return buckets;
    }

    /**
     * The load window's event-loop lag over all nodes that answered both times: how many ticks ran,
     * the worst tick's bound in seconds (the least bucket bound that holds every tick of the window
     * on every node; infinite above the last bound), and how many ticks ran more than 100 ms and
     * more than a heartbeat interval (250 ms) late.
     */
    record LoopLag(int nodesRead, double ticks, double worstSeconds, double over100, double over250) {
    }

    /** {@link LoopLag} from each node's buckets before and after the window (lists in node order). */
    static LoopLag loopLag(List<TreeMap<Double, Double>> before, List<TreeMap<Double, Double>> after) {
        double worst = 0;
        double over100 = 0;
        double over250 = 0;
        double ticks = 0;
        int read = 0;
        for (int i = 0; i < after.size() && i < before.size(); i++) {
            TreeMap<Double, Double> a = after.get(i);
            TreeMap<Double, Double> b = before.get(i);
            if (!a.containsKey(Double.POSITIVE_INFINITY) || !b.containsKey(Double.POSITIVE_INFINITY)) {
                continue; // a node that did not answer, then or now
            }
            read++;
            double total = a.get(Double.POSITIVE_INFINITY) - b.get(Double.POSITIVE_INFINITY);
            ticks += total;
            for (Map.Entry<Double, Double> e : a.entrySet()) {
                if (e.getValue() - b.getOrDefault(e.getKey(), 0.0) >= total) {
                    worst = Math.max(worst, e.getKey());
                    break;
                }
            }
            over100 += total - (a.getOrDefault(0.1, 0.0) - b.getOrDefault(0.1, 0.0));
            over250 += total - (a.getOrDefault(0.25, 0.0) - b.getOrDefault(0.25, 0.0));
        }
        return new LoopLag(read, ticks, worst, over100, over250);
    }

    private void recordLoopLag(List<TreeMap<Double, Double>> before, List<TreeMap<Double, Double>> after) {
        LoopLag lag = loopLag(before, after);
        if (lag.nodesRead() == 0) {
            note("load", "lcs: no node's lcs_event_loop_lag_seconds could be read before and after the load;"
                    + " the event-loop rows are empty");
            return;
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("nodesRead", lag.nodesRead());
        extra.put("ticks", lag.ticks());
        double worstMs = Double.isInfinite(lag.worstSeconds()) ? Double.NaN : lag.worstSeconds() * 1000;
        record("load", "lcs", "loopLagWorst", 1, worstMs, extra);
        if (Double.isNaN(worstMs)) {
            note("load", "lcs: an event loop tick ran later than the lag histogram's last bound (5 s): the worst-tick row"
                    + " says n/a");
        }
        record("load", "lcs", "loopLagOver100", 1, lag.over100(), null);
        record("load", "lcs", "loopLagOver250", 1, lag.over250(), null);
        say(String.format(Locale.ROOT, "lcs load: %.0f event loop ticks on %d nodes, %.0f more than 100 ms late, %.0f"
                + " more than 250 ms, the worst at most %s", lag.ticks(), lag.nodesRead(), lag.over100(), lag.over250(),
                Double.isNaN(worstMs) ? "beyond the last bucket (5 s)" : BenchReport.num(worstMs, "ms")));
    }

    // ---- service dies behind the VIP -------------------------------------------------------------

    /** The service behind the VIP on every node, and the check both systems run on it. */
    static final int SERVICE_PORT = 8080;
    static final int CHECK_INTERVAL_MS = 1000;
    static final int CHECK_FALL = 2;
    static final int CHECK_RISE = 2;
    /** lcs: the same TCP connect as keepalived's script; hold 1 s, the least that still damps a flap. */
    static final String SERVICE_CHECK = "\n[check svc]\ntype = tcp\naddress = 127.0.0.1:" + SERVICE_PORT
            + "\ninterval_ms = " + CHECK_INTERVAL_MS + "\ntimeout_ms = " + CHECK_INTERVAL_MS + "\nfall = " + CHECK_FALL
            + "\nrise = " + CHECK_RISE + "\nhold_ms = 1000\n";
    /** After the service came back on the old owner: rise x interval, then longer than keepalived's preemption. */
    static final Duration SERVICE_BACK_SETTLE = Duration.ofMillis(CHECK_RISE * CHECK_INTERVAL_MS + 4000L);

    /** keepalived with a vrrp_script doing what the lcs check does (a TCP connect to the service), same interval, fall, rise. */
    private KeepalivedCluster keepalivedTracking(Path dir) {
        // keepalived runs scripts only from directories no one but root can write (not under /tmp)
        Path scripts = Path.of("/run/lcs-bench-" + runId);
        try {
            Files.createDirectories(scripts);
            Files.setPosixFilePermissions(scripts, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path script = scripts.resolve("check-service");
            Files.writeString(script, "#!/bin/bash\n# lcs benchmark: passes while something accepts on the service port\n"
                    + "exec 3<>/dev/tcp/127.0.0.1/" + SERVICE_PORT + "\n");
            Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            open.add(() -> {
                Files.deleteIfExists(script);
                Files.deleteIfExists(scripts);
            });
            List<String> names = new ArrayList<>();
            List<String> ns = new ArrayList<>();
            List<String> addrs = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                names.add("n" + i);
                ns.add(topology.nodeNs(i));
                addrs.add(Topology.nodeV4(i));
            }
            KeepalivedConfig.TrackScript track = new KeepalivedConfig.TrackScript(script.toString(),
                    CHECK_INTERVAL_MS / 1000, CHECK_FALL, CHECK_RISE);
            List<KeepalivedConfig> configs = KeepalivedConfig.cluster(names, addrs, priorities(3), Topology.IFACE, 51,
                    List.of(VIP.cidr()), false).stream().map(c -> c.withTrack(track)).toList();
            KeepalivedCluster k = new KeepalivedCluster(ns, configs, dir, registry);
            open.add(k);
            return k;
        } catch (IOException e) {
            throw new HarnessException("cannot write the keepalived check script under " + scripts + ": " + e.getMessage(), e);
        }
    }

    private Process startService(int node) {
        try {
            Process p = new ProcessBuilder(io.lcs.harness.netns.HttpServiceProcess.argv(topology.nodeNs(node),
                    System.getProperty("java.class.path"), "serve", String.valueOf(SERVICE_PORT), "n" + node))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            registry.process(p, "bench-service-n" + node);
            return p;
        } catch (IOException e) {
            throw new HarnessException("cannot start the service on n" + node + ": " + e.getMessage(), e);
        }
    }

    /**
     * The service behind the VIP dies on the owner (SIGKILL), as haproxy or nginx would crash: how long
     * until another node answers for the VIP, and, once the service is back on the old owner, whether
     * the VIP goes back there (a second outage; keepalived's default preemption does that).
     */
    private void service(Subject s) {
        String sys = s.name();
        Map<Integer, Process> services = new HashMap<>();
        try {
            for (int i = 1; i <= s.nodes(); i++) {
                services.put(i, startService(i));
            }
            s.startAll();
            if (awaitSteady(s, Duration.ofSeconds(60)) == 0) {
                throw new HarnessException(sys + ": the VIP is not answered by exactly one node within 60 s: "
                        + probeSummary(s));
            }
            for (int t = 1; t <= opt.trials(); t++) {
                if (overBudget()) {
                    note("service", sys + ": stopped after " + (t - 1) + " trials (time budget of " + opt.budgetMinutes()
                            + " min)");
                    return;
                }
                int owner = awaitSteady(s, STEADY_TIMEOUT);
                if (owner == 0) {
                    note("service", sys + " trial " + t + ": no single owner within " + STEADY_TIMEOUT.toSeconds()
                            + " s; trial skipped");
                    continue;
                }
                String oldMac = topology.mac(owner);
                Process dying = services.remove(owner);
                long t0 = WallMicros.now();
                dying.destroyForcibly();
                long newAt = awaitNewOwner(oldMac, t0, FAILOVER_WAIT);
                sleepFor(AFTER_NEW_OWNER);
                ProbeTimeline.Failover f = ProbeTimeline.failover(probe.samplesSince(0, t0 - 5_000_000), oldMac, t0,
                        WallMicros.now());
                services.put(owner, startService(owner));
                sleepFor(SERVICE_BACK_SETTLE);
                int after = awaitSteady(s, STEADY_TIMEOUT);
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("oldOwner", "n" + owner);
                extra.put("newOwner", f.newMac() == null ? null : "n" + topology.nodeOfMac(f.newMac()));
                extra.put("ownerAfterServiceBack", after == 0 ? null : "n" + after);
                double toNew = newAt < 0 ? Double.NaN : (newAt - t0) / 1000.0;
                record("service", sys, "toNew", t, toNew, extra);
                record("service", sys, "gap", t, f.gapMs(), null);
                record("service", sys, "double", t, f.doubleSamples() > 0 ? 1 : 0, null);
                record("service", sys, "back", t, after == owner ? 1 : 0, null);
                say(String.format(Locale.ROOT, "%s service %d/%d: service killed on n%d -> %s answers after %s ms (gap %s"
                        + " ms); service back on n%d: the VIP is on %s", sys, t, opt.trials(), owner, extra.get("newOwner"),
                        BenchReport.num(toNew, ""), BenchReport.num(f.gapMs(), ""), owner, extra.get("ownerAfterServiceBack")));
            }
        } finally {
            s.stopAll();
            awaitSilent(Duration.ofSeconds(15));
            for (Process p : services.values()) {
                p.destroyForcibly();
            }
            s.close();
        }
    }

    /** What the probe saw over the last 3 s and which daemons run, for a failure message. */
    private String probeSummary(Subject s) {
        List<ClientProbe.Sample> w = probe.samplesSince(0, WallMicros.now() - 3_000_000);
        Map<List<String>, Integer> answers = new LinkedHashMap<>();
        for (ClientProbe.Sample x : w) {
            answers.merge(x.macs(), 1, Integer::sum);
        }
        StringBuilder sb = new StringBuilder(w.size() + " probes in 3 s, answered by " + answers + "; running:");
        for (int i = 1; i <= s.nodes(); i++) {
            sb.append(" n").append(i).append('=').append(s.running(i));
        }
        return sb.toString();
    }

    /** 150/100/50 for 3 nodes; 150/100/50/40/30 for 5. */
    static List<Integer> priorities(int nodes) {
        List<Integer> p = new ArrayList<>(List.of(150, 100, 50, 40, 30, 20, 10));
        return p.subList(0, nodes);
    }

    /** One system's failover, move, CLI and cold-start trials on the 3-node topology. */
    private void phase(Subject s) {
        String sys = s.name();
        OwnershipSampler sampler = null;
        try {
            if (s instanceof LcsSubject l) {
                sampler = new OwnershipSampler(l.cluster(), registry);
                sampler.start();
            }
            s.startAll();
            if (awaitSteady(s, Duration.ofSeconds(60)) == 0) {
                throw new HarnessException(sys + ": the VIP is not answered by exactly one node within 60 s");
            }
            if (wants("failover")) {
                OwnershipSampler fs = sampler;
                withClientTraffic(() -> {
                    for (String kind : List.of("kill", "freeze", "isolate")) {
                        failover(s, kind, fs);
                    }
                });
            }
            if (wants("move") && s instanceof LcsSubject l) {
                move(l);
            }
            if (wants("cli") && s instanceof LcsSubject l) {
                cli(l);
            }
            if (wants("coldstart")) {
                coldStart(s);
            }
        } catch (RuntimeException e) {
            note("failover", sys + " phase stopped: " + e.getMessage());
        } finally {
            tearDown(s, sampler);
        }
    }

    /**
     * Runs {@code body} with the client's own ICMP and TCP traffic running ({@link #traffic}), and
     * only then: its TCP probe starts two processes every 20 ms, a load that would otherwise be
     * measured by the move, CLI and cold-start areas (it tripled the CLI's wall time here).
     */
    private void withClientTraffic(Runnable body) {
        traffic = new io.lcs.harness.netns.TrafficProbe(topology.clientNs(), VIP.address());
        open.add(traffic); // closed by the shutdown hook too when the bench is interrupted (close is idempotent)
        try {
            traffic.start();
            body.run();
        } finally {
            traffic.close();
            traffic = null;
        }
    }

    /** Stops every daemon (bounded), waits until the VIP is silent, closes the sampler and the subject, clears nftables. */
    private void tearDown(Subject s, OwnershipSampler sampler) {
        s.stopAll();
        awaitSilent(Duration.ofSeconds(15));
        if (sampler != null) {
            sampler.close();
        }
        s.close();
        for (int i = 1; i <= s.nodes(); i++) {
            clearNft(i);
        }
    }

    /** Waits until every node runs and the VIP has been answered by exactly one MAC for {@link #STABLE}; its node, or 0. */
    int awaitSteady(Subject s, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (int i = 1; i <= s.nodes(); i++) {
                all &= s.running(i);
            }
            if (all) {
                long now = WallMicros.now();
                Duration stable = s instanceof KeepalivedCluster ? STABLE_KEEPALIVED : STABLE;
                List<ClientProbe.Sample> w = probe.samplesSince(0, now - stable.toNanos() / 1000);
                String mac = null;
                int answered = 0;
                boolean ok = true;
                for (ClientProbe.Sample x : w) {
                    if (x.macs().isEmpty()) {
                        continue; // no answer within the probe's window: a loaded machine, says nothing
                    }
                    if (x.macs().size() != 1 || (mac != null && !mac.equals(x.macs().get(0)))) {
                        ok = false;
                        break;
                    }
                    mac = x.macs().get(0);
                    answered++;
                }
                ok &= answered >= 10 && answered * 2 >= w.size(); // and most probes were answered
                if (ok && mac != null && topology.nodeOfMac(mac) > 0) {
                    return topology.nodeOfMac(mac);
                }
            }
            sleep(100);
        }
        return 0;
    }

    /** Waits until nobody has answered for 1 s; false at the deadline. */
    private boolean awaitSilent(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<ClientProbe.Sample> w = probe.samplesSince(0, WallMicros.now() - 1_000_000);
            if (w.size() >= 5 && w.stream().allMatch(x -> x.macs().isEmpty())) {
                return true;
            }
            sleep(100);
        }
        return false;
    }

    private void failover(Subject s, String kind, OwnershipSampler sampler) {
        failover(s, kind, sampler, "failover");
    }

    /** The trials of one fault {@code kind}, recorded under {@code area}. */
    private void failover(Subject s, String kind, OwnershipSampler sampler, String area) {
        String sys = s.name();
        int done = 0;
        for (int t = 1; t <= opt.trials(); t++) {
            if (overBudget()) {
                note(area, sys + " " + kind + ": stopped after " + done + " trials (time budget of " + opt.budgetMinutes() + " min)");
                return;
            }
            if (!s.awaitMembers(Duration.ofSeconds(30))) {
                note(area, sys + " " + kind + " trial " + t + ": not every node rejoined within 30 s");
            }
            int owner = awaitSteady(s, STEADY_TIMEOUT);
            if (owner == 0) {
                note(area, sys + " " + kind + " trial " + t + ": no single owner within " + STEADY_TIMEOUT.toSeconds()
                        + " s; trial skipped");
                continue;
            }
            String oldMac = topology.mac(owner);
            long t0 = WallMicros.now();
            long faultEnd;
            switch (kind) {
                case "kill" -> {
                    s.kill9(owner);
                    awaitNewOwner(oldMac, t0, FAILOVER_WAIT);
                    sleepFor(AFTER_NEW_OWNER);
                    faultEnd = WallMicros.now();
                    s.start(owner);
                }
                case "freeze" -> {
                    s.freeze(owner);
                    holdFault(oldMac, t0);
                    faultEnd = WallMicros.now();
                    s.thaw(owner);
                }
                case "isolate" -> {
                    isolate(owner, s.nodes());
                    holdFault(oldMac, t0);
                    faultEnd = WallMicros.now();
                    clearNft(owner);
                }
                default -> throw new IllegalArgumentException(kind);
            }
            s.awaitMembers(Duration.ofSeconds(30));
            int after = awaitSteady(s, STEADY_TIMEOUT);
            long t1 = WallMicros.now();
            ProbeTimeline.Failover f = ProbeTimeline.failover(probe.samplesSince(0, t0 - 5_000_000), oldMac, t0, t1);
            double kernelOverlap = sampler == null ? Double.NaN
                    : ProbeTimeline.kernelOverlapMs(sampler.intervals(), VIP.name(), t0, t1, WallMicros.now());
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("kind", kind);
            extra.put("oldOwner", "n" + owner);
            extra.put("newOwner", f.newMac() == null ? null : "n" + topology.nodeOfMac(f.newMac()));
            extra.put("toNewMs", Double.isNaN(f.toNewMs()) ? null : f.toNewMs());
            extra.put("doubleAnswerProbes", f.doubleSamples());
            extra.put("probes", f.probes());
            extra.put("faultMs", (faultEnd - t0) / 1000.0);
            extra.put("kernelOverlapMs", Double.isNaN(kernelOverlap) ? null : kernelOverlap);
            extra.put("steadyAfter", after == 0 ? "not within " + STEADY_TIMEOUT.toSeconds() + " s" : "n" + after);
            if (traffic != null) {
                io.lcs.harness.netns.TrafficProbe.Outage icmp = traffic.icmpOutage(t0, t0 - 3_000_000, t1);
                io.lcs.harness.netns.TrafficProbe.Outage tcp = traffic.tcpOutage(t0, t0 - 3_000_000, t1);
                extra.put("icmpGapMs", Double.isNaN(icmp.gapMs()) ? null : icmp.gapMs());
                extra.put("icmpBackMs", Double.isNaN(icmp.firstAnswerAfterFaultMs()) ? null : icmp.firstAnswerAfterFaultMs());
                extra.put("tcpGapMs", Double.isNaN(tcp.gapMs()) ? null : tcp.gapMs());
                extra.put("tcpBackMs", Double.isNaN(tcp.firstAnswerAfterFaultMs()) ? null : tcp.firstAnswerAfterFaultMs());
                record(area, sys, kind + ".icmpGap", t, icmp.gapMs(), null);
                record(area, sys, kind + ".icmpBack", t, icmp.firstAnswerAfterFaultMs(), null);
                record(area, sys, kind + ".tcpGap", t, tcp.gapMs(), null);
                record(area, sys, kind + ".tcpBack", t, tcp.firstAnswerAfterFaultMs(), null);
                say(String.format(Locale.ROOT, "%s %s %d: client ICMP outage %s ms (answered again %s ms after the"
                        + " fault), TCP outage %s ms (again after %s ms)", sys, kind, t, BenchReport.num(icmp.gapMs(), ""),
                        BenchReport.num(icmp.firstAnswerAfterFaultMs(), ""), BenchReport.num(tcp.gapMs(), ""),
                        BenchReport.num(tcp.firstAnswerAfterFaultMs(), "")));
            }
            record(area, sys, kind + ".gap", t, f.gapMs(), extra);
            record(area, sys, kind + ".toNew", t, f.toNewMs(), null);
            record(area, sys, kind + ".double", t, f.doubleSamples() > 0 ? 1 : 0, null);
            record(area, sys, kind + ".kernelOverlap", t, Double.isNaN(kernelOverlap) ? Double.NaN
                    : kernelOverlap > 0 ? 1 : 0, null);
            say(String.format(Locale.ROOT, "%s %s %d/%d: n%d -> %s, gap %s ms, new owner after %s ms, double-answer probes %d%s",
                    sys, kind, t, opt.trials(), owner, extra.get("newOwner"), BenchReport.num(f.gapMs(), ""),
                    BenchReport.num(f.toNewMs(), ""), f.doubleSamples(),
                    sampler == null ? "" : ", kernel overlap " + BenchReport.num(kernelOverlap, "ms")));
            done++;
        }
    }

    /** Waits until a MAC other than {@code oldMac} answers a probe sent after {@code t0}; its time or -1. */
    private long awaitNewOwner(String oldMac, long t0, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ClientProbe.Sample x : probe.samplesSince(0, t0)) {
                for (String m : x.macs()) {
                    if (!m.equals(oldMac)) {
                        return x.atMicros();
                    }
                }
            }
            sleep(20);
        }
        return -1;
    }

    /** Keeps a fault on until the new owner answered {@link #AFTER_NEW_OWNER} ago, within [MIN_FAULT, MAX_FAULT]. */
    private void holdFault(String oldMac, long t0) {
        long newAt = awaitNewOwner(oldMac, t0, MAX_FAULT);
        long until = newAt < 0 ? t0 + MAX_FAULT.toNanos() / 1000
                : Math.max(t0 + MIN_FAULT.toNanos() / 1000, newAt + AFTER_NEW_OWNER.toNanos() / 1000);
        long waitMicros = Math.min(until - WallMicros.now(), MAX_FAULT.toNanos() / 1000);
        if (waitMicros > 0) {
            sleep(waitMicros / 1000);
        }
    }

    /**
     * Cuts node {@code i} off from its peers with nftables in its namespace (IPv4 to/from the other
     * nodes' addresses and VRRP's multicast group dropped), leaving the client and ARP alone: the
     * client still reaches it, so a double answer is observable.
     */
    private void isolate(int i, int nodes) {
        StringBuilder peers = new StringBuilder();
        for (int j = 1; j <= nodes; j++) {
            if (j != i) {
                peers.append(peers.length() == 0 ? "" : ", ").append(Topology.nodeV4(j));
            }
        }
        Netns.nftTable(topology.nodeNs(i), isolationChains(peers.toString()));
    }

    /** The nft table body that isolates a node from {@code peers} (comma-separated IPv4 addresses). */
    static String isolationChains(String peers) {
        return "chain in { type filter hook input priority 0; policy accept; ip saddr { " + peers + " } drop; }\n"
                + "chain out { type filter hook output priority 0; policy accept; ip daddr { " + peers
                + ", 224.0.0.18 } drop; }";
    }

    private void clearNft(int i) {
        try {
            Netns.nftTable(topology.nodeNs(i), "");
        } catch (HarnessException e) {
            // the namespace is gone or never had the table
        }
    }

    private void move(LcsSubject l) {
        String area = "move";
        Cluster c = l.cluster();
        for (int t = 1; t <= opt.trials(); t++) {
            if (overBudget()) {
                note(area, "stopped after " + (t - 1) + " trials (time budget)");
                return;
            }
            l.awaitMembers(Duration.ofSeconds(30));
            int owner = awaitSteady(l, STEADY_TIMEOUT);
            if (owner == 0) {
                note(area, "trial " + t + ": no single owner within " + STEADY_TIMEOUT.toSeconds() + " s; skipped");
                continue;
            }
            int target = owner % 3 + 1;
            String targetMac = topology.mac(target);
            long t0 = WallMicros.now();
            Timed cli = timed(Netns.enter(c.node(target).ns, c.cliArgv(c.node(target), "move", VIP.name(), "--to", "n" + target)),
                    Duration.ofSeconds(20));
            long answered = -1;
            long deadline = System.nanoTime() + FAILOVER_WAIT.toNanos();
            while (answered < 0 && System.nanoTime() < deadline) {
                answered = ProbeTimeline.firstAnswer(probe.samplesSince(0, t0), targetMac, t0);
                if (answered < 0) {
                    sleep(20);
                }
            }
            double ms = answered < 0 ? Double.NaN : (answered - t0) / 1000.0;
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("from", "n" + owner);
            extra.put("to", "n" + target);
            extra.put("cliMs", cli.millis());
            extra.put("cliOk", cli.ok());
            if (!cli.ok()) {
                extra.put("cliOutput", cli.output());
                note(area, "trial " + t + ": lcs move failed: " + cli.output());
            }
            record(area, "lcs", "move", t, ms, extra);
            record(area, "lcs", "move.cli", t, cli.millis(), null);
            sleep(300);
            long until = WallMicros.now();
            int doubles = ProbeTimeline.doubleAnswers(probe.samplesSince(0, t0), t0, until);
            record(area, "lcs", "move.double", t, doubles > 0 ? 1 : 0, null);
            say(String.format(Locale.ROOT, "lcs move %d/%d: n%d -> n%d answered after %s ms (CLI %d ms, %s)", t, opt.trials(),
                    owner, target, answered < 0 ? "not within " + FAILOVER_WAIT.toSeconds() + " s" : BenchReport.num(ms, ""),
                    Math.round(cli.millis()), cli.ok() ? "ok" : "failed"));
        }
    }

    private void cli(LcsSubject l) {
        Cluster c = l.cluster();
        l.awaitMembers(Duration.ofSeconds(30));
        probe.pause(true); // nothing here reads it; its processes would weigh on the CLI's start
        try {
            cliRuns(c);
        } finally {
            probe.pause(false);
        }
    }

    private void cliRuns(Cluster c) {
        for (String[] cmd : new String[][] {{"status"}, {"get", "vips"}}) {
            String metric = String.join(" ", cmd);
            timed(Netns.enter(c.node(1).ns, c.cliArgv(c.node(1), cmd)), Duration.ofSeconds(20)); // not counted: page cache warm-up
            int failed = 0;
            for (int t = 1; t <= Math.max(opt.trials(), 3); t++) {
                if (overBudget()) {
                    break;
                }
                Timed r = timed(Netns.enter(c.node(1).ns, c.cliArgv(c.node(1), cmd)), Duration.ofSeconds(20));
                record("cli", "lcs", metric, t, r.ok() ? r.millis() : Double.NaN, Map.of("ok", r.ok()));
                if (!r.ok() && failed++ == 0) {
                    note("cli", "lcs " + metric + " failed: " + r.output());
                }
            }
            say("lcs " + metric + ": " + BenchReport.mmpm(Stats.of(values("cli", "lcs", metric)), "ms"));
        }
    }

    private void coldStart(Subject s) {
        String sys = s.name();
        for (int t = 1; t <= Math.max(3, Math.min(opt.trials(), 5)); t++) {
            if (overBudget()) {
                note("coldstart", sys + ": stopped after " + (t - 1) + " trials (time budget)");
                return;
            }
            s.awaitMembers(Duration.ofSeconds(30));
            s.stopAll();
            if (!awaitSilent(Duration.ofSeconds(20))) {
                note("coldstart", sys + " trial " + t + ": the VIP still answered 20 s after stopping every node");
            }
            long t0 = WallMicros.now();
            s.startAll();
            long answered = -1;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (answered < 0 && System.nanoTime() < deadline) {
                answered = ProbeTimeline.firstAnswer(probe.samplesSince(0, t0), null, t0);
                if (answered < 0) {
                    sleep(20);
                }
            }
            double ms = answered < 0 ? Double.NaN : (answered - t0) / 1000.0;
            record("coldstart", sys, "coldstart", t, ms, null);
            say(sys + " cold start " + t + ": " + (answered < 0 ? "not within 60 s" : BenchReport.num(ms, "ms")));
            awaitSteady(s, STEADY_TIMEOUT);
        }
    }

    // ---- footprint -----------------------------------------------------------------------------

    private void footprint() {
        int secs = opt.footprintSeconds();
        for (int n : FOOTPRINT_VIPS) {
            if (overBudget()) {
                note("footprint", n + " VIPs: skipped (time budget)");
                continue;
            }
            List<Vip> lv = new ArrayList<>();
            List<String> kv = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                String a = "198.18." + (16 + k / 256) + "." + (k % 256);
                lv.add(new Vip("f" + (k + 1), a, a + "/32", false));
                kv.add("198.18." + (32 + k / 256) + "." + (k % 256) + "/32");
            }
            LcsSubject l = lcsSubject(runDir.resolve("fp-lcs-" + n), lv, 3);
            KeepalivedCluster k = keepalived(runDir.resolve("fp-keepalived-" + n), kv, 3);
            try {
                l.startAll();
                k.startAll();
                long a0 = System.nanoTime();
                List<Vip> kVips = kv.stream().map(c -> new Vip("k", c.substring(0, c.indexOf('/')), c, false)).toList();
                while (System.nanoTime() - a0 < TimeUnit.SECONDS.toNanos(ACTIVE_WAIT_SECONDS)
                        && (heldCount(lv, 3) < n || heldCount(kVips, 3) < n)) {
                    sleep(1000);
                }
                say(String.format(Locale.ROOT, "footprint %d VIPs: active after %.1f s: lcs %d, keepalived %d; settling %d s",
                        n, (System.nanoTime() - a0) / 1e9, heldCount(lv, 3), heldCount(kVips, 3), secs));
                sleep(secs * 1000L);
                Map<String, Subject> subs = Map.of("lcs", l, "keepalived", k);
                Map<String, long[]> cpu0 = new HashMap<>();
                for (var e : subs.entrySet()) {
                    cpu0.put(e.getKey(), cpuTicks(e.getValue()));
                }
                long m0 = System.nanoTime();
                Map<String, List<List<ProcFiles.Memory>>> mem = new HashMap<>();
                int samples = 6;
                for (int s = 0; s < samples; s++) {
                    for (var e : subs.entrySet()) {
                        mem.computeIfAbsent(e.getKey(), x -> new ArrayList<>()).add(memory(e.getValue()));
                    }
                    sleep(secs * 1000L / samples);
                }
                double minutes = (System.nanoTime() - m0) / 60e9;
                for (var e : subs.entrySet()) {
                    String sys = e.getKey();
                    Subject sub = e.getValue();
                    long[] c1 = cpuTicks(sub);
                    for (int i = 1; i <= sub.nodes(); i++) {
                        double rss = 0;
                        double pss = 0;
                        int cnt = 0;
                        for (List<ProcFiles.Memory> snap : mem.get(sys)) {
                            if (snap.get(i - 1) != null) {
                                rss += snap.get(i - 1).rssKb();
                                pss += snap.get(i - 1).pssKb();
                                cnt++;
                            }
                        }
                        double cpuPerMin = cpu0.get(sys)[i - 1] < 0 || c1[i - 1] < 0 ? Double.NaN
                                : (c1[i - 1] - cpu0.get(sys)[i - 1]) / (double) ProcFiles.TICKS_PER_SECOND / minutes;
                        Map<String, Object> extra = Map.of("node", "n" + i, "vips", n);
                        record("footprint", sys, n + ".rss", i, cnt == 0 ? Double.NaN : rss / cnt / 1024.0, extra);
                        record("footprint", sys, n + ".pss", i, cnt == 0 ? Double.NaN : pss / cnt / 1024.0, extra);
                        record("footprint", sys, n + ".cpu", i, cpuPerMin, extra);
                    }
                    say(String.format(Locale.ROOT, "footprint %s %d VIPs: RSS max %s MiB, PSS max %s MiB, CPU max %s s/min",
                            sys, n, BenchReport.num(Stats.of(values("footprint", sys, n + ".rss")).max(), ""),
                            BenchReport.num(Stats.of(values("footprint", sys, n + ".pss")).max(), ""),
                            BenchReport.num(Stats.of(values("footprint", sys, n + ".cpu")).max(), "")));
                }
                int held = heldCount(lv, 3);
                if (held < n) {
                    note("footprint", "lcs " + n + " VIPs: only " + held + " of them were active when measured");
                }
                int kHeld = heldCount(kVips, 3);
                if (kHeld < n) {
                    note("footprint", "keepalived " + n + " VIPs: only " + kHeld + " of them were active when measured");
                }
            } finally {
                l.stopAll();
                k.stopAll();
                l.close();
                k.close();
            }
        }
        installedSize();
    }

    /** Per node: utime+stime+cutime+cstime of its daemon's processes, ticks (-1 if not running). */
    private static long[] cpuTicks(Subject s) {
        long[] out = new long[s.nodes()];
        for (int i = 1; i <= s.nodes(); i++) {
            List<Long> pids = s.pids(i);
            long sum = pids.isEmpty() ? -1 : 0;
            for (long p : pids) {
                ProcFiles.Cpu c = ProcFiles.cpu(p);
                if (c != null) {
                    sum += c.utime() + c.stime() + c.cutime() + c.cstime();
                }
            }
            out[i - 1] = sum;
        }
        return out;
    }

    /** Per node: the sum over its daemon's processes (null if not running). */
    private static List<ProcFiles.Memory> memory(Subject s) {
        List<ProcFiles.Memory> out = new ArrayList<>();
        for (int i = 1; i <= s.nodes(); i++) {
            ProcFiles.Memory sum = null;
            for (long p : s.pids(i)) {
                ProcFiles.Memory m = ProcFiles.memory(p);
                if (m != null) {
                    sum = sum == null ? m : sum.plus(m);
                }
            }
            out.add(sum);
        }
        return out;
    }

    private static final Pattern INET = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/");

    /** IPv4 addresses on eth0 of node i's namespace, from its kernel. */
    private Set<String> addresses(Topology top, int i) {
        Set<String> out = new HashSet<>();
        CommandResult r = Netns.run(Netns.COMMAND_TIMEOUT, List.of("ip", "-n", top.nodeNs(i), "-o", "-4", "addr", "show",
                "dev", Topology.IFACE));
        Matcher m = INET.matcher(r.stdout());
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private int heldCount(List<Vip> vips, int nodes) {
        Set<String> all = new HashSet<>();
        for (int i = 1; i <= nodes; i++) {
            all.addAll(addresses(topology, i));
        }
        int n = 0;
        for (Vip v : vips) {
            n += all.contains(v.address()) ? 1 : 0;
        }
        return n;
    }

    private void installedSize() {
        Path home = opt.lcsHome();
        Timed du = timed(List.of("du", "-sk", home.toString()), Duration.ofSeconds(30));
        double lcsMiB = Double.NaN;
        if (du.ok()) {
            lcsMiB = Long.parseLong(du.output().strip().split("\\s+")[0]) / 1024.0;
        }
        record("footprint", "lcs", "installed", 1, lcsMiB, Map.of("how", "du -sk " + home));
        double deb = debInstalledSize(home);
        record("footprint", "lcs", "installed.deb", 1, deb, null);
        List<String> pkgs = KeepalivedInstall.removalSet("keepalived");
        long kb = KeepalivedInstall.installedSizeKb(pkgs);
        record("footprint", "keepalived", "installed", 1, kb / 1024.0, Map.of("packages", String.join(" ", pkgs)));
        note("footprint", "installed size: lcs = du of the distribution tree " + shown(home)
                + (Double.isNaN(deb) ? "" : " (the .deb's Installed-Size: " + BenchReport.num(deb, "MiB") + ")")
                + "; keepalived = dpkg Installed-Size of the packages `apt-get -s remove --auto-remove keepalived`"
                + " would remove (keepalived, what apt installed with it beyond the base system, Recommends included): " + String.join(", ", pkgs));
    }

    private static double debInstalledSize(Path home) {
        Path target = home.getParent();
        if (target == null || !Files.isDirectory(target)) {
            return Double.NaN;
        }
        try (var s = Files.list(target)) {
            Path deb = s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst().orElse(null);
            if (deb == null) {
                return Double.NaN;
            }
            Timed r = timed(List.of("dpkg-deb", "-f", deb.toString(), "Installed-Size"), Duration.ofSeconds(20));
            return r.ok() ? Long.parseLong(r.output().strip()) / 1024.0 : Double.NaN;
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
    }

    // ---- scale ---------------------------------------------------------------------------------

    private void scale() {
        int nodes = 5;
        int count = 1000;
        String id = Topology.newRunId();
        topology = Topology.create(id, nodes, registry);
        open.add(topology);
        try {
            List<Vip> lv = new ArrayList<>();
            List<String> kv = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                String a = "198.18." + (16 + k / 256) + "." + (k % 256);
                lv.add(new Vip("s" + (k + 1), a, a + "/32", false));
                kv.add(a + "/32");
            }
            // the same cluster with one VIP first: the 1,000-VIP traffic is compared with it
            List<Vip> one = lv.subList(0, 1);
            trafficOnly(lcsSubject(runDir.resolve("scale-lcs-1"), one, nodes), one, nodes);
            trafficOnly(keepalived(runDir.resolve("scale-keepalived-1"), kv.subList(0, 1), nodes), one, nodes);
            LcsSubject l = lcsSubject(runDir.resolve("scale-lcs"), lv, nodes);
            scaleOne(l, lv, nodes);
            KeepalivedCluster k = keepalived(runDir.resolve("scale-keepalived"), kv, nodes);
            scaleOne(k, lv, nodes);
        } finally {
            topology.close();
        }
    }

    /** Starts {@code s}, waits until its VIPs are active, settles and counts its idle traffic (keys packets1, kbytes1). */
    private void trafficOnly(Subject s, List<Vip> vips, int nodes) {
        String sys = s.name();
        try {
            if (overBudget()) {
                note("scale", sys + ": 1-VIP traffic skipped (time budget)");
                return;
            }
            if (Double.isNaN(startUntilActive(s, vips, nodes))) {
                note("scale", sys + ": " + vips.size() + " VIP(s) not active within 120 s: traffic not counted");
                return;
            }
            sleep(20_000); // settle
            traffic(sys, vips.size() + " VIP", "1");
        } finally {
            s.stopAll();
            s.close();
        }
    }

    /** Starts {@code s} and waits (at most 120 s) until every VIP is active on one node: the milliseconds, or NaN. */
    private double startUntilActive(Subject s, List<Vip> vips, int nodes) {
        long t0 = System.nanoTime();
        s.startAll();
        boolean all = false;
        while (!all && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(120)) {
            all = vips.stream().allMatch(v -> holder(v, nodesHolding(v, nodes)) > 0);
            if (!all) {
                sleep(500);
            }
        }
        return all ? (System.nanoTime() - t0) / 1e6 : Double.NaN;
    }

    private void scaleOne(Subject s, List<Vip> vips, int nodes) {
        String sys = s.name();
        try {
            if (overBudget()) {
                note("scale", sys + ": skipped (time budget)");
                return;
            }
            double startMs = startUntilActive(s, vips, nodes);
            if (Double.isNaN(startMs)) {
                long active = vips.stream().filter(v -> holder(v, nodesHolding(v, nodes)) > 0).count();
                note("scale", sys + ": not every VIP active within 120 s of the start (" + active + " of " + vips.size() + ")");
                record("scale", sys, "allActive", 1, Double.NaN, Map.of("active", active));
            } else {
                record("scale", sys, "allActive", 1, startMs, null);
                say(sys + " scale: all " + vips.size() + " VIPs active " + BenchReport.num(startMs, "ms") + " after the start");
            }
            sleep(20_000); // settle
            traffic(sys, vips.size() + " VIPs", "");
            // victim: the node holding the most VIPs
            Map<Integer, Set<String>> byNode = new HashMap<>();
            for (int i = 1; i <= nodes; i++) {
                byNode.put(i, addresses(topology, i));
            }
            Set<String> vipAddrs = new HashSet<>();
            vips.forEach(v -> vipAddrs.add(v.address()));
            int victim = 1;
            int most = -1;
            for (int i = 1; i <= nodes; i++) {
                byNode.get(i).retainAll(vipAddrs);
                if (byNode.get(i).size() > most) {
                    most = byNode.get(i).size();
                    victim = i;
                }
            }
            Set<String> lost = byNode.get(victim);
            if (lost.isEmpty()) {
                note("scale", sys + ": no node held any VIP: the kill -9 failover is not measured");
                record("scale", sys, "failover", 1, Double.NaN, Map.of("victim", "none"));
                return;
            }
            long k0 = System.nanoTime();
            s.kill9(victim);
            int moved = 0;
            boolean done = false;
            while (!done && System.nanoTime() - k0 < TimeUnit.SECONDS.toNanos(60)) {
                Set<String> elsewhere = new HashSet<>();
                for (int i = 1; i <= nodes; i++) {
                    if (i != victim) {
                        elsewhere.addAll(addresses(topology, i));
                    }
                }
                moved = (int) lost.stream().filter(elsewhere::contains).count();
                done = moved == lost.size();
                if (!done) {
                    sleep(100);
                }
            }
            double ms = (System.nanoTime() - k0) / 1e6;
            record("scale", sys, "failover", 1, done ? ms : Double.NaN,
                    Map.of("victim", "n" + victim, "vips", lost.size(), "moved", moved));
            if (done) {
                say(sys + " scale: kill -9 of n" + victim + " (" + lost.size() + " VIPs): all active elsewhere after "
                        + BenchReport.num(ms, "ms"));
            } else {
                note("scale", sys + ": kill -9 of n" + victim + " (" + lost.size() + " VIPs): not within 60 s ("
                        + moved + " moved)");
            }
        } finally {
            s.stopAll();
            s.close();
        }
    }

    private final Map<Integer, Set<String>> addrCache = new HashMap<>();
    private long addrCacheAt;

    /** Nodes whose kernel holds {@code v} (addresses re-read at most every 400 ms). */
    private List<Integer> nodesHolding(Vip v, int nodes) {
        if (System.nanoTime() - addrCacheAt > 400_000_000L) {
            addrCache.clear();
            for (int i = 1; i <= nodes; i++) {
                addrCache.put(i, addresses(topology, i));
            }
            addrCacheAt = System.nanoTime();
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            if (addrCache.get(i).contains(v.address())) {
                out.add(i);
            }
        }
        return out;
    }

    private static int holder(Vip v, List<Integer> holding) {
        return holding.size() == 1 ? holding.get(0) : 0;
    }

    /**
     * Idle frames and bytes per second entering the switch's bridge ports (nft bridge prerouting
     * counter), 30 s; recorded as packets and kbytes with {@code keySuffix}.
     */
    private void traffic(String sys, String what, String keySuffix) {
        String sw = topology.switchNs();
        String table = "table bridge lcshb {\n chain pre { type filter hook prerouting priority 0; policy accept; counter; }\n}\n";
        try {
            Path f = Files.createTempFile("lcsh-bench-", ".nft");
            Files.writeString(f, "add table bridge lcshb\ndelete table bridge lcshb\n" + table);
            Netns.must(Netns.exec(sw, List.of("nft", "-f", f.toString())));
            Files.deleteIfExists(f);
            long a = System.nanoTime();
            long[] c0 = counter(sw);
            sleep(30_000);
            long[] c1 = counter(sw);
            double secs = (System.nanoTime() - a) / 1e9;
            double pps = (c1[0] - c0[0]) / secs;
            double kbps = (c1[1] - c0[1]) / secs / 1000.0;
            record("scale", sys, "packets" + keySuffix, 1, pps, null);
            record("scale", sys, "kbytes" + keySuffix, 1, kbps, null);
            say(String.format(Locale.ROOT, "%s scale idle traffic, %s: %.1f frames/s, %.2f KB/s", sys, what, pps, kbps));
            Netns.must(Netns.exec(sw, List.of("nft", "delete", "table", "bridge", "lcshb")));
        } catch (IOException e) {
            throw new HarnessException("cannot count bridge traffic: " + e.getMessage(), e);
        }
    }

    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+) bytes (\\d+)");

    private static long[] counter(String sw) {
        String out = Netns.must(Netns.exec(sw, List.of("nft", "list", "table", "bridge", "lcshb")));
        Matcher m = COUNTER.matcher(out);
        if (!m.find()) {
            throw new HarnessException("no counter in nft's table lcshb of " + sw + ": " + out);
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    // ---- report --------------------------------------------------------------------------------

    private BenchReport header() {
        BenchReport r = new BenchReport().title("lcs benchmarks", Instant.now().toString());
        r.machine("nproc", Integer.toString(Runtime.getRuntime().availableProcessors()));
        r.machine("CPU", cpuModel());
        r.machine("kernel", read("/proc/sys/kernel/osrelease"));
        r.machine("Debian", read("/etc/debian_version"));
        r.machine("memory", memTotal());
        r.machine("load average at the start", loadAverage());
        r.version("lcs", gitCommit());
        r.version("lcs runtime (JDK)", runtimeVersion(opt.lcsHome()));
        r.version("lcs CDS archives", Files.exists(
                opt.lcsHome().resolve("cds/lcs.jsa")) ? "cds/lcs.jsa present (lcsd and lcs)" : "**missing** (run bin/lcs-make-cds)");
        r.version("keepalived", KeepalivedInstall.version());
        r.command(String.join(" ", opt.commandLine()));
        String home = shown(opt.lcsHome());
        r.command("# lcsd: ip netns exec NS " + home + "/bin/lcsd -c lcs.conf -v   (3 full members, lease 2000 ms, renew 500 ms)");
        r.command("# CLI:  nsenter --net=/run/netns/NS env PATH=... LCS_HOME=" + home + " " + home
                + "/bin/lcs --server http://127.0.0.1:9121 ARGS");
        r.command("# keepalived: ip netns exec NS keepalived -n -l -D -G -P -f CONF -p PIDFILE -r VRRPPIDFILE");
        r.note("Topology: one namespace per node (198.18.0.i/24 on eth0), a switch namespace with a bridge, a client "
                + "namespace (198.18.0.250) probing VIP 198.18.0.201/24 every 20 ms with a broadcast ARP request and "
                + "recording the MAC(s) that answer; IPv4 only in this benchmark.");
        r.note("keepalived: VRRPv2 over multicast (224.0.0.18, its default) on the bridge, 3 nodes with priorities "
                + "150/100/50 (5 nodes in the scale run: 150/100/50/40/30), advert_int 1, state MASTER on the "
                + "highest priority and BACKUP on the others, defaults otherwise (preemption on). kill -9 and freeze act "
                + "on both keepalived processes of the node (parent and VRRP child).");
        r.note("Timings are wall-clock on the machine above; its load averages at the start and the end show whether "
                + "other work ran alongside. Medians are the figures to read.");
        return r;
    }

    private static final BenchReport.Target FAILOVER = new BenchReport.Target("median ≤ 2000 ms", 2000);
    private static final BenchReport.Target ZERO = new BenchReport.Target("0", 0);

    private BenchReport.Area area(String a) {
        List<BenchReport.Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        String title = switch (a) {
            case "failover" -> "Failover (client-observed)";
            case "service" -> "Service dies behind the VIP";
            case "load" -> "Failover on a busy machine (every core busy, memory pressure)";
            case "move" -> "Planned move";
            case "coldstart" -> "Cold start of the whole cluster";
            case "cli" -> "CLI latency";
            case "footprint" -> "Footprint";
            default -> "Scale: 5 nodes, 1,000 IPv4 VIPs";
        };
        switch (a) {
            case "failover" -> {
                for (String kind : List.of("kill", "freeze", "isolate")) {
                    String what = switch (kind) {
                        case "kill" -> "kill -9 of the owner";
                        case "freeze" -> "freeze (SIGSTOP) of the owner";
                        default -> "isolation of the owner from its peers";
                    };
                    rows.add(mmpmRow(what + ": gap, min / median / p95 / max", "failover", kind + ".gap", "ms", FAILOVER));
                    rows.add(mmpmRow(what + ": new owner answers after the fault", "failover", kind + ".toNew", "ms", null));
                    rows.add(countRow(what + ": trials with a double answer", "failover", kind + ".double"));
                    rows.add(countRow(what + ": trials with kernel-sampled overlap", "failover", kind + ".kernelOverlap"));
                    rows.add(mmpmRow(what + ": client ICMP outage", "failover", kind + ".icmpGap", "ms", null));
                    rows.add(mmpmRow(what + ": client ICMP answered again after the fault", "failover", kind + ".icmpBack",
                            "ms", new BenchReport.Target("median ≤ 1500 ms", 1500)));
                    rows.add(mmpmRow(what + ": client TCP outage", "failover", kind + ".tcpGap", "ms", null));
                    rows.add(mmpmRow(what + ": client TCP answered again after the fault", "failover", kind + ".tcpBack",
                            "ms", null));
                }
                notes.add("gap = first reply from the new owner minus the last reply from the old owner before it "
                        + "(repliers told apart by MAC); \"new owner answers after the fault\" = first reply from another "
                        + "MAC minus the fault instant. A node that keeps answering after its daemon died (keepalived's VIP "
                        + "stays on a killed or frozen node's interface) makes the gap small and shows as double answers.");
                notes.add("client ICMP / TCP: the client's own traffic, through its neighbour cache (a new owner is reached"
                        + " only once an announcement updated it): ping every 10 ms, and a TCP connect every 20 ms to a port"
                        + " nothing listens on (a RST from the holder counts as reached). Outage = the longest time between two"
                        + " answers that ends after the fault; \"answered again\" = the first answer after it, from the fault.");
                notes.add("freeze: SIGSTOP until the new owner has answered for " + AFTER_NEW_OWNER.toMillis() + " ms (at least "
                        + MIN_FAULT.toMillis() + " ms, longer than the 2000 ms lease; at most " + MAX_FAULT.toSeconds()
                        + " s), then SIGCONT. isolation: nftables in the owner's namespace drops IPv4 to and from the other "
                        + "nodes and to 224.0.0.18, for as long; ARP and the client are untouched, so a double answer is visible.");
                notes.add("kill -9: the killed daemon is restarted " + AFTER_NEW_OWNER.toMillis()
                        + " ms after the new owner answered; a trial ends when one node has answered alone for "
                        + STABLE.toMillis() + " ms again (keepalived: " + STABLE_KEEPALIVED.toMillis()
                        + " ms, longer than its master-down interval, so a preemption back to the priority-150 node is over)."
                        + " Each trial starts from that steady state. Double answers are counted over the whole trial. Kernel-sampled "
                        + "overlap (lcs only: OwnershipSampler, ip monitor in every node) is an independent check.");
            }
            case "load" -> {
                rows.add(loadRow("owner changes without a fault during the load", "spurious", "", ZERO));
                rows.add(loadRow("longest time without an ARP answer during the load", "silence", "ms", null));
                rows.add(loadRow("longest client ICMP outage during the load", "icmpLongest", "ms", null));
                rows.add(loadRow("lcsd's event loop during the load: its latest tick ran at most this late"
                        + " (histogram bucket bound, every node)", "loopLagWorst", "ms", null));
                rows.add(loadRow("lcsd's event loop during the load: ticks more than 100 ms late (all nodes)",
                        "loopLagOver100", "", null));
                rows.add(loadRow("lcsd's event loop during the load: ticks more than 250 ms late, a heartbeat"
                        + " interval (all nodes)", "loopLagOver250", "", null));
                for (String kind : List.of("kill", "freeze", "isolate")) {
                    String what = switch (kind) {
                        case "kill" -> "kill -9 of the owner";
                        case "freeze" -> "freeze (SIGSTOP) of the owner";
                        default -> "isolation of the owner";
                    };
                    rows.add(mmpmRow(what + " under load: new owner answers after the fault", "load", kind + ".toNew",
                            "ms", null));
                    rows.add(mmpmRow(what + " under load: client ICMP answered again after the fault", "load",
                            kind + ".icmpBack", "ms", BenchReport.Target.p95(2000, "ms")));
                    rows.add(mmpmRow(what + " under load: client TCP answered again after the fault", "load",
                            kind + ".tcpBack", "ms", null));
                    rows.add(countRow(what + " under load: trials with a double answer", "load", kind + ".double"));
                }
                notes.add("stress-ng --cpu 0 (a CPU worker per core) --vm 1 --vm-bytes 25% runs for " + opt.loadMinutes()
                        + " min while the client probes the VIP; an owner change is a probe answered by another MAC than"
                        + " the one before (or by two). Then the failover trials run under the same load. lcsd runs niced"
                        + " -10 (as its unit grants), keepalived at its default priority (its packaged unit sets none).");
            }
            case "service" -> {
                rows.add(mmpmRow("service killed on the owner: another node answers after", "service", "toNew", "ms",
                        new BenchReport.Target("median ≤ " + (CHECK_FALL * CHECK_INTERVAL_MS + 2000) + " ms",
                                CHECK_FALL * CHECK_INTERVAL_MS + 2000)));
                rows.add(mmpmRow("gap between the old owner's last and the new owner's first answer", "service", "gap",
                        "ms", null));
                rows.add(countRow("trials with a double answer", "service", "double"));
                rows.add(countRow("trials where the VIP went back once the service was back (a second outage)",
                        "service", "back"));
                notes.add("Each node runs a small HTTP service on port " + SERVICE_PORT + "; both systems check it the same"
                        + " way, a TCP connect to 127.0.0.1:" + SERVICE_PORT + " every " + CHECK_INTERVAL_MS + " ms, fall "
                        + CHECK_FALL + ", rise " + CHECK_RISE + " (lcs: a [check] of type tcp with hold_ms 1000; keepalived:"
                        + " a vrrp_script with a bash /dev/tcp connect, tracked by the instance, so a failing node goes to"
                        + " FAULT). A trial kills the service on the owner (SIGKILL) and times the first answer from"
                        + " another MAC; then restarts the service there and waits " + SERVICE_BACK_SETTLE.toMillis()
                        + " ms plus a steady state to see where the VIP is. keepalived preempts back to its priority-150"
                        + " node by default; lcs stays where it went.");
            }
            case "move" -> {
                rows.add(mmpmRow("lcs move VIP --to NODE until the target answers alone", "move", "move", "ms",
                        new BenchReport.Target("median ≤ 300 ms", 300)));
                rows.add(mmpmRow("of which the CLI process (its exit)", "move", "move.cli", "ms", null));
                rows.add(countRow("trials with a double answer", "move", "move.double"));
                notes.add("Measured from the CLI's invocation (JVM start included) until a probe answered by the target's "
                        + "MAC alone. keepalived has no planned move (changing priorities and reloading is a different "
                        + "operation): n/a.");
            }
            case "coldstart" -> {
                rows.add(mmpmRow("all nodes started at once until the VIP answers", "coldstart", "coldstart", "ms",
                        new BenchReport.Target("median ≤ 2500 ms", 2500)));
                notes.add("Each trial stops every daemon gracefully, waits until the VIP is silent for 1 s, starts all "
                        + "nodes at once and times the first answered probe. lcs keeps its state directory (a restart, "
                        + "not a first install).");
            }
            case "cli" -> {
                rows.add(mmpmRow("lcs status", "cli", "status", "ms", new BenchReport.Target("median ≤ 150 ms", 150)));
                rows.add(mmpmRow("lcs get vips", "cli", "get vips", "ms", null));
                notes.add("Wall time of the process, from the distribution's bin/lcs (bundled runtime, CDS archive), run "
                        + "with nsenter in node 1's namespace against its admin API; nsenter and env add ~2-3 ms. One "
                        + "unmeasured run first.");
            }
            case "footprint" -> {
                for (int n : FOOTPRINT_VIPS) {
                    // the targets of record: 1 VIP RSS ≤ 64 MiB, PSS ≤ 40 MiB, CPU ≤ 0.3 s/min; 1,000 VIPs RSS ≤ 80 MiB,
                    // CPU ≤ 0.6 s/min, the VIP owner included (the max); none at 100
                    rows.add(maxRow(n + " VIP(s): RSS per node, max (mean)", n + ".rss", "MiB", n == 1
                            ? new BenchReport.Target("≤ 64 MiB", 64) : n == 1000 ? new BenchReport.Target("≤ 80 MiB", 80) : null));
                    rows.add(maxRow(n + " VIP(s): PSS per node, max (mean)", n + ".pss", "MiB",
                            n == 1 ? new BenchReport.Target("≤ 40 MiB", 40) : null));
                    rows.add(maxRow(n + " VIP(s): idle CPU per node, max (mean)", n + ".cpu", "s/min", n == 1
                            ? new BenchReport.Target("≤ 0.3 s/min", 0.3) : n == 1000 ? new BenchReport.Target("≤ 0.6 s/min", 0.6) : null));
                }
                double li = first(values("footprint", "lcs", "installed"));
                double ki = first(values("footprint", "keepalived", "installed"));
                rows.add(BenchReport.row("installed size (lcs: du of the distribution tree)", li, ki, "MiB",
                        new BenchReport.Target("≤ 60 MiB", 60)));
                rows.add(BenchReport.row("installed size (lcs: the .deb's Installed-Size)",
                        first(values("footprint", "lcs", "installed.deb")), ki, "MiB", new BenchReport.Target("≤ 60 MiB", 60)));
                notes.add("Both systems run at the same time on the same 3 namespaces (lcs VIPs 198.18.16.0+/32, keepalived "
                        + "VIPs 198.18.32.0+/32), wait (at most " + ACTIVE_WAIT_SECONDS + " s) until every VIP is active, settle "
                        + opt.footprintSeconds() + " s, then are measured over "
                        + opt.footprintSeconds() + " s: RSS and PSS from /proc/PID/smaps_rollup (6 samples, averaged; "
                        + "keepalived: parent + VRRP child summed), CPU = utime+stime+cutime+cstime from /proc/PID/stat "
                        + "(lcsd's reaped children such as ip and arping included).");
                if (opt.footprintSeconds() < 60) {
                    notes.add("**Short settle and measure (" + opt.footprintSeconds() + " s, --footprint-seconds): a smoke "
                            + "run, not the figures of record (those need >= 60 s).**");
                }
            }
            default -> {
                rows.add(singleRow("all 1,000 VIPs active after the start", "allActive", "ms", null));
                rows.add(singleRow("kill -9 of the node holding most VIPs: all its VIPs active elsewhere", "failover", "ms",
                        new BenchReport.Target("≤ 3000 ms", 3000)));
                rows.add(singleRow("idle frames per second (whole cluster)", "packets", "/s", null));
                rows.add(singleRow("idle traffic (whole cluster)", "kbytes", "KB/s", new BenchReport.Target("≤ 10 KB/s", 10)));
                rows.add(singleRow("1 VIP: idle frames per second (whole cluster)", "packets1", "/s", null));
                rows.add(singleRow("1 VIP: idle traffic (whole cluster)", "kbytes1", "KB/s",
                        new BenchReport.Target("≤ 10 KB/s", 10)));
                double l1000 = first(values("scale", "lcs", "kbytes"));
                double l1 = first(values("scale", "lcs", "kbytes1"));
                double k1000 = first(values("scale", "keepalived", "kbytes"));
                double k1 = first(values("scale", "keepalived", "kbytes1"));
                rows.add(BenchReport.row("idle traffic, 1,000 VIPs / 1 VIP", l1000 / l1, k1000 / k1, "×",
                        new BenchReport.Target("≤ 1.2", 1.2)));
                notes.add("5 nodes (lcs: 5 full members), 1,000 IPv4 VIPs (/32 in 198.18.16.0-198.18.19.231); the "
                        + "1-VIP rows are the same cluster started first with only the first of them. Activity "
                        + "is read from the kernels (ip -o -4 addr in every namespace, every 100 ms after the kill). "
                        + "Traffic: an nftables counter on the bridge's prerouting hook in the switch namespace, over "
                        + "30 s after a 20 s settle; bytes are frame lengths as the bridge sees them (without the "
                        + "Ethernet header).");
            }
        }
        notes.addAll(areaNotes.getOrDefault(a, List.of()));
        return new BenchReport.Area(title, rows, notes);
    }

    private static double first(List<Double> v) {
        return v.isEmpty() ? Double.NaN : v.get(0);
    }

    private BenchReport.Row mmpmRow(String metric, String area, String key, String unit, BenchReport.Target target) {
        Stats.Summary l = Stats.of(values(area, "lcs", key));
        Stats.Summary k = Stats.of(values(area, "keepalived", key));
        String ratio = l.empty() || k.empty() || k.median() == 0 ? "-"
                : String.format(Locale.ROOT, "%.2f (medians)", l.median() / k.median());
        if (key.endsWith(".gap") && Stats.of(values(area, "keepalived", key.replace(".gap", ".double"))).max() > 0) {
            ratio = "- (keepalived's old owner kept answering: see double answers)";
        }
        int lcsMissing = values(area, "lcs", key).size() - l.n();
        String lcsCell = BenchReport.mmpm(l, unit) + (lcsMissing > 0 ? "; " + lcsMissing + " trial(s) without a figure" : "");
        String kaCell = values(area, "keepalived", key).isEmpty() ? "n/a" : BenchReport.mmpm(k, unit);
        return new BenchReport.Row(metric, lcsCell, kaCell, ratio, target == null ? "-" : target.text(),
                target == null ? "-" : target.met(l));
    }

    private BenchReport.Row countRow(String metric, String area, String key) {
        List<Double> l = values(area, "lcs", key);
        List<Double> k = values(area, "keepalived", key);
        double lc = l.stream().filter(d -> !d.isNaN()).mapToDouble(Double::doubleValue).sum();
        double kc = k.stream().filter(d -> !d.isNaN()).mapToDouble(Double::doubleValue).sum();
        long lk = l.stream().filter(d -> !d.isNaN()).count();
        long kk = k.stream().filter(d -> !d.isNaN()).count();
        return new BenchReport.Row(metric, lk == 0 ? "n/a" : (long) lc + " of " + lk,
                kk == 0 ? "n/a" : (long) kc + " of " + kk, "-", "0", lk == 0 ? "not measured" : ZERO.met(lc));
    }

    private BenchReport.Row maxRow(String metric, String key, String unit, BenchReport.Target target) {
        Stats.Summary l = Stats.of(values("footprint", "lcs", key));
        Stats.Summary k = Stats.of(values("footprint", "keepalived", key));
        String lc = l.empty() ? "n/a" : BenchReport.num(l.max(), unit) + " (" + BenchReport.num(mean(values("footprint", "lcs", key)), "") + ")";
        String kc = k.empty() ? "n/a" : BenchReport.num(k.max(), unit) + " (" + BenchReport.num(mean(values("footprint", "keepalived", key)), "") + ")";
        String ratio = l.empty() || k.empty() || k.max() == 0 ? "-" : String.format(Locale.ROOT, "%.2f", l.max() / k.max());
        return new BenchReport.Row(metric, lc, kc, ratio, target == null ? "-" : target.text(),
                target == null ? "-" : target.met(l.max()));
    }

    private BenchReport.Row loadRow(String metric, String key, String unit, BenchReport.Target target) {
        double l = first(values("load", "lcs", key));
        double k = first(values("load", "keepalived", key));
        return BenchReport.row(metric, l, k, unit, target);
    }

    private BenchReport.Row singleRow(String metric, String key, String unit, BenchReport.Target target) {
        double l = first(values("scale", "lcs", key));
        double k = first(values("scale", "keepalived", key));
        return BenchReport.row(metric, l, k, unit, target);
    }

    static double mean(List<Double> v) {
        return v.stream().filter(d -> !d.isNaN()).mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private void writeRaw() throws IOException {
        List<Map<String, Object>> copy;
        synchronized (raw) {
            copy = new ArrayList<>(raw);
        }
        JSON.writeValue(runDir.resolve("raw.json").toFile(), copy);
        StringBuilder csv = new StringBuilder("area,system,metric,trial,value\n");
        for (Map<String, Object> r : copy) {
            csv.append(r.get("area")).append(',').append(r.get("system")).append(',').append(r.get("metric")).append(',')
                    .append(r.get("trial")).append(',').append(r.get("value") == null ? "" : r.get("value")).append('\n');
        }
        Files.writeString(runDir.resolve("raw.csv"), csv);
    }

    // ---- small helpers -------------------------------------------------------------------------

    /** A finished command: wall time, exit, output (stdout and stderr). */
    record Timed(double millis, boolean ok, String output) {
    }

    static Timed timed(List<String> argv, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        long t0 = System.nanoTime();
        try {
            Process p = pb.start();
            byte[] out;
            try (var in = p.getInputStream()) {
                CompletableReader r = new CompletableReader(in);
                r.start();
                boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                double ms = (System.nanoTime() - t0) / 1e6;
                if (!done) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                    return new Timed(ms, false, "timed out after " + timeout.toSeconds() + " s");
                }
                r.join(2000);
                out = r.bytes();
                return new Timed(ms, p.exitValue() == 0, new String(out, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            return new Timed((System.nanoTime() - t0) / 1e6, false, "cannot run " + argv.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted", e);
        }
    }

    /** Reads a process's output on its own thread, so a full pipe never stalls the timing. */
    private static final class CompletableReader extends Thread {
        private final java.io.InputStream in;
        private volatile byte[] bytes = new byte[0];

        CompletableReader(java.io.InputStream in) {
            super("bench-reader");
            setDaemon(true);
            this.in = in;
        }

        @Override
        public void run() {
            try {
                bytes = in.readNBytes(1 << 20);
            } catch (IOException e) {
                // the process went away
            }
        }

        byte[] bytes() {
            return bytes;
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(Math.max(0, ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted", e);
        }
    }

    private static void sleepFor(Duration d) {
        sleep(d.toMillis());
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path)).strip();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String cpuModel() {
        for (String line : read("/proc/cpuinfo").split("\n")) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).strip();
            }
        }
        return "unknown";
    }

    private static String memTotal() {
        for (String line : read("/proc/meminfo").split("\n")) {
            if (line.startsWith("MemTotal:")) {
                return line.substring(9).strip();
            }
        }
        return "unknown";
    }

    private static String loadAverage() {
        String[] w = read("/proc/loadavg").split("\\s+");
        return w.length >= 3 ? w[0] + " " + w[1] + " " + w[2] : "unknown";
    }

    private static String gitCommit() {
        Timed r = timed(List.of("git", "describe", "--always", "--dirty", "--abbrev=12"), Duration.ofSeconds(10));
        Timed d = timed(List.of("git", "log", "-1", "--format=%cI %s"), Duration.ofSeconds(10));
        return r.ok() ? r.output() + (d.ok() ? " (" + abbreviate(d.output(), 100) + ")" : "") : "unknown (not a git checkout)";
    }

    /** {@code path} relative to the working directory (the repository) when it lies below it: the report is read elsewhere. */
    static String shown(Path path) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = path.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

    private static String abbreviate(String s, int n) {
        return s.length() > n ? s.substring(0, n) + "..." : s;
    }

    private static String runtimeVersion(Path home) {
        Path release = home.resolve("runtime/release");
        if (Files.exists(release)) {
            for (String line : read(release.toString()).split("\n")) {
                if (line.startsWith("JAVA_VERSION=")) {
                    return "bundled jlink runtime " + line.substring(13).replace("\"", "");
                }
            }
        }
        return "no bundled runtime under " + home + " (system java)";
    }

    /** Stops everything still running and deletes the namespaces. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // we are the hook
        }
        List<AutoCloseable> rev = new ArrayList<>(open);
        java.util.Collections.reverse(rev);
        boolean clean = true;
        for (AutoCloseable c : rev) {
            try {
                c.close();
            } catch (Exception e) {
                clean = false;
                log.println("bench cleanup: " + e.getMessage() + " (lcs-harness cleanup removes what is left)");
            }
        }
        if (clean) {
            registry.finished();
        }
    }
}
