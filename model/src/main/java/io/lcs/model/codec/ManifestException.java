package io.lcs.model.codec;

import java.util.List;

/**
 * A manifest could not be read: every problem found, in source order, at most
 * {@link Manifests#MAX_ERRORS}. {@link #getMessage()} is one error per line, ready to print.
 */
public final class ManifestException extends RuntimeException {
    private final List<ManifestError> errors;

    public ManifestException(List<ManifestError> errors) {
        super(render(errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ManifestException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    public List<ManifestError> errors() {
        return errors;
    }

    private static String render(List<ManifestError> errors) {
        StringBuilder sb = new StringBuilder();
        for (ManifestError e : errors) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(e);
        }
        return sb.toString();
    }
}
