package io.lcs.cli;

import picocli.CommandLine.Command;

/** {@code lcs version}: the client's version, then the daemon's (exit 3 if it cannot be reached). */
@Command(name = "version", description = "Print the client and daemon versions.")
final class VersionCommand extends AdminCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    @Override
    public Integer call() {
        out().println("Client Version: " + Lcs.clientVersion());
        out().flush();
        out().println("Server Version: " + client().get("/api/v1/version").path("version").asText("unknown"));
        return Lcs.EXIT_OK;
    }
}
