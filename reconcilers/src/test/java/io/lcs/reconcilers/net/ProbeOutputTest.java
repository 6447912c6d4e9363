package io.lcs.reconcilers.net;

import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.process.CommandResult;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verdicts read from probe tools' real outputs and exit codes, captured from iputils-arping
 * 20221126, arp-scan 1.10.0 and ndisc6 1.0.5 in a network namespace (files under {@code probe/},
 * each with the command it ran). Free is said only on "probes sent, no answer".
 */
class ProbeOutputTest {
    private static final Duration TOOK = Duration.ofMillis(251);

    /** A capture: "# ..." header lines with "# exit=N", then "--- stdout" and "--- stderr" sections. */
    private static CommandResult capture(String name, boolean stoppedAtWindow) throws IOException {
        String text;
        try (InputStream in = ProbeOutputTest.class.getResourceAsStream("probe/" + name + ".txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int exit = Integer.parseInt(text.replaceAll("(?s).*?# exit=(-?\\d+).*", "$1"));
        int out = text.indexOf("--- stdout\n") + "--- stdout\n".length();
        int err = text.indexOf("--- stderr\n");
        return new CommandResult(exit, stoppedAtWindow, text.substring(out, err),
                text.substring(err + "--- stderr\n".length()), TOOK);
    }

    private static CommandResult capture(String name) throws IOException {
        return capture(name, false);
    }

    // ---- arping -D (one IPv4 address) ----

    @Test
    void arpingThatGotAReplyIsAnsweredByTheRespondersMac() throws Exception {
        ProbeResult r = ProbeOutput.arping(capture("arping-taken"), "arping");
        assertEquals(new ProbeResult.Answered("ee:3d:24:2e:de:9b", TOOK), r);
        assertFalse(r.free());
    }

    @Test
    void arpingThatReachedItsDeadlineAfterSendingIsNoAnswer() throws Exception {
        ProbeResult r = ProbeOutput.arping(capture("arping-free-deadline"), "arping");
        assertEquals(new ProbeResult.NoAnswer(1, TOOK), r);
        assertTrue(r.free());
    }

    @Test
    void arpingStoppedAtTheWindowIsFreeOnlyBecauseItReportedAProbeSent() throws Exception {
        // SIGTERM at the window: arping still prints its counters (captured through timeout -s TERM)
        assertEquals(new ProbeResult.NoAnswer(1, TOOK),
                ProbeOutput.arping(capture("arping-free-terminated-at-window", true), "arping"));
    }

    @Test
    void arpingKilledBeforeItReportedIsNotFree() {
        // what main counted as free: killed at the window (SIGKILL), nothing printed
        ProbeResult r = ProbeOutput.arping(new CommandResult(137, true, "", "", TOOK), "arping -D ...");
        ProbeResult.CouldNotProbe c = assertInstanceOf(ProbeResult.CouldNotProbe.class, r);
        assertTrue(c.reason().startsWith("arping -D ...: stopped after 251 ms (exit 137)"), c.reason());
        assertFalse(r.free());
    }

    @Test
    void arpingThatSentNothingIsNotFree() throws Exception {
        // the deadline capture with its counter set to 0 (arping stopped before its first probe)
        CommandResult free = capture("arping-free-deadline", true);
        CommandResult none = new CommandResult(0, true, free.stdout().replace("Sent 1 probes", "Sent 0 probes"),
                "", TOOK);
        ProbeResult.CouldNotProbe c = assertInstanceOf(ProbeResult.CouldNotProbe.class,
                ProbeOutput.arping(none, "arping"));
        assertTrue(c.reason().contains("before a probe was sent"), c.reason());
    }

    @Test
    void arpingOnLoopbackExitsZeroWithoutProbingAndIsNotFree() throws Exception {
        // exit 0 like "nobody answered": main counted it free
        ProbeResult.CouldNotProbe c = assertInstanceOf(ProbeResult.CouldNotProbe.class,
                ProbeOutput.arping(capture("arping-loopback"), "arping -D -c 1 -w 1 -I lo 127.0.0.9"));
        assertEquals("arping -D -c 1 -w 1 -I lo 127.0.0.9: exit 0: Interface \"lo\" is not ARPable; it did not report"
                + " a probe sent and no answer", c.reason());
    }

    @Test
    void arpingErrorsAreNotFreeAndQuoteTheTool() throws Exception {
        for (String name : List.of("arping-no-such-device", "arping-tun")) {
            ProbeResult.CouldNotProbe c = assertInstanceOf(ProbeResult.CouldNotProbe.class,
                    ProbeOutput.arping(capture(name), "arping"), name);
            assertTrue(c.reason().startsWith("arping: exit 2: arping: Device "), c.reason());
        }
    }

    // ---- arp-scan (many IPv4 addresses) ----

    private static final Cidr TAKEN = Cidr.parse("198.18.250.2/24");
    private static final Cidr FREE = Cidr.parse("198.18.250.9/24");

    @Test
    void arpScanThatFinishedGivesTheAnswerAndNoAnswerForTheRest() throws Exception {
        Map<Cidr, ProbeResult> r = ProbeOutput.arpScan(List.of(TAKEN, FREE), 1, capture("arp-scan-one-taken"),
                "arp-scan");
        assertEquals(new ProbeResult.Answered("ee:3d:24:2e:de:9b", TOOK), r.get(TAKEN));
        assertEquals(new ProbeResult.NoAnswer(1, TOOK), r.get(FREE));
    }

    @Test
    void arpScanWithoutAnswersIsNoAnswerForEveryAddressScanned() throws Exception {
        Cidr a = Cidr.parse("198.18.250.8/24");
        Map<Cidr, ProbeResult> r = ProbeOutput.arpScan(List.of(a, FREE), 1, capture("arp-scan-none-taken"), "arp-scan");
        assertTrue(r.get(a).free() && r.get(FREE).free(), "" + r);
    }

    @Test
    void arpScanWhoseSummaryCountsFewerAddressesThanAskedIsNotFree() throws Exception {
        Cidr third = Cidr.parse("198.18.250.10/24");
        Map<Cidr, ProbeResult> r = ProbeOutput.arpScan(List.of(Cidr.parse("198.18.250.8/24"), FREE, third), 1,
                capture("arp-scan-none-taken"), "arp-scan");
        ProbeResult.CouldNotProbe c = assertInstanceOf(ProbeResult.CouldNotProbe.class, r.get(third));
        assertEquals("arp-scan: it scanned 2 of 3 addresses", c.reason());
    }

    @Test
    void arpScanThatDroppedPacketsIsNotFreeButKeepsItsAnswers() throws Exception {
        CommandResult done = capture("arp-scan-one-taken");
        CommandResult dropped = new CommandResult(0, false, done.stdout().replace("0 packets dropped by kernel",
                "3 packets dropped by kernel"), "", TOOK);
        Map<Cidr, ProbeResult> r = ProbeOutput.arpScan(List.of(TAKEN, FREE), 1, dropped, "arp-scan");
        assertInstanceOf(ProbeResult.Answered.class, r.get(TAKEN));
        assertEquals(new ProbeResult.CouldNotProbe("arp-scan: the kernel dropped 3 packets (an answer may be among them)",
                TOOK), r.get(FREE));
    }

    @Test
    void arpScanOnLoopbackFailsAndNoAddressIsFree() throws Exception {
        Map<Cidr, ProbeResult> r = ProbeOutput.arpScan(List.of(Cidr.parse("127.0.0.9/8"), Cidr.parse("127.0.0.10/8")),
                1, capture("arp-scan-loopback"), "arp-scan --interface=lo");
        for (ProbeResult p : r.values()) {
            assertEquals(new ProbeResult.CouldNotProbe("arp-scan --interface=lo: exit 1: ERROR: Could not obtain MAC"
                    + " address for interface lo", TOOK), p);
        }
    }

    @Test
    void arpScanKilledOrFailingIsNotFree() throws Exception {
        assertInstanceOf(ProbeResult.CouldNotProbe.class, ProbeOutput.arpScan(List.of(FREE), 1,
                capture("arp-scan-killed-by-timeout", true), "arp-scan").get(FREE));
        ProbeResult.CouldNotProbe c = assertInstanceOf(ProbeResult.CouldNotProbe.class, ProbeOutput.arpScan(
                List.of(FREE), 1, capture("arp-scan-no-such-device"), "arp-scan").get(FREE));
        assertEquals("arp-scan: exit 1: pcap_activate: nex9: No such device exists", c.reason());
    }

    // ---- ndisc6 (one IPv6 address) ----

    @Test
    void ndisc6AdvertisementIsAnsweredByTheTargetsMac() throws Exception {
        assertEquals(new ProbeResult.Answered("ee:3d:24:2e:de:9b", TOOK),
                ProbeOutput.ndisc6(capture("ndisc6-taken"), "ndisc6"));
    }

    @Test
    void ndisc6TimedOutIsNoAnswerAfterOneSolicitation() throws Exception {
        assertEquals(new ProbeResult.NoAnswer(1, TOOK), ProbeOutput.ndisc6(capture("ndisc6-free"), "ndisc6"));
    }

    @Test
    void ndisc6ErrorsAndBackstopKillsAreNotFree() throws Exception {
        ProbeResult.CouldNotProbe lo = assertInstanceOf(ProbeResult.CouldNotProbe.class,
                ProbeOutput.ndisc6(capture("ndisc6-loopback"), "ndisc6"));
        assertEquals("ndisc6: exit 1: Sending ICMPv6 packet: Network is unreachable", lo.reason());
        assertInstanceOf(ProbeResult.CouldNotProbe.class, ProbeOutput.ndisc6(capture("ndisc6-no-such-device"), "n"));
        // killed by the backstop after printing "Timed out." (output is lost in practice; even if not)
        CommandResult free = capture("ndisc6-free");
        assertInstanceOf(ProbeResult.CouldNotProbe.class, ProbeOutput.ndisc6(new CommandResult(137, true,
                free.stdout(), "", TOOK), "ndisc6"));
    }

    @Test
    void noAnswerNeedsAtLeastOneProbe() {
        assertThrows(IllegalArgumentException.class, () -> new ProbeResult.NoAnswer(0, TOOK));
    }
}
