package io.lcs.model.api;

import java.time.Instant;

/**
 * One observed fact about an object, as Kubernetes {@code metav1.Condition}: {@code type} (e.g.
 * {@code Active}, {@code LeaseHeld}, {@code Conflict}), {@code status} ({@code True}, {@code False},
 * {@code Unknown}), a CamelCase {@code reason}, a human {@code message} and when the status last
 * changed.
 */
public record Condition(String type, String status, String reason, String message, Instant lastTransitionTime,
                        Long observedGeneration) {
    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";
}
