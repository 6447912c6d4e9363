package io.lcs.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * Metadata every object carries. Only {@code name} and {@code labels} come from the user; the
 * cluster sets {@code version} (the replicated register's counter), {@code generation} (bumped when
 * the spec changes) and {@code creationTimestamp}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ObjectMeta(String name, Long version, Long generation, Instant creationTimestamp,
                         Map<String, String> labels) {
    public static ObjectMeta named(String name) {
        return new ObjectMeta(name, null, null, null, null);
    }
}
