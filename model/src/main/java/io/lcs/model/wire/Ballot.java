package io.lcs.model.wire;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A PaxosLease ballot: a counter, ties broken by the proposing node's name. Totally ordered. On
 * the wire as {@code {"c":counter,"n":node}} (short names: thousands of lease messages a second).
 */
public record Ballot(@JsonProperty("c") long counter, @JsonProperty("n") String node) implements Comparable<Ballot> {
    public static final Ballot ZERO = new Ballot(0, "");

    @Override
    public int compareTo(Ballot o) {
        int c = Long.compare(counter, o.counter);
        return c != 0 ? c : node.compareTo(o.node);
    }

    public boolean greaterThan(Ballot o) {
        return compareTo(o) > 0;
    }

    @Override
    public String toString() {
        return counter + "." + node;
    }
}
