package io.lcs.controller.transport;

/** A protocol violation by the remote side: the connection must be closed and {@link #reason()} counted. */
public final class ProtocolException extends Exception {
    private final RejectReason reason;

    public ProtocolException(RejectReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
