package io.lcs.model.config;

import java.util.Objects;

/**
 * A {@code [group NAME]} section of lcs.conf: how its members (resources with {@code group = NAME})
 * are placed relative to each other.
 *
 * <ul>
 *   <li>{@code keep-together}: the members are one unit that holds one lease, so they are never
 *       active on two nodes at once. {@code strict}: the unit runs only on a node where every member
 *       may run. {@code best-effort}: when no node may run every member, the unit runs where its
 *       highest-priority member may, and the members that cannot run there stay down (they are
 *       never split off to another node).</li>
 *   <li>{@code anti-affinity}: each member (with what it depends on) is its own unit. {@code strict}:
 *       never two members on one node, even if that leaves one down. {@code best-effort}: spread over
 *       the nodes when it can, share a node when it must.</li>
 * </ul>
 *
 * @param line the section's line in lcs.conf, 0 when not from a file
 */
public record GroupConfig(String name, Type type, Mode mode, int line) {
    public GroupConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mode, "mode");
    }

    /** {@code type}: what the group keeps. */
    public enum Type {
        KEEP_TOGETHER("keep-together"), ANTI_AFFINITY("anti-affinity");

        private final String label;

        Type(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** @return the type called {@code label}, or null */
        public static Type of(String label) {
            return byLabel(values(), Type::label, label);
        }
    }

    /** {@code mode}: whether the rule may give way to keep members running. */
    public enum Mode {
        STRICT("strict"), BEST_EFFORT("best-effort");

        private final String label;

        Mode(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** @return the mode called {@code label}, or null */
        public static Mode of(String label) {
            return byLabel(values(), Mode::label, label);
        }
    }

    private static <E> E byLabel(E[] values, java.util.function.Function<E, String> labelOf, String label) {
        for (E v : values) {
            if (labelOf.apply(v).equals(label)) {
                return v;
            }
        }
        return null;
    }

    public boolean keepTogether() {
        return type == Type.KEEP_TOGETHER;
    }

    public boolean strict() {
        return mode == Mode.STRICT;
    }
}
