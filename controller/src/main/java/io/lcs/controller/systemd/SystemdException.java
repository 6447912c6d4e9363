package io.lcs.controller.systemd;

/** systemd could not be reached or refused a request; the message says which unit and why. */
public final class SystemdException extends Exception {
    private static final long serialVersionUID = 1L;

    public SystemdException(String message, Throwable cause) {
        super(message, cause);
    }

    public SystemdException(String message) {
        super(message);
    }
}
