package io.lcs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.wire.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A node whose own loop stood still ({@link ClusterCore#tick(long, long, long)} with the stall the
 * driver measured) does not blame its peers for the silence it caused, yet a peer that really went
 * silent is still declared down, and a lease that could not be renewed in time is still lost.
 */
class OwnStallTest {
    private static final long MS = 1_000_000L;
    private static final long LEASE_MILLIS = 2_000;
    private static final long HASH = 42;

    private final List<CoreEvent> events = new ArrayList<>();
    private long now = 1_000 * MS;
    private long wall = 1_700_000_000_000L;

    private ClusterCore core(String... members) {
        List<CoreConfig.Member> list = new ArrayList<>();
        for (String m : members) {
            list.add(new CoreConfig.Member(m, true));
        }
        return new ClusterCore(CoreConfig.defaults("a", list, HASH, LEASE_MILLIS, 500), List.of(), java.util.Map.of(),
                now, new SplittableRandom(7));
    }

    /** Node a of a, b, c, having just heard b and c. */
    private ClusterCore heardFromBAndC() {
        ClusterCore core = core("a", "b", "c");
        heartbeat(core, "b");
        heartbeat(core, "c");
        return core;
    }

    private void heartbeat(ClusterCore core, String from) {
        core.receive(from, new Message.Heartbeat(HASH, from.hashCode(), core.storeDigest(), 0, now, 0, false,
                List.of(), 0), now);
        drain(core);
    }

    /** Advances both clocks by {@code millis} and ticks, the loop having stood still {@code stalledMillis} of it. */
    private void tick(ClusterCore core, long millis, long stalledMillis) {
        now += millis * MS;
        wall += millis;
        core.tick(now, wall, stalledMillis * MS);
        drain(core);
    }

    private void drain(ClusterCore core) {
        events.addAll(core.drain().events());
    }

    private List<String> peersDown() {
        return events.stream().filter(e -> e instanceof CoreEvent.PeerDown).map(e -> ((CoreEvent.PeerDown) e).peer())
                .toList();
    }

    @Test
    void peersHeardUntilOurOwnStallAreNotDownOnTheTickAfterItButOneThatStaysSilentIs() {
        ClusterCore core = heardFromBAndC();
        tick(core, 0, 0);
        assertTrue(core.hasQuorum());

        // the loop stood still 3 s: its 250 ms timer fired 2,750 ms late; the tick runs before the
        // frames that arrived meanwhile are read
        tick(core, 3_000, 2_750);
        assertEquals(List.of(), peersDown(), "our own stall is not the peers' silence");
        assertTrue(core.hasQuorum());

        heartbeat(core, "b"); // read right after the tick: b was alive all along; c is silent
        for (int i = 0; i < 3; i++) {
            tick(core, 250, 0);
        }
        assertEquals(List.of(), peersDown(), "c was heard 750 ms of listening ago: not yet");
        for (int i = 0; i < 2; i++) {
            tick(core, 250, 0);
            heartbeat(core, "b");
        }
        assertEquals(List.of("c"), peersDown(), "c, silent for the peer timeout of listening, is down");
        assertTrue(core.hasQuorum(), "b still counts");
    }

    @Test
    void withoutAReportedStallTheSameSilenceIsDeclaredAtOnce() {
        ClusterCore core = heardFromBAndC();
        tick(core, 0, 0);

        tick(core, 3_000, 0);

        assertEquals(List.of("b", "c"), peersDown(), "what a driver that measured no stall gets");
        assertFalse(core.hasQuorum());
    }

    @Test
    void aStallLongerThanTheTimeSinceTheLastTickCountsOnlyThatLong() {
        ClusterCore core = heardFromBAndC();
        tick(core, 250, 0);

        tick(core, 250, 3_600_000); // a driver's wrong figure cannot keep silent peers online forever
        assertEquals(List.of(), peersDown());
        for (int i = 0; i < 4; i++) {
            tick(core, 250, 0);
        }
        assertEquals(List.of("b", "c"), peersDown(), "silent for 1 s of listening after a 250 ms stall");
    }

    @Test
    void anOwnerWhoseLoopStoodStillPastItsLeaseStillLosesIt() {
        ClusterCore core = core("a"); // a one-node cluster: its own majority
        tick(core, 3 * LEASE_MILLIS, 0); // past the restart wait
        core.setLeaseWanted("web", true, now);
        for (int i = 0; i < 10 && !core.lease("web", now).held(); i++) {
            tick(core, 25, 0);
        }
        assertTrue(core.lease("web", now).held(), "acquired");

        tick(core, LEASE_MILLIS + 500, LEASE_MILLIS + 250); // could not renew: stood still past the lease

        assertTrue(events.stream().anyMatch(e -> e instanceof CoreEvent.LeaseLost l && l.vip().equals("web")),
                "the lease is lost whatever the reason it was not renewed: " + events);
    }
}
