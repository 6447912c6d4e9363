package io.lcs.reconcilers.vip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.config.Grouping;
import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.net.RecordingNetworkActuator;
import io.lcs.reconcilers.runtime.Result;
import io.lcs.reconcilers.service.ServiceUnits;
import io.lcs.reconcilers.service.UnitState;
import io.lcs.reconcilers.vip.VipHost.Lease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler with services: a unit runs only under this node's lease, after the stop budget
 * has passed since the lease was first seen (the fence against a cut-off predecessor); it is stopped
 * when the lease goes or is nearly over; a unit that ends by itself, is missing or masked, or does
 * not start, makes the node decline the service and release it; a unit running without a lease is
 * stopped; a keep-together VIP that depends on the service starts after it and goes before it.
 */
class VipReconcilerServiceTest {
    private static final long MS = 1_000_000L;
    private static final Duration BUDGET = Duration.ofMillis(1500);
    /** The successor's wait: the stop budget plus one renewal interval (500 ms here), the watchdog's margin. */
    private static final Duration WAIT = BUDGET.plusMillis(500);
    private static final String UNIT = "app.service";
    private static final VipSpec APP = VipSpec.service("app", UNIT, List.of(), null, null, null, null, "config", 1,
            Grouping.NONE, List.of(), false);
    private static final Cidr WEB_ADDRESS = Cidr.parse("198.18.0.12/24");
    private static final VipSpec WEB = new VipSpec("web", WEB_ADDRESS, "eth0", List.of(), null, null, null, null,
            "config", 1, new Grouping(null, null, null, List.of("app")));

    private final AtomicLong clock = new AtomicLong(1_000_000 * MS);
    private final List<String> releases = new ArrayList<>();
    private final List<String> declined = new ArrayList<>();
    private final FakeUnits units = new FakeUnits();
    private RecordingNetworkActuator actuator;
    private Lease lease;
    private List<VipSpec> specs = List.of(APP);
    private VipReconciler reconciler;
    private VipHost reconcilerHost;

    /** A call to systemd that could not be made. */
    static final class SystemdGone extends Exception {
        SystemdGone() {
            super("the D-Bus connection to systemd was lost");
        }
    }

    /** systemd in memory: each unit's state, and the calls made. */
    static final class FakeUnits implements ServiceUnits {
        final Map<String, UnitState> states = new HashMap<>();
        final List<String> calls = new ArrayList<>();
        String startResult = "done";
        boolean lcsdStopping;
        /** Stops to refuse (the unit keeps running, the job ends failed) before they work again. */
        int stopsToFail;
        /** The start job never ends by itself: the unit runs (activating) and the wait ends only when told. */
        boolean startHangs;
        /** systemd refuses the start (e.g. RefuseManualStart=yes): the call throws. */
        boolean startRefused;
        /** Stops whose call throws (the bus is gone) before they work again. */
        int stopsToThrow;
        int keepWaitingAsked;

        UnitState of(String unit) {
            return states.getOrDefault(unit, new UnitState(unit, "loaded", "inactive", "dead"));
        }

        @Override
        public UnitState state(String unit) {
            return of(unit);
        }

        @Override
        public UnitState read(String unit) {
            return of(unit);
        }

        @Override
        public boolean lcsdStopping() {
            return lcsdStopping;
        }

        @Override
        public void bind(String unit, Duration stopBudget) {
            calls.add("bind " + unit + " " + stopBudget.toMillis());
        }

        @Override
        public Job start(String unit, Duration timeout, java.util.function.BooleanSupplier keepWaiting) {
            calls.add("start " + unit);
            UnitState before = of(unit);
            if (!before.exists()) {
                return new Job("not-found", before);
            }
            if (startRefused) {
                throw new IllegalStateException(unit + ": systemd refused to start it: Operation refused");
            }
            if (startHangs) {
                states.put(unit, new UnitState(unit, "loaded", "activating", "start"));
                for (int i = 0; i < 1_000 && keepWaiting.getAsBoolean(); i++) {
                    keepWaitingAsked++;
                    onWait.run();
                }
                afterWait.run();
                return new Job("no-answer", of(unit));
            }
            if (startResult.equals("done")) {
                states.put(unit, new UnitState(unit, "loaded", "active", "running"));
            } else {
                states.put(unit, new UnitState(unit, "loaded", "failed", "failed"));
            }
            return new Job(startResult, of(unit));
        }

