package io.lcs.reconcilers.net;

import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.process.CommandResult;
import io.lcs.reconcilers.process.CommandRunner;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpRouteActuatorTest {
    /** Answers commands from a script and records the argv and timeout of each. */
    static final class ScriptedRunner implements CommandRunner {
        final List<List<String>> argvs = new ArrayList<>();
        final List<Duration> timeouts = new ArrayList<>();
        /** The grace of each command, null when it was run to be killed at its timeout. */
        final List<Duration> graces = new ArrayList<>();
        final Deque<Object> answers = new ArrayDeque<>();

        ScriptedRunner answer(int exit, String stdout, String stderr) {
            answers.add(new CommandResult(exit, false, stdout, stderr, Duration.ofMillis(3)));
            return this;
        }

        ScriptedRunner timeout() {
            answers.add(new CommandResult(-1, true, "", "", Duration.ofMillis(250)));
            return this;
        }

        ScriptedRunner cannotStart() {
            answers.add(new IOException("Cannot run program \"arping\": error=2, No such file or directory"));
            return this;
        }

        /** A link that does neighbour discovery, as {@code ip -j link show dev IFNAME} prints it. */
        ScriptedRunner etherLink(String ifname) {
            return answer(0, "[{\"ifindex\":2,\"ifname\":\"" + ifname + "\",\"flags\":[\"BROADCAST\","
                    + "\"MULTICAST\",\"UP\",\"LOWER_UP\"],\"operstate\":\"UP\",\"link_type\":\"ether\","
                    + "\"address\":\"02:00:00:00:00:01\"}]", "");
        }

        @Override
        public CommandResult runTerminating(List<String> argv, Duration timeout, Duration grace) throws IOException {
            CommandResult r = run(argv, timeout);
            graces.set(graces.size() - 1, grace);
            return r;
        }

        final List<String> stdins = new ArrayList<>();

        @Override
        public CommandResult run(List<String> argv, String stdin, Duration timeout) throws IOException {
            stdins.add(stdin);
            return run(argv, timeout);
        }

        @Override
        public CommandResult run(List<String> argv, Duration timeout) throws IOException {
            argvs.add(List.copyOf(argv));
            timeouts.add(timeout);
            graces.add(null);
            Object a = answers.removeFirst();
            if (a instanceof IOException e) {
                throw e;
            }
            return (CommandResult) a;
        }
    }

    private static String sample(String name) throws IOException {
        try (InputStream in = IpRouteActuatorTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private final ScriptedRunner runner = new ScriptedRunner();
    private final IpRouteActuator actuator = new IpRouteActuator(runner, null, Duration.ofSeconds(2));

    @Test
    void addressesAreParsedWithLifetimesAndFlags() throws Exception {
        runner.answer(0, sample("addr-show-eth0.json"), "");
        List<InterfaceAddress> list = actuator.addresses("eth0");
        assertEquals(List.of("ip", "-j", "addr", "show", "dev", "eth0"), runner.argvs.get(0));
        assertEquals(List.of("198.18.0.2/24", "198.18.0.201/24", "2001:db8:6::10/64", "2001:db8:5::10/64",
                "2001:db8:7::10/64", "2001:db8:8::10/64", "fe80::c4a8:2aff:feae:45f/64"),
                list.stream().map(a -> a.cidr().toString()).toList(), "the empty {} entry is skipped");
        InterfaceAddress permanent = list.get(0);
        assertTrue(permanent.validLifetime().isForever());
        assertEquals(Set.of(), permanent.flags());
        InterfaceAddress vip = list.get(1);
        assertEquals(Lifetime.ofSeconds(3), vip.validLifetime());
        assertEquals(Set.of(AddressFlag.SECONDARY, AddressFlag.DYNAMIC), vip.flags());
        InterfaceAddress tentative = list.get(2);
        assertTrue(tentative.has(AddressFlag.TENTATIVE));
        assertFalse(tentative.usable());
        assertTrue(tentative.validLifetime().isForever());
        InterfaceAddress nodad = list.get(3);
        assertEquals(Set.of(AddressFlag.NODAD, AddressFlag.DYNAMIC), nodad.flags());
        assertEquals(27, nodad.preferredLifetime().seconds());
        assertTrue(nodad.usable());
        assertTrue(list.get(4).has(AddressFlag.DADFAILED));
        assertEquals(Lifetime.ofSeconds(0), list.get(5).preferredLifetime());
        assertTrue(list.get(5).has(AddressFlag.DEPRECATED));
        assertEquals("link", list.get(6).scope());
    }

    @Test
    void linkIsParsedAndAMissingDeviceIsAbsentNotAnError() throws Exception {
        runner.answer(0, sample("link-show-eth0.json"), "");
        runner.answer(0, sample("link-show-eth1-down.json"), "");
        runner.answer(1, "", "Device \"eth9\" does not exist.\n");
        assertEquals(new LinkState("eth0", true, true, true, "UP", "c6:a8:2a:ae:04:5f"), actuator.link("eth0"));
        assertEquals(new LinkState("eth1", true, true, false, "LOWERLAYERDOWN", "fa:d4:d1:1c:2e:17"),
                actuator.link("eth1"));
        assertEquals(LinkState.absent("eth9"), actuator.link("eth9"));
    }

    @Test
    void addressesOfAMissingDeviceIsNoSuchInterface() {
        runner.answer(1, "", "Device \"eth9\" does not exist.\n");
        NoSuchInterfaceException e = assertThrows(NoSuchInterfaceException.class, () -> actuator.addresses("eth9"));
        assertEquals("eth9", e.ifname());
    }

    @Test
    void garbageOutputIsAClearError() {
        runner.answer(0, "this is not json", "");
        ActuatorException e = assertThrows(ActuatorException.class, () -> actuator.addresses("eth0"));
        assertTrue(e.getMessage().contains("not JSON"), e.getMessage());
    }

    @Test
    void addIpv6UsesNodadAndTheLifetimeForBothLifetimes() throws Exception {
        IpRouteActuator inNs = new IpRouteActuator(runner, "lcs-t-1", Duration.ofSeconds(2));
        runner.answer(0, "", "");
        inNs.addAddress(Cidr.parse("2001:db8:5::10/64"), "v0", Duration.ofSeconds(3));
        assertEquals(List.of("ip", "-n", "lcs-t-1", "addr", "add", "2001:db8:5::10/64", "dev", "v0",
                "valid_lft", "3", "preferred_lft", "3", "nodad"), runner.argvs.get(0));
        assertEquals(Duration.ofSeconds(2), runner.timeouts.get(0));
    }

    @Test
    void addFailureQuotesTheCommandExitAndStderr() {
        runner.answer(1, "", "Cannot find device \"eth9\"\n");
        NoSuchInterfaceException e = assertThrows(NoSuchInterfaceException.class,
                () -> actuator.addAddress(Cidr.parse("198.18.0.10/24"), "eth9", Duration.ofSeconds(5)));
        assertEquals("ip addr add 198.18.0.10/24 dev eth9 valid_lft 5 preferred_lft 5: exit 1: "
                + "Cannot find device \"eth9\"", e.getMessage());
    }

    @Test
    void anAddTheKernelRefusesIsARefusalATimeoutIsNot() {
        runner.answer(2, "", "Error: ipv6: IPv6 is disabled on this device.\n").timeout();
        Cidr v6 = Cidr.parse("2001:db8:5::10/64");
        ActuatorException refused = assertThrows(ActuatorException.class,
                () -> actuator.addAddress(v6, "eth0", Duration.ofSeconds(3)));
        assertInstanceOf(ChangeRefusedException.class, refused);
        ActuatorException late = assertThrows(ActuatorException.class,
                () -> actuator.addAddress(v6, "eth0", Duration.ofSeconds(3)));
        assertTrue(!(late instanceof ChangeRefusedException) && late.getMessage().contains("timed out"),
                late.toString());
    }

    @Test
    void lifetimesMustBeWholeSecondsFromOneAndNothingRunsOtherwise() {
        Cidr cidr = Cidr.parse("198.18.0.10/24");
        assertThrows(IllegalArgumentException.class, () -> actuator.addAddress(cidr, "eth0", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> actuator.addAddress(cidr, "eth0", Duration.ofMillis(1500)));
        assertThrows(IllegalArgumentException.class, () -> actuator.addAddress(cidr, "eth0", Duration.ofDays(2)));
        assertThrows(IllegalArgumentException.class, () -> actuator.addAddress(cidr, "-batch", Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> actuator.addAddress(cidr, "a b", Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> actuator.addAddress(cidr, "sixteen-chars-xx", Duration.ofSeconds(1)));
        assertTrue(runner.argvs.isEmpty());
    }

    @Test
    void refreshChangesLifetimesOfAPresentAddress() throws Exception {
        runner.answer(0, sample("addr-show-eth0.json"), "").answer(0, "", "");
        actuator.refreshLifetime(Cidr.parse("198.18.0.201/24"), "eth0", Duration.ofSeconds(4));
        assertEquals(List.of("ip", "addr", "change", "198.18.0.201/24", "dev", "eth0", "valid_lft", "4",
                "preferred_lft", "4"), runner.argvs.get(1));
    }

    @Test
    void refreshNeverResurrectsAMissingAddress() throws Exception {
        runner.answer(0, sample("addr-show-eth0.json"), "");
        assertThrows(AddressNotFoundException.class,
                () -> actuator.refreshLifetime(Cidr.parse("198.18.0.202/24"), "eth0", Duration.ofSeconds(4)));
        runner.answer(0, sample("addr-show-eth0.json"), "");
        assertThrows(AddressNotFoundException.class,
                () -> actuator.refreshLifetime(Cidr.parse("198.18.0.201/16"), "eth0", Duration.ofSeconds(4)),
                "another prefix length is another kernel address");
        assertEquals(2, runner.argvs.size(), "no 'ip addr change' was run");
    }

    @Test
    void removingAnAbsentAddressOrInterfaceSucceeds() throws Exception {
        runner.answer(2, "", "Error: ipv4: Address not found.\n")
                .answer(2, "", "Error: ipv6: address not found.\n")
                .answer(1, "", "Cannot find device \"eth9\"\n")
                .answer(2, "", "RTNETLINK answers: Operation not permitted\n");
        actuator.removeAddress(Cidr.parse("198.18.0.10/24"), "eth0");
        actuator.removeAddress(Cidr.parse("2001:db8::10/64"), "eth0");
        actuator.removeAddress(Cidr.parse("198.18.0.10/24"), "eth9");
        ActuatorException e = assertThrows(ActuatorException.class,
                () -> actuator.removeAddress(Cidr.parse("198.18.0.10/24"), "eth0"));
        assertEquals("ip addr del 198.18.0.10/24 dev eth0: exit 2: RTNETLINK answers: Operation not permitted",
                e.getMessage());
    }

    @Test
    void linkTypeTellsWhetherNeighbourDiscoveryWorks() throws Exception {
        runner.answer(0, sample("link-show-eth0.json"), "").answer(0, sample("link-show-lo.json"), "")
                .answer(0, sample("link-show-tun0.json"), "").answer(0, sample("link-show-eth-noarp.json"), "");
        assertEquals(null, actuator.link("eth0").noNeighbourDiscovery());
        LinkState lo = actuator.link("lo");
        assertEquals("loopback", lo.linkType());
        assertEquals("loopback", lo.noNeighbourDiscovery());
        LinkState tun = actuator.link("tun0");
        assertTrue(tun.noArp() && tun.pointToPoint(), "" + tun);
        assertEquals("point-to-point", tun.noNeighbourDiscovery());
        assertEquals("NOARP", actuator.link("nex0").noNeighbourDiscovery());
        // through the persistent session the link is read with "addr show", which has the same fields
        assertEquals("loopback", IpJson.link(sample("addr-show-lo.json"), "lo").noNeighbourDiscovery());
        assertEquals("point-to-point", IpJson.link(sample("addr-show-tun0.json"), "tun0").noNeighbourDiscovery());
    }

    @Test
    void ipv4ProbeIsStoppedAtTheWindowAndFreeOnlyWhenArpingReportedAProbeSent() throws Exception {
        runner.etherLink("v1").answer(0, "ARPING 198.18.5.11 from 0.0.0.0 v1\nSent 1 probes (1 broadcast(s))\n"
                        + "Received 0 response(s)\n", "")
                .etherLink("v1").answer(0, "", "").etherLink("v1")
                .answer(1, "ARPING 198.18.5.10 from 0.0.0.0 v1\n"
                        + "Unicast reply from 198.18.5.10 [2E:0B:92:C5:ED:2D]  0.526ms\nSent 1 probes (1 broadcast(s))\n"
                        + "Received 1 response(s)\n", "");
        Cidr cidr = Cidr.parse("198.18.5.10/24");
        assertEquals(new ProbeResult.NoAnswer(1, Duration.ofMillis(3)),
                actuator.probeDuplicate(cidr, "v1", Duration.ofMillis(250)));
        assertEquals(List.of("ip", "-j", "link", "show", "dev", "v1"), runner.argvs.get(0), "the link is read first");
        assertEquals(List.of("arping", "-D", "-c", "1", "-w", "1", "-I", "v1", "198.18.5.10"), runner.argvs.get(1));
        assertEquals(Duration.ofMillis(250), runner.timeouts.get(1), "stopped at the window");
        assertEquals(IpRouteActuator.ARPING_STOP_GRACE, runner.graces.get(1), "with SIGTERM first, so it reports");
        assertInstanceOf(ProbeResult.CouldNotProbe.class, actuator.probeDuplicate(cidr, "v1", Duration.ofMillis(1500)),
                "exit 0 without the counters is not free");
        assertEquals("2", runner.argvs.get(3).get(5), "-w rounds the window up to whole seconds");
        assertEquals(new ProbeResult.Answered("2e:0b:92:c5:ed:2d", Duration.ofMillis(3)),
                actuator.probeDuplicate(cidr, "v1", Duration.ofMillis(250)));
        assertThrows(IllegalArgumentException.class, () -> actuator.probeDuplicate(cidr, "v1", Duration.ofMillis(10)));
    }

    @Test
    void ipv4AndIpv6AddressesOfOneActivationAreProbedAtTheSameTime() throws Exception {
        // each probe waits (up to 5 s) until the other one has started: one after the other, the
        // first would wait out its 5 s and report that the other never started
        java.util.concurrent.CountDownLatch bothStarted = new java.util.concurrent.CountDownLatch(2);
        List<String> alone = java.util.Collections.synchronizedList(new ArrayList<>());
        io.lcs.reconcilers.process.CommandRunner concurrent = new io.lcs.reconcilers.process.CommandRunner() {
            @Override
            public CommandResult run(List<String> argv, Duration timeout) throws InterruptedException {
                if (argv.contains("link")) {
                    return new CommandResult(0, false, "[{\"ifindex\":2,\"ifname\":\"v1\",\"flags\":[\"BROADCAST\","
                            + "\"MULTICAST\",\"UP\",\"LOWER_UP\"],\"operstate\":\"UP\",\"link_type\":\"ether\","
                            + "\"address\":\"02:00:00:00:00:01\"}]", "", Duration.ofMillis(1));
                }
                bothStarted.countDown();
                if (!bothStarted.await(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    alone.add(argv.get(0));
                }
                return argv.get(0).equals("arping")
                        ? new CommandResult(0, true, "ARPING 198.18.5.10 from 0.0.0.0 v1\nSent 1 probes (1 broadcast(s))\n"
                                + "Received 0 response(s)\n", "", Duration.ofMillis(250))
                        : new CommandResult(2, false, "Soliciting 2001:db8:5::10 (2001:db8:5::10) on v1...\nTimed out.\n"
                                + "No response.\n", "", Duration.ofMillis(250));
            }
        };
        IpRouteActuator a = new IpRouteActuator(concurrent, null, Duration.ofSeconds(2));
        Cidr v4 = Cidr.parse("198.18.5.10/24");
        Cidr v6 = Cidr.parse("2001:db8:5::10/64");
        java.util.Map<Cidr, ProbeResult> r = a.probeDuplicates(List.of(v4, v6), "v1", Duration.ofMillis(250));
        assertEquals(List.of(), alone, "a probe ran while the other was not running");
        assertEquals(List.of(v4, v6), List.copyOf(r.keySet()), "in the order asked");
        assertInstanceOf(ProbeResult.NoAnswer.class, r.get(v4));
        assertInstanceOf(ProbeResult.NoAnswer.class, r.get(v6));
    }

    @Test
    void probeOfAMissingInterfaceCouldNotRunAndRunsNoTool() throws Exception {
        runner.answer(1, "", "Device \"eth9\" does not exist.\n");
        ProbeResult r = actuator.probeDuplicate(Cidr.parse("198.18.5.10/24"), "eth9", Duration.ofMillis(250));
        assertEquals(new ProbeResult.CouldNotProbe("interface eth9 does not exist", Duration.ZERO), r);
        assertEquals(1, runner.argvs.size());
    }

    @Test
    void ipv6ProbeUsesNdisc6AndReadsTheResponder() throws Exception {
        runner.etherLink("v1").answer(0, "Soliciting 2001:db8:5::10 (2001:db8:5::10) on v1...\n"
                        + "Target link-layer address: 2E:0B:92:C5:ED:2D\n from 2001:db8:5::10\n", "")
                .etherLink("v1").answer(2, "Soliciting 2001:db8:5::11 (2001:db8:5::11) on v1...\nTimed out.\n"
                        + "No response.\n", "")
                .etherLink("v1").answer(1, "", "v1: No such device\n");
        IpRouteActuator inNs = new IpRouteActuator(runner, "lcs-t-1", Duration.ofSeconds(2));
        ProbeResult taken = inNs.probeDuplicate(Cidr.parse("2001:db8:5::10/64"), "v1", Duration.ofMillis(250));
        assertEquals(new ProbeResult.Answered("2e:0b:92:c5:ed:2d", Duration.ofMillis(3)), taken);
        assertEquals(List.of("ip", "netns", "exec", "lcs-t-1", "ndisc6", "-n", "-1", "-r", "1", "-w", "250",
                "2001:db8:5::10", "v1"), runner.argvs.get(1));
        assertEquals(new ProbeResult.NoAnswer(1, Duration.ofMillis(3)),
                inNs.probeDuplicate(Cidr.parse("2001:db8:5::11/64"), "v1", Duration.ofMillis(250)));
        ProbeResult.CouldNotProbe gone = assertInstanceOf(ProbeResult.CouldNotProbe.class,
                inNs.probeDuplicate(Cidr.parse("2001:db8:5::11/64"), "v1", Duration.ofMillis(250)));
        assertTrue(gone.reason().endsWith("exit 1: v1: No such device"), gone.reason());
    }

    @Test
    void onInterfacesWithoutNeighbourDiscoveryProbesAndAnnouncementsRunNothing() throws Exception {
        runner.answer(0, sample("link-show-lo.json"), "").answer(0, sample("link-show-lo.json"), "")
                .answer(0, sample("link-show-tun0.json"), "").answer(0, sample("link-show-lo.json"), "");
        assertEquals(new ProbeResult.NoNeighbourDiscovery("loopback"),
                actuator.probeDuplicate(Cidr.parse("127.0.0.9/8"), "lo", Duration.ofMillis(250)));
        assertEquals(new ProbeResult.NoNeighbourDiscovery("loopback"),
                actuator.probeDuplicate(Cidr.parse("2001:db8::9/128"), "lo", Duration.ofMillis(250)));
        assertEquals(new ProbeResult.NoNeighbourDiscovery("point-to-point"),
                actuator.probeDuplicate(Cidr.parse("198.18.9.1/32"), "tun0", Duration.ofMillis(250)));
        actuator.announce(Cidr.parse("127.0.0.9/8"), "lo");
        assertEquals(4, runner.argvs.size(), "only link reads: " + runner.argvs);
        assertTrue(runner.argvs.stream().allMatch(a -> a.get(0).equals("ip")), "" + runner.argvs);
    }

    @Test
    void announceSendsOneGratuitousArpOrUnsolicitedNaPerCall() throws Exception {
        runner.etherLink("v0").answer(0, "", "").etherLink("v0").answer(0, "", "");
        actuator.announce(Cidr.parse("198.18.5.10/24"), "v0");
        actuator.announce(Cidr.parse("2001:db8:5::10/64"), "v0");
        assertTrue(runner.argvs.get(1).containsAll(List.of("arp-scan", "--interface=v0", "--arpspa=dest", "--retry=1")),
                "one gratuitous ARP request (sender = target address): " + runner.argvs.get(1));
        assertEquals(List.of("198.18.5.10\n"), runner.stdins);
        assertEquals(List.of("na6", "-i", "v0", "-t", "2001:db8:5::10", "-d", "ff02::1", "-o", "-e"),
                runner.argvs.get(3));
        assertEquals(4, runner.argvs.size(), "one NA per call (the reconciler repeats): " + runner.argvs);
    }

    @Test
    void missingToolIsAProbeThatCouldNotRunNamingTheDebianPackage() throws Exception {
        runner.etherLink("v1").cannotStart();
        ProbeResult.CouldNotProbe c = assertInstanceOf(ProbeResult.CouldNotProbe.class,
                actuator.probeDuplicate(Cidr.parse("198.18.5.10/24"), "v1", Duration.ofMillis(250)));
        assertTrue(c.reason().contains("install the Debian package iputils-arping"), c.reason());
    }
}
