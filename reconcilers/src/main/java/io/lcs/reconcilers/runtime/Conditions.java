package io.lcs.reconcilers.runtime;

import io.lcs.model.api.Condition;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Pure functions over a status's condition list, with the semantics of Kubernetes
 * {@code meta.SetStatusCondition}: at most one condition per type; {@code lastTransitionTime}
 * changes only when a condition's {@code status} changes, so it answers "since when".
 */
public final class Conditions {
    private Conditions() {
    }

    /**
     * Returns a new unmodifiable list with {@code next} replacing the condition of the same type (in
     * place) or appended. If the type existed with the same status, the old
     * {@code lastTransitionTime} is kept (reason, message and observedGeneration come from
     * {@code next}); otherwise it is {@code now}. {@code next.lastTransitionTime()} is ignored.
     * {@code existing} is not modified; null means empty.
     */
    public static List<Condition> set(List<Condition> existing, Condition next, Instant now) {
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(next.type(), "condition type");
        Objects.requireNonNull(next.status(), "condition status");
        Objects.requireNonNull(now, "now");
        List<Condition> out = new ArrayList<>(existing == null ? 1 : existing.size() + 1);
        boolean replaced = false;
        if (existing != null) {
            for (Condition c : existing) {
                if (!replaced && c.type().equals(next.type())) {
                    Instant since = c.status().equals(next.status()) && c.lastTransitionTime() != null
                            ? c.lastTransitionTime() : now;
                    out.add(withTime(next, since));
                    replaced = true;
                } else if (!c.type().equals(next.type())) {
                    out.add(c);
                }
            }
        }
        if (!replaced) {
            out.add(withTime(next, now));
        }
        return List.copyOf(out);
    }

    /** The condition of {@code type}, if present. */
    public static Optional<Condition> find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return Optional.empty();
        }
        for (Condition c : conditions) {
            if (c.type().equals(type)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** True if the condition of {@code type} is present with status {@link Condition#TRUE}. */
    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> Condition.TRUE.equals(c.status())).orElse(false);
    }

    /** A new unmodifiable list without the condition of {@code type}. */
    public static List<Condition> remove(List<Condition> conditions, String type) {
        List<Condition> out = new ArrayList<>();
        if (conditions != null) {
            for (Condition c : conditions) {
                if (!c.type().equals(type)) {
                    out.add(c);
                }
            }
        }
        return List.copyOf(out);
    }

    private static Condition withTime(Condition c, Instant time) {
        return new Condition(c.type(), c.status(), c.reason(), c.message(), time, c.observedGeneration());
    }
}
