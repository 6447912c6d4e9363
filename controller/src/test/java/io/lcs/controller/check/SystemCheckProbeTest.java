package io.lcs.controller.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.lcs.model.config.CheckConfig;
import io.lcs.reconcilers.hook.HookResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real probes against loopback listeners, a fake sysfs and a recording exec runner. */
class SystemCheckProbeTest {
    static CheckConfig check(CheckConfig.Type type, String url, int expect, List<String> command, String host, int port,
                             String ifname) {
        return new CheckConfig("c", type, url, expect, command, host, port, ifname, 1000, 500, 3, 2, 0, 0);
    }

    @TempDir
    Path sys;

    private final AtomicReference<io.lcs.reconcilers.hook.HookInvocation> ran = new AtomicReference<>();
    private final SystemCheckProbe probe = new SystemCheckProbe(inv -> {
        ran.set(inv);
        return new HookResult(inv.args().contains("--fail") ? 2 : 0, false, Duration.ofMillis(3),
                "line 1\nline 2\nreplica lag 30 s\n");
    }, "c1", "a", null);

    @Test
    void tcpPassesWhenSomethingListensAndFailsWhenRefused() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CheckOutcome up = probe.run(check(CheckConfig.Type.TCP, null, 0, List.of(), "127.0.0.1", server.getLocalPort(), null));
            assertTrue(up.passed(), up.message());
            int port = server.getLocalPort();
            server.close();
            CheckOutcome down = probe.run(check(CheckConfig.Type.TCP, null, 0, List.of(), "127.0.0.1", port, null));
            assertFalse(down.passed());
            assertTrue(down.message().toLowerCase().contains("refused"), down.message());
        }
    }

    @Test
    void httpPassesOn2xxOrTheExpectedStatusOnly() throws Exception {
        AtomicInteger code = new AtomicInteger(200);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.createContext("/healthz", ex -> {
            ex.sendResponseHeaders(code.get(), -1);
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/healthz";
            assertTrue(probe.run(check(CheckConfig.Type.HTTP, url, 0, List.of(), null, 0, null)).passed());
            code.set(503);
            CheckOutcome bad = probe.run(check(CheckConfig.Type.HTTP, url, 0, List.of(), null, 0, null));
            assertFalse(bad.passed());
            assertEquals("HTTP 503, expected 2xx", bad.message());
            assertTrue(probe.run(check(CheckConfig.Type.HTTP, url, 503, List.of(), null, 0, null)).passed(),
                    "expect_status = 503 passes on 503");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void httpThatNeverAnswersFailsWithinTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            CheckOutcome o = probe.run(check(CheckConfig.Type.HTTP, "http://127.0.0.1:" + silent.getLocalPort() + "/",
                    0, List.of(), null, 0, null));
            assertFalse(o.passed());
            assertEquals("no answer within 500 ms", o.message());
            assertTrue(System.nanoTime() - start < 2_000_000_000L);
        }
    }

    @Test
    void aServerTricklingItsAnswerIsCutAtTheTimeout() throws Exception {
        try (ServerSocket trickler = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (java.net.Socket client = trickler.accept()) {
                    byte[] answer = ("HTTP/1.1 200 OK\r\nX-Padding: " + "x".repeat(400) + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII);
                    for (byte b : answer) { // a byte every 50 ms: 20 s for the headers, each read well in time
                        client.getOutputStream().write(b);
                        client.getOutputStream().flush();
                        Thread.sleep(50);
                    }
                } catch (IOException | InterruptedException e) {
                    // the probe hung up: what this test wants
                }
            }, "trickler");
            server.setDaemon(true);
            server.start();
            long start = System.nanoTime();
            CheckOutcome o = probe.run(check(CheckConfig.Type.HTTP, "http://127.0.0.1:" + trickler.getLocalPort() + "/",
                    0, List.of(), null, 0, null));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertFalse(o.passed(), o.message());
            assertTrue(tookMs < 5_000, "cut at the 500 ms timeout, not when the headers end (20 s): " + tookMs + " ms, "
                    + o.message());
            server.interrupt();
        }
    }

    @Test
    void aBodyTrickledByteByByteIsCutAtTheDeadline() {
        java.io.InputStream trickle = new java.io.InputStream() { // a byte every 10 ms: 64 KiB would take 11 min
            @Override
            public int read() throws java.io.IOException {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                b[off] = (byte) read();
                return 1;
            }
        };
        long deadline = System.nanoTime() + 200_000_000L;
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () ->
                org.junit.jupiter.api.Assertions.assertThrows(java.net.SocketTimeoutException.class,
                        () -> SystemCheckProbe.drain(trickle, deadline)));
    }

    @Test
    void execRunsTheCommandWithItsArgumentsAndKeepsTheLastOutputLine() throws Exception {
        CheckOutcome ok = probe.run(check(CheckConfig.Type.EXEC, null, 0, List.of("/etc/lcs/checks/db", "-q"), null, 0,
                null));
        assertTrue(ok.passed());
        assertEquals(Path.of("/etc/lcs/checks/db"), ran.get().program());
        assertEquals(List.of("-q"), ran.get().args());
        assertEquals("c", ran.get().env().get("LCS_CHECK"));
        assertEquals(Duration.ofMillis(500), ran.get().timeout());
        CheckOutcome bad = probe.run(check(CheckConfig.Type.EXEC, null, 0, List.of("/x", "--fail"), null, 0, null));
        assertFalse(bad.passed());
        assertEquals("exit 2: replica lag 30 s", bad.message());
        assertEquals("line 1\nline 2\nreplica lag 30 s", bad.output());
    }

    @Test
    void interfaceNeedsUpAndCarrier() throws Exception {
        SystemCheckProbe p = new SystemCheckProbe(inv -> null, "c1", "a", sys);
        Files.createDirectories(sys.resolve("eth0"));
        Files.writeString(sys.resolve("eth0/flags"), "0x1003\n");
        Files.writeString(sys.resolve("eth0/carrier"), "1\n");
        CheckConfig eth0 = check(CheckConfig.Type.INTERFACE, null, 0, List.of(), null, 0, "eth0");
        assertTrue(p.run(eth0).passed());
        Files.writeString(sys.resolve("eth0/carrier"), "0\n");
        assertEquals("link eth0 has no carrier", p.run(eth0).message());
        Files.writeString(sys.resolve("eth0/flags"), "0x1002\n");
        assertEquals("link eth0 is down", p.run(eth0).message());
        assertEquals("no interface eth1 on this node",
                p.run(check(CheckConfig.Type.INTERFACE, null, 0, List.of(), null, 0, "eth1")).message());
    }
}
