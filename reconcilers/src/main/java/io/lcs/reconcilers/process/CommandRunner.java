package io.lcs.reconcilers.process;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Runs one external command from an argv (never through a shell) and waits for it, bounded in time
 * and output. Implementations must be thread-safe.
 */
public interface CommandRunner {
    /** Bound on kept standard output; a command printing more fails (output would be incomplete). */
    int MAX_STDOUT_BYTES = 4 * 1024 * 1024;
    /** Bound on kept standard error; more is truncated with a marker. */
    int MAX_STDERR_BYTES = 4 * 1024;

    /**
     * Runs {@code argv} with stdin from /dev/null and waits at most {@code timeout}; after that the
     * process is killed (SIGKILL) and the result says {@code timedOut}.
     *
     * @throws IOException if the program cannot be started (e.g. not installed) or printed more than
     *                     {@link #MAX_STDOUT_BYTES} on stdout
     */
    CommandResult run(List<String> argv, Duration timeout) throws IOException, InterruptedException;
}
