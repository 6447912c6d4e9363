package io.lcs.reconcilers.runtime;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkQueueTest {
    private final ManualTicker ticker = new ManualTicker();
    private final WorkQueue<String> queue = new WorkQueue<>(ticker, 100);

    @Test
    void addingAQueuedKeyAgainQueuesItOnce() throws Exception {
        queue.add("a");
        queue.add("b");
        queue.add("a");
        assertEquals(2, queue.size());
        assertEquals("a", queue.take(Duration.ZERO));
        assertEquals("b", queue.take(Duration.ZERO));
        assertNull(queue.take(Duration.ZERO));
    }

    @Test
    void keyAddedWhileProcessingIsHandedOutAgainOnlyAfterDone() throws Exception {
        queue.add("a");
        assertEquals("a", queue.take(Duration.ZERO));
        queue.add("a");
        queue.add("a");
        assertNull(queue.take(Duration.ZERO), "a key being processed must not go to a second worker");
        assertEquals(0, queue.size());
        queue.done("a");
        assertEquals(1, queue.size(), "re-queued exactly once");
        assertEquals("a", queue.take(Duration.ZERO));
        queue.done("a");
        assertNull(queue.take(Duration.ZERO));
    }

    @Test
    void doneWithoutReAddDoesNotRequeue() throws Exception {
        queue.add("a");
        queue.take(Duration.ZERO);
        queue.done("a");
        assertEquals(0, queue.size());
    }

    @Test
    void delayedKeyBecomesReadyOnlyWhenTickerPassesTheDelay() throws Exception {
        queue.addAfter("a", Duration.ofMillis(100));
        assertNull(queue.take(Duration.ZERO));
        ticker.advance(Duration.ofMillis(99));
        assertNull(queue.take(Duration.ZERO));
        assertEquals(1, queue.delayedSize());
        ticker.advance(Duration.ofMillis(1));
        assertEquals("a", queue.take(Duration.ZERO));
        assertEquals(0, queue.delayedSize());
    }

    @Test
    void earlierOfTwoDelaysForOneKeyWins() throws Exception {
        queue.addAfter("a", Duration.ofSeconds(5));
        queue.addAfter("a", Duration.ofSeconds(1));
        queue.addAfter("a", Duration.ofSeconds(3));
        assertEquals(1, queue.delayedSize());
        ticker.advance(Duration.ofSeconds(1));
        assertEquals("a", queue.take(Duration.ZERO));
        queue.done("a");
        ticker.advance(Duration.ofSeconds(10));
        assertNull(queue.take(Duration.ZERO), "the later delays were merged into the earlier one");
    }

    @Test
    void backoffStartsAt50msDoublesAndCapsAt10s() {
        long[] expected = {50, 100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Duration.ofMillis(expected[i]), queue.nextBackoff("a"), "failure #" + (i + 1));
        }
        assertEquals(10_000, WorkQueue.backoffMillis(Integer.MAX_VALUE));
        assertEquals(expected.length, queue.failures("a"));
    }

    @Test
    void rateLimitedAddWaitsTheBackoff() throws Exception {
        queue.addRateLimited("a"); // 50 ms
        ticker.advance(Duration.ofMillis(49));
        assertNull(queue.take(Duration.ZERO));
        ticker.advance(Duration.ofMillis(1));
        assertEquals("a", queue.take(Duration.ZERO));
        queue.done("a");
        queue.addRateLimited("a"); // 100 ms
        ticker.advance(Duration.ofMillis(99));
        assertNull(queue.take(Duration.ZERO));
        ticker.advance(Duration.ofMillis(1));
        assertEquals("a", queue.take(Duration.ZERO));
    }

    @Test
    void forgetResetsTheBackoff() {
        queue.nextBackoff("a");
        queue.nextBackoff("a");
        queue.nextBackoff("a");
        queue.forget("a");
        assertEquals(0, queue.failures("a"));
        assertEquals(Duration.ofMillis(50), queue.nextBackoff("a"));
    }

    @Test
    void keysBeyondTheBoundAreRefusedAndCounted() {
        WorkQueue<Integer> small = new WorkQueue<>(ticker, 3);
        assertTrue(small.add(1));
        assertTrue(small.add(2));
        assertTrue(small.add(3));
        assertTrue(small.add(3), "an already queued key is not a new key");
        assertFalse(small.add(4));
        assertEquals(3, small.size());
        assertEquals(1, small.droppedCount());
        assertTrue(small.addAfter(5, Duration.ofSeconds(1)));
        assertTrue(small.addAfter(6, Duration.ofSeconds(1)));
        assertTrue(small.addAfter(7, Duration.ofSeconds(1)));
        assertFalse(small.addAfter(8, Duration.ofSeconds(1)));
        assertEquals(2, small.droppedCount());
    }

    @Test
    void afterShutDownTakeReturnsNullAndAddsAreIgnored() throws Exception {
        queue.add("a");
        queue.shutDown();
        assertNull(queue.take(Duration.ofSeconds(5)));
        assertFalse(queue.add("b"));
        assertFalse(queue.addAfter("c", Duration.ofMillis(1)));
    }

    @Test
    void shutDownWakesABlockedTaker() throws Exception {
        AtomicReference<String> got = new AtomicReference<>("unset");
        Thread t = new Thread(() -> {
            try {
                got.set(queue.take(Duration.ofSeconds(30)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        Thread.sleep(50);
        long start = System.nanoTime();
        queue.shutDown();
        t.join(2_000);
        assertFalse(t.isAlive());
        assertNull(got.get());
        assertTrue(System.nanoTime() - start < 2_000_000_000L);
    }

    @Test
    void takeWakesUpWhenARealTimeDelayPasses() throws Exception {
        WorkQueue<String> real = new WorkQueue<>();
        long start = System.nanoTime();
        real.addAfter("a", Duration.ofMillis(80));
        assertEquals("a", real.take(Duration.ofSeconds(5)));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMillis >= 79 && tookMillis < 2_000, "took " + tookMillis + " ms");
    }

    @Test
    void takeTimesOutWhenNothingIsReady() throws Exception {
        long start = System.nanoTime();
        assertNull(queue.take(Duration.ofMillis(50)));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMillis >= 49 && tookMillis < 2_000, "took " + tookMillis + " ms");
    }

    @Test
    void noKeyIsEverHeldByTwoWorkersAtOnce() throws Exception {
        WorkQueue<Integer> shared = new WorkQueue<>();
        Set<Integer> inFlight = ConcurrentHashMap.newKeySet();
        AtomicInteger violations = new AtomicInteger();
        AtomicInteger processed = new AtomicInteger();
        long deadline = System.nanoTime() + 700_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            threads.add(new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int i = 0; i < 200_000 && System.nanoTime() < deadline; i++) {
                    shared.add(r.nextInt(8));
                }
            }));
        }
        for (int w = 0; w < 6; w++) {
            threads.add(new Thread(() -> {
                while (System.nanoTime() < deadline) {
                    Integer k;
                    try {
                        k = shared.take(Duration.ofMillis(10));
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (k == null) {
                        continue;
                    }
                    if (!inFlight.add(k)) {
                        violations.incrementAndGet();
                    }
                    Thread.onSpinWait();
                    inFlight.remove(k);
                    processed.incrementAndGet();
                    shared.done(k);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(5_000);
            assertFalse(t.isAlive());
        }
        assertEquals(0, violations.get(), "a key was handed to two workers at once");
        assertTrue(processed.get() > 8, "workers processed only " + processed.get() + " keys");
    }
}
