package io.lcs.reconcilers.net;

import static io.lcs.reconcilers.net.NetnsTestSupport.CI;
import static io.lcs.reconcilers.net.NetnsTestSupport.RUNNER;
import static io.lcs.reconcilers.net.NetnsTestSupport.root;
import static io.lcs.reconcilers.net.NetnsTestSupport.run;

import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.process.CommandResult;
import io.lcs.reconcilers.process.ProcessCommandRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link IpSession} with real processes. The namespace tests create {@code lcsip-<random>} with a
 * veth pair {@code v0}/{@code v1} (198.18.0.0/15, 2001:db8::/32 only) and always delete it; they need
 * root and are skipped otherwise, except with CI=true (where they must run). The stand-in tests
 * ({@code cat}, {@code sh}) need nothing.
 */
class IpSessionIT {
    private String ns;
    private IpRouteActuator actuator;
    private IpSession standIn;



    private void namespace() throws Exception {
        assumeTrue(root() || CI, "IpSessionIT needs root to create a network namespace: skipping (run as root, as CI does)");
        ns = "lcsip-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
        run("ip", "netns", "add", ns);
        run("ip", "-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
        run("ip", "-n", ns, "link", "set", "v0", "up");
        run("ip", "-n", ns, "link", "set", "v1", "up");
        actuator = new IpRouteActuator(RUNNER, ns, Duration.ofSeconds(2), true);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (actuator != null) {
            actuator.closeSession();
        }
        if (standIn != null) {
            standIn.close();
        }
        if (ns != null) {
            RUNNER.run(List.of("ip", "netns", "del", ns), Duration.ofSeconds(10));
        }
    }

    private Map<Cidr, InterfaceAddress> onV0() throws Exception {
        Map<Cidr, InterfaceAddress> out = new HashMap<>();
        for (InterfaceAddress a : actuator.addresses("v0")) {
            out.put(a.cidr(), a);
        }
        return out;
    }

    private static String firstError(List<AddressChange.Outcome> outcomes) {
        return outcomes.stream().filter(o -> !o.ok()).findFirst().map(o -> o.error().getMessage()).orElse("none");
    }

    @Test
    void addsRefreshesListsAndRemovesThroughOneIpProcess() throws Exception {
        namespace();
        Cidr v4 = Cidr.parse("198.18.0.10/16");
        Cidr v6 = Cidr.parse("2001:db8::10/64");
        List<AddressChange.Outcome> added = actuator.apply(List.of(
                new AddressChange.Add(v4, "v0", Duration.ofSeconds(30)),
                new AddressChange.Add(v6, "v0", Duration.ofSeconds(30))));
        assertTrue(added.stream().allMatch(AddressChange.Outcome::ok), firstError(added));
        Map<Cidr, InterfaceAddress> present = onV0();
        assertTrue(present.get(v4).validLifetime().seconds() <= 30, present.toString());
        assertTrue(present.get(v6).validLifetime().seconds() <= 30, present.toString());

        List<AddressChange.Outcome> refreshed = actuator.apply(List.of(
                new AddressChange.Refresh(v4, "v0", Duration.ofSeconds(200)),
                new AddressChange.Refresh(v6, "v0", Duration.ofSeconds(200)),
                new AddressChange.Refresh(Cidr.parse("198.18.0.11/16"), "v0", Duration.ofSeconds(200))));
        assertTrue(refreshed.get(0).ok() && refreshed.get(1).ok(), firstError(refreshed));
        assertInstanceOf(AddressNotFoundException.class, refreshed.get(2).error(), "a refresh never re-adds");
        present = onV0();
        assertTrue(present.get(v4).validLifetime().seconds() > 190, present.toString());
        assertFalse(present.containsKey(Cidr.parse("198.18.0.11/16")));

        // errors read as without the session: the command, then ip's own message
        List<AddressChange.Outcome> bad = actuator.apply(List.of(
                new AddressChange.Add(Cidr.parse("198.18.0.12/16"), "nope0", Duration.ofSeconds(30))));
        assertInstanceOf(NoSuchInterfaceException.class, bad.get(0).error());
        assertTrue(bad.get(0).error().getMessage().startsWith("ip -n " + ns + " addr add 198.18.0.12/16 dev nope0"),
                bad.get(0).error().getMessage());
        NoSuchInterfaceException missing = org.junit.jupiter.api.Assertions.assertThrows(NoSuchInterfaceException.class,
                () -> actuator.addresses("nope0"));
        assertTrue(missing.getMessage().contains("ip -n " + ns + " addr show dev nope0"), missing.getMessage());
        assertTrue(actuator.link("v0").exists());
        assertFalse(actuator.link("nope0").exists());
        actuator.refreshLifetime(v4, "v0", Duration.ofSeconds(100));
        actuator.removeAddress(Cidr.parse("198.18.0.99/16"), "v0"); // absent: success

        List<AddressChange.Outcome> removed = actuator.apply(List.of(
                new AddressChange.Remove(v4, "v0"), new AddressChange.Remove(v6, "v0")));
        assertTrue(removed.stream().allMatch(AddressChange.Outcome::ok), firstError(removed));
        assertFalse(onV0().containsKey(v4));
        assertFalse(onV0().containsKey(v6));
        assertEquals(1, actuator.session().starts(), "every command went to the one ip process");
    }

    @Test
    void aKilledIpIsRestartedAndItsInFlightChangesAreReportedFailed() throws Exception {
        namespace();
        actuator.addresses("v0"); // start the session
        long pid = actuator.session().pid();
        assertTrue(pid > 0);
        run("kill", "-STOP", Long.toString(pid)); // it reads nothing more: the next request stays in flight
        Cidr v4 = Cidr.parse("198.18.0.20/16");
        CompletableFuture<List<AddressChange.Outcome>> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return actuator.apply(List.of(new AddressChange.Add(v4, "v0", Duration.ofSeconds(30))));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertFalse(inFlight.isDone(), "the request waits for the stopped ip");
        run("kill", "-KILL", Long.toString(pid));
        List<AddressChange.Outcome> outcome = inFlight.get(5, TimeUnit.SECONDS);
        assertNotNull(outcome.get(0).error(), "an add ip never ran is not reported done");
        assertTrue(outcome.get(0).error().getMessage().contains("not there after the batch"),
                outcome.get(0).error().getMessage());
        assertFalse(onV0().containsKey(v4));
        assertEquals(2, actuator.session().starts(), "the confirming listing started a fresh ip");
        assertNotEquals(pid, actuator.session().pid());

        // and the fresh process counts lines from 1 again: failures are attributed correctly
        List<AddressChange.Outcome> next = actuator.apply(List.of(
                new AddressChange.Remove(Cidr.parse("198.18.0.21/16"), "v0"),
                new AddressChange.Add(v4, "v0", Duration.ofSeconds(30)),
                new AddressChange.Add(v4, "nope0", Duration.ofSeconds(30))));
        assertNull(next.get(0).error());
        assertNull(next.get(1).error());
        assertInstanceOf(NoSuchInterfaceException.class, next.get(2).error());
        assertTrue(onV0().containsKey(v4));
    }

    @Test
    void aThousandAddressesAreAddedRefreshedAndListedThroughTheSession() throws Exception {
        namespace();
        List<Cidr> vips = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            vips.add(Cidr.parse("198.18." + (1 + i / 250) + "." + (1 + i % 250) + "/16"));
        }
        List<AddressChange> adds = new ArrayList<>();
        List<AddressChange> refreshes = new ArrayList<>();
        List<AddressChange> removes = new ArrayList<>();
        for (Cidr c : vips) {
            adds.add(new AddressChange.Add(c, "v0", Duration.ofSeconds(30)));
            refreshes.add(new AddressChange.Refresh(c, "v0", Duration.ofSeconds(300)));
            removes.add(new AddressChange.Remove(c, "v0"));
        }
        long t0 = System.nanoTime();
        List<AddressChange.Outcome> added = actuator.apply(adds);
        long addMillis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(added.stream().allMatch(AddressChange.Outcome::ok), firstError(added));
        long t1 = System.nanoTime();
        List<AddressChange.Outcome> refreshed = actuator.apply(refreshes);
        long refreshMillis = (System.nanoTime() - t1) / 1_000_000;
        assertTrue(refreshed.stream().allMatch(AddressChange.Outcome::ok), firstError(refreshed));
        Map<Cidr, InterfaceAddress> present = onV0();
        for (Cidr c : vips) {
            InterfaceAddress a = present.get(c);
            assertTrue(a != null && a.validLifetime().seconds() > 290, c + ": " + a);
        }
        long t2 = System.nanoTime();
        List<AddressChange.Outcome> removed = actuator.apply(removes);
        long removeMillis = (System.nanoTime() - t2) / 1_000_000;
        assertTrue(removed.stream().allMatch(AddressChange.Outcome::ok), firstError(removed));
        assertTrue(onV0().keySet().stream().noneMatch(vips::contains));
        // three batches of 1,000 changes: each one retires its process (RECYCLE_AFTER_CHANGES)
        assertTrue(actuator.session().starts() <= 4, "ip processes: " + actuator.session().starts());
        System.out.printf("IpSessionIT 1000 addresses through the session: add %d ms, refresh %d ms, remove %d ms%n",
                addMillis, refreshMillis, removeMillis);
    }

