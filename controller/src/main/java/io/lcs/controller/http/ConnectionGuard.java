package io.lcs.controller.http;

import io.lcs.reconcilers.runtime.LogThrottle;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Bounds one Vert.x HTTP server against clients that hold connections without finishing requests
 * (slow loris: 9,000 connections that never sent the blank line after their headers exhausted a
 * 48 MiB heap): total connections, connections per source, time to complete request headers (and
 * the keep-alive time between requests), idle time during a request, request body size. One class
 * for both of lcsd's HTTP servers (admin API and metrics), each with its own {@link HttpLimits}.
 *
 * <p><b>Eviction, not refusal.</b> A local attacker and root's CLI share 127.0.0.1, so refusing
 * newcomers when a table is full would let the attacker lock root out. Instead, a new connection
 * that finds the table (or its source's share) full closes the <em>oldest connection that has no
 * request in progress</em> — a half-open one, or an idle keep-alive one — and takes its place. A
 * client that sends its request right after connecting (the CLI, Prometheus) has it in progress
 * before it could be evicted, unless more than {@code maxConnections} others connect in between;
 * connections with a request in progress (a quorum write, a watch stream) are never evicted. Only
 * when every connection has a request in progress is the newcomer closed.
 *
 * <p><b>Timeouts.</b> A connection without a request in progress for {@code headerTimeoutMillis}
 * (from its accept, or from the end of its previous response) is closed: a server cannot tell a
 * slow sender of headers from an idle keep-alive connection, and neither deserves more. A periodic
 * sweep (every quarter of that time, at most every second, and only while connections are open)
 * checks it, so the timeout is exact to that much. During a request, Vert.x's idle timeout
 * ({@code idleTimeoutSeconds} without a byte either way) bounds a stalled upload or a client that
 * stopped reading; long-lived responses (the admin API's watch streams) write a keep-alive more
 * often than that.
 *
 * <p><b>Bodies.</b> A request declaring a {@code Content-Length} above {@code maxBodyBytes} gets 413
 * before any of its body is read, and its connection is closed. (Bodies sent chunked are bounded by
 * the server's own body handler: the admin API reads bodies only on authenticated POSTs, with the
 * same limit; the metrics endpoint reads none.) HTTP/2 cleartext is off: both servers speak
 * HTTP/1.1, one request at a time per connection, which is what the accounting assumes.
 *
 * <p>Every limit hit is counted ({@link #rejected}, the metric
 * {@code lcs_http_rejected_total{server,reason}}) and logged, at most once a minute per reason with
 * the number not logged since. Event loop only: install it on a server that is listened from one
 * context (lcsd's single event loop).
 */
public final class ConnectionGuard {
    private static final System.Logger LOG = System.getLogger("io.lcs.http");
    /** The source of every loopback client (127.0.0.0/8, ::1). */
    static final String LOOPBACK = "loopback";
    /** 1 minute: a flood writes at most one log line a minute per reason (the metric counts every one). */
    public static final Duration REPORT_INTERVAL = Duration.ofMinutes(1);
    /**
     * 2 s: how long a connection to be closed after an early reply (a refused request whose body
     * has not been read) keeps reading and discarding the body the client is still sending.
     */
    public static final long LINGER_MILLIS = 2_000;
    /** 1 MiB: how much of such a body it reads and discards, at most. */
    public static final long LINGER_BYTES = 1 << 20;
    /** 1 s: the coarsest sweep; the timeout is exact to this much. */
    static final long MAX_SWEEP_INTERVAL_MILLIS = 1_000;

    /** Why a connection or request was closed or refused; the {@code reason} label of the metric. */
    public enum Reason {
        /** The table was full of connections with requests in progress: the newcomer was closed. */
        CONNECTION_LIMIT("connection_limit"),
        /** The source's share was full of connections with requests in progress: the newcomer was closed. */
        SOURCE_LIMIT("source_limit"),
        /** Closed to make room for a newcomer: the oldest connection without a request in progress. */
        EVICTED("evicted"),
        /** No complete request headers within the header timeout. */
        HEADER_TIMEOUT("header_timeout"),
        /** Declared body larger than the limit: 413, connection closed. */
        BODY_TOO_LARGE("body_too_large"),
        /**
         * A client went on sending the body of a refused request (413, 401, 403) past
         * {@link #LINGER_BYTES} or {@link #LINGER_MILLIS}: the connection was closed under it (its
         * reply may then be lost to the reset).
         */
        LINGER_CUT("linger_cut");

        public final String label;

        Reason(String label) {
            this.label = label;
        }
    }

    /** Sends the server's own error reply (JSON for the admin API, text for metrics): the future of its {@code end()}. */
    @FunctionalInterface
    public interface ErrorReply {
        Future<Void> send(HttpServerRequest request, int status, String message);
    }

    /** One open connection. */
    private static final class Tracked {
        final HttpConnection connection;
        final String source;
        /** The response of the latest request, or null before the first. */
        HttpServerResponse current;
        /** When it was last seen without a request in progress; -1 while one is. */
        long idleSinceNanos;
        boolean closing;

        Tracked(HttpConnection connection, String source, long now) {
            this.connection = connection;
            this.source = source;
            this.idleSinceNanos = now;
        }

        boolean requestInProgress() {
            HttpServerResponse r = current;
            return r != null && !r.ended() && !r.closed();
        }

        /**
         * May be closed to make room: it never completed a request (half-open, or new), or a sweep
         * has seen it idle since its last response. Not right after a response ended: Vert.x may not
         * have flushed that response yet, and a close now would discard it.
         */
        boolean evictable() {
            return !closing && (current == null || (idleSinceNanos >= 0 && !requestInProgress()));
        }
    }

    private final Vertx vertx;
    private final HttpLimits limits;
    private final LongSupplier nanoTime;
    /** Insertion order is age: the first evictable entry is the oldest. */
    private final LinkedHashMap<HttpConnection, Tracked> open = new LinkedHashMap<>();
    private final Map<String, Integer> perSource = new HashMap<>();
    private final EnumMap<Reason, LongAdder> counts = new EnumMap<>(Reason.class);
    private final LogThrottle reports;
    private final long sweepMillis;
    private final Function<SocketAddress, String> sources;
    private volatile int openCount;
    private long sweepTimer = -1;

    public ConnectionGuard(Vertx vertx, HttpLimits limits) {
        this(vertx, limits, System::nanoTime);
    }

    /** @param nanoTime the monotonic clock of the header timeout and of the log throttle */
    public ConnectionGuard(Vertx vertx, HttpLimits limits, LongSupplier nanoTime) {
        this(vertx, limits, nanoTime, ConnectionGuard::sourceOf);
    }

    /** @param sources the accounting unit of a client's address (tests map loopback addresses to remote ones) */
    ConnectionGuard(Vertx vertx, HttpLimits limits, LongSupplier nanoTime, Function<SocketAddress, String> sources) {
        this.sources = sources;
        this.vertx = vertx;
        this.limits = limits;
        this.nanoTime = nanoTime;
        this.sweepMillis = Math.max(1, Math.min(MAX_SWEEP_INTERVAL_MILLIS, limits.headerTimeoutMillis() / 4));
        this.reports = new LogThrottle(REPORT_INTERVAL, nanoTime::getAsLong);
        for (Reason r : Reason.values()) {
            counts.put(r, new LongAdder());
        }
    }

    /**
     * {@code base} with this guard's idle timeout, and HTTP/2 cleartext off. The accept backlog stays
     * the kernel's (somaxconn): a client behind a flood then waits its turn in that queue, inside its
     * read timeout; a shorter queue drops its SYN instead, and the retransmission (1 s, then 3 s)
     * outlasts the CLI's 3 s connect timeout (measured: {@code lcs status} timed out during a
     * 10,000-connection flood with a 256-deep queue).
     */
    public HttpServerOptions options(HttpServerOptions base) {
        return base.setIdleTimeout(limits.idleTimeoutSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setHttp2ClearTextEnabled(false);
    }

    /**
     * Tracks {@code server}'s connections and passes its requests to {@code next} once they pass the
     * body check. Call before {@code listen}.
     */
    public HttpServer install(HttpServer server, Handler<HttpServerRequest> next, ErrorReply errors) {
        server.connectionHandler(this::accepted);
        server.requestHandler(request -> {
            Tracked t = open.get(request.connection());
            if (t == null) {
                request.connection().close(); // evicted or refused since its bytes arrived
                return;
            }
            t.current = request.response();
            t.idleSinceNanos = -1;
            String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && declaredTooLarge(length)) {
                reject(Reason.BODY_TOO_LARGE, describe(request.connection()), request.method() + " "
                        + abbreviate(request.path()) + " declared a body of " + abbreviate(length) + " bytes");
                closing(request);
                closeWhenWritten(request, errors.send(request, 413, "request body larger than "
                        + limits.maxBodyBytes() + " bytes"));
                return;
            }
            next.handle(request);
        });
        return server;
    }

    /**
     * Closes {@code request}'s connection once {@code written}, the future of the response's
     * {@code end()}, completes (closing before would discard a response Vert.x has not flushed yet)
     * and the client has sent the rest of the request's body, which is read and discarded: a
     * connection closed with bytes unread answers the client's next ones with a reset, which makes
     * the client fail its send, or lose the reply it had not read yet (a lingering close, as RFC
     * 9112 section 9.6 asks). Bounded by {@link #LINGER_MILLIS} and {@link #LINGER_BYTES}; past
     * either the connection is closed anyway, counted and logged as {@link Reason#LINGER_CUT}.
     * Set {@code Connection: close} before ending the response: call {@link #closing} first.
     */
    public void closeWhenWritten(HttpServerRequest request, Future<Void> written) {
        HttpConnection c = request.connection();
        if (request.isEnded()) {
            written.onComplete(ar -> c.close());
            return;
        }
        Promise<Void> drained = Promise.promise();
        long[] left = {LINGER_BYTES};
        // Counted before the promise completes: completing it closes the connection at once, and a
        // client that sees the close must find the cut counted.
        long timer = vertx.setTimer(LINGER_MILLIS, id -> {
            if (!drained.future().isComplete()) {
                reject(Reason.LINGER_CUT, describe(c), "had not finished the body of a refused request after "
                        + LINGER_MILLIS + " ms");
                drained.tryComplete();
            }
        });
        request.handler(b -> {
            left[0] -= b.length();
            if (left[0] < 0 && !drained.future().isComplete()) {
                reject(Reason.LINGER_CUT, describe(c), "sent more than " + LINGER_BYTES
                        + " bytes of the body of a refused request");
                drained.tryComplete();
            }
        });
        request.endHandler(v -> drained.tryComplete());
        request.exceptionHandler(e -> drained.tryComplete());
        request.resume();
        written.onComplete(ar -> drained.future().onComplete(d -> {
            vertx.cancelTimer(timer);
            c.close();
        }));
    }

    /** {@code request}'s response with {@code Connection: close} set; see {@link #closeWhenWritten}. */
    public static HttpServerResponse closing(HttpServerRequest request) {
        HttpServerResponse resp = request.response();
        if (!resp.headWritten()) {
            resp.putHeader(HttpHeaders.CONNECTION, "close");
        }
        return resp;
    }

    /** Connections open now. Any thread. */
    public int openConnections() {
        return openCount;
    }

    /** How often {@code reason} happened. Any thread. */
    public long rejected(Reason reason) {
        return counts.get(reason).sum();
    }

    // ---- connections ----------------------------------------------------------------------------

    private void accepted(HttpConnection c) {
        long now = nanoTime.getAsLong();
        String source = sources.apply(c.remoteAddress());
        if (!source.equals(LOOPBACK) && perSource.getOrDefault(source, 0) >= limits.maxConnectionsPerSource()
                && !evictOldestIdle(source, Reason.SOURCE_LIMIT, c)) {
            return;
        }
        if (open.size() >= limits.maxConnections() && !evictOldestIdle(null, Reason.CONNECTION_LIMIT, c)) {
            return;
        }
        Tracked t = new Tracked(c, source, now);
        open.put(c, t);
        perSource.merge(source, 1, Integer::sum);
        openCount = open.size();
        c.closeHandler(v -> forget(t));
        if (sweepTimer < 0) {
            sweepTimer = vertx.setPeriodic(sweepMillis, id -> sweep());
        }
    }

    /**
     * Closes the oldest connection (of {@code source}, or of any source when null) that has no request
     * in progress; if there is none, closes {@code newcomer} and counts {@code full}.
     *
     * @return true if room was made
     */
    private boolean evictOldestIdle(String source, Reason full, HttpConnection newcomer) {
        for (Tracked t : open.values()) {
            if ((source == null || source.equals(t.source)) && t.evictable()) {
                reject(Reason.EVICTED, describe(t.connection), "closed (no request in progress) to make room for "
                        + describe(newcomer) + ": " + (source == null ? limits.maxConnections() + " connections open"
                        : limits.maxConnectionsPerSource() + " connections from " + source));
                close(t);
                return true;
            }
        }
        reject(full, describe(newcomer), "refused: " + (source == null ? limits.maxConnections()
                + " connections open" : limits.maxConnectionsPerSource() + " connections from " + source)
                + ", every one with a request in progress");
        newcomer.close();
        return false;
    }

    /** Removes {@code t} from the tables (also right away when we close it, so its slot is free now). */
    private void close(Tracked t) {
        t.closing = true;
        forget(t);
        t.connection.close();
    }

    private void forget(Tracked t) {
        if (open.remove(t.connection) == null) {
            return;
        }
        perSource.computeIfPresent(t.source, (k, n) -> n <= 1 ? null : n - 1);
        openCount = open.size();
        if (open.isEmpty() && sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
            sweepTimer = -1;
        }
    }

    private void sweep() {
        long now = nanoTime.getAsLong();
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(limits.headerTimeoutMillis());
        Iterator<Tracked> it = open.values().iterator();
        java.util.List<Tracked> expired = null;
        while (it.hasNext()) {
            Tracked t = it.next();
            if (t.requestInProgress()) {
                t.idleSinceNanos = -1;
            } else if (t.idleSinceNanos < 0) {
                t.idleSinceNanos = now; // its response ended since the last sweep
            } else if (now - t.idleSinceNanos >= timeoutNanos) {
                if (expired == null) {
                    expired = new java.util.ArrayList<>();
                }
                expired.add(t);
            }
        }
        if (expired != null) {
            for (Tracked t : expired) {
                reject(Reason.HEADER_TIMEOUT, describe(t.connection), "closed: no complete request within "
                        + limits.headerTimeoutMillis() + " ms");
                close(t);
            }
        }
    }

    // ---- plumbing -------------------------------------------------------------------------------

    private boolean declaredTooLarge(String contentLength) {
        try {
            return Long.parseLong(contentLength.strip()) > limits.maxBodyBytes();
        } catch (NumberFormatException e) {
            return false; // Vert.x's decoder answers 400 to a malformed Content-Length itself
        }
    }

    private void reject(Reason reason, String who, String what) {
        counts.get(reason).increment();
        long unreported = reports.permit(reason.label);
        if (unreported >= 0) {
            LOG.log(Level.WARNING, LogThrottle.withSuppressed(limits.server() + " HTTP server: " + reason.label + ": "
                    + who + " " + what, unreported));
        }
    }

    /**
     * The accounting unit of a client: its IPv4 address, or its IPv6 /64 (a host is usually handed a
     * whole /64, so counting single IPv6 addresses would bound nothing), or {@link #LOOPBACK} for any
     * loopback address: every local process may use any 127.x source, so local clients are one
     * source, and the per-source share does not apply to it (only the total does). Never resolves
     * names.
     */
    static String sourceOf(SocketAddress remote) {
        if (remote == null || remote.hostAddress() == null) {
            return "?";
        }
        String host = remote.hostAddress();
        try {
            InetAddress address = InetAddress.getByName(host); // a literal: no lookup
            if (address.isLoopbackAddress()) {
                return LOOPBACK;
            }
            byte[] a = address.getAddress();
            if (a.length == 4) {
                return address.getHostAddress(); // IPv4, or IPv4-mapped IPv6
            }
            byte[] prefix = new byte[16];
            System.arraycopy(a, 0, prefix, 0, 8);
            return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
        } catch (UnknownHostException e) {
            return host;
        }
    }

    private static String describe(HttpConnection c) {
        return "connection from " + c.remoteAddress();
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
