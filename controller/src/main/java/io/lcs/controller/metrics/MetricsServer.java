package io.lcs.controller.metrics;

import io.lcs.controller.http.ConnectionGuard;
import io.lcs.controller.http.HttpLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The Prometheus endpoint of lcsd: {@code GET /metrics} on {@code metrics_bind:metrics_port} answers
 * the scrape of {@link LcsMetrics} in the Prometheus text format 0.0.4
 * ({@code text/plain; version=0.0.4; charset=utf-8}), or in OpenMetrics text when the Accept header
 * asks for {@code application/openmetrics-text}. Every other method or path gets 404; a scrape that
 * throws gets 500 with the reason; more than {@value #MAX_SCRAPES_IN_FLIGHT} scrapes at once get 503.
 *
 * <p>The scrape is rendered on a worker thread ({@code executeBlocking}), not on the event loop:
 * measured here ~0.4–1.4 ms median (p90 up to ~4 ms on this busy machine) for a three-node cluster
 * with the JVM metrics, but 79 ms (1.3 MB of text) for 1,000 VIPs on 15 nodes, which would stall
 * heartbeats on lcsd's single event loop. The status supplier is therefore
 * called on the worker thread too (see {@link LcsMetrics}).
 *
 * <p>Connections are bounded by a {@link ConnectionGuard} ({@link HttpLimits#metrics()}: total and
 * per source, header and idle time, no request body), like the admin API's.
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #stop()}; not restartable.
 */
public final class MetricsServer {

    /**
     * Scrapes rendering or queued at once; more get 503. Prometheus scrapes one target once per
     * interval, so a handful covers several Prometheus servers while bounding the worker queue.
     */
    static final int MAX_SCRAPES_IN_FLIGHT = 4;

    private final AtomicInteger scrapesInFlight = new AtomicInteger();

    private final Vertx vertx;
    private final String bindHost;
    private final int port;
    private final LcsMetrics metrics;
    private final ConnectionGuard guard;
    private HttpServer server;

    /**
     * @param bindHost address to listen on (the config's {@code metrics_bind})
     * @param port port to listen on (the config's {@code metrics_port}); 0 picks a free one
     */
    public MetricsServer(Vertx vertx, String bindHost, int port, LcsMetrics metrics) {
        this(vertx, bindHost, port, metrics, HttpLimits.metrics());
    }

    /** As above, with other connection limits (tests). */
    public MetricsServer(Vertx vertx, String bindHost, int port, LcsMetrics metrics, HttpLimits limits) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.bindHost = Objects.requireNonNull(bindHost, "bindHost");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics_port must be 0..65535, got " + port);
        }
        this.port = port;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.guard = new ConnectionGuard(vertx, limits);
    }

    /** Open connections. Any thread. */
    public int openConnections() {
        return guard.openConnections();
    }

    /** Connections and requests closed or refused by a limit, by reason, for {@code lcs_http_rejected_total}. */
    public Map<String, LongSupplier> rejections() {
        Map<String, LongSupplier> m = new LinkedHashMap<>();
        for (ConnectionGuard.Reason r : ConnectionGuard.Reason.values()) {
            m.put(r.label, () -> guard.rejected(r));
        }
        return m;
    }

    /** Starts listening; completes with the port actually bound, or fails (e.g. address in use). */
    public synchronized Future<Integer> start() {
        if (server != null) {
            return Future.failedFuture(new IllegalStateException("metrics server already started"));
        }
        Router router = Router.router(vertx);
        router.get("/metrics").handler(this::serveMetrics);
        // Catch-all after /metrics: other paths and other methods on /metrics (which Vert.x Web would
        // answer with 405) all get 404.
        router.route().handler(ctx -> ctx.response().setStatusCode(404)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .end("not found: only GET /metrics is served here\n"));
        HttpServerOptions options = guard.options(new HttpServerOptions().setHost(bindHost).setPort(port));
        server = guard.install(vertx.createHttpServer(options), router, (request, status, message) -> request.response()
                .setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end(message + "\n"));
        return server.listen()
                .recover(e -> Future.failedFuture(new IllegalStateException(
                        "cannot listen for metrics on " + bindHost + ":" + port + ": " + e.getMessage(), e)))
                .map(HttpServer::actualPort);
    }

    /** Stops listening and closes open connections; a no-op if not started. */
    public synchronized Future<Void> stop() {
        HttpServer s = server;
        if (s == null) {
            return Future.succeededFuture();
        }
        return s.close();
    }

    private void serveMetrics(RoutingContext ctx) {
        if (scrapesInFlight.incrementAndGet() > MAX_SCRAPES_IN_FLIGHT) {
            scrapesInFlight.decrementAndGet();
            ctx.response().setStatusCode(503).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .end("too many scrapes in progress (limit " + MAX_SCRAPES_IN_FLIGHT + ")\n");
            return;
        }
        String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
        vertx.executeBlocking(() -> metrics.scrape(accept)).onComplete(result -> {
            scrapesInFlight.decrementAndGet();
            if (result.succeeded()) {
                LcsMetrics.Exposition exposition = result.result();
                ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, exposition.contentType()).end(exposition.body());
            } else {
                ctx.response().setStatusCode(500).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                        .end("scrape failed: " + result.cause() + "\n");
            }
        });
    }
}
