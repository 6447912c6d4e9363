package io.lcs.controller.admin;

/**
 * Where the admin API records its own events (a refused request, a watch stream closed to make
 * room) in this node's event history ({@code lcs get events}). The daemon appends them to its event
 * log as about this node; tests collect them.
 */
@FunctionalInterface
public interface AdminEvents {
    /** {@code AdminRequestRefused}: a request without root's authority was refused. */
    String REQUEST_REFUSED = "AdminRequestRefused";

    /**
     * Records one event. Called on the server's event loop: must not block.
     *
     * @param type e.g. {@link #REQUEST_REFUSED}
     * @param message what happened, naming method, path and the client's address (never a token)
     */
    void record(String type, String message);
}
