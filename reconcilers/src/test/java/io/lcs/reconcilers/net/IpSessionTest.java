package io.lcs.reconcilers.net;

import io.lcs.reconcilers.net.IpSession.Command;
import io.lcs.reconcilers.net.IpSession.LineResult;
import io.lcs.reconcilers.net.IpSession.ProtocolException;
import io.lcs.reconcilers.net.IpSession.Reply;
import io.lcs.reconcilers.net.IpSession.ReplyParser;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure part of {@link IpSession}: the request text and the parser of the merged reply. */
class IpSessionTest {
    private static final String LO = "[{\"ifindex\":1,\"ifname\":\"lo\",\"addr_info\":[]}]";
    private static final List<Command> FIVE = List.of(
            Command.show(List.of("addr", "show", "dev", "nonexist")),
            Command.change(List.of("addr", "add", "198.18.0.5/16", "dev", "v0")),
            Command.change(List.of("addr", "del", "198.18.0.5/16", "dev", "v0")),
            Command.change(List.of("addr", "del", "198.18.0.5/16", "dev", "v0")),
            Command.show(List.of("addr", "show", "dev", "lo")));

    private static Reply parse(List<Command> commands, long firstLine, String token, String... lines)
            throws ProtocolException {
        ReplyParser p = new ReplyParser(commands, firstLine, token);
        for (int i = 0; i < lines.length; i++) {
            boolean end = p.accept(lines[i]);
            assertEquals(i == lines.length - 1, end, "end of request after line " + i);
        }
        return p.finish();
    }

    @Test
    void errorLinesBelongToTheFailedLineAndJsonToTheShowsInOrder() throws Exception {
        Reply r = parse(FIVE, 1, "lcs-sync-1",
                "Device \"nonexist\" does not exist.",
                "Command failed -:1",
                "Error: ipv4: Address not found.",
                "Command failed -:4",
                LO,
                "Object \"lcs-sync-1\" is unknown, try \"ip help\".",
                "Command failed -:6");
        assertTrue(r.complete());
        assertEquals(new LineResult.Failed("Device \"nonexist\" does not exist."), r.results().get(0));
        assertEquals(new LineResult.Done(), r.results().get(1));
        assertEquals(new LineResult.Done(), r.results().get(2));
        assertEquals(new LineResult.Failed("Error: ipv4: Address not found."), r.results().get(3));
        assertEquals(new LineResult.Shown(LO), r.results().get(4));
    }

    @Test
    void lineNumbersCountFromTheStartOfTheProcessAcrossRequests() throws Exception {
        Reply r = parse(FIVE, 101, "lcs-sync-17",
                LO.replace("lo", "nonexist"),
                "Error: ipv4: Address not found.",
                "Command failed -:104",
                LO,
                "Object \"lcs-sync-17\" is unknown, try \"ip help\".",
                "Command failed -:106");
        assertInstanceOf(LineResult.Shown.class, r.results().get(0));
        assertInstanceOf(LineResult.Failed.class, r.results().get(3));
        assertEquals(new LineResult.Shown(LO), r.results().get(4));
    }

    @Test
    void multiLineErrorsAreJoined() throws Exception {
        List<Command> one = List.of(Command.change(List.of("addr", "add", "x", "dev", "v0")));
        Reply r = parse(one, 1, "lcs-sync-2", "Error: any valid prefix is expected rather than \"x\".",
                "  second line", "Command failed -:1", "Object \"lcs-sync-2\" is unknown", "Command failed -:2");
        assertEquals(new LineResult.Failed("Error: any valid prefix is expected rather than \"x\".; second line"),
                r.results().get(0));
    }

    @Test
    void aListingThatPrintsJsonAndThenFailsIsAFailure() throws Exception {
        List<Command> one = List.of(Command.show(List.of("addr", "show")));
        Reply r = parse(one, 1, "lcs-sync-3", LO, "Dump was interrupted", "Command failed -:1",
                "Object \"lcs-sync-3\" is unknown", "Command failed -:2");
        assertEquals(new LineResult.Failed("Dump was interrupted"), r.results().get(0));
    }

    @Test
    void aFailureOfALineOutsideTheRequestIsOutOfStep() {
        ReplyParser p = new ReplyParser(FIVE, 11, "lcs-sync-4");
        ProtocolException e = assertThrows(ProtocolException.class, () -> p.accept("Command failed -:3"));
        assertTrue(e.getMessage().contains("lines 11..16"), e.getMessage());
        ReplyParser later = new ReplyParser(FIVE, 11, "lcs-sync-4");
        assertThrows(ProtocolException.class, () -> later.accept("Command failed -:17"));
    }

