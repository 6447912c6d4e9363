package io.lcs.cli;

import picocli.CommandLine.Command;

/** {@code lcs uncordon NODE}. */
@Command(name = "uncordon", description = "Allow VIPs on a node again.")
final class UncordonCommand extends NodeActionCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    @Override
    String action() {
        return "uncordon";
    }
}
