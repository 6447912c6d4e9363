package io.lcs.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.model.api.ObjectKey;

/** A replicated write a client asked for. */
public sealed interface WriteOp {
    ObjectKey key();

    /**
     * Create or replace. {@code body} is the whole object as JSON; the core sets
     * {@code metadata.version} and {@code metadata.generation}, keeps an existing
     * {@code metadata.creationTimestamp}, and drops {@code status} (status is never replicated).
     */
    record Put(ObjectKey key, ObjectNode body) implements WriteOp {
    }

    record Delete(ObjectKey key) implements WriteOp {
    }
}
