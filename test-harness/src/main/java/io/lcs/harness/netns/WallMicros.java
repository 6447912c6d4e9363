package io.lcs.harness.netns;

import java.time.Instant;

/**
 * The harness's single timebase: wall-clock microseconds since the epoch. {@code ip -ts monitor}
 * stamps kernel events in wall time (microseconds) in its own process, before the event crosses a
 * pipe and a thread; faults and probes are stamped here with the same clock, so all observations
 * share one axis. (A wall-clock step during a run would distort it; runs are minutes long.)
 */
public final class WallMicros {
    private WallMicros() {
    }

    public static long now() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }
}
