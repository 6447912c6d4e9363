package io.lcs.controller.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.model.codec.LcsJson;
import io.lcs.model.config.ConsoleMode;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console on the admin API: its files (served without the token, with the security headers
 * and a strong ETag), lcs.conf {@code console} (off: no console; read-only: a browser's changes are
 * refused even with the token), and the cross-site wall in front of every change.
 */
class WebConsoleTest {
    static final String TOKEN = AdminAuthTest.TOKEN;
    @TempDir
    Path dir;
    Vertx vertx;
    AdminServer server;
    final FakeAdminBackend backend = new FakeAdminBackend();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    int port;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            AdminServerTest.await(server.stop());
        }
        AdminServerTest.await(vertx.close());
    }

    void start(ConsoleMode mode, boolean readsNeedToken) throws Exception {
        Path token = dir.resolve("admin.token");
        java.nio.file.Files.writeString(token, TOKEN + "\n");
        java.nio.file.Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        AdminConfig cfg = AdminConfig.of("127.0.0.1", 0, token).withRequireToken(readsNeedToken).withConsole(mode);
        server = new AdminServer(vertx, cfg, backend, new ModelManifestReader(), backend::record, new AtomicLong()::get);
        port = AdminServerTest.await(server.start());
    }

    HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void servesEveryFileWithSecurityHeadersAndAStrongEtag() throws Exception {
        start(ConsoleMode.ON, false);
        for (String file : WebConsole.FILES) {
            HttpResponse<String> r = send("GET", "/ui/" + file);
            assertEquals(200, r.statusCode(), file);
            assertTrue(r.body().length() > 100, file);
            assertTrue(header(r, "Content-Security-Policy").contains("script-src 'self'"), file);
            assertTrue(header(r, "Content-Security-Policy").contains("frame-ancestors 'none'"), file);
            assertEquals("DENY", header(r, "X-Frame-Options"), file);
            assertEquals("nosniff", header(r, "X-Content-Type-Options"), file);
            assertEquals("no-referrer", header(r, "Referrer-Policy"), file);
            String etag = header(r, "ETag");
            assertTrue(etag != null && etag.matches("\"[0-9a-f]{24}\""), file + ": " + etag);
            HttpResponse<String> again = send("GET", "/ui/" + file, "If-None-Match", etag);
            assertEquals(304, again.statusCode(), file + " revalidated");
            assertEquals("", again.body());
            assertEquals(200, send("GET", "/ui/" + file, "If-None-Match", "\"other\"").statusCode(), file);
        }
        HttpResponse<String> index = send("GET", "/ui/");
        assertTrue(header(index, "Content-Type").startsWith("text/html"), index.headers().toString());
        assertTrue(index.body().contains("<script type=\"module\" src=\"console.js\">"), index.body());
        assertTrue(header(send("GET", "/ui/console.js"), "Content-Type").startsWith("text/javascript"));
        HttpResponse<String> bare = send("GET", "/ui");
        assertEquals(301, bare.statusCode());
        assertEquals("/ui/", header(bare, "Location"));
        assertEquals(404, send("GET", "/ui/nothing.js").statusCode(), "no file outside the fixed list");
        assertEquals(404, send("GET", "/ui/%2e%2e%2fpom.xml").statusCode(), "no file outside the fixed list");
    }

    @Test
    void theFilesAreSmallAndNeedNothingFromElsewhere() throws Exception {
        start(ConsoleMode.ON, false);
        int total = 0;
        for (String file : WebConsole.FILES) {
            String body = send("GET", "/ui/" + file).body();
            total += body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            assertTrue(!body.contains("http://") && !body.contains("https://") || file.equals("icon.svg"),
                    file + " names another site");
            assertTrue(!body.contains("innerHTML"), file + " parses data as HTML");
        }
        assertTrue(total < 48 * 1024, "the console's files are " + total + " bytes: over the 48 KiB docs/console.md states");
    }

    @Test
    void consoleFilesAndSettingsNeedNoTokenEvenWhereReadsDo() throws Exception {
        start(ConsoleMode.ON, true);
        assertEquals(200, send("GET", "/ui/").statusCode());
        HttpResponse<String> settings = send("GET", "/ui/settings.json");
        assertEquals(200, settings.statusCode());
        JsonNode s = LcsJson.json().readTree(settings.body());
        assertEquals("on", s.get("mode").asText());
        assertTrue(s.get("readsNeedToken").asBoolean());
        assertEquals(dir.resolve("admin.token").toString(), s.get("tokenFile").asText());
        assertEquals(401, send("GET", "/api/v1/status").statusCode(), "the cluster's data still needs the token");
    }

    @Test
    void offServesNoConsoleAndRefusesABrowsersChanges() throws Exception {
        start(ConsoleMode.OFF, false);
        assertEquals(404, send("GET", "/ui/").statusCode());
        assertEquals(404, send("GET", "/ui/console.js").statusCode());
        HttpResponse<String> r = send("POST", "/api/v1/nodes/b/cordon", "Authorization", "Bearer " + TOKEN,
                "Origin", "http://127.0.0.1:" + port);
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("the web console is off (lcs.conf [cluster] console = off)"), r.body());
        assertEquals(List.of(), backend.nodeActions);
    }

    @Test
    void readOnlyRefusesABrowsersChangesEvenWithTheTokenButNotTheClis() throws Exception {
        start(ConsoleMode.READ_ONLY, false);
        assertEquals(200, send("GET", "/ui/").statusCode());
        assertEquals("read-only", LcsJson.json().readTree(send("GET", "/ui/settings.json").body()).get("mode").asText());
        for (String[] browser : List.of(new String[] {"Origin", "http://127.0.0.1:" + port},
                new String[] {"Sec-Fetch-Site", "same-origin"})) {
            HttpResponse<String> r = send("POST", "/api/v1/nodes/b/cordon", "Authorization", "Bearer " + TOKEN,
                    browser[0], browser[1]);
            assertEquals(403, r.statusCode(), r.body());
            JsonNode body = LcsJson.json().readTree(r.body());
            assertEquals("FORBIDDEN", body.get("code").asText());
            assertTrue(body.get("message").asText().startsWith("the web console is read-only (lcs.conf [cluster] console"
                    + " = read-only): changes from a browser are refused"), r.body());
            assertNull(header(r, "WWW-Authenticate"), "not a token problem");
        }
        assertEquals(List.of(), backend.nodeActions);
        assertEquals(2, server.refusals().get("console_read_only").getAsLong());
        assertEquals(200, send("POST", "/api/v1/nodes/b/cordon", "Authorization", "Bearer " + TOKEN).statusCode(),
                "lcs sends neither header");
        assertEquals(1, backend.nodeActions.size());
    }

    @Test
    void aChangeFromAnotherSitesPageIsRefusedWithTheTokenAndSaysWhy() throws Exception {
        start(ConsoleMode.ON, false);
        for (String[] foreign : List.of(new String[] {"Origin", "http://198.18.0.99:" + port},
                new String[] {"Origin", "null"}, new String[] {"Origin", "http://127.0.0.1:1"},
                new String[] {"Sec-Fetch-Site", "cross-site"}, new String[] {"Sec-Fetch-Site", "same-site"})) {
            HttpResponse<String> r = send("POST", "/api/v1/vips/web/move", "Authorization", "Bearer " + TOKEN,
                    foreign[0], foreign[1]);
            assertEquals(403, r.statusCode(), foreign[1] + ": " + r.body());
            assertTrue(r.body().contains("refused a change sent from another site's page (" + foreign[0] + " "
                    + foreign[1] + ", this API is 127.0.0.1:" + port + ")"), r.body());
        }
        assertEquals(5, server.refusals().get("cross_site").getAsLong());
        assertTrue(backend.events.stream().anyMatch(e -> e.type().equals(AdminEvents.REQUEST_REFUSED)
                && e.message().contains("sent from another site's page")), backend.events.toString());
        assertEquals(List.of(), backend.writes);
        // the console's own page: same origin, with the token
        HttpResponse<String> own = send("POST", "/api/v1/nodes/b/cordon", "Authorization", "Bearer " + TOKEN,
                "Origin", "http://127.0.0.1:" + port, "Sec-Fetch-Site", "same-origin");
        assertEquals(200, own.statusCode(), own.body());
        assertEquals(List.of("cordon b"), backend.nodeActions);
        // and without it: the token's refusal, which the page shows
        HttpResponse<String> noToken = send("POST", "/api/v1/nodes/b/drain", "Origin", "http://127.0.0.1:" + port);
        assertEquals(401, noToken.statusCode());
        assertTrue(noToken.body().contains("changing the cluster needs root's authority on this node"), noToken.body());
    }

    @Test
    void readsFromAnotherSitesPageGetNoCorsHeader() throws Exception {
        start(ConsoleMode.ON, false);
        HttpResponse<String> r = send("GET", "/api/v1/status", "Origin", "http://198.18.0.99");
        assertEquals(200, r.statusCode(), "a GET changes nothing; the browser keeps its answer from another site's"
                + " page (no CORS header)");
        assertNull(header(r, "Access-Control-Allow-Origin"));
    }
}