    @Test
    void aSessionIsRetiredAfterSoManyChangesAndTheNextRequestRunsOnAFreshProcess() throws Exception {
        // a stand-in for ip: runs every line silently, fails the sentinel with its line number
        standIn = new IpSession(List.of("sh", "-c",
                "n=0; while read l; do n=$((n+1)); case \"$l\" in lcs-sync-*) echo \"Command failed -:$n\";; esac; done"));
        List<IpSession.Command> changes = new java.util.ArrayList<>();
        for (int i = 0; i < IpSession.RECYCLE_AFTER_CHANGES - 1; i++) {
            changes.add(IpSession.Command.change(List.of("addr", "change", "198.18.0." + (i % 250 + 1) + "/24",
                    "dev", "eth0")));
        }
        IpSession.Reply first = standIn.execute(changes, Duration.ofSeconds(10));
        assertTrue(first.complete(), String.valueOf(first.problem()));
        long pid = standIn.pid();
        IpSession.Reply second = standIn.execute(changes.subList(0, 1), Duration.ofSeconds(10));
        assertTrue(second.complete(), String.valueOf(second.problem()));
        assertEquals(1, standIn.starts(), "below the limit: the same process");
        assertEquals(pid, standIn.pid());

        IpSession.Reply third = standIn.execute(changes.subList(0, 3), Duration.ofSeconds(10));
        assertTrue(third.complete(), String.valueOf(third.problem()));
        assertEquals(2, standIn.starts(), "at the limit the process is retired and a fresh one runs the request");
        assertTrue(pid != standIn.pid());
        assertTrue(third.results().stream().allMatch(r -> r instanceof IpSession.LineResult.Done), third.results().toString());
    }

