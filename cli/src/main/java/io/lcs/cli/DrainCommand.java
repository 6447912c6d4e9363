package io.lcs.cli;

import picocli.CommandLine.Command;

/** {@code lcs drain NODE}. */
@Command(name = "drain", description = "Cordon a node and move its VIPs away.")
final class DrainCommand extends NodeActionCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    @Override
    String action() {
        return "drain";
    }
}
