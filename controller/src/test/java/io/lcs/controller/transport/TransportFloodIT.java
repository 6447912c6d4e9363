package io.lcs.controller.transport;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;

import static io.lcs.controller.transport.TransportTestSupport.SECRET;
import static io.lcs.controller.transport.TransportTestSupport.await;
import static io.lcs.controller.transport.TransportTestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection flood on the peer port from an address that is no member's (127.0.0.50) while a
 * member restarts (issue 13, item 4: one global cap of pending handshakes counted strangers, kept
 * the member out for 30 s and wrote ~17,000 warnings in 45 s). Node a (127.0.0.1) dials node b
 * (127.0.0.2); the flood hits b.
 */
class TransportFloodIT {
    private static final String STRANGER = "127.0.0.50";
    /** The flood's bounds: connections opened, and time. */
    private static final int FLOOD_MAX_CONNECTIONS = 6_000;
    private static final long FLOOD_MAX_MILLIS = 30_000;
    /** Flood connections held open at once (more than any handshake limit of the node attacked). */
    private static final int FLOOD_HELD = 256;

    private Vertx vertx;
    private final List<PeerTransport> started = new ArrayList<>();
    private TransportLog log;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        log = new TransportLog();
    }

    @AfterEach
    void tearDown() throws Exception {
        log.close();
        for (PeerTransport t : started) {
            get(t.stop());
        }
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    /**
     * Opens connections from {@code localIp} to a port, a few thousand a second, on its own thread,
     * and keeps each one open and silent until the server closes it (as a flood of half-done
     * handshakes would), at most {@value #FLOOD_HELD} at once, within its bounds.
     */
    static final class Flood implements AutoCloseable {
        final AtomicLong opened = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Flood(String localIp, String host, int port) {
            thread = new Thread(() -> run(localIp, host, port), "test-flood");
            thread.setDaemon(true);
            thread.start();
        }

        private void run(String localIp, String host, int port) {
            List<SocketChannel> held = new ArrayList<>();
            ByteBuffer sink = ByteBuffer.allocate(64);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FLOOD_MAX_MILLIS);
            try {
                while (!stop.get() && opened.get() < FLOOD_MAX_CONNECTIONS && System.nanoTime() < deadline) {
                    // forget the connections the server closed; keep the others open
                    for (Iterator<SocketChannel> it = held.iterator(); it.hasNext(); ) {
                        SocketChannel c = it.next();
                        sink.clear();
                        int n;
                        try {
                            n = c.read(sink);
                        } catch (IOException reset) {
                            n = -1;
                        }
                        if (n < 0) {
                            c.close();
                            it.remove();
                        }
                    }
                    if (held.size() < FLOOD_HELD) {
                        SocketChannel c = SocketChannel.open();
                        try {
                            c.bind(new InetSocketAddress(InetAddress.getByName(localIp), 0));
                            c.socket().connect(new InetSocketAddress(host, port), 1_000);
                            c.configureBlocking(false);
                            opened.incrementAndGet();
                            held.add(c);
                        } catch (IOException e) {
                            failed.incrementAndGet();
                            c.close();
                        }
                    }
                    LockSupport.parkNanos(200_000); // a few thousand connections a second
                }
            } catch (IOException e) {
                failed.incrementAndGet();
            } finally {
                for (SocketChannel c : held) {
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // closing a test socket
                    }
                }
            }
        }

        @Override
        public void close() {
            stop.set(true);
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private TransportConfig config(PeerTransportIT.Node self, PeerTransportIT.Node other) {
        return new TransportConfig("test", self.name, self.configHash, self.ip, self.port,
                List.of(new PeerAddress(other.name, other.ip, other.port)), SECRET,
                TransportConfig.DEFAULT_MAX_FRAME_BYTES, TransportConfig.DEFAULT_HANDSHAKE_TIMEOUT,
                Duration.ofMillis(50), Duration.ofMillis(500));
    }

    private void start(PeerTransportIT.Node self, PeerTransportIT.Node other) throws Exception {
        self.listener = new RecordingListener();
        self.transport = TransportTestSupport.startRetryingBind(
                () -> new PeerTransport(vertx, config(self, other), self.listener), started);
    }

    private long warningsAbout(String ip) {
        return log.records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .filter(r -> String.valueOf(r.getMessage()).contains(ip)).count();
    }

    @Test
    void strangerFloodDoesNotDelayAMembersRejoin() throws Exception {
        PeerTransportIT.Node a = new PeerTransportIT.Node("a", "127.0.0.1", 1);
        PeerTransportIT.Node b = new PeerTransportIT.Node("b", "127.0.0.2", 2);
        start(b, a);
        start(a, b);
        await("a <-> b", () -> a.transport.isConnected("b") && b.transport.isConnected("a"));
        TransportStats sb = b.transport.stats();

        long floodStart = System.nanoTime();
        try (Flood flood = new Flood(STRANGER, b.ip, b.port)) {
            await("the flood is in full swing", () -> flood.opened.get() >= 500,
                    () -> flood.opened + " opened, " + flood.failed + " failed");

            get(a.transport.stop()); // a restarts while the flood goes on
            await("b sees a go", () -> !b.transport.isConnected("a"), () -> "" + b.listener.events);
            start(a, b);
            await("a rejoins b during the flood", () -> a.transport.isConnected("b") && b.transport.isConnected("a"),
                    () -> sb + ", flood " + flood.opened + " opened");
            long atRejoin = flood.opened.get();
            await("the flood goes on after the rejoin", () -> flood.opened.get() >= atRejoin + 200,
                    () -> flood.opened + " opened");
        }
        long floodSeconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - floodStart));

        // a's first connection after the restart was let in: nothing of a's was refused or timed out
        assertEquals(2, sb.connects("a"), "" + sb);
        assertEquals(0, sb.connectionsRejected(ConnectionRejectReason.SOURCE_LIMIT), "" + sb);
        assertEquals(0, sb.connectionsRejected(ConnectionRejectReason.HANDSHAKE_LIMIT), "" + sb);
        assertEquals(0, sb.rejectedTotal(), "strangers never got as far as a handshake: " + sb);
        // every stranger's connection was refused at accept, and counted
        assertTrue(sb.connectionsRejected(ConnectionRejectReason.NOT_A_MEMBER) >= 700, "" + sb);
        // one line per source per interval, plus the flush of the suppressed count
        long bound = 2 + 2 * (floodSeconds / PeerTransport.WARNING_INTERVAL.toSeconds() + 1);
        long lines = warningsAbout(STRANGER);
        assertTrue(lines >= 1 && lines <= bound, lines + " warning lines about " + STRANGER + " in " + floodSeconds
                + " s, bound " + bound);
        PeerTransportIT.exchange(a, b, "after-flood", 3);
    }
}
