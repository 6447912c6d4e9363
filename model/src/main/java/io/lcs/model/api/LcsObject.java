package io.lcs.model.api;

/**
 * A desired-state object: {@code apiVersion} {@value #API_VERSION}, a {@code kind}, {@code metadata},
 * a {@code spec} the user writes and (for some kinds) a {@code status} only controllers write.
 */
public sealed interface LcsObject permits VirtualIP, Service, Move, ConflictAck, NodeIntent, ResourceIntent, HealthCheck {
    String API_VERSION = "lcs/v1";

    String apiVersion();

    String kind();

    ObjectMeta metadata();

    default ObjectKey key() {
        return new ObjectKey(kind(), metadata().name());
    }
}
