package io.lcs.cli;

/**
 * A failure to report as {@code error: <message>} on stderr with exit code {@link #exitCode()}:
 * {@link Lcs#EXIT_ERROR}, {@link Lcs#EXIT_USAGE} or {@link Lcs#EXIT_UNAVAILABLE}.
 */
public final class CliException extends RuntimeException {
    private final int exitCode;
    private final String apiCode;

    public CliException(int exitCode, String message) {
        this(exitCode, message, null);
    }

    /** @param apiCode the admin API's error code (e.g. {@code CONFLICT}) when lcsd answered with one */
    public CliException(int exitCode, String message, String apiCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
        this.apiCode = apiCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The admin API's error code, or null (no reply, or not in the API's error shape). */
    public String apiCode() {
        return apiCode;
    }
}
