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
 * @param refusal why the hook was not started because the file may not run as a hook
 *                ({@link GuardedHookRunner}), or null when it was started (or could not be for
 *                another reason, e.g. it does not exist)
 */
public record HookResult(int exitCode, boolean timedOut, Duration took, String output, HookRefusal refusal) {
    /** Exit code of a refused hook: the shell's "found but cannot be executed". */
    public static final int REFUSED_EXIT_CODE = 126;

    public HookResult {
        Objects.requireNonNull(took, "took");
        Objects.requireNonNull(output, "output");
    }

    /** A hook that ran (or could not be started), not refused. */
    public HookResult(int exitCode, boolean timedOut, Duration took, String output) {
        this(exitCode, timedOut, took, output, null);
    }

    /** A hook that was not started: exit code {@value #REFUSED_EXIT_CODE}, the refusal as output. */
    public static HookResult refused(HookRefusal refusal, Duration took) {
        return new HookResult(REFUSED_EXIT_CODE, false, took, refusal.message(), refusal);
    }

    /** True if the hook ended by itself with status 0. */
    public boolean succeeded() {
        return !timedOut && exitCode == 0;
    }
}
