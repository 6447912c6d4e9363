package io.lcs.core;

import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectVersion;

/**
 * How a replicated write ended. Only {@link Outcome#CREATED}, {@link Outcome#CONFIGURED},
 * {@link Outcome#UNCHANGED} and {@link Outcome#DELETED} mean a majority holds the result.
 */
public record WriteResult(long requestId, ObjectKey key, Outcome outcome, ObjectVersion version, String message) {
    public enum Outcome {
        CREATED, CONFIGURED, UNCHANGED, DELETED, NOT_FOUND, NO_QUORUM, TIMED_OUT;

        public boolean succeeded() {
            return this == CREATED || this == CONFIGURED || this == UNCHANGED || this == DELETED;
        }
    }
}