        @Override
        public Job stop(String unit, Duration timeout) throws SystemdGone {
            calls.add("stop " + unit);
            if (stopsToThrow > 0) {
                stopsToThrow--;
                throw new SystemdGone();
            }
            if (stopsToFail > 0) {
                stopsToFail--;
                return new Job("failed", of(unit));
            }
            states.put(unit, new UnitState(unit, "loaded", "inactive", "dead"));
            return new Job("done", of(unit));
        }

        /** Run each time a hanging start's wait asks whether to go on (the test moves time or the lease there). */
        Runnable onWait = () -> { };
        /** Run when a hanging start's wait ends, before the call returns. */
        Runnable afterWait = () -> { };

        boolean running(String unit) {
            return of(unit).mayRun();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        actuator = new RecordingNetworkActuator(clock::get, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), null);
        reconcilerHost = new VipHost() {
            @Override
            public Snapshot snapshot() {
                List<VipSpec> now = specs;
                Lease l = lease;
                long taken = clock.get();
                return new Snapshot() {
                    @Override
                    public long takenAtNanos() {
                        return taken;
                    }

                    @Override
                    public List<VipSpec> vips() {
                        return now;
                    }

                    @Override
                    public VipSpec vip(String name) {
                        return now.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
                    }

                    @Override
                    public Lease lease(String vip) {
                        return l;
                    }

                    @Override
                    public Map<String, Long> conflicts() {
                        return Map.of();
                    }

                    @Override
                    public Map<String, String> addressConflicts() {
                        return Map.of();
                    }

                    @Override
                    public List<String> unitMembers(String vip) {
                        return now.stream().map(VipSpec::name).toList();
                    }
                };
            }

            @Override
            public void release(String vip) {
                releases.add(vip);
            }

            @Override
            public void setDeclined(String vip, boolean d) {
                if (d) {
                    declined.add(vip);
                }
            }

            @Override
            public CompletionStage<WriteOutcome> write(Put put) {
                return CompletableFuture.completedFuture(new WriteOutcome(true, null));
            }
        };
        reconciler = new VipReconciler(reconcilerHost, actuator, invocation -> {
            throw new AssertionError("no hooks configured");
        }, (vip, state) -> { }, (type, object, message) -> { },
                new VipReconciler.Settings("c1", "a", Duration.ofSeconds(5), Duration.ofMillis(50),
                        Duration.ofMillis(500)), Runnable::run, clock::get)
                .withServices(units, BUDGET, Duration.ofSeconds(10));
    }

    private static Lease held(boolean wanted, long epoch) {
        return new Lease(true, wanted, epoch, 1800 * MS, epoch);
    }

    private static Lease notHeld(long epoch) {
        return new Lease(false, false, 0, 0, epoch);
    }

    /** Holds the lease at {@code epoch}, waits out the successor's wait, and reconciles: the start is tried. */
    private void holdAndTryToStart(long epoch) throws Exception {
        lease = held(true, epoch);
        reconciler.reconcile("app");
        clock.addAndGet(WAIT.toNanos());
        reconciler.reconcile("app");
    }

    /** Holds the lease, waits out the successor's wait, and starts the unit. */
    private void startApp() throws Exception {
        holdAndTryToStart(3);
        assertTrue(units.running(UNIT), "started: " + units.calls);
    }

    @Test
    void theUnitStartsOnlyOnceTheStopBudgetAndARenewalHavePassedSinceTheLeaseWasSeen() throws Exception {
        lease = held(true, 3);
        Result first = reconciler.reconcile("app");
        assertFalse(units.running(UNIT), "a predecessor cut off from the cluster may still be stopping its unit");
        assertEquals(Result.requeueAfter(WAIT), first);
        clock.addAndGet(WAIT.toNanos() - MS);
        reconciler.reconcile("app");
        assertFalse(units.running(UNIT), "1 ms early");
        clock.addAndGet(MS);
        reconciler.reconcile("app");
        assertTrue(units.running(UNIT));
        assertEquals(List.of("bind " + UNIT + " 1500", "start " + UNIT), units.calls,
                "bound to lcsd (with the stop budget) before it is started");
    }

    @Test
    void theSuccessorWaitIsNotSkippedForAnEpochNumberSeenUnderAnEarlierLease() throws Exception {
        startApp(); // held at epoch 3
        lease = notHeld(3); // it moved away
        reconciler.reconcile("app");
        assertFalse(units.running(UNIT));
        // its lease is now another (a group's), which counts its epochs from 1 and is here at 3 too
        lease = held(true, 3);
        reconciler.reconcile("app");
        assertFalse(units.running(UNIT), "the old owner may still be stopping it: the successor wait applies");
        clock.addAndGet(WAIT.toNanos());
        reconciler.reconcile("app");
        assertTrue(units.running(UNIT));
    }

