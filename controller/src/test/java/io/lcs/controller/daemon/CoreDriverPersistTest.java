package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.core.ClusterCore;
import io.lcs.core.CoreConfig;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.StoredObject;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The driver's persist-before-send rule with persistence off the event loop: every reply that
 * depends on a persist leaves only after that persist returned, in the order the core produced it,
 * while the event loop goes on (ticks, heartbeats); Readies that wait are written together.
 */
class CoreDriverPersistTest {
    private static final long LEASE_MILLIS = 2_000;
    private final Vertx vertx = Vertx.vertx();
    private final ExecutorService persistThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void close() {
        persistThread.shutdownNow();
        vertx.close();
    }

    private static VipSpec vip(String name, String address) {
        return new VipSpec(name, Cidr.parse(address), "eth0", List.of(), null, null, null, null, "config", 0);
    }

    private static ClusterCore core(long nowNanos) {
        CoreConfig cfg = CoreConfig.defaults("a", List.of(new CoreConfig.Member("a", true),
                new CoreConfig.Member("b", true), new CoreConfig.Member("c", true)), 1L, LEASE_MILLIS, 500);
        // started one restart wait ago: this acceptor answers lease messages at once
        return new ClusterCore(cfg, List.of(), Map.of(), nowNanos - 3 * LEASE_MILLIS * 1_000_000L, new SecureRandom());
    }

    private static byte[] propose(String vip, String from, long epoch) {
        return WireCodec.encode(new Message.LeaseBatch(List.of(
                new LeaseMessage.Propose(vip, new Ballot(4, from), LEASE_MILLIS, epoch))));
    }

    private static byte[] prepare(String vip, String from) {
        return WireCodec.encode(new Message.LeaseBatch(List.of(new LeaseMessage.Prepare(vip, new Ballot(4, from)))));
    }

    /** What the outlet sent: "heartbeat PEER", or "PEER Accepted(vip)"/"PEER Promise(vip)" per lease item. */
    private static void record(List<String> sent, String peer, byte[] frame) {
        try {
            Message m = WireCodec.decode(frame);
            if (m instanceof Message.Heartbeat) {
                sent.add("heartbeat " + peer);
            } else if (m instanceof Message.LeaseBatch b) {
                for (LeaseMessage lm : b.items()) {
                    sent.add(peer + " " + lm.getClass().getSimpleName() + "(" + lm.vip() + ")");
                }
            } else {
                sent.add(peer + " " + m.getClass().getSimpleName());
            }
        } catch (WireCodec.WireFormatException e) {
            throw new AssertionError(e);
        }
    }

