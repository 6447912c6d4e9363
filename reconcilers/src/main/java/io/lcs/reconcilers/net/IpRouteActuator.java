package io.lcs.reconcilers.net;

import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.process.CommandResult;
import io.lcs.reconcilers.process.CommandRunner;
import io.lcs.reconcilers.process.ProcessCommandRunner;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
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
 *   <li>probe: IPv4 {@code arping -D -c 1 -w S -I IF ADDR} (iputils-arping; exit 0 nobody answered,
 *       1 someone did), killed after the window because {@code -w} takes whole seconds; IPv6
 *       {@code ndisc6 -n -1 -r 1 -w MS ADDR IF} (ndisc6; exit 0 and a "Target link-layer address"
 *       line when taken, "Timed out"/"No response" when free);</li>
 *   <li>announce: IPv4 {@code arping -U -c 2 -I IF ADDR} (two gratuitous ARP requests, one second
 *       apart, so the call takes about 2 s); IPv6 {@code na6 -i IF -t ADDR -d ff02::1 -o -e}
 *       (Debian ipv6toolkit) run twice: an unsolicited NA with the override flag and our MAC as
 *       target link-layer address. The kernel is no substitute: measured here, with
 *       {@code ndisc_notify=1} it sends an unsolicited NA only after DAD completes, never for a
 *       {@code nodad} address, and never again on demand.</li>
 * </ul>
 *
 * <p>Bounds: every {@code ip} command is killed after {@code commandTimeout} (default 2 s), a probe
 * after its window, an announce after 4 s. Standard error (first 4 KiB) is quoted in every
 * {@link ActuatorException}. With a {@code netns} name, {@code ip} runs as {@code ip -n NS ...} and
 * the other tools as {@code ip netns exec NS TOOL ...} (used by tests; lcsd passes none).
 */
