package io.lcs.reconcilers.runtime;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReconcileRunnerTest {
    private record Call(String key, Throwable error) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final ReconcileObserver<String> observer = (name, key, took, error) -> calls.add(new Call(key, error));
    private ReconcileRunner<String> runner;

    @AfterEach
    void close() {
        if (runner != null) {
            assertTrue(runner.close(Duration.ofSeconds(5)), "workers did not stop");
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void failingKeyIsRetriedWithBackoffUntilItSucceedsThenForgotten() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        runner = ReconcileRunner.<String>builder("vip", key -> {
            if (attempts.incrementAndGet() <= 3) {
                throw new IllegalStateException("not yet");
            }
            return Result.done();
        }).observer(observer).build();
        runner.start();
        long start = System.nanoTime();
        runner.enqueue("web");
        await(() -> calls.size() == 4, "4 reconcile calls");
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMillis >= 50 + 100 + 200 - 5, "backoff 50+100+200 ms not honoured: " + tookMillis + " ms");
        assertInstanceOf(IllegalStateException.class, calls.get(0).error());
        assertNull(calls.get(3).error());
        assertEquals(0, runner.queue().failures("web"));
        // positive marker: the one worker reconciles a key added after web's last call only once it is
        // done with web; then no retry of web may be scheduled
        runner.enqueue("marker");
        await(() -> calls.stream().anyMatch(c -> c.key().equals("marker")), "the marker key");
        assertEquals(0, runner.queue().delayedSize(), "a converged key has no retry scheduled");
        assertEquals(4, calls.stream().filter(c -> c.key().equals("web")).count(), "a converged key is not retried");
    }

    @Test
    void terminalErrorStopsRetriesUntilTheKeyIsAddedAgain() throws Exception {
        runner = ReconcileRunner.<String>builder("vip", key -> {
            throw new TerminalReconcileException("interface eth9 does not exist");
        }).observer(observer).build();
        runner.start();
        runner.enqueue("web");
        await(() -> calls.size() == 1, "first call");
        runner.enqueue("marker"); // positive marker: the one worker is done with web once it reconciled this
        await(() -> calls.size() == 2, "the marker key");
        assertEquals(0, runner.queue().delayedSize(), "no retry of a terminal error is scheduled");
        assertEquals(1, calls.stream().filter(c -> c.key().equals("web")).count());
        assertInstanceOf(TerminalReconcileException.class, calls.get(0).error());
        runner.enqueue("web");
        await(() -> calls.size() == 3, "call after a new add");
    }

    @Test
    void requeueAfterReconcilesAgainWithoutCountingAFailure() throws Exception {
        AtomicInteger n = new AtomicInteger();
        runner = ReconcileRunner.<String>builder("lease", key ->
                n.incrementAndGet() < 3 ? Result.requeueAfter(Duration.ofMillis(20)) : Result.done())
                .observer(observer).build();
        runner.start();
        runner.enqueue("web");
        await(() -> calls.size() == 3, "3 calls");
        assertTrue(calls.stream().allMatch(c -> c.error() == null));
        assertEquals(0, runner.queue().failures("web"));
    }

    @Test
    void resyncReAddsEveryKeyPeriodically() throws Exception {
        Map<String, AtomicInteger> perKey = new ConcurrentHashMap<>();
        runner = ReconcileRunner.<String>builder("vip", key -> {
            perKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            return Result.done();
        }).resync(Duration.ofMillis(30), () -> List.of("a", "b")).build();
        runner.start();
        await(() -> perKey.getOrDefault("a", new AtomicInteger()).get() >= 3
                && perKey.getOrDefault("b", new AtomicInteger()).get() >= 3, "3 resyncs of a and b");
        assertEquals(Set.of("a", "b"), perKey.keySet());
    }

    @Test
    void resyncSupplierThatThrowsDoesNotStopTheRunner() throws Exception {
        AtomicInteger supplied = new AtomicInteger();
        runner = ReconcileRunner.<String>builder("vip", key -> Result.done())
                .resync(Duration.ofMillis(20), () -> {
                    if (supplied.incrementAndGet() == 1) {
                        throw new IllegalStateException("store not ready");
                    }
                    return List.of("a");
                }).observer(observer).build();
        runner.start();
        await(() -> calls.size() >= 2, "reconciles after a failed resync");
    }

    @Test
    void workersAreNamedDaemonThreadsAndOneKeyNeverRunsOnTwoAtOnce() throws Exception {
        Set<String> names = ConcurrentHashMap.newKeySet();
        Set<String> inFlight = ConcurrentHashMap.newKeySet();
        AtomicInteger violations = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        runner = ReconcileRunner.<String>builder("hook", key -> {
            names.add(Thread.currentThread().getName() + (Thread.currentThread().isDaemon() ? "/daemon" : ""));
            if (!inFlight.add(key)) {
                violations.incrementAndGet();
            }
            Thread.sleep(1);
            inFlight.remove(key);
            done.incrementAndGet();
            return Result.done();
        }).workers(4).build();
        runner.start();
        for (int round = 0; round < 100; round++) {
            for (int k = 0; k < 4; k++) {
                runner.enqueue("k" + k);
            }
            Thread.sleep(1);
        }
        await(() -> runner.queue().size() == 0 && runner.queue().processingSize() == 0, "queue drained");
        assertEquals(0, violations.get());
        assertTrue(done.get() >= 4);
        assertTrue(names.stream().allMatch(n -> n.matches("lcs-reconcile-hook-[0-3]/daemon")), names.toString());
    }

    @Test
    void closeWaitsABoundedTimeForABusyWorker() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        runner = ReconcileRunner.<String>builder("vip", key -> {
            entered.countDown();
            Thread.sleep(60_000); // interrupted by close
            return Result.done();
        }).build();
        runner.start();
        runner.enqueue("web");
        assertTrue(entered.await(5, TimeUnit.SECONDS));
        long start = System.nanoTime();
        assertFalse(runner.close(Duration.ofMillis(100)), "the worker was busy past the timeout");
        assertTrue(System.nanoTime() - start < 2_000_000_000L);
        // the interrupt ends the sleeping reconcile, then the worker exits
        assertTrue(runner.close(Duration.ofSeconds(5)));
        runner = null;
    }

    @Test
    void observerThatThrowsIsIgnored() throws Exception {
        AtomicInteger n = new AtomicInteger();
        runner = ReconcileRunner.<String>builder("vip", key -> {
            n.incrementAndGet();
            return Result.done();
        }).observer((name, key, took, error) -> {
            throw new IllegalStateException("metrics broken");
        }).build();
        runner.start();
        runner.enqueue("a");
        runner.enqueue("b");
        await(() -> n.get() == 2, "both keys reconciled");
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ReconcileRunner.builder("Bad Name", k -> Result.done()));
        assertThrows(IllegalArgumentException.class, () -> ReconcileRunner.builder("vip", k -> Result.done()).workers(0));
        assertThrows(IllegalArgumentException.class,
                () -> ReconcileRunner.<String>builder("vip", k -> Result.done()).resync(Duration.ZERO, List::of));
        assertThrows(IllegalArgumentException.class, () -> Result.requeueAfter(Duration.ZERO));
    }
}