    /** A Durable that waits for a permit on each call and records what it was given. */
    private static final class BlockingDurable implements CoreDriver.Durable {
        final Semaphore permits = new Semaphore(0);
        final Semaphore entered = new Semaphore(0);
        final List<Map<String, Long>> epochs = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void persist(List<StoredObject> objects, List<ObjectKey> forget, Map<String, Long> e) {
            epochs.add(new TreeMap<>(e));
            entered.release();
            try {
                if (!permits.tryAcquire(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never released the persist");
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private CoreDriver driver(ClusterCore core, Context ctx, CoreDriver.Durable durable, List<String> sent,
                              LongSupplier monotonic) {
        return new CoreDriver(vertx, ctx, core, durable, persistThread, (peer, frame) -> {
            record(sent, peer, frame);
            return true;
        }, new EventLog(Clock.systemUTC(), "a"), List.of(vip("web", "198.18.0.100/24"), vip("db", "198.18.0.101/24"),
                vip("api", "198.18.0.102/24")), monotonic, System::currentTimeMillis);
    }

    /** Waits until every task queued on {@code ctx} so far, and those they queued, ran. */
    private static void settle(Context ctx) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            CountDownLatch done = new CountDownLatch(1);
            ctx.runOnContext(v -> done.countDown());
            assertTrue(done.await(10, TimeUnit.SECONDS), "the event loop answers");
        }
    }

    /** Waits (at most {@code seconds}) until {@code condition} holds; whether it does. */
    private static boolean await(java.util.function.BooleanSupplier condition, int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Waits (at most 10 s: a loaded machine) until {@code sent} holds {@code n} lease messages. */
    private static void awaitLeaseMessages(List<String> sent, int n) throws InterruptedException {
        for (int i = 0; i < 1_000 && leaseMessages(sent).size() < n; i++) {
            Thread.sleep(10);
        }
    }

    private static List<String> leaseMessages(List<String> sent) {
        synchronized (sent) {
            return sent.stream().filter(s -> !s.startsWith("heartbeat")).toList();
        }
    }

    @Test
    void framesOfOneTurnArePersistedOnceAndEveryAcceptLeavesAfterThePersist() throws Exception {
        AtomicLong now = new AtomicLong(10_000_000_000L);
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        List<Map<String, Long>> persisted = Collections.synchronizedList(new ArrayList<>());
        Context ctx = vertx.getOrCreateContext();
        CoreDriver driver = driver(core(now.get()), ctx, (o, f, epochs) -> {
            if (!epochs.isEmpty()) {
                persisted.add(new TreeMap<>(epochs));
                log.add("persist");
            }
        }, log, now::get);

        CountDownLatch queued = new CountDownLatch(1);
        ctx.runOnContext(v -> {
            // three frames in one turn, each making this acceptor see a new highest epoch
            driver.onFrame("b", propose("web", "b", 5));
            driver.onFrame("b", propose("db", "b", 6));
            driver.onFrame("c", propose("api", "c", 7));
            assertTrue(log.isEmpty(), "nothing persisted or sent while the turn's frames arrive: " + log);
            queued.countDown();
        });
        assertTrue(queued.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 1_000 && log.size() < 4; i++) {
            settle(ctx);
            Thread.sleep(10);
        }

        assertEquals(List.of(Map.of("api", 7L, "db", 6L, "web", 5L)), persisted, "one persist for the whole turn");
        assertEquals("persist", log.get(0), "the epochs are on disk before any reply leaves: " + log);
        assertEquals(List.of("persist", "b Accepted(web)", "b Accepted(db)", "c Accepted(api)"), log);
        assertEquals(5, driver.snapshot().lease("web").highestEpoch(), "one snapshot after the turn shows it");
    }

    @Test
    void eventLoopKeepsTickingAndHeartbeatingWhileAPersistBlocksAndTheDependentReplyWaitsForIt() throws Exception {
        BlockingDurable durable = new BlockingDurable();
        List<String> sent = Collections.synchronizedList(new ArrayList<>());
        Context ctx = vertx.getOrCreateContext();
        CoreDriver driver = driver(core(System.nanoTime()), ctx, durable, sent, System::nanoTime);
        List<Long> lags = Collections.synchronizedList(new ArrayList<>());
        driver.onLoopLag(lags::add);
        ctx.runOnContext(v -> driver.start());

        driver.onFrame("b", propose("web", "b", 5));
        assertTrue(durable.entered.tryAcquire(10, TimeUnit.SECONDS), "the epoch goes to the disk");
        int ticksBefore = lags.size();
        long heartbeatsBefore = sent.stream().filter(s -> s.equals("heartbeat b")).count();
        // the positive marker: with the disk stuck, the loop goes on ticking and heartbeating
        assertTrue(await(() -> lags.size() - ticksBefore >= 3, 10), "the event loop kept ticking: "
                + (lags.size() - ticksBefore));
        assertTrue(await(() -> sent.stream().filter(s -> s.equals("heartbeat b")).count() - heartbeatsBefore >= 3, 10),
                "heartbeats kept going: " + sent);
        settle(ctx);
        assertEquals(List.of(), leaseMessages(sent), "the accept waits for its epoch to be on disk");
        assertEquals(0, driver.snapshot().lease("web").highestEpoch(), "no snapshot shows what is not on disk");

        durable.permits.release();
        awaitLeaseMessages(sent, 1);
        assertEquals(List.of("b Accepted(web)"), leaseMessages(sent), "released once durable");
        settle(ctx);
        assertEquals(5, driver.snapshot().lease("web").highestEpoch(), "and the snapshot shows it");
    }

    @Test
    void aLaterReadysRepliesNeverOvertakeAnEarlierOnesWaitingForItsPersist() throws Exception {
        BlockingDurable durable = new BlockingDurable();
        List<String> sent = Collections.synchronizedList(new ArrayList<>());
        Context ctx = vertx.getOrCreateContext();
        AtomicLong now = new AtomicLong(10_000_000_000L);
        CoreDriver driver = driver(core(now.get()), ctx, durable, sent, now::get);

        driver.onFrame("b", propose("web", "b", 5)); // Ready 1: needs its epoch persisted
        assertTrue(durable.entered.tryAcquire(10, TimeUnit.SECONDS));
        driver.onFrame("b", prepare("db", "b")); // Ready 2: a promise, nothing to persist
        settle(ctx);
        assertEquals(List.of(), leaseMessages(sent), "the promise waits behind the earlier accept");

        durable.permits.release();
        awaitLeaseMessages(sent, 2);
        assertEquals(List.of("b Accepted(web)", "b Promise(db)"), leaseMessages(sent), "in the order produced");
    }

    @Test
    void readiesThatWaitForAPersistAreWrittenTogetherInOneMore() throws Exception {
        BlockingDurable durable = new BlockingDurable();
        List<String> sent = Collections.synchronizedList(new ArrayList<>());
        Context ctx = vertx.getOrCreateContext();
        AtomicLong now = new AtomicLong(10_000_000_000L);
        CoreDriver driver = driver(core(now.get()), ctx, durable, sent, now::get);

        driver.onFrame("b", propose("web", "b", 5));
        assertTrue(durable.entered.tryAcquire(10, TimeUnit.SECONDS));
        // three more turns, each with a new epoch to persist, while the first persist runs
        driver.onFrame("b", propose("db", "b", 6));
        settle(ctx);
        driver.onFrame("c", propose("api", "c", 7));
        settle(ctx);
        driver.onFrame("c", propose("web", "c", 8)); // web's grant is b's: rejected, nothing to persist
        settle(ctx);
        driver.onFrame("b", propose("web", "b", 9));
        settle(ctx);
        assertEquals(1, driver.persists(), "one persist at a time");

        durable.permits.release(2);
        assertTrue(durable.entered.tryAcquire(10, TimeUnit.SECONDS));
        awaitLeaseMessages(sent, 5);
        assertEquals(2, driver.persists(), "the Readies that waited share one persist");
        assertEquals(List.of(Map.of("web", 5L), Map.of("api", 7L, "db", 6L, "web", 9L)), durable.epochs);
        assertEquals(List.of("b Accepted(web)", "b Accepted(db)", "c Accepted(api)", "c Reject(web)",
                "b Accepted(web)"), leaseMessages(sent), "every reply once its persist returned, in order");
    }

    @Test
    void aStallInTheMiddleOfATickIsTheNodesOwnAndDoesNotMakeItsPeersDown() throws Exception {
        AtomicLong offset = new AtomicLong();
        LongSupplier clock = () -> System.nanoTime() + offset.get();
        java.util.concurrent.atomic.AtomicBoolean stallOnNextSend = new java.util.concurrent.atomic.AtomicBoolean();
        Context ctx = vertx.getOrCreateContext();
        CoreDriver driver = new CoreDriver(vertx, ctx, core(clock.getAsLong()), (o, f, e) -> { }, persistThread,
                (peer, frame) -> {
                    if (stallOnNextSend.getAndSet(false)) {
                        offset.addAndGet(TimeUnit.SECONDS.toNanos(3)); // stopped 3 s while sending a heartbeat
                    }
                    return true;
                }, new EventLog(Clock.systemUTC(), "a"), List.of(), clock, System::currentTimeMillis);
        List<Long> lags = Collections.synchronizedList(new ArrayList<>());
        List<String> down = Collections.synchronizedList(new ArrayList<>());
        driver.onLoopLag(lags::add);
        driver.onEvent(e -> {
            if (e instanceof io.lcs.core.CoreEvent.PeerDown d) {
                down.add(d.peer());
            }
        });
        ctx.runOnContext(v -> driver.start());
        for (String peer : List.of("b", "c")) {
            driver.onFrame(peer, WireCodec.encode(new Message.Heartbeat(1L, peer.hashCode(), 0, 0, 1, 0, false,
                    List.of(), 0)));
        }
        for (int i = 0; i < 1_000 && !driver.snapshot().membership().quorum(); i++) {
            Thread.sleep(10);
        }
        assertTrue(driver.snapshot().membership().quorum(), "b and c are up");

        stallOnNextSend.set(true); // the next tick that heartbeats stands still in its middle

        // the positive marker: the stall was measured, and a later tick ran after it
        int[] stallAt = {-1};
        assertTrue(await(() -> {
            synchronized (lags) {
                for (int i = 0; i < lags.size() && stallAt[0] < 0; i++) {
                    if (lags.get(i) >= TimeUnit.MILLISECONDS.toNanos(2_700)) {
                        stallAt[0] = i;
                    }
                }
                return stallAt[0] >= 0 && lags.size() > stallAt[0] + 1;
            }
        }, 10), "the stall counts though no timer was late: " + lags);
        assertEquals(List.of(), down, "b and c were heard until our own stall");
        assertTrue(await(() -> down.size() == 2, 10), "peers that stay silent are still declared down: " + down);
        assertEquals(List.of("b", "c"), down);
    }

    @Test
    void aPersistTheStoreRefusesDropsItsRepliesOnlyAndTheNextOneGoesOn() throws Exception {
        List<String> sent = Collections.synchronizedList(new ArrayList<>());
        Context ctx = vertx.getOrCreateContext();
        AtomicLong now = new AtomicLong(10_000_000_000L);
        CoreDriver driver = driver(core(now.get()), ctx, (o, f, epochs) -> {
            if (epochs.containsKey("db")) {
                throw new IllegalArgumentException("refused, as a state directory refuses what it cannot hold");
            }
        }, sent, now::get);

        driver.onFrame("b", propose("db", "b", 6));
        settle(ctx);
        driver.onFrame("b", propose("web", "b", 5));
        awaitLeaseMessages(sent, 1);

        assertEquals(List.of("b Accepted(web)"), leaseMessages(sent), "what is not on disk is not acknowledged");
        assertEquals(2, driver.persists());
    }
}
