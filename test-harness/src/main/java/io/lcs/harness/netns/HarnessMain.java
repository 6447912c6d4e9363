package io.lcs.harness.netns;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lcs-harness}: runs real lcsd processes in network namespaces and attacks them (root only).
 *
 * <ul>
 *   <li>{@code scenarios} — the fixed CI set ({@link Scenarios}); exit 0 when every check passes;</li>
 *   <li>{@code nemesis --seed S --duration D --nodes N [--witnesses W]} — random faults for D
 *       ({@link Nemesis}); exit 0 when there was no overlap;</li>
 *   <li>{@code bench [--trials N] [--only AREA,...] [--out FILE] [--lcs-home DIR]} — the
 *       benchmark of lcs against keepalived ({@link io.lcs.harness.bench.Bench}); writes a
 *       Markdown report (default docs/BENCHMARKS.md);</li>
 *   <li>{@code cleanup} — removes what an interrupted run left (namespaces {@code lcsh-*}, the
 *       processes it recorded under /tmp/lcs-harness).</li>
 * </ul>
 * Each run prints the human summary and writes report.json and summary.txt next to the node logs
 * in /tmp/lcs-harness/run-ID/. Exit codes: 0 pass, 1 a check or the overlap rule failed, 2 usage,
 * 3 the harness itself could not run (not root, a tool missing).
 */
@Command(name = "lcs-harness", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        description = "Real lcsd processes in network namespaces, with faults and an overlap checker (root only).",
        subcommands = {HarnessMain.ScenariosCommand.class, HarnessMain.NemesisCommand.class,
                HarnessMain.DemoCommand.class, HarnessMain.CleanupCommand.class,
                HarnessMain.BenchCommand.class})
