package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.core.ClusterCore;
import io.lcs.core.CoreConfig;
import io.lcs.model.wire.Message;
import io.lcs.model.wire.WireCodec;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A new authenticated connection makes the node heartbeat at once, not at its next interval: a
 * peer counts a node online (and so in its quorum and lease rounds) only from a heartbeat. Node a
 * of a, b, c on a clock that stands still, so no heartbeat is ever due by time.
 */
class CoreDriverPeerConnectedTest {
    private final Vertx vertx = Vertx.vertx();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<String> heartbeatsTo = Collections.synchronizedList(new ArrayList<>());
    private Context ctx;
    private CoreDriver driver;

    @BeforeEach
    void setUp() throws Exception {
        CoreConfig cfg = CoreConfig.defaults("a", List.of(new CoreConfig.Member("a", true),
                new CoreConfig.Member("b", true), new CoreConfig.Member("c", true)), 1L, 2_000, 500);
        ClusterCore core = new ClusterCore(cfg, List.of(), Map.of(), now.get(), new SecureRandom());
        ctx = vertx.getOrCreateContext();
        driver = new CoreDriver(vertx, ctx, core, (objects, forget, epochs) -> { }, (peer, frame) -> {
            try {
                if (WireCodec.decode(frame) instanceof Message.Heartbeat) {
                    heartbeatsTo.add(peer);
                }
            } catch (WireCodec.WireFormatException e) {
                throw new AssertionError(e);
            }
            return true;
        }, new EventLog(Clock.systemUTC(), "a"), List.of(), now::get, System::currentTimeMillis);
        OnContext.call(ctx, () -> {
            driver.start(); // the first tick heartbeats to both peers
            return null;
        });
        assertEquals(List.of("b", "c"), List.copyOf(heartbeatsTo), "the start's heartbeats");
        heartbeatsTo.clear();
    }

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void aNewConnectionGetsAHeartbeatAtOnce() throws Exception {
        OnContext.call(ctx, () -> {
            driver.tick(); // the clock stood still: no heartbeat is due
            return null;
        });
        assertTrue(heartbeatsTo.isEmpty(), "no heartbeat before the interval: " + heartbeatsTo);

        driver.onPeerConnected("b"); // from the transport's thread
        OnContext.call(ctx, () -> null); // what it queued has run
        assertEquals(List.of("b", "c"), List.copyOf(heartbeatsTo), "heartbeats right after the connection");
    }

    @Test
    void nothingOnceStopped() throws Exception {
        OnContext.call(ctx, () -> {
            driver.stop();
            return null;
        });
        driver.onPeerConnected("b");
        OnContext.call(ctx, () -> null);
        assertTrue(heartbeatsTo.isEmpty(), "a stopped driver sends nothing: " + heartbeatsTo);
    }
}
