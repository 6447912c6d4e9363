package io.lcs.harness.sim;

import io.lcs.core.ClusterCore;
import io.lcs.core.CoreConfig;
import io.lcs.core.CoreEvent;
import io.lcs.core.Ready;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.StoredObject;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * One simulated lcsd: a {@link ClusterCore}, its "disk" (persisted objects and epochs) and its
 * clocks. {@link #apply} handles a {@link Ready} in the order its Javadoc demands: persist, then
 * send, then events. A crash drops the core and everything not on disk; a restart builds a new core
 * from the disk. A freeze (SIGSTOP) stops the node's steps while its clocks run on; a suspend also
 * stops its monotonic clock (the wall clock runs on).
 */
public final class SimNode {
    /** Bound on messages held for a paused node (a TCP buffer would not hold more either). */
    public static final int MAX_PARKED = 100_000;

    public enum Status { UP, FROZEN, SUSPENDED, CRASHED }

    final int index;
    final String name;
    /** The configuration it runs with; replaced only by {@link #reconfigure} (a restart). */
    CoreConfig config;
    /** The membership hash it ran with before its last {@link #reconfigure}, and since when (real time) it runs the new one. */
    long previousHash;
    long reconfiguredAtNanos = Long.MIN_VALUE / 2;
    final SimClock.NodeClock clock;
    final TreeMap<ObjectKey, StoredObject> diskObjects = new TreeMap<>();
    final TreeMap<String, Long> diskEpochs = new TreeMap<>();
    final ArrayDeque<SimNetwork.InFlight> parked = new ArrayDeque<>();
    ClusterCore core;
    Status status = Status.UP;
    /** Bumped on every crash, restart, pause and resume: a tick scheduled under an older one is void. */
    int generation;
    int incarnation;
    /** Real time this node was last not crashed (now, while it is not crashed). */
    long crashedAtNanos = -1;
    /** This node's monotonic time when its last freeze or suspend began. */
    long pausedAtMonoNanos;

    SimNode(int index, CoreConfig config, SimClock.NodeClock clock) {
        this.index = index;
        this.name = config.self();
        this.config = config;
        this.clock = clock;
    }

    public String name() {
        return name;
    }

    public Status status() {
        return status;
    }

    /** The running core, or null while crashed. */
    public ClusterCore core() {
        return core;
    }

    public SimClock.NodeClock clock() {
        return clock;
    }

    public Map<ObjectKey, StoredObject> diskObjects() {
        return diskObjects;
    }

    public Map<String, Long> diskEpochs() {
        return diskEpochs;
    }

    /** This node's clock when it last stopped cleanly, until the next start consumes it; -1: none. */
    private long cleanStopMonoNanos = -1;
    /** Starts whose restart wait a clean stop shortened, and of those the ones that voted at once. */
    long shortenedStarts;
    long immediateStarts;

    void start(SplittableRandom random) {
        long now = clock.monoNanos();
        long full = ClusterCore.fullRestartWaitNanos(config);
        // lcsd's record of a clean stop (CleanStop): the start waits what is left of the stop's whole
        // wait, on this node's own clock, and consumes the record; without one, the whole wait
        long wait = cleanStopMonoNanos < 0 ? full : Math.max(0, cleanStopMonoNanos + full - now);
        cleanStopMonoNanos = -1;
        if (wait < full) {
            shortenedStarts++;
            if (wait == 0) {
                immediateStarts++;
            }
        }
        core = new ClusterCore(config, diskObjects.values(), diskEpochs, now, wait,
                new SplittableRandom(random.nextLong()));
        status = Status.UP;
        generation++;
        incarnation++;
        crashedAtNanos = -1;
    }

    /** An operator changed this node's lcs.conf and restarted it: a crash, then a start with {@code next}. */
    void reconfigure(CoreConfig next, SplittableRandom random, long realNanos) {
        previousHash = config.configHash();
        reconfiguredAtNanos = realNanos;
        crash(realNanos);
        config = next;
        start(random);
    }

    /**
     * A clean stop (SIGTERM): the process ends as in a crash (it releases nothing here, a harder
     * case than lcsd's own stop), and records on this node's clock when it stopped granting.
     */
    void stopCleanly(long realNanos) {
        crash(realNanos);
        cleanStopMonoNanos = clock.monoNanos();
    }

    void crash(long realNanos) {
        cleanStopMonoNanos = -1;
        core = null;
        status = Status.CRASHED;
        clock.resume();
        generation++;
        parked.clear();
        crashedAtNanos = realNanos;
    }

    /** Persists, then sends, then hands events over: the order {@link Ready} requires. */
    void apply(Ready ready, SimNetwork network, long realNanos, BiConsumer<SimNode, CoreEvent> events) {
        if (ready.isEmpty()) {
            return;
        }
        for (StoredObject o : ready.persistObjects()) {
            diskObjects.put(o.key(), o);
        }
        for (ObjectKey k : ready.forgetObjects()) {
            diskObjects.remove(k);
        }
        diskEpochs.putAll(ready.persistEpochs());
        for (Ready.Outbound out : ready.messages()) {
            network.send(name, out.to(), out.message(), realNanos);
        }
        for (CoreEvent e : ready.events()) {
            events.accept(this, e);
        }
    }
}
