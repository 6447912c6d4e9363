package io.lcs.reconcilers.runtime;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bounded pool lcsd runs hooks on ({@code pre_start}, {@code pre_stop} while the VIP
 * reconciler waits for them without holding a worker, {@code post_start}, {@code post_stop}):
 * {@code threads} threads (created on demand, gone after 30 s idle) and a queue of {@code queue}
 * tasks. Nothing is dropped silently:
 * <ul>
 *   <li>a task offered while the queue is full is refused: {@link #execute} throws
 *       {@link RejectedExecutionException}, the refusal is counted per kind ({@link #rejected}) and
 *       logged once until the queue is back under half full;</li>
 *   <li>{@link #drain} (SIGTERM) lets running and queued tasks finish within a budget, then
 *       interrupts what still runs (a hook is killed with its process group) and logs every task
 *       cut, by name.</li>
 * </ul>
 * Tasks are named with {@link #task}; an unnamed {@link Runnable} counts as kind {@code other}.
 */
public final class BackgroundPool implements Executor {
    private static final Logger LOG = System.getLogger("io.lcs.background");
    /** How long an idle thread stays. */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(30);

    /** A task with the kind it is counted under and what the log calls it. */
    public static final class Task implements Runnable {
        private final String kind;
        private final String name;
        private final Runnable body;

        private Task(String kind, String name, Runnable body) {
            this.kind = Objects.requireNonNull(kind, "kind");
            this.name = Objects.requireNonNull(name, "name");
            this.body = Objects.requireNonNull(body, "body");
        }

        public String kind() {
            return kind;
        }

        public String name() {
            return name;
        }

        @Override
        public void run() {
            body.run();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Names a task for the counters and the log; runs it as is on any other executor. */
    public static Task task(String kind, String name, Runnable body) {
        return new Task(kind, name, body);
    }

    private final String name;
    private final int queueCapacity;
    private final ThreadPoolExecutor pool;
    private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
    private final Set<Task> running = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean fullReported = new AtomicBoolean();

    /**
     * @param name thread names are {@code name-N}; the log calls the pool by it
     * @param threads tasks that run at once
     * @param queue tasks that wait (more are refused)
     */
    public BackgroundPool(String name, int threads, int queue) {
        if (threads < 1 || queue < 1) {
            throw new IllegalArgumentException("threads and queue must be positive");
        }
        this.name = name;
        this.queueCapacity = queue;
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool = new ThreadPoolExecutor(threads, threads, KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(queue), factory, (r, e) -> refuse(r)) {
            @Override
            protected void beforeExecute(Thread t, Runnable r) {
                if (r instanceof Task task) {
                    running.add(task);
                }
            }

            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                if (r instanceof Task task) {
                    running.remove(task);
                }
                if (t != null) {
                    LOG.log(Level.WARNING, BackgroundPool.this.name + ": " + r + " failed: " + t, t);
                }
            }
        };
        pool.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code task} on the pool; refused (counted, logged once per episode) when the queue is full or the pool stopped. */
    @Override
    public void execute(Runnable task) {
        pool.execute(task);
        if (fullReported.get() && pool.getQueue().size() < queueCapacity / 2) {
            fullReported.set(false);
        }
    }

    private void refuse(Runnable r) {
        String kind = r instanceof Task t ? t.kind() : "other";
        rejected.computeIfAbsent(kind, k -> new LongAdder()).increment();
        if (pool.isShutdown()) {
            throw new RejectedExecutionException(name + " is stopping: " + r + " not run");
        }
        if (fullReported.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, name + " is full (" + pool.getMaximumPoolSize() + " running, " + queueCapacity
                    + " waiting): " + r + " not run; further refusals are counted in"
                    + " lcs_background_tasks_rejected_total until it is half empty");
        }
        throw new RejectedExecutionException(name + " is full: " + r + " not run");
    }

    /** Tasks of {@code kind} refused since start. */
    public long rejected(String kind) {
        LongAdder a = rejected.get(kind);
        return a == null ? 0 : a.sum();
    }

    /** Tasks waiting now. */
    public int queued() {
        return pool.getQueue().size();
    }

    /**
     * Stops taking tasks, lets the running and queued ones finish for up to {@code budget}, then
     * interrupts the rest (a hook is killed with its process group) and logs each task cut. For
     * SIGTERM; the pool cannot be used afterwards.
     *
     * @return the names of the tasks cut (running ones interrupted, queued ones never run)
     */
    public List<String> drain(Duration budget) {
        pool.shutdown();
        try {
            if (pool.awaitTermination(budget.toNanos(), TimeUnit.NANOSECONDS)) {
                return List.of();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<String> cut = new ArrayList<>();
        for (Task t : running) {
            cut.add(t.name() + " (interrupted)");
        }
        for (Runnable r : pool.shutdownNow()) {
            cut.add(r + " (never started)");
        }
        if (!cut.isEmpty()) {
            LOG.log(Level.WARNING, name + ": the stop budget of " + budget.toMillis() + " ms ran out; cut "
                    + cut.size() + " task(s): " + String.join(", ", cut));
        }
        try {
            pool.awaitTermination(2, TimeUnit.SECONDS); // interrupted hooks are killed within ~1 s
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return cut;
    }
}
