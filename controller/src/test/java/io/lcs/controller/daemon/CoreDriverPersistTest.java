package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.core.ClusterCore;
import io.lcs.core.CoreConfig;
import io.lcs.model.net.Cidr;
import io.lcs.model.wire.Ballot;
import io.lcs.model.wire.LeaseMessage;
import io.lcs.model.wire.Message;
import io.lcs.model.wire.WireCodec;
import io.lcs.reconcilers.vip.VipSpec;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The driver's persist-before-send rule under coalescing: the frames of one event-loop turn share
 * one drain, so one persist for all their new epochs, and every reply that depends on an epoch
 * leaves only after that persist returned.
 */
class CoreDriverPersistTest {
    private static final long LEASE_MILLIS = 2_000;
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    private static VipSpec vip(String name, String address) {
        return new VipSpec(name, Cidr.parse(address), "eth0", List.of(), null, null, null, null, "config", 0);
    }

    @Test
    void framesOfOneTurnArePersistedOnceAndEveryAcceptLeavesAfterThePersist() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        CoreConfig cfg = CoreConfig.defaults("a", List.of(new CoreConfig.Member("a", true),
                new CoreConfig.Member("b", true), new CoreConfig.Member("c", true)), 1L, LEASE_MILLIS, 500);
        ClusterCore core = new ClusterCore(cfg, List.of(), Map.of(), now.get(), new SecureRandom());
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        List<Map<String, Long>> persisted = Collections.synchronizedList(new ArrayList<>());
        Context ctx = vertx.getOrCreateContext();
        CoreDriver driver = new CoreDriver(vertx, ctx, core, (o, f, epochs) -> {
            if (!epochs.isEmpty()) {
                persisted.add(new TreeMap<>(epochs));
                log.add("persist");
            }
        }, (peer, frame) -> {
            try {
                if (WireCodec.decode(frame) instanceof Message.LeaseBatch || WireCodec.decode(frame)
                        instanceof Message.LeaseSets) {
                    log.add("send " + peer);
                }
            } catch (WireCodec.WireFormatException e) {
                throw new AssertionError(e);
            }
            return true;
        }, new EventLog(Clock.systemUTC(), "a"), List.of(vip("web", "198.18.0.100/24"), vip("db", "198.18.0.101/24"),
                vip("api", "198.18.0.102/24")), now::get, System::currentTimeMillis);
        now.addAndGet(3 * LEASE_MILLIS * 1_000_000L); // past the restart wait: this acceptor accepts

        CountDownLatch done = new CountDownLatch(1);
        ctx.runOnContext(v -> {
            // three frames in one turn, each making this acceptor see a new highest epoch
            driver.onFrame("b", WireCodec.encode(new Message.LeaseBatch(List.of(
                    new LeaseMessage.Propose("web", new Ballot(4, "b"), LEASE_MILLIS, 5)))));
            driver.onFrame("b", WireCodec.encode(new Message.LeaseBatch(List.of(
                    new LeaseMessage.Propose("db", new Ballot(4, "b"), LEASE_MILLIS, 6)))));
            driver.onFrame("c", WireCodec.encode(new Message.LeaseBatch(List.of(
                    new LeaseMessage.Propose("api", new Ballot(4, "c"), LEASE_MILLIS, 7)))));
            assertTrue(log.isEmpty(), "nothing persisted or sent while the turn's frames arrive: " + log);
            ctx.runOnContext(w -> done.countDown()); // after the queued processing
        });
        assertTrue(done.await(10, TimeUnit.SECONDS));

        assertEquals(List.of(Map.of("api", 7L, "db", 6L, "web", 5L)), persisted, "one persist for the whole turn");
        assertEquals("persist", log.get(0), "the epochs are on disk before any reply leaves: " + log);
        assertEquals(3, log.size(), "one batch of replies per peer: " + log);
        assertTrue(log.containsAll(List.of("send b", "send c")), log.toString());
        assertEquals(5, driver.snapshot().lease("web").highestEpoch(), "one snapshot after the turn shows it");
    }
}
