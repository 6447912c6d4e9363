package io.lcs.controller.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.controller.http.ConnectionGuard.Reason;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guard on a real Vert.x server over loopback, driven with raw sockets: half-open connections
 * (request headers without the final CRLF) beyond the caps, the header timeout, requests in
 * progress that must not be evicted, and declared bodies over the limit.
 */
class ConnectionGuardTest {
    static final byte[] HALF_OPEN = "GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] FULL = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    Vertx vertx;
    HttpServer server;
    ConnectionGuard guard;
    int port;
    /** Requests whose path is /hold are answered only when the test says so. */
    final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
    final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            await(server.close());
        }
        await(vertx.close());
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    void start(HttpLimits limits) throws Exception {
        start(limits, ConnectionGuard::sourceOf);
    }

    /** With {@code sources}: the per-source rule, with loopback addresses standing in for remote hosts. */
    void start(HttpLimits limits, java.util.function.Function<SocketAddress, String> sources) throws Exception {
        guard = new ConnectionGuard(vertx, limits, System::nanoTime, sources);
        server = guard.install(vertx.createHttpServer(guard.options(new HttpServerOptions())), req -> {
            if (req.path().equals("/hold")) {
                held.add(req);
            } else {
                req.response().end("ok");
            }
        }, (req, status, message) -> req.response().setStatusCode(status).end(message));
        port = await(server.listen(0, "127.0.0.1")).actualPort();
    }

    static HttpLimits limits(int total, int perSource, long headerTimeoutMillis) {
        return new HttpLimits("test", total, perSource, headerTimeoutMillis, 60, 1024);
    }

    Socket connect(String fromIp, byte[] send) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress(fromIp, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        s.setSoTimeout(5_000);
        s.getOutputStream().write(send);
        s.getOutputStream().flush();
        return s;
    }

    /** Sends a complete GET on a new connection and returns the status line; bounded by the socket timeout. */
    String request(String fromIp) throws IOException {
        try (Socket s = connect(fromIp, FULL)) {
            byte[] buf = new byte[256];
            int n = s.getInputStream().read(buf);
            return n <= 0 ? "(closed)" : new String(buf, 0, n, StandardCharsets.US_ASCII).lines().findFirst().orElse("");
        }
    }

    /** True once the server closed {@code s} (EOF or reset), false if it is still open after {@code millis}. */
    static boolean closedByServer(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        InputStream in = s.getInputStream();
        try {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /** Polls (every 10 ms, at most 5 s) until the guard's event loop has caught up with what the sockets did. */
    void awaitOpen(int expected) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (guard.openConnections() != expected && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(expected, guard.openConnections());
    }

    @Test
    void aRequestIsServedPromptlyDuringAFloodOfHalfOpenConnectionsFromTheSameSource() throws Exception {
        start(limits(8, 8, 60_000));
        List<Socket> flood = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            flood.add(connect("127.0.0.1", HALF_OPEN));
        }
        awaitOpen(8);
        long t0 = System.nanoTime();
        assertEquals("HTTP/1.1 200 OK", request("127.0.0.1"));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(millis < 2_000, "served in " + millis + " ms");
        // the oldest half-open ones made room, the newest are still there; nothing was refused
        assertTrue(closedByServer(flood.get(0), 2_000), "the oldest half-open connection was closed");
        assertTrue(!closedByServer(flood.get(39), 200), "the newest is still open");
        assertEquals(33, guard.rejected(Reason.EVICTED), "32 of the flood and one for the request");
        assertEquals(0, guard.rejected(Reason.CONNECTION_LIMIT));
        assertTrue(guard.openConnections() <= 8);
    }

    @Test
    void aSourceOverItsShareEvictsItsOwnOldestNotAnotherSources() throws Exception {
        // 127.0.0.2 and 127.0.0.3 stand for two remote hosts (every loopback client is one source)
        start(limits(8, 3, 60_000), a -> "host-" + a.hostAddress());
        List<Socket> mine = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            mine.add(connect("127.0.0.2", HALF_OPEN));
        }
        Socket other = connect("127.0.0.3", HALF_OPEN);
        awaitOpen(4);
        Socket fourth = connect("127.0.0.2", HALF_OPEN);
        assertTrue(closedByServer(mine.get(0), 2_000), "127.0.0.2's oldest was closed");
        assertTrue(!closedByServer(other, 200), "127.0.0.3's connection was left alone");
        assertTrue(!closedByServer(fourth, 200), "the newcomer took the slot");
        assertEquals(1, guard.rejected(Reason.EVICTED));
    }

    @Test
    void aNewcomerIsClosedWhenEveryConnectionHasARequestInProgress() throws Exception {
        start(limits(2, 2, 60_000));
        Socket a = connect("127.0.0.1", "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        Socket b = connect("127.0.0.1", "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (held.size() < 2 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(2, held.size());
        Socket c = connect("127.0.0.1", FULL);
        assertTrue(closedByServer(c, 2_000), "no room: the newcomer is closed");
        assertEquals(1, guard.rejected(Reason.CONNECTION_LIMIT), "the table was full");
        assertEquals(0, guard.rejected(Reason.EVICTED), "requests in progress are never evicted");
        held.forEach(r -> r.response().end("done"));
        assertTrue(new String(a.getInputStream().readNBytes(12), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"));
        assertTrue(new String(b.getInputStream().readNBytes(12), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"));
        // answered and seen idle by a sweep (at most 1 s later), they are idle keep-alive connections:
        // a newcomer may replace one. Until the sweep saw them, a newcomer finds no room: ask until one
        // is served (bounded), then exactly one connection was evicted for it.
        String answer = "(none)";
        for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                !answer.equals("HTTP/1.1 200 OK") && System.nanoTime() < until; ) {
            long limitBefore = guard.rejected(Reason.CONNECTION_LIMIT);
            try {
                answer = request("127.0.0.1");
            } catch (IOException e) {
                answer = "(" + e + ")";
            }
            if (!answer.equals("HTTP/1.1 200 OK")) {
                assertEquals(limitBefore + 1, guard.rejected(Reason.CONNECTION_LIMIT), "refused for want of room: "
                        + answer);
                Thread.sleep(50);
            }
        }
        assertEquals("HTTP/1.1 200 OK", answer);
        assertEquals(1, guard.rejected(Reason.EVICTED));
    }

    @Test
    void theHeaderTimeoutClosesHalfOpenAndIdleKeepAliveConnections() throws Exception {
        start(limits(8, 8, 300));
        Socket halfOpen = connect("127.0.0.1", HALF_OPEN);
        Socket keepAlive = connect("127.0.0.1", FULL);
        byte[] head = keepAlive.getInputStream().readNBytes(12);
        assertEquals("HTTP/1.1 200", new String(head, StandardCharsets.US_ASCII));
        long t0 = System.nanoTime();
        assertTrue(closedByServer(halfOpen, 3_000), "half-open connection closed");
        assertTrue(closedByServer(keepAlive, 3_000), "idle keep-alive connection closed");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(millis < 2_000, "closed after " + millis + " ms");
        assertEquals(2, guard.rejected(Reason.HEADER_TIMEOUT));
        awaitOpen(0);
        assertEquals("HTTP/1.1 200 OK", request("127.0.0.1"), "the server still serves");
    }

    @Test
    void aDeclaredBodyOverTheLimitIs413BeforeItIsSentAndTheConnectionCloses() throws Exception {
        start(limits(8, 8, 60_000));
        Socket s = connect("127.0.0.1", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII); // to EOF: closed
        assertTrue(reply.startsWith("HTTP/1.1 413"), reply);
        assertTrue(reply.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), reply);
        assertTrue(reply.contains("request body larger than 1024 bytes"), reply);
        assertEquals(1, guard.rejected(Reason.BODY_TOO_LARGE));
        assertEquals(1, guard.rejected(Reason.LINGER_CUT), "closed after waiting 2 s for a body that never came");
        Socket ok = connect("127.0.0.1", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                .getBytes(StandardCharsets.US_ASCII));
        assertEquals("HTTP/1.1 200", new String(ok.getInputStream().readNBytes(12), StandardCharsets.US_ASCII));
    }

    /** A lingering close: the client sends the refused body, reads the 413, and then the connection closes. */
    @Test
    void aClientSendingARefusedBodyReadsThe413AndTheConnectionClosesAfterTheBody() throws Exception {
        start(limits(8, 8, 60_000));
        Socket s = connect("127.0.0.1", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        Thread.sleep(100); // the 413 is out before the body
        s.getOutputStream().write(new byte[300_000]); // a closed connection would reset: "Broken pipe"
        String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII); // to EOF: closed
        assertTrue(reply.startsWith("HTTP/1.1 413"), reply);
        assertEquals(1, guard.rejected(Reason.BODY_TOO_LARGE));
        assertEquals(0, guard.rejected(Reason.LINGER_CUT));
    }

    /** The linger is bounded in bytes: a client that goes on sending past LINGER_BYTES is cut off. */
    @Test
    void aRefusedBodyPastTheLingerBoundIsCutOffAndCounted() throws Exception {
        start(limits(8, 8, 60_000));
        long declared = 4 * ConnectionGuard.LINGER_BYTES;
        Socket s = connect("127.0.0.1", ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + declared + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = new byte[64 * 1024];
        long sent = 0;
        boolean cut = false;
        try {
            while (sent < declared) {
                s.getOutputStream().write(chunk);
                sent += chunk.length;
            }
        } catch (IOException e) {
            cut = true; // reset by the server once past the bound
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (guard.rejected(Reason.LINGER_CUT) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, guard.rejected(Reason.LINGER_CUT), "sent " + sent + " bytes, reset: " + cut);
        assertTrue(cut || sent >= declared, "the client was cut off or sent it all into the kernel's buffers");
    }

    @Test
    void aSourceIsAnIpv4AddressOrAnIpv6Slash64AndEveryLoopbackClientIsOne() {
        assertEquals("loopback", ConnectionGuard.sourceOf(SocketAddress.inetSocketAddress(1, "127.0.0.1")));
        assertEquals("loopback", ConnectionGuard.sourceOf(SocketAddress.inetSocketAddress(1, "127.9.8.7")));
        assertEquals("loopback", ConnectionGuard.sourceOf(SocketAddress.inetSocketAddress(1, "::1")));
        assertEquals("198.18.0.7", ConnectionGuard.sourceOf(SocketAddress.inetSocketAddress(1, "198.18.0.7")));
        assertEquals("2001:db8:1:2:0:0:0:0/64",
                ConnectionGuard.sourceOf(SocketAddress.inetSocketAddress(1, "2001:db8:1:2:aaaa::1")));
        assertEquals(ConnectionGuard.sourceOf(SocketAddress.inetSocketAddress(1, "2001:db8:1:2::5")),
                ConnectionGuard.sourceOf(SocketAddress.inetSocketAddress(1, "2001:db8:1:2:ffff::9")));
        assertEquals("198.18.0.7", ConnectionGuard.sourceOf(SocketAddress.inetSocketAddress(1, "::ffff:198.18.0.7")));
    }

    @Test
    void limitsAreCheckedWhenMade() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new HttpLimits("x", 4, 5, 1000, 60, 0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new HttpLimits("x", 4, 4, 0, 60, 0));
    }
}
