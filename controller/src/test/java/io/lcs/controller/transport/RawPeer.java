package io.lcs.controller.transport;

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

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A hand-driven peer on a blocking java.net.Socket that speaks (or deliberately breaks) the
 * protocol against a live transport, reusing {@link Hello} and {@link FrameCodec}.
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

    void sendHello(Hello hello) throws IOException {
        ownHello = hello.encode();
        writeFrame(FrameCodec.frame(ownHello));
    }

    void sendHello(String cluster, String node, boolean authenticated) throws IOException {
        sendHello(Hello.create(cluster, node, 99, authenticated, RANDOM));
    }

    /** Reads one frame body (bounded size), failing on EOF or timeout. */
    byte[] readFrameBody() throws IOException {
        int length = in.readInt();
        assertTrue(length >= 0 && length <= (1 << 20), "frame length " + length);
        byte[] body = new byte[length];
        in.readFully(body);
        return body;
    }

    /**
     * Completes the handshake as {@code node} with {@code secret} (which may be wrong): hello, read
     * the acceptor's hello and proof, send our proof. Returns the acceptor's hello.
     */
    Hello handshake(String cluster, String node, byte[] secret) throws Exception {
        sendHello(cluster, node, secret != null);
        byte[] theirs = readFrameBody();
        Hello hello = Hello.decode(theirs);
        codec = FrameCodec.forDialer(secret, ownHello, theirs);
        codec.open(Buffer.buffer(readFrameBody())); // the acceptor's proof
        writeFrame(codec.sealProof());
        return hello;
    }

    /** Asserts the remote closes the connection within the socket timeout (EOF or reset). */
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
            fail("the transport did not close the connection within 5 s");
        } catch (IOException reset) {
            return; // connection reset: closed with unread data
        }
        fail("the transport kept sending for 5 s instead of closing");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /**
     * Asserts the remote closes the connection without sending a byte, and sooner than
     * {@code beforeMillis} (so on its own decision, not by the handshake timeout).
     */
    void assertClosedWithoutDataWithin(long beforeMillis, String why) throws IOException {
        long start = System.nanoTime();
        assertClosedWithoutData();
        assertTrue(System.nanoTime() - start < beforeMillis * 1_000_000L, why + ", not by the handshake timeout");
    }

    /** Asserts the remote closes the connection without having sent a single byte (nothing leaked). */
    void assertClosedWithoutData() throws IOException {
        try {
            int b = in.read();
            if (b >= 0) {
                fail("the transport sent data (first byte " + b + ") before closing");
            }
        } catch (SocketTimeoutException e) {
            fail("the transport did not close the connection within 5 s");
        } catch (IOException reset) {
            // closed with unread data: fine
        }
    }
}
