package io.lcs.harness.netns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * One run: topology, cluster, ownership sampler, client probe and the fault log, torn down by
 * {@link #close()} — on success, on failure, and from a JVM shutdown hook (Ctrl-C, SIGTERM). A
 * SIGKILL of the harness itself leaves leftovers that {@code HarnessMain cleanup} removes using
 * the {@link RunRegistry} state file. Driven by one thread; observers run their own threads.
 */
public final class Harness implements AutoCloseable {
    private final String runId;
    private final Path runDir;
    private final RunRegistry registry;
    private Topology topology;
    private Cluster cluster;
    private OwnershipSampler sampler;
    private ClientProbe probe;
    private final Faults faults;
    private final List<Fault> faultLog = new ArrayList<>();
    private final long startMicros;
    private final Thread shutdownHook;
    private boolean closed;

    private Harness(Cluster.Settings settings, String classpath, Cluster.ConfigExtras extras) {
        this.runId = Topology.newRunId();
        this.runDir = RunRegistry.STATE_DIR.resolve("run-" + runId);
        this.registry = RunRegistry.open(runId);
        this.shutdownHook = new Thread(this::close, "lcsh-shutdown-" + runId);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        this.startMicros = WallMicros.now();
        this.faults = new Faults(this);
        try {
            Files.createDirectories(runDir);
            topology = Topology.create(runId, settings.nodes(), registry);
            cluster = new Cluster(topology, runDir, settings, registry, classpath, startMicros, extras);
            sampler = new OwnershipSampler(cluster, registry);
            sampler.start();
            probe = new ClientProbe(topology.clientNs(), cluster.vips());
            probe.start();
            cluster.startAll();
        } catch (Exception e) {
            close();
            throw e instanceof HarnessException h ? h : new HarnessException("cannot start the harness: " + e, e);
        }
    }

    /**
     * Builds the network, starts observers and every lcsd. Needs root, iproute2, nftables,
     * iputils-arping, ndisc6, ipv6toolkit.
     *
     * @param classpath classpath holding lcsd and the lcs CLI (the harness's own, usually)
     */
    public static Harness start(Cluster.Settings settings, String classpath) {
        return new Harness(settings, classpath, Cluster.ConfigExtras.NONE);
    }

    /** As {@link #start(Cluster.Settings, String)}, with {@code extras} in every node's lcs.conf. */
    public static Harness start(Cluster.Settings settings, String classpath, Cluster.ConfigExtras extras) {
        return new Harness(settings, classpath, extras);
    }

    public String runId() {
        return runId;
    }

    public Path runDir() {
        return runDir;
    }

    public long startMicros() {
        return startMicros;
    }

    public Topology topology() {
        return topology;
    }

    public Cluster cluster() {
        return cluster;
    }

    public OwnershipSampler sampler() {
        return sampler;
    }

    public ClientProbe probe() {
        return probe;
    }

    public Faults faults() {
        return faults;
    }

    /** Records a process the caller started for this run, so that a cleanup after a crash ends it too. */
    public void registerProcess(Process p, String what) {
        registry.process(p, what);
    }

    /** Faults so far, in order. */
    public synchronized List<Fault> faultLog() {
        return List.copyOf(faultLog);
    }

    synchronized Fault log(String kind, List<String> targets, boolean anyNodeRecovers, String detail, long at) {
        Fault f = new Fault(faultLog.size() + 1, kind, List.copyOf(targets), at, at, holdersNow(), anyNodeRecovers, detail);
        faultLog.add(f);
        return f;
    }

    synchronized void ended(Fault f, long at) {
        faultLog.set(f.id() - 1, faultLog.get(f.id() - 1).ended(at));
    }

    /** Each VIP's holders now, from the kernels. */
    public Map<String, TreeSet<String>> holdersNow() {
        Map<String, TreeSet<String>> m = new LinkedHashMap<>();
        for (Vip v : cluster.vips()) {
            m.put(v.name(), sampler.holders(v.name()));
        }
        return m;
    }

    /** The single node holding {@code vip}, or null if none or several. */
    public String holder(Vip vip) {
        TreeSet<String> h = sampler.holders(vip.name());
        return h.size() == 1 ? h.first() : null;
    }

    /** Name of the node whose MAC this is, or the MAC itself if no node's. */
    public String nodeOfMac(String mac) {
        int i = topology.nodeOfMac(mac);
        return i == 0 ? mac : "n" + i;
    }

    /**
     * Waits until every VIP is held by exactly one node whose daemon runs and is not frozen, and
     * that stays so for {@code stableFor}. Returns false at the deadline.
     */
    public boolean awaitSteady(Duration timeout, Duration stableFor) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long stableSince = -1;
        Map<String, TreeSet<String>> last = null;
        while (System.nanoTime() < deadline) {
            Map<String, TreeSet<String>> now = holdersNow();
            boolean ok = true;
            for (TreeSet<String> h : now.values()) {
                ok &= h.size() == 1 && cluster.node(h.first()).running() && !cluster.node(h.first()).frozen();
            }
            if (ok && now.equals(last)) {
                if (System.nanoTime() - stableSince >= stableFor.toNanos()) {
                    return true;
                }
            } else {
                stableSince = System.nanoTime();
            }
            last = now;
            sleep(20);
        }
        return false;
    }

    /** Polls {@code condition} every 10 ms until it holds (true) or {@code timeout} passes (false). */
    public static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            sleep(10);
        }
        return condition.getAsBoolean();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted", e);
        }
    }

    /** The report of everything so far. */
    public Report report(String mode, Long seed, List<Check> checks) {
        return Report.build(this, mode, seed, checks);
    }

    /** Stops observers and daemons, removes nft rules' namespaces and all namespaces. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: we are the hook
        }
        RuntimeException first = null;
        for (AutoCloseable c : new AutoCloseable[] {probe, sampler, cluster, topology}) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                first = first == null ? new HarnessException("cleanup failed: " + e.getMessage(), e) : first;
            }
        }
        if (first == null) {
            registry.finished();
        } else {
            throw first;
        }
    }
}