    @Test
    void failuresOutOfOrderOrTwiceAreOutOfStep() throws Exception {
        ReplyParser p = new ReplyParser(FIVE, 1, "lcs-sync-5");
        p.accept("Command failed -:3");
        assertThrows(ProtocolException.class, () -> p.accept("Command failed -:2"));
        ReplyParser q = new ReplyParser(FIVE, 1, "lcs-sync-5");
        q.accept("Command failed -:3");
        assertThrows(ProtocolException.class, () -> q.accept("Command failed -:3"));
    }

    @Test
    void jsonWithNoListingLeftIsOutOfStep() throws Exception {
        ReplyParser p = new ReplyParser(FIVE, 1, "lcs-sync-6");
        p.accept(LO);
        p.accept(LO);
        ProtocolException e = assertThrows(ProtocolException.class, () -> p.accept(LO));
        assertTrue(e.getMessage().contains("no listing left"), e.getMessage());
    }

    @Test
    void theEndIsFoundByItsLineNumberEvenWhenIpGarblesTheSentinelsName() throws Exception {
        List<Command> one = List.of(Command.change(List.of("addr", "del", "198.18.0.1/32", "dev", "v0")));
        ReplyParser p = new ReplyParser(one, 1, "lcs-sync-7");
        assertFalse(p.accept("Object \"\0\0\0\0\0\" is unknown, try \"ip help\"."));
        assertTrue(p.accept("Command failed -:2"));
        assertEquals(new LineResult.Done(), p.finish().results().get(0));
    }

    @Test
    void outputOutOfStepKeepsNothingItRead() throws Exception {
        ReplyParser p = new ReplyParser(FIVE, 1, "lcs-sync-7");
        p.accept("Device \"nonexist\" does not exist.");
        p.accept("Command failed -:1");
        Reply r = p.abandon("unexpected output", false, false);
        assertTrue(r.results().stream().allMatch(x -> x instanceof LineResult.Unknown), r.toString());
    }

    @Test
    void aListingThatPrintedNothingAndDidNotFailIsOutOfStep() throws Exception {
        List<Command> one = List.of(Command.show(List.of("addr", "show", "dev", "v0")));
        ReplyParser p = new ReplyParser(one, 1, "lcs-sync-8");
        p.accept("Object \"lcs-sync-8\" is unknown");
        assertTrue(p.accept("Command failed -:2"));
        assertThrows(ProtocolException.class, p::finish);
    }

    @Test
    void outputAfterTheEndIsOutOfStep() throws Exception {
        List<Command> one = List.of(Command.change(List.of("addr", "del", "198.18.0.1/32", "dev", "v0")));
        ReplyParser p = new ReplyParser(one, 1, "lcs-sync-9");
        p.accept("Object \"lcs-sync-9\" is unknown");
        assertTrue(p.accept("Command failed -:2"));
        assertThrows(ProtocolException.class, () -> p.accept("Command failed -:3"));
    }

    @Test
    void aTruncatedReplyKeepsWhatIpSaidAndLeavesTheRestUnknownNeverDone() throws Exception {
        ReplyParser p = new ReplyParser(FIVE, 1, "lcs-sync-10");
        p.accept("Device \"nonexist\" does not exist.");
        p.accept("Command failed -:1");
        p.accept("Error: ipv4: Address not found.");
        p.accept("Command failed -:4");
        Reply r = p.abandon("ip ended before answering (exit 137)", false);
        assertFalse(r.complete());
        assertFalse(r.timedOut());
        assertInstanceOf(LineResult.Failed.class, r.results().get(0));
        assertEquals(new LineResult.Unknown(), r.results().get(1));
        assertEquals(new LineResult.Unknown(), r.results().get(2));
        assertInstanceOf(LineResult.Failed.class, r.results().get(3));
        assertEquals(new LineResult.Unknown(), r.results().get(4));
        assertEquals("ip ended before answering (exit 137)", r.problem());
    }

    @Test
    void aTimedOutReplyIsMarkedTimedOut() {
        Reply r = new ReplyParser(FIVE, 1, "lcs-sync-11").abandon("no reply within 2000 ms", true);
        assertTrue(r.timedOut());
        assertTrue(r.results().stream().allMatch(x -> x instanceof LineResult.Unknown));
    }

    @Test
    void theRequestIsTheCommandLinesThenTheSentinel() {
        String text = new String(IpSession.requestText(FIVE.subList(1, 3), "lcs-sync-12"), StandardCharsets.UTF_8);
        assertEquals("addr add 198.18.0.5/16 dev v0\naddr del 198.18.0.5/16 dev v0\nlcs-sync-12\n", text);
    }

    @Test
    void aCommandLineThatWouldShiftIpsLineCountOrBreakLaterListingsIsRejected() {
        for (String bad : List.of("addr show\naddr show", "addr show # x", "addr show \\", "", "  ",
                "link show dev v0")) {
            assertThrows(IllegalArgumentException.class, () -> new Command(bad, true), bad);
        }
    }
}
