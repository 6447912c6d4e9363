package io.lcs.harness.loopback;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.lcs.controller.transport.FrameCodec;
import io.lcs.controller.transport.Hello;
import io.vertx.core.buffer.Buffer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * A hand-driven peer on a blocking socket that speaks (or deliberately breaks) the lcs peer
 * protocol against a live lcsd, reusing the main code's {@link Hello} and {@link FrameCodec}.
 * Adapted from controller's test-only {@code RawPeer} (test sources are not shared between modules):
 * it binds its local end to a chosen 127.0.0.x so the daemon sees the address of the node it
 * impersonates. Every read is bounded by a 5 s socket timeout.
 */
final class RawPeer implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    byte[] ownHello;
    FrameCodec codec;

    RawPeer(String localIp, String host, int port) throws IOException {
        socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(localIp), 0));
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(5_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void writeFrame(Buffer frame) throws IOException {
        writeRaw(frame.getBytes());
    }

    void writeLengthPrefix(int length) throws IOException {
        writeRaw(ByteBuffer.allocate(4).putInt(length).array());
    }

    void sendHello(String cluster, String node, long configHash, boolean authenticated) throws IOException {
        ownHello = Hello.create(cluster, node, configHash, authenticated, RANDOM).encode();
        writeFrame(FrameCodec.frame(ownHello));
    }

    /** Reads one frame body (at most 1 MiB), failing on EOF or timeout. */
    byte[] readFrameBody() throws IOException {
        int length = in.readInt();
        assertTrue(length >= 0 && length <= (1 << 20), "frame length " + length);
        byte[] body = new byte[length];
        in.readFully(body);
        return body;
    }

    /**
     * The dialer's side of the handshake as {@code node} keyed with {@code secret}: hello, read the
     * acceptor's hello and proof, send our proof. With {@code verifyTheirProof} the acceptor's proof
     * is checked (it fails with a wrong secret; pass false to go on and send a proof the acceptor
     * cannot verify). Returns the acceptor's hello.
     */
    Hello handshake(String cluster, String node, long configHash, byte[] secret, boolean verifyTheirProof)
            throws Exception {
        sendHello(cluster, node, configHash, secret != null);
        byte[] theirs = readFrameBody();
        Hello hello = Hello.decode(theirs);
        codec = FrameCodec.forDialer(secret, ownHello, theirs);
        byte[] theirProof = readFrameBody();
        if (verifyTheirProof) {
            codec.open(Buffer.buffer(theirProof));
        }
        writeFrame(codec.sealProof());
        return hello;
    }

    /** Asserts the remote closes the connection within 5 s (EOF or reset), whatever it sent before. */
    void assertClosedByRemote() throws IOException {
        byte[] sink = new byte[4096];
        long deadline = System.nanoTime() + 5_000_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                if (in.read(sink) < 0) {
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            fail("lcsd did not close the connection within 5 s");
        } catch (IOException reset) {
            return; // connection reset: closed with unread data
        }
        fail("lcsd kept sending for 5 s instead of closing");
    }

    /** Asserts the remote closes the connection without having sent a single byte. */
    void assertClosedWithoutData() throws IOException {
        try {
            int b = in.read();
            if (b >= 0) {
                fail("lcsd sent data (first byte " + b + ") before closing");
            }
        } catch (SocketTimeoutException e) {
            fail("lcsd did not close the connection within 5 s");
        } catch (IOException reset) {
            // closed with unread data: fine
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
