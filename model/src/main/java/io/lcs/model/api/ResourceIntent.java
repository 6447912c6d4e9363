package io.lcs.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * An operator's intent for one resource (a VIP), named like it: replicated desired state, so it
 * holds on every node and survives restarts (the C lcs kept both in memory only).
 *
 * <ul>
 *   <li>{@code stopped}: {@code lcs stop RES}; the resource runs nowhere (its stop hooks run where it
 *       was active) until {@code lcs start RES}.</li>
 *   <li>{@code homeBlocked}: an explicit move away from its {@code home_node} blocks failback home until
 *       a move back home or {@code lcs clear RES}.</li>
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec"})
public record ResourceIntent(String apiVersion, String kind, ObjectMeta metadata, Spec spec) implements LcsObject {
    public static final String KIND = "ResourceIntent";

    public record Spec(boolean stopped, boolean homeBlocked) {
    }

    public static ResourceIntent of(String resource, boolean stopped, boolean homeBlocked) {
        return new ResourceIntent(API_VERSION, KIND, ObjectMeta.named(resource), new Spec(stopped, homeBlocked));
    }
}
