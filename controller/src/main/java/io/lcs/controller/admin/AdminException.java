package io.lcs.controller.admin;

/**
 * A failure the admin API reports to its client as {@code {"code":..,"message":..,"field":..}} with
 * HTTP status {@link #httpStatus()}. {@link AdminBackend} implementations fail their futures (or throw
 * from their synchronous methods) with this type; any other exception becomes a 500 {@code INTERNAL}.
 * The codes are part of the API contract (docs/api.md): clients branch on {@code code}, never on the
 * message text.
 */
public final class AdminException extends RuntimeException {
    public static final String NO_QUORUM = "NO_QUORUM";
    public static final String NOT_FOUND = "NOT_FOUND";
    public static final String INVALID = "INVALID";
    public static final String MALFORMED = "MALFORMED";
    public static final String CONFLICT = "CONFLICT";
    public static final String UNAUTHORIZED = "UNAUTHORIZED";
    /** A change sent from another site's page, or by a browser while the console is not {@code on}. */
    public static final String FORBIDDEN = "FORBIDDEN";
    public static final String TOO_LARGE = "TOO_LARGE";
    public static final String TOO_MANY_WATCHERS = "TOO_MANY_WATCHERS";
    public static final String NOT_READY = "NOT_READY";
    public static final String METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED";
    public static final String INTERNAL = "INTERNAL";

    private final int httpStatus;
    private final String code;
    private final String field;

    /**
     * @param httpStatus the HTTP status the client gets (4xx or 5xx)
     * @param code one of the constants of this class
     * @param message a sentence for a human, naming what is wrong and where
     * @param field the JSON path of the offending field (e.g. {@code spec.address}), or null
     */
    public AdminException(int httpStatus, String code, String message, String field) {
        super(message, null, false, false);
        if (httpStatus < 400 || httpStatus > 599 || code == null || message == null) {
            throw new IllegalArgumentException("bad AdminException " + httpStatus + " " + code);
        }
        this.httpStatus = httpStatus;
        this.code = code;
        this.field = field;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String code() {
        return code;
    }

    /** @return the offending field's path, or null */
    public String field() {
        return field;
    }

    /** 503: the write needs a majority and this node does not see one. */
    public static AdminException noQuorum(String message) {
        return new AdminException(503, NO_QUORUM, message, null);
    }

    /** 404: e.g. {@code notFound("VirtualIP", "web")} → "VirtualIP web not found". */
    public static AdminException notFound(String kind, String name) {
        return new AdminException(404, NOT_FOUND, kind + " '" + name + "' not found", null);
    }

    /** 400: the request is well-formed but says something invalid. */
    public static AdminException invalid(String message, String field) {
        return new AdminException(400, INVALID, message, field);
    }

    /** 400: the request body is not parseable JSON/YAML; the message says line and column. */
    public static AdminException malformed(String message) {
        return new AdminException(400, MALFORMED, message, null);
    }

    /** 409: the request contradicts the current state (e.g. ack of a VIP that is not in conflict). */
    public static AdminException conflict(String message) {
        return new AdminException(409, CONFLICT, message, null);
    }
}
