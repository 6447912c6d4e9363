package io.lcs.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * The {@code lcs} command tree for build-time documentation (man page, completion), reached
 * through the package-private {@link Lcs#commandLine}: this class lives in lcs-dist, in the CLI's
 * package, so the CLI needs no public hook for a build step. Never shipped in {@code lib/}.
 */
public final class CliCommandModel {
    private CliCommandModel() {
    }

    /** A fresh {@code lcs} command tree; its writers discard output. */
    public static CommandLine commandLine() {
        PrintWriter sink = new PrintWriter(new StringWriter());
        return Lcs.commandLine(sink, sink, Environment.system());
    }
}
