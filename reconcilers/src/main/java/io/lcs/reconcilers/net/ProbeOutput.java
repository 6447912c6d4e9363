package io.lcs.reconcilers.net;

import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.process.CommandResult;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what a duplicate-address probe tool reported into a {@link ProbeResult}, trusting only what
 * the tool said explicitly: an address is free only when the tool reported that it sent probes and
 * got no answer within the window. Anything else that is not an answer (killed before it reported,
 * sent nothing, an error, output not understood) is {@link ProbeResult.CouldNotProbe}. Pure and
 * thread-safe. The formats are those of Debian 12's iputils-arping 20221126, arp-scan 1.10.0 and
 * ndisc6 1.0.5 (the unit tests replay outputs captured from them).
 */
final class ProbeOutput {
    private static final Pattern ARPING_REPLY = Pattern.compile(
            "reply from \\S+ \\[([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})]");
    private static final Pattern ARPING_SENT = Pattern.compile("(?m)^Sent (\\d+) probes?\\b");
    private static final Pattern ARPING_RECEIVED = Pattern.compile("(?m)^Received (\\d+) response");
    private static final Pattern ARP_SCAN_LINE = Pattern.compile(
            "(?m)^(\\d{1,3}(?:\\.\\d{1,3}){3})\\s+([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})");
    private static final Pattern ARP_SCAN_END = Pattern.compile(
            "(?m)^Ending arp-scan [^:]*: (\\d+) hosts scanned in ");
    private static final Pattern ARP_SCAN_DROPPED = Pattern.compile("(\\d+) packets dropped by kernel");
    private static final Pattern NDISC6_MAC = Pattern.compile(
            "Target link-layer address:\\s*([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})");
    private static final Pattern NDISC6_TIMED_OUT = Pattern.compile("(?m)^Timed out\\.");

    private ProbeOutput() {
    }

    /**
     * The verdict of {@code arping -D -c 1 -w S -I IF ADDR}, ended by itself or stopped with SIGTERM
     * at the window (then it still prints "Sent N probes" and "Received N response(s)").
     *
     * @param command the command line, for the reasons
     */
    static ProbeResult arping(CommandResult r, String command) {
        String all = r.stdout() + "\n" + r.stderr();
        Matcher reply = ARPING_REPLY.matcher(all);
        Matcher received = ARPING_RECEIVED.matcher(all);
        boolean receivedLine = received.find();
        if (reply.find()) {
            return new ProbeResult.Answered(reply.group(1).toLowerCase(Locale.ROOT), r.took());
        }
        if (receivedLine && Long.parseLong(received.group(1)) > 0) {
            return new ProbeResult.Answered("", r.took());
        }
        Matcher sent = ARPING_SENT.matcher(all);
        if (sent.find() && receivedLine) {
            long n = Long.parseLong(sent.group(1));
            if (n >= 1) {
                return new ProbeResult.NoAnswer((int) Math.min(Integer.MAX_VALUE, n), r.took());
            }
            return new ProbeResult.CouldNotProbe(command + ": " + ended(r) + " before a probe was sent", r.took());
        }
        return new ProbeResult.CouldNotProbe(command + ": " + ended(r) + firstLine(all)
                + "; it did not report a probe sent and no answer", r.took());
    }

    /**
     * The verdicts of one {@code arp-scan --retry=1 ... --file=-} over {@code addresses}: an address
     * that answered is {@link ProbeResult.Answered} whatever else happened; the others are
     * {@link ProbeResult.NoAnswer} (one probe each) only if arp-scan ended by itself with its summary
     * line counting every address (it ends only after each address had its probe and its timeout)
     * and the kernel dropped no packet (a dropped one may have been an answer).
     */
    static Map<Cidr, ProbeResult> arpScan(List<Cidr> addresses, int probesPerAddress, CommandResult r,
                                          String command) {
        Map<String, String> macByAddress = new HashMap<>();
        Matcher line = ARP_SCAN_LINE.matcher(r.stdout());
        while (line.find()) {
            macByAddress.putIfAbsent(line.group(1), line.group(2).toLowerCase(Locale.ROOT));
        }
        Set<String> distinct = new LinkedHashSet<>();
        for (Cidr c : addresses) {
            distinct.add(c.addressText());
        }
        String notFree = null;
        Matcher end = ARP_SCAN_END.matcher(r.stdout());
        Matcher dropped = ARP_SCAN_DROPPED.matcher(r.stdout());
        if (r.timedOut() || r.exitCode() != 0) {
            notFree = command + ": " + ended(r) + firstLine(r.stdout() + "\n" + r.stderr());
        } else if (!end.find()) {
            notFree = command + ": exit 0 without its summary line (\"Ending arp-scan ...\"): not known what was probed";
        } else if (Long.parseLong(end.group(1)) != distinct.size()) {
            notFree = command + ": it scanned " + end.group(1) + " of " + distinct.size() + " addresses";
        } else if (dropped.find() && Long.parseLong(dropped.group(1)) > 0) {
            notFree = command + ": the kernel dropped " + dropped.group(1) + " packets (an answer may be among them)";
        }
        Map<Cidr, ProbeResult> out = new LinkedHashMap<>();
        for (Cidr c : addresses) {
            String mac = macByAddress.get(c.addressText());
            out.put(c, mac != null ? new ProbeResult.Answered(mac, r.took())
                    : notFree == null ? new ProbeResult.NoAnswer(probesPerAddress, r.took())
                    : new ProbeResult.CouldNotProbe(notFree, r.took()));
        }
        return out;
    }

    /**
     * The verdict of {@code ndisc6 -n -1 -r N -w MS ADDR IF}: exit 0 means an advertisement came
     * back (with the target's link-layer address); exit 2 with "No response." means none did, after
     * one "Timed out." per solicitation sent.
     */
    static ProbeResult ndisc6(CommandResult r, String command) {
        String all = r.stdout() + "\n" + r.stderr();
        if (!r.timedOut() && r.exitCode() == 0) {
            Matcher m = NDISC6_MAC.matcher(all);
            return new ProbeResult.Answered(m.find() ? m.group(1).toLowerCase(Locale.ROOT) : "", r.took());
        }
        int timedOut = 0;
        Matcher t = NDISC6_TIMED_OUT.matcher(all);
        while (t.find()) {
            timedOut++;
        }
        if (!r.timedOut() && r.exitCode() == 2 && all.contains("No response.") && timedOut >= 1) {
            return new ProbeResult.NoAnswer(timedOut, r.took());
        }
        return new ProbeResult.CouldNotProbe(command + ": " + ended(r) + firstLine(r.stderr().isBlank() ? all
                : r.stderr()), r.took());
    }

    private static String ended(CommandResult r) {
        return r.timedOut() ? "stopped after " + r.took().toMillis() + " ms (exit " + r.exitCode() + ")"
                : "exit " + r.exitCode();
    }

    /** ": FIRST LINE" of {@code text} (trimmed), or "" if it is blank. */
    private static String firstLine(String text) {
        for (String l : text.strip().split("\n")) {
            if (!l.isBlank()) {
                return ": " + l.strip();
            }
        }
        return "";
    }
}
