package io.lcs.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A canned admin API on 127.0.0.1 (JDK HttpServer): each "METHOD /path?query" answers its queued
 * replies in order, repeating the last; anything else is a 404 in the API's error shape.
 */
final class FakeAdminServer implements AutoCloseable {
    record Reply(int status, String contentType, String body) {
    }

    record Request(String method, String uri, String contentType, String authorization, String body) {
    }

    final HttpServer server;
    final Map<String, Deque<Reply>> routes = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();

    FakeAdminServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    FakeAdminServer on(String methodAndUri, int status, String json) {
        routes.computeIfAbsent(methodAndUri, k -> new ArrayDeque<>()).add(new Reply(status, "application/json", json));
        return this;
    }

    FakeAdminServer sse(String methodAndUri, String stream) {
        routes.computeIfAbsent(methodAndUri, k -> new ArrayDeque<>()).add(new Reply(200, "text/event-stream", stream));
        return this;
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String uri = ex.getRequestURI().toString();
        requests.add(new Request(ex.getRequestMethod(), uri, ex.getRequestHeaders().getFirst("Content-Type"),
                ex.getRequestHeaders().getFirst("Authorization"), body));
        Deque<Reply> q = routes.get(ex.getRequestMethod() + " " + uri);
        if (q == null && ex.getRequestURI().getRawQuery() != null) { // a route without query matches any query
            q = routes.get(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath());
        }
        Reply r;
        if (q == null || q.isEmpty()) {
            r = new Reply(404, "application/json", "{\"code\":\"NOT_FOUND\",\"message\":\"no such endpoint: "
                    + ex.getRequestMethod() + " " + uri + "\"}");
        } else {
            synchronized (q) {
                r = q.size() > 1 ? q.poll() : q.peek();
            }
        }
        byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", r.contentType());
        ex.sendResponseHeaders(r.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