public final class IpRouteActuator implements NetworkActuator {
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** Two gratuitous ARPs one second apart, plus start-up slack. */
    static final Duration ANNOUNCE_TIMEOUT = Duration.ofSeconds(4);
    /** ndisc6 ends by itself after its {@code -w}; this is only a backstop on top of the window. */
    private static final Duration NDISC6_SLACK = Duration.ofMillis(500);
    private static final Pattern NETNS_NAME = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.-]{0,63}");
    private static final Pattern BRACKETED_MAC = Pattern.compile("\\[([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})]");
    private static final Pattern NDISC6_MAC = Pattern.compile(
            "Target link-layer address:\\s*([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})");
    private static final Pattern REMOVE_NOOP = Pattern.compile(
            "(?i).*(address not found|cannot assign requested address|cannot find device|does not exist).*",
            Pattern.DOTALL);
    private static final Pattern NO_DEVICE = Pattern.compile(
            "(?i).*(cannot find device|does not exist|no such device|not available).*", Pattern.DOTALL);

    private final CommandRunner runner;
    private final String netns;
    private final Duration commandTimeout;

    /** Acts on the host's own network namespace with the default timeout. */
    public IpRouteActuator() {
        this(new ProcessCommandRunner(), null, DEFAULT_COMMAND_TIMEOUT);
    }

    /**
     * @param runner runs the commands
     * @param netns a network namespace name created with {@code ip netns add}, or null for the
     *              current one
     * @param commandTimeout bound on each {@code ip} command (100 ms..30 s)
     */
    public IpRouteActuator(CommandRunner runner, String netns, Duration commandTimeout) {
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
    }

    @Override
    public List<InterfaceAddress> addresses(String ifname) throws ActuatorException, InterruptedException {
        NetworkActuator.checkInterfaceName(ifname);
        CommandResult r = run(ip("-j", "addr", "show", "dev", ifname), commandTimeout);
        if (!r.ok()) {
            throw failure(ip("addr", "show", "dev", ifname), r, ifname);
        }
        return IpJson.addresses(r.stdout(), ifname);
    }

    @Override
    public LinkState link(String ifname) throws ActuatorException, InterruptedException {
        NetworkActuator.checkInterfaceName(ifname);
        CommandResult r = run(ip("-j", "link", "show", "dev", ifname), commandTimeout);
        if (!r.ok()) {
            if (!r.timedOut() && NO_DEVICE.matcher(r.stderr()).matches()) {
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
        List<String> argv = ip("addr", "add", cidr.toString(), "dev", ifname,
                "valid_lft", Long.toString(seconds), "preferred_lft", Long.toString(seconds));
        if (cidr.isIpv6()) {
            argv.add("nodad");
        }
        CommandResult r = run(argv, commandTimeout);
        if (!r.ok()) {
            throw failure(argv, r, ifname);
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
        List<String> argv = ip("addr", "change", cidr.toString(), "dev", ifname,
                "valid_lft", Long.toString(seconds), "preferred_lft", Long.toString(seconds));
        if (cidr.isIpv6()) {
            argv.add("nodad"); // change replaces the flags; keep nodad as at add time
        }
        CommandResult r = run(argv, commandTimeout);
        if (!r.ok()) {
            throw failure(argv, r, ifname);
        }
    }

    @Override
    public void removeAddress(Cidr cidr, String ifname) throws ActuatorException, InterruptedException {
        Objects.requireNonNull(cidr, "cidr");
        NetworkActuator.checkInterfaceName(ifname);
        List<String> argv = ip("addr", "del", cidr.toString(), "dev", ifname);
        CommandResult r = run(argv, commandTimeout);
        if (r.ok() || (!r.timedOut() && REMOVE_NOOP.matcher(r.stderr()).matches())) {
            return;
        }
        throw failure(argv, r, null);
    }

    @Override
    public ProbeResult probeDuplicate(Cidr cidr, String ifname, Duration window)
            throws ActuatorException, InterruptedException {
        Objects.requireNonNull(cidr, "cidr");
        NetworkActuator.checkInterfaceName(ifname);
        NetworkActuator.checkProbeWindow(window);
        if (!cidr.isIpv6()) {
            long wholeSeconds = Math.max(1, (window.toMillis() + 999) / 1000);
            List<String> argv = tool("arping", "-D", "-c", "1", "-w", Long.toString(wholeSeconds),
                    "-I", ifname, cidr.addressText());
            CommandResult r = run(argv, window);
            if (r.timedOut() || r.exitCode() == 0) {
                return new ProbeResult.Free(r.took());
            }
            if (r.exitCode() == 1) {
                Matcher m = BRACKETED_MAC.matcher(r.stdout());
                return new ProbeResult.Taken(m.find() ? m.group(1).toLowerCase(Locale.ROOT) : "", r.took());
            }
            throw failure(argv, r, ifname);
        }
        List<String> argv = tool("ndisc6", "-n", "-1", "-r", "1", "-w", Long.toString(window.toMillis()),
                cidr.addressText(), ifname);
        CommandResult r = run(argv, window.plus(NDISC6_SLACK));
        String all = r.stdout() + "\n" + r.stderr();
        if (r.timedOut()) {
            return new ProbeResult.Free(r.took());
        }
        if (r.exitCode() == 0) {
            Matcher m = NDISC6_MAC.matcher(all);
            return new ProbeResult.Taken(m.find() ? m.group(1).toLowerCase(Locale.ROOT) : "", r.took());
        }
        if (all.contains("No response") || all.contains("Timed out")) {
            return new ProbeResult.Free(r.took());
        }
        throw failure(argv, r, ifname);
    }

    @Override
    public void announce(Cidr cidr, String ifname) throws ActuatorException, InterruptedException {
        Objects.requireNonNull(cidr, "cidr");
        NetworkActuator.checkInterfaceName(ifname);
        if (!cidr.isIpv6()) {
            List<String> argv = tool("arping", "-U", "-c", "2", "-I", ifname, cidr.addressText());
            CommandResult r = run(argv, ANNOUNCE_TIMEOUT);
            if (!r.ok()) {
                throw failure(argv, r, ifname);
            }
            return;
        }
        List<String> argv = tool("na6", "-i", ifname, "-t", cidr.addressText(), "-d", "ff02::1", "-o", "-e");
        for (int i = 0; i < 2; i++) {
            CommandResult r = run(argv, commandTimeout);
            if (!r.ok()) {
                throw failure(argv, r, ifname);
            }
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
            default -> "";
        };
    }

    /** An exception naming the command, how it ended and its first stderr line. */
    private static ActuatorException failure(List<String> argv, CommandResult r, String ifname) {
        String command = String.join(" ", argv);
        String how = r.timedOut() ? "timed out after " + r.took().toMillis() + " ms"
                : "exit " + r.exitCode() + (r.stderrLine().isEmpty() ? "" : ": " + r.stderrLine());
        String message = command + ": " + how;
        if (ifname != null && !r.timedOut() && NO_DEVICE.matcher(r.stderr()).matches()) {
            return new NoSuchInterfaceException(ifname, message);
        }
        return new ActuatorException(message);
    }
}
