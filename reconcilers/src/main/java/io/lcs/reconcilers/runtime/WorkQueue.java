package io.lcs.reconcilers.runtime;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A thread-safe queue of keys to reconcile, with the semantics of client-go's workqueue:
 *
 * <ul>
 *   <li><b>Dedupe.</b> {@link #add} of a key that is already waiting to be taken does nothing, so a
 *       burst of events for one key collapses into one reconcile.</li>
 *   <li><b>One worker per key.</b> A key handed out by {@link #take} is "processing" until
 *       {@link #done}; adding it meanwhile marks it dirty, and {@code done} re-queues it once. A key
 *       is never handed to two workers at once.</li>
 *   <li><b>Delays.</b> {@link #addAfter} adds the key once the delay has passed (measured with the
 *       injected {@link Ticker}); of several pending delays for one key the earliest wins. Due keys
 *       are moved into the queue by {@link #take} itself, so there is no timer thread.</li>
 *   <li><b>Per-key backoff.</b> {@link #addRateLimited} waits {@value #BASE_BACKOFF_MILLIS} ms,
 *       doubling on each consecutive failure of that key up to {@value #MAX_BACKOFF_MILLIS} ms (reached
 *       after 8 failures); {@link #forget} resets it. The cap keeps a broken key retried at least
 *       every 10 s (a fraction of a lease) while bounding the cost of a permanently failing one.</li>
 *   <li><b>Bounded.</b> At most {@code maxKeys} distinct keys may be queued, and at most
 *       {@code maxKeys} delayed (default {@value #DEFAULT_MAX_KEYS}: 1,000 VIPs times a handful of
 *       kinds, with two orders of magnitude headroom). Beyond that {@code add} refuses the key and
 *       returns {@code false} ({@link #droppedCount()} counts refusals); the periodic resync adds it
 *       again later, which is why dropping is safe for level-triggered reconcilers.</li>
 *   <li><b>Shutdown.</b> After {@link #shutDown()} adds are ignored and {@code take} returns
 *       {@code null} at once; queued keys are abandoned.</li>
 * </ul>
 *
 * <p>All methods take one lock; none blocks except {@link #take}.
 *
 * @param <K> the key type; must have value equality
 */
public final class WorkQueue<K> {
    /** First retry delay after a failure. */
    public static final long BASE_BACKOFF_MILLIS = 50;
    /** Longest retry delay: 50 ms doubled 8 times is 12.8 s, capped here. */
    public static final long MAX_BACKOFF_MILLIS = 10_000;
    /** Default bound on distinct queued (and, separately, delayed) keys. */
    public static final int DEFAULT_MAX_KEYS = 100_000;

    private final Ticker ticker;
    private final int maxKeys;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    /** Keys ready to hand out, FIFO; always a subset of {@link #dirty} not in {@link #processing}. */
    private final ArrayDeque<K> queue = new ArrayDeque<>();
    /** Keys that need a reconcile (queued, or added while processing). */
    private final Set<K> dirty = new HashSet<>();
    /** Keys currently handed out to a worker. */
    private final Set<K> processing = new HashSet<>();
    /** Delayed keys: earliest due time per key, and the same entries ordered by due time. */
    private final Map<K, Delayed<K>> waitingByKey = new HashMap<>();
    private final TreeSet<Delayed<K>> waiting = new TreeSet<>();
    /** Consecutive failures per key, for {@link #addRateLimited}. */
    private final Map<K, Integer> failures = new HashMap<>();
    private long sequence;
    private long dropped;
    private boolean shuttingDown;

    private record Delayed<K>(long dueNanos, long sequence, K key) implements Comparable<Delayed<K>> {
        @Override
        public int compareTo(Delayed<K> o) {
            int c = Long.compare(dueNanos - o.dueNanos, 0); // overflow-safe nanoTime comparison
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    public WorkQueue() {
        this(Ticker.system(), DEFAULT_MAX_KEYS);
    }

    /**
     * @param ticker time source for delays and backoff
     * @param maxKeys bound on distinct queued keys and on distinct delayed keys (at least 1)
     */
    public WorkQueue(Ticker ticker, int maxKeys) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be at least 1, got " + maxKeys);
        }
        this.maxKeys = maxKeys;
    }

    /**
     * Marks {@code key} as needing a reconcile.
     *
     * @return false if the key was refused because the queue holds {@code maxKeys} keys already
     *         (also false after shutdown); true if it is (now or already) queued or dirty
     */
    public boolean add(K key) {
        Objects.requireNonNull(key, "key");
        lock.lock();
        try {
            return addLocked(key);
        } finally {
            lock.unlock();
        }
    }

    private boolean addLocked(K key) {
        if (shuttingDown) {
            return false;
        }
        if (dirty.contains(key)) {
            return true;
        }
        if (dirty.size() >= maxKeys) {
            dropped++;
            return false;
        }
        dirty.add(key);
        if (!processing.contains(key)) {
            queue.addLast(key);
            changed.signal();
        }
        return true;
    }

    /**
     * Adds {@code key} once {@code delay} has passed; a zero or negative delay adds at once. If the key
     * already has a pending delay, the earlier due time is kept.
     *
     * @return false if refused (shut down, or {@code maxKeys} keys delayed already)
     */
    public boolean addAfter(K key, Duration delay) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative() || delay.isZero()) {
            return add(key);
        }
        lock.lock();
        try {
            if (shuttingDown) {
                return false;
            }
            long due = ticker.nanoTime() + saturatedNanos(delay);
            Delayed<K> existing = waitingByKey.get(key);
            if (existing != null) {
                if (due - existing.dueNanos >= 0) {
                    return true;
                }
                waiting.remove(existing);
            } else if (waitingByKey.size() >= maxKeys) {
                dropped++;
                return false;
            }
            Delayed<K> entry = new Delayed<>(due, sequence++, key);
            waitingByKey.put(key, entry);
            waiting.add(entry);
            changed.signalAll(); // a taker may be sleeping until a later due time
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Adds {@code key} after its current backoff delay, then doubles that delay (capped). */
    public boolean addRateLimited(K key) {
        return addAfter(key, nextBackoff(key));
    }

    /**
     * The delay {@link #addRateLimited} would use now for {@code key}, recording one more failure.
     * Exposed for tests and logs.
     */
    Duration nextBackoff(K key) {
        lock.lock();
        try {
            int n = failures.getOrDefault(key, 0);
            if (failures.containsKey(key) || failures.size() < maxKeys) {
                failures.put(key, n + 1);
            } else {
                n = 31; // table full: treat an untracked key as maximally backed off
            }
            return Duration.ofMillis(backoffMillis(n));
        } finally {
            lock.unlock();
        }
    }

    /** The backoff for the {@code failures}-th consecutive failure (0-based): 50 ms * 2^n, at most 10 s. */
    public static long backoffMillis(int failures) {
        int exponent = Math.min(Math.max(failures, 0), 20); // 50 ms * 2^20 is far above the cap
        return Math.min(BASE_BACKOFF_MILLIS << exponent, MAX_BACKOFF_MILLIS);
    }

    /** Resets the backoff of {@code key} (call after a successful reconcile). */
    public void forget(K key) {
        lock.lock();
        try {
            failures.remove(key);
        } finally {
            lock.unlock();
        }
    }

    /** Consecutive failures recorded for {@code key} since the last {@link #forget}. */
    public int failures(K key) {
        lock.lock();
        try {
            return failures.getOrDefault(key, 0);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Hands out the next key, waiting up to {@code timeout} for one. The caller must call
     * {@link #done} with it when finished (in a {@code finally}).
     *
     * @return the key, or null on timeout or after {@link #shutDown()}
     */
    public K take(Duration timeout) throws InterruptedException {
        long remaining = saturatedNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (true) {
                if (shuttingDown) {
                    return null;
                }
                long untilNextDue = moveDueLocked();
                K key = queue.pollFirst();
                if (key != null) {
                    dirty.remove(key);
                    processing.add(key);
                    return key;
                }
                if (remaining <= 0) {
                    return null;
                }
                long wait = Math.min(remaining, untilNextDue);
                long left = changed.awaitNanos(wait);
                remaining -= wait - Math.max(left, 0);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Moves due delayed keys into the queue; returns nanos until the next one is due (or MAX_VALUE). */
    private long moveDueLocked() {
        if (waiting.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long now = ticker.nanoTime();
        while (!waiting.isEmpty()) {
            Delayed<K> first = waiting.first();
            long until = first.dueNanos - now;
            if (until > 0) {
                return until;
            }
            waiting.pollFirst();
            waitingByKey.remove(first.key);
            addLocked(first.key);
        }
        return Long.MAX_VALUE;
    }

    /** Marks {@code key} finished; if it was added while processing, it is queued again now. */
    public void done(K key) {
        lock.lock();
        try {
            if (processing.remove(key) && dirty.contains(key) && !shuttingDown) {
                queue.addLast(key);
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops the queue: further adds are ignored and every {@link #take} returns null. */
    public void shutDown() {
        lock.lock();
        try {
            shuttingDown = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public boolean isShutDown() {
        lock.lock();
        try {
            return shuttingDown;
        } finally {
            lock.unlock();
        }
    }

    /** Keys ready to be taken now (not counting delayed or processing keys). */
    public int size() {
        lock.lock();
        try {
            moveDueLocked();
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Keys waiting for a delay to pass. */
    public int delayedSize() {
        lock.lock();
        try {
            return waitingByKey.size();
        } finally {
            lock.unlock();
        }
    }

    /** Keys currently handed out and not yet {@link #done}. */
    public int processingSize() {
        lock.lock();
        try {
            return processing.size();
        } finally {
            lock.unlock();
        }
    }

    /** How many adds were refused because a bound was reached. */
    public long droppedCount() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** Longest delay honoured (one year): keeps {@code now + delay} far from overflowing a long. */
    private static final long MAX_DELAY_NANOS = TimeUnit.DAYS.toNanos(365);

    private static long saturatedNanos(Duration d) {
        if (d.isNegative()) {
            return 0;
        }
        return d.compareTo(Duration.ofNanos(MAX_DELAY_NANOS)) > 0 ? MAX_DELAY_NANOS : d.toNanos();
    }
}
