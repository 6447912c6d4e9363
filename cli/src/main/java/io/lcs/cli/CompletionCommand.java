package io.lcs.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lcs completion bash|zsh}: prints a completion script (Picocli's, which serves zsh through
 * bashcompinit). Use: {@code source <(lcs completion bash)}.
 */
@Command(name = "completion", description = "Print a shell completion script: source <(lcs completion bash)")
final class CompletionCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh")
    String shell;

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new CliException(Lcs.EXIT_USAGE, "SHELL must be bash or zsh, got '" + shell + "'");
        }
        String script = AutoComplete.bash("lcs", spec.root().commandLine());
        if (shell.equals("zsh")) {
            spec.commandLine().getOut().println("autoload -U +X compinit && compinit");
            spec.commandLine().getOut().println("autoload -U +X bashcompinit && bashcompinit");
        }
        spec.commandLine().getOut().print(script);
        return Lcs.EXIT_OK;
    }
}
