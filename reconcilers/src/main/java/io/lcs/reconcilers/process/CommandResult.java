package io.lcs.reconcilers.process;

import java.time.Duration;

/**
 * How a command ended.
 *
 * @param exitCode the exit status; if {@code timedOut}, the status after the stop (128 + signal when
 *                 killed, the program's own when it handled a SIGTERM of
 *                 {@link CommandRunner#runTerminating}), -1 if it could not be reaped
 * @param timedOut true if the command was destroyed because its timeout passed
 * @param stdout standard output (bounded, see {@link CommandRunner})
 * @param stderr standard error (bounded, see {@link CommandRunner})
 * @param took time from start to end
 */
public record CommandResult(int exitCode, boolean timedOut, String stdout, String stderr, Duration took) {
    /** True if the command ended by itself with exit status 0. */
    public boolean ok() {
        return !timedOut && exitCode == 0;
    }

    /** First line of stderr, trimmed (empty if none), for error messages. */
    public String stderrLine() {
        String s = stderr.strip();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl).strip();
    }
}
