package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Runs a test step on a driver's context and waits for it (10 s at most), as the driver's own calls run. */
final class OnContext {
    private OnContext() {
    }

    static <T> T call(Context ctx, Callable<T> action) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> error = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        ctx.runOnContext(v -> {
            try {
                result.set(action.call());
            } catch (Exception e) {
                error.set(e);
            } finally {
                done.countDown();
            }
        });
        assertTrue(done.await(10, TimeUnit.SECONDS), "the context did not run the step within 10 s");
        if (error.get() != null) {
            throw error.get();
        }
        return result.get();
    }

    /**
     * Ticks {@code driver} by hand on {@code ctx}, advancing {@code now} 25 ms each time, until
     * {@code done} (run on the context) holds; at most 400 ticks. Whether it held.
     */
    static boolean tickUntil(Context ctx, CoreDriver driver, java.util.concurrent.atomic.AtomicLong now,
                             Callable<Boolean> done) throws Exception {
        for (int i = 0; i < 400; i++) {
            if (call(ctx, done)) {
                return true;
            }
            now.addAndGet(25_000_000L);
            call(ctx, () -> {
                driver.tick();
                return null;
            });
        }
        return false;
    }
}
