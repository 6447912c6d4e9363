package io.lcs.reconcilers.vip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.config.Grouping;
import io.lcs.reconcilers.hook.HookInvocation;
import io.lcs.reconcilers.net.RecordingNetworkActuator;
import io.lcs.reconcilers.runtime.Result;
import io.lcs.reconcilers.vip.VipHost.Lease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler with a hook-only service (no unit, no address: {@code pre_start} attaches it at a
 * provider, {@code post_stop} detaches it): nothing is added to a link and nothing is announced; the
 * attach runs only under this node's lease and only once the previous owner's hooks must have ended
 * (hook timeout plus the kill allowance plus one renewal interval after the lease was first seen);
 * a lease that goes, is not wanted or runs down to the slack detaches it, and an attach still
 * running then is killed first; a failed attach is detached, declined and released.
 */
class VipReconcilerHookOnlyTest {
    private static final long MS = 1_000_000L;
    private static final Duration HOOK_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration RENEW = Duration.ofMillis(500);
    /** The successor's wait: hook timeout 1 s + kill allowance 2 s + one renewal interval. */
    private static final Duration WAIT = HOOK_TIMEOUT.plus(VipReconciler.HOOK_KILL_ALLOWANCE).plus(RENEW);
    private static final VipSpec FIP = VipSpec.hookOnly("fip", List.of(), "/hooks/attach", "/hooks/started",
            "/hooks/stopping", "/hooks/detach", "config", 1, Grouping.NONE, List.of(), false);

    private final AtomicLong clock = new AtomicLong(1_000_000 * MS);
    private final List<String> log = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final List<Runnable> queued = new ArrayList<>();
    private RecordingNetworkActuator actuator;
    private RecordingHookRunner hooks;
    private FakeVipHost host;
    private VipReconciler reconciler;

