package io.lcs.harness.netns;

import io.lcs.reconcilers.process.CommandResult;
import io.lcs.reconcilers.process.CommandRunner;
import io.lcs.reconcilers.process.ProcessCommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Argv-only wrappers around {@code ip} and {@code nft} (never a shell), each command bounded by a
 * timeout (killed with SIGKILL when it runs over, see {@link ProcessCommandRunner}). Every
 * namespace name passed here must carry the harness prefix {@value #PREFIX}: the harness never
 * acts on a namespace it did not create, and never on the host's own namespace.
 */
public final class Netns {
    /** Prefix of every namespace the harness creates; {@code cleanup} removes exactly these. */
    public static final String PREFIX = "lcsh-";
    /** Bound on one {@code ip}/{@code nft} command; they take milliseconds when healthy. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    private static final Pattern NAME = Pattern.compile("lcsh-[0-9a-f]{6}-[a-z0-9]{1,8}");
    private static final CommandRunner RUNNER = new ProcessCommandRunner();

    private Netns() {
    }

    /** Throws unless {@code ns} is a harness namespace name ({@code lcsh-XXXXXX-NAME}). */
    public static String checkName(String ns) {
        if (ns == null || !NAME.matcher(ns).matches()) {
            throw new HarnessException("namespace name '" + ns + "' is not a harness namespace (lcsh-<6 hex>-<name>)");
        }
        return ns;
    }

    /** Runs {@code argv} with {@code timeout}; never throws for a non-zero exit. */
    public static CommandResult run(Duration timeout, List<String> argv) {
        try {
            return RUNNER.run(argv, timeout);
        } catch (IOException e) {
            throw new HarnessException(String.join(" ", argv) + ": cannot run " + argv.get(0) + " (" + e.getMessage()
                    + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException(String.join(" ", argv) + ": interrupted", e);
        }
    }

    /** Runs {@code argv}; returns its standard output, or throws naming the command and its error. */
    public static String must(List<String> argv) {
        CommandResult r = run(COMMAND_TIMEOUT, argv);
        if (!r.ok()) {
            throw new HarnessException(String.join(" ", argv) + ": " + (r.timedOut()
                    ? "timed out after " + r.took().toMillis() + " ms" : "exit " + r.exitCode() + ": " + r.stderr().strip()));
        }
        return r.stdout();
    }

    /** {@code ip -n NS ARGS...}, checked. */
    public static String ip(String ns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", checkName(ns)));
        argv.addAll(List.of(args));
        return must(argv);
    }

    /** {@code ip netns exec NS ARGV...} as an argv list (not run). */
    public static List<String> exec(String ns, List<String> argv) {
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", checkName(ns)));
        out.addAll(argv);
        return out;
    }

    /** {@code nsenter --net=/run/netns/NS ARGV...}: cheaper than {@code ip netns exec} for hot probes. */
    public static List<String> enter(String ns, List<String> argv) {
        List<String> out = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + checkName(ns)));
        out.addAll(argv);
        return out;
    }

    /**
     * {@link #enter} at nice -15: the client namespace stands for another machine, so its probes
     * must not starve when the bench keeps every core of this one busy (they would report outages
     * that are only their own lateness).
     */
    public static List<String> enterAsClient(String ns, List<String> argv) {
        if (!clientBoost) {
            return enter(ns, argv);
        }
        List<String> out = new ArrayList<>(List.of("nice", "-n", "-15"));
        out.addAll(enter(ns, argv));
        return out;
    }

    private static volatile boolean clientBoost = true;

    /**
     * Whether {@link #enterAsClient} runs the client's probes at nice -15 (the default) or at the
     * default priority. The benchmark turns it off except under its load area: at -15, 50 probe
     * processes a second take the CPU from the very daemons and CLI runs they time. Read when each
     * probe process starts.
     */
    public static void clientBoost(boolean on) {
        clientBoost = on;
    }

    public static void add(String ns) {
        must(List.of("ip", "netns", "add", checkName(ns)));
    }

    /** Deletes a namespace; true if it existed. Its interfaces go with it (veth peers too). */
    public static boolean delete(String ns) {
        CommandResult r = run(COMMAND_TIMEOUT, List.of("ip", "netns", "delete", checkName(ns)));
        return r.ok();
    }

    /** Names of all namespaces on the host that carry the harness prefix. */
    public static List<String> listHarness() {
        List<String> out = new ArrayList<>();
        for (String line : must(List.of("ip", "netns", "list")).split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (name.startsWith(PREFIX) && NAME.matcher(name).matches()) {
                out.add(name);
            }
        }
        return out;
    }

    /**
     * Replaces the harness's nftables table {@code inet lcsh} in {@code ns} with {@code chains}
     * (nft syntax for the table body); an empty body removes the table. Atomic: nft applies the
     * file as one transaction.
     */
    public static void nftTable(String ns, String chains) {
        StringBuilder script = new StringBuilder();
        // "add" then "delete" makes the delete safe when the table does not exist yet
        script.append("add table inet lcsh\ndelete table inet lcsh\n");
        if (!chains.isBlank()) {
            script.append("table inet lcsh {\n").append(chains).append("\n}\n");
        }
        Path file = null;
        try {
            file = Files.createTempFile("lcsh-nft-", ".nft");
            Files.writeString(file, script);
            must(exec(ns, List.of("nft", "-f", file.toString())));
        } catch (IOException e) {
            throw new HarnessException("cannot write nft script for " + ns + ": " + e.getMessage(), e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }
}
