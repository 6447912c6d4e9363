package io.lcs.model.api;

/**
 * Who wrote an object being read. {@link #USER} input (manifests, {@code lcs apply}) may set only
 * {@code metadata.name}, {@code metadata.labels} and {@code spec}; {@link #SERVER} input (the admin
 * API's answers, the replicated store, peers) also carries the fields lcs maintains.
 */
public enum Origin {
    /** Written by an operator: {@code status} is refused, server-maintained metadata is ignored. */
    USER,
    /** Written by lcs itself: every field is accepted. */
    SERVER
}
