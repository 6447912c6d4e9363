package io.lcs.controller.daemon;

import io.lcs.controller.admin.AdminConfig;
import io.lcs.controller.admin.AdminServer;
import io.lcs.controller.core.ClusterCore;
import io.lcs.controller.core.CoreConfig;
import io.lcs.controller.core.CoreEvent;
import io.lcs.controller.metrics.LcsMetrics;
import io.lcs.controller.metrics.MetricsServer;
import io.lcs.controller.store.StateDirectory;
import io.lcs.controller.store.StateDirectoryLockedException;
import io.lcs.controller.store.StoreCorruptException;
import io.lcs.controller.transport.PeerAddress;
import io.lcs.controller.transport.PeerTransport;
import io.lcs.controller.transport.RejectReason;
import io.lcs.controller.transport.TransportConfig;
import io.lcs.controller.transport.TransportListener;
import io.lcs.model.LcsVersion;
import io.lcs.model.config.ClusterConfig;
import io.lcs.model.config.ConfigError;
import io.lcs.model.config.ConfigException;
import io.lcs.model.config.ConfigParser;
import io.lcs.model.config.ConfigSummary;
import io.lcs.model.config.NodeConfig;
import io.lcs.model.config.Role;
import io.lcs.model.config.VipConfig;
import io.lcs.model.api.StoredObject;
import io.lcs.reconcilers.hook.ProcessHookRunner;
import io.lcs.reconcilers.net.IpRouteActuator;
import io.lcs.reconcilers.net.NetworkActuator;
import io.lcs.reconcilers.net.RecordingNetworkActuator;
import io.lcs.reconcilers.runtime.ReconcileRunner;
import io.lcs.reconcilers.runtime.Ticker;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lcsd}: the lcs daemon. {@code lcsd -c FILE [-v|-vv|-vvv]} runs it;
 * {@code lcsd --check-config [-c FILE]} validates a configuration and prints a summary.
 *
 * <p>Start order: parse and check the config, lock {@code state_dir}, load the replicated objects
 * and epochs, remove configured VIP addresses this node holds no lease for (before it can vote),
 * then start the core, the transport, the reconcilers, the admin API and the metrics endpoint.
 * SIGTERM releases every VIP with its hooks and exits 0.
 */
@Command(name = "lcsd", mixinStandardHelpOptions = true, versionProvider = Lcsd.Version.class,
        description = "lcs daemon: keeps virtual IPs on exactly one healthy node, with quorum.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped cleanly, or --check-config found no error", "1:configuration or state error",
                "2:usage error", "70:could not persist state (fail-stop)"})
