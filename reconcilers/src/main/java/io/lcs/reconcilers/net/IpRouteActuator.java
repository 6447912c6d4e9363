package io.lcs.reconcilers.net;

import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.process.CommandResult;
import io.lcs.reconcilers.process.CommandRunner;
import io.lcs.reconcilers.process.ProcessCommandRunner;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link NetworkActuator} over the Debian tools, run as argv (never a shell) through a
 * {@link CommandRunner}:
 *
 * <ul>
 *   <li>read: {@code ip -j addr show dev IF}, {@code ip -j link show dev IF} (iproute2 JSON);</li>
 *   <li>change: {@code ip addr add|change CIDR dev IF valid_lft N preferred_lft N [nodad]},
 *       {@code ip addr del CIDR dev IF}. {@code ip addr change} creates a missing address (measured:
 *       exit 0), so {@link #refreshLifetime} reads the addresses first and refuses to resurrect
 *       one. If the kernel expires it in the instant between the read and the change, the change
 *       adds it back with the new lifetime, which the caller computed from a lease it still holds,
 *       so the fence still holds;</li>
 *   <li>probe: IPv4 {@code arping -D -c 1 -w S -I IF ADDR} (iputils-arping), stopped with SIGTERM
 *       at the window because {@code -w} takes whole seconds: it then still prints "Sent N probes"
 *       and "Received N response(s)"; IPv6 {@code ndisc6 -n -1 -r 1 -w MS ADDR IF} (ndisc6; exit 0
 *       and a "Target link-layer address" line when taken, exit 2 with "Timed out."/"No response."
 *       when free). {@link ProbeOutput} reads the verdict: free only when the tool reported probes
 *       sent and no answer; a probe that could not run or did not say is
 *       {@link ProbeResult.CouldNotProbe} (never an exception);</li>
 *   <li>announce: one frame per call, the caller repeats it (the VIP reconciler sends three over
 *       one second): IPv4 {@code arp-scan --arpspa=dest --retry=1} with the address on its standard
 *       input (one gratuitous ARP request; about 0.2 s, where {@code arping -U -c 1} waits a whole
 *       second after its frame); IPv6 {@code na6 -i IF -t ADDR -d ff02::1 -o -e} (Debian
 *       ipv6toolkit): an unsolicited NA with the override flag and our MAC as target link-layer
 *       address. The kernel is no substitute: measured here, with
 *       {@code ndisc_notify=1} it sends an unsolicited NA only after DAD completes, never for a
 *       {@code nodad} address, and never again on demand.</li>
 * </ul>
 *
 * <p>Batches ({@link #apply}, {@link #probeDuplicates}, {@link #announceAll}) cost a fixed number of
 * processes whatever their size:
 * <ul>
 *   <li>{@link #apply}: one listing ({@code ip -j addr show [dev IF]}) when the batch refreshes
 *       (a refresh never re-adds a missing address), one {@code ip -force -batch -} with a line per
 *       change on its standard input, and one more listing when the batch adds or removes or did
 *       not end cleanly, which confirms each address. iproute2 prints each failed line's message
 *       followed by {@code Command failed -:N}; that message is the change's error;</li>
 *   <li>{@link #probeDuplicates} of two or more IPv4 addresses: one {@code arp-scan -I IF
 *       --arpspa=0.0.0.0 --retry=1 --timeout=WINDOW_MS --bandwidth=10M --file=-} (Debian arp-scan;
 *       the ARP probe of RFC 5227, as {@code arping -D} sends, to every address, one process; its
 *       summary line says every address was probed, so the others are free only when it is there);
 *       IPv6: {@code ndisc6} per address, at most {@value #PARALLEL} at a time;</li>
 *   <li>{@link #announceAll} of IPv4 addresses: one {@code arp-scan --arpspa=dest --retry=1} (a
 *       gratuitous ARP request per address); IPv6: {@code na6} per address, {@value #PARALLEL} at a
 *       time.</li>
 * </ul>
 * One address is still probed with the single-address command (arping).
 *
 * <p><b>Interfaces without neighbour discovery</b> (loopback, point-to-point such as tun or
 * WireGuard, NOARP, no link-layer address; see {@link LinkState#noNeighbourDiscovery}): nobody can
 * be asked about an address there or told where it is, and the tools fail on them (arp-scan: "Could
 * not obtain MAC address"; arping: "not ARPable"). The probes read the link first and answer
 * {@link ProbeResult.NoNeighbourDiscovery} without running anything; announcements do nothing.
 *
 * <p>With a persistent session (the no-argument constructor, as lcsd uses), the {@code ip addr}
 * commands and listings above are not processes but requests to one long-lived
 * {@code ip -j -force -batch -} ({@link IpSession}): {@link #apply} sends the changes and the
 * confirming listing as one request (after the listing a refresh needs, a request of its own), and
 * {@link #link} reads {@code addr show dev IF}. If a request is cut short (timeout, ip died, output
 * out of step) its unreported changes count as not confirmed and the confirming listing runs as a new
 * request on a fresh process, as after a timed-out {@code ip -batch} process. Probes and
 * announcements stay processes (they are rare).
 *
 * <p>Bounds: every {@code ip} command is killed after {@code commandTimeout} (default 2 s), a probe
 * after its window, an announce after 4 s. Standard error (first 4 KiB) is quoted in every
 * {@link ActuatorException}. With a {@code netns} name, {@code ip} runs as {@code ip -n NS ...} and
 * the other tools as {@code ip netns exec NS TOOL ...} (used by tests; lcsd passes none).
 */
public final class IpRouteActuator implements NetworkActuator {
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** One gratuitous ARP (arp-scan starts in about 0.2 s), plus slack for a loaded machine. */
    static final Duration ANNOUNCE_TIMEOUT = Duration.ofSeconds(2);
    /** How long arp-scan waits for (ignored) answers after an announcement, in ms. */
    static final int ANNOUNCE_WAIT_MILLIS = 10;
    /** ndisc6 ends by itself after its {@code -w}; this is only a backstop on top of the window. */
    private static final Duration NDISC6_SLACK = Duration.ofMillis(500);
    /**
     * How long arping may take to print its counters and exit after the SIGTERM at the window end
     * before it is killed (measured: about a millisecond; 250 ms covers a loaded machine). Only a
     * probe that says it sent something and got no answer counts as free.
     */
    static final Duration ARPING_STOP_GRACE = Duration.ofMillis(250);
    /** ARP probes arp-scan sends per address ({@code --retry}). */
    static final int ARP_SCAN_PROBES = 1;
    private static final Pattern NETNS_NAME = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.-]{0,63}");
    private static final Pattern REMOVE_NOOP = Pattern.compile(
            "(?i).*(address not found|cannot assign requested address|cannot find device|does not exist).*",
            Pattern.DOTALL);
    private static final Pattern NO_DEVICE = Pattern.compile(
            "(?i).*(cannot find device|does not exist|no such device|not available).*", Pattern.DOTALL);

    /** How many per-address probe/announce processes (IPv6) run at once. */
    static final int PARALLEL = 32;
    /** arp-scan's send rate: 10 Mbit/s is about 20,000 ARP frames a second (its default, 256 kbit/s, takes 2 s for 1,000). */
    static final String ARP_SCAN_BANDWIDTH = "10M";
    private static final Pattern BATCH_FAILED = Pattern.compile("Command failed -:(\\d+)");

    private final CommandRunner runner;
    private final String netns;
    private final Duration commandTimeout;
    /** The persistent {@code ip -j -force -batch -} process, or null to run each {@code ip} command as a process. */
    private final IpSession session;

    /**
     * Acts on the host's own network namespace with the default timeout, through a persistent
     * {@code ip} session (see {@link #IpRouteActuator(CommandRunner, String, Duration, boolean)}).
     */
    public IpRouteActuator() {
        this(new ProcessCommandRunner(), null, DEFAULT_COMMAND_TIMEOUT, true);
    }

    /**
     * Runs every command as its own process through {@code runner} (no persistent session).
     *
     * @param runner runs the commands
     * @param netns a network namespace name created with {@code ip netns add}, or null for the
     *              current one
     * @param commandTimeout bound on each {@code ip} command (100 ms..30 s)
     */
    public IpRouteActuator(CommandRunner runner, String netns, Duration commandTimeout) {
        this(runner, netns, commandTimeout, false);
    }

    /**
     * @param runner runs the commands that are not {@code ip} address/link commands (arping,
     *               arp-scan, ndisc6, na6), and every command when {@code persistentSession} is false
     * @param netns a network namespace name created with {@code ip netns add}, or null for the
     *              current one
     * @param commandTimeout bound on each {@code ip} command or session request (100 ms..30 s)
     * @param persistentSession true to send {@code ip addr} and {@code ip link} commands (reads,
     *              changes and batches) to one long-lived {@code ip -j -force -batch -} process
     *              ({@link IpSession}, started on first use and restarted when it dies or falls out
     *              of step) instead of starting a process per command: about 2.4 ms of CPU saved per
     *              command, which matters at one renewal every 500 ms. Errors read the same either way.
     */
    public IpRouteActuator(CommandRunner runner, String netns, Duration commandTimeout, boolean persistentSession) {
        this.runner = Objects.requireNonNull(runner, "runner");
        if (netns != null && !NETNS_NAME.matcher(netns).matches()) {
            throw new IllegalArgumentException("network namespace name '" + netns + "' is not valid");
        }
        this.netns = netns;
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        if (commandTimeout.compareTo(Duration.ofMillis(100)) < 0 || commandTimeout.compareTo(Duration.ofSeconds(30)) > 0) {
            throw new IllegalArgumentException("command timeout " + commandTimeout + " must be 100 ms..30 s");
        }
        this.commandTimeout = commandTimeout;
        this.session = persistentSession ? new IpSession(netns) : null;
    }

    /** The session, or null without one (for tests and measurements). */
    IpSession session() {
        return session;
    }

    /**
     * Runs one {@code ip} command ({@code args} without {@code ip}, {@code -n} or {@code -j}):
     * through the session if there is one, else as {@code ip [-n NS] [-j] ARGS} through the runner.
     * A session reply is given as the process would have ended: exit 0 with the JSON on stdout, exit 1
     * with ip's message on stderr, or (request cut short) exit -1 / timed out with the problem on stderr.
     */
    private CommandResult runIp(boolean show, String... args) throws ActuatorException, InterruptedException {
        if (session == null) {
            if (!show) {
                return run(ip(args), commandTimeout);
            }
            String[] json = new String[args.length + 1];
            json[0] = "-j";
            System.arraycopy(args, 0, json, 1, args.length);
            return run(ip(json), commandTimeout);
        }
        List<String> argv = List.of(args);
        long start = System.nanoTime();
        IpSession.Reply reply = session(List.of(show ? IpSession.Command.show(argv) : IpSession.Command.change(argv)),
                commandTimeout);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        IpSession.LineResult line = reply.results().get(0);
        if (line instanceof IpSession.LineResult.Shown s) {
            return new CommandResult(0, false, s.json(), "", took);
        }
        if (line instanceof IpSession.LineResult.Done) {
            return new CommandResult(0, false, "", "", took);
        }
        if (line instanceof IpSession.LineResult.Failed f) {
            return new CommandResult(1, false, "", f.message(), took);
        }
        return new CommandResult(-1, reply.timedOut(), "", reply.problem(), took);
    }

    private IpSession.Reply session(List<IpSession.Command> commands, Duration timeout)
            throws ActuatorException, InterruptedException {
        try {
            return session.execute(commands, timeout);
        } catch (IOException e) {
            throw new ActuatorException(session.commandLine() + ": cannot run ip (" + e.getMessage() + ")"
                    + installHint("ip"), e);
        }
    }

    /** Destroys the persistent {@code ip} process, if any (a later call starts a new one). */
    public void closeSession() {
        if (session != null) {
            session.close();
        }
    }

    @Override
    public List<InterfaceAddress> addresses(String ifname) throws ActuatorException, InterruptedException {
        NetworkActuator.checkInterfaceName(ifname);
        CommandResult r = runIp(true, "addr", "show", "dev", ifname);
        if (!r.ok()) {
            throw failure(ip("addr", "show", "dev", ifname), r, ifname);
        }
        return IpJson.addresses(r.stdout(), ifname);
    }

    @Override
    public LinkState link(String ifname) throws ActuatorException, InterruptedException {
        NetworkActuator.checkInterfaceName(ifname);
        // through the session, "addr show" (its JSON has the link's flags, operstate and address too):
        // a "link show" in ip's batch mode leaves a static set that makes every later "addr show" of the
        // process print no addresses (iproute2 6.1, measured)
        CommandResult r = runIp(true, session != null ? "addr" : "link", "show", "dev", ifname);
        if (!r.ok()) {
            if (!r.timedOut() && r.exitCode() >= 0 && NO_DEVICE.matcher(r.stderr()).matches()) {
                return LinkState.absent(ifname);
            }
            throw failure(ip("link", "show", "dev", ifname), r, ifname);
        }
        return IpJson.link(r.stdout(), ifname);
    }

    @Override
    public void addAddress(Cidr cidr, String ifname, Duration lifetime) throws ActuatorException, InterruptedException {
        Objects.requireNonNull(cidr, "cidr");
        NetworkActuator.checkInterfaceName(ifname);
        long seconds = NetworkActuator.lifetimeSeconds(lifetime);
        List<String> args = new ArrayList<>(List.of("addr", "add", cidr.toString(), "dev", ifname,
                "valid_lft", Long.toString(seconds), "preferred_lft", Long.toString(seconds)));
        if (cidr.isIpv6()) {
            args.add("nodad");
        }
        List<String> argv = ip(args.toArray(new String[0]));
        CommandResult r = runIp(false, args.toArray(new String[0]));
        if (!r.ok()) {
            throw changeFailure(argv, r, ifname);
        }
    }

    @Override
    public void refreshLifetime(Cidr cidr, String ifname, Duration lifetime)
            throws ActuatorException, InterruptedException {
        Objects.requireNonNull(cidr, "cidr");
        NetworkActuator.checkInterfaceName(ifname);
        long seconds = NetworkActuator.lifetimeSeconds(lifetime);
        boolean present = false;
        for (InterfaceAddress a : addresses(ifname)) {
            present |= a.cidr().equals(cidr);
        }
        if (!present) {
            throw new AddressNotFoundException("cannot refresh " + cidr + " on " + ifname
                    + ": the address is not there (expired or removed); not re-adding it");
        }
        List<String> args = new ArrayList<>(List.of("addr", "change", cidr.toString(), "dev", ifname,
                "valid_lft", Long.toString(seconds), "preferred_lft", Long.toString(seconds)));
        if (cidr.isIpv6()) {
            args.add("nodad"); // change replaces the flags; keep nodad as at add time
        }
        List<String> argv = ip(args.toArray(new String[0]));
        CommandResult r = runIp(false, args.toArray(new String[0]));
        if (!r.ok()) {
            throw changeFailure(argv, r, ifname);
        }
    }

    @Override
    public void removeAddress(Cidr cidr, String ifname) throws ActuatorException, InterruptedException {
        Objects.requireNonNull(cidr, "cidr");
        NetworkActuator.checkInterfaceName(ifname);
        List<String> argv = ip("addr", "del", cidr.toString(), "dev", ifname);
        CommandResult r = runIp(false, "addr", "del", cidr.toString(), "dev", ifname);
        if (r.ok() || (!r.timedOut() && r.exitCode() >= 0 && REMOVE_NOOP.matcher(r.stderr()).matches())) {
            return;
        }
        throw changeFailure(argv, r, null);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Never throws for a probe that cannot run: that is {@link ProbeResult.CouldNotProbe}.
     */
    @Override
    public ProbeResult probeDuplicate(Cidr cidr, String ifname, Duration window) throws InterruptedException {
        Objects.requireNonNull(cidr, "cidr");
        NetworkActuator.checkInterfaceName(ifname);
        NetworkActuator.checkProbeWindow(window);
        ProbeResult withoutProbe = withoutProbe(ifname);
        return withoutProbe != null ? withoutProbe : probeOne(cidr, ifname, window);
    }

    /**
     * What every probe on {@code ifname} gives without running a tool: could not probe (the link
     * cannot be read or does not exist), or no neighbour discovery there; null when probes can run.
     */
    private ProbeResult withoutProbe(String ifname) throws InterruptedException {
        LinkState link;
        try {
            link = link(ifname);
        } catch (ActuatorException e) {
            return new ProbeResult.CouldNotProbe("cannot read interface " + ifname + ": " + e.getMessage(),
                    Duration.ZERO);
        }
        if (!link.exists()) {
            return new ProbeResult.CouldNotProbe("interface " + ifname + " does not exist", Duration.ZERO);
        }
        String why = link.noNeighbourDiscovery();
        return why == null ? null : new ProbeResult.NoNeighbourDiscovery(why);
    }

    /** Runs the probe tool for one address (the link is known to do neighbour discovery). */
    private ProbeResult probeOne(Cidr cidr, String ifname, Duration window) throws InterruptedException {
        if (!cidr.isIpv6()) {
            long wholeSeconds = Math.max(1, (window.toMillis() + 999) / 1000);
            List<String> argv = tool("arping", "-D", "-c", "1", "-w", Long.toString(wholeSeconds),
                    "-I", ifname, cidr.addressText());
            try {
                return ProbeOutput.arping(runner.runTerminating(argv, window, ARPING_STOP_GRACE),
                        String.join(" ", argv));
            } catch (IOException e) {
                return cannotRun(argv, e);
            }
        }
        List<String> argv = tool("ndisc6", "-n", "-1", "-r", "1", "-w", Long.toString(window.toMillis()),
                cidr.addressText(), ifname);
        try {
            return ProbeOutput.ndisc6(runner.run(argv, window.plus(NDISC6_SLACK)), String.join(" ", argv));
        } catch (IOException e) {
            return cannotRun(argv, e);
        }
    }

    private ProbeResult.CouldNotProbe cannotRun(List<String> argv, IOException e) {
        String program = argv.get(netns != null ? 4 : 0);
        return new ProbeResult.CouldNotProbe(String.join(" ", argv) + ": cannot run " + program + " ("
                + e.getMessage() + ")" + installHint(program), Duration.ZERO);
    }

    /** {@inheritDoc} Does nothing on an interface without neighbour discovery (nobody to tell). */
    @Override
    public void announce(Cidr cidr, String ifname) throws ActuatorException, InterruptedException {
        Objects.requireNonNull(cidr, "cidr");
        NetworkActuator.checkInterfaceName(ifname);
        if (link(ifname).noNeighbourDiscovery() == null) {
            announceOne(cidr, ifname);
        }
    }

    /** Announces on a link known to do neighbour discovery. */
    private void announceOne(Cidr cidr, String ifname) throws ActuatorException, InterruptedException {
        if (!cidr.isIpv6()) {
            announceIpv4(List.of(cidr), ifname);
            return;
        }
        List<String> argv = tool("na6", "-i", ifname, "-t", cidr.addressText(), "-d", "ff02::1", "-o", "-e");
        CommandResult r = run(argv, commandTimeout);
        if (!r.ok()) {
            throw failure(argv, r, ifname);
        }
    }

    /** One gratuitous ARP request per address, all in one arp-scan. */
    private void announceIpv4(List<Cidr> v4, String ifname) throws ActuatorException, InterruptedException {
        List<String> argv = tool("arp-scan", "--interface=" + ifname, "--arpspa=dest", "--quiet", "--plain",
                "--ignoredups", "--numeric", "--retry=1", "--timeout=" + ANNOUNCE_WAIT_MILLIS,
                "--bandwidth=" + ARP_SCAN_BANDWIDTH, "--file=-");
        CommandResult r = runWithInput(argv, addressLines(v4), ANNOUNCE_TIMEOUT.plus(sendTime(v4.size())));
        if (!r.ok()) {
            throw failure(argv, r, ifname);
        }
    }


    @Override
    public List<AddressChange.Outcome> apply(List<AddressChange> changes) throws InterruptedException {
        NetworkActuator.checkBatch(changes, "changes");
        int n = changes.size();
        ActuatorException[] errors = new ActuatorException[n];
        boolean[] settled = new boolean[n];
        Set<String> ifnames = new LinkedHashSet<>();
        boolean refreshes = false;
        boolean addsOrRemoves = false;
        for (AddressChange c : changes) {
            ifnames.add(c.ifname());
            refreshes |= c instanceof AddressChange.Refresh;
            addsOrRemoves |= !(c instanceof AddressChange.Refresh);
        }
        if (n == 0) {
            return List.of();
        }
        Map<String, Set<Cidr>> before = null;
        if (refreshes) {
            try {
                before = listing(ifnames);
            } catch (ActuatorException e) {
                for (int i = 0; i < n; i++) {
                    if (changes.get(i) instanceof AddressChange.Refresh) {
                        errors[i] = e;
                        settled[i] = true;
                    }
                }
            }
        }
        StringBuilder stdin = new StringBuilder(n * 72);
        List<Integer> indexOfLine = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (settled[i]) {
                continue;
            }
            AddressChange c = changes.get(i);
            if (c instanceof AddressChange.Refresh r && before != null) {
                Set<Cidr> present = before.get(r.ifname());
                if (present == null) {
                    errors[i] = new NoSuchInterfaceException(r.ifname(), "cannot refresh " + r.cidr() + " on "
                            + r.ifname() + ": Cannot find device \"" + r.ifname() + "\"");
                    settled[i] = true;
                    continue;
                }
                if (!present.contains(r.cidr())) {
                    errors[i] = new AddressNotFoundException("cannot refresh " + r.cidr() + " on " + r.ifname()
                            + ": the address is not there (expired or removed); not re-adding it");
                    settled[i] = true;
                    continue;
                }
            }
            stdin.append(String.join(" ", batchLine(c))).append('\n');
            indexOfLine.add(i);
        }
        if (indexOfLine.isEmpty()) {
            return outcomes(changes, errors);
        }
        Map<Integer, String> messageOfLine;
        boolean complete;
        String how;
        Map<String, Set<Cidr>> confirmed = null; // the listing after the changes, when the session gave it
        if (session != null) {
            // one request: the changes, then (adds/removes) the confirming listing
            List<IpSession.Command> commands = new ArrayList<>(indexOfLine.size() + 1);
            for (int i : indexOfLine) {
                commands.add(IpSession.Command.change(batchLine(changes.get(i))));
            }
            String only = ifnames.size() == 1 ? ifnames.iterator().next() : null;
            if (addsOrRemoves) {
                commands.add(IpSession.Command.show(only != null ? List.of("addr", "show", "dev", only)
                        : List.of("addr", "show")));
            }
            IpSession.Reply reply;
            try {
                reply = session(commands, commandTimeout.plusMillis(indexOfLine.size()));
            } catch (ActuatorException e) {
                for (int i : indexOfLine) {
                    errors[i] = e;
                }
                return outcomes(changes, errors);
            }
            messageOfLine = new HashMap<>();
            for (int line = 1; line <= indexOfLine.size(); line++) {
                if (reply.results().get(line - 1) instanceof IpSession.LineResult.Failed f) {
                    messageOfLine.put(line, f.message());
                }
            }
            complete = reply.complete();
            how = complete ? "exit " + (messageOfLine.isEmpty() ? 0 : 1) : reply.problem();
            if (addsOrRemoves) {
                confirmed = confirmingListing(reply.results().get(commands.size() - 1), ifnames, only);
            }
        } else {
            List<String> argv = ip("-force", "-batch", "-");
            CommandResult r;
            try {
                r = runner.run(argv, stdin.toString(), commandTimeout.plusMillis(indexOfLine.size()));
            } catch (java.io.IOException e) {
                ActuatorException all = new ActuatorException(String.join(" ", argv) + ": cannot run ip ("
                        + e.getMessage() + ")" + installHint("ip"), e);
                for (int i : indexOfLine) {
                    errors[i] = all;
                }
                return outcomes(changes, errors);
            }
            // iproute2 prints a failed line's message(s), then "Command failed -:N" (N counts from 1)
            messageOfLine = new HashMap<>();
            StringBuilder pending = new StringBuilder();
            for (String line : r.stderr().split("\n")) {
                Matcher m = BATCH_FAILED.matcher(line);
                if (m.find()) {
                    messageOfLine.put(Integer.parseInt(m.group(1)), pending.toString().strip());
                    pending.setLength(0);
                } else if (!line.isBlank()) {
                    pending.append(pending.length() == 0 ? "" : "; ").append(line.strip());
                }
            }
            // exit 0: every line ran and succeeded; exit 1 with every error attributed: every line ran
            complete = !r.timedOut() && (r.exitCode() == 0
                    || (r.exitCode() == 1 && pending.isEmpty() && !r.stderr().contains(" bytes truncated ...]")));
            how = r.timedOut() ? "timed out after " + r.took().toMillis() + " ms"
                    : "exit " + r.exitCode() + (pending.isEmpty() ? "" : ": " + pending.toString().strip());
        }
        boolean verify = addsOrRemoves || !complete;
        for (int line = 1; line <= indexOfLine.size(); line++) {
            int i = indexOfLine.get(line - 1);
            AddressChange c = changes.get(i);
            String message = messageOfLine.get(line);
            String command = String.join(" ", ip(batchLine(c).toArray(new String[0])));
            if (message != null) {
                if (c instanceof AddressChange.Remove && REMOVE_NOOP.matcher(message).matches()) {
                    settled[i] = true; // already gone: success
                    continue;
                }
                errors[i] = NO_DEVICE.matcher(message).matches() && !(c instanceof AddressChange.Remove)
                        ? new NoSuchInterfaceException(c.ifname(), command + ": " + message)
                        : new ChangeRefusedException(command + ": " + message);
                settled[i] = true;
            } else if (c instanceof AddressChange.Refresh) {
                settled[i] = true;
                if (!complete) {
                    errors[i] = new ActuatorException(command + ": not confirmed: ip -force -batch - " + how);
                }
            }
        }
        if (verify) {
            Map<String, Set<Cidr>> after = null;
            ActuatorException listingError = null;
            try {
                after = confirmed != null && complete ? confirmed : listing(ifnames);
            } catch (ActuatorException e) {
                listingError = e;
            }
            for (int i : indexOfLine) {
                if (settled[i]) {
                    continue;
                }
                AddressChange c = changes.get(i);
                String command = String.join(" ", ip(batchLine(c).toArray(new String[0])));
                if (after == null) {
                    if (!complete) {
                        errors[i] = new ActuatorException(command + ": not confirmed: ip -force -batch - " + how
                                + "; and the listing failed: " + listingError.getMessage());
                    }
                    continue;
                }
                Set<Cidr> present = after.get(c.ifname());
                boolean there = present != null && present.contains(c.cidr());
                if (c instanceof AddressChange.Add && !there) {
                    errors[i] = present == null
                            ? new NoSuchInterfaceException(c.ifname(), command + ": Cannot find device \""
                                    + c.ifname() + "\" (ip -force -batch - " + how + ")")
                            : new ActuatorException(command + ": the address is not there after the batch (ip -force -batch - "
                                    + how + ")");
                } else if (c instanceof AddressChange.Remove && there) {
                    errors[i] = new ActuatorException(command + ": the address is still there after the batch (ip -force -batch - "
                            + how + ")");
                }
            }
        }
        return outcomes(changes, errors);
    }

    private static List<AddressChange.Outcome> outcomes(List<AddressChange> changes, ActuatorException[] errors) {
        List<AddressChange.Outcome> out = new ArrayList<>(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            out.add(new AddressChange.Outcome(changes.get(i), errors[i]));
        }
        return out;
    }

    /** The {@code ip} arguments (without {@code ip}) of one change, as a batch line. */
    static List<String> batchLine(AddressChange c) {
        List<String> line = new ArrayList<>(10);
        if (c instanceof AddressChange.Remove) {
            line.addAll(List.of("addr", "del", c.cidr().toString(), "dev", c.ifname()));
            return line;
        }
        Duration lifetime = c instanceof AddressChange.Add a ? a.lifetime() : ((AddressChange.Refresh) c).lifetime();
        String seconds = Long.toString(NetworkActuator.lifetimeSeconds(lifetime));
        line.addAll(List.of("addr", c instanceof AddressChange.Add ? "add" : "change", c.cidr().toString(), "dev",
                c.ifname(), "valid_lft", seconds, "preferred_lft", seconds));
        if (c.cidr().isIpv6()) {
            line.add("nodad");
        }
        return line;
    }

    /**
     * The confirming listing a session request ended with, as {@link #listing} gives it, or null if
     * it did not succeed (then the caller lists again).
     */
    private static Map<String, Set<Cidr>> confirmingListing(IpSession.LineResult result, Set<String> ifnames,
                                                            String only) {
        try {
            Map<String, List<InterfaceAddress>> all;
            if (result instanceof IpSession.LineResult.Shown s) {
                all = only != null ? Map.of(only, IpJson.addresses(s.json(), only)) : IpJson.allAddresses(s.json());
            } else if (only != null && result instanceof IpSession.LineResult.Failed f
                    && NO_DEVICE.matcher(f.message()).matches()) {
                all = Map.of(); // the interface is absent
            } else {
                return null;
            }
            return addressSets(all, ifnames);
        } catch (ActuatorException e) {
            return null;
        }
    }

    /**
     * The addresses of {@code ifnames} in one command ({@code dev IF} for one interface, all
     * interfaces otherwise); an interface that does not exist has no entry.
     */
    private Map<String, Set<Cidr>> listing(Set<String> ifnames) throws ActuatorException, InterruptedException {
        Map<String, List<InterfaceAddress>> all;
        if (ifnames.size() == 1) {
            String ifname = ifnames.iterator().next();
            all = new HashMap<>();
            try {
                all.put(ifname, addresses(ifname));
            } catch (NoSuchInterfaceException e) {
                // absent: no entry
            }
        } else {
            CommandResult r = runIp(true, "addr", "show");
            if (!r.ok()) {
                throw failure(ip("addr", "show"), r, null);
            }
            all = IpJson.allAddresses(r.stdout());
        }
        return addressSets(all, ifnames);
    }

    private static Map<String, Set<Cidr>> addressSets(Map<String, List<InterfaceAddress>> all, Set<String> ifnames) {
        Map<String, Set<Cidr>> out = new HashMap<>();
        for (String ifname : ifnames) {
            List<InterfaceAddress> list = all.get(ifname);
            if (list != null) {
                Set<Cidr> set = new HashSet<>(list.size() * 2);
                for (InterfaceAddress a : list) {
                    set.add(a.cidr());
                }
                out.put(ifname, set);
            }
        }
        return out;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Never throws for probes that cannot run: each address gets its {@link ProbeResult}.
     */
    @Override
    public Map<Cidr, ProbeResult> probeDuplicates(List<Cidr> cidrs, String ifname, Duration window)
            throws ActuatorException, InterruptedException {
        NetworkActuator.checkBatch(cidrs, "addresses to probe");
        NetworkActuator.checkInterfaceName(ifname);
        NetworkActuator.checkProbeWindow(window);
        Map<Cidr, ProbeResult> ordered = new LinkedHashMap<>();
        if (cidrs.isEmpty()) {
            return ordered;
        }
        ProbeResult withoutProbe = withoutProbe(ifname);
        if (withoutProbe != null) {
            for (Cidr c : cidrs) {
                ordered.put(c, withoutProbe);
            }
            return ordered;
        }
        List<Cidr> v4 = new ArrayList<>();
        List<Cidr> v6 = new ArrayList<>();
        for (Cidr c : new LinkedHashSet<>(cidrs)) {
            (c.isIpv6() ? v6 : v4).add(c);
        }
        Map<Cidr, ProbeResult> out = new java.util.concurrent.ConcurrentHashMap<>();
        // every IPv4 address in one probe, each IPv6 address in its own, all at the same time: one
        // after the other, a dual-stack activation waited two windows (~0.6 s at probe_ms = 250)
        List<List<Cidr>> probes = new ArrayList<>();
        if (!v4.isEmpty()) {
            probes.add(v4);
        }
        for (Cidr c : v6) {
            probes.add(List.of(c));
        }
        forEachBounded(probes, group -> {
            if (group.size() == 1) {
                out.put(group.get(0), probeOne(group.get(0), ifname, window));
            } else {
                out.putAll(arpScanProbe(group, ifname, window));
            }
        });
        for (Cidr c : cidrs) {
            ordered.put(c, out.get(c));
        }
        return ordered;
    }

    private Map<Cidr, ProbeResult> arpScanProbe(List<Cidr> v4, String ifname, Duration window)
            throws InterruptedException {
        List<String> argv = tool("arp-scan", "--interface=" + ifname, "--arpspa=0.0.0.0", "--quiet",
                "--ignoredups", "--numeric", "--retry=" + ARP_SCAN_PROBES, "--timeout=" + window.toMillis(),
                "--bandwidth=" + ARP_SCAN_BANDWIDTH, "--file=-");
        CommandResult r;
        try {
            r = runWithInput(argv, addressLines(v4), window.plus(sendTime(v4.size())).plusMillis(500));
        } catch (ActuatorException e) {
            Map<Cidr, ProbeResult> out = new HashMap<>();
            for (Cidr c : v4) {
                out.put(c, new ProbeResult.CouldNotProbe(e.getMessage(), Duration.ZERO));
            }
            return out;
        }
        return ProbeOutput.arpScan(v4, ARP_SCAN_PROBES, r, String.join(" ", argv));
    }

    /** {@inheritDoc} Does nothing on an interface without neighbour discovery (nobody to tell). */
    @Override
    public void announceAll(List<Cidr> cidrs, String ifname) throws ActuatorException, InterruptedException {
        NetworkActuator.checkBatch(cidrs, "addresses to announce");
        NetworkActuator.checkInterfaceName(ifname);
        if (cidrs.isEmpty() || link(ifname).noNeighbourDiscovery() != null) {
            return;
        }
        List<Cidr> v4 = new ArrayList<>();
        List<Cidr> v6 = new ArrayList<>();
        for (Cidr c : new LinkedHashSet<>(cidrs)) {
            (c.isIpv6() ? v6 : v4).add(c);
        }
        AtomicReference<ActuatorException> first = new AtomicReference<>();
        if (!v4.isEmpty()) {
            try {
                announceIpv4(v4, ifname);
            } catch (ActuatorException e) {
                first.compareAndSet(null, e);
            }
        }
        forEachBounded(v6, c -> {
            try {
                announceOne(c, ifname);
            } catch (ActuatorException e) {
                first.compareAndSet(null, e);
            }
        });
        if (first.get() != null) {
            throw first.get();
        }
    }

    /** Time arp-scan needs to send {@code packets} ARP frames (64 bytes on the wire each) at its bandwidth. */
    private static Duration sendTime(int packets) {
        return Duration.ofMillis(packets * 64L * 8 / 10_000 + 1); // 10 Mbit/s = 10,000 bits per ms
    }

    private static String addressLines(List<Cidr> cidrs) {
        StringBuilder sb = new StringBuilder(cidrs.size() * 16);
        for (Cidr c : cidrs) {
            sb.append(c.addressText()).append('\n');
        }
        return sb.toString();
    }

    /** A task over one item (an address, a group of addresses) that may fail. */
    @FunctionalInterface
    private interface ItemTask<T> {
        void run(T item) throws ActuatorException, InterruptedException;
    }

    /**
     * Runs {@code task} for each item with at most {@value #PARALLEL} at once (short-lived daemon
     * threads; a single item on the calling thread), waits for all, and rethrows the first
     * {@link ActuatorException}.
     */
    private static <T> void forEachBounded(List<T> cidrs, ItemTask<T> task) throws ActuatorException, InterruptedException {
        if (cidrs.isEmpty()) {
            return;
        }
        if (cidrs.size() == 1) {
            task.run(cidrs.get(0));
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicReference<ActuatorException> first = new AtomicReference<>();
        Runnable drain = () -> {
            for (int i = next.getAndIncrement(); i < cidrs.size(); i = next.getAndIncrement()) {
                try {
                    task.run(cidrs.get(i));
                } catch (ActuatorException e) {
                    first.compareAndSet(null, e);
                } catch (InterruptedException e) {
                    return;
                }
            }
        };
        int threads = Math.min(PARALLEL, cidrs.size());
        List<Thread> started = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(drain, "lcs-net-parallel");
            th.setDaemon(true);
            th.start();
            started.add(th);
        }
        try {
            for (Thread th : started) {
                th.join();
            }
        } catch (InterruptedException e) {
            next.set(cidrs.size());
            started.forEach(Thread::interrupt);
            throw e;
        }
        if (first.get() != null) {
            throw first.get();
        }
    }

    private CommandResult runWithInput(List<String> argv, String stdin, Duration timeout)
            throws ActuatorException, InterruptedException {
        try {
            return runner.run(argv, stdin, timeout);
        } catch (IOException e) {
            String program = argv.get(netns != null ? 4 : 0);
            throw new ActuatorException(String.join(" ", argv) + ": cannot run " + program + " ("
                    + e.getMessage() + ")" + installHint(program), e);
        }
    }

    /** {@code ip [-n NS] ARGS...} as a mutable list. */
    List<String> ip(String... args) {
        List<String> argv = new ArrayList<>(args.length + 3);
        argv.add("ip");
        if (netns != null) {
            argv.add("-n");
            argv.add(netns);
        }
        argv.addAll(List.of(args));
        return argv;
    }

    /** {@code [ip netns exec NS] TOOL ARGS...}. */
    List<String> tool(String program, String... args) {
        List<String> argv = new ArrayList<>(args.length + 5);
        if (netns != null) {
            argv.addAll(List.of("ip", "netns", "exec", netns));
        }
        argv.add(program);
        argv.addAll(List.of(args));
        return argv;
    }

    private CommandResult run(List<String> argv, Duration timeout) throws ActuatorException, InterruptedException {
        try {
            return runner.run(argv, timeout);
        } catch (IOException e) {
            String program = argv.get(netns != null && !argv.get(1).equals("-n") ? 4 : 0);
            throw new ActuatorException(String.join(" ", argv) + ": cannot run " + program + " ("
                    + e.getMessage() + ")" + installHint(program), e);
        }
    }

    private static String installHint(String program) {
        return switch (program) {
            case "ip" -> "; install the Debian package iproute2";
            case "arping" -> "; install the Debian package iputils-arping";
            case "ndisc6" -> "; install the Debian package ndisc6";
            case "na6" -> "; install the Debian package ipv6toolkit";
            case "arp-scan" -> "; install the Debian package arp-scan (lcs probes and announces many IPv4 addresses with it)";
            default -> "";
        };
    }

    /** An exception naming the command, how it ended and its first stderr line. */
    private static ActuatorException failure(List<String> argv, CommandResult r, String ifname) {
        String command = String.join(" ", argv);
        String how = r.timedOut() ? "timed out after " + r.took().toMillis() + " ms"
                : r.exitCode() < 0 && !r.stderrLine().isEmpty() ? r.stderrLine() // a session request cut short
                : "exit " + r.exitCode() + (r.stderrLine().isEmpty() ? "" : ": " + r.stderrLine());
        String message = command + ": " + how;
        if (ifname != null && !r.timedOut() && r.exitCode() >= 0 && NO_DEVICE.matcher(r.stderr()).matches()) {
            return new NoSuchInterfaceException(ifname, message);
        }
        return new ActuatorException(message);
    }

    /**
     * {@link #failure} of a command that changes an address: an exit with an error (not a timeout,
     * not a session cut short) is the kernel's refusal ({@link ChangeRefusedException}).
     */
    private static ActuatorException changeFailure(List<String> argv, CommandResult r, String ifname) {
        ActuatorException e = failure(argv, r, ifname);
        return e.getClass() == ActuatorException.class && !r.timedOut() && r.exitCode() > 0
                ? new ChangeRefusedException(e.getMessage()) : e;
    }
}
