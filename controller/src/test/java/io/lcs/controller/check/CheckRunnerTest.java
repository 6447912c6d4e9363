package io.lcs.controller.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void checksBeyondTheConcurrencyLimitWaitForAWorkerAndEveryOneRuns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        int checks = CheckRunner.MAX_CONCURRENT_CHECKS * 2 + 1;
        try (CheckRunner runner = new CheckRunner(c -> {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
                release.await(10, TimeUnit.SECONDS);
            } finally {
                inside.decrementAndGet();
            }
            return new CheckOutcome(true, "ok", null, 0);
        }, published::add, listener, Ticker.system())) {
            List<CheckConfig> list = new ArrayList<>();
            for (int i = 0; i < checks; i++) {
                list.add(check("c" + i, 1));
            }
            runner.apply(list);
            await(() -> inside.get() == CheckRunner.MAX_CONCURRENT_CHECKS, "every worker busy");
            await(() -> skipped.containsKey("still_running"), "a check whose run has not ended skips its next");
            release.countDown();
            await(() -> !published.isEmpty() && published.get(published.size() - 1).size() == checks
                    && published.get(published.size() - 1).stream().allMatch(CheckReport::passing),
                    "all " + checks + " checks ran and pass, not only the first " + CheckRunner.MAX_CONCURRENT_CHECKS);
            assertEquals(CheckRunner.MAX_CONCURRENT_CHECKS, most.get(), "never more than the limit at once");
            assertEquals(null, skipped.get("concurrency"), "no run was dropped for want of a worker");
        }
    }

    @Test
    void aStartSkippedWhileTheRunWentOnIsMadeUpForAsSoonAsItEnds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Long> starts = new CopyOnWriteArrayList<>();
        long[] releasedAt = {0};
        CheckConfig slow = new CheckConfig("slow", CheckConfig.Type.TCP, null, 0, List.of(), "127.0.0.1", 1, null,
                3_000, 3_000, 1, 1, 0, 0);
        try (CheckRunner runner = new CheckRunner(c -> {
            starts.add(System.nanoTime());
            if (starts.size() == 1) {
                release.await(10, TimeUnit.SECONDS); // the first run outlasts the 3 s interval
            }
            return new CheckOutcome(true, "ok", null, 0);
        }, published::add, listener, Ticker.system())) {
            runner.apply(List.of(slow));
            await(() -> skipped.containsKey("still_running"), "the start at 3 s finds the first run going");
            releasedAt[0] = System.nanoTime();
            release.countDown();
            await(() -> starts.size() >= 2, "a second run");
            long afterMs = (starts.get(1) - releasedAt[0]) / 1_000_000;
            assertTrue(afterMs < 2_500, "the second run came when the first ended, not at the next tick (6 s, ~3 s"
                    + " after the release): " + afterMs + " ms after it");
        }
    }

    @Test
    void aCheckWhoseSettingsChangeReportsItsLastResultUntilItsFirstNewOne() throws Exception {
        CountDownLatch second = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        try (CheckRunner runner = new CheckRunner(c -> {
            if (runs.incrementAndGet() > 1) {
                second.await(10, TimeUnit.SECONDS); // the changed check's first run takes a while
            }
            return new CheckOutcome(true, "connected", null, 0);
        }, published::add, listener, Ticker.system())) {
            CheckConfig before = new CheckConfig("web", CheckConfig.Type.TCP, null, 0, List.of(), "127.0.0.1", 1,
                    null, 60_000, 5_000, 1, 1, 0, 0);
            runner.apply(List.of(before));
            await(() -> !published.isEmpty() && published.get(published.size() - 1).get(0).passing(), "web passes");
            int reports = published.size();
            runner.apply(List.of(new CheckConfig("web", CheckConfig.Type.TCP, null, 0, List.of(), "127.0.0.1", 1, null,
                    30_000, 5_000, 1, 1, 0, 0))); // a new interval: it starts over
            await(() -> runs.get() == 2, "the changed check runs");
            assertEquals(reports, published.size(), "nothing new reported meanwhile: still passing, not 'not run yet'");
            assertTrue(published.get(published.size() - 1).get(0).passing());
            runner.apply(List.of(new CheckConfig("web", CheckConfig.Type.TCP, null, 0, List.of(), "127.0.0.2", 1, null,
                    30_000, 5_000, 1, 1, 0, 0))); // another target: the last result says nothing of it
            CheckReport now = published.get(published.size() - 1).get(0);
            assertFalse(now.passing(), "not run yet against the new target: " + now);
            second.countDown();
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