    @Test
    void aReplyThatNeverComesTimesOutAndTheNextRequestStartsAFreshProcess() throws Exception {
        standIn = new IpSession(List.of("cat")); // echoes the request: never the end line ip would print
        List<IpSession.Command> one = List.of(IpSession.Command.change(List.of("addr", "del", "198.18.0.1/32", "dev", "v0")));
        long t0 = System.nanoTime();
        IpSession.Reply r = standIn.execute(one, Duration.ofMillis(300));
        long waited = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(r.timedOut(), r.toString());
        assertEquals(new IpSession.LineResult.Unknown(), r.results().get(0));
        assertTrue(waited >= 300 && waited < 3000, waited + " ms");
        long firstPid = standIn.pid();
        assertEquals(-1, firstPid, "the process was destroyed");
        standIn.execute(one, Duration.ofMillis(100));
        assertEquals(2, standIn.starts());
    }

    @Test
    void outputThatDoesNotFitTheProtocolEndsTheRequestAsUnknown() throws Exception {
        standIn = new IpSession(List.of("sh", "-c", "read l; read l; echo 'Command failed -:99'; sleep 10"));
        List<IpSession.Command> one = List.of(IpSession.Command.change(List.of("addr", "del", "198.18.0.1/32", "dev", "v0")));
        IpSession.Reply r = standIn.execute(one, Duration.ofSeconds(2));
        assertFalse(r.complete());
        assertFalse(r.timedOut());
        assertTrue(r.problem().contains("unexpected output") && r.problem().contains("Command failed -:99"), r.problem());
        assertEquals(new IpSession.LineResult.Unknown(), r.results().get(0));
        assertEquals(-1, standIn.pid(), "the out-of-step process was destroyed");
    }

    @Test
    void aProcessThatExitsMidRequestEndsItAsUnknown() throws Exception {
        standIn = new IpSession(List.of("sh", "-c", "read l; echo 'Error: half an answer'; exit 3"));
        List<IpSession.Command> two = List.of(
                IpSession.Command.change(List.of("addr", "del", "198.18.0.1/32", "dev", "v0")),
                IpSession.Command.change(List.of("addr", "del", "198.18.0.2/32", "dev", "v0")));
        IpSession.Reply r = standIn.execute(two, Duration.ofSeconds(2));
        assertFalse(r.complete());
        assertTrue(r.problem().contains("ended before answering (exit 3)"), r.problem());
        assertTrue(r.results().stream().allMatch(x -> x instanceof IpSession.LineResult.Unknown), r.toString());
    }
}
