package io.lcs.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Operator intent about one node (named by {@code metadata.name}): {@code cordoned} keeps new VIPs
 * off it; {@code drain} also moves the VIPs it holds away. Uncordon deletes the intent.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec"})
public record NodeIntent(String apiVersion, String kind, ObjectMeta metadata, Spec spec) implements LcsObject {
    public static final String KIND = "NodeIntent";

    public record Spec(boolean cordoned, boolean drain) {
    }
}
