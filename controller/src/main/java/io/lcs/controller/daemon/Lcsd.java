package io.lcs.controller.daemon;

import io.lcs.controller.admin.AdminConfig;
import io.lcs.controller.admin.AdminServer;
import io.lcs.controller.config.ConfigLoader;
import io.lcs.core.ClusterCore;
import io.lcs.core.CoreConfig;
import io.lcs.core.CoreEvent;
import io.lcs.controller.check.CheckRunner;
import io.lcs.controller.check.SystemCheckProbe;
import io.lcs.controller.metrics.LcsMetrics;
import io.lcs.controller.metrics.MetricsServer;
import io.lcs.controller.store.StateDirectory;
import io.lcs.controller.store.StateDirectoryLockedException;
import io.lcs.controller.store.StoreCorruptException;
import io.lcs.controller.transport.ConnectionRejectReason;
import io.lcs.controller.transport.PeerAddress;
import io.lcs.controller.transport.PeerTransport;
import io.lcs.controller.transport.RejectReason;
import io.lcs.controller.transport.TransportConfig;
import io.lcs.controller.transport.TransportListener;
import io.lcs.model.LcsVersion;
import io.lcs.model.config.ClusterConfig;
import io.lcs.model.config.ConfigError;
import io.lcs.model.config.ConfigException;
import io.lcs.model.config.ConfigSummary;
import io.lcs.model.config.CheckConfig;
import io.lcs.model.config.HookPolicy;
import io.lcs.model.config.NodeConfig;
import io.lcs.model.config.Role;
import io.lcs.model.config.VipConfig;
import io.lcs.model.api.DesiredStateValidator;
import io.lcs.model.net.Cidr;
import io.lcs.model.api.Service;
import io.lcs.model.api.StoredObject;
import io.lcs.model.api.VirtualIP;
import io.lcs.reconcilers.hook.GuardedHookRunner;
import io.lcs.reconcilers.hook.HookFileCheck;
import io.lcs.reconcilers.hook.HookResult;
import io.lcs.reconcilers.hook.HookRunner;
import io.lcs.reconcilers.hook.ProcessHookRunner;
import io.lcs.reconcilers.runtime.Ticker;
import io.lcs.reconcilers.net.IpRouteActuator;
import io.lcs.reconcilers.net.NetworkActuator;
import io.lcs.reconcilers.runtime.ReconcileRunner;
import io.lcs.controller.systemd.LazyServiceUnits;
import io.lcs.controller.systemd.SystemdServiceUnits;
import io.lcs.controller.systemd.SystemdUnits;
import io.lcs.reconcilers.vip.VipReconciler;
import io.lcs.reconcilers.vip.VipSpec;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
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
import io.lcs.reconcilers.runtime.BackgroundPool;
import java.util.Map;
import java.util.concurrent.Callable;
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
     * Hooks that run at once (pool {@code lcs-hooks}, threads made on demand and gone after 30 s
     * idle): a VIP runs one hook at a time, so this many VIPs can be in a slow hook together; VIPs
     * without hooks never wait for them (their reconcile never runs a hook).
     */
    static final int HOOK_THREADS = 8;
    /** Hooks that may wait for a thread; more are refused, logged and counted (lcs_background_tasks_rejected_total). */
    static final int HOOK_QUEUE = 1_000;
    /**
     * On SIGTERM, the time the pre_stop and post_stop hooks get in all (they run in parallel, each up
     * to hook_timeout_ms): what still runs then is killed and logged. The unit's TimeoutStopSec=90
     * leaves the rest for the placement stop, the releases and closing the servers (about 15 s).
     */
    static final Duration STOP_HOOKS_BUDGET = Duration.ofSeconds(60);

    /** The unit lcsd runs as: the one every managed service's unit is bound to. */
    static final String LCSD_UNIT = "lcsd.service";

    /**
     * The system bus, for the services' units, connected when a service first needs it. When systemd
     * cannot be reached this node declines every service (reason NoSystemd) and other nodes run them.
     */
    private static LazyServiceUnits systemdUnits() {
        return new LazyServiceUnits(() -> new SystemdServiceUnits(SystemdUnits.connect(SystemdUnits.SYSTEM_BUS),
                SystemdServiceUnits.RUNTIME_UNITS, LCSD_UNIT), System::nanoTime);
    }
    /** Beyond hook_timeout_ms and a lease, the stop grace allows this for killing a hook's process group. */
    static final long STOP_GRACE_KILL_ALLOWANCE_MILLIS = 2_000;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "configuration file (default: ${DEFAULT-VALUE})")
    Path config = Path.of("/etc/lcs/lcs.conf");

    /** -vvvv: the most the C lcs's levels go to (debug4); more v's count as four. */
    static final int MAX_VERBOSITY = 4;
    /** The system log sink when {@code syslog = true} (and not {@code --no-syslog}), else null. */
    private volatile SyslogSink syslog;

    @Option(names = {"-v", "--verbose"}, description = "more logging; repeat for more: -v debug, -vv more, -vvv all"
            + " of lcs, -vvvv also Vert.x and Netty")
    boolean[] verbose = new boolean[0];

    @Option(names = "--no-timestamp", description = "no time at the start of each log line (under systemd's"
            + " journal there is none anyway: the journal adds it)")
    boolean noTimestamp;

    @Option(names = "--no-syslog", description = "do not send log lines to the system log even if lcs.conf says"
            + " syslog = true (they still go to standard error, which the journal keeps)")
    boolean noSyslog;

    @Option(names = {"-d", "--daemonize"}, description = "run in the background (outside systemd): lcsd starts itself"
            + " again in a new session, its output on /dev/null, and returns once it runs; under systemd it stays put")
    boolean daemonize;

    @Option(names = "--check-config", description = "validate the configuration, print a summary and exit")
    boolean checkConfig;

    private final PrintStream out;
    private final PrintStream err;
    /** Opens the network actuator when the daemon starts (after the state directory is locked). */
    private final Callable<NetworkActuator> actuator;

    /** lcsd with the real network actuator, {@link IpRouteActuator} (iproute2, arping, ndisc6). */
    public Lcsd(PrintStream out, PrintStream err) {
        this(out, err, IpRouteActuator::new);
    }

    /**
     * lcsd with the network actuator {@code actuator} opens: the production {@link #main} passes
     * {@link IpRouteActuator}; the loopback tests and measurements pass a simulated one from their
     * own main (test-harness), which the packaged lcsd does not contain.
     */
    public Lcsd(PrintStream out, PrintStream err, Callable<NetworkActuator> actuator) {
        this.out = out;
        this.err = err;
        this.actuator = actuator;
    }

    public static void main(String[] args) {
        run(args, IpRouteActuator::new);
    }

    /**
     * Runs lcsd with {@code args} and the network actuator {@code actuator} opens, as {@link #main}
     * does: exits with the command's code unless the daemon runs (it then exits through its
     * shutdown hook).
     */
    public static void run(String[] args, Callable<NetworkActuator> actuator) {
        int code = new CommandLine(new Lcsd(System.out, System.err, actuator)).execute(args);
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
            cfg = ConfigLoader.load(config);
        } catch (ConfigException e) {
            for (ConfigError ce : e.errors()) {
                err.println(ce);
            }
            err.println(e.errors().size() + " error(s) in " + config + "; nothing was started");
            return 1;
        }
        if (checkConfig) {
            return checkConfig(cfg);
        }
        LogSetup.configure(Math.min(verbose.length, MAX_VERBOSITY), err, noTimestamp);
        if (cfg.syslog() && !noSyslog) {
            List<String> logger = SyslogSink.loggerArgv(ProcessHandle.current().pid());
            if (logger == null) {
                LOG.log(Level.WARNING, "syslog = true, but logger(1) (util-linux) is not installed: lcsd logs to"
                        + " standard error only");
            } else {
                syslog = LogSetup.addSyslog(Math.min(verbose.length, MAX_VERBOSITY), logger, err);
            }
        } else if (cfg.syslog()) {
            LOG.log(Level.INFO, "--no-syslog: syslog = true of lcs.conf is not followed; standard error only");
        }
        if (daemonize && System.getenv("INVOCATION_ID") == null && System.getenv(DAEMON_CHILD_ENV) == null) {
            Integer detached = detach(cfg);
            if (detached != null) {
                return detached;
            }
        } else if (daemonize && System.getenv(DAEMON_CHILD_ENV) == null) {
            LOG.log(Level.INFO, "--daemonize: running under systemd, which keeps lcsd in the background; not detaching");
        }
        return runDaemon(cfg);
    }

    /**
     * {@code --check-config} of a file that parsed: every remaining check first (the secret file,
     * the hook files), then one verdict. With an error: the errors, then the warnings, on stderr and
     * {@code N error(s) in FILE}, exit 1, no summary (as for an error of the parser). Without: the
     * summary with its {@code OK} and every warning, exit 0.
     */
    private int checkConfig(ClusterConfig cfg) {
        List<ConfigError> errors = new ArrayList<>();
        List<ConfigError> hookWarnings = new ArrayList<>();
        try {
            ConfigLoader.secret(cfg);
        } catch (ConfigException e) {
            errors.addAll(e.errors());
        }
        try {
            hookWarnings.addAll(ConfigHookCheck.warnings(cfg, HookFileCheck.forThisProcess()));
        } catch (java.io.IOException e) {
            hookWarnings.add(new ConfigError(cfg.file(), 0, "hooks not checked: cannot read this process's"
                    + " uid from /proc/self: " + e.getMessage()));
        }
        if (errors.isEmpty()) {
            out.print(ConfigSummary.render(cfg, hookWarnings));
            return 0;
        }
        errors.forEach(err::println);
        cfg.warnings().forEach(w -> err.println(w + " (warning)"));
        hookWarnings.forEach(w -> err.println(w + " (warning)"));
        err.println(errors.size() + " error(s) in " + config + "; nothing was started");
        return 1;
    }

    /**
     * The fence of services against a frozen or wedged lcsd (docs/services.md): with a {@code [service]}
     * configured and under systemd, lcsd turns the service's watchdog on with a timeout of
     * {@code lease_ms - renew_ms} and pings it every {@code renew_ms} from its event loop (the ping
     * itself, a line to the notifier's pinger process, runs on a thread of its own). An event loop that stops, or a
     * JVM that is stopped (SIGSTOP) or wedged, stops the pings; systemd then kills lcsd and, through
     * the units' BindsTo= drop-in, stops every unit it runs, before its lease can have passed to
     * another node plus the stop budget the new owner waits. Without services no watchdog: an
     * address has the kernel's lifetime as its fence.
     */
    private static void startWatchdog(SystemdNotifier notifier, Vertx vertx, Context context, ClusterConfig cfg) {
        if (!notifier.enabled()) {
            LOG.log(Level.WARNING, "services are configured but lcsd does not run under systemd (no NOTIFY_SOCKET): a"
                    + " frozen lcsd would not be stopped by a watchdog (docs/services.md)");
            return;
        }
        long timeoutMillis = cfg.leaseMillis() - cfg.renewMillis();
        if (!notifier.watchdogTimeout(timeoutMillis * 1000L)) {
            LOG.log(Level.WARNING, "cannot turn systemd's watchdog on: a frozen lcsd would not be stopped by systemd");
            return;
        }
        java.util.concurrent.ExecutorService pinger = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lcs-watchdog");
            t.setDaemon(true);
            return t;
        });
        java.util.concurrent.atomic.AtomicBoolean pinging = new java.util.concurrent.atomic.AtomicBoolean();
        context.runOnContext(v -> vertx.setPeriodic(cfg.renewMillis(), id -> {
            if (pinging.compareAndSet(false, true)) { // one at a time: a slow ping is not queued behind
                pinger.execute(() -> {
                    try {
                        notifier.watchdog();
                    } finally {
                        pinging.set(false);
                    }
                });
            }
        }));
        LOG.log(Level.INFO, "systemd watchdog on: lcsd pings it every " + cfg.renewMillis() + " ms from its event loop;"
                + " systemd stops lcsd and its services after " + timeoutMillis + " ms without a ping");
    }

    /** Set in the environment of the background copy {@code --daemonize} starts. */
    static final String DAEMON_CHILD_ENV = "LCS_DAEMONIZED";
    /** How long the foreground lcsd watches the background one start before it returns. */
    static final long DETACH_WATCH_MILLIS = 3_000;

    /**
     * {@code --daemonize} outside systemd: a JVM cannot fork, so lcsd starts the same command line
     * again without the flag, in a new session ({@code setsid}), with standard input, output and
     * error on /dev/null as the C lcs's daemon had them (its lines reach the system log when
     * {@code syslog = true}), watches it for {@link #DETACH_WATCH_MILLIS} and returns: 0 once it is
     * still running (it then writes its pidfile), its exit status if it ended.
     *
     * @return the exit status, or null to stay in the foreground (the command line is unknown)
     */
    private Integer detach(ClusterConfig cfg) throws InterruptedException {
        List<String> argv;
        try {
            // the whole command line (ProcessHandle.Info leaves the arguments out when they are long)
            String cmdline = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8);
            argv = backgroundArgv(List.of(cmdline.split("\0")));
        } catch (java.io.IOException e) {
            argv = null;
        }
        if (argv == null) {
            LOG.log(Level.WARNING, "--daemonize: cannot read this process's command line; staying in the foreground");
            return null;
        }
        ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put(DAEMON_CHILD_ENV, "1");
        Process child;
        try {
            child = pb.start();
        } catch (java.io.IOException e) {
            err.println("lcsd: --daemonize: cannot start lcsd in the background: " + e.getMessage());
            return 1;
        }
        if (child.waitFor(DETACH_WATCH_MILLIS, TimeUnit.MILLISECONDS)) {
            err.println("lcsd: --daemonize: lcsd exited with status " + child.exitValue() + " while starting in the"
                    + " background; run it without -d to see why");
            return child.exitValue() == 0 ? 1 : child.exitValue();
        }
        out.println("lcsd: running in the background as PID " + child.pid()
                + (cfg.syslog() && !noSyslog ? "; it logs to the system log" : "; its log lines are discarded"
                + " (set syslog = true in [cluster] to keep them)"));
        out.flush();
        return 0;
    }

    /** {@code setsid} and this process's command line without {@code -d}/{@code --daemonize}, or null. */
    static List<String> backgroundArgv(List<String> cmdline) {
        if (cmdline.size() < 2) {
            return null;
        }
        List<String> argv = new ArrayList<>();
        for (String dir : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir))) {
                argv.add(dir);
                break;
            }
        }
        argv.add(cmdline.get(0).startsWith("/") ? cmdline.get(0)
                : ProcessHandle.current().info().command().orElse(cmdline.get(0)));
        for (String a : cmdline.subList(1, cmdline.size())) {
            if (!a.equals("-d") && !a.equals("--daemonize")) {
                argv.add(a);
            }
        }
        return argv;
    }

    private int runDaemon(ClusterConfig cfg) throws Exception {
        String secret;
        try {
            secret = ConfigLoader.secret(cfg).orElse(null);
        } catch (ConfigException e) {
            e.errors().forEach(x -> LOG.log(Level.ERROR, x.toString()));
            return 1;
        }
        for (ConfigError w : cfg.warnings()) {
            LOG.log(Level.WARNING, w.toString());
        }
        HookFileCheck hookFiles;
        try {
            hookFiles = HookFileCheck.forThisProcess();
        } catch (java.io.IOException e) {
            LOG.log(Level.ERROR, "cannot read this process's uid from /proc/self (needed to check hook files): "
                    + e.getMessage());
            return 1;
        }
        for (ConfigError w : ConfigHookCheck.warnings(cfg, hookFiles)) {
            LOG.log(Level.WARNING, w.toString());
        }
        running = cfg;
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

        NetworkActuator net;
        try {
            net = actuator.call();
        } catch (Exception e) {
            LOG.log(Level.ERROR, "cannot open the network actuator: " + e.getMessage());
            stateDir.close();
            return 1;
        }
        List<VipSpec> configVips = ConfigReload.vipSpecs(cfg.vips());
        // Before this node can vote it must hold no VIP it has no lease for.
        List<VipSpec> known = new ArrayList<>(configVips);
        for (StoredObject o : objects) {
            if (!o.deleted() && (o.key().kind().equals(VirtualIP.KIND) || o.key().kind().equals(Service.KIND))) {
                try {
                    known.add(CoreDriver.fromObject(o));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "ignoring stored " + o.key().kind() + " " + o.key().name() + ": "
                            + e.getMessage());
                }
            }
        }
        boolean sharedHost = VipReconciler.sharedHost(cfg.nodes().stream()
                .map(n -> io.lcs.model.net.Cidr.parseAddress(n.address())).toList());
        if (sharedHost) {
            // one kernel for all members (the C lcs's localhost cluster): what is there is another member's
            LOG.log(Level.INFO, "all members have loopback addresses and share this host: VIP addresses found at"
                    + " start are left in place (another member's, or expiring with their lifetime)");
        } else {
            VipReconciler.removeStale(net, known);
        }
        // ... and run no service's unit: stop every configured unit before voting
        // (a node without services connects to systemd only when one is applied or reloaded in; a
        // hook-only service has no unit and needs no systemd)
        LazyServiceUnits serviceUnits = systemdUnits();
        if (known.stream().anyMatch(VipSpec::hasUnit) && serviceUnits.unavailable() == null) {
            int stopped = VipReconciler.stopUnheldUnits(serviceUnits, known,
                    VipReconciler.DEFAULT_SERVICE_STOP_BUDGET.plusSeconds(1));
            LOG.log(Level.INFO, "services: " + known.stream().filter(VipSpec::hasUnit).count() + " units managed"
                    + " through systemd, " + stopped + " found running at start and stopped");
        }

        // Two event loops: the core and the peer transport on one (the context below), the HTTP servers
        // on the other (deployed below), so a flood of HTTP connections cannot delay heartbeats and
        // lease renewals (measured: 10,000 half-open connections on one shared loop let a lease lapse).
        // No class-path file resolving (the web console reads its resources itself): Vert.x would
        // otherwise create a /tmp/vertx-cache-UUID directory at every start, left behind by a kill.
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2)
                .setInternalBlockingPoolSize(2).setBlockedThreadCheckInterval(10_000)
                .setFileSystemOptions(new FileSystemOptions().setClassPathResolvingEnabled(false)
                        .setFileCachingEnabled(false)));
        Context context = vertx.getOrCreateContext();
        Clock clock = Clock.systemUTC();
        EventLog eventLog = new EventLog(clock, cfg.nodeName());

        List<CoreConfig.Member> members = new ArrayList<>();
        for (NodeConfig n : cfg.nodes()) {
            members.add(new CoreConfig.Member(n.name(), n.role() == Role.FULL_MEMBER));
        }
        // a held lease that stops being wanted (a move, SIGTERM) is still renewed while pre_stop runs
        // (up to hook_timeout_ms) and the address is removed; the release ends it at once
        CoreConfig coreConfig = CoreConfig.defaults(cfg.nodeName(), members, cfg.membershipHash(), cfg.leaseMillis(),
                cfg.renewMillis()).withStopGraceMillis(cfg.hookTimeoutMillis() + cfg.leaseMillis()
                + STOP_GRACE_KILL_ALLOWANCE_MILLIS);
        long fullRestartWait = ClusterCore.fullRestartWaitNanos(coreConfig);
        CleanStop.Decision restartWait;
        try {
            restartWait = CleanStop.consume(stateDir, CleanStop.BootClock.SYSTEM, fullRestartWait);
        } catch (java.io.IOException e) {
            LOG.log(Level.ERROR, cfg.stateDir() + ": " + e.getMessage() + "; lcsd reads and removes it before it"
                    + " votes (a later start would trust it): fix the state directory and start again");
            vertx.close();
            stateDir.close();
            return 1;
        }
        LOG.log(Level.INFO, "restart wait: " + restartWait.reason());
        ClusterCore core = new ClusterCore(coreConfig, objects, epochs, System.nanoTime(), restartWait.waitNanos(),
                new SecureRandom());

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
                if (driverRef[0] != null) {
                    driverRef[0].onPeerConnected(peer);
                }
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
        // One thread writes and syncs the state directory, off the event loop, and the driver holds what
        // depends on it. The driver submits a persist only after the previous one returned, so at most
        // one task waits (while the thread finishes the previous one). It ends after 30 s idle.
        ThreadPoolExecutor persistThread = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1),
                daemonThreads("lcs-persist"));
        persistThread.allowCoreThreadTimeOut(true);
        CoreDriver driver = new CoreDriver(vertx, context, core, persistence, persistThread, transport::send, eventLog,
                configVips, System::nanoTime, System::currentTimeMillis);
        driver.setFailbackSettle(java.time.Duration.ofMillis(cfg.failbackSettleMillis()));
        driver.replaceConfig(configVips, cfg.groups());
        driverRef[0] = driver;
        String version = LcsVersion.get();
        StatusView statusView = new StatusView(cfg.name(), version, clock);
        DaemonBackend backend = new DaemonBackend(driver, statusView, eventLog, version, clock, System::nanoTime,
                () -> running);
        // lcs.conf VIPs that clash with VIPs applied through the API (lcs.conf changed while lcsd was down):
        // a reload would refuse them; at start the lcs.conf VIP keeps the address and the API one is held out
        DesiredStateValidator.ReloadCheck clashes = DesiredStateValidator.validateReload(cfg, driver.apiVips(),
                cfg.vips().stream().map(VipConfig::name).toList());
        for (ConfigError e : clashes.errors()) {
            LOG.log(Level.ERROR, e + " (the lcs.conf VIP keeps the address; the API one is held out of placement)");
        }
        for (ConfigError w : clashes.warnings()) {
            LOG.log(Level.WARNING, w.toString());
        }

        LcsMetrics metrics = new LcsMetrics(cfg.name(), version, backend::status);
        for (PeerAddress p : peers) {
            metrics.registerFrameCounters(p.name(), () -> transport.stats().framesSent(p.name()),
                    () -> transport.stats().framesReceived(p.name()));
            metrics.registerByteCounters(p.name(), () -> transport.stats().bytesSent(p.name()),
                    () -> transport.stats().bytesReceived(p.name()));
        }
        for (RejectReason r : RejectReason.values()) {
            metrics.registerRejected(r.name().toLowerCase(java.util.Locale.ROOT), () -> transport.stats().rejected(r));
        }
        metrics.registerRejected("undecodable", driver::framesDropped);
        metrics.registerRejected("failed", driver::framesFailed);
        driver.onLoopLag(metrics::recordEventLoopLag);
        driver.onPersist(metrics::recordStatePersist);
        metrics.registerMessagesDroppedWaitingForDisk(driver::messagesDroppedWaitingForDisk);
        metrics.registerLogThrottleOverflows(io.lcs.reconcilers.runtime.LogThrottle::keyTableOverflows);
        SyslogSink sink = syslog;
        if (sink != null) {
            metrics.registerSyslogDropped(sink::dropped);
        }
        for (ConnectionRejectReason r : ConnectionRejectReason.values()) {
            metrics.registerConnectionsRejected(r.name().toLowerCase(java.util.Locale.ROOT),
                    () -> transport.stats().connectionsRejected(r));
        }
        for (PeerAddress p : peers) {
            for (String reason : CoreDriver.peerObjectRejectReasons()) {
                metrics.registerPeerObjectsRejected(p.name(), reason, () -> driver.peerObjectsRejected(p.name(), reason));
            }
        }
        // the core's limits (docs/architecture.md, "Limits of the core"); plain counters of the
        // event loop's core, read by the scrape like framesDropped
        metrics.registerCoreCounter("lease_sets_dropped", "Lease-set messages dropped: VIP tables differing for a"
                + " moment, or malformed.", core::leaseSetsDropped);
        metrics.registerCoreCounter("lease_entries_refused", "VIPs given no lease entry because the lease table was"
                + " full.", core::leaseEntriesRefused);
        metrics.registerCoreCounter("writes_refused", "Replicated writes refused because too many were in flight.",
                core::writesRefused);
        metrics.registerCoreCounter("sync_paced", "Anti-entropy exchanges with a peer that needed more than one"
                + " heartbeat interval's budget.", core::syncPaced);
        metrics.registerCoreCounter("events_failed", "Core events whose handling failed with an internal error"
                + " (logged with its stack trace; a bug to report).", driver::eventsFailed);

        BackgroundPool background = new BackgroundPool("lcs-hooks", HOOK_THREADS, HOOK_QUEUE);
        Map<String, java.util.function.LongSupplier> rejectedByKind = new java.util.LinkedHashMap<>();
        for (String kind : List.of("pre_start", "pre_stop", "post_start", "post_stop", "announce")) {
            rejectedByKind.put(kind, () -> background.rejected(kind));
        }
        metrics.registerBackgroundRejected(rejectedByKind);
        // announcements on a thread of their own: nothing queues ahead of them (issue 20); its queue
        // holds at most one task per VIP (each series schedules its next send itself)
        java.util.concurrent.ScheduledThreadPoolExecutor announcer = new java.util.concurrent.ScheduledThreadPoolExecutor(
                1, daemonThreads("lcs-announce"));
        announcer.setRemoveOnCancelPolicy(true);
        announcer.setKeepAliveTime(30, TimeUnit.SECONDS);
        announcer.allowCoreThreadTimeOut(true);
        // a hook runs only if this node's lcs.conf in force allows its file (owner, permissions, hook_dirs)
        HookRunner guardedHooks = new GuardedHookRunner(new ProcessHookRunner(), hookFiles,
                () -> HookPolicy.of(running), Ticker.system());
        HookRunner hooks = invocation -> { // every hook run is measured
            HookResult r = guardedHooks.run(invocation);
            String vip = invocation.env().getOrDefault("LCS_VIP", "?");
            metrics.recordHook(vip, invocation.event(), r.took().toNanos(), r.succeeded());
            if (r.refusal() != null) {
                metrics.hookRefused(vip, invocation.event(), r.refusal().reason().label());
            }
            return r;
        };
        // health checks: a full-member runs every check a VIP lists (it could hold any VIP); exec
        // checks go through the guarded runner, so they obey the hook rules
        HookRunner checkPrograms = new GuardedHookRunner(ProcessHookRunner.forChecks(), hookFiles,
                () -> HookPolicy.of(running), Ticker.system()); // kills what a run leaves behind
        CheckRunner checks = new CheckRunner(new SystemCheckProbe(checkPrograms, cfg.name(), cfg.nodeName()),
                driver::setCheckReports, new CheckRunner.Listener() {
                    @Override
                    public void ran(String check, long tookNanos, boolean passed) {
                        metrics.recordCheck(check, tookNanos);
                    }

                    @Override
                    public void skipped(String check, String reason) {
                        metrics.checkSkipped(check, reason);
                    }
                }, Ticker.system());
        checkRunner = checks;
        boolean runsChecks = cfg.self().role() == Role.FULL_MEMBER; // a quorum-only node never holds a VIP
        driver.run(() -> driver.checks(cfg.checks(), wanted -> checks.apply(runsChecks ? wanted : List.of())));
        statusView.checkRuns(() -> allChecks(running, driver.apiChecks(), checks.lastRuns()));
        VipReconciler vipReconciler = new VipReconciler(driver.vipHost(), net, hooks, statusView, eventLog::append,
                new VipReconciler.Settings(cfg.name(), cfg.nodeName(), Duration.ofMillis(cfg.hookTimeoutMillis()),
                        Duration.ofMillis(cfg.probeMillis()), Duration.ofMillis(cfg.renewMillis()), sharedHost),
                background, System::nanoTime).announceOn(announcer)
                .withServices(serviceUnits, VipReconciler.DEFAULT_SERVICE_STOP_BUDGET,
                        VipReconciler.DEFAULT_SERVICE_START_TIMEOUT);
        for (String[] skip : new String[][] {{"pre_stop", "lease_lost"}, {"pre_stop", "stop_budget"},
                {"pre_start", "lease_lost"}}) {
            metrics.registerHooksSkipped(skip[0], skip[1], () -> vipReconciler.hooksSkipped(skip[0], skip[1]));
        }
        metrics.registerVipLeaseShortfalls(() -> vipReconciler.shortLeaseSkips("add"),
                () -> vipReconciler.shortLeaseSkips("refresh"), vipReconciler::addressesLapsed);
        metrics.registerVipAddFailures(vipReconciler::addFailures);
        metrics.registerUnitStopFailures(vipReconciler::unitStopsFailed);
        // one batch task at a time does renewals and hook-less activations for all VIPs (issue 8)
        ThreadPoolExecutor vipBatch = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(4),
                daemonThreads("lcs-vip-batch"));
        vipBatch.allowCoreThreadTimeOut(true);
        vipReconciler.enableBatching(vipBatch, Duration.ofMillis(20));
        ReconcileRunner<String> runner = ReconcileRunner.builder("vip", vipReconciler).workers(2)
                .resync(Duration.ofSeconds(10), () -> driver.snapshot().vips().stream().map(VipSpec::name).toList())
                .observer((name, key, took, error) -> {
                    metrics.recordReconcile(name, took.toNanos());
                    if (error != null) {
                        metrics.reconcileFailed(name);
                        LOG.log(Level.WARNING, "vip " + key + ": reconcile failed: " + error.getMessage());
                    }
                }).build();
        vipReconciler.onHookDone(runner::enqueue); // a pre_* hook ended: its VIP's next step at once
        // a unit changed state (it failed or stopped by itself, or a job ended): its services at once
        serviceUnits.onChange(unit -> {
            for (VipSpec v : driver.snapshot().vips()) {
                if (unit.equals(v.systemdUnit())) {
                    runner.enqueue(v.name());
                }
            }
        });
        driver.onSnapshot(new SnapshotRouter(runner, vipReconciler, statusView, metrics));
        driver.onEvent(e -> {
            if (e instanceof CoreEvent.PeerDown d && d.silent()) {
                // a silent connection may be stuck in TCP backoff (e.g. after a partition): redial
                transport.disconnect(d.peer(), "peer silent: " + d.reason());
            }
            if (e instanceof CoreEvent.LeaseAcquired a) {
                metrics.leaseAcquired(a.vip());
            } else if (e instanceof CoreEvent.LeaseLost l) {
                metrics.leaseRenewalFailed(l.vip());
            }
        });

        // changes through the API need the admin token (created in state_dir if missing): root's authority
        AdminServer admin = new AdminServer(vertx, AdminConfig.of(cfg.adminBind(), cfg.adminPort(),
                Path.of(cfg.adminTokenPath())).withConsole(cfg.console()), backend, new io.lcs.controller.admin.ModelManifestReader(),
                (type, message) -> eventLog.append(type, "node/" + cfg.nodeName(), message));
        metrics.registerHttpServer("admin", admin::openConnections, admin.rejections());
        metrics.registerAdminRefusals(admin.refusals());
        MetricsServer metricsServer = cfg.metrics() ? new MetricsServer(vertx, cfg.metricsBind(), cfg.metricsPort(),
                metrics) : null;
        if (metricsServer != null) {
            metrics.registerHttpServer("metrics", metricsServer::openConnections, metricsServer.rejections());
        }

        try {
            // The transport runs on the driver's context: a send from another context is queued
            // by Vert.x and a burst can overflow that queue.
            io.vertx.core.Promise<Void> transportStarted = io.vertx.core.Promise.promise();
            context.runOnContext(v -> transport.start().onComplete(transportStarted));
            await(transportStarted.future(), "peer transport on " + endpoint(cfg.bind(), cfg.self().port()));
            context.runOnContext(v -> driver.start());
            runner.start();
            io.vertx.core.Promise<Thread> coreLoop = io.vertx.core.Promise.promise();
            context.runOnContext(v -> coreLoop.complete(Thread.currentThread()));
            Thread coreThread = await(coreLoop.future(), "core event loop");
            await(vertx.deployVerticle(new io.vertx.core.VerticleBase() {
                @Override
                public io.vertx.core.Future<?> start() {
                    if (Thread.currentThread() == coreThread) { // Vert.x hands loops to contexts in turn
                        LOG.log(Level.WARNING, "the HTTP servers share the core's event loop");
                    }
                    io.vertx.core.Future<?> started = admin.start();
                    return metricsServer == null ? started : started.compose(p -> metricsServer.start());
                }
            }), "admin API on " + endpoint(cfg.adminBind(), cfg.adminPort()) + (metricsServer == null ? ""
                    : " and metrics on " + endpoint(cfg.metricsBind(), cfg.metricsPort())));
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
                + cfg.leaseMillis() + " ms; waiting " + restartWait.waitMillis() + " ms before voting");
        installReload(cfg, driver, transport);
        backend.reloader(() -> { // lcs reload: what SIGHUP does
            ConfigReload.Decision d = reload(driver);
            transport.refreshMemberAddresses();
            return d;
        });
        // Type=notify under systemd: ready once every listener is up (after the log line, so the
        // journal shows the start before systemd reports it)
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment();
        notifier.ready("node " + cfg.nodeName() + " of cluster " + cfg.name() + ", " + known.size() + " VIPs");
        // before the first unit starts here (at once if lcsd connected at start for its services)
        serviceUnits.onConnected(() -> startWatchdog(notifier, vertx, context, cfg));
        PidFile pidFile = PidFile.write(cfg.pidFile(), ProcessHandle.current().pid());

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
            long stopStarted = System.nanoTime();
            runner.close(Duration.ofSeconds(2));
            vipReconciler.deactivateAll(STOP_HOOKS_BUDGET);
            CountDownLatch released = new CountDownLatch(1);
            driver.run(released::countDown); // the releases queued by deactivateAll are sent by now
            awaitQuietly(released, 2_000);
            sleepQuietly(100); // let the transport flush the release frames
            driver.run(driver::stop);
            checks.close();
            announcer.shutdownNow();
            // post_stop hooks still running or queued finish within what is left of the budget
            Duration left = STOP_HOOKS_BUDGET.minusNanos(System.nanoTime() - stopStarted);
            background.drain(left.isNegative() ? Duration.ZERO : left);
            try {
                admin.stop().toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
                if (metricsServer != null) {
                    metricsServer.stop().toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
                }
                transport.stop().toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
                vertx.close().toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
                persistThread.shutdown(); // the last persist ends before the directory closes
                if (persistThread.awaitTermination(2, TimeUnit.SECONDS)) {
                    // the event loops are closed: this node grants nothing more from here on, so the
                    // next start in this boot waits only for what is left of this moment's lease
                    CleanStop.record(stateDir, CleanStop.BootClock.SYSTEM, fullRestartWait);
                } else {
                    LOG.log(Level.WARNING, "shutdown: the last state write did not end in 2 s; the next start"
                            + " waits a whole lease before voting");
                }
            } catch (Exception e) {
                LOG.log(Level.WARNING, "shutdown: " + e.getMessage() + "; the next start waits a whole lease before"
                        + " voting");
            }
            try {
                stateDir.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "shutdown: " + e.getMessage());
            }
            if (pidFile != null) {
                pidFile.remove();
            }
            LOG.log(Level.INFO, "stopped");
            if (syslog != null) {
                syslog.close(); // sends what is queued
            }
            stopped.countDown();
            // A clean stop exits 0, not the JVM's 128+SIGTERM: every VIP was released above.
            Runtime.getRuntime().halt(0);
        }, "lcs-shutdown"));
        stopped.await(); // the JVM exits through the shutdown hook (SIGTERM, SIGINT)
        return 0;
    }

    /** The configuration in force; replaced by a reload that applies. */
    private volatile ClusterConfig running;
    /** This node's health checks; a reload that changes which checks the VIPs list changes what it runs. */
    private volatile CheckRunner checkRunner;
    private final Object reloadLock = new Object();

    /**
     * SIGHUP ({@code systemctl reload lcsd}) re-reads the configuration file (see {@link ConfigReload})
     * and resolves the members' host names again for the peer transport.
     */
    private void installReload(ClusterConfig cfg, CoreDriver driver, PeerTransport transport) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                reload(driver);
                transport.refreshMemberAddresses(); // host names of members may resolve differently now
            });
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "cannot handle SIGHUP, reload disabled: " + e.getMessage());
        }
    }

    /**
     * Every check (lcs.conf's, then the API's HealthChecks lcs.conf does not hide), with this node's
     * last run where it runs it.
     */
    static List<CheckRunner.LastRun> allChecks(ClusterConfig cfg, List<CheckConfig> api,
                                               List<CheckRunner.LastRun> runs) {
        java.util.Map<String, CheckRunner.LastRun> byName = new java.util.HashMap<>();
        for (CheckRunner.LastRun r : runs) {
            byName.put(r.config().name(), r);
        }
        List<CheckConfig> all = new ArrayList<>(cfg.checks());
        all.addAll(api);
        List<CheckRunner.LastRun> out = new ArrayList<>(all.size());
        for (CheckConfig c : all) {
            CheckRunner.LastRun r = byName.get(c.name());
            out.add(r != null ? r : new CheckRunner.LastRun(c, io.lcs.reconcilers.check.CheckState.Phase.UNKNOWN,
                    "not run on this node", null, null));
        }
        return out;
    }

    /**
     * Re-reads {@link #config} and applies it if only VIPs changed; otherwise logs why not and keeps
     * running on the configuration in force. Any thread; reloads are serialized. SIGHUP and
     * {@code lcs reload} ({@code POST /api/v1/reload}) call it.
     *
     * @return the decision; a file that does not parse is {@link ConfigReload.Refused} with its errors
     */
    ConfigReload.Decision reload(CoreDriver driver) {
        synchronized (reloadLock) {
            LOG.log(Level.INFO, "reload: re-reading " + config);
            ClusterConfig reread;
            try {
                reread = ConfigLoader.load(config);
            } catch (ConfigException e) {
                for (ConfigError ce : e.errors()) {
                    LOG.log(Level.ERROR, "reload: " + ce);
                }
                LOG.log(Level.ERROR, "reload refused: " + e.errors().size() + " error(s) in " + config
                        + "; still running the previous configuration");
                return new ConfigReload.Refused(e.errors().stream().map(ConfigError::toString).toList(), false);
            }
            ConfigReload.Decision d = ConfigReload.decide(running, reread, driver.apiVips());
            if (d instanceof ConfigReload.Unchanged) {
                LOG.log(Level.INFO, "reload: no VIP or setting changed");
            } else if (d instanceof ConfigReload.Refused r) {
                for (String reason : r.reasons()) {
                    LOG.log(Level.ERROR, "reload: " + reason);
                }
                LOG.log(Level.ERROR, "reload refused: still running the previous configuration"
                        + (r.needsRestart() ? "; restart lcsd to apply these changes" : "; nothing was changed"));
            } else if (d instanceof ConfigReload.ApplyVips a) {
                for (ConfigError w : reread.warnings()) {
                    LOG.log(Level.WARNING, "reload: " + w);
                }
                for (String w : a.warnings()) {
                    LOG.log(Level.WARNING, "reload: " + w);
                }
                for (ConfigError w : hookFileWarnings(reread)) {
                    LOG.log(Level.WARNING, "reload: " + w);
                }
                running = reread;
                driver.run(() -> driver.replaceConfigVips(a.vips()));
                CheckRunner checks = checkRunner;
                if (checks != null) { // a VIP may list other checks now, or a [check] changed
                    boolean runsChecks = reread.self().role() == Role.FULL_MEMBER;
                    driver.run(() -> driver.checks(reread.checks(),
                            wanted -> checks.apply(runsChecks ? wanted : List.of())));
                }
                LOG.log(Level.INFO, "reload: VIPs " + a.summary() + "; unchanged VIPs stay where they are");
            }
            return d;
        }
    }

    private static List<ConfigError> hookFileWarnings(ClusterConfig cfg) {
        try {
            return ConfigHookCheck.warnings(cfg, HookFileCheck.forThisProcess());
        } catch (java.io.IOException e) {
            return List.of(new ConfigError(cfg.file(), 0, "hooks not checked: " + e.getMessage()));
        }
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