    @Test
    void itStopsWhenTheLeaseGoesOrIsNotWanted() throws Exception {
        startApp();
        lease = held(false, 3);
        reconciler.reconcile("app");
        assertFalse(units.running(UNIT));
        assertEquals(List.of("app"), releases);
        startApp();
        lease = notHeld(4);
        reconciler.reconcile("app");
        assertFalse(units.running(UNIT), "no lease: it stops at once");
    }

    @Test
    void aCutOffOwnerStopsItsUnitWhileItsLeaseStillHasTheSlackLeft() throws Exception {
        startApp();
        // no renewal: the lease runs down; at the slack (350 ms) the unit must go
        lease = new Lease(true, true, 3, VipReconciler.SLACK_NANOS + 10 * MS, 3);
        Result r = reconciler.reconcile("app");
        assertTrue(units.running(UNIT));
        assertEquals(Result.requeueAfter(Duration.ofMillis(10)), r, "looked at again exactly when the slack is reached");
        lease = new Lease(true, true, 3, VipReconciler.SLACK_NANOS, 3);
        reconciler.reconcile("app");
        assertFalse(units.running(UNIT), "stopped before the lease ends, so before any other node may get it");
    }

    @Test
    void aUnitThatEndsByItselfIsAFailureOfThisNode() throws Exception {
        startApp();
        units.states.put(UNIT, new UnitState(UNIT, "loaded", "failed", "failed"));
        reconciler.reconcile("app");
        assertEquals(List.of("app"), declined, "declined here, so placement picks another node");
        assertEquals(List.of("app"), releases);
        assertTrue(units.calls.get(units.calls.size() - 1).startsWith("stop "), "stopped (failed state reset)");
    }

    @Test
    void aUnitStoppedBySystemctlStopLcsdIsNoFailure() throws Exception {
        startApp();
        units.lcsdStopping = true;
        units.states.put(UNIT, new UnitState(UNIT, "loaded", "inactive", "dead"));
        reconciler.reconcile("app");
        assertEquals(List.of(), declined);
        assertEquals(List.of(), releases, "lcsd's own stop releases it, with the hooks");
    }

    @Test
    void aMissingOrMaskedUnitOrAFailedStartDeclinesTheService() throws Exception {
        units.states.put(UNIT, new UnitState(UNIT, "not-found", "inactive", "dead"));
        lease = held(true, 3);
        reconciler.reconcile("app");
        clock.addAndGet(WAIT.toNanos());
        reconciler.reconcile("app");
        assertEquals(List.of("app"), declined);
        assertEquals(List.of("app"), releases);
        assertFalse(units.calls.contains("start " + UNIT), "nothing to start");

        setUp();
        declined.clear();
        releases.clear();
        units.states.clear();
        units.startResult = "failed";
        lease = held(true, 5);
        reconciler.reconcile("app");
        clock.addAndGet(WAIT.toNanos());
        reconciler.reconcile("app");
        assertEquals(List.of("app"), declined);
        assertFalse(units.running(UNIT), "a failed start is stopped again");
        assertEquals(List.of("app"), releases);
    }

    @Test
    void aStartStillRunningWhenItsLeaseEndsIsNoLongerWaitedForAndTheUnitIsStopped() throws Exception {
        units.startHangs = true; // e.g. Type=notify: its processes run, the job has not ended
        units.onWait = () -> {
            if (units.keepWaitingAsked == 5) {
                lease = notHeld(4); // cut off meanwhile: another node may get the lease
            }
        };
        lease = held(true, 3);
        reconciler.reconcile("app");
        clock.addAndGet(WAIT.toNanos());
        Result r = reconciler.reconcile("app");
        assertEquals(5, units.keepWaitingAsked, "the wait ends as soon as the lease does, not at the start timeout");
        assertEquals(Result.requeueAfter(Duration.ofMillis(1)), r, "looked at again at once");
        assertTrue(units.running(UNIT));
        reconciler.reconcile("app");
        assertFalse(units.running(UNIT), "stopped: " + units.calls);
        assertEquals(List.of(), declined, "a lease lost while starting is no failure of the unit");
    }

