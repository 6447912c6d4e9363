package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.core.ClusterCore;
import io.lcs.core.CoreConfig;
import io.lcs.core.WriteOp;
import io.lcs.core.WriteResult;
import io.lcs.model.api.ConflictAck;
import io.lcs.model.api.Move;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectMeta;
import io.lcs.model.api.ObjectVersion;
import io.lcs.model.api.StoredObject;
import io.lcs.model.api.VirtualIP;
import io.lcs.model.codec.LcsJson;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
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
 * Records about a VIP ({@code Conflict}, {@code ConflictAck}, {@code Move}) are collected when the
 * VIP is deleted, so they neither linger nor put a later VIP of the same name in conflict. A
 * one-node cluster driven by hand on its context.
 */
class CoreDriverOrphansTest {
    private final Vertx vertx = Vertx.vertx();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private Context ctx;
    private CoreDriver driver;
    private ClusterCore core;

    @AfterEach
    void close() {
        vertx.close();
    }

    private static StoredObject apiVip(String name, String address) {
        ObjectNode body = LcsJson.json().valueToTree(VirtualIP.of(ObjectMeta.named(name),
                new VirtualIP.Spec(address, "eth0", null, null)));
        body.with("metadata").put("version", 1).put("generation", 1).put("creationTimestamp", "2025-01-01T00:00:00Z");
        return new StoredObject(new ObjectKey(VirtualIP.KIND, name), new ObjectVersion(1, "a"), false, body);
    }

    private static StoredObject record(String kind, String vip) {
        ObjectNode body = LcsJson.json().createObjectNode().put("apiVersion", "lcs/v1").put("kind", kind);
        body.putObject("metadata").put("name", vip);
        body.putObject("spec").put("vip", vip).put("epoch", 3).put("fromEpoch", 3);
        return new StoredObject(new ObjectKey(kind, vip), new ObjectVersion(1, "a"), false, body);
    }

    private <T> T onContext(Callable<T> action) throws Exception {
        return OnContext.call(ctx, action);
    }

    private List<String> records() throws Exception {
        return onContext(this::recordsHere);
    }

    /** The records stored now; on the context. */
    private List<String> recordsHere() {
        return CoreDriver.DEPENDENT_KINDS.stream().flatMap(k -> core.objects(k).stream())
                .map(o -> o.key().toString()).sorted().toList();
    }

    /** Ticks (25 ms apart, at most 400 times) until {@code done} holds. */
    private boolean tickUntil(Callable<Boolean> done) throws Exception {
        for (int i = 0; i < 400; i++) {
            if (onContext(done)) {
                return true;
            }
            now.addAndGet(25_000_000L);
            onContext(() -> {
                driver.tick();
                return null;
            });
        }
        return false;
    }

    @Test
    void theRecordsOfADeletedVipAreCollectedAndThoseOfAVipUnknownHereAreKept() throws Exception {
        CoreConfig cfg = CoreConfig.defaults("a", List.of(new CoreConfig.Member("a", true)), 1L, 2_000, 500);
        core = new ClusterCore(cfg, List.of(apiVip("db", "198.18.0.50/24"),
                record(CoreDriver.CONFLICT_KIND, "db"), record(ConflictAck.KIND, "db"), record(Move.KIND, "db"),
                // a Conflict about a VIP this node does not know and never saw deleted (another node's lcs.conf)
                record(CoreDriver.CONFLICT_KIND, "elsewhere")), Map.of(), now.get(), new SecureRandom());
        ctx = vertx.getOrCreateContext();
        driver = onContext(() -> new CoreDriver(vertx, ctx, core, (o, f, e) -> { }, (p, b) -> true,
                new EventLog(Clock.systemUTC(), "a"), List.of(), now::get, System::currentTimeMillis));
        assertTrue(tickUntil(core::hasQuorum), "a one-node cluster has quorum");
        for (int i = 0; i < 10; i++) {
            onContext(() -> {
                driver.tick();
                return null;
            });
        }
        assertEquals(List.of("Conflict/db", "Conflict/elsewhere", "ConflictAck/db", "Move/db"), records(),
                "nothing is collected while the VIP exists");

        WriteResult deleted = onContext(() -> driver.write(new WriteOp.Delete(new ObjectKey(VirtualIP.KIND, "db"))))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(WriteResult.Outcome.DELETED, deleted.outcome());

        assertTrue(tickUntil(() -> core.objects(CoreDriver.CONFLICT_KIND).stream()
                .noneMatch(o -> o.key().name().equals("db"))), "the deleted VIP's Conflict was never collected");
        assertTrue(tickUntil(() -> recordsHere().size() == 1), "left: " + records());
        assertEquals(List.of("Conflict/elsewhere"), records(), "a VIP that was never deleted here keeps its record");
    }
}
