package io.lcs.controller.transport;

import io.vertx.core.Future;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Bounded waits and free loopback ports for the transport ITs. */
final class TransportTestSupport {
    static final byte[] SECRET = "test-cluster-secret-0123456789".getBytes(StandardCharsets.US_ASCII);
    static final long WAIT_MILLIS = 10_000;

    private TransportTestSupport() {
    }

    /** A port free on {@code ip} right now (bound then released). */
    static int freePort(String ip) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(ip))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    static void await(String what, BooleanSupplier condition) {
        await(what, condition, () -> "");
    }

    /** Polls every 10 ms for at most {@link #WAIT_MILLIS}; fails naming {@code what} and the state. */
    static void await(String what, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + WAIT_MILLIS + " ms waiting for " + what + " " + state.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    /**
     * Starts a transport made by {@code make} (each one added to {@code started}, to be stopped),
     * retrying for at most 2 s while its port is still held: a restart in the same JVM may find the
     * old listening socket not yet released by the OS (a real restart is a new process).
     */
    static PeerTransport startRetryingBind(Supplier<PeerTransport> make, List<PeerTransport> started)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            PeerTransport t = make.get();
            started.add(t);
            try {
                get(t.start());
                return t;
            } catch (IllegalStateException e) {
                if (attempt >= 40 || !String.valueOf(e.getMessage()).contains("in use")) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    static <T> T get(Future<T> future) throws Exception {
        return future.await(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
