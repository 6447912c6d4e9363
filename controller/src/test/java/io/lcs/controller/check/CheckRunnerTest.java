package io.lcs.controller.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.config.CheckConfig;
import io.lcs.model.wire.Message.CheckReport;
import io.lcs.reconcilers.runtime.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class CheckRunnerTest {
    static CheckConfig check(String name, int fall) {
        return new CheckConfig(name, CheckConfig.Type.TCP, null, 0, List.of(), "127.0.0.1", 1, null, 100, 100, fall, 1,
                0, 0);
    }

    private final List<List<CheckReport>> published = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> skipped = new ConcurrentHashMap<>();
    private final CheckRunner.Listener listener = new CheckRunner.Listener() {
        @Override
        public void ran(String check, long tookNanos, boolean passed) {
        }

        @Override
        public void skipped(String check, String reason) {
            skipped.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet();
        }
    };

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void resultsArePublishedOnlyWhenWhatTheNodeReportsChanges() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        AtomicInteger runs = new AtomicInteger();
        try (CheckRunner runner = new CheckRunner(c -> {
            runs.incrementAndGet();
            return new CheckOutcome(healthy.get(), healthy.get() ? "connected" : "connection refused", null, 1000);
        }, published::add, listener, Ticker.system())) {
            runner.apply(List.of(check("web", 2)));
            await(() -> !published.isEmpty() && published.get(published.size() - 1).get(0).passing(), "web passes");
            int before = published.size();
            int runsBefore = runs.get();
            await(() -> runs.get() >= runsBefore + 3, "three more runs");
            assertEquals(before, published.size(), "the same result again publishes nothing");
            healthy.set(false);
            await(() -> !published.get(published.size() - 1).get(0).passing(), "web fails after fall = 2");
            CheckReport last = published.get(published.size() - 1).get(0);
            assertEquals("failing 2/2: connection refused", last.summary());
            runner.apply(List.of());
            await(() -> published.get(published.size() - 1).isEmpty(), "a removed check is no longer reported");
        }
    }

    @Test
    void runsBeyondTheConcurrencyLimitAreSkippedAndCounted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger inside = new AtomicInteger();
        try (CheckRunner runner = new CheckRunner(c -> {
            inside.incrementAndGet();
            release.await(10, TimeUnit.SECONDS);
            inside.decrementAndGet();
            return new CheckOutcome(true, "ok", null, 0);
        }, published::add, listener, Ticker.system())) {
            List<CheckConfig> checks = new ArrayList<>();
            for (int i = 0; i <= CheckRunner.MAX_CONCURRENT_CHECKS; i++) {
                checks.add(check("c" + i, 1));
            }
            runner.apply(checks);
            await(() -> skipped.containsKey("concurrency"), "a run finds every worker busy");
            assertEquals(CheckRunner.MAX_CONCURRENT_CHECKS, inside.get(), "never more than the limit at once");
            await(() -> skipped.containsKey("still_running"), "a check whose run has not ended skips its next");
            release.countDown();
        }
    }

    @Test
    void outputTailKeepsTheLastLinesWithinTheCap() {
        assertEquals("3\n4\n5\n6\n7", CheckRunner.tail("1\n2\n3\n4\n5\n6\n7\n"));
        assertEquals(CheckRunner.OUTPUT_TAIL_BYTES, CheckRunner.tail("x".repeat(5000)).length());
        assertEquals(null, CheckRunner.tail("  \n"));
        assertTrue(CheckRunner.tail("only").equals("only"));
    }
}
