package io.lcs.cli;

import picocli.CommandLine.Command;

/** {@code lcs clear VIP}: lets a VIP moved away from its home node fail back there again. */
@Command(name = "clear", description = "Let a VIP moved away from its home_node fail back there again.")
final class ClearCommand extends VipActionCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    @Override
    String action() {
        return "clear";
    }

    @Override
    String say(String outcome) {
        return outcome.equals("notBlocked") ? "was not blocked from failing back" : "may fail back to its home node again";
    }
}
