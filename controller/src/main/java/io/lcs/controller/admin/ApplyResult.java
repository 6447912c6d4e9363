package io.lcs.controller.admin;

import java.util.Objects;

/**
 * What {@code apply} did to one object, as kubectl reports it: {@code virtualip/web configured}.
 *
 * @param kind the object's kind, e.g. {@code VirtualIP}
 * @param name the object's name
 * @param outcome what changed
 */
public record ApplyResult(String kind, String name, Outcome outcome) {
    public ApplyResult {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(outcome, "outcome");
    }

    /** Lower-case on the wire ({@code "created"}), as kubectl prints it. */
    public enum Outcome {
        /** the object did not exist and now does */
        created,
        /** the object existed and its spec changed */
        configured,
        /** the object existed with this exact spec; nothing was written */
        unchanged,
        /** {@code POST /api/v1/delete} only: the object was deleted */
        deleted,
        /** {@code POST /api/v1/delete} only: there was no such object */
        notFound
    }
}