    @BeforeEach
    void setUp() throws Exception {
        actuator = new RecordingNetworkActuator(clock::get, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), null);
        hooks = new RecordingHookRunner(log, clock);
        host = new FakeVipHost(log, snapshotAt(notHeld(0)));
        reconciler = reconciler(Runnable::run);
    }

    /** No withServices: a node without systemd runs hook-only services all the same. */
    private VipReconciler reconciler(Executor background) {
        return new VipReconciler(host, actuator, hooks, (vip, state) -> { },
                (type, object, message) -> events.add(type + " " + object),
                new VipReconciler.Settings("c1", "a", HOOK_TIMEOUT, Duration.ofMillis(50), RENEW), background,
                clock::get);
    }

    private FakeSnapshot snapshotAt(Lease l) {
        return new FakeSnapshot(clock.get(), List.of(FIP), Map.of("fip", l), Map.of());
    }

    private void lease(Lease l) {
        host.set(snapshotAt(l));
    }

    private static Lease held(long epoch) {
        return new Lease(true, true, epoch, 1800 * MS, epoch);
    }

    private static Lease notHeld(long epoch) {
        return new Lease(false, false, 0, 0, epoch);
    }

    private List<String> hookLog() {
        return log.stream().filter(l -> l.startsWith("hook ")).toList();
    }

    /** Holds the lease at {@code epoch}, waits out the successor's wait, and attaches. */
    private void attach(long epoch) throws Exception {
        lease(held(epoch));
        reconciler.reconcile("fip");
        clock.addAndGet(WAIT.toNanos());
        lease(held(epoch));
        reconciler.reconcile("fip");
    }

    @Test
    void theAttachRunsOnlyOnceThePreviousOwnersHooksMustHaveEndedAndTouchesNoLink() throws Exception {
        lease(held(3));
        Result first = reconciler.reconcile("fip");
        assertEquals(Result.requeueAfter(WAIT), first, "hook timeout + kill allowance + one renewal interval");
        assertEquals(List.of(), hookLog(), "a cut-off or frozen predecessor's hook may still be running");
        clock.addAndGet(WAIT.toNanos() - MS);
        lease(held(3));
        reconciler.reconcile("fip");
        assertEquals(List.of(), hookLog(), "1 ms early");
        clock.addAndGet(MS);
        lease(held(3));
        reconciler.reconcile("fip");

        assertEquals(List.of("hook pre_start", "hook post_start"), hookLog());
        assertTrue(actuator.addresses("eth0").isEmpty() && log.stream().noneMatch(l -> l.startsWith("release")),
                "nothing added to a link, nothing released: " + log);
        assertTrue(events.contains("Attached Service/fip"), events.toString());
        HookInvocation pre = hooks.of("pre_start").get(0);
        assertEquals("service", pre.env().get("LCS_RESOURCE_TYPE"));
        assertEquals("", pre.env().get("LCS_SYSTEMD_UNIT"));
        assertEquals("", pre.env().get("LCS_ADDRESS"));
        assertEquals("", pre.env().get("LCS_INTERFACE"));
        assertEquals("3", pre.env().get("LCS_EPOCH"));
        assertEquals("3", pre.env().get("LCS_LEASE_ID"));

        reconciler.reconcile("fip");
        reconciler.reannounce();
        assertEquals(List.of("hook pre_start", "hook post_start"), hookLog(), "attached once per epoch");
    }

    @Test
    void aLeaseThatGoesOrIsNotWantedDetachesWithTheAttachsEpoch() throws Exception {
        attach(3);
        lease(new Lease(true, false, 3, 1800 * MS, 3)); // moved away: a planned stop
        reconciler.reconcile("fip");
        assertEquals(List.of("hook pre_start", "hook post_start", "hook pre_stop", "hook post_stop"), hookLog());
        assertEquals("3", hooks.of("post_stop").get(0).env().get("LCS_EPOCH"));
        assertEquals(List.of("fip"), host.released);

        attach(5);
        lease(notHeld(6)); // lost: no pre_stop (it would run without a lease), the detach at once
        reconciler.reconcile("fip");
        assertEquals("hook post_stop", hookLog().get(hookLog().size() - 1));
        assertEquals(1, hooks.of("pre_stop").size(), "no pre_stop without the lease");
        assertEquals("5", hooks.of("post_stop").get(1).env().get("LCS_EPOCH"));
    }

    @Test
    void aCutOffOwnerDetachesWhileItsLeaseStillHasTheSlackLeft() throws Exception {
        attach(3);
        lease(new Lease(true, true, 3, VipReconciler.SLACK_NANOS + 10 * MS, 3)); // not renewed any more
        Result r = reconciler.reconcile("fip");
        assertEquals(Result.requeueAfter(Duration.ofMillis(10)), r, "looked at again exactly when the slack is reached");
        assertEquals(0, hooks.of("post_stop").size());
        lease(new Lease(true, true, 3, VipReconciler.SLACK_NANOS, 3));
        reconciler.reconcile("fip");
        assertEquals(1, hooks.of("post_stop").size(), "detached before the lease ends, so before another node may get it");
    }

    @Test
    void aVipDependingOnTheHookOnlyServiceIsAddedOnlyOnceTheAttachEnded() throws Exception {
        VipSpec route = new VipSpec("route", io.lcs.model.net.Cidr.parse("198.18.0.31/24"), "eth0", List.of(), null,
                null, null, null, "config", 1, new Grouping(null, null, null, List.of("fip")));
        List<String> order = List.of("fip", "route");
        java.util.function.Supplier<FakeSnapshot> unit = () -> new FakeSnapshot(clock.get(), List.of(FIP, route),
                Map.of("fip", held(3), "route", held(3)), Map.of(), Map.of(), Map.of("fip", order, "route", order));
        reconciler = reconciler(queued::add); // hooks run only when the test says
        host.set(unit.get());
        reconciler.reconcile("fip");
        clock.addAndGet(WAIT.toNanos());
        host.set(unit.get());
        reconciler.reconcile("fip");
        assertEquals(1, queued.size(), "the attach (pre_start) started and runs");
        reconciler.reconcile("route");
        assertTrue(actuator.addresses("eth0").isEmpty(), "the address waits for the attach to end");
        queued.remove(0).run();
        reconciler.reconcile("fip");
        host.set(unit.get());
        reconciler.reconcile("route");
        assertEquals(1, actuator.addresses("eth0").size(), "attached: the address follows");
    }

    @Test
    void anAttachStillRunningWhenTheLeaseGoesIsKilledAndDetached() throws Exception {
        reconciler = reconciler(queued::add); // hooks run only when the test says
        lease(held(3));
        reconciler.reconcile("fip");
        clock.addAndGet(WAIT.toNanos());
        lease(held(3));
        Result r = reconciler.reconcile("fip");
        assertEquals(1, queued.size(), "pre_start started");
        assertTrue(r instanceof Result.RequeueAfter, "waits for it: " + r);

        lease(notHeld(4));
        reconciler.reconcile("fip");
        assertTrue(events.contains("HookSkipped VirtualIP/fip"), "the attach was cut short: " + events);
        assertEquals(2, queued.size(), "post_stop queued behind it");
        queued.forEach(Runnable::run);
        assertEquals(List.of("hook post_stop"), hookLog(), "the cancelled attach never ran; the detach did");
        assertEquals(List.of("fip"), host.released);
    }

    @Test
    void aFailedAttachIsDetachedDeclinedAndReleased() throws Exception {
        hooks.answer("pre_start", 1, Duration.ZERO);
        attach(3);
        assertEquals(List.of("hook pre_start", "hook post_stop"), hookLog(), "a partial attach is undone");
        assertEquals(List.of("fip=true"), host.declines);
        assertEquals(List.of("fip"), host.released);
        assertFalse(events.contains("Attached Service/fip"));
    }

    @Test
    void aNewEpochHereAttachesAgainAfterTheWait() throws Exception {
        attach(3);
        lease(held(7)); // lost and got back without this node seeing the gap: another may have attached
        reconciler.reconcile("fip");
        assertEquals(1, hooks.of("pre_start").size(), "waits first");
        clock.addAndGet(WAIT.toNanos());
        lease(held(7));
        reconciler.reconcile("fip");
        assertEquals(2, hooks.of("pre_start").size());
        assertEquals("7", hooks.of("pre_start").get(1).env().get("LCS_EPOCH"));
    }

    @Test
    void lcsdStoppingDetaches() throws Exception {
        attach(3);
        reconciler.deactivateAll(Duration.ofSeconds(10));
        assertEquals("hook post_stop", hookLog().get(hookLog().size() - 1), hookLog().toString());
        assertEquals(List.of("fip"), host.released);
    }
}
