package io.lcs.model.api;

/**
 * One thing wrong with one field of an object: {@code fieldPath} as a user would write it
 * ({@code spec.preferredNodes[1]}, {@code ""} for the whole object) and a message that says what is
 * wrong and, where it helps, what is expected. Rendered as {@code fieldPath: message}.
 */
public record FieldProblem(String fieldPath, String message) {
    public FieldProblem {
        if (fieldPath == null || message == null) {
            throw new IllegalArgumentException("fieldPath and message are required");
        }
    }

    @Override
    public String toString() {
        return fieldPath.isEmpty() ? message : fieldPath + ": " + message;
    }
}
