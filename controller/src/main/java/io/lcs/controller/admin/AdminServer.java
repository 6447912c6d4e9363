package io.lcs.controller.admin;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.controller.http.ConnectionGuard;
import io.lcs.model.Names;
import io.lcs.model.api.LcsObject;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.Service;
import io.lcs.model.api.VirtualIP;
import io.lcs.model.codec.LcsJson;
import io.lcs.model.config.ConsoleMode;
import io.lcs.model.status.ClusterEvent;
import io.lcs.reconcilers.runtime.LogThrottle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * lcsd's HTTP admin API (contract: docs/api.md), a Vert.x Web router in front of an {@link
 * AdminBackend}. Everything runs on one event loop; manifest parsing runs on a worker.
 *
 * <p><b>Authority.</b> Loopback is not authority: every local user can connect to 127.0.0.1. A
 * request that may change anything (every method but GET and HEAD: apply, delete, move, ack,
 * cordon, uncordon, drain, and whatever is added later) needs the admin token ({@code
 * Authorization: Bearer <token>}), from loopback too. The token lives in a file only root can read
 * ({@link AdminConfig#tokenFile()}, created at {@link #start()} if missing), which the {@code lcs}
 * CLI reads: so changing the cluster takes root's authority on a node. Reads (status, get,
 * describe, events, watch, version, readyz) are open without a token on a loopback bind, and need
 * it when the API listens beyond loopback; {@code GET /healthz} never needs it. A wrong token is
 * refused everywhere but {@code /healthz}. A refusal is 401 {@code UNAUTHORIZED} with a message the
 * CLI prints as is, the connection is closed (its body is never read), it is counted ({@link
 * #refusals()}) and reported in the log and as an {@link AdminEvents#REQUEST_REFUSED} event, at most
 * once a minute with the number not reported since.
 *
 * <p><b>Browsers.</b> The web console ({@link WebConsole}, {@code /ui/}) is served here unless lcs.conf
 * says {@code console = off}. A change that carries a browser's marks ({@code Origin}, {@code
 * Sec-Fetch-Site}) is refused with 403 {@code FORBIDDEN} when it comes from another site's page,
 * and whenever the console is not {@code on}; otherwise it needs the token like any other.
 *
 * <p><b>Bounds.</b> A {@link ConnectionGuard} bounds connections (in total and per source), the time
 * to send request headers, idle time and body size; at most {@link AdminConfig#maxWatchers()} watch
 * streams are open, and a watch that carries the token may replace the oldest one opened without it,
 * so a local user cannot lock root out of either.
 */
public final class AdminServer {
    /** 1000: the upper bound of {@code limit} on {@code /api/v1/events} and of a watch's replay. */
    public static final int MAX_EVENTS_PER_REQUEST = 1000;
    public static final int DEFAULT_EVENTS_LIMIT = 100;
    private static final System.Logger LOG = System.getLogger("io.lcs.admin");
    private static final String JSON_TYPE = "application/json";

    /** The key under which {@link #authorize} marks a request that carried the right token. */
    private static final String AUTHORIZED = "lcs.authorized";

    /** Why a request was refused; the {@code reason} label of {@code lcs_admin_requests_refused_total}. */
    public enum Refusal {
        /** No {@code Authorization} header on a request that needs the token. */
        NO_TOKEN("no_token", "no admin token", 401),
        /** An {@code Authorization} header that is not {@code Bearer <the token>}. */
        WRONG_TOKEN("wrong_token", "wrong admin token", 401),
        /**
         * A change a browser sent from another site's page ({@code Origin} not this API's own, or
         * {@code Sec-Fetch-Site} neither {@code same-origin} nor {@code none}).
         */
        CROSS_SITE("cross_site", "sent from another site's page", 403),
        /** A change a browser sent (it carries {@code Origin} or {@code Sec-Fetch-Site}) while lcs.conf {@code console} is not {@code on}. */
        CONSOLE_READ_ONLY("console_read_only", "sent by a browser while the web console is read-only", 403);

        public final String label;
        final String text;
        final int status;

        Refusal(String label, String text, int status) {
            this.label = label;
            this.text = text;
            this.status = status;
        }
    }

    /** Watch streams refused or closed by the watcher limit; reasons of {@code lcs_http_rejected_total{server="admin"}}. */
    public enum WatchLimit {
        /** A watch refused with 503: every stream is taken by ones that may not be replaced. */
        WATCH_LIMIT("watch_limit"),
        /** A watch opened without the token, closed to make room for one with it. */
        WATCH_EVICTED("watch_evicted");

        public final String label;

        WatchLimit(String label) {
            this.label = label;
        }
    }

    private final Vertx vertx;
    private final AdminConfig cfg;
    private final AdminBackend backend;
    private final ManifestReader manifests;
    private final AdminEvents events;
    private final ConnectionGuard guard;
    private final boolean readsNeedToken;
    private final EnumMap<Refusal, LongAdder> refused = new EnumMap<>(Refusal.class);
    private final EnumMap<WatchLimit, LongAdder> watchLimits = new EnumMap<>(WatchLimit.class);
    /** Keys {@code refusal} and {@code watch}: at most one line (and refusal event) a minute each. */
    private final LogThrottle reports;
    /** Touched on the server's event loop only. */
    private final List<Watcher> watchers = new ArrayList<>();
    /** The web console, or null when lcs.conf says {@code console = off}. */
    private final WebConsole console;
    private HttpServer server;
    private AdminToken token;

    /**
     * @param manifests reads {@code apply}/{@code delete} bodies; called on a worker thread
     * @param events receives the API's own events (refusals); called on the event loop
     */
    public AdminServer(Vertx vertx, AdminConfig cfg, AdminBackend backend, ManifestReader manifests,
                       AdminEvents events) {
        this(vertx, cfg, backend, manifests, events, System::nanoTime);
    }

    /** As above, with the monotonic clock of the header timeout and of the report throttles (tests). */
    AdminServer(Vertx vertx, AdminConfig cfg, AdminBackend backend, ManifestReader manifests, AdminEvents events,
                LongSupplier nanoTime) {
        this.vertx = vertx;
        this.cfg = cfg;
        this.backend = backend;
        this.manifests = manifests;
        this.events = events;
        this.guard = new ConnectionGuard(vertx, cfg.http(), nanoTime);
        this.readsNeedToken = readsNeedToken(cfg);
        this.console = cfg.console() == ConsoleMode.OFF ? null
                : WebConsole.load(cfg.console(), readsNeedToken, cfg.tokenFile());
        this.reports = new LogThrottle(ConnectionGuard.REPORT_INTERVAL, nanoTime::getAsLong);
        for (Refusal r : Refusal.values()) {
            refused.put(r, new LongAdder());
        }
        for (WatchLimit w : WatchLimit.values()) {
            watchLimits.put(w, new LongAdder());
        }
    }

    /** True if reads need the token too: the API listens beyond loopback (or a test asks for it). */
    public static boolean readsNeedToken(AdminConfig cfg) {
        return cfg.requireToken() || !AdminToken.isLoopback(cfg.bindHost());
    }

    /**
     * Loads the token, creating its file if missing (on a worker), then listens.
     *
     * @return the port actually bound (useful with port 0); fails with a message naming the problem
     *     (token file unsafe or unreadable, address in use) and leaves nothing listening
     */
    public Future<Integer> start() {
        return vertx.executeBlocking(() -> AdminToken.loadOrCreate(cfg.tokenFile()), false).compose(loaded -> {
            token = loaded.token();
            if (loaded.created()) {
                LOG.log(System.Logger.Level.INFO, "admin API: created the admin token file {0} (mode 0600)",
                        String.valueOf(cfg.tokenFile()));
            }
            HttpServer s = vertx.createHttpServer(guard.options(new HttpServerOptions()
                    .setMaxInitialLineLength(4096).setMaxHeaderSize(8192)));
            guard.install(s, router(), (request, status, message) -> guardError(request, status,
                    status == 413 ? AdminException.TOO_LARGE : AdminException.MALFORMED, message));
            return s.listen(cfg.port(), cfg.bindHost())
                    .recover(e -> Future.failedFuture(new IllegalStateException("admin API cannot listen on "
                            + cfg.bindHost() + ":" + cfg.port() + ": " + e.getMessage(), e)));
        }).map(s -> {
            server = s;
            LOG.log(System.Logger.Level.INFO, "admin API listening on {0}:{1}; changes need the token of {2}{3}",
                    cfg.bindHost(), String.valueOf(s.actualPort()), String.valueOf(cfg.tokenFile()),
                    readsNeedToken ? ", reads too" : "; reads are open to local users");
            return s.actualPort();
        });
    }

    /** Refused requests by reason, for {@code lcs_admin_requests_refused_total}. Any thread. */
    public Map<String, LongSupplier> refusals() {
        Map<String, LongSupplier> m = new LinkedHashMap<>();
        for (Refusal r : Refusal.values()) {
            m.put(r.label, refused.get(r)::sum);
        }
        return m;
    }

    /**
     * Connections and requests closed or refused by a limit, by reason (the guard's and the watch
     * limit's), for {@code lcs_http_rejected_total{server="admin"}}. Any thread.
     */
    public Map<String, LongSupplier> rejections() {
        Map<String, LongSupplier> m = new LinkedHashMap<>();
        for (ConnectionGuard.Reason r : ConnectionGuard.Reason.values()) {
            m.put(r.label, () -> guard.rejected(r));
        }
        for (WatchLimit w : WatchLimit.values()) {
            m.put(w.label, watchLimits.get(w)::sum);
        }
        return m;
    }

    /** Open connections. Any thread. */
    public int openConnections() {
        return guard.openConnections();
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
        r.route().handler(this::authorize);
        r.get("/healthz").handler(ctx -> sendJson(ctx, 200, Map.of("status", "ok")));
        r.get("/readyz").handler(this::readyz);
        if (console != null) {
            console.install(r);
        }
        // Bodies are read only for POSTs, which authorize() lets through only with the token: nobody
        // else can make the daemon buffer a body.
        BodyHandler bodies = BodyHandler.create(false).setBodyLimit(cfg.bodyLimitBytes());
        // (a route for every method: one for POST only would turn unknown GET paths into 405s)
        r.route("/api/v1/*").handler(ctx -> {
            if (ctx.request().method() == HttpMethod.POST) {
                bodies.handle(ctx);
            } else {
                ctx.next();
            }
        });
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
        r.get("/api/v1/services").handler(ctx -> sync(ctx, () -> Map.of("items", backend.services())));
        r.get("/api/v1/services/:name").handler(ctx -> sync(ctx, () -> {
            String name = name(ctx);
            return backend.service(name).orElseThrow(() -> AdminException.notFound(Service.KIND, name));
        }));
        r.delete("/api/v1/services/:name").handler(ctx -> async(ctx, () -> {
            String name = name(ctx);
            return backend.delete(new ObjectKey(Service.KIND, name))
                    .map(v -> result(Service.KIND, name, ApplyResult.Outcome.deleted.name()));
        }, x -> x));
        r.delete("/api/v1/checks/:name").handler(ctx -> async(ctx, () -> {
            String name = name(ctx);
            return backend.delete(new ObjectKey(io.lcs.model.api.HealthCheck.KIND, name))
                    .map(v -> result(io.lcs.model.api.HealthCheck.KIND, name, ApplyResult.Outcome.deleted.name()));
        }, x -> x));
        r.post("/api/v1/vips/:name/move").handler(ctx -> async(ctx, () -> {
            String name = name(ctx);
            return backend.move(name, moveTarget(ctx));
        }, x -> x));
        r.post("/api/v1/vips/:name/ack").handler(ctx -> async(ctx, () -> backend.ack(name(ctx)), x -> x));
        r.post("/api/v1/vips/:name/stop").handler(ctx -> async(ctx, () -> backend.setStopped(name(ctx), true)
                .map(changed -> result(VirtualIP.KIND, name(ctx), changed ? "stopped" : "alreadyStopped")), x -> x));
        r.post("/api/v1/vips/:name/start").handler(ctx -> async(ctx, () -> backend.setStopped(name(ctx), false)
                .map(changed -> result(VirtualIP.KIND, name(ctx), changed ? "started" : "alreadyStarted")), x -> x));
        r.post("/api/v1/vips/:name/clear").handler(ctx -> async(ctx, () -> backend.clearHomeBlock(name(ctx))
                .map(changed -> result(VirtualIP.KIND, name(ctx), changed ? "cleared" : "notBlocked")), x -> x));
        r.post("/api/v1/reload").handler(ctx -> async(ctx, backend::reload, x -> x));
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

    // ---- authority ------------------------------------------------------------------------------

    private void authorize(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
        if (read && ("/healthz".equals(ctx.normalizedPath())
                || console != null && WebConsole.isConsolePath(ctx.normalizedPath()))) {
            ctx.next(); // says only "the process answers", or the console's files (no cluster data)
            return;
        }
        if (!read && !browserMayChange(ctx)) {
            return;
        }
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null) {
            if (token.matches(header)) {
                ctx.put(AUTHORIZED, Boolean.TRUE);
                ctx.next();
            } else {
                refuse(ctx, Refusal.WRONG_TOKEN, "the admin token sent does not match " + cfg.tokenFile()
                        + " on this node (was the file re-created? lcs reads it on every run)");
            }
            return;
        }
        if (read && !readsNeedToken) {
            ctx.next();
            return;
        }
        boolean local = AdminToken.isLoopback(cfg.bindHost());
        String message = !read && local
                ? "changing the cluster needs root's authority on this node: run lcs as root (the admin token "
                        + cfg.tokenFile() + " is readable by root only)"
                : (read ? "this admin API listens on " + cfg.bindHost() + ", beyond loopback: every request"
                        : "changing the cluster") + " needs the admin token: send 'Authorization: Bearer <token>' with"
                        + " the token of " + cfg.tokenFile() + " on this node (lcs does when run there as root, or"
                        + " with --token-file)";
        refuse(ctx, Refusal.NO_TOKEN, message);
    }

    private void refuse(RoutingContext ctx, Refusal why, String message) {
        refused.get(why).increment();
        long unreported = reports.permit("refusal");
        if (unreported >= 0) {
            String what = LogThrottle.withSuppressed("refused " + ctx.request().method() + " "
                    + Names.abbreviate(ctx.request().path()) + " from " + ctx.request().remoteAddress() + ": " + why.text,
                    unreported);
            LOG.log(System.Logger.Level.WARNING, "admin API: " + what);
            events.record(AdminEvents.REQUEST_REFUSED, what);
        }
        // closed after the reply and the rest of its body (read and discarded, bounded), never used
        HttpServerResponse resp = ConnectionGuard.closing(ctx.request());
        if (why.status == 401) {
            resp.putHeader("WWW-Authenticate", "Bearer");
        }
        guard.closeWhenWritten(ctx.request(), guardError(ctx.request(), why.status,
                why.status == 401 ? AdminException.UNAUTHORIZED : AdminException.FORBIDDEN, message));
    }

    /**
     * Checks a change for the marks of a browser, before its token: one sent from another site's
     * page is refused (the token is never in a cookie, so such a page cannot have it; this is the
     * second wall), and so is any browser's change unless lcs.conf says {@code console = on}. The
     * CLI sends neither header.
     *
     * @return true if the request may go on; otherwise it was refused
     */
    private boolean browserMayChange(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        String origin = req.getHeader(HttpHeaders.ORIGIN);
        String site = req.getHeader("Sec-Fetch-Site");
        if (origin == null && site == null) {
            return true;
        }
        String host = req.getHeader(HttpHeaders.HOST);
        boolean sameSite = (site == null || site.equals("same-origin") || site.equals("none"))
                && (origin == null || host != null && (origin.equalsIgnoreCase("http://" + host)
                        || origin.equalsIgnoreCase("https://" + host)));
        if (!sameSite) {
            refuse(ctx, Refusal.CROSS_SITE, "refused a change sent from another site's page ("
                    + (origin != null ? "Origin " + Names.abbreviate(origin) : "Sec-Fetch-Site " + Names.abbreviate(site))
                    + ", this API is " + Names.abbreviate(String.valueOf(host)) + "): change the cluster with lcs, or"
                    + " from this node's own console at " + WebConsole.PATH);
            return false;
        }
        if (cfg.console() != ConsoleMode.ON) {
            refuse(ctx, Refusal.CONSOLE_READ_ONLY, "the web console is " + cfg.console().label()
                    + " (lcs.conf [cluster] console = " + cfg.console().label() + "): changes from a browser are refused;"
                    + " use lcs as root on a node, or set console = on and restart lcsd");
            return false;
        }
        return true;
    }

    private static boolean authorized(RoutingContext ctx) {
        return Boolean.TRUE.equals(ctx.get(AUTHORIZED));
    }

    /** An error reply in the API's shape, written without the router (the guard's 413, refusals). */
    private static Future<Void> guardError(HttpServerRequest request, int status, String code, String message) {
        HttpServerResponse resp = request.response();
        if (resp.ended() || resp.closed()) {
            return Future.succeededFuture();
        }
        return resp.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON_TYPE)
                .end(write(errorBody(new AdminException(status, code, message, null))));
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
        String source = source(ctx);
        async(ctx, () -> parseManifests(ctx, source).compose(objects -> backend.apply(objects, source)),
                results -> Map.of("results", results));
    }

    private void deleteManifest(RoutingContext ctx) {
        String source = source(ctx);
        async(ctx, () -> parseManifests(ctx, source).compose(objects -> {
            // Checked whole first; then one at a time, in document order: a failure other than NOT_FOUND stops the rest.
            List<Map<String, Object>> results = new ArrayList<>();
            Future<Void> chain = backend.checkDelete(objects.stream().map(LcsObject::key).toList(), source);
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

    private Future<List<LcsObject>> parseManifests(RoutingContext ctx, String source) {
        String text = ctx.body() == null ? null : ctx.body().asString("UTF-8");
        if (text == null || text.isBlank()) {
            throw AdminException.invalid(source + " is empty: send YAML or JSON manifests", null);
        }
        return vertx.executeBlocking(() -> manifests.read(source, text), false);
    }

    /** The longest {@code source} query parameter accepted: a path, not a document. */
    static final int MAX_SOURCE_CHARS = 256;
    /** How problems of a manifest name it when the client did not say ({@code ?source=}). */
    static final String DEFAULT_SOURCE = "request body";

    /**
     * How problems of this request's manifest name it: the {@code source} query parameter (the CLI
     * sends the file name it read) or {@value #DEFAULT_SOURCE}. A source longer than
     * {@value #MAX_SOURCE_CHARS} characters or with a control character is refused (it ends up in
     * error messages and logs).
     */
    private static String source(RoutingContext ctx) {
        String v = ctx.queryParams().get("source");
        if (v == null || v.isEmpty()) {
            return DEFAULT_SOURCE;
        }
        if (v.length() > MAX_SOURCE_CHARS || v.chars().anyMatch(Character::isISOControl)) {
            throw AdminException.invalid("query parameter 'source' must be a file name of at most " + MAX_SOURCE_CHARS
                    + " printable characters, got '" + Names.abbreviate(v.replaceAll("\\p{Cntrl}", "?")) + "'", "source");
        }
        return v;
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
        if (watchers.size() >= cfg.maxWatchers() && !makeRoomForWatch(ctx)) {
            sendError(ctx, new AdminException(503, AdminException.TOO_MANY_WATCHERS, "already "
                    + watchers.size() + " watch streams open (the limit); close one or poll /api/v1/events", null));
            return;
        }
        HttpServerResponse resp = ctx.response();
        resp.setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        Watcher w = new Watcher(ctx, after, authorized(ctx)); // -1 when absent: every live event passes
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

    /**
     * With every watch slot taken: a watch that carries the token closes the oldest stream opened
     * without it (so a local user holding every slot cannot lock root out); otherwise the newcomer
     * is refused. Either way counted and reported (throttled).
     *
     * @return true if a slot was freed
     */
    private boolean makeRoomForWatch(RoutingContext ctx) {
        Watcher victim = null;
        if (authorized(ctx)) {
            victim = watchers.stream().filter(x -> !x.authorized).findFirst().orElse(null);
        }
        WatchLimit what = victim == null ? WatchLimit.WATCH_LIMIT : WatchLimit.WATCH_EVICTED;
        watchLimits.get(what).increment();
        long unreported = reports.permit("watch");
        if (unreported >= 0) {
            LOG.log(System.Logger.Level.WARNING, LogThrottle.withSuppressed("admin API: " + cfg.maxWatchers()
                    + " watch streams open: " + (victim == null ? "refused the watch of " + ctx.request().remoteAddress()
                    : "closed the oldest one opened without the token (" + victim.ctx.request().remoteAddress()
                    + ") for one with it"), unreported));
        }
        if (victim == null) {
            return false;
        }
        victim.close(true);
        victim.ctx.request().connection().close();
        return true;
    }

    /** One open watch stream. Event loop only. */
    private final class Watcher {
        final RoutingContext ctx;
        /** Opened with the token: never closed to make room. */
        final boolean authorized;
        long lastSeq;
        long timerId = -1;
        AdminBackend.Subscription subscription;
        boolean closed;

        Watcher(RoutingContext ctx, long lastSeq, boolean authorized) {
            this.ctx = ctx;
            this.lastSeq = lastSeq;
            this.authorized = authorized;
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
