package io.lcs.controller.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bearer-token rule, with {@code requireToken=true} standing in for a non-loopback bind. */
class AdminAuthTest {
    static final String TOKEN = "0123456789abcdef0123456789abcdef";
    @TempDir
    Path dir;
    Vertx vertx;
    AdminServer server;
    final HttpClient http = HttpClient.newHttpClient();
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

    int start(Path tokenFile) throws Exception {
        server = new AdminServer(vertx, AdminConfig.of("127.0.0.1", 0, tokenFile).withRequireToken(true),
                new FakeAdminBackend());
        return AdminServerTest.await(server.start());
    }

    HttpResponse<String> get(int port, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void requestsWithoutTheRightTokenAre401AndLoggedOnce() throws Exception {
        int port = start(tokenFile("rw-------", TOKEN + "\n"));
        HttpResponse<String> missing = get(port, "/api/v1/status", null);
        assertEquals(401, missing.statusCode());
        assertTrue(missing.body().contains("\"code\":\"UNAUTHORIZED\""), missing.body());
        assertEquals(401, get(port, "/api/v1/status", "Bearer " + TOKEN + "x").statusCode());
        assertEquals(401, get(port, "/api/v1/status", "Basic " + TOKEN).statusCode());
        List<LogRecord> warnings = logged.stream().filter(r -> r.getLevel() == Level.WARNING).toList();
        assertEquals(3, warnings.size(), "one line per rejected request");
        String first = java.text.MessageFormat.format(warnings.get(0).getMessage(), warnings.get(0).getParameters());
        assertTrue(first.contains("127.0.0.1") && first.contains("/api/v1/status") && first.contains("missing"), first);
        assertFalse(first.contains(TOKEN));
    }

    @Test
    void theRightTokenIsAccepted() throws Exception {
        int port = start(tokenFile("r--------", TOKEN));
        assertEquals(200, get(port, "/api/v1/status", "Bearer " + TOKEN).statusCode());
        assertEquals(200, get(port, "/api/v1/status", "bearer " + TOKEN).statusCode());
    }

    @Test
    void healthzNeedsNoTokenButReadyzDoes() throws Exception {
        int port = start(tokenFile("rw-------", TOKEN));
        assertEquals(200, get(port, "/healthz", null).statusCode());
        assertEquals(401, get(port, "/readyz", null).statusCode());
    }

    @Test
    void requiredTokenWithoutTokenFileRefusesToStart() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> start(null));
        assertTrue(e.getCause().getMessage().contains("admin_token_file"), e.getCause().getMessage());
    }

    @Test
    void groupReadableTokenFileRefusesToStart() throws Exception {
        Path f = tokenFile("rw-r-----", TOKEN);
        ExecutionException e = assertThrows(ExecutionException.class, () -> start(f));
        assertTrue(e.getCause().getMessage().contains("chmod 600"), e.getCause().getMessage());
    }

    @Test
    void shortTokenRefusesToStart() throws Exception {
        Path f = tokenFile("rw-------", "short");
        ExecutionException e = assertThrows(ExecutionException.class, () -> start(f));
        assertTrue(e.getCause().getMessage().contains("at least 16"), e.getCause().getMessage());
    }

    @Test
    void missingTokenFileRefusesToStart() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> start(dir.resolve("none")));
        assertTrue(e.getCause().getMessage().contains("does not exist"), e.getCause().getMessage());
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
        assertTrue(AdminServer.tokenRequired(AdminConfig.of("0.0.0.0", 9121, null)));
        assertFalse(AdminServer.tokenRequired(AdminConfig.of("127.0.0.1", 9121, null)));
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
