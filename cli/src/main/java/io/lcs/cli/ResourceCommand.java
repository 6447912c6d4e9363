package io.lcs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code lcs resource list|move|start|stop|clear-conflict}: the C lcs's verbs, on lcs's own
 * ({@code move} is {@code lcs move}, {@code start}/{@code stop} are {@code lcs start}/{@code lcs
 * stop}, {@code clear-conflict} is {@code lcs ack}, where "not in conflict" is exit 0 as in the C lcs).
 */
@Command(name = "resource", description = "The C lcs's resource verbs: list, move RES NODE, start RES, stop RES,"
        + " clear-conflict RES.")
final class ResourceCommand implements Runnable, GlobalOptions.WithOptions {
    @Mixin
    GlobalOptions options;
    @Mixin
    HelpOption helpOption;
    @Spec
    CommandSpec spec;

    @Override
    public GlobalOptions globalOptions() {
        return options;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing resource verb: list, move, start, stop or clear-conflict");
    }

    /** The command with its verbs (instances made here, as {@link Lcs#VERBS} makes the others). */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new ResourceCommand());
        cl.addSubcommand("list", new ResourceListCommand());
        cl.addSubcommand("move", new MoveCommand());
        cl.addSubcommand("start", new StartCommand());
        cl.addSubcommand("stop", new StopCommand());
        CommandLine clearConflict = new CommandLine(new AckCommand(true));
        clearConflict.getCommandSpec().name("clear-conflict").usageMessage().description(
                "Acknowledge a VIP's address conflict, as lcs ack (after fixing its cause); a VIP that is not in"
                        + " conflict is no error here (exit 0), as in the C lcs.");
        cl.addSubcommand("clear-conflict", clearConflict);
        return cl;
    }
}
