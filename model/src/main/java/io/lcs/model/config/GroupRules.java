package io.lcs.model.config;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rules of groups and dependencies over a whole set of resources, pure: which resources form
 * one <em>unit</em> (they hold one lease, so they are never active on two nodes), the order in which
 * a unit's members start, and what makes a set invalid. Shared by the lcs.conf parser, the check of
 * {@code lcs apply} and lcsd, so all three agree.
 *
 * <p>A unit is a keep-together group together with everything its members depend on, or a resource
 * together with its dependencies (a dependency must be active on its dependant's node, so they
 * share the lease), or a lone resource. Its lease key is the resource's name for a lone resource,
 * {@code group:NAME} for a unit that contains keep-together group NAME (the first by name), else
 * {@code deps:NAME} after its first member by name; {@code :} is no name character, so a key never
 * collides with a resource's name.
 */
public final class GroupRules {
    /** The lease key of a keep-together group is this prefix and the group's name. */
    public static final String GROUP_LEASE_PREFIX = "group:";
    /** The lease key of resources tied by dependencies alone is this prefix and the first member's name. */
    public static final String DEPS_LEASE_PREFIX = "deps:";
    private GroupRules() {
    }

    /** One resource as the rules see it. */
    public record Member(String name, Grouping grouping) {
        public Member {
            grouping = grouping == null ? Grouping.NONE : grouping;
        }
    }

    /** Which key a problem is about, with its name in lcs.conf and in a manifest. */
    public enum Field {
        GROUP("group", "spec.group"), PRIORITY("priority", "spec.priority"), HOME_NODE("home_node", "spec.homeNode"),
        DEPENDS_ON("depends_on", "spec.dependsOn");

        private final String configKey;
        private final String manifestField;

        Field(String configKey, String manifestField) {
            this.configKey = configKey;
            this.manifestField = manifestField;
        }

        public String configKey() {
            return configKey;
        }

        public String manifestField() {
            return manifestField;
        }
    }

    /** A problem with one resource's key. */
    public record Problem(String resource, Field field, String message) {
    }

    /**
     * One unit: the resources that hold one lease.
     *
     * @param members in start order: dependencies before dependants, else higher priority first,
     *     then by name; members caught in a dependency cycle (which only replicated state that slipped
     *     past validation can hold) come last and are in {@link #blocked}
     * @param keepTogether the unit's keep-together group (the first by name), or null
     * @param blocked members that never start (a dependency cycle)
     */
    public record Unit(String key, List<String> members, GroupConfig keepTogether, Set<String> blocked) {
        /** The member whose home node and moves stand for the unit: the highest priority, then by name. */
        public String anchor(Map<String, Grouping> groupings) {
            String best = null;
            for (String m : members) {
                if (best == null || byPriority(groupings).compare(m, best) < 0) {
                    best = m;
                }
            }
            return best;
        }

        /** Strict keep-together: run only where every member may (a lone resource is strict). */
        public boolean strict() {
            return keepTogether == null || keepTogether.strict();
        }
    }

    /** Every unit of a set of resources, and by resource. */
    public record Units(Map<String, Unit> byKey, Map<String, Unit> byMember) {
        public static final Units EMPTY = new Units(Map.of(), Map.of());

        /** The lease key of {@code resource}; its own name when unknown. */
        public String leaseKey(String resource) {
            Unit u = byMember.get(resource);
            return u == null ? resource : u.key();
        }

        public Unit unitOf(String resource) {
            return byMember.get(resource);
        }
    }

    /** Higher priority first, then by name. */
    public static Comparator<String> byPriority(Map<String, Grouping> groupings) {
        return Comparator.comparingInt((String n) -> -groupings.getOrDefault(n, Grouping.NONE).effectivePriority())
                .thenComparing(Comparator.naturalOrder());
    }