    @Test
    void aStartGivenUpForALeaseThatThenRecoversIsNoFailure() throws Exception {
        units.startHangs = true;
        units.onWait = () -> {
            if (units.keepWaitingAsked == 3) {
                lease = new Lease(true, true, 3, VipReconciler.SLACK_NANOS, 3); // renewals late: only the slack left
            }
        };
        units.afterWait = () -> lease = held(true, 3); // a late renewal arrives as the wait ends
        lease = held(true, 3);
        reconciler.reconcile("app");
        clock.addAndGet(WAIT.toNanos());
        Result r = reconciler.reconcile("app");
        assertEquals(Result.requeueAfter(Duration.ofMillis(1)), r, "looked at again, not taken for a start that failed");
        reconciler.reconcile("app");
        assertEquals(List.of(), declined, "the wait was given up for the lease, not timed out");
        assertEquals(List.of(), releases);
        assertTrue(units.running(UNIT), "kept: it is starting under a lease held again");
    }

    @Test
    void aStopThatFailsKeepsTheLeaseUntilTheUnitIsStopped() throws Exception {
        startApp();
        units.stopsToFail = 1;
        lease = held(false, 3); // moved away
        reconciler.reconcile("app");
        assertTrue(units.running(UNIT));
        assertEquals(List.of(), releases, "not released while the unit may still run: the next owner would start it");
        assertEquals(1, reconciler.unitStopsFailed());
        reconciler.reconcile("app");
        assertFalse(units.running(UNIT));
        assertEquals(List.of("app"), releases, "released once it stopped");
    }

    @Test
    void aFailedStartWhoseStopFailsTooIsDeclinedButNotReleased() throws Exception {
        units.startHangs = true; // never ends: the start times out with the unit activating
        units.stopsToFail = 1;
        lease = held(true, 3);
        reconciler.reconcile("app");
        clock.addAndGet(WAIT.toNanos());
        reconciler.reconcile("app");
        assertEquals(List.of("app"), declined);
        assertTrue(units.running(UNIT));
        assertEquals(List.of(), releases, "the unit may still run here");
        lease = held(false, 3); // placement moved it; the stop grace keeps the lease renewed
        reconciler.reconcile("app");
        assertFalse(units.running(UNIT));
        assertEquals(List.of("app"), releases);
    }

    /** The service with pre_start and post_stop, on a reconciler whose hooks record what ran and when. */
    private List<String> withStartAndStopHooks() {
        List<String> ran = new ArrayList<>();
        specs = List.of(VipSpec.service("app", UNIT, List.of(), "/hooks/pre_start", null, "/hooks/pre_stop",
                "/hooks/post_stop", "config", 1, Grouping.NONE, List.of(), false));
        reconciler = new VipReconciler(reconcilerHost, actuator, invocation -> {
            ran.add(invocation.event() + (units.running(UNIT) ? " (unit running)" : " (unit stopped)"));
            return new io.lcs.reconcilers.hook.HookResult(0, false, Duration.ZERO, "");
        }, (vip, state) -> { }, (type, object, message) -> { },
                new VipReconciler.Settings("c1", "a", Duration.ofSeconds(5), Duration.ofMillis(50),
                        Duration.ofMillis(500)), Runnable::run, clock::get)
                .withServices(units, BUDGET, Duration.ofSeconds(10));
        return ran;
    }

    @Test
    void aFailedStartRunsPostStopOnceTheUnitIsStoppedWhetherTheStopWorksAtOnceOrLater() throws Exception {
        List<String> ran = withStartAndStopHooks();
        units.startResult = "failed";
        holdAndTryToStart(3);
        assertEquals(List.of("app"), declined);
        assertEquals(List.of("app"), releases);
        assertEquals(List.of("pre_start (unit stopped)", "post_stop (unit stopped)"), ran,
                "post_stop undoes pre_start's work here before another node's pre_start does it");

        setUp();
        declined.clear();
        releases.clear();
        units.states.clear();
        ran = withStartAndStopHooks();
        units.startHangs = true; // the start times out with the unit activating
        units.stopsToFail = 1; // and its first stop fails
        holdAndTryToStart(3);
        assertEquals(List.of("pre_start (unit stopped)"), ran, "no post_stop while the unit may still run");
        lease = held(false, 3);
        reconciler.reconcile("app");
        assertEquals(List.of("pre_start (unit stopped)", "post_stop (unit stopped)"), ran, "the same as at once");
        assertEquals(List.of("app"), releases);
    }

