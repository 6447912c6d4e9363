package io.lcs.reconcilers.net;

import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.process.CommandResult;
import io.lcs.reconcilers.process.CommandRunner;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batch path of {@link IpRouteActuator}: argv, stdin, and per-change results, with a scripted runner. */
class IpRouteActuatorBatchTest {
    /** Answers from a script; records argv and stdin of each command. */
    static final class ScriptedRunner implements CommandRunner {
        final List<List<String>> argvs = new ArrayList<>();
        final List<String> stdins = new ArrayList<>();
        final Deque<Object> answers = new ArrayDeque<>();

        ScriptedRunner answer(int exit, String stdout, String stderr) {
            answers.add(new CommandResult(exit, false, stdout, stderr, Duration.ofMillis(3)));
            return this;
        }

        @Override
        public CommandResult run(List<String> argv, Duration timeout) throws IOException {
            return run(argv, null, timeout);
        }

        @Override
        public CommandResult run(List<String> argv, String stdin, Duration timeout) throws IOException {
            argvs.add(List.copyOf(argv));
            stdins.add(stdin);
            Object a = answers.removeFirst();
            if (a instanceof IOException e) {
                throw e;
            }
            return (CommandResult) a;
        }
    }

    private static final Duration THREE = Duration.ofSeconds(3);
    private static final Cidr A = Cidr.parse("198.18.1.1/16");
    private static final Cidr B = Cidr.parse("198.18.1.2/16");
    private static final Cidr C = Cidr.parse("198.18.1.3/16");
    private static final Cidr V6 = Cidr.parse("2001:db8::5/64");

    private final ScriptedRunner runner = new ScriptedRunner();
    private final IpRouteActuator actuator = new IpRouteActuator(runner, null, Duration.ofSeconds(2));

