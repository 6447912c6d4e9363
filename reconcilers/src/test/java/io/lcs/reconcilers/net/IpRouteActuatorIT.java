package io.lcs.reconcilers.net;

import static io.lcs.reconcilers.net.NetnsTestSupport.CI;
import static io.lcs.reconcilers.net.NetnsTestSupport.RUNNER;
import static io.lcs.reconcilers.net.NetnsTestSupport.root;
import static io.lcs.reconcilers.net.NetnsTestSupport.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.process.CommandResult;
import io.lcs.reconcilers.process.ProcessCommandRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link IpRouteActuator} against the real kernel, inside two network namespaces this test creates
 * ({@code lcs-t-<random>-a} holding {@code v0}, {@code -b} holding its veth peer {@code v1}, the
 * "other host") and always deletes. Needs root; skipped otherwise. The probe and announce tests
 * need arping (iputils-arping), ndisc6 and na6 (ipv6toolkit): skipped when missing, except with
 * CI=true, where a missing tool fails.
 */
class IpRouteActuatorIT {
    private String nsA;
    private String nsB;
    private IpRouteActuator actuator;
    private IpRouteActuator other;


    private static void requireTool(String tool, String debianPackage) {
        boolean present = List.of("/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/").stream()
                .anyMatch(d -> Files.isExecutable(Path.of(d + tool)));
        if (CI && !present) {
            fail(tool + " is missing: install the Debian package " + debianPackage + " (CI=true runs every test)");
        }
        assumeTrue(present, tool + " is not installed (Debian package " + debianPackage + "): skipping");
    }

