package io.lcs.controller.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.model.codec.LcsJson;
import io.lcs.model.status.ClusterEvent;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Root's authority over the admin API: changes need the admin token (from loopback too), reads on a
 * loopback bind do not, a non-loopback bind ({@code requireToken=true} stands in for one) needs it
 * everywhere but {@code /healthz}; refusals are 401 with a message for the CLI, change nothing, and
 * are counted, logged and recorded as events (throttled). Also the token file's creation and checks.
 */
class AdminAuthTest {
    static final String TOKEN = "0123456789abcdef0123456789abcdef";
    static final String MANIFEST = AdminServerTest.DB;
    @TempDir
    Path dir;
    Vertx vertx;
    AdminServer server;
    FakeAdminBackend backend = new FakeAdminBackend();
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    final Logger jul = Logger.getLogger("io.lcs.admin");
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        jul.addHandler(capture);
    }

    @AfterEach
    void tearDown() throws Exception {
        jul.removeHandler(capture);
        if (server != null) {
            AdminServerTest.await(server.stop());
        }
        AdminServerTest.await(vertx.close());
    }

    Path tokenFile(String perms, String content) throws Exception {
        Path f = dir.resolve("token");
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }

    int start(AdminConfig cfg) throws Exception {
        server = new AdminServer(vertx, cfg, backend, new ModelManifestReader(), backend::record, nanos::get);
        return AdminServerTest.await(server.start());
    }

    int start(Path tokenFile, boolean readsNeedToken) throws Exception {
        return start(AdminConfig.of("127.0.0.1", 0, tokenFile).withRequireToken(readsNeedToken));
    }

    HttpResponse<String> send(int port, String method, String path, String body, String authorization)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(int port, String path, String authorization) throws Exception {
        return send(port, "GET", path, null, authorization);
    }

    /** Every route that changes the cluster, as (method, path, body). */
    static final List<String[]> CHANGES = List.of(
            new String[] {"POST", "/api/v1/apply", MANIFEST},
            new String[] {"POST", "/api/v1/delete", MANIFEST},
            new String[] {"DELETE", "/api/v1/vips/web", null},
            new String[] {"POST", "/api/v1/vips/web/move", "{\"to\":\"b\"}"},
            new String[] {"POST", "/api/v1/vips/web/ack", null},
            new String[] {"POST", "/api/v1/nodes/b/cordon", null},
            new String[] {"POST", "/api/v1/nodes/b/uncordon", null},
            new String[] {"POST", "/api/v1/nodes/b/drain", null},
            new String[] {"PUT", "/api/v1/vips/web", MANIFEST});

    List<String> warnings() {
        return logged.stream().filter(r -> r.getLevel() == Level.WARNING)
                .map(r -> java.text.MessageFormat.format(r.getMessage(), r.getParameters())).toList();
    }

    List<ClusterEvent> refusalEvents() {
        return backend.events.stream().filter(e -> e.type().equals(AdminEvents.REQUEST_REFUSED)).toList();
    }

    @Test
    void changesWithoutTheTokenFromLoopbackAreRefusedWithRootsAuthorityAndChangeNothing() throws Exception {
        Path token = dir.resolve("admin.token");
        int port = start(token, false);
        for (String[] c : CHANGES) {
            HttpResponse<String> r = send(port, c[0], c[1], c[2], null);
            assertEquals(401, r.statusCode(), c[0] + " " + c[1] + ": " + r.body());
            JsonNode body = LcsJson.json().readTree(r.body());
            assertEquals("UNAUTHORIZED", body.path("code").asText(), r.body());
            assertEquals("changing the cluster needs root's authority on this node: run lcs as root (the admin token "
                    + token + " is readable by root only)", body.path("message").asText());
            assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(""));
        }
        assertEquals(List.of(), backend.writes, "a refused request reaches no write");
        assertEquals("198.18.0.201/24", backend.vips.get("web").spec().address());
        assertFalse(backend.vips.containsKey("db"));
        assertEquals(CHANGES.size(), server.refusals().get("no_token").getAsLong());
        assertEquals(0, server.refusals().get("wrong_token").getAsLong());
        // reported once (throttled), as an event of this node and a log line naming method, path, client
        List<ClusterEvent> events = refusalEvents();
        assertEquals(1, events.size(), events.toString());
        assertEquals("node/a", events.get(0).object());
        assertTrue(events.get(0).message().startsWith("refused POST /api/v1/apply from 127.0.0.1:"), events.toString());
        assertTrue(events.get(0).message().endsWith(": no admin token"), events.toString());
        assertEquals(1, warnings().size(), warnings().toString());
    }

    @Test
    void changesWithTheTokenGoThrough() throws Exception {
        int port = start(dir.resolve("admin.token"), false);
        String bearer = "Bearer " + Files.readString(dir.resolve("admin.token")).strip();
        assertEquals(200, send(port, "POST", "/api/v1/apply", MANIFEST, bearer).statusCode());
        assertEquals(200, send(port, "POST", "/api/v1/vips/web/move", "{\"to\":\"b\"}", bearer).statusCode());
        assertEquals(200, send(port, "POST", "/api/v1/nodes/b/cordon", null, bearer).statusCode());
        assertEquals(200, send(port, "DELETE", "/api/v1/vips/db", null, bearer).statusCode());
        assertEquals(List.of("apply 1", "move web b", "cordon b", "delete db"), backend.writes);
        assertEquals(0, server.refusals().get("no_token").getAsLong());
        assertEquals(List.of(), refusalEvents());
    }

    @Test
    void readsOnALoopbackBindNeedNoToken() throws Exception {
        int port = start(dir.resolve("admin.token"), false);
        for (String path : List.of("/healthz", "/readyz", "/api/v1/version", "/api/v1/status", "/api/v1/vips",
                "/api/v1/vips/web", "/api/v1/nodes", "/api/v1/nodes/b", "/api/v1/events")) {
            assertEquals(200, get(port, path, null).statusCode(), path);
        }
        assertEquals(0, server.refusals().get("no_token").getAsLong());
    }

    @Test
    void aNonLoopbackBindNeedsTheTokenEverywhereButHealthz() throws Exception {
        int port = start(tokenFile("rw-------", TOKEN + "\n"), true);
        assertEquals(200, get(port, "/healthz", null).statusCode());
        for (String path : List.of("/readyz", "/api/v1/status", "/api/v1/vips", "/api/v1/events", "/api/v1/watch")) {
            HttpResponse<String> r = get(port, path, null);
            assertEquals(401, r.statusCode(), path);
            assertTrue(r.body().contains("needs the admin token"), r.body());
        }
        assertEquals(200, get(port, "/api/v1/status", "Bearer " + TOKEN).statusCode());
        assertEquals(200, get(port, "/api/v1/status", "bearer " + TOKEN).statusCode());
    }

    @Test
    void aWrongTokenIsRefusedEvenForReadsAndNeverLogged() throws Exception {
        int port = start(tokenFile("r--------", TOKEN), false);
        for (String auth : List.of("Bearer " + TOKEN + "x", "Basic " + TOKEN, "Bearer")) {
            HttpResponse<String> r = get(port, "/api/v1/status", auth);
            assertEquals(401, r.statusCode(), auth);
            assertTrue(r.body().contains("does not match"), r.body());
        }
        assertEquals(3, server.refusals().get("wrong_token").getAsLong());
        assertEquals(200, get(port, "/healthz", "Bearer nonsense").statusCode(), "liveness needs nothing");
        String line = warnings().get(0);
        assertTrue(line.contains("GET /api/v1/status") && line.contains("127.0.0.1") && line.contains("wrong admin token"),
                line);
        assertFalse(line.contains(TOKEN), line);
    }

    @Test
    void refusalsAreReportedOnceAMinuteWithTheNumberNotReported() throws Exception {
        int port = start(dir.resolve("admin.token"), false);
        for (int i = 0; i < 3; i++) {
            assertEquals(401, send(port, "POST", "/api/v1/nodes/b/drain", null, null).statusCode());
        }
        nanos.addAndGet(Duration.ofSeconds(59).toNanos());
        assertEquals(401, send(port, "POST", "/api/v1/nodes/b/drain", null, null).statusCode());
        assertEquals(1, refusalEvents().size(), "still within the minute");
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        assertEquals(401, send(port, "POST", "/api/v1/nodes/b/drain", null, null).statusCode());
        List<ClusterEvent> events = refusalEvents();
        assertEquals(2, events.size(), events.toString());
        assertTrue(events.get(1).message().endsWith("no admin token (3 more like this not logged)"),
                events.get(1).message());
        assertEquals(2, warnings().size(), warnings().toString());
        assertEquals(5, server.refusals().get("no_token").getAsLong(), "the counter counts every one");
    }

    @Test
    void aRefusedRequestsBodyIsNeverReadAndItsConnectionIsClosed() throws Exception {
        int port = start(dir.resolve("admin.token"), false);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            // announces 1 MiB and sends none of it: the refusal must not wait for the body
            out.write(("POST /api/v1/apply HTTP/1.1\r\nHost: x\r\nContent-Type: application/yaml\r\n"
                    + "Content-Length: 1048576\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8); // returns at EOF: closed
            assertTrue(reply.startsWith("HTTP/1.1 401"), reply);
            assertTrue(reply.contains("root's authority"), reply);
        }
        assertEquals(List.of(), backend.writes);
    }

    @Test
    void aWatchWithTheTokenReplacesTheOldestWatchWithoutIt() throws Exception {
        int port = start(AdminConfig.of("127.0.0.1", 0, dir.resolve("admin.token")).withWatchers(2, 60_000));
        String bearer = "Bearer " + Files.readString(dir.resolve("admin.token")).strip();
        List<HttpResponse<InputStream>> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                open.add(watch(port, null));
                assertEquals(200, open.get(i).statusCode());
            }
            assertEquals(503, get(port, "/api/v1/watch", null).statusCode(), "a user cannot take a third");
            open.add(watch(port, bearer));
            assertEquals(200, open.get(2).statusCode(), "root's watch is served");
            assertEnds(open.get(0), "the oldest user watch");
            open.add(watch(port, bearer));
            assertEquals(200, open.get(3).statusCode());
            assertEnds(open.get(1), "the other user watch");
            assertEquals(503, send(port, "GET", "/api/v1/watch", null, bearer).statusCode(),
                    "root's own watches are never replaced");
            assertEquals(2, server.rejections().get("watch_limit").getAsLong());
            assertEquals(2, server.rejections().get("watch_evicted").getAsLong());
        } finally {
            for (HttpResponse<InputStream> r : open) {
                r.body().close();
            }
        }
    }

    HttpResponse<InputStream> watch(int port, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/watch"));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() == 200) {
            assertTrue(r.body().read() >= 0, "the stream's first comment arrives");
        }
        return r;
    }

    /** The stream reaches its end within 5 s (read on another thread, so a stream that stays open fails). */
    static void assertEnds(HttpResponse<InputStream> r, String what) throws Exception {
        java.util.concurrent.CompletableFuture<Integer> end = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return r.body().readAllBytes().length;
            } catch (java.io.IOException e) {
                return -1; // closed under us: ended too
            }
        });
        try {
            end.get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(what + " is still open");
        }
    }

    @Test
    void aMissingTokenFileIsCreatedRootOnlyWithA256BitToken() throws Exception {
        Path f = dir.resolve("admin.token");
        start(f, false);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        String token = Files.readString(f);
        assertTrue(token.matches("[0-9a-f]{64}\n"), token);
        assertFalse(Files.exists(dir.resolve("admin.token.tmp")));
        AdminServerTest.await(server.stop());
        server = null;
        start(f, false);
        assertEquals(token, Files.readString(f), "an existing token is kept");
    }

    @Test
    void aTokenFileInADirectoryOthersMayWriteRefusesToStart() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> start(open.resolve("admin.token"), false));
        assertTrue(e.getCause().getMessage().contains("chmod go-w " + open), e.getCause().getMessage());
        assertFalse(Files.exists(open.resolve("admin.token")), "nothing created there");
    }

    @Test
    void groupReadableTokenFileRefusesToStart() throws Exception {
        Path f = tokenFile("rw-r-----", TOKEN);
        ExecutionException e = assertThrows(ExecutionException.class, () -> start(f, false));
        assertTrue(e.getCause().getMessage().contains("chmod 600"), e.getCause().getMessage());
    }

    @Test
    void shortTokenRefusesToStart() throws Exception {
        Path f = tokenFile("rw-------", "short");
        ExecutionException e = assertThrows(ExecutionException.class, () -> start(f, false));
        assertTrue(e.getCause().getMessage().contains("at least 16"), e.getCause().getMessage());
    }

    @Test
    void loopbackIsRecognisedWithoutDns() {
        assertTrue(AdminToken.isLoopback("127.0.0.1"));
        assertTrue(AdminToken.isLoopback("127.3.0.9"));
        assertTrue(AdminToken.isLoopback("::1"));
        assertTrue(AdminToken.isLoopback("[::1]"));
        assertTrue(AdminToken.isLoopback("localhost"));
        assertFalse(AdminToken.isLoopback("0.0.0.0"));
        assertFalse(AdminToken.isLoopback("::"));
        assertFalse(AdminToken.isLoopback("198.18.0.1"));
        assertFalse(AdminToken.isLoopback("admin.example"));
        Path f = Path.of("/var/lib/lcs/admin.token");
        assertTrue(AdminServer.readsNeedToken(AdminConfig.of("0.0.0.0", 9121, f)));
        assertFalse(AdminServer.readsNeedToken(AdminConfig.of("127.0.0.1", 9121, f)));
    }

    @Test
    void tokenComparisonRejectsPrefixesAndOtherSchemes() {
        AdminToken t = AdminToken.of(TOKEN);
        assertTrue(t.matches("Bearer " + TOKEN));
        assertFalse(t.matches("Bearer " + TOKEN.substring(1)));
        assertFalse(t.matches("Bearer"));
        assertFalse(t.matches(null));
        assertFalse(t.matches(TOKEN));
    }
}
