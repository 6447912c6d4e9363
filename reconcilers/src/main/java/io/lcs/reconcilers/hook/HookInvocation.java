package io.lcs.reconcilers.hook;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One hook run to perform.
 *
 * @param event {@code pre_start}, {@code post_start}, {@code pre_stop} or {@code post_stop} (for logs;
 *              the program learns it from {@code LCS_EVENT})
 * @param program absolute path of the executable; run as argv {@code [program]}, no shell, no arguments
 * @param env variables given to the hook on top of {@code PATH}: names match {@code LCS_[A-Z0-9_]+}
 *            (e.g. {@code LCS_CLUSTER LCS_NODE LCS_VIP LCS_ADDRESS LCS_INTERFACE LCS_EPOCH LCS_EVENT}),
 *            values contain no NUL
 * @param timeout positive; after it the hook's whole process tree is killed
 * @param args arguments after the program (hooks take none; an exec health check its own)
 */
public record HookInvocation(String event, Path program, Map<String, String> env, Duration timeout,
                             List<String> args) {
    public static final Pattern ENV_NAME = Pattern.compile("LCS_[A-Z0-9_]{1,64}");

    public HookInvocation {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(timeout, "timeout");
        if (event.isBlank()) {
            throw new IllegalArgumentException("hook event is blank");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("hook timeout must be positive, got " + timeout);
        }
        env = Map.copyOf(env);
        args = List.copyOf(args);
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!ENV_NAME.matcher(e.getKey()).matches()) {
                throw new IllegalArgumentException("hook environment variable '" + e.getKey()
                        + "' must match " + ENV_NAME.pattern());
            }
            if (e.getValue().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("hook environment variable " + e.getKey() + " contains NUL");
            }
        }
    }

    /** A hook: no arguments. */
    public HookInvocation(String event, Path program, Map<String, String> env, Duration timeout) {
        this(event, program, env, timeout, List.of());
    }
}
