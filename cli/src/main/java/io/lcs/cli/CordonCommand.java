package io.lcs.cli;

import picocli.CommandLine.Command;

/** {@code lcs cordon NODE}. */
@Command(name = "cordon", description = "Keep new VIPs off a node.")
final class CordonCommand extends NodeActionCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    @Override
    String action() {
        return "cordon";
    }
}
