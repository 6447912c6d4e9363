package io.lcs.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code lcs}, the command-line client of lcsd's admin API (docs/api.md). Exit codes:
 * {@value #EXIT_OK} ok, {@value #EXIT_ERROR} error, {@value #EXIT_USAGE} usage,
 * {@value #EXIT_UNAVAILABLE} no quorum or daemon unreachable.
 */
@Command(name = "lcs", versionProvider = Lcs.Version.class,
        description = {"Control and inspect an lcs cluster through the local lcsd.",
            "Reading needs no privilege; changing the cluster (apply, delete, move, ack, stop, start, clear, reload,"
                    + " resource move|start|stop|clear-conflict, cordon, uncordon, drain)"
                    + " needs root's authority: the admin token lcsd keeps in state_dir/admin.token, readable by root"
                    + " only."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:error, including a change refused for want of root's authority (the admin token)",
            "2:usage error", "3:no quorum, or lcsd unreachable",
            "lcs nrpe:0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN"})
public final class Lcs implements Runnable, GlobalOptions.WithOptions {
    public static final int EXIT_OK = 0;
    public static final int EXIT_ERROR = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_UNAVAILABLE = 3;

    @Mixin
    GlobalOptions options;
    @Spec
    CommandSpec spec;
    final Environment env;

    @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @CommandLine.Option(names = {"-V", "--version"}, description = "Print the client's version and exit (with -j as"
            + " JSON, as the C lcs: {\"version\":...}); lcs version also asks the daemon.")
    boolean version;

    Lcs(Environment env) {
        this.env = env;
    }

    @Override
    public GlobalOptions globalOptions() {
        return options;
    }

    @Override
    public void run() {
        if (version) {
            PrintWriter out = spec.commandLine().getOut();
            out.println(options.json ? Replies.LENIENT.createObjectNode().put("version", clientVersion()).toString()
                    : "lcs " + clientVersion());
            return;
        }
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: try 'lcs --help'");
    }

    /** The client's version: the jar manifest's Implementation-Version, or {@code dev}. */
    public static String clientVersion() {
        String v = Lcs.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"lcs " + clientVersion()};
        }
    }

    /**
     * The verbs, in help order. Instances are made here, not by Picocli's reflective factory, and
     * only for the verbs a command line needs ({@link #commandLine(PrintWriter, PrintWriter, Environment, String[])}).
     */
    static final Map<String, Supplier<Object>> VERBS = verbs();

    private static Map<String, Supplier<Object>> verbs() {
        Map<String, Supplier<Object>> v = new LinkedHashMap<>();
        v.put("status", StatusCommand::new);
        v.put("get", GetCommand::new);
        v.put("describe", DescribeCommand::new);
        v.put("apply", ApplyCommand::new);
        v.put("delete", DeleteCommand::new);
        v.put("move", MoveCommand::new);
        v.put("ack", AckCommand::new);
        v.put("stop", StopCommand::new);
        v.put("start", StartCommand::new);
        v.put("clear", ClearCommand::new);
        v.put("resource", ResourceCommand::commandLine);
        v.put("nrpe", NrpeCommand::new);
        v.put("reload", ReloadCommand::new);
        v.put("cordon", CordonCommand::new);
        v.put("uncordon", UncordonCommand::new);
        v.put("drain", DrainCommand::new);
        v.put("version", VersionCommand::new);
        v.put("completion", CompletionCommand::new);
        return Collections.unmodifiableMap(v);
    }

    /** Options of the top command that take a value in the next argument (the {@link GlobalOptions}). */
    private static final Set<String> OPTIONS_WITH_VALUE = Set.of("--config", "--server", "--token-file", "-s",
            "--socket");

    /** Builds the whole command tree (every verb) with the writers and handlers {@link #run} uses. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, Environment env) {
        return commandLine(out, err, env, null);
    }

    /**
     * The verb {@code args} names: the first argument that is neither an option of the top command
     * nor an option's value, if it is a known verb other than {@code completion}; else null (help,
     * completion, no verb, a typo: they need the whole tree).
     */
    static String verbOf(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                return null; // "lcs -- status" is no verb to Picocli either
            }
            if (a.startsWith("-")) {
                if (OPTIONS_WITH_VALUE.contains(a)) {
                    i++; // its value, whatever it looks like
                }
                continue;
            }
            return VERBS.containsKey(a) && !a.equals("completion") ? a : null;
        }
        return null;
    }

    /**
     * Builds the command tree for one invocation: with a known verb in {@code args}, only that verb
     * is registered, so Picocli reflects over one command class instead of twelve (about half of
     * the CLI's start-up, docs/footprint.md); otherwise (or with {@code args == null}) every verb,
     * for help, completion, suggestions and documentation. Parsing and output are the same either way.
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, Environment env, String[] args) {
        CommandLine cl = new CommandLine(new Lcs(env));
        String only = args == null ? null : verbOf(args);
        for (Map.Entry<String, Supplier<Object>> v : VERBS.entrySet()) {
            if (only == null || only.equals(v.getKey())) {
                cl.addSubcommand(v.getKey(), v.getValue().get());
            }
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof CliException c && cmd.getCommand() instanceof AdminCommand a && a.jsonErrors()
                    && a.json()) {
                // the C lcs's changes with -j: {"ok":false,"message":...} on stdout, same exit code
                out.println(Replies.LENIENT.createObjectNode().put("ok", false).put("message", c.getMessage()));
                return c.exitCode();
            }
            if (ex instanceof CliException c) {
                err.println("error: " + c.getMessage());
                return c.exitCode();
            }
            if (ex instanceof CommandLine.ParameterException p) {
                err.println("error: " + p.getMessage());
                err.println("see '" + cmd.getCommandSpec().qualifiedName() + " --help'");
                return EXIT_USAGE;
            }
            err.println("error: " + ex);
            return EXIT_ERROR;
        });
        return cl;
    }

    /**
     * Runs one invocation in-process.
     *
     * @return the exit code: 0 ok, 1 error, 2 usage, 3 no quorum or daemon unreachable
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Environment env) {
        try {
            return commandLine(out, err, env, args).execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(run(args, out, err, Environment.system()));
    }
}
