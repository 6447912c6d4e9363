package io.lcs.model.codec;

/**
 * One problem in a manifest, located as precisely as known.
 *
 * @param source the file name or other label the manifest came from (e.g. {@code vips.yaml}, {@code -})
 * @param document 1-based number of the document in the source (YAML documents and JSON array
 *     elements, counting only non-empty ones); 0 when the problem concerns the whole source
 * @param objectDescription {@code Kind name} (or just {@code Kind}) when known, else null
 * @param fieldPath where in the document, e.g. {@code spec.address}; null or empty for the document itself
 * @param message what is wrong, quoting the offending input (abbreviated)
 * @param line 1-based line in the source, 0 when unknown
 * @param column 1-based column in the source, 0 when unknown
 */
public record ManifestError(String source, int document, String objectDescription, String fieldPath, String message,
                            int line, int column) {
    public ManifestError {
        if (source == null || message == null) {
            throw new IllegalArgumentException("source and message are required");
        }
    }

    /**
     * {@code vips.yaml: document 2 (VirtualIP vip2): spec.address: '198.18.0.1/33' is not a valid CIDR ...},
     * or with a known position {@code vips.yaml:7:3: document 2: ...}.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(source);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        sb.append(": ");
        if (document > 0) {
            sb.append("document ").append(document);
            if (objectDescription != null && !objectDescription.isEmpty()) {
                sb.append(" (").append(objectDescription).append(')');
            }
            sb.append(": ");
        }
        if (fieldPath != null && !fieldPath.isEmpty()) {
            sb.append(fieldPath).append(": ");
        }
        return sb.append(message).toString();
    }
}
