package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.core.ClusterCore;
import io.lcs.core.CoreConfig;
import io.lcs.core.WriteOp;
import io.lcs.core.WriteResult;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectMeta;
import io.lcs.model.api.ObjectVersion;
import io.lcs.model.api.StoredObject;
import io.lcs.model.api.VirtualIP;
import io.lcs.model.codec.LcsJson;
import io.lcs.model.wire.Message;
import io.lcs.model.wire.WireCodec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The peer boundary ({@link PeerObjectFilter} in the driver): an object a peer sends that this node
 * could not persist, or that would pin a register, is dropped and counted before the core sees it:
 * nothing is stored, persisted or acknowledged, and the node goes on. Node a of a, b, c, driven by
 * hand on its context; b and c are frames the test writes.
 */
class CoreDriverPeerObjectsTest {
    private static final long HASH = 1L;
    /** The test's store refuses this name's content, as a state directory refuses what it cannot hold. */
    private static final String REFUSED_BY_STORE = "refused-by-store";
    private final Vertx vertx = Vertx.vertx();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<StoredObject> persisted = Collections.synchronizedList(new ArrayList<>());
    private final List<Message> sentToB = Collections.synchronizedList(new ArrayList<>());
    private final List<Message> sentToC = Collections.synchronizedList(new ArrayList<>());
    private Context ctx;
    private ClusterCore core;
    private CoreDriver driver;

