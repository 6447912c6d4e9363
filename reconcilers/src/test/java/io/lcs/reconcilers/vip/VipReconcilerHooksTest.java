package io.lcs.reconcilers.vip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.hook.HookInvocation;
import io.lcs.reconcilers.hook.HookResult;
import io.lcs.reconcilers.hook.HookRunner;
import io.lcs.reconcilers.net.NetworkActuator;
import io.lcs.reconcilers.net.RecordingNetworkActuator;
import io.lcs.reconcilers.runtime.BackgroundPool;
import io.lcs.reconcilers.runtime.Result;
import io.lcs.reconcilers.vip.VipHost.Lease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The VIP reconciler with its hooks on a real pool (as lcsd runs it): pre_start and pre_stop get
 * hook_timeout_ms, not what is left of the lease; a VIP whose hook runs never holds up another
 * VIP; the address is kept alive while pre_stop runs under a lease the core still renews, and
 * goes as soon as that lease ends or the stop budget is used up; announcements repeat and stop
 * before removal. Hooks are gates the test opens; the monotonic clock is the test's.
 */
class VipReconcilerHooksTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long LEASE = 2 * SECOND;
    private static final String IF = "eth0";
    private static final Duration HOOK_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration RENEW = Duration.ofMillis(500);
    private static final Cidr WEB_ADDRESS = Cidr.parse("198.18.0.201/24");
    private static final Cidr API_ADDRESS = Cidr.parse("198.18.0.202/24");
    private static final VipSpec WEB = new VipSpec("web", WEB_ADDRESS, IF, List.of(), "/hooks/web-pre_start",
            null, "/hooks/web-pre_stop", null, "config", 1);
    private static final VipSpec API = new VipSpec("api", API_ADDRESS, IF, List.of(), null, null, null, null,
            "config", 1);

    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, CountDownLatch> woken = new ConcurrentHashMap<>();
    private RecordingNetworkActuator net;
    private GateHooks hooks;
    private FakeVipHost host;
    private BackgroundPool pool;
    private VipReconciler reconciler;

    @BeforeEach
    void setUp() throws Exception {
        net = new RecordingNetworkActuator(clock::get, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), null);
        hooks = new GateHooks();
        host = new FakeVipHost(log, snapshot(Map.of()));
        pool = new BackgroundPool("test-hooks", 2, 10);
        reconciler = reconciler(net);
    }

    @AfterEach
    void tearDown() {
        hooks.openAll();
        pool.drain(Duration.ofSeconds(5));
    }

    private VipReconciler reconciler(NetworkActuator actuator) {
        return new VipReconciler(host, actuator, hooks, (vip, state) -> { }, (type, object, message) ->
                events.add(type + ": " + message), new VipReconciler.Settings("c1", "a", HOOK_TIMEOUT,
                Duration.ofMillis(200), RENEW), pool, clock::get)
                .onHookDone(vip -> woken.computeIfAbsent(vip, k -> new CountDownLatch(1)).countDown());
    }

    @Test
    void preStartLongerThanTheLeaseGetsTheHookTimeoutAndTheVipBecomesActive() throws Exception {
        host.set(snapshot(Map.of("web", held(true))));
        hooks.hold("pre_start");
        Result r = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> reconciler.reconcile("web"),
                "the reconcile does not wait for the hook");
        assertInstanceOf(Result.RequeueAfter.class, r);
        assertTrue(hooks.awaitStarted("pre_start"));
        assertFalse(present(WEB_ADDRESS), "nothing is added before pre_start ended");

        clock.addAndGet(3 * SECOND); // longer than the lease; the core renewed it meanwhile
        host.set(snapshot(Map.of("web", held(true))));
        hooks.open("pre_start");
        assertTrue(awaitWoken("web"), "the hook's end wakes its VIP");
        reconciler.reconcile("web");

        assertTrue(present(WEB_ADDRESS), "active after a pre_start longer than the lease");
        assertEquals(HOOK_TIMEOUT, hooks.invocation("pre_start").timeout(), "pre_start gets hook_timeout_ms");
    }

    @Test
    void preStartIsCutShortWhenTheLeaseEndsWhileItRuns() throws Exception {
        host.set(snapshot(Map.of("web", held(true))));
        hooks.hold("pre_start");
        reconciler.reconcile("web");
        assertTrue(hooks.awaitStarted("pre_start"));

        host.set(snapshot(Map.of("web", new Lease(false, false, 0, 0, 3)))); // cut off: another node may get it
        reconciler.reconcile("web");

        assertTrue(hooks.awaitInterrupted("pre_start"), "the hook was killed, not left beside the next owner's");
        assertEquals(1, reconciler.hooksSkipped("pre_start", "lease_lost"));
        assertTrue(events.stream().anyMatch(e -> e.startsWith("HookSkipped: pre_start cut short")), events.toString());
        assertFalse(present(WEB_ADDRESS));
    }

    @Test
    void preStartIsCutShortWhenTheVipIsDeletedWhileItRuns() throws Exception {
        host.set(snapshot(Map.of("web", held(true))));
        hooks.hold("pre_start");
        reconciler.reconcile("web");
        assertTrue(hooks.awaitStarted("pre_start"));

        host.set(new FakeSnapshot(clock.get(), List.of(API), Map.of("web", held(true)), Map.of()));
        reconciler.reconcile("web");

        assertTrue(hooks.awaitInterrupted("pre_start"), "the hook of a deleted VIP was killed, not left running");
        assertEquals(1, reconciler.hooksSkipped("pre_start", "lease_lost"));
        assertTrue(events.stream().anyMatch(e -> e.contains("pre_start cut short") && e.contains("deleted")),
                events.toString());
        assertFalse(present(WEB_ADDRESS));
    }

    @Test
    void preStartIsCutShortWhenTheVipIsHeldOutByAnotherWithItsAddress() throws Exception {
        host.set(snapshot(Map.of("web", held(true))));
        hooks.hold("pre_start");
        reconciler.reconcile("web");
        assertTrue(hooks.awaitStarted("pre_start"));

        host.set(new FakeSnapshot(clock.get(), List.of(WEB, API), Map.of("web", held(true)), Map.of(),
                Map.of("web", "api")));
        reconciler.reconcile("web");

        assertTrue(hooks.awaitInterrupted("pre_start"), "the hook of a held-out VIP was killed, not left running");
        assertEquals(1, reconciler.hooksSkipped("pre_start", "lease_lost"));
        assertTrue(events.stream().anyMatch(e -> e.contains("pre_start cut short") && e.contains("held out by api")),
                events.toString());
        assertFalse(present(WEB_ADDRESS));
    }

    @Test
    void aVipInAHookNeverHoldsUpAVipWithoutHooks() throws Exception {
        host.set(snapshot(Map.of("web", held(true), "api", held(true))));
        hooks.hold("pre_start");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> reconciler.reconcile("web"));
        assertTrue(hooks.awaitStarted("pre_start"));

        reconciler.reconcile("api"); // the same worker, while web's pre_start still runs

        assertTrue(present(API_ADDRESS), "the VIP without hooks is active while the other's hook runs");
        assertFalse(present(WEB_ADDRESS));
    }

    @Test
    void preStopDuringAMoveRunsUnderTheRenewedLeaseAndKeepsTheAddressUntilItEnds() throws Exception {
        activateWeb();
        host.set(snapshot(Map.of("web", held(false)))); // a move: not wanted here, still held
        hooks.hold("pre_stop");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> reconciler.reconcile("web"));
        assertTrue(hooks.awaitStarted("pre_stop"));
        for (int i = 0; i < 12; i++) { // 6 s of a hanging pre_stop (three leases), a renewal every 0.5 s
            clock.addAndGet(RENEW.toNanos());
            host.set(snapshot(Map.of("web", held(false)))); // the core renews a held lease during its stop grace
            reconciler.reconcile("web");
            assertTrue(present(WEB_ADDRESS), "the address is kept alive while pre_stop runs (" + i + ")");
        }
        assertTrue(host.released.isEmpty(), "not released while pre_stop runs");

        hooks.open("pre_stop");
        assertTrue(awaitWoken("web"));
        reconciler.reconcile("web");

        assertFalse(present(WEB_ADDRESS));
        assertEquals(List.of("web"), host.released, "released once the address is gone");
        assertEquals(HOOK_TIMEOUT, hooks.invocation("pre_stop").timeout(), "pre_stop gets hook_timeout_ms");
    }

    @Test
    void preStopIsCutShortAndTheAddressRemovedWhenTheLeaseEnds() throws Exception {
        activateWeb();
        host.set(snapshot(Map.of("web", held(false))));
        hooks.hold("pre_stop");
        reconciler.reconcile("web");
        assertTrue(hooks.awaitStarted("pre_stop"));

        host.set(snapshot(Map.of("web", new Lease(false, false, 0, 0, 3)))); // renewals failed: no quorum
        reconciler.reconcile("web");

        assertFalse(present(WEB_ADDRESS), "the address goes at once");
        assertTrue(hooks.awaitInterrupted("pre_stop"), "the hook was killed");
        assertEquals(1, reconciler.hooksSkipped("pre_stop", "lease_lost"));
        assertTrue(events.stream().anyMatch(e -> e.startsWith("HookSkipped: pre_stop cut short")), events.toString());
    }

    @Test
    void atStopHooksRunInParallelAndWhatOutlivesTheStopBudgetIsKilledAndTheAddressRemoved() throws Exception {
        activateWeb();
        host.set(snapshot(Map.of("web", held(false)))); // lcsd stopping: nothing wanted
        hooks.hold("pre_stop"); // never ends by itself

        reconciler.deactivateAll(Duration.ofMillis(300));

        assertFalse(present(WEB_ADDRESS));
        assertTrue(hooks.awaitInterrupted("pre_stop"));
        assertEquals(1, reconciler.hooksSkipped("pre_stop", "stop_budget"));
        assertEquals(List.of("web"), host.released);
    }

    @Test
    void announcementsAreRepeatedThenStopBeforeTheAddressIsRemoved() throws Exception {
        AtomicInteger announced = new AtomicInteger();
        CountDownLatch three = new CountDownLatch(VipReconciler.ANNOUNCEMENTS);
        NetworkActuator counting = countingAnnouncements(net, announced, three);
        ScheduledThreadPoolExecutor announcer = new ScheduledThreadPoolExecutor(1);
        announcer.setRemoveOnCancelPolicy(true);
        try {
            VipReconciler r = reconciler(counting).announceOn(announcer);
            host.set(snapshot(Map.of("api", held(true))));
            r.reconcile("api");
            assertTrue(three.await(5, TimeUnit.SECONDS), "announced " + announced.get() + " times");
            assertEquals(VipReconciler.ANNOUNCEMENTS, announced.get());

            // a second activation, removed while its series still runs: the rest is cancelled first
            host.set(snapshot(Map.of("api", held(false))));
            r.reconcile("api");
            host.set(snapshot(Map.of("api", new Lease(true, true, 4, LEASE, 4))));
            r.reconcile("api");
            host.set(snapshot(Map.of("api", new Lease(true, false, 4, LEASE, 4))));
            r.reconcile("api");
            assertFalse(present(API_ADDRESS));
            assertTrue(announcer.getQueue().isEmpty(), "no announcement left scheduled after the removal");
        } finally {
            announcer.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ fixtures

    /** web active at epoch 3 (pre_start passes at once). */
    private void activateWeb() throws Exception {
        host.set(snapshot(Map.of("web", held(true))));
        for (int i = 0; i < 20 && !present(WEB_ADDRESS); i++) {
            reconciler.reconcile("web");
            awaitWoken("web");
            woken.remove("web");
        }
        assertTrue(present(WEB_ADDRESS));
        woken.clear();
    }

    private boolean awaitWoken(String vip) throws InterruptedException {
        return woken.computeIfAbsent(vip, k -> new CountDownLatch(1)).await(5, TimeUnit.SECONDS);
    }

    private static Lease held(boolean wanted) {
        return new Lease(true, wanted, 3, LEASE, 3);
    }

    private FakeSnapshot snapshot(Map<String, Lease> leases) {
        return new FakeSnapshot(clock.get(), List.of(WEB, API), leases, Map.of());
    }

    private boolean present(Cidr cidr) throws Exception {
        return net.addresses(IF).stream().anyMatch(a -> a.sameAddress(cidr));
    }

    private static NetworkActuator countingAnnouncements(NetworkActuator inner, AtomicInteger count,
                                                         CountDownLatch latch) {
        return (NetworkActuator) java.lang.reflect.Proxy.newProxyInstance(NetworkActuator.class.getClassLoader(),
                new Class<?>[] {NetworkActuator.class}, (proxy, method, args) -> {
                    if (method.getName().startsWith("announce")) {
                        count.incrementAndGet();
                        latch.countDown();
                    }
                    try {
                        return method.invoke(inner, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Hooks that succeed at once unless held; a held hook runs until opened, its timeout, or interrupted. */
    private static final class GateHooks implements HookRunner {
        private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
        private final Map<String, CountDownLatch> started = new ConcurrentHashMap<>();
        private final Map<String, CountDownLatch> interrupted = new ConcurrentHashMap<>();
        private final Map<String, HookInvocation> invocations = new ConcurrentHashMap<>();
        private final Set<String> events = ConcurrentHashMap.newKeySet();

        void hold(String event) {
            gates.put(event, new CountDownLatch(1));
        }

        void open(String event) {
            gates.remove(event).countDown();
        }

        void openAll() {
            gates.values().forEach(CountDownLatch::countDown);
        }

        boolean awaitStarted(String event) throws InterruptedException {
            return latch(started, event).await(5, TimeUnit.SECONDS);
        }

        boolean awaitInterrupted(String event) throws InterruptedException {
            return latch(interrupted, event).await(5, TimeUnit.SECONDS);
        }

        HookInvocation invocation(String event) {
            return invocations.get(event);
        }

        private static CountDownLatch latch(Map<String, CountDownLatch> m, String event) {
            return m.computeIfAbsent(event, k -> new CountDownLatch(1));
        }

        @Override
        public HookResult run(HookInvocation inv) throws InterruptedException {
            invocations.put(inv.event(), inv);
            events.add(inv.event());
            CountDownLatch gate = gates.get(inv.event());
            latch(started, inv.event()).countDown();
            if (gate != null) {
                try {
                    if (!gate.await(inv.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                        return new HookResult(137, true, inv.timeout(), "still running");
                    }
                } catch (InterruptedException e) {
                    latch(interrupted, inv.event()).countDown();
                    throw e;
                }
            }
            return new HookResult(0, false, Duration.ZERO, "");
        }
    }
}
