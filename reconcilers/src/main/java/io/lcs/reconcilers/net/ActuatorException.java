package io.lcs.reconcilers.net;

/**
 * A network operation failed. The message names the command (or operation) and why, e.g.
 * {@code ip addr add 198.18.0.10/24 dev eth9: exit 1: Cannot find device "eth9"}. Nothing was
 * changed unless the message says otherwise.
 */
public class ActuatorException extends Exception {
    public ActuatorException(String message) {
        super(message);
    }

    public ActuatorException(String message, Throwable cause) {
        super(message, cause);
    }
}
