package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.core.ClusterCore;
import io.lcs.core.CoreConfig;
import io.lcs.core.WriteOp;
import io.lcs.core.WriteResult;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ResourceIntent;
import io.lcs.model.codec.LcsJson;
import io.lcs.model.status.ClusterEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code lcs stop} writes a ResourceIntent, {@code lcs start} and {@code lcs clear} delete it. The
 * deletion reaches the driver as a tombstone (no body): the driver must take it as "started again",
 * answer the write, and keep handling what follows. A one-node cluster driven by hand on its context.
 */
class CoreDriverResourceIntentTest {
    private final Vertx vertx = Vertx.vertx();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private Context ctx;
    private CoreDriver driver;
    private ClusterCore core;

    @AfterEach
    void close() {
        vertx.close();
    }

    private WriteResult write(WriteOp op) throws Exception {
        return OnContext.call(ctx, () -> driver.write(op)).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void startingAStoppedResourceDeletesItsIntentAnswersAndKeepsTheDriverGoing() throws Exception {
        CoreConfig cfg = CoreConfig.defaults("a", List.of(new CoreConfig.Member("a", true)), 1L, 2_000, 500);
        core = new ClusterCore(cfg, List.of(), Map.of(), now.get(), new SecureRandom());
        ctx = vertx.getOrCreateContext();
        EventLog events = new EventLog(Clock.systemUTC(), "a");
        driver = OnContext.call(ctx, () -> new CoreDriver(vertx, ctx, core, (o, f, e) -> { }, (p, b) -> true,
                events, List.of(), now::get, System::currentTimeMillis));
        assertTrue(OnContext.tickUntil(ctx, driver, now, core::hasQuorum), "a one-node cluster has quorum");

        ObjectNode stop = LcsJson.json().valueToTree(ResourceIntent.of("web", true, false));
        write(new WriteOp.Put(new ObjectKey(ResourceIntent.KIND, "web"), stop));
        assertTrue(OnContext.tickUntil(ctx, driver, now, () -> driver.snapshot().stopped().contains("web")),
                "stopped after the write");

        WriteResult started = write(new WriteOp.Delete(new ObjectKey(ResourceIntent.KIND, "web")));
        assertEquals(WriteResult.Outcome.DELETED, started.outcome());
        assertTrue(OnContext.tickUntil(ctx, driver, now, () -> !driver.snapshot().stopped().contains("web")),
                "started again after the deletion");
        assertEquals(0, driver.eventsFailed(), "the tombstone was handled without an internal error");
        List<String> types = events.after(0, 100).stream().map(ClusterEvent::type).toList();
        assertTrue(types.contains("Stopped") && types.contains("Started"), "events: " + types);

        // and the driver still answers writes after it
        ObjectNode again = LcsJson.json().valueToTree(ResourceIntent.of("web", false, true));
        write(new WriteOp.Put(new ObjectKey(ResourceIntent.KIND, "web"), again));
        assertTrue(OnContext.tickUntil(ctx, driver, now, () -> driver.snapshot().homeBlocked().contains("web")));
    }
}