    /**
     * The units of {@code resources}; references to unknown resources or groups are ignored (a
     * validated set has none). Deterministic: every node computes the same units from the same set.
     */
    public static Units units(List<Member> resources, Map<String, GroupConfig> groups) {
        Map<String, Grouping> groupings = new LinkedHashMap<>();
        for (Member m : resources) {
            groupings.putIfAbsent(m.name(), m.grouping());
        }
        Map<String, String> parent = new HashMap<>();
        for (String n : groupings.keySet()) {
            parent.put(n, n);
        }
        Map<String, String> firstOfGroup = new HashMap<>();
        for (Map.Entry<String, Grouping> e : groupings.entrySet()) {
            Grouping g = e.getValue();
            for (String d : g.dependsOn()) {
                if (parent.containsKey(d)) {
                    union(parent, e.getKey(), d);
                }
            }
            GroupConfig group = g.group() == null ? null : groups.get(g.group());
            if (group != null && group.keepTogether()) {
                String first = firstOfGroup.putIfAbsent(group.name(), e.getKey());
                if (first != null) {
                    union(parent, first, e.getKey());
                }
            }
        }
        Map<String, List<String>> components = new TreeMap<>();
        for (String n : groupings.keySet()) {
            components.computeIfAbsent(find(parent, n), k -> new ArrayList<>()).add(n);
        }
        Map<String, Unit> byKey = new TreeMap<>();
        Map<String, Unit> byMember = new HashMap<>();
        for (List<String> component : components.values()) {
            GroupConfig keep = null;
            for (String n : component) {
                Grouping g = groupings.get(n);
                GroupConfig group = g.group() == null ? null : groups.get(g.group());
                if (group != null && group.keepTogether() && (keep == null || group.name().compareTo(keep.name()) < 0)) {
                    keep = group;
                }
            }
            Set<String> blocked = new TreeSet<>();
            List<String> order = startOrder(component, groupings, blocked);
            String key;
            if (keep != null) {
                key = GROUP_LEASE_PREFIX + keep.name();
            } else if (component.size() == 1) {
                key = component.get(0);
            } else {
                key = DEPS_LEASE_PREFIX + new TreeSet<>(component).first();
            }
            Unit u = new Unit(key, List.copyOf(order), keep, Set.copyOf(blocked));
            byKey.put(key, u);
            for (String n : component) {
                byMember.put(n, u);
            }
        }
        return new Units(java.util.Collections.unmodifiableMap(byKey), java.util.Collections.unmodifiableMap(byMember));
    }

    /** Kahn's order inside one unit; members left over sit on a cycle and go to {@code blocked}. */
    private static List<String> startOrder(List<String> component, Map<String, Grouping> groupings, Set<String> blocked) {
        Set<String> in = new HashSet<>(component);
        Map<String, Integer> pending = new HashMap<>();
        Map<String, List<String>> dependants = new HashMap<>();
        for (String n : component) {
            int count = 0;
            for (String d : new LinkedHashSet<>(groupings.get(n).dependsOn())) {
                if (in.contains(d)) {
                    count++;
                    dependants.computeIfAbsent(d, k -> new ArrayList<>()).add(n);
                }
            }
            pending.put(n, count);
        }
        Comparator<String> order = byPriority(groupings);
        java.util.PriorityQueue<String> ready = new java.util.PriorityQueue<>(order);
        for (String n : component) {
            if (pending.get(n) == 0) {
                ready.add(n);
            }
        }
        List<String> out = new ArrayList<>();
        while (!ready.isEmpty()) {
            String n = ready.poll();
            out.add(n);
            for (String d : dependants.getOrDefault(n, List.of())) {
                if (pending.merge(d, -1, Integer::sum) == 0) {
                    ready.add(d);
                }
            }
        }
        List<String> rest = new ArrayList<>();
        for (String n : component) {
            if (!out.contains(n)) {
                rest.add(n);
            }
        }
        rest.sort(order);
        blocked.addAll(rest);
        out.addAll(rest);
        return out;
    }

    private static String find(Map<String, String> parent, String n) {
        String root = n;
        while (!parent.get(root).equals(root)) {
            root = parent.get(root);
        }
        while (!parent.get(n).equals(root)) { // path compression
            String next = parent.get(n);
            parent.put(n, root);
            n = next;
        }
        return root;
    }

    private static void union(Map<String, String> parent, String a, String b) {
        String ra = find(parent, a);
        String rb = find(parent, b);
        if (!ra.equals(rb)) {
            if (ra.compareTo(rb) < 0) {
                parent.put(rb, ra);
            } else {
                parent.put(ra, rb);
            }
        }
    }

