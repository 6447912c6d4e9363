package io.lcs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.wire.Message;
import io.lcs.model.wire.Message.CheckReport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Health-check results travel with heartbeats, changes only, until each peer acknowledged them. */
class CheckReportsTest {
    static final long HASH = 42;
    static final long MS = 1_000_000L;
    static final List<CoreConfig.Member> MEMBERS = List.of(new CoreConfig.Member("a", true),
            new CoreConfig.Member("b", true));

    final Outbox outA = new Outbox();
    final Outbox outB = new Outbox();
    long now = 1_000 * MS;
    final Membership a = new Membership(CoreConfig.defaults("a", MEMBERS, HASH, 2_000, 500), 7, now, outA);
    final Membership b = new Membership(CoreConfig.defaults("b", MEMBERS, HASH, 2_000, 500), 9, now, outB);

    /** One heartbeat round: a → b on a's timer (a leads their link), b → a in answer; returns what a sent. */
    Message.Heartbeat exchange() {
        now += 250 * MS;
        a.sendHeartbeats(now, 0, 0, 0);
        Message.Heartbeat fromA = only(outA.drain());
        b.onHeartbeat("a", fromA, now);
        assertTrue(b.answerDue("a", now, 0));
        b.sendHeartbeat("a", now, 0, 0, 0, 0, Leases.RenewalAck.NONE);
        a.onHeartbeat("b", only(outB.drain()), now);
        return fromA;
    }

    static Message.Heartbeat only(Ready r) {
        List<Message.Heartbeat> hbs = new ArrayList<>();
        for (Ready.Outbound o : r.messages()) {
            hbs.add((Message.Heartbeat) o.message());
        }
        assertEquals(1, hbs.size());
        return hbs.get(0);
    }

    @Test
    void aChangeTravelsUntilAcknowledgedThenOnlyItsGeneration() {
        assertNull(exchange().checks(), "no checks, nothing sent");
        List<CheckReport> failing = List.of(new CheckReport("web", false, "failing 3/3: connection refused"));
        a.setCheckReports(failing);
        assertTrue(a.heartbeatDue(now), "a change goes out at once");
        Message.Heartbeat first = exchange();
        assertEquals(failing, first.checks());
        assertEquals(failing, b.checkReports("a"));
        Message.Heartbeat second = exchange(); // b's answer to the first acknowledged it
        assertNull(second.checks(), "acknowledged: not sent again");
        assertEquals(first.checkGeneration(), second.checkGeneration());

        a.setCheckReports(failing); // the same results: no new generation
        assertNull(exchange().checks());
        List<CheckReport> passing = List.of(new CheckReport("web", true, "passing"));
        a.setCheckReports(passing);
        Message.Heartbeat third = exchange();
        assertNotEquals(first.checkGeneration(), third.checkGeneration());
        assertEquals(passing, b.checkReports("a"));
    }

    @Test
    void aLostHeartbeatIsMadeUpByTheNextOne() {
        a.setCheckReports(List.of(new CheckReport("web", false, "failing")));
        now += 250 * MS;
        a.sendHeartbeats(now, 0, 0, 0);
        outA.drain(); // lost
        Message.Heartbeat again = exchange();
        assertEquals(1, again.checks().size(), "not acknowledged yet: sent again");
        assertEquals("failing", b.checkReports("a").get(0).summary());
    }

    @Test
    void aPeersReportsAreBoundedAndARestartForgetsThem() {
        List<CheckReport> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add(new CheckReport("c" + i, false, "x".repeat(1000)));
        }
        many.add(0, new CheckReport(null, true, null));
        b.onHeartbeat("a", new Message.Heartbeat(HASH, 7, 0, 0, now, 0, false, List.of(), 0, 0, 0, 0, "", 5, 0, many), now);
        List<CheckReport> stored = b.checkReports("a");
        assertEquals(CheckReport.MAX_REPORTS, stored.size());
        assertEquals("c0", stored.get(0).check(), "the nameless entry is dropped");
        assertEquals(CheckReport.MAX_SUMMARY_CHARS, stored.get(0).summary().length());
        b.onHeartbeat("a", new Message.Heartbeat(HASH, 8, 0, 0, now, 0, false, List.of(), 0), now);
        assertEquals(List.of(), b.checkReports("a"), "a new incarnation reports afresh");
    }
}
