package io.lcs.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
@Command(name = "lcs", mixinStandardHelpOptions = true, versionProvider = Lcs.Version.class,
        description = "Control and inspect an lcs cluster through the local lcsd.",
        subcommands = {StatusCommand.class, GetCommand.class, DescribeCommand.class, ApplyCommand.class,
                DeleteCommand.class, MoveCommand.class, AckCommand.class, CordonCommand.class, UncordonCommand.class,
                DrainCommand.class, VersionCommand.class, CompletionCommand.class})
public final class Lcs implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_ERROR = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_UNAVAILABLE = 3;

    @Mixin
    GlobalOptions options;
    @Spec
    CommandSpec spec;
    final Environment env;

    Lcs(Environment env) {
        this.env = env;
    }

    @Override
    public void run() {
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

    /** Builds the command tree with the writers and handlers {@link #run} uses. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, Environment env) {
        CommandLine cl = new CommandLine(new Lcs(env));
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
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
            return commandLine(out, err, env).execute(args);
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
