package io.lcs.controller.transport;

import io.lcs.reconcilers.runtime.LogThrottle;
import io.lcs.reconcilers.runtime.Ticker;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The peer transport of lcsd: moves opaque payloads between named nodes over TCP, one connection
 * per peer pair, authenticated with the cluster secret when one is set. It knows nothing of message
 * types.
 *
 * <h2>Who dials</h2>
 * Of two nodes, the one whose name is lexicographically smaller ({@link String#compareTo}) dials
 * and the other only accepts, so each pair has one logical connection. The dialer reconnects with
 * exponential backoff and jitter between {@code reconnectMin} and {@code reconnectMax}; it dials
 * from {@code bindHost} when that is set, so the acceptor sees the configured address. If an
 * acceptor completes a new handshake with a peer it already has a connection with (the peer
 * restarted before the old connection was noticed dead), the new connection replaces the old one.
 *
 * <h2>Protocol</h2>
 * Length-prefixed frames (see {@link FrameCodec}); first a {@link Hello} each way (the dialer's
 * first; the acceptor answers only after checking cluster, peer name, who dials, that the source
 * address is one of that peer's addresses, and that both or neither have a secret), then one proof
 * frame each way (seq 0, empty payload, tagged with the per-connection key), then payload frames.
 * The handshake must finish within {@code handshakeTimeout}. Any violation closes the connection,
 * counts its {@link RejectReason} in {@link #stats()} and logs a WARN line naming the remote
 * address and the reason (rate-limited, see below). Nothing is thrown out of a handler.
 *
 * <h2>Who may connect</h2>
 * At accept, before any handshake state or buffer exists, a connection is closed unless its source
 * address is a member's address: a peer's {@code host} when it is an IP literal, else the addresses
 * it resolves to. Host names are resolved off the event loop after {@link #start()} and again by
 * {@link #refreshMemberAddresses()} (lcsd calls it on reload); a name that does not resolve is
 * logged once and retried every {@link #RESOLVE_RETRY}; until it resolves, that peer cannot connect
 * to this node (this node still dials the peers it dials). Of the connections let in, at most
 * {@value #PENDING_HANDSHAKES_PER_MEMBER} per member at that address, and
 * {@value #MAX_PENDING_HANDSHAKES} in total, may be in their handshake at once; strangers never
 * count, so a member always finds room (unless another member has more than 64 addresses). Every
 * refusal is counted by {@link ConnectionRejectReason}. Warnings about inbound connections are
 * limited to one line per source address per {@link #WARNING_INTERVAL}, with the number suppressed
 * ({@link LogThrottle}).
 *
 * <h2>Threading and lifetime</h2>
 * {@link #start()} captures the current Vert.x context (or creates one when called from a non-Vert.x
 * thread); all socket handling and every {@link TransportListener} call happen on it.
 * {@link #send} and {@link #stats()} may be called from any thread, but {@link #send} belongs on
 * that context (call {@link #start()} from the context the cluster core runs on, or use
 * {@link #context()}): from another thread, Vert.x 5 hands each write to the event loop through a
 * queue whose high-water mark is 16 messages, and a burst beyond it finds the write queue full, so
 * frames are dropped (and counted). Start once, stop once; to
 * restart, create a new instance. The caller must keep this object referenced while it runs: it
 * holds the {@link NetServer} and {@link NetClient} in fields because Vert.x 5 closes a client that
 * becomes unreachable (docs/architecture.md, "Measured facts"). Never run two transports on the same host:port in one
 * {@link Vertx}: Vert.x shares the listening socket between them instead of failing.
 */
public final class PeerTransport {
    private static final System.Logger LOG = System.getLogger("io.lcs.transport");

    /**
     * Outbound bytes queued per connection before {@link #send} starts dropping (256 KiB). Heartbeats
     * and lease batches are small; a peer that cannot drain this is too slow to matter, and 15 peers
     * times this stays well inside a 32 MiB heap. A single frame up to maxFrameBytes is still
     * accepted while the queue is below the mark.
     */
    static final int WRITE_QUEUE_MAX_BYTES = 256 * 1024;
    /**
     * Connections in their handshake allowed at once per member at a source address. A well-behaved
     * member has one at a time; 4 leaves room for the one a crashed process left behind (it lasts
     * until the handshake timeout) and a reconnect or two.
     */
    static final int PENDING_HANDSHAKES_PER_MEMBER = 4;
    /**
     * Connections in their handshake allowed at once in total. The largest cluster (15 nodes) needs
     * at most 14 x {@value #PENDING_HANDSHAKES_PER_MEMBER} = 56; 256 bounds the sockets and hello
     * buffers (at most {@value Hello#MAX_BYTES} bytes each) held for unauthenticated connections even
     * when members' host names resolve to many addresses (it binds only past 64 of them).
     */
    static final int MAX_PENDING_HANDSHAKES = 256;
    /**
     * At most one warning line per source address per this interval: a flood of bad connections
     * wrote ~17,000 lines in 45 s before; 10 s keeps a persistent problem visible in every screen of
     * a tailed log.
     */
    static final Duration WARNING_INTERVAL = Duration.ofSeconds(10);
    /** How often host names of members that did not resolve are tried again (off the event loop). */
    static final Duration RESOLVE_RETRY = Duration.ofSeconds(10);

    final Vertx vertx;
    final TransportConfig config;
    final TransportListener listener;
    final byte[] secret;
    private final TransportStats stats;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, PeerAddress> peersByName = new HashMap<>();
    private final MemberAddresses.Resolver resolver;
    /** Where members may connect from; replaced on the context when host names (re)resolve. */
    private volatile MemberAddresses members;
    /** Host names whose failure to resolve was logged (logged again only after they resolved). Context only. */
    private final Set<String> reportedUnresolved = new HashSet<>();
    /** Whether some peer's host is a name (else nothing is ever resolved). */
    private final boolean hostNames;
    /** The resolution in flight, if any. Context only. */
    private Future<Void> resolution;
    private long resolveRetryTimerId = -1;
    private final LogThrottle warnings = new LogThrottle(WARNING_INTERVAL, Ticker.system());
    private long warningFlushTimerId = -1;
    /** Peers this node dials (its name is smaller than theirs). Touched on the context only. */
    private final Map<String, Dial> dials = new LinkedHashMap<>();
    /** Established connections by peer name; read by {@link #send} from any thread. */
    private final Map<String, PeerConnection> open = new ConcurrentHashMap<>();
    /** Every live connection (any phase); context only. */
    private final Set<PeerConnection> live = new HashSet<>();
    /** Written on the context only; volatile for {@link #pendingHandshakes()}. */
    private volatile int pendingHandshakes;
    /** Inbound connections in their handshake per source address (members only). Context only. */
    private final Map<InetAddress, Integer> pendingBySource = new HashMap<>();

    private Context context;
    private NetServer server;  // a field, never a local: see class comment
    private NetClient client;  // a field, never a local: see class comment
    private volatile boolean stopped;
    private Future<Void> stopFuture;

    /** A peer this node dials, and its reconnect state. Context only. */
    static final class Dial {
        final PeerAddress address;
        int failures;
        long timerId = -1;
        PeerConnection connection;
        boolean reportedFailure;

        Dial(PeerAddress address) {
            this.address = address;
        }
    }

    public PeerTransport(Vertx vertx, TransportConfig config, TransportListener listener) {
        this(vertx, config, listener, MemberAddresses.SYSTEM);
    }

    /** With another resolver of host names (tests). */
    PeerTransport(Vertx vertx, TransportConfig config, TransportListener listener, MemberAddresses.Resolver resolver) {
        if (vertx == null || config == null || listener == null || resolver == null) {
            throw new IllegalArgumentException("PeerTransport needs a Vertx, a config, a listener and a resolver");
        }
        this.vertx = vertx;
        this.config = config;
        this.listener = listener;
        this.resolver = resolver;
        this.secret = config.secret();
        List<String> names = new ArrayList<>();
        for (PeerAddress peer : config.peers()) {
            names.add(peer.name());
            peersByName.put(peer.name(), peer);
            if (config.selfName().compareTo(peer.name()) < 0) {
                dials.put(peer.name(), new Dial(peer));
            }
        }
        this.members = MemberAddresses.literals(config.peers());
        this.hostNames = !members.unresolved().isEmpty();
        this.stats = new TransportStats(names);
    }

    /** Counters for metrics; live, thread-safe. */
    public TransportStats stats() {
        return stats;
    }

    /** The largest payload {@link #send} accepts: maxFrameBytes minus seq and tag. */
    public int maxPayloadBytes() {
        return config.maxFrameBytes() - FrameCodec.overheadBytes(secret != null);
    }

    /** The port the server listens on (useful with bindPort 0); -1 before start completes. */
    public int actualPort() {
        NetServer s = server;
        return s == null ? -1 : s.actualPort();
    }

    /** The context all handlers and listener calls run on; null before {@link #start()}. */
    public synchronized Context context() {
        return context;
    }

    /**
     * Closes the connection with {@code peer}, if any, so it is dialed afresh: the core calls this
     * when it has not heard the peer for its timeout although the connection looks open (after a
     * partition heals, TCP's retransmission backoff can keep a silent connection for many seconds;
     * a new connection carries traffic at once). The dialing side redials with its backoff. Any
     * thread; a no-op when not connected.
     */
    public void disconnect(String peer, String reason) {
        PeerConnection c = open.get(peer);
        Context ctx = context;
        if (c == null || ctx == null) {
            return;
        }
        ctx.runOnContext(v -> {
            if (open.get(peer) == c && !c.closing) {
                c.stopReading();
                c.closeReason = reason;
                c.socket.close();
            }
        });
    }

    /** Inbound connections in their handshake right now (for tests). */
    int pendingHandshakes() {
        return pendingHandshakes;
    }

    /** Whether an authenticated connection with {@code peer} is up right now. */
    public boolean isConnected(String peer) {
        return open.containsKey(peer);
    }

    /**
     * Listens on bindHost:bindPort and starts dialing the peers this node dials. Fails (with the
     * address in the message) if the port cannot be bound; may be called once.
     */
    public synchronized Future<Void> start() {
        if (context != null) {
            return Future.failedFuture(new IllegalStateException("transport already started"));
        }
        context = vertx.getOrCreateContext();
        Promise<Void> promise = Promise.promise();
        context.runOnContext(v -> listen(promise));
        return promise.future();
    }

    private void listen(Promise<Void> promise) {
        if (secret == null) {
            LOG.log(WARNING, "no secret configured: peer traffic is not authenticated");
        }
        // no bind address: all IPv4 addresses, or all addresses (IPv6 and, dual-stack, IPv4) when a
        // peer has an IPv6 address
        boolean ipv6Peers = config.peers().stream().anyMatch(p -> p.host().indexOf(':') >= 0);
        String host = !config.bindHost().isEmpty() ? config.bindHost()
                : ipv6Peers ? "::" : NetServerOptions.DEFAULT_HOST;
        NetServerOptions serverOptions = new NetServerOptions().setHost(host).setPort(config.bindPort())
                .setTcpNoDelay(true);
        NetClientOptions clientOptions = new NetClientOptions().setTcpNoDelay(true)
                // a black-holed peer must not hold a dial for the OS default (minutes)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.handshakeTimeout().toMillis()));
        if (!config.bindHost().isEmpty()) {
            clientOptions.setLocalAddress(config.bindHost());
        }
        server = vertx.createNetServer(serverOptions).connectHandler(this::onAccept);
        client = vertx.createNetClient(clientOptions);
        server.listen().onComplete(ar -> {
            if (ar.failed()) {
                String where = host + ":" + config.bindPort();
                LOG.log(ERROR, "cannot listen for peers on " + where + ": " + ar.cause().getMessage());
                stopped = true;
                client.close();
                promise.fail(new IllegalStateException("cannot listen for peers on " + where + ": "
                        + ar.cause().getMessage(), ar.cause()));
                return;
            }
            LOG.log(INFO, "peer transport of node " + config.selfName() + " listening on " + host + ":"
                    + server.actualPort() + ", dialing " + dials.keySet() + ", accepting connections only from"
                    + " members' addresses " + addressList(members.all())
                    + (members.unresolved().isEmpty() ? "" : " (host names of " + members.unresolved().keySet()
                    + " being resolved)"));
            for (Dial dial : dials.values()) {
                connect(dial);
            }
            resolveMembers();
            promise.complete();
        });
    }

    /**
     * Closes every connection (telling the listener "transport stopped" for established ones), the
     * server and the client, and stops reconnecting. Idempotent.
     */
    public synchronized Future<Void> stop() {
        if (context == null) {
            stopped = true;
            return Future.succeededFuture();
        }
        if (stopFuture != null) {
            return stopFuture;
        }
        Promise<Void> promise = Promise.promise();
        stopFuture = promise.future();
        context.runOnContext(v -> {
            stopped = true;
            for (Dial dial : dials.values()) {
                if (dial.timerId >= 0) {
                    vertx.cancelTimer(dial.timerId);
                    dial.timerId = -1;
                }
            }
            if (resolveRetryTimerId >= 0) {
                vertx.cancelTimer(resolveRetryTimerId);
                resolveRetryTimerId = -1;
            }
            if (warningFlushTimerId >= 0) {
                vertx.cancelTimer(warningFlushTimerId);
                warningFlushTimerId = -1;
            }
            for (String line : warnings.flushAll()) {
                LOG.log(WARNING, line); // what was suppressed is still said
            }
            for (PeerConnection c : new ArrayList<>(live)) {
                c.stopReading();
                c.cancelHandshakeTimer();
                notifyDown(c, "transport stopped");
                c.socket.close();
            }
            Future<Void> serverClosed = server == null ? Future.succeededFuture() : server.close();
            Future<Void> clientClosed = client == null ? Future.succeededFuture() : client.close();
            Future.join(serverClosed, clientClosed).onComplete(ar -> promise.complete());
        });
        return stopFuture;
    }

    /**
     * Sends one payload to {@code peer}. Never blocks and never throws for a peer that is down.
     *
     * @return true if the frame was handed to the socket; false if the peer is not connected, the
     * payload exceeds {@link #maxPayloadBytes()} (counted, WARN logged), or the socket's write queue
     * is full (frame dropped and counted)
     */
    public boolean send(String peer, byte[] payload) {
        PeerConnection c = open.get(peer);
        if (c == null || c.closing || c.phase != PeerConnection.Phase.OPEN) {
            return false;
        }
        if (payload.length > maxPayloadBytes()) {
            stats.droppedOversized(peer);
            LOG.log(WARNING, "dropped a " + payload.length + "-byte payload for peer " + peer + ": limit is "
                    + maxPayloadBytes() + " bytes");
            return false;
        }
        synchronized (c) { // seq order must equal write order when several threads send
            if (c.socket.writeQueueFull()) {
                stats.droppedQueueFull(peer);
                if (!c.reportedQueueFull) {
                    c.reportedQueueFull = true;
                    LOG.log(WARNING, "write queue to peer " + peer + " is full: dropping frames until it drains"
                            + " (logged once per connection; see the dropped-frames counter)");
                }
                return false;
            }
            Buffer frame = c.codec.seal(payload);
            stats.frameSent(peer, frame.length()); // counted before it can arrive: a peer's count never runs ahead
            c.socket.write(frame);
        }
        return true;
    }

    // ---- connection management (all on the context) ----

    private void connect(Dial dial) {
        dial.timerId = -1;
        if (stopped) {
            return;
        }
        PeerAddress address = dial.address;
        client.connect(address.port(), address.host()).onComplete(ar -> {
            if (stopped) {
                if (ar.succeeded()) {
                    ar.result().close();
                }
                return;
            }
            if (ar.failed()) {
                logDialProblem(dial, "cannot connect to peer " + address.name() + " at " + address.endpoint() + ": "
                        + ar.cause().getMessage());
                dial.failures++;
                scheduleReconnect(dial);
                return;
            }
            NetSocket socket = ar.result();
            PeerConnection c = new PeerConnection(this, socket, PeerConnection.Role.DIALER, dial);
            dial.connection = c;
            live.add(c);
            c.sendHello();
            c.startHandshakeTimer();
        });
    }

    private void logDialProblem(Dial dial, String message) {
        if (!dial.reportedFailure) {
            dial.reportedFailure = true;
            LOG.log(INFO, message + " (retrying with backoff up to " + config.reconnectMax().toMillis() + " ms)");
        } else {
            LOG.log(DEBUG, message);
        }
    }

    private void scheduleReconnect(Dial dial) {
        if (stopped || dial.timerId >= 0) {
            return;
        }
        dial.timerId = vertx.setTimer(backoffMillis(dial.failures), id -> connect(dial));
    }

    /** Equal-jitter exponential backoff: in [cap/2, cap], cap = min(max, min * 2^failures), never below min. */
    long backoffMillis(int failures) {
        long min = config.reconnectMin().toMillis();
        long max = config.reconnectMax().toMillis();
        long cap = failures >= 30 ? max : Math.min(max, min << failures);
        long delay = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
        return Math.max(min, Math.min(max, delay));
    }

    private void onAccept(NetSocket socket) {
        if (stopped) {
            socket.close();
            return;
        }
        // before any handshake state or buffer: strangers and sources over their share go at once
        SocketAddress remote = socket.remoteAddress();
        String ip = remote == null ? null : remote.hostAddress();
        InetAddress source = PeerConnection.parseIp(ip);
        MemberAddresses m = members;
        if (!m.isMember(source)) {
            refuse(socket, ip, ConnectionRejectReason.NOT_A_MEMBER, m.unresolved().isEmpty() ? ""
                    : " (host names of " + m.unresolved().keySet() + " not resolved: " + m.unresolved() + ")");
            return;
        }
        int sourceLimit = PENDING_HANDSHAKES_PER_MEMBER * m.membersAt(source);
        if (pendingBySource.getOrDefault(source, 0) >= sourceLimit) {
            refuse(socket, ip, ConnectionRejectReason.SOURCE_LIMIT, " (" + sourceLimit + ")");
            return;
        }
        if (pendingHandshakes >= MAX_PENDING_HANDSHAKES) {
            refuse(socket, ip, ConnectionRejectReason.HANDSHAKE_LIMIT, " (" + MAX_PENDING_HANDSHAKES + ")");
            return;
        }
        PeerConnection c = new PeerConnection(this, socket, PeerConnection.Role.ACCEPTOR, null);
        c.countedPending = true;
        pendingHandshakes++;
        pendingBySource.merge(source, 1, Integer::sum);
        live.add(c);
        c.startHandshakeTimer();
    }

    /** Closes a connection at accept: counted, and a rate-limited WARN line. */
    private void refuse(NetSocket socket, String ip, ConnectionRejectReason reason, String detail) {
        stats.countConnectionRejected(reason);
        warn(ip, "rejected connection from " + (ip == null ? "?" : ip) + ": " + reason.text() + detail);
        socket.close();
    }

    /** Logs {@code line} as a WARN about {@code source}, at most one per source per {@link #WARNING_INTERVAL}. */
    private void warn(String source, String line) {
        String out = warnings.admit(source == null ? "?" : source, line);
        if (out != null) {
            LOG.log(WARNING, out);
        }
        scheduleWarningFlush();
    }

    /** While sources are tracked, reports their suppressed warnings once per interval and forgets idle ones. */
    private void scheduleWarningFlush() {
        if (warningFlushTimerId >= 0 || stopped || warnings.isEmpty()) {
            return;
        }
        warningFlushTimerId = vertx.setTimer(WARNING_INTERVAL.toMillis(), id -> {
            warningFlushTimerId = -1;
            flushWarnings();
            scheduleWarningFlush();
        });
    }

    private void flushWarnings() {
        for (String line : warnings.flush()) {
            LOG.log(WARNING, line);
        }
    }

    // ---- member addresses ----

    /**
     * Resolves the members' host names again (off the event loop) and, when done, accepts
     * connections from the addresses found; lcsd calls it on reload. Any thread. The future
     * completes once the new addresses are in force (at once when every host is an IP literal).
     */
    public Future<Void> refreshMemberAddresses() {
        Context ctx = context;
        if (ctx == null) {
            return Future.failedFuture(new IllegalStateException("transport not started"));
        }
        Promise<Void> done = Promise.promise();
        ctx.runOnContext(v -> resolveMembers().onComplete(done));
        return done.future();
    }

    /** On the context: one resolution at a time; when a name does not resolve, again after {@link #RESOLVE_RETRY}. */
    private Future<Void> resolveMembers() {
        if (stopped || !hostNames) {
            return Future.succeededFuture();
        }
        if (resolution != null) {
            return resolution;
        }
        if (resolveRetryTimerId >= 0) {
            vertx.cancelTimer(resolveRetryTimerId);
            resolveRetryTimerId = -1;
        }
        List<PeerAddress> peers = config.peers();
        Future<Void> f = context.executeBlocking(() -> MemberAddresses.resolve(peers, resolver), false)
                .map(resolved -> {
                    if (!stopped) {
                        applyMembers(resolved);
                    }
                    return (Void) null;
                })
                .recover(e -> {
                    LOG.log(ERROR, "resolving the members' host names failed: " + e);
                    return Future.succeededFuture();
                });
        resolution = f;
        f.onComplete(ar -> {
            resolution = null;
            if (!stopped && !members.unresolved().isEmpty() && resolveRetryTimerId < 0) {
                resolveRetryTimerId = vertx.setTimer(RESOLVE_RETRY.toMillis(), id -> {
                    resolveRetryTimerId = -1;
                    resolveMembers();
                });
            }
        });
        return f;
    }

    /** On the context: puts {@code resolved} in force; says once per name when it does not resolve, and when it does again. */
    private void applyMembers(MemberAddresses resolved) {
        MemberAddresses before = members;
        members = resolved;
        for (PeerAddress p : config.peers()) {
            if (MemberAddresses.literal(p.host()) != null) {
                continue;
            }
            String why = resolved.unresolved().get(p.name());
            if (why != null) {
                if (reportedUnresolved.add(p.name())) {
                    LOG.log(WARNING, "node " + p.name() + "'s address '" + p.host() + "' does not resolve (" + why
                            + "): connections from node " + p.name() + " are refused until it does; retrying every "
                            + RESOLVE_RETRY.toSeconds() + " s and on reload");
                }
            } else if (reportedUnresolved.remove(p.name()) || !resolved.of(p.name()).equals(before.of(p.name()))) {
                LOG.log(INFO, "node " + p.name() + "'s address '" + p.host() + "' resolves to "
                        + addressList(resolved.of(p.name())) + ": connections from there are accepted");
            }
        }
    }

    private static String addressList(Set<InetAddress> addresses) {
        List<String> out = new ArrayList<>(addresses.size());
        for (InetAddress a : addresses) {
            out.add(a.getHostAddress());
        }
        out.sort(null);
        return out.toString();
    }

    byte[] newHello() {
        return Hello.create(config.clusterName(), config.selfName(), config.configHash(), secret != null, random)
                .encode();
    }

    /** Checks a peer's hello; for an acceptor also learns the peer's name. */
    void checkHello(PeerConnection c, Hello hello) throws ProtocolException {
        if (!hello.clusterName().equals(config.clusterName())) {
            throw new ProtocolException(RejectReason.WRONG_CLUSTER, "node '" + hello.nodeName() + "' is in cluster '"
                    + hello.clusterName() + "', this node in '" + config.clusterName() + "'");
        }
        if (hello.authenticated() != (secret != null)) {
            throw new ProtocolException(RejectReason.AUTH_MISMATCH, hello.authenticated()
                    ? "node '" + hello.nodeName() + "' has a secret, this node has none"
                    : "this node requires a secret, node '" + hello.nodeName() + "' has none");
        }
        if (c.role == PeerConnection.Role.DIALER) {
            if (!hello.nodeName().equals(c.peerName)) {
                throw new ProtocolException(RejectReason.UNKNOWN_PEER, "dialed peer '" + c.peerName + "' but node '"
                        + hello.nodeName() + "' answered");
            }
            return;
        }
        PeerAddress peer = peersByName.get(hello.nodeName());
        if (peer == null) {
            throw new ProtocolException(RejectReason.UNKNOWN_PEER, "node '" + hello.nodeName()
                    + "' is not a peer of node '" + config.selfName() + "'");
        }
        if (dials.containsKey(peer.name())) {
            throw new ProtocolException(RejectReason.WRONG_DIALER, "node '" + peer.name()
                    + "' dialed, but the smaller name dials: '" + config.selfName() + "' dials '" + peer.name() + "'");
        }
        Set<InetAddress> expected = members.of(peer.name());
        if (!expected.contains(c.remoteIp)) {
            throw new ProtocolException(RejectReason.ADDRESS_MISMATCH, "node '" + peer.name() + "' is configured at "
                    + peer.host() + (MemberAddresses.literal(peer.host()) != null ? ""
                    : expected.isEmpty() ? " (not resolved)" : " " + addressList(expected))
                    + " but connected from " + c.remote);
        }
        c.peerName = peer.name();
    }

    void onOpen(PeerConnection c) {
        c.cancelHandshakeTimer();
        releasePending(c);
        c.phase = PeerConnection.Phase.OPEN;
        String peer = c.peerName;
        PeerConnection old = open.get(peer);
        if (old != null && old != c) {
            old.stopReading();
            notifyDown(old, "replaced by a new connection");
            old.socket.close();
        }
        stats.connected(peer); // counted before isConnected says so
        open.put(peer, c);
        if (c.dial != null) {
            c.dial.failures = 0;
            c.dial.reportedFailure = false;
        }
        LOG.log(INFO, "connected " + c.describe() + (secret == null ? ", unauthenticated" : ", authenticated"));
        try {
            listener.onPeerConfigHash(peer, c.peerConfigHash);
            listener.onPeerConnected(peer);
        } catch (RuntimeException e) {
            LOG.log(ERROR, "transport listener failed on connect of peer " + peer, e);
        }
    }

    void deliver(PeerConnection c, byte[] payload, int wireBytes) {
        stats.frameReceived(c.peerName, wireBytes);
        try {
            listener.onFrame(c.peerName, payload);
        } catch (RuntimeException e) {
            LOG.log(ERROR, "transport listener failed on a frame from peer " + c.peerName, e);
        }
    }

    /** Closes {@code c} for a protocol violation: count, one WARN line, close. */
    void reject(PeerConnection c, RejectReason reason, String detail) {
        if (c.closing || c.phase == PeerConnection.Phase.CLOSED) {
            return;
        }
        c.stopReading();
        c.cancelHandshakeTimer();
        stats.countRejected(reason);
        warn(c.remoteHost, "rejected connection " + c.describe() + ": " + reason.text() + " (" + detail + ")");
        c.closeReason = reason.text();
        c.socket.close();
    }

    /** A bug of ours while handling input: log with the stack, close the connection, keep running. */
    void failInternally(PeerConnection c, RuntimeException e) {
        if (c.closing) {
            return;
        }
        c.stopReading();
        LOG.log(ERROR, "internal error on connection " + c.describe() + "; closing it", e);
        c.closeReason = "internal error";
        c.socket.close();
    }

    void logSocketError(Throwable t) {
        LOG.log(DEBUG, "peer socket error: " + t);
    }

    void onClosed(PeerConnection c) {
        PeerConnection.Phase was = c.phase;
        c.phase = PeerConnection.Phase.CLOSED;
        c.closing = true;
        c.cancelHandshakeTimer();
        releasePending(c);
        live.remove(c);
        if (was == PeerConnection.Phase.OPEN) {
            notifyDown(c, c.closeReason == null ? "connection closed by peer" : c.closeReason);
        } else if (c.role == PeerConnection.Role.DIALER && c.closeReason == null && c.dial != null) {
            logDialProblem(c.dial, "connection " + c.describe() + " closed during the handshake"
                    + " (rejected by the peer? see its log)");
        }
        Dial dial = c.dial;
        if (dial != null && dial.connection == c) {
            dial.connection = null;
            if (was != PeerConnection.Phase.OPEN) {
                dial.failures++;
            }
            scheduleReconnect(dial);
        }
    }

    private void releasePending(PeerConnection c) {
        if (c.countedPending) {
            c.countedPending = false;
            pendingHandshakes--;
            pendingBySource.computeIfPresent(c.remoteIp, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Tells the listener an established connection is down, exactly once per connection. */
    private void notifyDown(PeerConnection c, String reason) {
        if (c.notifiedDown || c.peerName == null || open.get(c.peerName) != c) {
            return;
        }
        c.notifiedDown = true;
        stats.disconnected(c.peerName); // counted before isConnected says otherwise
        open.remove(c.peerName, c);
        LOG.log(INFO, "connection " + c.describe() + " is down: " + reason);
        try {
            listener.onPeerDisconnected(c.peerName, reason);
        } catch (RuntimeException e) {
            LOG.log(ERROR, "transport listener failed on disconnect of peer " + c.peerName, e);
        }
    }
}
