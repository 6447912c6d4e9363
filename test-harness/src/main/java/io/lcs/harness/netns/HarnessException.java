package io.lcs.harness.netns;

/** A harness step failed (a command, a wait, a bad argument); the message names what and where. */
public final class HarnessException extends RuntimeException {
    public HarnessException(String message) {
        super(message);
    }

    public HarnessException(String message, Throwable cause) {
        super(message, cause);
    }
}