public final class Lcsd implements java.util.concurrent.Callable<Integer> {
    static {
        // before the first logger: keep logging alive during the SIGTERM shutdown hook
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", LcsLogManager.class.getName());
        }
    }

    private static final Logger LOG = System.getLogger("io.lcs.lcsd");
    /**
     * Test hook: a file path makes lcsd use {@link RecordingNetworkActuator} (addresses kept in
     * memory with kernel-like lifetimes, every operation journaled to the file) instead of
     * iproute2. The loopback multi-process tests use it; never set it in production.
     */
    public static final String FAKE_ACTUATOR_ENV = "LCS_FAKE_ACTUATOR_JOURNAL";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "configuration file (default: ${DEFAULT-VALUE})")
    Path config = Path.of("/etc/lcs/lcs.conf");

    @Option(names = "-v", description = "more logging; repeat (-vv, -vvv) for more")
    boolean[] verbose = new boolean[0];

    @Option(names = "--check-config", description = "validate the configuration, print a summary and exit")
    boolean checkConfig;

    private final PrintStream out;
    private final PrintStream err;

    public Lcsd(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        int code = new CommandLine(new Lcsd(System.out, System.err)).execute(args);
        if (code != 0 || !runningDaemon) {
            System.exit(code);
        }
    }

    private static volatile boolean runningDaemon;

    /** Picocli version provider: the build's version and the Java runtime. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"lcsd " + LcsVersion.get() + " (Java " + Runtime.version() + ")"};
        }
    }

    @Override
    public Integer call() throws Exception {
        ClusterConfig cfg;
        try {
            cfg = ConfigParser.parse(config);
        } catch (ConfigException e) {
            for (ConfigError ce : e.errors()) {
                err.println(ce);
            }
            err.println(e.errors().size() + " error(s) in " + config + "; nothing was started");
            return 1;
        }
        if (checkConfig) {
            out.print(ConfigSummary.render(cfg));
            try {
                cfg.resolveSecret();
            } catch (ConfigException e) {
                e.errors().forEach(err::println);
                return 1;
            }
            return 0;
        }
        LogSetup.configure(verbose.length, err);
        return runDaemon(cfg);
    }

    private int runDaemon(ClusterConfig cfg) throws Exception {
        String secret;
        try {
            secret = cfg.resolveSecret().orElse(null);
        } catch (ConfigException e) {
            e.errors().forEach(x -> LOG.log(Level.ERROR, x.toString()));
            return 1;
        }
        for (ConfigError w : cfg.warnings()) {
            LOG.log(Level.WARNING, w.toString());
        }
        StateDirectory stateDir;
        try {
            stateDir = StateDirectory.open(Path.of(cfg.stateDir()));
        } catch (StateDirectoryLockedException e) {
            LOG.log(Level.ERROR, e.getMessage());
            return 1;
        }
        StatePersistence persistence = new StatePersistence(stateDir);
        List<StoredObject> objects;
        Map<String, Long> epochs;
        try {
            objects = persistence.loadObjects();
            epochs = persistence.loadEpochs();
        } catch (StoreCorruptException e) {
            LOG.log(Level.ERROR, "state directory is damaged: " + e.getMessage()
                    + "; move the file away (the node re-syncs it from its peers) and start again");
            stateDir.close();
            return 1;
        }
        stateDir.cleanedTempFiles().forEach(p -> LOG.log(Level.INFO, "removed leftover temporary file " + p));

        NetworkActuator net = actuator();
        List<VipSpec> configVips = new ArrayList<>();
        for (VipConfig v : cfg.vips()) {
            configVips.add(new VipSpec(v.name(), v.address(), v.interfaceName(), v.preferredNodes(), v.preStart(),
                    v.postStart(), v.preStop(), v.postStop(), "config", 0));
        }
        // Before this node can vote it must hold no VIP it has no lease for.
        List<VipSpec> known = new ArrayList<>(configVips);
        for (StoredObject o : objects) {
            if (!o.deleted() && o.key().kind().equals("VirtualIP")) {
                try {
                    known.add(CoreDriver.fromObject(o));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "ignoring stored VirtualIP " + o.key().name() + ": " + e.getMessage());
                }
            }
        }
        VipReconciler.removeStale(net, known);

        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2)
                .setInternalBlockingPoolSize(2).setBlockedThreadCheckInterval(10_000));
        Context context = vertx.getOrCreateContext();
        Clock clock = Clock.systemUTC();
        EventLog eventLog = new EventLog(clock, cfg.nodeName());

        List<CoreConfig.Member> members = new ArrayList<>();
        for (NodeConfig n : cfg.nodes()) {
            members.add(new CoreConfig.Member(n.name(), n.role() == Role.FULL_MEMBER));
        }
        CoreConfig coreConfig = CoreConfig.defaults(cfg.nodeName(), members, cfg.membershipHash(), cfg.leaseMillis(),
                cfg.renewMillis());
        ClusterCore core = new ClusterCore(coreConfig, objects, epochs, System.nanoTime(), new SecureRandom());

        List<PeerAddress> peers = new ArrayList<>();
        for (NodeConfig n : cfg.nodes()) {
            if (!n.name().equals(cfg.nodeName())) {
                peers.add(new PeerAddress(n.name(), n.address(), n.port()));
            }
        }
        CoreDriver[] driverRef = new CoreDriver[1];
        TransportConfig tc = TransportConfig.of(cfg.name(), cfg.nodeName(), cfg.membershipHash(), cfg.bind(),
                cfg.self().port(), peers, secret == null ? null : secret.getBytes(StandardCharsets.UTF_8));
        PeerTransport transport = new PeerTransport(vertx, tc, new TransportListener() {
            @Override
            public void onPeerConnected(String peer) {
                LOG.log(Level.DEBUG, "connected to " + peer);
            }

            @Override
            public void onPeerDisconnected(String peer, String reason) {
                LOG.log(Level.DEBUG, "disconnected from " + peer + ": " + reason);
            }

            @Override
            public void onFrame(String peer, byte[] payload) {
                driverRef[0].onFrame(peer, payload);
            }
        });
        CoreDriver driver = new CoreDriver(vertx, context, core, persistence, transport::send, eventLog, configVips,
                System::nanoTime, System::currentTimeMillis);
        driverRef[0] = driver;
        String version = LcsVersion.get();
        StatusView statusView = new StatusView(cfg.name(), version);
        DaemonBackend backend = new DaemonBackend(driver, statusView, eventLog, version, clock, System::nanoTime);

        LcsMetrics metrics = new LcsMetrics(cfg.name(), version, backend::status);
        for (PeerAddress p : peers) {
            metrics.registerFrameCounters(p.name(), () -> transport.stats().framesSent(p.name()),
                    () -> transport.stats().framesReceived(p.name()));
        }
        for (RejectReason r : RejectReason.values()) {
            metrics.registerRejected(r.name().toLowerCase(java.util.Locale.ROOT), () -> transport.stats().rejected(r));
        }
        metrics.registerRejected("undecodable", driver::framesDropped);

        ExecutorService background = new ThreadPoolExecutor(1, 4, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(1_000), daemonThreads("lcs-hooks"), new ThreadPoolExecutor.DiscardPolicy());
        VipReconciler vipReconciler = new VipReconciler(driver, net, new ProcessHookRunner(), statusView, eventLog,
                new VipReconciler.Settings(cfg.name(), cfg.nodeName(), Duration.ofMillis(cfg.hookTimeoutMillis()),
                        Duration.ofMillis(cfg.probeMillis()), Duration.ofMillis(cfg.renewMillis())),
                background, System::nanoTime);
        ReconcileRunner<String> runner = ReconcileRunner.builder("vip", vipReconciler).workers(2)
                .resync(Duration.ofSeconds(10), () -> driver.snapshot().vips().stream().map(VipSpec::name).toList())
                .observer((name, key, took, error) -> {
                    metrics.recordReconcile(name, took.toNanos());
                    if (error != null) {
                        metrics.reconcileFailed(name);
                        LOG.log(Level.WARNING, "vip " + key + ": reconcile failed: " + error.getMessage());
                    }
                }).build();
        driver.onSnapshot(new SnapshotRouter(runner, vipReconciler, statusView, metrics));
        driver.onEvent(e -> {
            if (e instanceof CoreEvent.LeaseAcquired a) {
                metrics.leaseAcquired(a.vip());
            } else if (e instanceof CoreEvent.LeaseLost l) {
                metrics.leaseRenewalFailed(l.vip());
            }
        });

        AdminServer admin = new AdminServer(vertx, AdminConfig.of(cfg.adminBind(), cfg.adminPort(),
                cfg.adminTokenFile() == null ? null : Path.of(cfg.adminTokenFile())), backend,
                new io.lcs.controller.admin.ModelManifestReader());
        MetricsServer metricsServer = cfg.metrics() ? new MetricsServer(vertx, cfg.metricsBind(), cfg.metricsPort(),
                metrics) : null;

        try {
            // The transport runs on the driver's context: a send from another context is queued
            // by Vert.x and a burst can overflow that queue.
            io.vertx.core.Promise<Void> transportStarted = io.vertx.core.Promise.promise();
            context.runOnContext(v -> transport.start().onComplete(transportStarted));
            await(transportStarted.future(), "peer transport on " + endpoint(cfg.bind(), cfg.self().port()));
            context.runOnContext(v -> driver.start());
            runner.start();
            await(admin.start(), "admin API on " + endpoint(cfg.adminBind(), cfg.adminPort()));
            if (metricsServer != null) {
                await(metricsServer.start(), "metrics on " + endpoint(cfg.metricsBind(), cfg.metricsPort()));
            }
        } catch (IllegalStateException e) {
            LOG.log(Level.ERROR, e.getMessage());
            vertx.close();
            stateDir.close();
            return 1;
        }
        backend.markReady();
        if (secret == null) {
            LOG.log(Level.WARNING, "no secret or secret_file configured: peer traffic is not authenticated");
        }
        LOG.log(Level.INFO, "lcsd " + version + " started: node " + cfg.nodeName() + " of cluster " + cfg.name() + ", "
                + cfg.nodes().size() + " nodes, quorum " + cfg.quorumSize() + ", " + known.size() + " VIPs, lease "
                + cfg.leaseMillis() + " ms; waiting " + cfg.leaseMillis() + " ms before voting");

        CountDownLatch stopped = new CountDownLatch(1);
        runningDaemon = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.log(Level.INFO, "stopping: releasing VIPs");
            CountDownLatch placementStopped = new CountDownLatch(1);
            driver.run(() -> {
                driver.shutdown();
                placementStopped.countDown();
            });
            awaitQuietly(placementStopped, 2_000);
            runner.close(Duration.ofSeconds(2));
            vipReconciler.deactivateAll();
            CountDownLatch released = new CountDownLatch(1);
            driver.run(released::countDown); // the releases queued by deactivateAll are sent by now
            awaitQuietly(released, 2_000);
            sleepQuietly(100); // let the transport flush the release frames
            driver.run(driver::stop);
            background.shutdownNow();
            try {
                admin.stop().toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
                if (metricsServer != null) {
                    metricsServer.stop().toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
                }
                transport.stop().toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
                vertx.close().toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "shutdown: " + e.getMessage());
            }
            try {
                stateDir.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "shutdown: " + e.getMessage());
            }
            LOG.log(Level.INFO, "stopped");
            stopped.countDown();
        }, "lcs-shutdown"));
        stopped.await(); // the JVM exits through the shutdown hook (SIGTERM, SIGINT)
        return 0;
    }

    private NetworkActuator actuator() throws Exception {
        String journal = System.getenv(FAKE_ACTUATOR_ENV);
        if (journal != null && !journal.isEmpty()) {
            LOG.log(Level.WARNING, FAKE_ACTUATOR_ENV + " is set: addresses are simulated, not configured ("
                    + journal + ")");
            return new RecordingNetworkActuator(Ticker.system(), Clock.systemUTC(), Path.of(journal));
        }
        return new IpRouteActuator();
    }

    private static String endpoint(String host, int port) {
        String h = host.isEmpty() ? "*" : host;
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
    }

    private static <T> T await(io.vertx.core.Future<T> f, String what) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot start " + what + ": " + e.getCause().getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start " + what + ": " + e, e);
        }
    }

    private static void awaitQuietly(CountDownLatch latch, long millis) {
        try {
            latch.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
