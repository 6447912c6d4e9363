package io.lcs.reconcilers.vip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.config.Grouping;
import io.lcs.model.net.Cidr;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The VIP reconciler with a unit of two VIPs that share one lease ({@code web} depends on
 * {@code db}): members start in dependency order once the lease is held, stop in reverse, and the
 * lease is released only by the last member to go; a stopped member goes alone.
 */
class VipReconcilerUnitOrderTest {
    private static final long SECOND = 1_000_000_000L;
    private static final String IF = "eth0";
    private static final Cidr DB = Cidr.parse("198.18.0.11/24");
    private static final Cidr WEB = Cidr.parse("198.18.0.12/24");
    private static final VipSpec DB_SPEC = spec("db", DB, List.of());
    private static final VipSpec WEB_SPEC = spec("web", WEB, List.of("db"));

    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final List<String> releases = new ArrayList<>();
    private RecordingNetworkActuator actuator;
    private Snap snapshot;
    private VipReconciler reconciler;

    /** The unit's lease (the same for both members) and the stopped VIPs. */
    private record Snap(long takenAtNanos, Lease unitLease, Set<String> stoppedVips) implements VipHost.Snapshot {
        @Override
        public List<VipSpec> vips() {
            return List.of(DB_SPEC, WEB_SPEC);
        }

        @Override
        public VipSpec vip(String name) {
            return name.equals("db") ? DB_SPEC : name.equals("web") ? WEB_SPEC : null;
        }

        @Override
        public Lease lease(String vip) {
            return unitLease;
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
        public boolean stopped(String vip) {
            return stoppedVips.contains(vip);
        }

        @Override
        public List<String> unitMembers(String vip) {
            return List.of("db", "web");
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        actuator = new RecordingNetworkActuator(clock::get, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), null);
        VipHost host = new VipHost() {
            @Override
            public Snapshot snapshot() {
                return snapshot;
            }

            @Override
            public void release(String vip) {
                releases.add(vip);
            }

            @Override
            public void setDeclined(String vip, boolean declined) {
            }

            @Override
            public CompletionStage<WriteOutcome> write(Put put) {
                return CompletableFuture.completedFuture(new WriteOutcome(true, null));
            }
        };
        reconciler = new VipReconciler(host, actuator, invocation -> {
            throw new AssertionError("no hooks configured");
        }, (vip, state) -> { }, (type, object, message) -> { },
                new VipReconciler.Settings("c1", "a", Duration.ofSeconds(5), Duration.ofMillis(50),
                        Duration.ofMillis(500)), Runnable::run, clock::get);
    }

    @Test
    void aDependantWaitsForItsDependencyThenStarts() throws Exception {
        snapshot = new Snap(clock.get(), held(true), Set.of());

        Result waiting = reconciler.reconcile("web");

        assertFalse(present(WEB), "web must not start before db is active here");
        assertEquals(Result.requeueAfter(VipReconciler.ORDER_RECHECK), waiting);
        reconciler.reconcile("db");
        assertTrue(present(DB));
        reconciler.reconcile("web");
        assertTrue(present(WEB), "web starts once db is active");
    }

    @Test
    void theUnitStopsInReverseOrderAndOnlyTheLastMemberReleases() throws Exception {
        startBoth();
        snapshot = new Snap(clock.get(), held(false), Set.of()); // placement moved the unit away

        reconciler.reconcile("db");
        assertTrue(present(DB), "db stays until web, which depends on it, is gone");
        assertEquals(List.of(), releases);

        reconciler.reconcile("web");
        assertFalse(present(WEB));
        assertEquals(List.of(), releases, "db is still active here: the unit's lease must not go yet");

        reconciler.reconcile("db");
        assertFalse(present(DB));
        assertEquals(List.of("db"), releases, "released once, by the last member to go");
    }

    @Test
    void aStoppedDependencyTakesItsDependantsDownFirstAndKeepsTheLease() throws Exception {
        startBoth();
        snapshot = new Snap(clock.get(), held(true), Set.of("db")); // lcs stop db

        reconciler.reconcile("db");
        assertTrue(present(DB), "db waits for web to stop first");
        reconciler.reconcile("web");
        assertFalse(present(WEB), "web cannot run without db");
        reconciler.reconcile("db");
        assertFalse(present(DB));
        assertEquals(List.of(), releases, "the unit is still wanted here (lcs start db brings both back)");
        assertEquals("dependency db stopped by an operator", VipReconciler.whyNotRunning(snapshot, "web"));
    }

    @Test
    void aStoppedDependantGoesAloneWhileItsDependencyRuns() throws Exception {
        startBoth();
        snapshot = new Snap(clock.get(), held(true), Set.of("web"));

        reconciler.reconcile("web");
        reconciler.reconcile("db");

        assertFalse(present(WEB));
        assertTrue(present(DB), "db does not depend on web");
        assertEquals(List.of(), releases);
    }

    private void startBoth() throws Exception {
        snapshot = new Snap(clock.get(), held(true), Set.of());
        reconciler.reconcile("db");
        reconciler.reconcile("web");
        assertTrue(present(DB) && present(WEB), "both active");
    }

    private static Lease held(boolean wanted) {
        return new Lease(true, wanted, 3, 5 * SECOND, 3);
    }

    private boolean present(Cidr cidr) throws Exception {
        return actuator.addresses(IF).stream().anyMatch(a -> a.sameAddress(cidr));
    }

    private static VipSpec spec(String name, Cidr address, List<String> dependsOn) {
        return new VipSpec(name, address, IF, List.of(), null, null, null, null, "config", 1,
                new Grouping(null, null, null, dependsOn));
    }
}