    @BeforeEach
    void setUp() throws Exception {
        CoreConfig cfg = CoreConfig.defaults("a", List.of(new CoreConfig.Member("a", true),
                new CoreConfig.Member("b", true), new CoreConfig.Member("c", true)), HASH, 2_000, 500);
        core = new ClusterCore(cfg, List.of(), Map.of(), now.get(), new SecureRandom());
        ctx = vertx.getOrCreateContext();
        driver = new CoreDriver(vertx, ctx, core, (objects, forget, epochs) -> {
                    for (StoredObject o : objects) {
                        if (o.key().name().equals(REFUSED_BY_STORE)) { // as the state directory refuses content
                            throw new IllegalArgumentException("cannot store " + o.key() + ": refused");
                        }
                    }
                    persisted.addAll(objects);
                },
                (peer, frame) -> {
                    try {
                        (peer.equals("b") ? sentToB : sentToC).add(WireCodec.decode(frame));
                    } catch (WireCodec.WireFormatException e) {
                        throw new AssertionError(e);
                    }
                    return true;
                }, new EventLog(Clock.systemUTC(), "a"), List.of(), now::get, System::currentTimeMillis);
        frame("b", new Message.Heartbeat(HASH, 7, 0, 0, now.get(), 0, false, List.of(), 0));
        frame("c", new Message.Heartbeat(HASH, 8, 0, 0, now.get(), 0, false, List.of(), 0));
        assertTrue(onContext(() -> core.membership(now.get()).quorum()), "a sees quorum with b and c");
        sentToB.clear();
        sentToC.clear();
    }

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void framesThatDoNotDecodeAreCountedAndLoggedOncePerPeerPerMinute() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.lcs.core");
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getMessage().startsWith("dropped a frame")) {
                    lines.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            byte[] truncated = {1, 2, 3}; // a binary heartbeat cut after 3 bytes
            byte[] garbage = "{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            for (int i = 0; i < 5; i++) {
                rawFrame("b", i % 2 == 0 ? truncated : garbage);
            }
            rawFrame("c", truncated);
            assertEquals(6, driver.framesDropped());
            assertEquals(List.of("dropped a frame from b: malformed heartbeat: truncated at byte 1 of 3",
                    "dropped a frame from c: malformed heartbeat: truncated at byte 1 of 3"), lines);

            now.addAndGet(CoreDriver.UNDECODABLE_LOG_INTERVAL.toNanos());
            rawFrame("b", truncated);
            assertEquals(7, driver.framesDropped());
            assertEquals(3, lines.size(), lines.toString());
            assertEquals("dropped a frame from b: malformed heartbeat: truncated at byte 1 of 3 (4 more like this not"
                    + " logged)", lines.get(2));
            // and b's next good frame is taken as before
            frame("b", new Message.Heartbeat(HASH, 7, 0, 0, now.get(), 0, false, List.of(), 0));
            assertTrue(onContext(() -> core.membership(now.get()).isOnline("b")), "b is heard again");
        } finally {
            logger.removeHandler(handler);
        }
    }

    private void rawFrame(String peer, byte[] bytes) throws Exception {
        onContext(() -> {
            driver.onFrame(peer, bytes);
            return null;
        });
    }

    /** Delivers a frame from {@code peer} and waits until the driver processed what it caused. */
    private void frame(String peer, Message m) throws Exception {
        onContext(() -> {
            driver.onFrame(peer, WireCodec.encode(m));
            return null;
        });
        onContext(() -> null); // the processing the frame queued has run
    }

    private <T> T onContext(Callable<T> action) throws Exception {
        return OnContext.call(ctx, action);
    }

    private static ObjectNode vipBody(String name, String address) {
        return LcsJson.json().valueToTree(VirtualIP.of(ObjectMeta.named(name),
                new VirtualIP.Spec(address, "eth0", null, null)));
    }

    private static StoredObject object(String kind, String name, long counter, String writer, ObjectNode body) {
        body.with("metadata").put("version", counter);
        return new StoredObject(new ObjectKey(kind, name), new ObjectVersion(counter, writer), false, body);
    }

    /** The record the VIP reconciler writes when it finds a conflict on VIP web at {@code epoch}. */
    private static ObjectNode conflictBody(long epoch) {
        ObjectNode conflict = LcsJson.json().createObjectNode().put("apiVersion", "lcs/v1").put("kind", "Conflict");
        conflict.putObject("metadata").put("name", "web");
        conflict.putObject("spec").put("vip", "web").put("epoch", epoch).put("node", "b").put("reason", "r")
                .put("address", "198.18.0.10/24");
        return conflict;
    }

    private static StoredObject vip(String name, long counter, String writer) {
        return object("VirtualIP", name, counter, writer, vipBody(name, "198.18.0.10/24"));
    }

    private long rejected(String reason) {
        return driver.peerObjectsRejected("b", reason);
    }

    private void assertDroppedUnstored(StoredObject bad, String reason) throws Exception {
        long before = rejected(reason);
        frame("b", new Message.WriteRequest(41, bad));
        assertTrue(persisted.isEmpty(), "persisted: " + persisted);
        assertFalse(onContext(() -> core.stored(bad.key()).isPresent()), "stored: " + bad.key());
        assertTrue(sentToB.stream().noneMatch(m -> m instanceof Message.WriteAck), "acknowledged: " + sentToB);
        assertEquals(before + 1, rejected(reason), "counted as " + reason + ": " + bad.key());
    }

    @Test
    void anUnknownKindIsDroppedAndCounted() throws Exception {
        ObjectNode body = vipBody("x", "198.18.0.10/24").put("kind", "Bogus");
        assertDroppedUnstored(object("Bogus", "x", 1, "b", body), "kind");
    }

    @Test
    void aNameTheStateDirectoryCannotHoldIsDroppedAndCounted() throws Exception {
        assertDroppedUnstored(vip("../../etc/passwd", 1, "b"), "name");
    }

    @Test
    void anOversizedObjectIsDroppedAndCounted() throws Exception {
        ObjectNode body = vipBody("big", "198.18.0.10/24");
        body.with("metadata").putObject("labels").put("filler", "x".repeat(PeerObjectFilter.MAX_OBJECT_BYTES));
        assertDroppedUnstored(object("VirtualIP", "big", 1, "b", body), "size");
    }

    @Test
    void aBodyThatDisagreesWithItsKeyIsDroppedAndCounted() throws Exception {
        assertDroppedUnstored(object("VirtualIP", "web", 1, "b", vipBody("other", "198.18.0.10/24")), "mismatch");
        ObjectNode versionOne = object("VirtualIP", "web", 1, "b", vipBody("web", "198.18.0.10/24")).body().deepCopy();
        assertDroppedUnstored(new StoredObject(new ObjectKey("VirtualIP", "web"), new ObjectVersion(2, "b"), false,
                versionOne), "mismatch");
    }

    @Test
    void anObjectApplyWouldRefuseIsDroppedAndCounted() throws Exception {
        assertDroppedUnstored(object("VirtualIP", "web", 1, "b", vipBody("web", "198.18.0.10/33")), "invalid");
        assertDroppedUnstored(object("Conflict", "web", 1, "b", conflictBody(0)), "invalid");
    }

    @Test
    void aVersionFromAWriterOutsideTheClusterIsDroppedAndCounted() throws Exception {
        assertDroppedUnstored(vip("web", 1, "mallory"), "writer");
    }

    @Test
    void aSkewedVersionThatWouldPinTheRegisterIsDroppedAndCounted() throws Exception {
        assertDroppedUnstored(vip("web", Long.MAX_VALUE - 1, "b"), "version");
        assertDroppedUnstored(vip("web", PeerObjectFilter.MAX_VERSION_LEAD + 1, "b"), "version");
    }

    @Test
    void aGoodObjectIsStoredPersistedAndAcknowledged() throws Exception {
        StoredObject good = vip("web", PeerObjectFilter.MAX_VERSION_LEAD, "b");
        frame("b", new Message.WriteRequest(42, good));
        assertTrue(onContext(() -> core.stored(good.key()).isPresent()));
        assertEquals(List.of(good), persisted);
        assertTrue(sentToB.contains(new Message.WriteAck(42, good.key(), good.version())), sentToB.toString());
        frame("b", new Message.WriteRequest(43, object("Conflict", "web", 1, "b", conflictBody(3))));
        assertTrue(onContext(() -> core.stored(new ObjectKey("Conflict", "web")).isPresent()),
                "the conflict record the VIP reconciler writes is a known kind");
    }

    @Test
    void anObjectTheStoreRefusesStopsNothingAndIsNotAcknowledged() throws Exception {
        frame("b", new Message.WriteRequest(44, vip(REFUSED_BY_STORE, 1, "b")));
        assertTrue(sentToB.stream().noneMatch(m -> m instanceof Message.WriteAck), "acknowledged: " + sentToB);
        StoredObject good = vip("web", 1, "b");
        frame("b", new Message.WriteRequest(45, good));
        assertTrue(sentToB.contains(new Message.WriteAck(45, good.key(), good.version())),
                "the node goes on (it used to halt here): " + sentToB);
    }

    @Test
    void antiEntropyKeepsTheGoodObjectsOfABatchAndDropsTheBadOnes() throws Exception {
        StoredObject good = vip("web", 3, "c");
        StoredObject bad = vip("../x", 1, "b");
        frame("b", new Message.SyncObjects(List.of(bad, good, vip("db", Long.MAX_VALUE, "b"))));
        assertTrue(onContext(() -> core.stored(good.key()).isPresent()));
        assertEquals(List.of(good), persisted);
        assertEquals(1, rejected("name"));
        assertEquals(1, rejected("version"));
    }

    @Test
    void aReadReplyCarryingASkewedVersionDoesNotRaiseTheVersionAWriteTakes() throws Exception {
        Future<WriteResult> write = onContext(() -> driver.write(new WriteOp.Put(new ObjectKey("VirtualIP", "web"),
                vipBody("web", "198.18.0.10/24"))));
        onContext(() -> null); // the submit, queued by write()
        onContext(() -> null); // the processing the submit queued: the read requests are sent
        long id = sentToB.stream().filter(m -> m instanceof Message.ReadRequest).map(m -> ((Message.ReadRequest) m)
                .requestId()).findFirst().orElseThrow();
        frame("b", new Message.ReadReply(id, new ObjectKey("VirtualIP", "web"), vip("web", 1L << 40, "b")));
        frame("c", new Message.ReadReply(id, new ObjectKey("VirtualIP", "web"), null));
        StoredObject written = onContext(() -> core.stored(new ObjectKey("VirtualIP", "web")).orElseThrow());
        assertEquals(new ObjectVersion(1, "a"), written.version(), "the forged reply was counted as a read");
        assertEquals(1, rejected("version"));
        frame("c", new Message.WriteAck(id, written.key(), written.version()));
        assertEquals(WriteResult.Outcome.CREATED, write.toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS).outcome());
    }
}