public final class HarnessMain implements Runnable {
    static final int EXIT_FAIL = 1;
    static final int EXIT_CANNOT_RUN = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: scenarios, nemesis or cleanup");
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new HarnessMain()).execute(args));
    }

    /** Options shared by the commands that start a cluster. */
    static class ClusterOptions {
        @Option(names = "--nodes", description = "nodes, witnesses included (2..7, default ${DEFAULT-VALUE})", defaultValue = "3")
        int nodes;

        @Option(names = "--witnesses", description = "quorum-only nodes among them (default ${DEFAULT-VALUE})", defaultValue = "1")
        int witnesses;

        @Option(names = "--lease-ms", description = "lease_ms (default ${DEFAULT-VALUE})", defaultValue = "2000")
        int leaseMillis;

        @Option(names = "--renew-ms", description = "renew_ms (default ${DEFAULT-VALUE})", defaultValue = "500")
        int renewMillis;

        @Option(names = "--vip-pairs", description = "IPv4+IPv6 VIP pairs (default ${DEFAULT-VALUE})", defaultValue = "1")
        int vipPairs;

        Cluster.Settings settings() {
            return new Cluster.Settings(nodes, witnesses, leaseMillis, renewMillis, 250, vipPairs);
        }
    }

    /** Checks root and tools; returns an error message or null. */
    static String preflight() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root (network namespaces): run as root";
        }
        for (String[] tool : new String[][] {{"ip", "iproute2"}, {"nft", "nftables"}, {"arping", "iputils-arping"},
                {"ndisc6", "ndisc6"}, {"na6", "ipv6toolkit"}, {"nsenter", "util-linux"}}) {
            if (!onPath(tool[0])) {
                return tool[0] + " not found: install the Debian package " + tool[1];
            }
        }
        return null;
    }

    /** True if {@code program} is an executable in the PATH lcsd's actuator uses. */
    public static boolean onPath(String program) {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    static int finish(Harness h, Report r, PrintStream out) {
        r.write(h.runDir());
        out.print(r.summary());
        return r.verdict().equals("PASS") ? 0 : EXIT_FAIL;
    }

    @Command(name = "scenarios", description = "Runs the fixed CI scenarios and checks their rules.")
    static final class ScenariosCommand implements Callable<Integer> {
        @CommandLine.Mixin
        ClusterOptions cluster = new ClusterOptions();

        @Option(names = "--only", split = ",", paramLabel = "NAME",
                description = "run only these scenarios (kill, freeze, isolate, move, link; default: all)")
        List<String> only;

        @Override
        public Integer call() {
            if (only != null && !Scenarios.NAMES.containsAll(only)) {
                System.err.println("lcs-harness: unknown scenario in --only " + only + "; known: " + Scenarios.NAMES);
                return 2;
            }
            String why = preflight();
            if (why != null) {
                System.err.println("lcs-harness: " + why);
                return EXIT_CANNOT_RUN;
            }
            try (Harness h = Harness.start(cluster.settings(), System.getProperty("java.class.path"))) {
                System.out.println("run " + h.runId() + ": " + h.runDir());
                List<Check> checks = new Scenarios(h).run(only == null ? Scenarios.NAMES : only);
                return finish(h, h.report("scenarios", null, checks), System.out);
            }
        }
    }

    @Command(name = "nemesis", description = "Mixes random faults for --duration and reports overlaps and failover times.")
    static final class NemesisCommand implements Callable<Integer> {
        @CommandLine.Mixin
        ClusterOptions cluster = new ClusterOptions();

        @Option(names = "--seed", description = "random seed (default: random, printed)")
        Long seed;

        @Option(names = "--duration", description = "how long to inject faults, e.g. 300s, 5m, 1h (default ${DEFAULT-VALUE})",
                defaultValue = "5m", converter = DurationConverter.class)
        Duration duration;

        @Override
        public Integer call() {
            String why = preflight();
            if (why != null) {
                System.err.println("lcs-harness: " + why);
                return EXIT_CANNOT_RUN;
            }
            long s = seed != null ? seed : new java.security.SecureRandom().nextLong();
            try (Harness h = Harness.start(cluster.settings(), System.getProperty("java.class.path"))) {
                System.out.println("run " + h.runId() + ", seed " + s + ": " + h.runDir());
                List<Check> checks = new Nemesis(h, s, System.out).run(duration);
                return finish(h, h.report("nemesis", s, checks), System.out);
            }
        }
    }

    @Command(name = "demo", description = "The quick-start demo: a 3-node cluster, kill -9 of the VIP owner, the failover.")
    static final class DemoCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            String why = preflight();
            if (why != null) {
                System.err.println("lcs-harness: " + why);
                return EXIT_CANNOT_RUN;
            }
            ClusterOptions defaults = new ClusterOptions();
            defaults.nodes = 3;
            defaults.witnesses = 1;
            defaults.leaseMillis = 2000;
            defaults.renewMillis = 500;
            defaults.vipPairs = 1;
            try (Harness h = Harness.start(defaults.settings(), System.getProperty("java.class.path"))) {
                return new NetnsDemo(h, System.out).run();
            }
        }
    }

    @Command(name = "cleanup", description = "Removes leftovers of interrupted runs: lcsh-* namespaces and recorded processes.")
    static final class CleanupCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            if (!"root".equals(System.getProperty("user.name"))) {
                System.err.println("lcs-harness: cleanup needs root");
                return EXIT_CANNOT_RUN;
            }
            RunRegistry.CleanupResult r = RunRegistry.cleanup();
            System.out.println("killed " + r.killed().size() + " process(es) " + r.killed() + ", deleted "
                    + r.namespaces().size() + " namespace(s) " + r.namespaces());
            r.errors().forEach(e -> System.err.println("cleanup: " + e));
            return r.errors().isEmpty() ? 0 : EXIT_FAIL;
        }
    }

    @Command(name = "bench", description = "Benchmarks lcs (from its distribution) against keepalived on the same "
            + "namespaces and writes a Markdown report.")
    static final class BenchCommand implements Callable<Integer> {
        @Option(names = "--trials", description = "trials per failover kind, move and CLI command (default ${DEFAULT-VALUE})",
                defaultValue = "20")
        int trials;

        @Option(names = "--only", split = ",", paramLabel = "AREA",
                description = "run only these areas (failover, service, load, move, coldstart, cli, footprint, scale; default: all)")
        List<String> only;

        @Option(names = "--out", description = "the report (default ${DEFAULT-VALUE})", defaultValue = "docs/BENCHMARKS.md")
        java.nio.file.Path out;

        @Option(names = "--lcs-home", description = "the lcs distribution tree (default ${DEFAULT-VALUE})",
                defaultValue = "dist/target/lcs-0.1.0-SNAPSHOT")
        java.nio.file.Path lcsHome;

        @Option(names = "--footprint-seconds", description = "footprint settle and measure time each (default ${DEFAULT-VALUE}; "
                + "the report of record needs >= 60)", defaultValue = "60")
        int footprintSeconds;

        @Option(names = "--budget-minutes", description = "stop starting trials after this (default ${DEFAULT-VALUE})",
                defaultValue = "36")
        int budgetMinutes;

        @Option(names = "--load-minutes", description = "load area: how long every core is kept busy before the faults"
                + " (default ${DEFAULT-VALUE}; the issue's figure of record is 10)", defaultValue = "10")
        int loadMinutes;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (loadMinutes < 1 || loadMinutes > 120) {
                System.err.println("lcs-harness bench: --load-minutes " + loadMinutes + ": must be 1..120");
                return 2;
            }
            if (only != null && !io.lcs.harness.bench.Bench.AREAS.containsAll(only)) {
                System.err.println("lcs-harness bench: unknown area in --only " + only + "; known: "
                        + io.lcs.harness.bench.Bench.AREAS);
                return 2;
            }
            if (trials < 1 || trials > 200) {
                System.err.println("lcs-harness bench: --trials " + trials + ": must be 1..200");
                return 2;
            }
            if (footprintSeconds < 5 || footprintSeconds > 600) {
                System.err.println("lcs-harness bench: --footprint-seconds " + footprintSeconds + ": must be 5..600");
                return 2;
            }
            if (budgetMinutes < 1 || budgetMinutes > 600) {
                System.err.println("lcs-harness bench: --budget-minutes " + budgetMinutes + ": must be 1..600");
                return 2;
            }
            String why = preflight();
            if (why != null) {
                System.err.println("lcs-harness: " + why);
                return EXIT_CANNOT_RUN;
            }
            java.nio.file.Path home = lcsHome.toAbsolutePath().normalize();
            if (!java.nio.file.Files.isExecutable(home.resolve("bin/lcsd"))) {
                System.err.println("lcs-harness bench: no bin/lcsd under " + home + ": build the distribution "
                        + "(nice ./mvnw -B -q -pl dist -am package -DskipTests) or pass --lcs-home");
                return EXIT_CANNOT_RUN;
            }
            try {
                io.lcs.harness.bench.KeepalivedInstall.ensureInstalled(System.out);
            } catch (HarnessException e) {
                System.err.println("lcs-harness bench: " + e.getMessage());
                return EXIT_CANNOT_RUN;
            }
            List<String> argv = new java.util.ArrayList<>(List.of("test-harness/lcs-harness"));
            argv.addAll(spec.commandLine().getParseResult().originalArgs());
            var opts = new io.lcs.harness.bench.Bench.Options(trials,
                    only == null ? java.util.Set.of() : java.util.Set.copyOf(only), out, home, footprintSeconds,
                    budgetMinutes, List.of(String.join(" ", argv)), loadMinutes);
            try (io.lcs.harness.bench.Bench b = new io.lcs.harness.bench.Bench(opts, System.out)) {
                b.run();
                return 0;
            } catch (java.io.IOException | HarnessException e) {
                System.err.println("lcs-harness bench: " + e.getMessage());
                return EXIT_FAIL;
            }
        }
    }

    /** "300s", "5m", "1h", "1500ms" or a bare number of seconds; 1 s .. 24 h. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.strip().toLowerCase(java.util.Locale.ROOT);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h)?").matcher(v);
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 300s, 5m, 1h)");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            Duration d = switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
            if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofHours(24)) > 0) {
                throw new CommandLine.TypeConversionException("duration " + value + " must be 1 s .. 24 h");
            }
            return d;
        }
    }
}
