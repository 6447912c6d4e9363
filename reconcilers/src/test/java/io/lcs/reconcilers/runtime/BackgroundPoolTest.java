package io.lcs.reconcilers.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BackgroundPoolTest {

    /** A task that runs until {@code gate} opens (or it is interrupted). */
    private static Runnable blocked(CountDownLatch started, CountDownLatch gate, AtomicBoolean interrupted) {
        return () -> {
            started.countDown();
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        };
    }

    @Test
    void aFullQueueRefusesTheTaskAndCountsItByKind() throws Exception {
        BackgroundPool pool = new BackgroundPool("test", 1, 1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        try {
            pool.execute(BackgroundPool.task("post_start", "vip a post_start", blocked(started, gate, new AtomicBoolean())));
            assertTrue(started.await(5, TimeUnit.SECONDS));
            pool.execute(BackgroundPool.task("post_stop", "vip b post_stop", () -> { })); // waits in the queue
            RejectedExecutionException e = assertThrows(RejectedExecutionException.class,
                    () -> pool.execute(BackgroundPool.task("post_stop", "vip c post_stop", () -> { })));
            assertTrue(e.getMessage().contains("vip c post_stop"), e.getMessage());
            assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
            assertEquals(1, pool.rejected("post_stop"));
            assertEquals(1, pool.rejected("other"));
            assertEquals(0, pool.rejected("post_start"));
        } finally {
            gate.countDown();
            pool.drain(Duration.ofSeconds(5));
        }
    }

    @Test
    void drainLetsQueuedTasksFinishWithinTheBudget() throws Exception {
        BackgroundPool pool = new BackgroundPool("test", 1, 10);
        CountDownLatch ran = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            pool.execute(BackgroundPool.task("post_stop", "vip v" + i + " post_stop", ran::countDown));
        }
        assertEquals(List.of(), pool.drain(Duration.ofSeconds(5)));
        assertEquals(0, ran.getCount(), "every queued hook ran");
    }

    @Test
    void drainCutsWhatOutlivesTheBudgetAndNamesIt() throws Exception {
        BackgroundPool pool = new BackgroundPool("test", 1, 10);
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean queuedRan = new AtomicBoolean();
        pool.execute(BackgroundPool.task("post_stop", "vip a post_stop", blocked(started, new CountDownLatch(1), interrupted)));
        pool.execute(BackgroundPool.task("post_stop", "vip b post_stop", () -> queuedRan.set(true)));
        assertTrue(started.await(5, TimeUnit.SECONDS));

        List<String> cut = pool.drain(Duration.ofMillis(100));

        assertEquals(List.of("vip a post_stop (interrupted)", "vip b post_stop (never started)"), cut);
        assertTrue(interrupted.get(), "the running hook was interrupted (its process group is killed)");
        assertTrue(!queuedRan.get());
        assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }), "stopped");
    }
}