    private static String listing(String ifname, Cidr... cidrs) {
        StringBuilder sb = new StringBuilder("[{\"ifindex\":2,\"ifname\":\"" + ifname + "\",\"addr_info\":[");
        for (int i = 0; i < cidrs.length; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"family\":\"").append(cidrs[i].isIpv6() ? "inet6" : "inet")
                    .append("\",\"local\":\"").append(cidrs[i].addressText()).append("\",\"prefixlen\":")
                    .append(cidrs[i].prefixLength()).append(",\"valid_life_time\":3,\"preferred_life_time\":3}");
        }
        return sb.append("]}]").toString();
    }

    @Test
    void refreshesOfAThousandAddressesAreOneListingAndOneIpBatch() throws Exception {
        List<Cidr> cidrs = new ArrayList<>();
        List<AddressChange> changes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Cidr c = Cidr.parse("198.18." + (1 + i / 250) + "." + (1 + i % 250) + "/16");
            cidrs.add(c);
            changes.add(new AddressChange.Refresh(c, "eth0", THREE));
        }
        runner.answer(0, listing("eth0", cidrs.toArray(new Cidr[0])), "").answer(0, "", "");
        List<AddressChange.Outcome> out = actuator.apply(changes);
        assertEquals(2, runner.argvs.size(), "a listing and one batch, whatever the count");
        assertEquals(List.of("ip", "-j", "addr", "show", "dev", "eth0"), runner.argvs.get(0));
        assertEquals(List.of("ip", "-force", "-batch", "-"), runner.argvs.get(1));
        String[] lines = runner.stdins.get(1).split("\n");
        assertEquals(1000, lines.length);
        assertEquals("addr change 198.18.1.1/16 dev eth0 valid_lft 3 preferred_lft 3", lines[0]);
        assertTrue(out.stream().allMatch(AddressChange.Outcome::ok));
    }

    @Test
    void refreshOfAnAbsentAddressIsNotInTheBatchAndFailsAsNotFound() throws Exception {
        runner.answer(0, listing("eth0", A), "").answer(0, "", "");
        List<AddressChange.Outcome> out = actuator.apply(List.of(new AddressChange.Refresh(A, "eth0", THREE),
                new AddressChange.Refresh(B, "eth0", THREE)));
        assertEquals("addr change 198.18.1.1/16 dev eth0 valid_lft 3 preferred_lft 3\n", runner.stdins.get(1),
                "never re-adds the missing one");
        assertNull(out.get(0).error());
        assertInstanceOf(AddressNotFoundException.class, out.get(1).error());
    }

    @Test
    void eachFailedLineIsReportedForItsOwnChangeWithTheCommandAndIpsMessage() throws Exception {
        // line 2 (add B) exists already, line 3 (remove C) is already gone (success), line 4 no device
        String stderr = "Error: ipv4: Address already assigned.\nCommand failed -:2\n"
                + "Error: ipv4: Address not found.\nCommand failed -:3\n"
                + "Cannot find device \"eth9\"\nCommand failed -:4\n";
        runner.answer(1, "", stderr)
                .answer(0, "[" + listing("eth0", A, B).substring(1, listing("eth0", A, B).length() - 1)
                        + ",{\"ifindex\":3,\"ifname\":\"eth1\",\"addr_info\":[]}]", "");
        List<AddressChange.Outcome> out = actuator.apply(List.of(
                new AddressChange.Add(A, "eth0", THREE), new AddressChange.Add(B, "eth0", THREE),
                new AddressChange.Remove(C, "eth0"), new AddressChange.Add(C, "eth9", THREE)));
        assertEquals(List.of("ip", "-force", "-batch", "-"), runner.argvs.get(0));
        assertEquals("addr add 198.18.1.1/16 dev eth0 valid_lft 3 preferred_lft 3\n"
                + "addr add 198.18.1.2/16 dev eth0 valid_lft 3 preferred_lft 3\n"
                + "addr del 198.18.1.3/16 dev eth0\n"
                + "addr add 198.18.1.3/16 dev eth9 valid_lft 3 preferred_lft 3\n", runner.stdins.get(0));
        assertEquals(List.of("ip", "-j", "addr", "show"), runner.argvs.get(1), "confirmed by one listing of both interfaces");
        assertNull(out.get(0).error());
        assertEquals("ip addr add 198.18.1.2/16 dev eth0 valid_lft 3 preferred_lft 3: "
                + "Error: ipv4: Address already assigned.", out.get(1).error().getMessage());
        assertInstanceOf(ChangeRefusedException.class, out.get(1).error(), "the kernel's verdict on that line");
        assertNull(out.get(2).error(), "removing an absent address is success");
        assertInstanceOf(NoSuchInterfaceException.class, out.get(3).error());
        assertTrue(out.get(3).error().getMessage().contains("Cannot find device \"eth9\""), out.get(3).error().getMessage());
    }

    @Test
    void aBatchThatStoppedEarlyIsCheckedAgainstTheListing() throws Exception {
        // exit 255 (a parse error ends ip at once): whatever the listing does not show was not done
        runner.answer(0, listing("eth0", A, B), "")
                .answer(255, "", "Error: either \"local\" is duplicate, or \"x\" is a garbage.\n")
                .answer(0, listing("eth0", A, B, C), "");
        List<AddressChange.Outcome> out = actuator.apply(List.of(new AddressChange.Refresh(A, "eth0", THREE),
                new AddressChange.Add(C, "eth0", THREE), new AddressChange.Remove(B, "eth0")));
        assertTrue(out.get(0).error().getMessage().contains("not confirmed"), out.get(0).error().getMessage());
        assertTrue(out.get(0).error().getMessage().contains("exit 255"), out.get(0).error().getMessage());
        assertFalse(out.get(0).error() instanceof ChangeRefusedException, "unconfirmed is no refusal");
        assertNull(out.get(1).error(), "the listing shows the add took effect");
        assertTrue(out.get(2).error().getMessage().startsWith("ip addr del 198.18.1.2/16 dev eth0: the address is still there"),
                out.get(2).error().getMessage());
    }

    @Test
    void ipv6LinesKeepNodad() {
        assertEquals(List.of("addr", "add", "2001:db8::5/64", "dev", "eth0", "valid_lft", "3", "preferred_lft", "3", "nodad"),
                IpRouteActuator.batchLine(new AddressChange.Add(V6, "eth0", THREE)));
        assertEquals(List.of("addr", "change", "2001:db8::5/64", "dev", "eth0", "valid_lft", "3", "preferred_lft", "3",
                "nodad"), IpRouteActuator.batchLine(new AddressChange.Refresh(V6, "eth0", THREE)));
    }

    @Test
    void badChangesAreRefusedBeforeAnythingRuns() {
        assertThrows(IllegalArgumentException.class, () -> new AddressChange.Add(A, "-bad", THREE));
        assertThrows(IllegalArgumentException.class, () -> new AddressChange.Refresh(A, "eth0", Duration.ofMillis(1500)));
        List<AddressChange> withNull = new ArrayList<>();
        withNull.add(null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> actuator.apply(withNull));
        assertTrue(e.getMessage().contains("element 0"), e.getMessage());
        assertEquals(0, runner.argvs.size());
    }

    /** {@code ip -j link show dev IF} of an Ethernet link (neighbour discovery works). */
    private static String etherLink(String ifname) {
        return "[{\"ifindex\":2,\"ifname\":\"" + ifname + "\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\","
                + "\"LOWER_UP\"],\"operstate\":\"UP\",\"link_type\":\"ether\",\"address\":\"02:00:00:00:00:01\"}]";
    }

    /** arp-scan's output (as 1.10.0 prints it without --plain) for {@code scanned} addresses and these answers. */
    private static String arpScanOutput(int scanned, String answerLines) {
        return "Interface: eth0, type: EN10MB, MAC: 02:00:00:00:00:01, IPv4: 198.18.0.1\n"
                + "Starting arp-scan 1.10.0 with " + scanned + " hosts (https://github.com/royhills/arp-scan)\n"
                + answerLines + "\n1 packets received by filter, 0 packets dropped by kernel\n"
                + "Ending arp-scan 1.10.0: " + scanned + " hosts scanned in 0.258 seconds (11.63 hosts/sec). 1 responded\n";
    }

    @Test
    void manyIpv4AddressesAreProbedByOneArpScanFromZeroAndAnswersMapToTheirAddress() throws Exception {
        runner.answer(0, etherLink("eth0"), "").answer(0, arpScanOutput(3, "198.18.1.2\t4a:6e:6c:BE:78:ce\n"), "");
        Map<Cidr, ProbeResult> r = actuator.probeDuplicates(List.of(A, B, C), "eth0", Duration.ofMillis(250));
        assertEquals(List.of("arp-scan", "--interface=eth0", "--arpspa=0.0.0.0", "--quiet", "--ignoredups",
                "--numeric", "--retry=1", "--timeout=250", "--bandwidth=10M", "--file=-"), runner.argvs.get(1));
        assertEquals("198.18.1.1\n198.18.1.2\n198.18.1.3\n", runner.stdins.get(1));
        assertEquals(new ProbeResult.NoAnswer(1, Duration.ofMillis(3)), r.get(A));
        assertEquals("4a:6e:6c:be:78:ce", ((ProbeResult.Answered) r.get(B)).responderMac());
        assertEquals(new ProbeResult.NoAnswer(1, Duration.ofMillis(3)), r.get(C));
    }

    @Test
    void oneAddressIsStillProbedWithArping() throws Exception {
        runner.answer(0, etherLink("eth0"), "").answer(0, "", "");
        actuator.probeDuplicates(List.of(A), "eth0", Duration.ofMillis(250));
        assertEquals("arping", runner.argvs.get(1).get(0));
    }

    @Test
    void manyIpv4AddressesAreAnnouncedByOneArpScanWithSourceEqualToTarget() throws Exception {
        runner.answer(0, etherLink("eth0"), "").answer(0, "", "");
        actuator.announceAll(List.of(A, B), "eth0");
        assertEquals(2, runner.argvs.size());
        assertTrue(runner.argvs.get(1).containsAll(List.of("arp-scan", "--arpspa=dest", "--retry=1")),
                runner.argvs.get(1).toString());
        assertEquals("198.18.1.1\n198.18.1.2\n", runner.stdins.get(1));
    }

    @Test
    void onLoopbackManyAddressesAreNeitherProbedNorAnnouncedAndNothingRuns() throws Exception {
        String lo = "[{\"ifindex\":1,\"ifname\":\"lo\",\"flags\":[\"LOOPBACK\",\"UP\",\"LOWER_UP\"],"
                + "\"link_type\":\"loopback\",\"address\":\"00:00:00:00:00:00\"}]";
        runner.answer(0, lo, "").answer(0, lo, "");
        Cidr a = Cidr.parse("127.0.0.9/8");
        Cidr b = Cidr.parse("127.0.0.10/8");
        Map<Cidr, ProbeResult> r = actuator.probeDuplicates(List.of(a, b, V6), "lo", Duration.ofMillis(250));
        assertEquals(List.of(a, b, V6), List.copyOf(r.keySet()));
        for (ProbeResult p : r.values()) {
            assertEquals(new ProbeResult.NoNeighbourDiscovery("loopback"), p);
        }
        actuator.announceAll(List.of(a, b), "lo");
        assertEquals(2, runner.argvs.size(), "two link reads, no arp-scan: " + runner.argvs);
    }

    @Test
    void missingArpScanMakesEveryAddressAProbeThatCouldNotRunNamingTheDebianPackage() throws Exception {
        runner.answer(0, etherLink("eth0"), "");
        runner.answers.add(new IOException("Cannot run program \"arp-scan\": error=2, No such file or directory"));
        Map<Cidr, ProbeResult> r = actuator.probeDuplicates(List.of(A, B), "eth0", Duration.ofMillis(250));
        for (ProbeResult p : r.values()) {
            ProbeResult.CouldNotProbe c = assertInstanceOf(ProbeResult.CouldNotProbe.class, p);
            assertTrue(c.reason().contains("install the Debian package arp-scan"), c.reason());
        }
    }

    @Test
    void arpScanFailureIsAProbeThatCouldNotRunNamingTheCommand() throws Exception {
        runner.answer(0, etherLink("eth0"), "").answer(1, "", "ERROR: Could not obtain MAC address for interface eth0\n");
        ProbeResult.CouldNotProbe c = assertInstanceOf(ProbeResult.CouldNotProbe.class,
                actuator.probeDuplicates(List.of(A, B), "eth0", Duration.ofMillis(250)).get(A));
        assertTrue(c.reason().startsWith("arp-scan --interface=eth0"), c.reason());
        assertTrue(c.reason().contains("Could not obtain MAC address"), c.reason());
    }
}
