package io.lcs.controller.admin;

import io.lcs.model.api.LcsObject;
import java.util.List;

/**
 * Turns the text of an {@code apply}/{@code delete} request body (YAML, possibly multi-document,
 * or JSON) into validated objects. Called off the event loop (it may be CPU-heavy for a 1 MiB body).
 * The real one is {@link ModelManifestReader}; tests may pass their own.
 */
@FunctionalInterface
public interface ManifestReader {
    /**
     * @param source what to call the text in messages, e.g. {@code request body}
     * @return every object in document order; never empty
     * @throws AdminException {@link AdminException#MALFORMED} (syntax, with line and column) or
     *     {@link AdminException#INVALID} (naming the document number and the field)
     */
    List<LcsObject> read(String source, String text);
}
