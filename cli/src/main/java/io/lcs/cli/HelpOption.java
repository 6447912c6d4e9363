package io.lcs.cli;

import picocli.CommandLine.Option;

/** {@code -h/--help} for a verb ({@code lcs status --help}); the top command has Picocli's standard pair. */
public final class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;
}
