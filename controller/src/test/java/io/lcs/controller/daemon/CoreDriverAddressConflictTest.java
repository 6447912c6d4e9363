package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.core.ClusterCore;
import io.lcs.core.CoreConfig;
import io.lcs.core.WriteOp;
import io.lcs.core.WriteResult;
import io.lcs.model.api.Condition;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectMeta;
import io.lcs.model.api.ObjectVersion;
import io.lcs.model.api.StoredObject;
import io.lcs.model.api.VirtualIP;
import io.lcs.model.codec.LcsJson;
import io.lcs.model.net.Cidr;
import io.lcs.model.status.ClusterEvent;
import io.lcs.model.status.ClusterStatus;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.lcs.reconcilers.vip.VipSpec;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two VIPs with one IP in the desired state (two nodes accepted them at once, or an older node
 * did): the driver keeps the one created first and holds the other out of placement, visibly, until
 * the clash is gone. A one-node cluster driven by hand on its context.
 */
class CoreDriverAddressConflictTest {
    private static final long LEASE_MILLIS = 2_000;
    private final Vertx vertx = Vertx.vertx();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final EventLog events = new EventLog(Clock.systemUTC(), "a");
    private Context ctx;
    private CoreDriver driver;

    @AfterEach
    void close() {
        vertx.close();
    }

    private static StoredObject apiVip(String name, String address, String created, long counter) {
        ObjectNode body = LcsJson.json().valueToTree(VirtualIP.of(ObjectMeta.named(name),
                new VirtualIP.Spec(address, "eth0", null, null)));
        body.with("metadata").put("version", counter).put("generation", 1).put("creationTimestamp", created);
        return new StoredObject(new ObjectKey(VirtualIP.KIND, name), new ObjectVersion(counter, "a"), false, body);
    }

    private static StoredObject apiService(String name, String unit, String created, long counter) {
        ObjectNode body = LcsJson.json().valueToTree(io.lcs.model.api.Service.of(ObjectMeta.named(name),
                new io.lcs.model.api.Service.Spec(unit)));
        body.with("metadata").put("version", counter).put("generation", 1).put("creationTimestamp", created);
        return new StoredObject(new ObjectKey(io.lcs.model.api.Service.KIND, name), new ObjectVersion(counter, "a"), false,
                body);
    }

    /** Two Services naming one unit slipped through (accepted at once on two nodes): one runs it, never both. */
    @Test
    void theServiceCreatedFirstKeepsTheUnitAndTheOtherIsHeldOut() throws Exception {
        CoreConfig cfg = CoreConfig.defaults("a", List.of(new CoreConfig.Member("a", true)), 1L, LEASE_MILLIS, 500);
        ClusterCore core = new ClusterCore(cfg, List.of(
                apiService("a-newer", "x.service", "2025-01-02T00:00:00Z", 1),
                apiService("b-older", "x.service", "2025-01-01T00:00:00Z", 1)), Map.of(), now.get(), new SecureRandom());
        ctx = vertx.getOrCreateContext();
        driver = onContext(() -> new CoreDriver(vertx, ctx, core, (o, f, e) -> { }, (p, b) -> true, events,
                List.of(), now::get, System::currentTimeMillis));

        assertTrue(tickUntilWanted("b-older"), "the Service created first is placed");
        for (int i = 0; i < 20; i++) {
            now.addAndGet(25_000_000L);
            onContext(() -> {
                driver.tick();
                return null;
            });
            assertFalse(onContext(() -> core.lease("a-newer", now.get()).wanted()), "the newcomer was placed");
        }
        NodeSnapshot s = driver.snapshot();
        assertEquals(Map.of("a-newer", "b-older"), s.addressConflicts());
        ClusterStatus.VipStatus newer = new StatusView("c", "v", Clock.systemUTC()).status(s, now.get()).vips()
                .stream().filter(v -> v.name().equals("a-newer")).findFirst().orElseThrow();
        assertEquals("conflict", newer.state());
        assertEquals("UnitConflict", newer.conditions().get(0).type());
        assertTrue(newer.conditions().get(0).message().contains("unit x.service is also Service b-older's"),
                newer.conditions().get(0).message());
        assertEquals(1, events.after(0, 100).stream().filter(e -> e.type().equals("UnitConflict")
                && e.object().equals("Service/a-newer")).count());
    }

    private <T> T onContext(Callable<T> action) throws Exception {
        return OnContext.call(ctx, action);
    }

    /** Ticks (25 ms apart, bounded) until {@code vip}'s lease is wanted here. */
    private boolean tickUntilWanted(String vip) throws Exception {
        return OnContext.tickUntil(ctx, driver, now, () -> driver.core().lease(vip, now.get()).wanted());
    }

    @Test
    void theVipCreatedFirstKeepsTheIpAndTheOtherIsHeldOutVisiblyUntilTheClashIsGone() throws Exception {
        CoreConfig cfg = CoreConfig.defaults("a", List.of(new CoreConfig.Member("a", true)), 1L, LEASE_MILLIS, 500);
        ClusterCore core = new ClusterCore(cfg, List.of(
                apiVip("newer", "198.18.0.50/24", "2025-01-02T00:00:00Z", 1),
                apiVip("older", "198.18.0.50/32", "2025-01-01T00:00:00Z", 1)), Map.of(), now.get(), new SecureRandom());
        ctx = vertx.getOrCreateContext();
        driver = onContext(() -> new CoreDriver(vertx, ctx, core, (o, f, e) -> { }, (p, b) -> true, events,
                List.of(), now::get, System::currentTimeMillis));

        assertTrue(tickUntilWanted("older"), "the VIP created first is placed");
        for (int i = 0; i < 20; i++) { // and the newcomer is never wanted, however long we look
            now.addAndGet(25_000_000L);
            onContext(() -> {
                driver.tick();
                return null;
            });
            assertFalse(onContext(() -> core.lease("newer", now.get()).wanted()), "the newcomer was placed");
        }
        NodeSnapshot s = driver.snapshot();
        assertEquals(Map.of("newer", "older"), s.addressConflicts());
        assertEquals(List.of("newer", "older"), s.vips().stream().map(VipSpec::name).sorted().toList(),
                "both stay visible");

        ClusterStatus.VipStatus newer = new StatusView("c", "v", Clock.systemUTC()).status(s, now.get()).vips()
                .stream().filter(v -> v.name().equals("newer")).findFirst().orElseThrow();
        assertEquals("conflict", newer.state());
        Condition c = newer.conditions().get(0);
        assertEquals("AddressConflict", c.type());
        assertEquals(Condition.TRUE, c.status());
        assertTrue(c.message().contains("is also VirtualIP older's, which keeps it"), c.message());
        assertEquals(1, events.after(0, 100).stream().filter(e -> e.type().equals("AddressConflict")
                && e.object().equals("VirtualIP/newer")).count(), "one event when the clash is seen");

        WriteResult deleted = onContext(() -> driver.write(new WriteOp.Delete(new ObjectKey(VirtualIP.KIND, "older"))))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(WriteResult.Outcome.DELETED, deleted.outcome());
        assertTrue(tickUntilWanted("newer"), "once the keeper is gone the other VIP is placed");
        assertEquals(Map.of(), driver.snapshot().addressConflicts());
        List<ClusterEvent> all = events.after(0, 100);
        assertTrue(all.stream().anyMatch(e -> e.type().equals("AddressConflictResolved")), all.toString());
        assertEquals(Cidr.parse("198.18.0.50/24"), driver.snapshot().vip("newer").address());
    }
}
