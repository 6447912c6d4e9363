package io.lcs.harness.netns;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One fault as it happened: what, to whom, when it started and ended (wall µs; an instant fault
 * like kill -9 has {@code end == start} until its repair), and which nodes' kernels held each VIP
 * at the start. The {@link Checker} measures failover against this record.
 *
 * @param kind one of {@link #KINDS}
 * @param targets the nodes the fault hit (for a partition: the nodes cut off from the majority)
 * @param anyNodeRecovers true when the same node may legitimately hold the VIP again (full
 *                        restart), so recovery, not failover to another node, is measured
 */
public record Fault(int id, String kind, List<String> targets, long startMicros, long endMicros,
                    Map<String, TreeSet<String>> holdersAtStart, boolean anyNodeRecovers, String detail) {
    public static final List<String> KINDS = List.of("kill9", "freeze", "partition", "split-no-quorum",
            "one-way-loss", "random-loss", "link-down", "stop", "full-restart", "move");

    public Fault ended(long atMicros) {
        return new Fault(id, kind, targets, startMicros, atMicros, holdersAtStart, anyNodeRecovers, detail);
    }
}
