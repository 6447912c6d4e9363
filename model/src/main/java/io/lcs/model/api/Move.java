package io.lcs.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Operator intent: put VIP {@code spec.vip} on node {@code spec.to} (or, with {@code to} null, on
 * any other eligible node). The owner releases gracefully and the target acquires at once.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec"})
public record Move(String apiVersion, String kind, ObjectMeta metadata, Spec spec) implements LcsObject {
    public static final String KIND = "Move";

    /** @param fromEpoch the epoch the move was requested at: a move applies to that ownership only */
    public record Spec(String vip, String to, Long fromEpoch) {
    }
}
