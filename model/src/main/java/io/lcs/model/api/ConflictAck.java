package io.lcs.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** Operator intent: the conflict on VIP {@code spec.vip} at {@code spec.epoch} is resolved; try again. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec"})
public record ConflictAck(String apiVersion, String kind, ObjectMeta metadata, Spec spec) implements LcsObject {
    public static final String KIND = "ConflictAck";

    public record Spec(String vip, Long epoch) {
    }
}
