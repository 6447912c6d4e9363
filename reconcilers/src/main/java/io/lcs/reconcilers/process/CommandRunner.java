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

    /**
     * Like {@link #run(List, Duration)}, but when {@code timeout} passes the process is first asked
     * to stop (SIGTERM), so a tool that reports on SIGTERM what it did (arping prints how many probes
     * it sent and how many answers it got) still says so; it is killed (SIGKILL) if it is still
     * running {@code grace} later. The result says {@code timedOut}; its exit code and output are
     * the process's own when it stopped within the grace. This default kills at the timeout, so
     * nothing is reported: callers must not read more into a killed process than that.
     */
    default CommandResult runTerminating(List<String> argv, Duration timeout, Duration grace)
            throws IOException, InterruptedException {
        return run(argv, timeout);
    }

    /** Bound on kept standard error of a command fed a batch on stdin (one error line per failed batch line). */
    int MAX_BATCH_STDERR_BYTES = 256 * 1024;
    /** Bound on the standard input given to one command. */
    int MAX_STDIN_BYTES = 4 * 1024 * 1024;

    /**
     * Like {@link #run(List, Duration)} but writes {@code stdin} (UTF-8, at most {@link #MAX_STDIN_BYTES})
     * to the command's standard input and then closes it; standard error is kept up to
     * {@link #MAX_BATCH_STDERR_BYTES}. Used for {@code ip -batch -}.
     *
     * @throws IOException as {@link #run(List, Duration)}, or if this runner cannot feed input
     */
    default CommandResult run(List<String> argv, String stdin, Duration timeout) throws IOException, InterruptedException {
        if (stdin == null || stdin.isEmpty()) {
            return run(argv, timeout);
        }
        throw new IOException(getClass().getSimpleName() + " cannot feed standard input to " + argv.get(0));
    }
}
