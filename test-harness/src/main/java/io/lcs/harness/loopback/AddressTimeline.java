package io.lcs.harness.loopback;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Who held an address when, rebuilt from the simulated actuators' journals
 * ({@code RecordingNetworkActuator}: one JSON line per op, {@code t} in wall-clock epoch ms), and
 * the check of invariant 1 across processes: no two nodes held one address at overlapping times.
 *
 * <p>A node holds an address from an {@code add} until the earliest of: a {@code remove}, an
 * {@code expire}, or its last {@code add}/{@code refresh} time plus {@code lifetimeSeconds} — the
 * kernel fence, which is what still bounds the hold when the daemon was killed (its journal just
 * stops). Journals of restarted daemons are appended to the same file, so one journal may hold
 * several lives; an {@code add} while an interval is open closes it at the add (the simulated kernel
 * refuses a second add of a present address, so this does not happen in a sane journal).
 * Pure functions; times are compared at millisecond granularity (one host, one wall clock).
 */
public final class AddressTimeline {
    private AddressTimeline() {
    }

    /** {@code node} held the address during [startMillis, endMillis). */
    public record Interval(String node, long startMillis, long endMillis) {
        public boolean overlaps(Interval o) {
            return startMillis < o.endMillis && o.startMillis < endMillis;
        }

        @Override
        public String toString() {
            return node + "[" + startMillis + ".." + endMillis + ")";
        }
    }

    /**
     * The intervals during which {@code node} held {@code address} (the journal's {@code address}
     * text, e.g. {@code 198.18.0.201/24}), oldest first.
     */
    public static List<Interval> intervals(String node, List<JsonNode> journal, String address) {
        List<Interval> out = new ArrayList<>();
        long start = -1;
        long end = -1;
        for (JsonNode op : journal) {
            if (!address.equals(op.path("address").asText())) {
                continue;
            }
            long t = op.path("t").asLong();
            long lifetimeMillis = op.path("lifetimeSeconds").asLong(0) * 1000L;
            switch (op.path("op").asText()) {
                case "add" -> {
                    if (start >= 0) {
                        out.add(new Interval(node, start, Math.min(end, t)));
                    }
                    start = t;
                    end = t + lifetimeMillis;
                }
                case "refresh" -> {
                    if (start >= 0) {
                        // a refresh after the fence ran out would be a bug of the actuator: keep the gap
                        if (t >= end) {
                            out.add(new Interval(node, start, end));
                            start = t;
                        }
                        end = t + lifetimeMillis;
                    }
                }
                case "remove", "expire" -> {
                    if (start >= 0) {
                        out.add(new Interval(node, start, Math.min(end, Math.max(start, t))));
                        start = -1;
                    }
                }
                default -> {
                    // probe, announce: no change of ownership
                }
            }
        }
        if (start >= 0) {
            out.add(new Interval(node, start, end));
        }
        return out;
    }

    /** Every pair of intervals of different nodes that overlap; empty when invariant 1 held. */
    public static List<String> overlaps(Map<String, List<JsonNode>> journalsByNode, String address) {
        List<Interval> all = new ArrayList<>();
        journalsByNode.forEach((node, journal) -> all.addAll(intervals(node, journal, address)));
        all.sort(Comparator.comparingLong(Interval::startMillis));
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size() && all.get(j).startMillis() < all.get(i).endMillis(); j++) {
                Interval x = all.get(i);
                Interval y = all.get(j);
                if (!x.node().equals(y.node()) && x.overlaps(y)) {
                    problems.add(address + " held by " + x + " and " + y + " at once ("
                            + (Math.min(x.endMillis(), y.endMillis()) - y.startMillis()) + " ms)");
                }
            }
        }
        return problems;
    }
}
