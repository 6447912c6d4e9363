package io.lcs.controller.check;

import io.lcs.model.config.CheckConfig;
import io.lcs.model.config.CheckFields;
import io.lcs.model.wire.Message.CheckReport;
import io.lcs.reconcilers.check.CheckState;
import io.lcs.reconcilers.runtime.LogThrottle;
import io.lcs.reconcilers.runtime.Ticker;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs this node's health checks, each every {@code interval_ms}, off the event loop: one timer
 * thread ({@code lcs-check-timer}) hands runs to at most {@value #MAX_CONCURRENT_CHECKS} worker
 * threads ({@code lcs-check}, gone after 30 s idle). A run that finds every worker busy waits in
 * line (each check has at most one run waiting or running, so the line is at most the number of
 * checks): every check runs, however many there are. A start that finds the check's own previous
 * run still going (or waiting) is skipped: counted per check and reason ({@link Listener#skipped},
 * {@code lcs_check_runs_skipped_total}), logged at most once a minute per check, and made up for by
 * a run right after that previous one ends, so that a run as long as the interval does not halve
 * the check's rate. Each result goes into the check's {@link CheckState}; whenever what this node
 * reports changes (a phase or a summary), the whole list goes to {@code publish} (the core carries
 * it to the peers with the next heartbeat). A check whose timing settings change starts over, but
 * reports its previous result until its first new one, so such a change does not make a healthy
 * node look unhealthy for a moment (and move or stop its resources); one whose target changes
 * starts as "not run yet". Thread-safe.
 */
public final class CheckRunner implements AutoCloseable {
    private static final Logger LOG = System.getLogger("io.lcs.checks");
    /**
     * 4 runs at once: checks are short (a connect, a GET, a small program) and the machine's cores
     * belong to the service lcs protects; on a node with many slow checks, runs wait for a worker
     * (and so come less often) rather than pile up processes.
     */
    public static final int MAX_CONCURRENT_CHECKS = 4;
    /** What is kept of an exec check's output for describe: its last lines, at most this many bytes. */
    public static final int OUTPUT_TAIL_BYTES = 1024;
    public static final int OUTPUT_TAIL_LINES = 5;
    static final Duration LOG_INTERVAL = Duration.ofMinutes(1);

    /** Told of every run and every skipped run (metrics). */
    public interface Listener {
        void ran(String check, long tookNanos, boolean passed);

        /** @param reason {@code concurrency} (every worker busy) or {@code still_running} */
        void skipped(String check, String reason);
    }

    /** One check as this node last ran it. */
    public record LastRun(CheckConfig config, CheckState.Phase phase, String summary, Double durationSeconds,
                          String output) {
    }

    private final CheckProbe probe;
    private final Consumer<List<CheckReport>> publish;
    private final Listener listener;
    private final Ticker ticker;
    private final LogThrottle throttle;
    private final ScheduledThreadPoolExecutor timer;
    private final ThreadPoolExecutor workers;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private List<CheckReport> published = List.of();

    private static final class Running {
        final CheckConfig config;
        final CheckState state;
        final AtomicBoolean inFlight = new AtomicBoolean();
        /** A start was skipped while the previous run went on: run again as soon as it ends. */
        final AtomicBoolean missed = new AtomicBoolean();
        /** What the check's previous settings reported, reported until this one's first result (or null). */
        final CheckReport carried;
        ScheduledFuture<?> schedule;
        volatile Double lastSeconds;
        volatile String lastOutput;

        Running(CheckConfig config, CheckReport carried) {
            this.config = config;
            this.state = new CheckState(config);
            this.carried = carried;
        }
    }

    public CheckRunner(CheckProbe probe, Consumer<List<CheckReport>> publish, Listener listener, Ticker ticker) {
        this.probe = probe;
        this.publish = publish;
        this.listener = listener;
        this.ticker = ticker;
        this.throttle = new LogThrottle(LOG_INTERVAL, ticker);
        this.timer = new ScheduledThreadPoolExecutor(1, daemon("lcs-check-timer"));
        this.timer.setRemoveOnCancelPolicy(true);
        this.workers = new ThreadPoolExecutor(MAX_CONCURRENT_CHECKS, MAX_CONCURRENT_CHECKS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(CheckFields.MAX_CHECKS), daemon("lcs-check"));
        this.workers.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs exactly {@code checks} from now on: new ones start at once, removed ones stop, changed
     * ones start over (their state back to not run yet). The reports change accordingly.
     */
    public synchronized void apply(List<CheckConfig> checks) {
        Map<String, CheckConfig> wanted = new java.util.LinkedHashMap<>();
        for (CheckConfig c : checks) {
            wanted.put(c.name(), c);
        }
        Map<String, CheckReport> changed = new java.util.HashMap<>();
        for (Running r : List.copyOf(running.values())) {
            CheckConfig now = wanted.get(r.config.name());
            if (now == null || !sameCheck(now, r.config)) {
                r.schedule.cancel(false);
                running.remove(r.config.name());
                if (now != null && sameTarget(now, r.config)) {
                    changed.put(r.config.name(), report(r, ticker.nanoTime()));
                }
            }
        }
        for (CheckConfig c : wanted.values()) {
            if (!running.containsKey(c.name())) {
                Running r = new Running(c, changed.get(c.name()));
                running.put(c.name(), r);
                r.schedule = timer.scheduleAtFixedRate(() -> start(r), 0, c.intervalMillis(), TimeUnit.MILLISECONDS);
            }
        }
        publishIfChanged();
    }

    /** The checks this node runs and their last run, by name. */
    public List<LastRun> lastRuns() {
        List<LastRun> out = new ArrayList<>();
        long now = ticker.nanoTime();
        for (Running r : running.values()) {
            synchronized (r.state) {
                out.add(new LastRun(r.config, r.state.phase(), r.state.summary(now), r.lastSeconds, r.lastOutput));
            }
        }
        out.sort(Comparator.comparing(l -> l.config().name()));
        return out;
    }

    /** On the timer thread: hands one run to a worker, or skips it. */
    private void start(Running r) {
        if (!r.inFlight.compareAndSet(false, true)) {
            r.missed.set(true);
            skip(r, "still_running", "its previous run has not ended (it is killed at timeout_ms); the next"
                    + " starts as soon as it does");
            return;
        }
        r.missed.set(false); // this run makes up for any start skipped before it
        try {
            workers.execute(() -> run(r));
        } catch (RejectedExecutionException e) {
            r.inFlight.set(false);
            if (!workers.isShutdown()) {
                skip(r, "concurrency", "the line of runs waiting for a worker is full (" + CheckFields.MAX_CHECKS + ")");
            }
        }
    }

    private void skip(Running r, String reason, String why) {
        listener.skipped(r.config.name(), reason);
        long suppressed = throttle.permit(r.config.name() + "/" + reason);
        if (suppressed >= 0) {
            LOG.log(Level.WARNING, LogThrottle.withSuppressed("check " + r.config.name() + ": a run was skipped: "
                    + why, suppressed));
        }
    }

    private void run(Running r) {
        try {
            if (running.get(r.config.name()) != r) {
                return; // removed or replaced while it waited for a worker
            }
            CheckOutcome o;
            try {
                o = probe.run(r.config);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                o = new CheckOutcome(false, "check failed to run: " + e, null, 0);
            }
            r.lastSeconds = o.tookNanos() / 1e9;
            r.lastOutput = o.output();
            listener.ran(r.config.name(), o.tookNanos(), o.passed());
            boolean changed;
            synchronized (r.state) {
                changed = r.state.record(o.passed(), o.message(), ticker.nanoTime());
            }
            if (changed) {
                LOG.log(o.passed() ? Level.INFO : Level.WARNING, "check " + r.config.name() + " now "
                        + r.state.phase().name().toLowerCase(java.util.Locale.ROOT) + ": " + o.message());
            }
            if (running.get(r.config.name()) == r) {
                publishIfChanged();
            }
        } finally {
            r.inFlight.set(false);
            // a start skipped while this run went on is made up for at once; a timer tick that
            // comes first takes the slot itself (its start clears missed), so nothing is skipped
            if (r.missed.get() && running.get(r.config.name()) == r && r.inFlight.compareAndSet(false, true)) {
                r.missed.set(false);
                if (!resubmit(r)) {
                    r.inFlight.set(false);
                }
            }
        }
    }

    /** Hands another run of {@code r} to a worker; false if none will run (shut down, or the line full). */
    private boolean resubmit(Running r) {
        try {
            workers.execute(() -> run(r));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** What this node reports for {@code r} now: its previous settings' result until its first own. */
    private static CheckReport report(Running r, long now) {
        synchronized (r.state) {
            if (r.state.phase() == CheckState.Phase.UNKNOWN && r.carried != null) {
                return r.carried;
            }
            return new CheckReport(r.config.name(), r.state.phase() == CheckState.Phase.PASSING,
                    CheckReport.cutSummary(r.state.summary(now)));
        }
    }

    private synchronized void publishIfChanged() {
        List<CheckReport> now = new ArrayList<>();
        long t = ticker.nanoTime();
        for (Running r : running.values()) {
            now.add(report(r, t));
        }
        now.sort(Comparator.comparing(CheckReport::check));
        if (!now.equals(published)) {
            published = List.copyOf(now);
            publish.accept(published);
        }
    }

    /** The last {@value #OUTPUT_TAIL_LINES} lines of {@code output}, at most {@value #OUTPUT_TAIL_BYTES} characters; null if empty. */
    static String tail(String output) {
        if (output == null || output.isBlank()) {
            return null;
        }
        String s = output.strip();
        int from = s.length();
        for (int lines = 0; lines < OUTPUT_TAIL_LINES && from > 0; lines++) {
            from = s.lastIndexOf('\n', from - 1);
            if (from < 0) {
                from = 0;
                break;
            }
        }
        String t = s.substring(from).strip();
        return t.length() > OUTPUT_TAIL_BYTES ? t.substring(t.length() - OUTPUT_TAIL_BYTES) : t;
    }

    /** Only the timing differs (interval, timeout, fall, rise, hold): the last result still says something. */
    private static boolean sameTarget(CheckConfig a, CheckConfig b) {
        return a.type() == b.type() && java.util.Objects.equals(a.url(), b.url()) && a.expectStatus() == b.expectStatus()
                && java.util.Objects.equals(a.command(), b.command()) && java.util.Objects.equals(a.host(), b.host())
                && a.port() == b.port() && java.util.Objects.equals(a.interfaceName(), b.interfaceName());
    }

    private static boolean sameCheck(CheckConfig a, CheckConfig b) {
        return a.equals(new CheckConfig(b.name(), b.type(), b.url(), b.expectStatus(), b.command(), b.host(), b.port(),
                b.interfaceName(), b.intervalMillis(), b.timeoutMillis(), b.fall(), b.rise(), b.holdMillis(), a.line()));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Stops every check; runs in progress end by their timeout. */
    @Override
    public void close() {
        timer.shutdownNow();
        workers.shutdownNow();
    }
}
