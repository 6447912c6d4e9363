package io.lcs.cli;

import picocli.CommandLine.Command;

/** {@code lcs start VIP}: undoes {@code lcs stop VIP}; placement puts it on a node again. */
@Command(name = "start", description = "Start a VIP stopped with lcs stop.")
final class StartCommand extends VipActionCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    @Override
    String action() {
        return "start";
    }

    @Override
    String say(String outcome) {
        return outcome.equals("alreadyStarted") ? "already started" : "started";
    }
}