    @Test
    void aStopAfterAFailedStartThatCouldNotBeMadeLeavesTheNextStopAFullOne() throws Exception {
        List<String> ran = withStartAndStopHooks();
        units.startResult = "failed";
        units.stopsToThrow = 1;
        org.junit.jupiter.api.Assertions.assertThrows(SystemdGone.class, () -> holdAndTryToStart(3));
        units.states.put(UNIT, new UnitState(UNIT, "loaded", "active", "running")); // systemd's Restart= brought it up
        reconciler.reconcile("app");
        assertTrue(units.running(UNIT), "kept: it runs under the lease");
        lease = held(false, 3); // moved away: a planned stop of a unit that is up
        reconciler.reconcile("app");
        assertEquals(List.of("pre_start (unit stopped)", "pre_stop (unit running)", "post_stop (unit stopped)"), ran);
    }

    @Test
    void aUnitThatEndsByItselfIsStoppedThenPostStopRunsAndTheLeaseIsReleased() throws Exception {
        List<String> ran = withStartAndStopHooks();
        startApp();
        units.states.put(UNIT, new UnitState(UNIT, "loaded", "failed", "failed"));
        reconciler.reconcile("app");
        assertEquals(List.of("app"), declined);
        assertEquals(List.of("app"), releases);
        assertEquals(List.of("pre_start (unit stopped)", "post_stop (unit stopped)"), ran);
    }

    @Test
    void aStartSystemdRefusesDeclinesTheServiceInsteadOfHoldingItsLease() throws Exception {
        units.startRefused = true;
        lease = held(true, 3);
        reconciler.reconcile("app");
        clock.addAndGet(WAIT.toNanos());
        reconciler.reconcile("app"); // threw out of the reconcile before: retried with the lease held, for ever
        assertEquals(List.of("app"), declined, "another node takes it");
        assertEquals(List.of("app"), releases);
        assertEquals("stop " + UNIT, units.calls.get(units.calls.size() - 1), "stopped in case it runs: " + units.calls);
    }

    @Test
    void aUnitRunningWithoutALeaseIsStopped() throws Exception {
        units.states.put(UNIT, new UnitState(UNIT, "loaded", "active", "running"));
        lease = notHeld(2);
        reconciler.reconcile("app");
        assertFalse(units.running(UNIT));
    }

    @Test
    void startupCleanupStopsEveryConfiguredUnitThatRuns() {
        units.states.put(UNIT, new UnitState(UNIT, "loaded", "active", "running"));
        units.states.put("other.service", new UnitState("other.service", "loaded", "inactive", "dead"));
        VipSpec other = VipSpec.service("other", "other.service", List.of(), null, null, null, null, "config", 1,
                Grouping.NONE, List.of(), false);
        assertEquals(1, VipReconciler.stopUnheldUnits(units, List.of(APP, other, WEB), BUDGET));
        assertEquals(List.of("stop " + UNIT), units.calls);
    }

    @Test
    void aVipDependingOnTheServiceStartsAfterItAndGoesBeforeIt() throws Exception {
        specs = List.of(APP, WEB);
        lease = held(true, 3);
        reconciler.reconcile("web");
        assertTrue(actuator.addresses("eth0").isEmpty(), "web waits for app");
        startApp();
        reconciler.reconcile("web");
        assertTrue(actuator.addresses("eth0").stream().anyMatch(a -> a.sameAddress(WEB_ADDRESS)));
        lease = held(false, 3);
        reconciler.reconcile("app");
        assertTrue(units.running(UNIT), "app stays while web, which depends on it, is still up");
        reconciler.reconcile("web");
        assertTrue(actuator.addresses("eth0").isEmpty());
        reconciler.reconcile("app");
        assertFalse(units.running(UNIT));
    }

    @Test
    void aVipDependingOnTheServiceWaitsWhileItsUnitIsNotActive() throws Exception {
        specs = List.of(APP, WEB);
        startApp();
        units.states.put(UNIT, new UnitState(UNIT, "loaded", "activating", "auto-restart")); // systemd restarts it
        reconciler.reconcile("web");
        assertTrue(actuator.addresses("eth0").isEmpty(), "web waits: app is managed here but not up");
        units.states.put(UNIT, new UnitState(UNIT, "loaded", "active", "running"));
        reconciler.reconcile("web");
        assertTrue(actuator.addresses("eth0").stream().anyMatch(a -> a.sameAddress(WEB_ADDRESS)), "app is up: web follows");
    }
}
