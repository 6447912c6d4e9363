package io.lcs.model.config;

import java.util.List;

/**
 * Where one resource (a VIP today) stands among the others: the lcs.conf keys {@code group},
 * {@code priority}, {@code home_node}, {@code depends_on} (alias {@code depends-on}), or the
 * manifest fields {@code spec.group}, {@code spec.priority}, {@code spec.homeNode},
 * {@code spec.dependsOn}.
 *
 * @param group the group it is a member of, or null
 * @param priority orders the members of a unit (higher starts first and stops last); null when not
 *     set (counts as 0, after every explicit value)
 * @param homeNode the full member it fails back to, or null (sticky)
 * @param dependsOn resources that must be active on the same node before it starts; it stops before
 *     them
 */
public record Grouping(String group, Integer priority, String homeNode, List<String> dependsOn) {
    /** No group, no priority, no home, no dependency: a resource of its own, placed sticky. */
    public static final Grouping NONE = new Grouping(null, null, null, List.of());
    /** At most this many dependencies per resource (the C lcs's limit). */
    public static final int MAX_DEPENDENCIES = 8;

    public Grouping {
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    }

    /** The priority that orders it: the explicit value, else 0. */
    public int effectivePriority() {
        return priority == null ? 0 : priority;
    }

    public boolean isNone() {
        return group == null && priority == null && homeNode == null && dependsOn.isEmpty();
    }
}
