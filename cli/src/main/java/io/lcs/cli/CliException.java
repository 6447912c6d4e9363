package io.lcs.cli;

/**
 * A failure to report as {@code error: <message>} on stderr with exit code {@link #exitCode()}:
 * {@link Lcs#EXIT_ERROR}, {@link Lcs#EXIT_USAGE} or {@link Lcs#EXIT_UNAVAILABLE}.
 */
public final class CliException extends RuntimeException {
    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
