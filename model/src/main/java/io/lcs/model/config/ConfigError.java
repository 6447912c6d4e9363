package io.lcs.model.config;

import java.util.Objects;

/**
 * One problem (error or warning) found in a configuration file, tied to a line where possible.
 *
 * @param file    the file name as given to the parser (never null)
 * @param line    1-based line number, or 0 when the problem is not tied to one line (e.g. a missing section)
 * @param message what is wrong and, where it helps, what to write instead
 */
public record ConfigError(String file, int line, String message) {
    public ConfigError {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(message, "message");
        if (line < 0) {
            throw new IllegalArgumentException("line must be >= 0, got " + line);
        }
    }

    /** {@code FILE:LINE: message}, or {@code FILE: message} when {@link #line()} is 0 (the compiler convention). */
    @Override
    public String toString() {
        return line == 0 ? file + ": " + message : file + ":" + line + ": " + message;
    }
}
