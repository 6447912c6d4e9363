package io.lcs.core;

import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectVersion;

/**
 * How a replicated write ended. {@link Outcome#CREATED}, {@link Outcome#CONFIGURED},
 * {@link Outcome#UNCHANGED} and {@link Outcome#DELETED} mean a majority holds the result at
 * {@code version}; so does {@link Outcome#NOT_FOUND} with a version (a tombstone), while
 * {@code NOT_FOUND} without one means no node of a majority held anything.
 */
public record WriteResult(long requestId, ObjectKey key, Outcome outcome, ObjectVersion version, String message) {
    public enum Outcome {
        CREATED, CONFIGURED, UNCHANGED, DELETED, NOT_FOUND, NO_QUORUM, TIMED_OUT;

        public boolean succeeded() {
            return this == CREATED || this == CONFIGURED || this == UNCHANGED || this == DELETED;
        }
    }
}
