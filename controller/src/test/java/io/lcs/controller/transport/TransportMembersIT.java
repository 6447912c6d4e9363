package io.lcs.controller.transport;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static io.lcs.controller.transport.TransportTestSupport.SECRET;
import static io.lcs.controller.transport.TransportTestSupport.await;
import static io.lcs.controller.transport.TransportTestSupport.freePort;
import static io.lcs.controller.transport.TransportTestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may connect when members are configured by host name: n1 (127.0.0.1) lists n0 as
 * {@code n0.test}, resolved by a test resolver the test changes, and n2 at 127.0.0.2. The test plays
 * n0 from raw sockets (n0 &lt; n1, so n0 dials).
 */
class TransportMembersIT {
    private static final String N0_HOST = "n0.test";
    private static final long HANDSHAKE_MILLIS = 500;
    /** For tests whose silent connections must outlive the time it takes to open them all. */
    private static final long SLOW_HANDSHAKE_MILLIS = 20_000;

    private Vertx vertx;
    private PeerTransport n1;
    private int port;
    /** What the test resolver answers per host name; absent = "does not resolve". */
    private final Map<String, InetAddress[]> dns = new ConcurrentHashMap<>();
    private TransportLog log;

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        log = new TransportLog();
        port = freePort("127.0.0.1");
    }

    @AfterEach
    void tearDown() throws Exception {
        log.close();
        if (n1 != null) {
            get(n1.stop());
        }
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private void startN1() throws Exception {
        startN1(HANDSHAKE_MILLIS);
    }

    private void startN1(long handshakeMillis) throws Exception {
        TransportConfig config = new TransportConfig("test", "n1", 11, "127.0.0.1", port,
                List.of(new PeerAddress("n0", N0_HOST, 1), new PeerAddress("n2", "127.0.0.2", 1)), SECRET,
                TransportConfig.DEFAULT_MAX_FRAME_BYTES, Duration.ofMillis(handshakeMillis), Duration.ofMillis(50),
                Duration.ofMillis(500));
        n1 = new PeerTransport(vertx, config, new RecordingListener(), host -> {
            InetAddress[] found = dns.get(host);
            if (found == null) {
                throw new UnknownHostException(host + ": Name or service not known");
            }
            return found;
        });
        get(n1.start());
    }

    private static InetAddress[] ips(String... literals) throws UnknownHostException {
        InetAddress[] out = new InetAddress[literals.length];
        for (int i = 0; i < literals.length; i++) {
            out[i] = InetAddress.getByName(literals[i]);
        }
        return out;
    }

    private long connectionsRejected(ConnectionRejectReason reason) {
        return n1.stats().connectionsRejected(reason);
    }

    private long lines(String fragment) {
        return log.count(fragment);
    }

    @Test
    void peerConfiguredByHostNameConnectsFromTheAddressItResolvesToAndNoOtherStranger() throws Exception {
        dns.put(N0_HOST, ips("127.0.0.9"));
        startN1();
        await("n0.test resolved", () -> lines("resolves to [127.0.0.9]") == 1, () -> "" + log);
        try (RawPeer p = new RawPeer("127.0.0.9", "127.0.0.1", port)) {
            p.handshake("test", "n0", SECRET);
            await("n1 reports n0", () -> n1.isConnected("n0"));
        }
        try (RawPeer p = new RawPeer("127.0.0.8", "127.0.0.1", port)) {
            p.assertClosedWithoutData();
        }
        await("NOT_A_MEMBER counted", () -> connectionsRejected(ConnectionRejectReason.NOT_A_MEMBER) == 1);
    }

    @Test
    void hostNameThatDoesNotResolveIsSaidOnceAndItsPeerIsRefusedUntilAReloadResolvesIt() throws Exception {
        startN1(); // n0.test does not resolve
        await("the failure is logged", () -> lines("'n0.test' does not resolve") == 1, () -> "" + log);
        get(n1.refreshMemberAddresses());
        get(n1.refreshMemberAddresses());
        assertEquals(1, lines("'n0.test' does not resolve"), "said once, not on every attempt: " + log);
        try (RawPeer p = new RawPeer("127.0.0.9", "127.0.0.1", port)) {
            p.assertClosedWithoutData();
        }
        await("NOT_A_MEMBER counted", () -> connectionsRejected(ConnectionRejectReason.NOT_A_MEMBER) == 1);
        assertEquals(1, lines("rejected connection from 127.0.0.9: not a member's address (host names of [n0] not"
                + " resolved"), "" + log);

        dns.put(N0_HOST, ips("127.0.0.9"));
        get(n1.refreshMemberAddresses()); // what lcsd does on reload
        assertEquals(1, lines("'n0.test' resolves to [127.0.0.9]"), "" + log);
        try (RawPeer p = new RawPeer("127.0.0.9", "127.0.0.1", port)) {
            p.handshake("test", "n0", SECRET);
            await("n1 reports n0", () -> n1.isConnected("n0"));
        }
    }

    @Test
    void aPeerWhoseAddressChangedIsMatchedAgainstItsNewAddressAfterAReload() throws Exception {
        dns.put(N0_HOST, ips("127.0.0.9"));
        startN1();
        await("n0.test resolved", () -> lines("resolves to [127.0.0.9]") == 1, () -> "" + log);
        dns.put(N0_HOST, ips("127.0.0.10"));
        get(n1.refreshMemberAddresses());
        try (RawPeer old = new RawPeer("127.0.0.9", "127.0.0.1", port)) {
            old.assertClosedWithoutData();
        }
        try (RawPeer p = new RawPeer("127.0.0.10", "127.0.0.1", port)) {
            p.handshake("test", "n0", SECRET);
            await("n1 reports n0", () -> n1.isConnected("n0"));
        }
    }

    @Test
    void handshakesBeyondTheTotalAreRefusedAtOnce() throws Exception {
        // n0.test has 65 addresses: 64 of them at their share fill the total
        int sources = PeerTransport.MAX_PENDING_HANDSHAKES / PeerTransport.PENDING_HANDSHAKES_PER_MEMBER;
        String[] addresses = new String[sources + 1];
        for (int i = 0; i <= sources; i++) {
            addresses[i] = "127.0.1." + (i + 1);
        }
        dns.put(N0_HOST, ips(addresses));
        // the silent connections must all still be waiting when the extra one comes: a handshake
        // timeout far above the time to open them on a loaded machine
        startN1(SLOW_HANDSHAKE_MILLIS);
        await("n0.test resolved", () -> lines("'n0.test' resolves to") == 1, () -> "" + log);
        List<RawPeer> silent = new ArrayList<>();
        try {
            for (int i = 0; i < sources; i++) {
                for (int j = 0; j < PeerTransport.PENDING_HANDSHAKES_PER_MEMBER; j++) {
                    silent.add(new RawPeer(addresses[i], "127.0.0.1", port));
                }
            }
            await("n1 holds " + PeerTransport.MAX_PENDING_HANDSHAKES + " handshakes",
                    () -> n1.pendingHandshakes() == PeerTransport.MAX_PENDING_HANDSHAKES);
            try (RawPeer extra = new RawPeer(addresses[sources], "127.0.0.1", port)) {
                extra.assertClosedWithoutDataWithin(SLOW_HANDSHAKE_MILLIS / 2, "refused at once");
            }
            await("HANDSHAKE_LIMIT counted", () -> connectionsRejected(ConnectionRejectReason.HANDSHAKE_LIMIT) == 1,
                    () -> "" + n1.stats());
            assertEquals(0, connectionsRejected(ConnectionRejectReason.SOURCE_LIMIT));
        } finally {
            for (RawPeer p : silent) {
                p.close();
            }
        }
    }
}
