package io.lcs.controller.admin;

import io.lcs.model.api.LcsObject;
import io.lcs.model.codec.ManifestError;
import io.lcs.model.codec.ManifestException;
import io.lcs.model.codec.Manifests;
import java.util.List;

/**
 * The admin API's {@link ManifestReader}: the project's one manifest parser ({@link Manifests#read}
 * with {@code Origin.USER}: server-maintained metadata is ignored, {@code status} is refused), its
 * problems turned into the API's 400 codes (docs/api.md, "Errors").
 *
 * <ul>
 *   <li>{@link AdminException#MALFORMED} when any problem is a YAML/JSON syntax error (a
 *       {@link ManifestError} with a line and no field): the body is not all parseable;</li>
 *   <li>{@link AdminException#INVALID} otherwise: well-formed but wrong, with {@code field} the
 *       first problem's field path (null if it concerns a whole document), and for a body with no
 *       objects at all or more than {@value #MAX_DOCUMENTS}.</li>
 * </ul>
 * Either way the message is the whole {@link ManifestException} message: every problem found, one
 * per line, each {@code SOURCE[:LINE[:COLUMN]]: document N (Kind name): field: what is wrong}, so a
 * client fixes them all in one round. Stateless and thread-safe; CPU-bound (run it off the event loop).
 */
public final class ModelManifestReader implements ManifestReader {
    /** 1000: far above any real cluster's VIP count; bounds the work one request can cause downstream. */
    public static final int MAX_DOCUMENTS = 1000;

    @Override
    public List<LcsObject> read(String source, String text) {
        List<LcsObject> objects;
        try {
            objects = Manifests.read(source, text);
        } catch (ManifestException e) {
            throw toAdminException(e);
        }
        if (objects.isEmpty()) {
            throw AdminException.invalid(source + ": no objects found (expected YAML or JSON documents)", null);
        }
        if (objects.size() > MAX_DOCUMENTS) {
            throw AdminException.invalid(source + ": " + objects.size() + " documents, more than the limit of "
                    + MAX_DOCUMENTS + "; split the manifest", null);
        }
        return objects;
    }

    /** MALFORMED if any problem is a syntax error, else INVALID naming the first problem's field. */
    static AdminException toAdminException(ManifestException e) {
        List<ManifestError> errors = e.errors();
        if (errors.stream().anyMatch(ModelManifestReader::isSyntaxError)) {
            return AdminException.malformed(e.getMessage());
        }
        String field = errors.get(0).fieldPath();
        return AdminException.invalid(e.getMessage(), field == null || field.isEmpty() ? null : field);
    }

    /** The parser could not read the text there: it has a position but no field (semantic errors have a field). */
    static boolean isSyntaxError(ManifestError error) {
        return error.line() > 0 && (error.fieldPath() == null || error.fieldPath().isEmpty());
    }
}
