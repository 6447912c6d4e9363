package io.lcs.controller.admin;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.model.Names;
import io.lcs.model.api.LcsObject;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.VirtualIP;
import io.lcs.model.codec.LcsJson;
import io.lcs.model.status.ClusterEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * lcsd's HTTP admin API (contract: docs/api.md), a Vert.x Web router in front of an {@link
 * AdminBackend}. Everything runs on one event loop; manifest parsing runs on a worker.
 *
 * <p>Authentication: a bearer token is required on every route except {@code /healthz} when the bind
 * address is not loopback, when {@link AdminConfig#requireToken()} is set, or when a token file is
 * configured at all. Without a usable token file in those cases {@link #start()} fails and nothing
 * listens.
 */
public final class AdminServer {
    /** 1000: the upper bound of {@code limit} on {@code /api/v1/events} and of a watch's replay. */
    public static final int MAX_EVENTS_PER_REQUEST = 1000;
    public static final int DEFAULT_EVENTS_LIMIT = 100;
    private static final System.Logger LOG = System.getLogger("io.lcs.admin");
    private static final String JSON_TYPE = "application/json";

    private final Vertx vertx;
    private final AdminConfig cfg;
    private final AdminBackend backend;
    private final ManifestReader manifests;
    /** Touched on the server's event loop only. */
    private final List<Watcher> watchers = new ArrayList<>();
    private HttpServer server;
    private AdminToken token;

    /** With the project's manifest parser ({@link ModelManifestReader}). */
    public AdminServer(Vertx vertx, AdminConfig cfg, AdminBackend backend) {
        this(vertx, cfg, backend, new ModelManifestReader());
    }

    /** @param manifests reads {@code apply}/{@code delete} bodies; called on a worker thread */
    public AdminServer(Vertx vertx, AdminConfig cfg, AdminBackend backend, ManifestReader manifests) {
        this.vertx = vertx;
        this.cfg = cfg;
        this.backend = backend;
        this.manifests = manifests;
    }

    /** True if this configuration demands a bearer token (see the class comment). */
    public static boolean tokenRequired(AdminConfig cfg) {
        return cfg.requireToken() || cfg.tokenFile() != null || !AdminToken.isLoopback(cfg.bindHost());
    }

    /**
     * Loads the token (on a worker), then listens.
     *
     * @return the port actually bound (useful with port 0); fails with a message naming the problem
     *     (token file missing/unsafe, address in use) and leaves nothing listening
     */
    public Future<Integer> start() {
        Future<AdminToken> loaded;
        if (!tokenRequired(cfg)) {
            loaded = Future.succeededFuture(null);
        } else if (cfg.tokenFile() == null) {
            return Future.failedFuture(new IllegalStateException("admin API bound to " + cfg.bindHost()
                    + " (not loopback) needs a token: set admin_token_file in [cluster] of lcs.conf"));
        } else {
            loaded = vertx.executeBlocking(() -> AdminToken.load(cfg.tokenFile()), false);
        }
        return loaded.compose(t -> {
            token = t;
            HttpServer s = vertx.createHttpServer(new HttpServerOptions()
                    .setMaxInitialLineLength(4096).setMaxHeaderSize(8192));
            return s.requestHandler(router()).listen(cfg.port(), cfg.bindHost())
                    .recover(e -> Future.failedFuture(new IllegalStateException("admin API cannot listen on "
                            + cfg.bindHost() + ":" + cfg.port() + ": " + e.getMessage(), e)));
        }).map(s -> {
            server = s;
            LOG.log(System.Logger.Level.INFO, "admin API listening on {0}:{1}{2}", cfg.bindHost(),
                    String.valueOf(s.actualPort()), token == null ? "" : " (bearer token required)");
            return s.actualPort();
        });
    }

    /** Ends every watch stream and closes the listener. Idempotent. */
    public Future<Void> stop() {
        HttpServer s = server;
        server = null;
        if (s == null) {
            return Future.succeededFuture();
        }
        for (Watcher w : List.copyOf(watchers)) {
            w.close(true);
        }
        return s.close();
    }

    private Router router() {
        Router r = Router.router(vertx);
        r.route().handler(this::authenticate);
        r.get("/healthz").handler(ctx -> sendJson(ctx, 200, Map.of("status", "ok")));
        r.get("/readyz").handler(this::readyz);
        r.route("/api/v1/*").handler(BodyHandler.create(false).setBodyLimit(cfg.bodyLimitBytes()));
        r.get("/api/v1/version").handler(ctx -> sync(ctx, () -> Map.of("version", backend.version())));
        r.get("/api/v1/status").handler(ctx -> sync(ctx, backend::status));
        r.get("/api/v1/vips").handler(ctx -> sync(ctx, () -> Map.of("items", backend.vips())));
        r.get("/api/v1/vips/:name").handler(ctx -> sync(ctx, () -> {
            String name = name(ctx);
            return backend.vip(name).orElseThrow(() -> AdminException.notFound(VirtualIP.KIND, name));
        }));
        r.delete("/api/v1/vips/:name").handler(ctx -> async(ctx, () -> {
            String name = name(ctx);
            return backend.delete(new ObjectKey(VirtualIP.KIND, name))
                    .map(v -> result(VirtualIP.KIND, name, ApplyResult.Outcome.deleted.name()));
        }, x -> x));
        r.post("/api/v1/vips/:name/move").handler(ctx -> async(ctx, () -> {
            String name = name(ctx);
            return backend.move(name, moveTarget(ctx));
        }, x -> x));
        r.post("/api/v1/vips/:name/ack").handler(ctx -> async(ctx, () -> backend.ack(name(ctx)), x -> x));
        r.get("/api/v1/nodes").handler(ctx -> sync(ctx, () -> Map.of("items", backend.status().nodes())));
        r.get("/api/v1/nodes/:name").handler(ctx -> sync(ctx, () -> {
            String name = name(ctx);
            return backend.status().nodes().stream().filter(n -> n.name().equals(name)).findFirst()
                    .orElseThrow(() -> AdminException.notFound("node", name));
        }));
        r.post("/api/v1/nodes/:name/:action").handler(this::nodeAction);
        r.get("/api/v1/events").handler(ctx -> sync(ctx, () -> {
            long after = longParam(ctx, "after", 0, 0, Long.MAX_VALUE);
            int limit = (int) longParam(ctx, "limit", DEFAULT_EVENTS_LIMIT, 1, MAX_EVENTS_PER_REQUEST);
            return Map.of("items", backend.events(after, limit));
        }));
        r.get("/api/v1/watch").handler(this::watch);
        r.post("/api/v1/apply").handler(this::apply);
        r.post("/api/v1/delete").handler(this::deleteManifest);
        r.errorHandler(400, ctx -> routerError(ctx, new AdminException(400, AdminException.MALFORMED,
                "bad request", null)));
        r.errorHandler(404, ctx -> routerError(ctx, new AdminException(404, AdminException.NOT_FOUND,
                "no such endpoint: " + ctx.request().method() + " " + Names.abbreviate(ctx.request().path())
                        + " (see docs/api.md)", null)));
        r.errorHandler(405, ctx -> routerError(ctx, new AdminException(405, AdminException.METHOD_NOT_ALLOWED,
                ctx.request().method() + " is not allowed on " + Names.abbreviate(ctx.request().path()), null)));
        r.errorHandler(413, ctx -> routerError(ctx, new AdminException(413, AdminException.TOO_LARGE,
                "request body larger than " + cfg.bodyLimitBytes() + " bytes", null)));
        r.errorHandler(500, ctx -> routerError(ctx, internal(ctx.failure())));
        return r;
    }

    // ---- authentication -------------------------------------------------------------------------

    private void authenticate(RoutingContext ctx) {
        if (token == null || "/healthz".equals(ctx.normalizedPath())) {
            ctx.next();
            return;
        }
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (token.matches(header)) {
            ctx.next();
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "admin API: rejected {0} {1} from {2}: {3} bearer token",
                ctx.request().method(), Names.abbreviate(ctx.request().path()), String.valueOf(ctx.request().remoteAddress()),
                header == null ? "missing" : "wrong");
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        sendError(ctx, new AdminException(401, AdminException.UNAUTHORIZED,
                "missing or wrong bearer token: send 'Authorization: Bearer <token>' with the token from "
                        + "admin_token_file", null));
    }

    // ---- handlers -------------------------------------------------------------------------------

    private void readyz(RoutingContext ctx) {
        if (backend.ready()) {
            sendJson(ctx, 200, Map.of("ready", true));
        } else {
            sendError(ctx, new AdminException(503, AdminException.NOT_READY,
                    "lcsd is starting: state not loaded or cluster not joined yet", null));
        }
    }

    private void nodeAction(RoutingContext ctx) {
        async(ctx, () -> {
            String name = name(ctx);
            String action = ctx.pathParam("action");
            Future<Void> f;
            String outcome;
            switch (action) {
                case "cordon" -> {
                    f = backend.cordon(name);
                    outcome = "cordoned";
                }
                case "uncordon" -> {
                    f = backend.uncordon(name);
                    outcome = "uncordoned";
                }
                case "drain" -> {
                    f = backend.drain(name);
                    outcome = "drained";
                }
                default -> throw new AdminException(404, AdminException.NOT_FOUND, "no such node action '"
                        + Names.abbreviate(action) + "' (cordon, uncordon or drain)", null);
            }
            return f.map(v -> result("Node", name, outcome));
        }, x -> x);
    }

    private void apply(RoutingContext ctx) {
        async(ctx, () -> parseManifests(ctx).compose(backend::apply), results -> Map.of("results", results));
    }

    private void deleteManifest(RoutingContext ctx) {
        async(ctx, () -> parseManifests(ctx).compose(objects -> {
            // Checked whole first; then one at a time, in document order: a failure other than NOT_FOUND stops the rest.
            List<Map<String, Object>> results = new ArrayList<>();
            Future<Void> chain = backend.checkDelete(objects.stream().map(LcsObject::key).toList());
            for (LcsObject o : objects) {
                ObjectKey key = o.key();
                chain = chain.compose(v -> backend.delete(key).transform(ar -> {
                    if (ar.succeeded()) {
                        results.add(result(key.kind(), key.name(), ApplyResult.Outcome.deleted.name()));
                    } else if (ar.cause() instanceof AdminException e && e.code().equals(AdminException.NOT_FOUND)) {
                        results.add(result(key.kind(), key.name(), ApplyResult.Outcome.notFound.name()));
                    } else {
                        return Future.failedFuture(ar.cause());
                    }
                    return Future.succeededFuture();
                }));
            }
            return chain.map(v -> results);
        }), results -> Map.of("results", results));
    }

    private Future<List<LcsObject>> parseManifests(RoutingContext ctx) {
        String text = ctx.body() == null ? null : ctx.body().asString("UTF-8");
        if (text == null || text.isBlank()) {
            throw AdminException.invalid("request body is empty: send YAML or JSON manifests", null);
        }
        return vertx.executeBlocking(() -> manifests.read("request body", text), false);
    }

    private static String moveTarget(RoutingContext ctx) {
        String text = ctx.body() == null ? null : ctx.body().asString("UTF-8");
        if (text == null || text.isBlank()) {
            return null;
        }
        JsonNode node;
        try {
            node = LcsJson.json().readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            // the same SOURCE:LINE:COLUMN shape as manifest errors (docs/api.md, "Errors")
            throw AdminException.malformed("request body"
                    + (at == null || at.getLineNr() < 1 ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
                    + ": JSON syntax error: " + e.getOriginalMessage());
        }
        if (!node.isObject()) {
            throw AdminException.invalid("request body: expected a JSON object like {\"to\":\"node2\"}", null);
        }
        var names = node.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!f.equals("to")) {
                throw AdminException.invalid("request body: unknown field '" + Names.abbreviate(f)
                        + "' (only 'to' is allowed)", f);
            }
        }
        JsonNode to = node.get("to");
        if (to == null || to.isNull()) {
            return null;
        }
        if (!to.isTextual() || Names.problem(to.asText()) != null) {
            throw AdminException.invalid("request body: 'to' must be a node name: "
                    + (to.isTextual() ? Names.problem(to.asText()) : "got " + to.getNodeType()), "to");
        }
        return to.asText();
    }

    // ---- watch (server-sent events) -------------------------------------------------------------

    private void watch(RoutingContext ctx) {
        long after;
        try {
            after = ctx.queryParams().contains("after") ? longParam(ctx, "after", 0, 0, Long.MAX_VALUE) : -1;
        } catch (RuntimeException e) {
            sendError(ctx, e);
            return;
        }
        if (watchers.size() >= cfg.maxWatchers()) {
            sendError(ctx, new AdminException(503, AdminException.TOO_MANY_WATCHERS, "already "
                    + watchers.size() + " watch streams open (the limit); close one or poll /api/v1/events", null));
            return;
        }
        HttpServerResponse resp = ctx.response();
        resp.setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        Watcher w = new Watcher(ctx, after); // -1 when absent: every live event passes
        watchers.add(w);
        resp.closeHandler(v -> w.close(false));
        resp.write(": lcs watch\n\n"); // sends the headers now, so the client knows it is connected
        Context context = vertx.getOrCreateContext();
        // Subscribe before replaying so nothing falls in between; duplicates are dropped by seq.
        w.subscription = backend.subscribe(e -> context.runOnContext(v -> w.send(e)));
        if (after >= 0) {
            try {
                for (ClusterEvent e : backend.events(after, MAX_EVENTS_PER_REQUEST)) {
                    w.send(e);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "admin API: watch replay failed", e);
                w.close(true);
                return;
            }
        }
        w.timerId = vertx.setPeriodic(cfg.keepAliveMillis(), id -> w.keepAlive());
    }

    /** One open watch stream. Event loop only. */
    private final class Watcher {
        final RoutingContext ctx;
        long lastSeq;
        long timerId = -1;
        AdminBackend.Subscription subscription;
        boolean closed;

        Watcher(RoutingContext ctx, long lastSeq) {
            this.ctx = ctx;
            this.lastSeq = lastSeq;
        }

        void send(ClusterEvent e) {
            if (closed || e.seq() <= lastSeq) {
                return;
            }
            if (ctx.response().writeQueueFull()) {
                // A client that does not read must not make the daemon buffer without bound.
                LOG.log(System.Logger.Level.WARNING, "admin API: closing watch of {0}: not reading",
                        String.valueOf(ctx.request().remoteAddress()));
                close(false);
                ctx.request().connection().close();
                return;
            }
            lastSeq = e.seq();
            ctx.response().write("id: " + e.seq() + "\nevent: " + e.type() + "\ndata: " + write(e) + "\n\n");
        }

        void keepAlive() {
            if (!closed) {
                ctx.response().write(": keep-alive\n\n");
            }
        }

        void close(boolean endResponse) {
            if (closed) {
                return;
            }
            closed = true;
            watchers.remove(this);
            if (timerId >= 0) {
                vertx.cancelTimer(timerId);
            }
            if (subscription != null) {
                subscription.cancel();
            }
            HttpServerResponse resp = ctx.response();
            if (endResponse && !resp.ended() && !resp.closed()) {
                resp.end();
            }
        }
    }

    // ---- plumbing -------------------------------------------------------------------------------

    private interface Call<T> {
        T get();
    }

    private void sync(RoutingContext ctx, Call<Object> call) {
        Object body;
        try {
            body = call.get();
        } catch (RuntimeException e) {
            sendError(ctx, e);
            return;
        }
        sendJson(ctx, 200, body);
    }

    private <T> void async(RoutingContext ctx, Call<Future<T>> call, Function<? super T, Object> body) {
        Future<T> f;
        try {
            f = call.get();
        } catch (RuntimeException e) {
            sendError(ctx, e);
            return;
        }
        f.onComplete(ar -> {
            if (ar.succeeded()) {
                sendJson(ctx, 200, body.apply(ar.result()));
            } else {
                sendError(ctx, ar.cause());
            }
        });
    }

    private static String name(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        String problem = Names.problem(name);
        if (problem != null) {
            throw AdminException.invalid(problem, "name");
        }
        return name;
    }

    private static long longParam(RoutingContext ctx, String param, long dflt, long min, long max) {
        String v = ctx.queryParams().get(param);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw AdminException.invalid("query parameter '" + param + "' must be a whole number in " + min + ".."
                + max + ", got '" + Names.abbreviate(v) + "'", param);
    }

    private static Map<String, Object> result(String kind, String name, String outcome) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("name", name);
        m.put("outcome", outcome);
        return m;
    }

    private static void sendJson(RoutingContext ctx, int status, Object body) {
        HttpServerResponse resp = ctx.response();
        if (resp.ended() || resp.closed()) {
            return;
        }
        String json;
        try {
            json = write(body);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "admin API: cannot serialize response", e);
            status = 500;
            json = write(errorBody(internal(e)));
        }
        resp.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON_TYPE).end(json);
    }

    private static void sendError(RoutingContext ctx, Throwable t) {
        AdminException e = t instanceof AdminException a ? a : internal(t);
        sendJson(ctx, e.httpStatus(), errorBody(e));
    }

    private static void routerError(RoutingContext ctx, AdminException e) {
        if (e.httpStatus() == 500 && ctx.failure() != null) {
            LOG.log(System.Logger.Level.ERROR, "admin API: " + ctx.request().method() + " "
                    + Names.abbreviate(ctx.request().path()) + " failed", ctx.failure());
        }
        sendError(ctx, ctx.failure() instanceof AdminException a ? a : e);
    }

    private static AdminException internal(Throwable t) {
        if (t != null) {
            LOG.log(System.Logger.Level.ERROR, "admin API: internal error", t);
        }
        return new AdminException(500, AdminException.INTERNAL, "internal error"
                + (t == null ? "" : ": " + t.getClass().getSimpleName() + ": " + t.getMessage())
                + " (see the lcsd log)", null);
    }

    /** Every reply body goes through the project's one Jackson setup (docs/api.md: "as Jackson writes them"). */
    private static String write(Object value) {
        try {
            return LcsJson.json().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    private static Map<String, Object> errorBody(AdminException e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", e.code());
        m.put("message", e.getMessage());
        if (e.field() != null) {
            m.put("field", e.field());
        }
        return m;
    }

    /** For tests and /metrics: open watch streams. Event loop only. */
    int watcherCount() {
        return watchers.size();
    }
}
