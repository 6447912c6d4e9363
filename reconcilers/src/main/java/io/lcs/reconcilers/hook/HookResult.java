package io.lcs.reconcilers.hook;

import java.time.Duration;
import java.util.Objects;

/**
 * How a hook ended.
 *
 * @param exitCode the program's exit status; 128+N if killed by signal N; by shell convention
 *                 127 if the program does not exist and 126 if it cannot be executed (then
 *                 {@code output} says why); -1 if it could not be reaped after a kill
 * @param timedOut true if the timeout passed and the process tree was killed
 * @param took time from start to end
 * @param output standard output and standard error interleaved, at most
 *               {@value ProcessHookRunner#MAX_OUTPUT_BYTES} bytes kept (the first and last halves,
 *               with a {@code [... N bytes truncated ...]} marker between)
 */
public record HookResult(int exitCode, boolean timedOut, Duration took, String output) {
    public HookResult {
        Objects.requireNonNull(took, "took");
        Objects.requireNonNull(output, "output");
    }

    /** True if the hook ended by itself with status 0. */
    public boolean succeeded() {
        return !timedOut && exitCode == 0;
    }
}