    private static String run(String... argv) throws Exception {
        CommandResult r = RUNNER.run(List.of(argv), Duration.ofSeconds(10));
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", argv) + ": exit " + r.exitCode() + " timedOut " + r.timedOut()
                    + ": " + r.stderr());
        }
        return r.stdout();
    }

    @BeforeEach
    void createNamespaces() throws Exception {
        assumeTrue(root(), "IpRouteActuatorIT needs root to create network namespaces: skipping (run as root, "
                + "as CI does)");
        String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
        nsA = "lcs-t-" + id + "-a";
        nsB = "lcs-t-" + id + "-b";
        run("ip", "netns", "add", nsA);
        run("ip", "netns", "add", nsB);
        run("ip", "-n", nsA, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", nsB);
        run("ip", "-n", nsA, "link", "set", "v0", "up");
        run("ip", "-n", nsB, "link", "set", "v1", "up");
        run("ip", "-n", nsB, "addr", "add", "198.18.5.20/24", "dev", "v1");
        actuator = new IpRouteActuator(RUNNER, nsA, Duration.ofSeconds(2));
        other = new IpRouteActuator(RUNNER, nsB, Duration.ofSeconds(2));
        // IPv6 needs usable link-local addresses on both ends before ND works: wait out their DAD
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!linkLocalReady(actuator, "v0") || !linkLocalReady(other, "v1")) {
            if (System.nanoTime() > deadline) {
                fail("link-local addresses stayed tentative for 10 s");
            }
            Thread.sleep(50);
        }
    }

    private static boolean linkLocalReady(IpRouteActuator a, String ifname) throws Exception {
        return a.addresses(ifname).stream().anyMatch(x -> x.scope().equals("link") && x.usable());
    }

    @AfterEach
    void deleteNamespaces() throws Exception {
        // deleting a namespace destroys its veth end, and with it the peer
        for (String ns : new String[] {nsA, nsB}) {
            if (ns != null) {
                RUNNER.run(List.of("ip", "netns", "del", ns), Duration.ofSeconds(10));
            }
        }
    }

    private Optional<InterfaceAddress> find(IpRouteActuator a, String ifname, Cidr cidr) throws Exception {
        return a.addresses(ifname).stream().filter(x -> x.cidr().equals(cidr)).findFirst();
    }

    @Test
    void addRefreshAndRemoveAnIpv4Address() throws Exception {
        Cidr vip = Cidr.parse("198.18.5.10/24");
        actuator.addAddress(vip, "v0", Duration.ofSeconds(2));
        InterfaceAddress added = find(actuator, "v0", vip).orElseThrow();
        assertTrue(added.validLifetime().seconds() <= 2 && added.validLifetime().seconds() >= 1, added.toString());
        assertTrue(added.has(AddressFlag.DYNAMIC));
        assertThrows(ActuatorException.class, () -> actuator.addAddress(vip, "v0", Duration.ofSeconds(2)),
                "adding an existing address fails");
        actuator.refreshLifetime(vip, "v0", Duration.ofSeconds(30));
        InterfaceAddress refreshed = find(actuator, "v0", vip).orElseThrow();
        assertTrue(refreshed.validLifetime().seconds() >= 29, refreshed.toString());
        assertEquals(refreshed.validLifetime(), refreshed.preferredLifetime());
        actuator.removeAddress(vip, "v0");
        assertTrue(find(actuator, "v0", vip).isEmpty());
        actuator.removeAddress(vip, "v0"); // idempotent
    }

    @Test
    void ipv6AddressIsAddedWithoutDadAndIsUsableAtOnce() throws Exception {
        Cidr vip = Cidr.parse("2001:db8:5::10/64");
        actuator.addAddress(vip, "v0", Duration.ofSeconds(5));
        InterfaceAddress a = find(actuator, "v0", vip).orElseThrow();
        assertTrue(a.has(AddressFlag.NODAD), a.toString());
        assertTrue(a.usable(), "not tentative: " + a);
        actuator.refreshLifetime(vip, "v0", Duration.ofSeconds(10));
        InterfaceAddress r = find(actuator, "v0", vip).orElseThrow();
        assertTrue(r.validLifetime().seconds() >= 9 && r.has(AddressFlag.NODAD), r.toString());
        actuator.removeAddress(vip, "v0");
        assertTrue(find(actuator, "v0", vip).isEmpty());
    }

    @Test
    void kernelRemovesAnAddressWhenItsLifetimeEnds() throws Exception {
        Cidr v4 = Cidr.parse("198.18.5.11/24");
        Cidr v6 = Cidr.parse("2001:db8:5::11/64");
        long start = System.nanoTime();
        actuator.addAddress(v4, "v0", Duration.ofSeconds(1));
        actuator.addAddress(v6, "v0", Duration.ofSeconds(1));
        assertTrue(find(actuator, "v0", v4).isPresent());
        long deadline = start + 1_500_000_000L + 200_000_000L; // 1 s lifetime, kernel lateness, two adds
        while (find(actuator, "v0", v4).isPresent() || find(actuator, "v0", v6).isPresent()) {
            if (System.nanoTime() > deadline) {
                fail("an address with a 1 s lifetime was still there after 1.7 s");
            }
            Thread.sleep(50);
        }
        assertThrows(AddressNotFoundException.class, () -> actuator.refreshLifetime(v4, "v0", Duration.ofSeconds(5)));
        assertTrue(find(actuator, "v0", v4).isEmpty(), "refresh did not resurrect the expired address");
    }

    @Test
    void linkStateAndMissingInterfaces() throws Exception {
        LinkState v0 = actuator.link("v0");
        assertTrue(v0.exists() && v0.up() && v0.lowerUp(), v0.toString());
        assertTrue(v0.macAddress().matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}"), v0.macAddress());
        assertEquals(LinkState.absent("nope0"), actuator.link("nope0"));
        assertThrows(NoSuchInterfaceException.class, () -> actuator.addresses("nope0"));
        NoSuchInterfaceException e = assertThrows(NoSuchInterfaceException.class,
                () -> actuator.addAddress(Cidr.parse("198.18.5.12/24"), "nope0", Duration.ofSeconds(1)));
        assertTrue(e.getMessage().startsWith("ip -n " + nsA + " addr add 198.18.5.12/24 dev nope0"), e.getMessage());
        assertTrue(e.getMessage().contains("Cannot find device \"nope0\""), e.getMessage());
        actuator.removeAddress(Cidr.parse("198.18.5.12/24"), "nope0");
    }

    /*
     * That a probe is stopped at its window (arping -w alone would take 1 s) is checked without a
     * clock by IpRouteActuatorTest (the command's timeout is the window); how long probes take on a
     * real LAN is the benchmark's business. Here: the real tools' verdicts.
     */
    @Test
    void ipv4ProbeSeesAnotherHostsAddressAndReportsFreeAfterAProbeWhenNobodyAnswers() throws Exception {
        requireTool("arping", "iputils-arping");
        String peerMac = other.link("v1").macAddress();
        other.addAddress(Cidr.parse("198.18.5.30/24"), "v1", Duration.ofSeconds(30));
        ProbeResult taken = actuator.probeDuplicate(Cidr.parse("198.18.5.30/24"), "v0", Duration.ofMillis(500));
        assertEquals(peerMac, assertInstanceOf(ProbeResult.Answered.class, taken).responderMac());
        ProbeResult free = actuator.probeDuplicate(Cidr.parse("198.18.5.31/24"), "v0", Duration.ofMillis(250));
        assertEquals(1, assertInstanceOf(ProbeResult.NoAnswer.class, free, free::toString).probesSent());
    }

    @Test
    void ipv6ProbeSeesAnotherHostsAddressAndReportsFreeAfterAProbeWhenNobodyAnswers() throws Exception {
        requireTool("ndisc6", "ndisc6");
        String peerMac = other.link("v1").macAddress();
        other.addAddress(Cidr.parse("2001:db8:5::30/64"), "v1", Duration.ofSeconds(30));
        actuator.addAddress(Cidr.parse("2001:db8:5::1/64"), "v0", Duration.ofSeconds(30));
        ProbeResult taken = actuator.probeDuplicate(Cidr.parse("2001:db8:5::30/64"), "v0", Duration.ofMillis(500));
        assertEquals(peerMac, assertInstanceOf(ProbeResult.Answered.class, taken).responderMac());
        ProbeResult free = actuator.probeDuplicate(Cidr.parse("2001:db8:5::31/64"), "v0", Duration.ofMillis(250));
        assertEquals(1, assertInstanceOf(ProbeResult.NoAnswer.class, free, free::toString).probesSent());
    }

    @Test
    void ipv4AnnounceUpdatesTheNeighboursCache() throws Exception {
        requireTool("arping", "iputils-arping");
        assertAnnounceUpdatesNeighbour(Cidr.parse("198.18.5.10/24"));
    }

    @Test
    void ipv6AnnounceUpdatesTheNeighboursCache() throws Exception {
        requireTool("na6", "ipv6toolkit");
        assertAnnounceUpdatesNeighbour(Cidr.parse("2001:db8:5::10/64"));
    }

    /** B believes the VIP is at a stale MAC; after A announces, B's cache points at A's v0. */
    private void assertAnnounceUpdatesNeighbour(Cidr vip) throws Exception {
        String ourMac = actuator.link("v0").macAddress();
        run("ip", "-n", nsB, "neigh", "replace", vip.addressText(), "lladdr", "02:00:5e:00:53:01", "dev", "v1",
                "nud", "stale");
        assertEquals("02:00:5e:00:53:01", neighbourMac(vip));
        actuator.addAddress(vip, "v0", Duration.ofSeconds(30));
        actuator.announce(vip, "v0");
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (!ourMac.equals(neighbourMac(vip))) {
            if (System.nanoTime() > deadline) {
                fail("neighbour still has " + neighbourMac(vip) + " for " + vip + ", expected " + ourMac);
            }
            Thread.sleep(50);
        }
    }

    private String neighbourMac(Cidr vip) throws Exception {
        JsonNode list = new ObjectMapper().readTree(run("ip", "-n", nsB, "-j", "neigh", "show", vip.addressText(),
                "dev", "v1"));
        return list.size() == 0 ? "" : list.get(0).path("lladdr").asText("").toLowerCase(Locale.ROOT);
    }

    @Test
    void probeOnADownInterfaceCouldNotRunAndSaysWhy() throws Exception {
        requireTool("arping", "iputils-arping");
        run("ip", "-n", nsA, "link", "set", "v0", "down");
        ProbeResult r = actuator.probeDuplicate(Cidr.parse("198.18.5.30/24"), "v0", Duration.ofMillis(250));
        String reason = assertInstanceOf(ProbeResult.CouldNotProbe.class, r).reason();
        assertTrue(reason.contains("arping") && reason.contains("exit 2"), reason);
        assertFalse(r.free());
    }

    @Test
    void onLoopbackAndTunTwoIpv4AndAnIpv6VipAreAddedWithoutProbesOrAnnouncements() throws Exception {
        run("ip", "-n", nsA, "link", "set", "lo", "up");
        Cidr a = Cidr.parse("198.18.6.1/32");
        Cidr b = Cidr.parse("198.18.6.2/32");
        Cidr v6 = Cidr.parse("2001:db8:6::1/128");
        // the batch path (arp-scan could not obtain lo's MAC address) and the single-address path
        Map<Cidr, ProbeResult> probes = actuator.probeDuplicates(List.of(a, b, v6), "lo", Duration.ofMillis(250));
        for (ProbeResult p : probes.values()) {
            assertEquals(new ProbeResult.NoNeighbourDiscovery("loopback"), p);
        }
        assertEquals(new ProbeResult.NoNeighbourDiscovery("loopback"),
                actuator.probeDuplicate(a, "lo", Duration.ofMillis(250)));
        List<AddressChange.Outcome> outcomes = actuator.apply(List.of(new AddressChange.Add(a, "lo",
                Duration.ofSeconds(30)), new AddressChange.Add(b, "lo", Duration.ofSeconds(30)),
                new AddressChange.Add(v6, "lo", Duration.ofSeconds(30))));
        assertTrue(outcomes.stream().allMatch(AddressChange.Outcome::ok), "" + outcomes);
        actuator.announceAll(List.of(a, b, v6), "lo"); // nothing to tell, no error
        actuator.announce(a, "lo");
        for (Cidr c : List.of(a, b, v6)) {
            assertTrue(find(actuator, "lo", c).isPresent(), c + " on lo");
        }

        // a tun device (no link-layer address, point-to-point, NOARP)
        run("ip", "netns", "exec", nsA, "ip", "tuntap", "add", "dev", "tun0", "mode", "tun");
        run("ip", "-n", nsA, "link", "set", "tun0", "up");
        assertEquals(new ProbeResult.NoNeighbourDiscovery("point-to-point"),
                actuator.probeDuplicate(Cidr.parse("198.18.6.9/32"), "tun0", Duration.ofMillis(250)));
    }
}
