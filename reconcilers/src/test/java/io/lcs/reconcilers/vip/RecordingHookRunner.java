package io.lcs.reconcilers.vip;

import io.lcs.reconcilers.hook.HookInvocation;
import io.lcs.reconcilers.hook.HookResult;
import io.lcs.reconcilers.hook.HookRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link HookRunner} for tests: runs nothing, records every invocation (and {@code hook EVENT}
 * on the shared log), and answers as programmed per event: an exit code and how long the hook
 * "takes". Time passes on the test's monotonic clock: a hook taking longer than the invocation's
 * timeout advances the clock by the timeout and reports a timeout (exit 137, SIGKILL), like
 * {@code ProcessHookRunner}. Unprogrammed events exit 0 at once.
 */
final class RecordingHookRunner implements HookRunner {
    private record Behaviour(int exitCode, Duration takes, Runnable during) {
    }

    private final List<String> log;
    private final AtomicLong clock;
    private final Map<String, Behaviour> behaviours = new HashMap<>();
    final List<HookInvocation> invocations = new ArrayList<>();

    RecordingHookRunner(List<String> log, AtomicLong clock) {
        this.log = log;
        this.clock = clock;
    }

    /** {@code event} exits with {@code exitCode} after {@code takes}. */
    RecordingHookRunner answer(String event, int exitCode, Duration takes) {
        behaviours.put(event, new Behaviour(exitCode, takes, null));
        return this;
    }

    /** {@code event} succeeds and runs {@code during} while "running" (e.g. to change the snapshot). */
    RecordingHookRunner during(String event, Runnable during) {
        behaviours.put(event, new Behaviour(0, Duration.ZERO, during));
        return this;
    }

    List<HookInvocation> of(String event) {
        return invocations.stream().filter(i -> i.event().equals(event)).toList();
    }

    @Override
    public HookResult run(HookInvocation invocation) {
        log.add("hook " + invocation.event());
        invocations.add(invocation);
        Behaviour b = behaviours.getOrDefault(invocation.event(), new Behaviour(0, Duration.ZERO, null));
        if (b.during() != null) {
            b.during().run();
        }
        if (b.takes().compareTo(invocation.timeout()) > 0) {
            clock.addAndGet(invocation.timeout().toNanos());
            return new HookResult(137, true, invocation.timeout(), "still running");
        }
        clock.addAndGet(b.takes().toNanos());
        return new HookResult(b.exitCode(), false, b.takes(), b.exitCode() == 0 ? "" : "boom");
    }
}
