package io.lcs.controller.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP edge: only GET /metrics, content negotiation, errors, and the cost of a scrape. */
class MetricsServerTest {

    private MetricsFixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = new MetricsFixture();
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void onlyGetMetricsIsServedEverythingElseIs404() throws Exception {
        assertEquals(200, fixture.get("/metrics", "GET", null).statusCode());
        assertEquals(200, fixture.get("/metrics?name[]=x", "GET", null).statusCode());
        for (String path : new String[] {"/", "/metric", "/metrics/x", "/api/v1/status"}) {
            assertEquals(404, fixture.get(path, "GET", null).statusCode(), path);
        }
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
            assertEquals(404, fixture.get("/metrics", method, null).statusCode(), method);
        }
    }

    @Test
    void aScrapeIsServedDuringAFloodOfHalfOpenConnectionsAndTheyAreCounted() throws Exception {
        int flood = 3 * io.lcs.controller.http.HttpLimits.METRICS_MAX_CONNECTIONS;
        java.util.List<java.net.Socket> sockets = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < flood; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", fixture.port);
                sockets.add(s);
                s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (fixture.server.rejections().get("evicted").getAsLong() < flood - io.lcs.controller.http.HttpLimits.METRICS_MAX_CONNECTIONS
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(fixture.server.openConnections() <= io.lcs.controller.http.HttpLimits.METRICS_MAX_CONNECTIONS,
                    "open: " + fixture.server.openConnections());
            HttpResponse<String> r = fixture.get("/metrics", "GET", null);
            assertEquals(200, r.statusCode());
            assertTrue(fixture.server.rejections().get("evicted").getAsLong()
                    >= flood - io.lcs.controller.http.HttpLimits.METRICS_MAX_CONNECTIONS);
        } finally {
            for (java.net.Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void aRequestWithABodyIs413AndItsConnectionClosed() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", fixture.port)) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertTrue(reply.startsWith("HTTP/1.1 413"), reply);
        }
        assertEquals(1, fixture.server.rejections().get("body_too_large").getAsLong());
    }

    @Test
    void openMetricsIsServedWhenAsked() throws Exception {
        HttpResponse<String> r = fixture.get("/metrics", "GET",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        assertEquals(200, r.statusCode());
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8",
                r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
        assertTrue(r.body().contains("# TYPE lcs_vip_failovers counter\n"), "OpenMetrics names the counter family without _total");
        assertTrue(r.body().contains("\nlcs_vip_failovers_total{cluster=\"ingress\",vip=\"vip1\"} 1.0\n"));
        assertTrue(r.body().contains("# TYPE lcs_build info\n"));

        HttpResponse<String> plain = fixture.get("/metrics", "GET", "text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        assertEquals("text/plain; version=0.0.4; charset=utf-8", plain.headers().firstValue("Content-Type").orElse(""));
        PrometheusTextParser.parse(plain.body());
    }

    @Test
    void aFailingStatusSourceGives500WithTheReason() throws Exception {
        fixture.status.set(null);
        HttpResponse<String> r = fixture.get("/metrics", "GET", null);
        assertEquals(500, r.statusCode());
        assertTrue(r.body().contains("status supplier returned null"), r.body());
        fixture.status.set(MetricsFixture.threeNodesTwoVips());
        assertEquals(200, fixture.get("/metrics", "GET", null).statusCode(), "recovers on the next scrape");
    }

    @Test
    void aTakenPortFailsStartWithTheAddress() throws Exception {
        MetricsServer second = new MetricsServer(fixture.vertx, "127.0.0.1", fixture.port, fixture.metrics);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> second.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("127.0.0.1:" + fixture.port), e.getCause().getMessage());
    }

    @Test
    void badPortIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MetricsServer(fixture.vertx, "127.0.0.1", 70000, fixture.metrics));
    }

    @Test
    void theScrapeAndItsStatusSnapshotRunOffTheEventLoop() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>();
        LcsMetrics metrics = new LcsMetrics("c", "v", () -> {
            seen.set((io.vertx.core.Context.isOnEventLoopThread() ? "event-loop " : "")
                    + (io.vertx.core.Context.isOnWorkerThread() ? "worker" : ""));
            return MetricsFixture.threeNodesTwoVips();
        });
        MetricsServer server = new MetricsServer(fixture.vertx, "127.0.0.1", 0, metrics);
        int port = server.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            HttpResponse<String> r = fixture.http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("worker", seen.get());
        } finally {
            server.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void scrapesBeyondTheInFlightLimitGet503() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean gated = new java.util.concurrent.atomic.AtomicBoolean(false);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        LcsMetrics metrics = new LcsMetrics("c", "v", () -> {
            if (gated.get()) {
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return MetricsFixture.threeNodesTwoVips();
        });
        gated.set(true);
        MetricsServer server = new MetricsServer(fixture.vertx, "127.0.0.1", 0, metrics);
        int port = server.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(java.time.Duration.ofSeconds(20)).build();
        try {
            // MAX + 2 scrapes at once: whichever arrive first are admitted and stuck on the gate, the last
            // two to arrive must be refused at once.
            java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> all = new java.util.ArrayList<>();
            for (int i = 0; i < MetricsServer.MAX_SCRAPES_IN_FLIGHT + 2; i++) {
                all.add(fixture.http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (all.stream().filter(java.util.concurrent.CompletableFuture::isDone).count() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            release.countDown();
            java.util.Map<Integer, Long> statuses = new java.util.TreeMap<>();
            for (var f : all) {
                statuses.merge(f.get(20, TimeUnit.SECONDS).statusCode(), 1L, Long::sum);
            }
            assertEquals(java.util.Map.of(200, (long) MetricsServer.MAX_SCRAPES_IN_FLIGHT, 503, 2L), statuses);
            gated.set(false);
            assertEquals(200, fixture.http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode(),
                    "the slots are given back");
        } finally {
            release.countDown();
            server.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void stopClosesTheListener() throws Exception {
        fixture.server.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThrows(java.io.IOException.class, () -> fixture.get("/metrics", "GET", null));
    }
}
