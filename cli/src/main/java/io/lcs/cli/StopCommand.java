package io.lcs.cli;

import picocli.CommandLine.Command;

/** {@code lcs stop VIP}: the VIP runs nowhere (its stop hooks run) until {@code lcs start VIP}. */
@Command(name = "stop", description = "Stop a VIP everywhere (replicated; survives restarts) until lcs start.")
final class StopCommand extends VipActionCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    @Override
    String action() {
        return "stop";
    }

    @Override
    String say(String outcome) {
        return outcome.equals("alreadyStopped") ? "already stopped" : "stopped (runs nowhere until lcs start " + vip + ")";
    }
}
