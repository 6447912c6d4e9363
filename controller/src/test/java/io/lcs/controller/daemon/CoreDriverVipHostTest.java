package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.core.ClusterCore;
import io.lcs.core.CoreConfig;
import io.lcs.core.Views.LeaseView;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.vip.VipHost;
import io.lcs.reconcilers.vip.VipReconciler;
import io.lcs.reconcilers.vip.VipSpec;
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
 * {@link CoreDriver#vipHost()}: the VIP reconciler's port, adapted from the core's views. A
 * one-node cluster driven by hand (no timers), monotonic time injected.
 */
class CoreDriverVipHostTest {
    private static final long LEASE_MILLIS = 2_000;
    private final Vertx vertx = Vertx.vertx();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final VipSpec web = new VipSpec("web", Cidr.parse("198.18.0.100/24"), "eth0", List.of(), null, null, null,
            null, "config", 0);
    private final CoreDriver driver;

    CoreDriverVipHostTest() {
        CoreConfig cfg = CoreConfig.defaults("a", List.of(new CoreConfig.Member("a", true)), 1L, LEASE_MILLIS, 500);
        ClusterCore core = new ClusterCore(cfg, List.of(), Map.of(), now.get(), new SecureRandom());
        driver = new CoreDriver(vertx, vertx.getOrCreateContext(), core, (o, f, e) -> { }, (p, b) -> true,
                new EventLog(Clock.systemUTC(), "a"), List.of(web), now::get, System::currentTimeMillis);
    }

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void reconcilerSeesTheLeaseTheCoreGrantedWithItsEpochAndRemainingTime() {
        // past the restart wait: the only node has quorum, wants the VIP and takes its lease
        for (int i = 0; i < 200 && !driver.snapshot().lease("web").held(); i++) {
            now.addAndGet(25_000_000L);
            driver.tick();
        }
        NodeSnapshot published = driver.snapshot();
        LeaseView core = published.lease("web");
        assertTrue(core.held() && core.wanted() && core.heldEpoch() >= 1, core.toString());

        VipHost.Snapshot seen = driver.vipHost().snapshot();
        VipHost.Lease lease = seen.lease("web");

        assertEquals(new VipHost.Lease(true, true, core.heldEpoch(), core.heldRemainingNanos(), core.highestEpoch()),
                lease);
        assertEquals(published.takenAtNanos(), seen.takenAtNanos());
        assertSame(web, seen.vip("web"));
        assertEquals(List.of(web), seen.vips());
        assertEquals(new VipHost.Lease(false, false, 0, 0, 0), seen.lease("unknown"), "an unknown VIP is not held");
    }

    @Test
    void conflictWrittenThroughThePortIsReplicatedAndShowsInTheNextSnapshot() throws Exception {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("apiVersion", "lcs/v1").put("kind", VipReconciler.CONFLICT_KIND);
        body.putObject("metadata").put("name", "web");
        body.putObject("spec").put("vip", "web").put("epoch", 4).put("node", "a").put("reason", "test")
                .put("address", "198.18.0.100/24");

        VipHost.WriteOutcome outcome = driver.vipHost()
                .write(new VipHost.Put(new ObjectKey(VipReconciler.CONFLICT_KIND, "web"), body))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertTrue(outcome.succeeded(), outcome.toString());
        // the snapshot is published on the driver's context after the write completed there
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (driver.vipHost().snapshot().conflicts().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(Map.of("web", 4L), driver.vipHost().snapshot().conflicts());
    }
}
