package io.lcs.harness.sim;

import io.lcs.model.wire.Message;
import io.lcs.model.wire.WireCodec;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A simulated, fault-injecting network between named nodes: a priority queue of in-flight messages
 * keyed by delivery time (ties broken by a send sequence number, so a seed replays exactly).
 * Each message gets its own random delay in {@code [minDelay, maxDelay]}, which reorders them; each
 * link has a loss probability, the whole network may have a loss burst on top, and a message may
 * be duplicated. Partitions (any grouping) and one-way cuts drop a message both when it is sent and
 * when it would be delivered (so a partition also cuts what is on the wire).
 *
 * <p>With {@code codec} on, every message travels as the bytes of {@link WireCodec#encode} and is
 * decoded at delivery, so the simulation exercises the codec too (a decode failure is an error).
 *
 * <p>Not thread-safe. All randomness comes from the {@link SplittableRandom} it is given.
 */
public final class SimNetwork {
    /** Bound on messages in flight: beyond this a send is dropped (and counted), never queued. */
    public static final int MAX_IN_FLIGHT = 1_000_000;

    /** A message on the wire. Exactly one of {@code message} and {@code frame} is set. */
    public record InFlight(long deliverNanos, long seq, int from, int to, Message message, byte[] frame,
                           long sentNanos) {
    }

    private final SplittableRandom random;
    private final List<String> names;
    private final Map<String, Integer> index = new TreeMap<>();
    private final boolean codec;
    private final PriorityQueue<InFlight> queue = new PriorityQueue<>((a, b) -> {
        int c = Long.compare(a.deliverNanos, b.deliverNanos);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    });
    private long nextSeq;
    private long minDelayNanos = 200_000;
    private long maxDelayNanos = 5_000_000;
    private double duplication;
    private final double[][] linkLoss;
    private double burstLoss;
    private final int[] group;
    private final boolean[][] cut;
    /** Per directed link: when its send queue will have drained (real nanos); see {@link #setLinkQueue}. */
    private final long[][] queueFreeAtNanos;
    private int queueCapBytes;
    private long queueBytesPerSecond;
    private long droppedQueueFull;

    private long sent;
    private long dropped;
    private long duplicated;
    private long delivered;
    private long bytes;
    private final java.util.Map<String, Long> bytesByType = new java.util.TreeMap<>();

    public SimNetwork(SplittableRandom random, List<String> names, boolean codec) {
        this.random = random;
        this.names = List.copyOf(names);
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        this.codec = codec;
        int n = names.size();
        linkLoss = new double[n][n];
        group = new int[n];
        cut = new boolean[n][n];
        queueFreeAtNanos = new long[n][n];
    }

    /**
     * Models the transport's send queue per directed link (codec runs only: sizes are the encoded
     * frames): frames leave at {@code bytesPerSecond}; a frame sent while {@code capBytes} or more
     * are still queued is dropped and counted, as lcsd's transport drops frames when its 256 KiB
     * write queue to a peer is full. 0 turns it off (the default).
     */
    public void setLinkQueue(int capBytes, long bytesPerSecond) {
        if (capBytes > 0 && (!codec || bytesPerSecond <= 0)) {
            throw new IllegalArgumentException("a link queue needs the codec and a positive rate");
        }
        queueCapBytes = capBytes;
        queueBytesPerSecond = bytesPerSecond;
    }

    /** Frames dropped because a link's send queue was full ({@link #setLinkQueue}). */
    public long droppedQueueFull() {
        return droppedQueueFull;
    }

    // ------------------------------------------------------------------ faults

    public void setDelay(long minNanos, long maxNanos) {
        if (minNanos < 0 || maxNanos < minNanos) {
            throw new IllegalArgumentException("bad delay range " + minNanos + ".." + maxNanos);
        }
        minDelayNanos = minNanos;
        maxDelayNanos = maxNanos;
    }

    public long maxDelayNanos() {
        return maxDelayNanos;
    }

    public void setDuplication(double probability) {
        duplication = probability;
    }

    public void setLinkLoss(String from, String to, double probability) {
        linkLoss[idx(from)][idx(to)] = probability;
    }

    /** Extra loss on every link until {@link #heal()} or {@code setBurstLoss(0)}. */
    public void setBurstLoss(double probability) {
        burstLoss = probability;
    }

    /**
     * Nodes in different groups cannot talk; nodes named in no group form one more group together.
     * Replaces any earlier partition (one-way cuts stay).
     */
    public void partition(List<Set<String>> groups) {
        java.util.Arrays.fill(group, 0);
        int g = 1;
        for (Set<String> s : groups) {
            for (String name : s) {
                group[idx(name)] = g;
            }
            g++;
        }
    }

    /** Messages from {@code from} to {@code to} are dropped; the other direction still works. */
    public void cut(String from, String to) {
        cut[idx(from)][idx(to)] = true;
    }

    /** Ends partitions, one-way cuts and loss bursts (per-link loss stays). */
    public void heal() {
        java.util.Arrays.fill(group, 0);
        for (boolean[] row : cut) {
            java.util.Arrays.fill(row, false);
        }
        burstLoss = 0;
    }

    /** Sets per-link loss to zero on every link. */
    public void clearLinkLoss() {
        for (double[] row : linkLoss) {
            java.util.Arrays.fill(row, 0);
        }
    }

    public boolean connected(int from, int to) {
        return group[from] == group[to] && !cut[from][to];
    }

    // ------------------------------------------------------------------ traffic

    /** Puts {@code m} on the wire (or drops it, by the faults in force). */
    public void send(String from, String to, Message m, long nowNanos) {
        int f = idx(from);
        int t = idx(to);
        sent++;
        if (!connected(f, t) || lost(f, t)) {
            dropped++;
            return;
        }
        byte[] frame = null;
        long queuedNanos = 0;
        if (codec) {
            frame = WireCodec.encode(m);
            if (queueCapBytes > 0) {
                long freeAt = Math.max(queueFreeAtNanos[f][t], nowNanos);
                long queued = (freeAt - nowNanos) * queueBytesPerSecond / 1_000_000_000L;
                if (queued >= queueCapBytes) {
                    droppedQueueFull++;
                    dropped++;
                    return;
                }
                freeAt += frame.length * 1_000_000_000L / queueBytesPerSecond;
                queueFreeAtNanos[f][t] = freeAt;
                queuedNanos = freeAt - nowNanos;
            }
            bytes += frame.length;
            bytesByType.merge(m.getClass().getSimpleName(), (long) frame.length, Long::sum);
        }
        enqueue(f, t, m, frame, nowNanos + queuedNanos);
        if (duplication > 0 && random.nextDouble() < duplication) {
            duplicated++;
            enqueue(f, t, m, frame, nowNanos + queuedNanos);
        }
    }

    private boolean lost(int f, int t) {
        double p = linkLoss[f][t];
        if (burstLoss > 0) {
            p = 1 - (1 - p) * (1 - burstLoss);
        }
        return p > 0 && random.nextDouble() < p;
    }

    private void enqueue(int f, int t, Message m, byte[] frame, long nowNanos) {
        if (queue.size() >= MAX_IN_FLIGHT) {
            dropped++;
            return;
        }
        long delay = minDelayNanos == maxDelayNanos ? minDelayNanos
                : minDelayNanos + random.nextLong(maxDelayNanos - minDelayNanos + 1);
        queue.add(new InFlight(nowNanos + delay, nextSeq++, f, t, frame == null ? m : null, frame, nowNanos));
    }

    /** Puts a message back on the wire for delivery at {@code atNanos} (a paused receiver's backlog). */
    public void requeue(InFlight m, long atNanos) {
        queue.add(new InFlight(atNanos, nextSeq++, m.from, m.to, m.message, m.frame, m.sentNanos));
    }

    /** Delivery time of the next in-flight message, or {@link Long#MAX_VALUE} if none. */
    public long peekNanos() {
        InFlight m = queue.peek();
        return m == null ? Long.MAX_VALUE : m.deliverNanos;
    }

    public InFlight poll() {
        return queue.poll();
    }

    /**
     * The message {@code m} carries if it may be delivered now, else null (a partition or cut
     * started while it was on the wire). Decodes the frame when the codec is on.
     */
    public Message open(InFlight m) {
        if (!connected(m.from, m.to)) {
            dropped++;
            return null;
        }
        delivered++;
        if (m.frame == null) {
            return m.message;
        }
        try {
            return WireCodec.decode(m.frame);
        } catch (WireCodec.WireFormatException e) {
            throw new AssertionError("codec failed on its own frame from " + names.get(m.from) + ": "
                    + e.getMessage(), e);
        }
    }

    public String name(int i) {
        return names.get(i);
    }

    public int idx(String name) {
        Integer i = index.get(name);
        if (i == null) {
            throw new IllegalArgumentException("unknown node '" + name + "'");
        }
        return i;
    }

    public int inFlight() {
        return queue.size();
    }

    public long sent() {
        return sent;
    }

    public long dropped() {
        return dropped;
    }

    public long duplicated() {
        return duplicated;
    }

    public long delivered() {
        return delivered;
    }

    /** Encoded bytes sent so far per message type (codec runs only). */
    public java.util.Map<String, Long> bytesByType() {
        return new java.util.TreeMap<>(bytesByType);
    }

    public long bytes() {
        return bytes;
    }
}
