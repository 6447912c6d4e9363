package io.lcs.controller.transport;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.parsetools.RecordParser;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * One TCP connection of a {@link PeerTransport} and its handshake state machine:
 * AWAIT_HELLO → AWAIT_PROOF → OPEN → CLOSED. Everything except {@link PeerTransport#send} runs on
 * the transport's context. Framing uses a {@link RecordParser} switching between a 4-byte header and
 * a body of the announced size; the size is checked against the limit of the current phase before
 * the parser is asked to buffer the body.
 */
final class PeerConnection {
    private static final Pattern NUMERIC_IPV4 = Pattern.compile("[0-9.]{7,15}");
    enum Role { DIALER, ACCEPTOR }

    enum Phase { AWAIT_HELLO, AWAIT_PROOF, OPEN, CLOSED }

    final PeerTransport transport;
    final NetSocket socket;
    final Role role;
    /** "ip:port" of the remote end, for logs. */
    final String remote;
    /** The remote IP as text ("?" if unknown): the key of rate-limited warnings. */
    final String remoteHost;
    /** The remote IP, or null if it could not be parsed (then no configured IP literal matches). */
    final InetAddress remoteIp;
    /** The dial this outbound connection belongs to; null when accepted. */
    final PeerTransport.Dial dial;
    private final RecordParser parser;
    private boolean awaitingHeader = true;

    volatile Phase phase = Phase.AWAIT_HELLO;
    /** Set when rejected, replaced or stopped: further input is ignored. */
    volatile boolean closing;
    /** The peer's name: the dialed peer for a dialer, known after the hello for an acceptor. */
    String peerName;
    byte[] ownHello;
    long peerConfigHash;
    FrameCodec codec;
    long handshakeTimerId = -1;
    /** Why it closed, for the listener; null = the remote closed. */
    String closeReason;
    /** The listener has been told this connection is down (or must not be told again). */
    boolean notifiedDown;
    /** Counted in the transport's pending inbound handshakes. */
    boolean countedPending;
    /** A queue-full drop was logged already for this connection (one WARN per connection). */
    volatile boolean reportedQueueFull;

    PeerConnection(PeerTransport transport, NetSocket socket, Role role, PeerTransport.Dial dial) {
        this.transport = transport;
        this.socket = socket;
        this.role = role;
        this.dial = dial;
        this.peerName = dial == null ? null : dial.address.name();
        SocketAddress address = socket.remoteAddress();
        String ip = address == null ? null : address.hostAddress();
        this.remote = address == null ? "?" : (ip != null && ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + address.port();
        this.remoteHost = ip == null ? "?" : ip;
        this.remoteIp = parseIp(ip);
        this.parser = RecordParser.newFixed(FrameCodec.LENGTH_PREFIX_BYTES);
        parser.handler(this::onRecord);
        socket.setWriteQueueMaxSize(PeerTransport.WRITE_QUEUE_MAX_BYTES);
        socket.handler(parser);
        socket.closeHandler(v -> transport.onClosed(this));
        socket.exceptionHandler(transport::logSocketError);
    }

    /** The address of a numeric IP from a socket, or null; never a name lookup. */
    static InetAddress parseIp(String ip) {
        if (ip == null || ip.isEmpty() || (ip.indexOf(':') < 0 && !NUMERIC_IPV4.matcher(ip).matches())) {
            return null; // never a name: getByName would look it up, on the event loop
        }
        try {
            // a numeric literal (an IPv6 one contains ':'): no name lookup happens
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Dialer: our hello goes first. */
    void sendHello() {
        ownHello = transport.newHello();
        socket.write(FrameCodec.frame(ownHello));
    }

    void startHandshakeTimer() {
        long ms = transport.config.handshakeTimeout().toMillis();
        handshakeTimerId = transport.vertx.setTimer(ms, id -> {
            handshakeTimerId = -1;
            if (phase != Phase.OPEN && phase != Phase.CLOSED && !closing) {
                transport.reject(this, RejectReason.HANDSHAKE_TIMEOUT, "no complete handshake within " + ms + " ms");
            }
        });
    }

    void cancelHandshakeTimer() {
        if (handshakeTimerId >= 0) {
            transport.vertx.cancelTimer(handshakeTimerId);
            handshakeTimerId = -1;
        }
    }

    /** Stops parsing anything else already buffered. */
    void stopReading() {
        closing = true;
        parser.pause();
        socket.pause(); // nothing more is buffered while the close completes
    }

    private void onRecord(Buffer record) {
        if (closing || phase == Phase.CLOSED) {
            return;
        }
        try {
            if (awaitingHeader) {
                onHeader(record.getInt(0));
            } else {
                awaitingHeader = true;
                parser.fixedSizeMode(FrameCodec.LENGTH_PREFIX_BYTES);
                onBody(record);
            }
        } catch (ProtocolException e) {
            transport.reject(this, e.reason(), e.getMessage());
        } catch (RuntimeException e) {
            transport.failInternally(this, e);
        }
    }

    private void onHeader(int length) throws ProtocolException {
        int min;
        int max;
        switch (phase) {
            case AWAIT_HELLO -> {
                min = Hello.MIN_BYTES;
                max = Hello.MAX_BYTES;
            }
            case AWAIT_PROOF -> {
                // the proof frame has an empty payload
                min = codec.overheadBytes();
                max = min;
            }
            default -> {
                min = codec.overheadBytes();
                max = transport.config.maxFrameBytes();
            }
        }
        if (length < 0 || length > max) {
            throw new ProtocolException(RejectReason.OVERSIZED, "length prefix " + Integer.toUnsignedLong(length)
                    + " exceeds " + max + " in phase " + phase);
        }
        if (length < min) {
            throw new ProtocolException(RejectReason.MALFORMED, "length prefix " + length + " is below the minimum "
                    + min + " in phase " + phase);
        }
        awaitingHeader = false;
        parser.fixedSizeMode(length);
    }

    private void onBody(Buffer body) throws ProtocolException {
        switch (phase) {
            case AWAIT_HELLO -> onHello(body.getBytes());
            case AWAIT_PROOF -> {
                codec.open(body); // seq 0, empty payload (length checked in onHeader)
                transport.onOpen(this);
            }
            case OPEN -> {
                byte[] payload = codec.open(body);
                transport.deliver(this, payload, FrameCodec.LENGTH_PREFIX_BYTES + body.length());
            }
            default -> {
            }
        }
    }

    private void onHello(byte[] helloBytes) throws ProtocolException {
        Hello hello = Hello.decode(helloBytes);
        transport.checkHello(this, hello);
        peerConfigHash = hello.configHash();
        byte[] secret = transport.secret;
        if (role == Role.ACCEPTOR) {
            ownHello = transport.newHello();
            codec = FrameCodec.forAcceptor(secret, helloBytes, ownHello);
            socket.write(FrameCodec.frame(ownHello));
        } else {
            codec = FrameCodec.forDialer(secret, ownHello, helloBytes);
        }
        phase = Phase.AWAIT_PROOF;
        socket.write(codec.sealProof());
    }

    /** "from ip:port" or "to ip:port (peer b)" for log lines. */
    String describe() {
        String where = (role == Role.ACCEPTOR ? "from " : "to ") + remote;
        return peerName == null ? where : where + " (peer " + peerName + ")";
    }
}
