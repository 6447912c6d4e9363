package io.lcs.controller.http;

/**
 * The bounds {@link ConnectionGuard} enforces on one of lcsd's HTTP servers (the admin API and the
 * Prometheus endpoint). Every number is a named constant below, with where it comes from; tests
 * pass smaller ones.
 *
 * @param server the server's name in logs and in the {@code server} label of the metrics
 *     ({@code admin}, {@code metrics})
 * @param maxConnections open connections at once; when full, the oldest connection without a
 *     request in progress is closed to make room (else the newcomer is)
 * @param maxConnectionsPerSource open connections from one source (an IPv4 address, or an IPv6
 *     /64: one host usually has a whole /64); same eviction rule within that source
 * @param headerTimeoutMillis a connection must complete its request headers within this long of
 *     being accepted, and the next request's within this long of the previous response (so this is
 *     also the keep-alive idle time between requests)
 * @param idleTimeoutSeconds no byte either way for this long during a request closes the connection
 *     (Vert.x's idle timeout): a stalled upload or a client that stopped reading
 * @param maxBodyBytes largest request body accepted; a larger declared {@code Content-Length} gets
 *     413 before any of it is read, and the connection is closed
 */
public record HttpLimits(String server, int maxConnections, int maxConnectionsPerSource, long headerTimeoutMillis,
                         int idleTimeoutSeconds, long maxBodyBytes) {

    /**
     * 512 admin connections. The table is how many newer connections a flood must open before a
     * client's connection, accepted but not yet read, is the oldest one closed to make room: on a
     * loaded 2-core machine lcsd took tens of milliseconds to read a request behind a flood, and
     * with 128 root's {@code lcs status} was closed before it was read (LoopbackHttpFloodIT). The
     * CLI opens one connection per call; 16 may be watch streams. 9,000 half-open connections
     * exhausted a 48 MiB heap (issue 13): about 5 KiB each, so 512 cost under 3 MiB.
     */
    public static final int ADMIN_MAX_CONNECTIONS = 512;
    /**
     * 64 per source: an eighth of the table, so one remote host cannot take most of it. Loopback clients are one
     * source with the whole table: every local user shares 127.0.0.1 (and may pick any 127.x source),
     * so a share would bound nothing there; eviction of connections without a request in progress is
     * what keeps root's CLI served during a local flood.
     */
    public static final int ADMIN_MAX_CONNECTIONS_PER_SOURCE = 64;
    /**
     * 16 scrape connections: Prometheus keeps one per target per server; a handful of Prometheus
     * servers and an operator's curl fit.
     */
    public static final int METRICS_MAX_CONNECTIONS = 16;
    /** 8 per source: half the table. */
    public static final int METRICS_MAX_CONNECTIONS_PER_SOURCE = 8;
    /**
     * 10 s to send complete request headers: the CLI and Prometheus send theirs in one write within
     * a millisecond of connecting (a LAN or WAN round trip at most); a slow-loris client holds a
     * slot at most this long (and less when the table is full: it is evicted first).
     */
    public static final long HEADER_TIMEOUT_MILLIS = 10_000;
    /**
     * 60 s without a byte during a request: four times the watch stream's 15 s keep-alive, far
     * above a quorum write (a few lease periods).
     */
    public static final int IDLE_TIMEOUT_SECONDS = 60;
    /** 1 MiB: a manifest of 1,000 VIPs is about 200 KiB. */
    public static final long ADMIN_MAX_BODY_BYTES = 1024 * 1024;
    /** None: the metrics endpoint serves GET only. */
    public static final long METRICS_MAX_BODY_BYTES = 0;

    public HttpLimits {
        if (server == null || server.isBlank()) {
            throw new IllegalArgumentException("server name is empty");
        }
        if (maxConnections < 1 || maxConnectionsPerSource < 1 || maxConnectionsPerSource > maxConnections
                || headerTimeoutMillis < 1 || idleTimeoutSeconds < 1 || maxBodyBytes < 0) {
            throw new IllegalArgumentException("bad HTTP limits for " + server + ": connections " + maxConnections
                    + ", per source " + maxConnectionsPerSource + ", header timeout " + headerTimeoutMillis
                    + " ms, idle timeout " + idleTimeoutSeconds + " s, body " + maxBodyBytes + " bytes");
        }
    }

    /** The admin API's production limits. */
    public static HttpLimits admin() {
        return new HttpLimits("admin", ADMIN_MAX_CONNECTIONS, ADMIN_MAX_CONNECTIONS_PER_SOURCE, HEADER_TIMEOUT_MILLIS,
                IDLE_TIMEOUT_SECONDS, ADMIN_MAX_BODY_BYTES);
    }

    /** The metrics endpoint's production limits. */
    public static HttpLimits metrics() {
        return new HttpLimits("metrics", METRICS_MAX_CONNECTIONS, METRICS_MAX_CONNECTIONS_PER_SOURCE,
                HEADER_TIMEOUT_MILLIS, IDLE_TIMEOUT_SECONDS, METRICS_MAX_BODY_BYTES);
    }

    public HttpLimits withMaxBodyBytes(long bytes) {
        return new HttpLimits(server, maxConnections, maxConnectionsPerSource, headerTimeoutMillis, idleTimeoutSeconds,
                bytes);
    }
}
