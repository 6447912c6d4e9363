package io.lcs.reconcilers.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs one {@link Reconciler} over a {@link WorkQueue} with a fixed number of worker threads (daemon,
 * named {@code lcs-reconcile-<name>-<i>}) and a periodic resync that re-adds every key from a
 * supplier (thread {@code lcs-reconcile-<name>-resync}), so missed events and restarts converge.
 *
 * <p>For each key taken: success forgets the key's backoff ({@link Result#requeueAfter} then adds it
 * after the delay); {@link TerminalReconcileException} forgets it and does not requeue; any other
 * exception requeues it with the queue's capped exponential backoff. {@link VirtualMachineError}s
 * are reported and rethrown (the worker dies). Every call is reported to the
 * {@link ReconcileObserver}.
 *
 * <p>Lifecycle: construct with {@link #builder}, {@link #start()} once, {@link #close()} once. Not
 * restartable. {@link #enqueue} is thread-safe and may be called before {@code start}.
 *
 * @param <K> the key type; must have value equality
 */
public final class ReconcileRunner<K> implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReconcileRunner.class.getName());
    /** How long an idle worker waits in {@code take} before re-checking for shutdown. */
    private static final Duration POLL = Duration.ofMillis(500);
    public static final Duration DEFAULT_RESYNC = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** Bound on worker threads per runner: reconcile steps are short; more threads only cost RAM. */
    public static final int MAX_WORKERS = 64;

    private final String name;
    private final Reconciler<K> reconciler;
    private final WorkQueue<K> queue;
    private final int workerCount;
    private final Duration resyncPeriod;
    private final Supplier<? extends Collection<K>> allKeys;
    private final ReconcileObserver<K> observer;
    private final Ticker ticker;
    private final Duration closeTimeout;
    private final List<Thread> workers = new ArrayList<>();
    private ScheduledExecutorService resync;
    private boolean started;

    private ReconcileRunner(Builder<K> b) {
        this.name = b.name;
        this.reconciler = b.reconciler;
        this.queue = b.queue != null ? b.queue : new WorkQueue<>(b.ticker, WorkQueue.DEFAULT_MAX_KEYS);
        this.workerCount = b.workers;
        this.resyncPeriod = b.resyncPeriod;
        this.allKeys = b.allKeys;
        this.observer = b.observer;
        this.ticker = b.ticker;
        this.closeTimeout = b.closeTimeout;
    }

    /**
     * @param name short name used in thread names and observer calls ({@code [a-z0-9-]{1,32}})
     */
    public static <K> Builder<K> builder(String name, Reconciler<K> reconciler) {
        return new Builder<>(name, reconciler);
    }

    /** Builder; every setting has a default except name and reconciler. */
    public static final class Builder<K> {
        private final String name;
        private final Reconciler<K> reconciler;
        private WorkQueue<K> queue;
        private int workers = 1;
        private Duration resyncPeriod = DEFAULT_RESYNC;
        private Supplier<? extends Collection<K>> allKeys;
        private ReconcileObserver<K> observer = ReconcileObserver.none();
        private Ticker ticker = Ticker.system();
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;

        private Builder(String name, Reconciler<K> reconciler) {
            Objects.requireNonNull(name, "name");
            if (!name.matches("[a-z0-9-]{1,32}")) {
                throw new IllegalArgumentException("reconciler name '" + name + "' must match [a-z0-9-]{1,32}");
            }
            this.name = name;
            this.reconciler = Objects.requireNonNull(reconciler, "reconciler");
        }

        /** The queue to take keys from (default: a new one with the builder's ticker). */
        public Builder<K> queue(WorkQueue<K> queue) {
            this.queue = Objects.requireNonNull(queue, "queue");
            return this;
        }

        /** Worker threads, 1..{@value #MAX_WORKERS} (default 1). */
        public Builder<K> workers(int workers) {
            if (workers < 1 || workers > MAX_WORKERS) {
                throw new IllegalArgumentException("workers must be 1.." + MAX_WORKERS + ", got " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** Re-add every key from {@code allKeys} every {@code period} (positive), starting at {@link #start()}. */
        public Builder<K> resync(Duration period, Supplier<? extends Collection<K>> allKeys) {
            Objects.requireNonNull(period, "period");
            if (period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("resync period must be positive, got " + period);
            }
            this.resyncPeriod = period;
            this.allKeys = Objects.requireNonNull(allKeys, "allKeys");
            return this;
        }

        public Builder<K> observer(ReconcileObserver<K> observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        public Builder<K> ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** How long {@link ReconcileRunner#close()} waits for workers to finish their current key. */
        public Builder<K> closeTimeout(Duration closeTimeout) {
            this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
            return this;
        }

        public ReconcileRunner<K> build() {
            return new ReconcileRunner<>(this);
        }
    }

    public String name() {
        return name;
    }

    public WorkQueue<K> queue() {
        return queue;
    }

    /** Asks for {@code key} to be reconciled; returns false if the queue refused it (full or closed). */
    public boolean enqueue(K key) {
        return queue.add(key);
    }

    /** Starts the workers and the resync timer (the first resync runs at once). */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("reconcile runner '" + name + "' already started");
        }
        started = true;
        for (int i = 0; i < workerCount; i++) {
            Thread t = new Thread(this::work, "lcs-reconcile-" + name + "-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        if (allKeys != null) {
            resync = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "lcs-reconcile-" + name + "-resync");
                t.setDaemon(true);
                return t;
            });
            long periodMillis = Math.max(1, resyncPeriod.toMillis());
            resync.scheduleAtFixedRate(this::resyncNow, 0, periodMillis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Adds every key the resync supplier returns now. Called by the timer; public so callers can
     * force a resync (e.g. after a reconnect). A supplier that throws is logged and skipped.
     *
     * @return how many keys were added (refused ones not counted)
     */
    public int resyncNow() {
        if (allKeys == null) {
            return 0;
        }
        int added = 0;
        try {
            Collection<K> keys = allKeys.get();
            for (K key : keys) {
                if (queue.add(key)) {
                    added++;
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "resync of reconciler " + name + " failed", e);
        }
        return added;
    }

    private void work() {
        while (!queue.isShutDown()) {
            K key;
            try {
                key = queue.take(POLL);
            } catch (InterruptedException e) {
                return;
            }
            if (key == null) {
                continue;
            }
            processOne(key);
        }
    }

    private void processOne(K key) {
        long start = ticker.nanoTime();
        Throwable error = null;
        try {
            Result result = reconciler.reconcile(key);
            queue.forget(key);
            if (result instanceof Result.RequeueAfter r) {
                queue.addAfter(key, r.delay());
            } else if (result == null) {
                throw new NullPointerException("reconciler " + name + " returned null for key " + key);
            }
        } catch (TerminalReconcileException e) {
            error = e;
            queue.forget(key);
        } catch (VirtualMachineError e) {
            error = e;
            queue.addRateLimited(key);
            throw e;
        } catch (Throwable e) {
            error = e;
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            queue.addRateLimited(key);
        } finally {
            queue.done(key);
            report(key, Duration.ofNanos(ticker.nanoTime() - start), error);
        }
    }

    private void report(K key, Duration took, Throwable error) {
        try {
            observer.reconciled(name, key, took, error);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "reconcile observer of " + name + " threw", e);
        }
    }

    /**
     * Stops the resync, shuts the queue down and waits up to {@code timeout} for workers to finish
     * the key they are on; workers still running then are interrupted.
     *
     * @return true if every worker ended within the timeout
     */
    public boolean close(Duration timeout) {
        List<Thread> toJoin;
        synchronized (this) {
            if (resync != null) {
                resync.shutdownNow();
            }
            queue.shutDown();
            toJoin = List.copyOf(workers);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean all = true;
        for (Thread t : toJoin) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    TimeUnit.NANOSECONDS.timedJoin(t, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                all = false;
                t.interrupt();
            }
        }
        return all;
    }

    /** {@link #close(Duration)} with the configured close timeout. */
    @Override
    public void close() {
        if (!close(closeTimeout)) {
            LOG.log(System.Logger.Level.WARNING, "reconciler " + name + ": workers still busy after "
                    + closeTimeout + "; interrupted");
        }
    }
}