    /**
     * Every problem of {@code resources} as one desired state: a group that does not exist, a home
     * node that is unknown or quorum-only, a dependency that is unknown, itself, listed twice or one
     * of more than {@link Grouping#MAX_DEPENDENCIES}, a dependency cycle, two explicit priorities equal
     * inside one group, and a dependency that cannot be satisfied: two members of one strict
     * anti-affinity group in one unit (a dependency runs on its dependant's node, which the group
     * forbids). Reported on the resource that closes the problem, in {@code resources} order.
     */
    public static List<Problem> check(List<Member> resources, Map<String, GroupConfig> groups,
                                      Map<String, Role> nodes) {
        List<Problem> out = new ArrayList<>();
        Map<String, Grouping> groupings = new LinkedHashMap<>();
        for (Member m : resources) {
            groupings.putIfAbsent(m.name(), m.grouping());
        }
        Map<String, Map<Integer, String>> priorities = new HashMap<>();
        for (Member m : resources) {
            Grouping g = m.grouping();
            if (g.group() != null && !groups.containsKey(g.group())) {
                out.add(new Problem(m.name(), Field.GROUP, "there is no group '" + g.group() + "'"
                        + (groups.isEmpty() ? " (no [group NAME] section is defined)"
                        : "; groups: " + String.join(", ", new TreeSet<>(groups.keySet())))));
            }
            if (g.group() != null && g.priority() != null) {
                String other = priorities.computeIfAbsent(g.group(), k -> new HashMap<>()).putIfAbsent(g.priority(), m.name());
                if (other != null) {
                    out.add(new Problem(m.name(), Field.PRIORITY, "priority " + g.priority() + " is also " + other
                            + "'s; priorities must differ inside group " + g.group()));
                }
            }
            if (g.homeNode() != null) {
                Role role = nodes.get(g.homeNode());
                if (role == null) {
                    out.add(new Problem(m.name(), Field.HOME_NODE, "there is no node '" + g.homeNode() + "'"));
                } else if (role != Role.FULL_MEMBER) {
                    out.add(new Problem(m.name(), Field.HOME_NODE, "node '" + g.homeNode() + "' is " + role.label()
                            + " and never holds a resource; the home node must be a full member"));
                }
            }
            Set<String> seen = new HashSet<>();
            if (g.dependsOn().size() > Grouping.MAX_DEPENDENCIES) {
                out.add(new Problem(m.name(), Field.DEPENDS_ON, g.dependsOn().size() + " dependencies; the limit is "
                        + Grouping.MAX_DEPENDENCIES));
            }
            for (String d : g.dependsOn()) {
                if (d.equals(m.name())) {
                    out.add(new Problem(m.name(), Field.DEPENDS_ON, m.name() + " cannot depend on itself"));
                } else if (!seen.add(d)) {
                    out.add(new Problem(m.name(), Field.DEPENDS_ON, "'" + d + "' is listed twice"));
                } else if (!groupings.containsKey(d)) {
                    out.add(new Problem(m.name(), Field.DEPENDS_ON, "there is no resource '" + d + "'"));
                }
            }
        }
        for (List<String> cycle : cycles(groupings)) {
            String closing = cycle.get(cycle.size() - 2);
            out.add(new Problem(closing, Field.DEPENDS_ON, "dependency cycle: " + String.join(" -> ", cycle)
                    + "; a resource starts only after what it depends on, so none of them could start"));
        }
        Units units = units(resources, groups);
        for (Unit u : units.byKey().values()) {
            Map<String, String> strictAnti = new HashMap<>();
            for (String n : u.members()) {
                Grouping g = groupings.get(n);
                GroupConfig group = g.group() == null ? null : groups.get(g.group());
                if (group == null || group.keepTogether() || !group.strict()) {
                    continue;
                }
                String first = strictAnti.putIfAbsent(group.name(), n);
                if (first != null) {
                    out.add(new Problem(n, Field.DEPENDS_ON, n + " and " + first + " are both in strict anti-affinity "
                            + "group " + group.name() + ", but their dependencies"
                            + (u.keepTogether() == null ? "" : " or keep-together group " + u.keepTogether().name())
                            + " put them on one node (" + String.join(", ", u.members()) + " run together)"));
                }
            }
        }
        return out;
    }

    /** Each dependency cycle once, as a path that ends where it starts. */
    private static List<List<String>> cycles(Map<String, Grouping> groupings) {
        List<List<String>> out = new ArrayList<>();
        Map<String, Integer> state = new HashMap<>(); // 1 = on the path, 2 = done
        for (String start : groupings.keySet()) {
            if (state.containsKey(start)) {
                continue;
            }
            // iterative DFS: a long chain must not overflow the stack
            Deque<String> path = new ArrayDeque<>();
            Deque<java.util.Iterator<String>> its = new ArrayDeque<>();
            path.push(start);
            its.push(groupings.get(start).dependsOn().iterator());
            state.put(start, 1);
            while (!path.isEmpty()) {
                java.util.Iterator<String> it = its.peek();
                if (it.hasNext()) {
                    String d = it.next();
                    if (!groupings.containsKey(d) || d.equals(path.peek())) {
                        continue;
                    }
                    Integer s = state.get(d);
                    if (s == null) {
                        state.put(d, 1);
                        path.push(d);
                        its.push(groupings.get(d).dependsOn().iterator());
                    } else if (s == 1) {
                        List<String> cycle = new ArrayList<>();
                        List<String> onPath = new ArrayList<>(path);
                        java.util.Collections.reverse(onPath);
                        cycle.addAll(onPath.subList(onPath.indexOf(d), onPath.size()));
                        cycle.add(d);
                        out.add(cycle);
                    }
                } else {
                    state.put(path.pop(), 2);
                    its.pop();
                }
            }
        }
        return out;
    }
}
