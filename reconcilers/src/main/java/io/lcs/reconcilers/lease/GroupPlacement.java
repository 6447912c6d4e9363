package io.lcs.reconcilers.lease;

import io.lcs.model.config.GroupConfig;
import io.lcs.model.config.GroupRules;
import io.lcs.reconcilers.lease.Placement.Candidate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Places units (the resources that hold one lease, {@link GroupRules.Unit}) with groups, home nodes
 * and failback on top of {@link Placement}: pure, so every node computes the same answer from the
 * same view, and the simulation calls it as lcsd does.
 *
 * <p>For each unit, in order of its anchor's priority (then key):
 * <ol>
 *   <li>the nodes it may run on are those where every member that should run (not stopped, not in
 *       conflict) may run ({@link Candidate#allOf}); a best-effort keep-together unit for which no
 *       such node exists falls back to the nodes where its anchor may run;</li>
 *   <li>nodes that hold (or were just given) another unit of one of its strict anti-affinity groups
 *       are out; nodes with one of a best-effort anti-affinity group are out unless nothing else is
 *       left; a unit that moves anyway (not by an operator's move) also keeps off the home nodes of
 *       the other units of its anti-affinity groups while a healthy node is left (a unit that stays
 *       is not moved for them);</li>
 *   <li>among the rest: the target of a pending move; else its home node when failback is due
 *       ({@link UnitView#failbackDue}) or when the unit is placed anew (no owner, or an owner that
 *       may not keep it: a failover goes straight home instead of moving twice); else
 *       {@link Placement#desiredOwner} (sticky owner, preferred nodes, rendezvous order).</li>
 * </ol>
 */
public final class GroupPlacement {
    private GroupPlacement() {
    }

    /**
     * One unit as the deciding node sees it.
     *
     * @param key the unit's lease key
     * @param priority its anchor's priority (units of a group are placed highest first)
     * @param candidates per member that should run (not stopped, not in conflict), in start order,
     *     its candidacy on each node (same node order in every list); empty when none should run
     * @param strictTogether false for a best-effort keep-together unit
     * @param preferredNodes its anchor's {@code preferred_nodes}
     * @param currentOwner as the deciding node knows it, or null
     * @param moveTo target of a pending move of a member, or null
     * @param moveAwayFrom the owner a pending move without target moves away from, or null
     * @param homeNode its home node unless a move away blocks going home or it has not been
     *     eligible for a few seconds (a node that flaps is no home to go to), else null
     * @param failbackDue the home node has been eligible for {@code failback_settle_ms}: the unit
     *     goes home from a healthy owner (when placed anew it goes home without waiting)
     * @param antiAffinity the anti-affinity groups its members belong to
     */
    public record UnitView(String key, int priority, Map<String, List<Candidate>> candidates, boolean strictTogether,
                           List<String> preferredNodes, String currentOwner, String moveTo, String moveAwayFrom,
                           String homeNode, boolean failbackDue, Set<String> antiAffinity,
                           boolean stopWhenNoHealthyNode) {
        /** A unit whose members keep running where they are when no node passes their checks. */
        public UnitView(String key, int priority, Map<String, List<Candidate>> candidates, boolean strictTogether,
                        List<String> preferredNodes, String currentOwner, String moveTo, String moveAwayFrom,
                        String homeNode, boolean failbackDue, Set<String> antiAffinity) {
            this(key, priority, candidates, strictTogether, preferredNodes, currentOwner, moveTo, moveAwayFrom,
                    homeNode, failbackDue, antiAffinity, false);
        }
    }

    /** @return per unit key, the node that should hold it, or null when none may */
    public static Map<String, String> place(List<UnitView> units, Map<String, GroupConfig> groups) {
        List<UnitView> order = new ArrayList<>(units);
        order.sort(Comparator.comparingInt((UnitView u) -> -u.priority()).thenComparing(UnitView::key));
        // per anti-affinity group: node -> units on it (current owners first, replaced as units are placed)
        Map<String, Map<String, Set<String>>> occupied = new HashMap<>();
        for (UnitView u : order) {
            if (u.currentOwner() != null) {
                for (String g : u.antiAffinity()) {
                    occupied.computeIfAbsent(g, k -> new HashMap<>())
                            .computeIfAbsent(u.currentOwner(), k -> new HashSet<>()).add(u.key());
                }
            }
        }
        // per anti-affinity group: unit -> its home node (kept free for it when others are placed anew)
        Map<String, Map<String, String>> homes = new HashMap<>();
        for (UnitView u : order) {
            if (u.homeNode() != null) {
                for (String g : u.antiAffinity()) {
                    homes.computeIfAbsent(g, k -> new HashMap<>()).put(u.key(), u.homeNode());
                }
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (UnitView u : order) {
            String owner = null;
            if (!u.candidates().isEmpty()) {
                owner = pick(u, combine(u.candidates().values()), occupied, homes, groups);
                if (owner == null && !u.strictTogether()) {
                    owner = pick(u, u.candidates().values().iterator().next(), occupied, homes, groups);
                }
            }
            out.put(u.key(), owner);
            for (String g : u.antiAffinity()) {
                Map<String, Set<String>> byNode = occupied.computeIfAbsent(g, k -> new HashMap<>());
                if (u.currentOwner() != null) {
                    Set<String> there = byNode.get(u.currentOwner());
                    if (there != null) {
                        there.remove(u.key());
                    }
                }
                if (owner != null) {
                    byNode.computeIfAbsent(owner, k -> new HashSet<>()).add(u.key());
                }
            }
        }
        return out;
    }

    /**
     * The local half of strict anti-affinity, which no view can break: a node may want unit
     * {@code key} only if it neither holds nor wants another unit with a member in one of the same
     * strict anti-affinity groups. Placement alone could put two such units here when views differ
     * for a moment; with this rule a node asks for the second only after it let the first go.
     *
     * @param groupOf each resource's group name, or null
     * @param heldOrWanted whether this node holds or wants the lease of a unit (by key)
     * @return the key of the unit in the way, or null when {@code key} may be wanted
     */
    public static String strictClash(String key, GroupRules.Units units, Map<String, GroupConfig> groups,
                                     java.util.function.Function<String, String> groupOf,
                                     java.util.function.Predicate<String> heldOrWanted) {
        GroupRules.Unit u = units.byKey().get(key);
        if (u == null) {
            return null;
        }
        Set<String> strict = strictGroups(u, groups, groupOf);
        if (strict.isEmpty()) {
            return null;
        }
        for (GroupRules.Unit other : units.byKey().values()) {
            if (!other.key().equals(key) && heldOrWanted.test(other.key())) {
                for (String g : strictGroups(other, groups, groupOf)) {
                    if (strict.contains(g)) {
                        return other.key();
                    }
                }
            }
        }
        return null;
    }

    /** The strict anti-affinity groups of the members of {@code u}. */
    public static Set<String> strictGroups(GroupRules.Unit u, Map<String, GroupConfig> groups,
                                           java.util.function.Function<String, String> groupOf) {
        Set<String> out = new HashSet<>();
        for (String member : u.members()) {
            String name = groupOf.apply(member);
            GroupConfig g = name == null ? null : groups.get(name);
            if (g != null && !g.keepTogether() && g.strict()) {
                out.add(g.name());
            }
        }
        return out;
    }

    /** Node by node, the AND of every member's candidacy. */
    private static List<Candidate> combine(java.util.Collection<List<Candidate>> perMember) {
        List<List<Candidate>> lists = new ArrayList<>(perMember);
        List<Candidate> out = new ArrayList<>();
        for (int i = 0; i < lists.get(0).size(); i++) {
            List<Candidate> views = new ArrayList<>(lists.size());
            for (List<Candidate> l : lists) {
                views.add(l.get(i));
            }
            out.add(Candidate.allOf(views));
        }
        return out;
    }

    private static String pick(UnitView u, List<Candidate> nodes, Map<String, Map<String, Set<String>>> occupied,
                               Map<String, Map<String, String>> homes, Map<String, GroupConfig> groups) {
        Set<String> strictTaken = new HashSet<>();
        Set<String> spreadTaken = new HashSet<>();
        for (String g : u.antiAffinity()) {
            GroupConfig group = groups.get(g);
            for (Map.Entry<String, Set<String>> e : occupied.getOrDefault(g, Map.of()).entrySet()) {
                boolean other = e.getValue().stream().anyMatch(k -> !k.equals(u.key()));
                if (other) {
                    (group != null && group.strict() ? strictTaken : spreadTaken).add(e.getKey());
                }
            }
        }
        Set<String> both = new HashSet<>(strictTaken);
        both.addAll(spreadTaken);
        if (u.moveTo() == null && (placedAnew(u, nodes) || both.contains(u.currentOwner()))) {
            // a unit that moves anyway keeps off the home nodes of the other members of its
            // anti-affinity groups when a healthy node is left, so they can be there too (the
            // first placed would otherwise take a later one's home, and that one would never get
            // there); an operator's move goes where it was asked
            Set<String> reserved = new HashSet<>(both);
            for (String g : u.antiAffinity()) {
                homes.getOrDefault(g, Map.of()).forEach((key, home) -> {
                    if (!key.equals(u.key()) && !home.equals(u.homeNode())) {
                        reserved.add(home);
                    }
                });
            }
            if (reserved.size() > both.size()) {
                String spared = choose(u, without(nodes, reserved));
                Candidate c = spared == null ? null : Placement.find(nodes, spared);
                if (c != null && c.healthy()) { // never onto failing checks to keep a home free
                    return spared;
                }
            }
        }
        if (!spreadTaken.isEmpty()) {
            String spread = choose(u, without(nodes, both));
            if (spread != null) {
                return spread;
            }
        }
        return choose(u, strictTaken.isEmpty() ? nodes : without(nodes, strictTaken));
    }

    private static List<Candidate> without(List<Candidate> nodes, Set<String> taken) {
        List<Candidate> out = new ArrayList<>(nodes.size());
        for (Candidate c : nodes) {
            out.add(taken.contains(c.name()) ? c.excluded() : c);
        }
        return out;
    }

    private static String choose(UnitView u, List<Candidate> nodes) {
        if (u.moveTo() != null) {
            Candidate target = Placement.find(nodes, u.moveTo());
            if (target != null && target.mayTakeNew() && target.healthy()) {
                return target.name();
            }
        }
        if (u.homeNode() != null && !u.homeNode().equals(u.moveAwayFrom())
                && (u.failbackDue() || placedAnew(u, nodes))) {
            Candidate home = Placement.find(nodes, u.homeNode());
            if (home != null && home.mayTakeNew() && home.healthy()) { // never go home onto failing checks
                return home.name();
            }
        }
        return Placement.desiredOwner(new Placement.Input(u.key(), u.preferredNodes(), nodes, u.currentOwner(),
                u.moveTo(), u.moveAwayFrom(), u.stopWhenNoHealthyNode()));
    }

    /**
     * The unit moves whatever happens: no owner is known, or the owner may not keep it (offline,
     * draining, its spot taken by anti-affinity), fails its checks, or is moved away from.
     */
    private static boolean placedAnew(UnitView u, List<Candidate> nodes) {
        if (u.currentOwner() == null || u.currentOwner().equals(u.moveAwayFrom())) {
            return true;
        }
        Candidate owner = Placement.find(nodes, u.currentOwner());
        return owner == null || !owner.mayHold() || !owner.healthy();
    }

}
