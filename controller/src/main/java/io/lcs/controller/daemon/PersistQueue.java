package io.lcs.controller.daemon;

import io.lcs.core.CoreEvent;
import io.lcs.core.Ready;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.StoredObject;
import io.lcs.model.wire.Message;
import io.vertx.core.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Applies the core's {@link Ready} batches in the order {@link Ready} demands (persist, then send,
 * then deliver) without waiting for the disk on the event loop: the state to persist goes to a
 * persistence executor (one persist at a time), and the messages and events of that Ready, and of
 * every later one, are held on the event loop until it is durable, then released in their original
 * order. So a later Ready's messages never overtake an earlier Ready's (FIFO per peer holds), and
 * nothing that promises durability (a {@code WriteAck}, an {@code Accepted} that raised an epoch, a
 * write completion, a lease acquired) is seen before the disk has it.
 *
 * <p><b>What does not wait.</b> A Ready that needs no persist while nothing is held is applied at
 * once, as before (heartbeats, lease renewals, replies that changed nothing). Heartbeats are sent at
 * once even behind a pending persist: they promise nothing durable (their store digest may name an
 * object not yet on disk, which only makes a peer compare versions), and they keep the peers from
 * declaring this node down while its disk is slow; a node whose disk is stuck still loses its leases,
 * since its lease messages wait.
 *
 * <p><b>Coalescing.</b> Readies that arrive while a persist runs are written together by the next
 * one: one {@link CoreDriver.Durable#persist} call (one {@code StateDirectory.writeBatch}) for all
 * of them, the last write of a key winning and each VIP keeping its highest epoch.
 *
 * <p><b>Limit.</b> At most {@link #MAX_HELD_READIES} Readies keep their messages while they wait;
 * past that, a Ready's messages are dropped (counted, logged once per stall), as a lossy network
 * would drop them: every protocol step tolerates a lost message. Its state is still persisted and its
 * events still delivered in order.
 *
 * <p><b>Disk failure</b> is fail-stop, as before: a persist that fails with an I/O error halts the
 * JVM with exit code 70 from the persistence thread, before anything that depends on it is
 * released. The kernel lifetimes remove the VIPs; systemd restarts lcsd. Content the state directory
 * refuses (a bug: everything is validated before the core) does not stop lcsd: the messages of the
 * Readies of that persist are dropped and their write completions fail.
 *
 * <p>Threading: {@link #accept}, {@link #idle} and the sink run on the driver's context; the
 * {@link CoreDriver.Durable} runs on the executor, one call at a time.
 */
final class PersistQueue {
    private static final Logger LOG = System.getLogger("io.lcs.core");
    /**
     * Readies held with their messages while a persist is pending: at the few tens of Readies a
     * second a busy node drains, well over ten seconds of a disk that does not answer, by which
     * time every lease this node held has expired; a few KiB each with 1,000 VIPs, so at most a
     * few MiB of the 48 MiB heap.
     */
    static final int MAX_HELD_READIES = 1_024;

    /** Where released messages and events go; called on the context, in order. */
    interface Sink {
        void send(Ready.Outbound message);

        /** @param persistFailure why the Ready's state could not be persisted (its messages were dropped), or null */
        void deliver(CoreEvent event, String persistFailure);

        /** Some held Readies were released (after their messages and events went to this sink). */
        void released();
    }

    /** One held Ready: what it still has to send and deliver; durable once its persist returned. */
    private static final class Held {
        final List<Ready.Outbound> messages;
        final List<CoreEvent> events;
        final Ready persist;
        boolean durable;
        /** Why the persist of this Ready failed without stopping lcsd (its messages are then dropped), or null. */
        String persistFailure;

        Held(List<Ready.Outbound> messages, List<CoreEvent> events, Ready persist) {
            this.messages = messages;
            this.events = events;
            this.persist = persist;
            this.durable = persist == null;
        }
    }

    private final CoreDriver.Durable durable;
    private final Executor executor;
    private final Context context;
    private final Sink sink;
    private final LongSupplier monotonic;
    private final LongConsumer persistObserver;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    /** Held Readies whose state is not yet handed to the executor. */
    private final List<Held> unwritten = new ArrayList<>();
    private final int maxHeldReadies;
    private boolean persisting;
    private long persists;
    /** Written on the context only; read by metrics scrapes on other threads. */
    private volatile long messagesDropped;
    private boolean dropLogged;

    /**
     * @param executor runs {@code durable}, off the event loop; the queue never submits a second
     *     persist before the first returned. A direct executor (running the task in the caller)
     *     persists on the calling thread and releases at once, as a blocking persist would
     * @param persistObserver told the duration of each persist, in nanoseconds, on the executor
     */
    PersistQueue(CoreDriver.Durable durable, Executor executor, Context context, Sink sink, LongSupplier monotonic,
                 LongConsumer persistObserver) {
        this(durable, executor, context, sink, monotonic, persistObserver, MAX_HELD_READIES);
    }

    /** As above, holding the messages of at most {@code maxHeldReadies} Readies (tests use a small one). */
    PersistQueue(CoreDriver.Durable durable, Executor executor, Context context, Sink sink, LongSupplier monotonic,
                 LongConsumer persistObserver, int maxHeldReadies) {
        this.maxHeldReadies = maxHeldReadies;
        this.durable = durable;
        this.executor = executor;
        this.context = context;
        this.sink = sink;
        this.monotonic = monotonic;
        this.persistObserver = persistObserver;
    }

    /** Takes the next Ready: applied now when it can be, else held (and its state persisted). */
    void accept(Ready r) {
        if (held.isEmpty() && !r.needsPersist()) {
            for (Ready.Outbound o : r.messages()) {
                sink.send(o);
            }
            for (CoreEvent e : r.events()) {
                sink.deliver(e, null);
            }
            return;
        }
        List<Ready.Outbound> later = new ArrayList<>(r.messages().size());
        for (Ready.Outbound o : r.messages()) {
            if (o.message() instanceof Message.Heartbeat) {
                sink.send(o); // promises nothing durable: see the class comment
            } else {
                later.add(o);
            }
        }
        if (held.size() >= maxHeldReadies && !later.isEmpty()) {
            messagesDropped += later.size();
            if (!dropLogged) {
                dropLogged = true;
                LOG.log(Level.WARNING, held.size() + " batches of messages wait for the disk (limit "
                        + maxHeldReadies + "): further messages are dropped until it catches up");
            }
            later = List.of();
        }
        Held h = new Held(later, r.events(), r.needsPersist() ? r : null);
        held.addLast(h);
        if (h.persist != null) {
            unwritten.add(h);
            persistNext();
        }
    }

    /** Nothing is held: every Ready accepted so far has been applied. */
    boolean idle() {
        return held.isEmpty();
    }

    /** Persists started so far; any thread. */
    synchronized long persists() {
        return persists;
    }

    /** Messages dropped because {@link #MAX_HELD_READIES} Readies were waiting; any thread. */
    long messagesDropped() {
        return messagesDropped;
    }

    private void persistNext() {
        if (persisting || unwritten.isEmpty()) {
            return;
        }
        List<Held> batch = List.copyOf(unwritten);
        unwritten.clear();
        // the last write of a key wins (a forget is a write of nothing); epochs only grow
        Map<ObjectKey, StoredObject> writes = new LinkedHashMap<>();
        Map<String, Long> epochs = new TreeMap<>();
        for (Held h : batch) {
            for (StoredObject o : h.persist.persistObjects()) {
                writes.remove(o.key());
                writes.put(o.key(), o);
            }
            for (ObjectKey k : h.persist.forgetObjects()) {
                writes.remove(k);
                writes.put(k, null);
            }
            h.persist.persistEpochs().forEach((vip, epoch) -> epochs.merge(vip, epoch, Math::max));
        }
        List<StoredObject> objects = new ArrayList<>();
        List<ObjectKey> forget = new ArrayList<>();
        writes.forEach((k, o) -> {
            if (o == null) {
                forget.add(k);
            } else {
                objects.add(o);
            }
        });
        persisting = true;
        synchronized (this) {
            persists++;
        }
        Thread submitter = Thread.currentThread();
        executor.execute(() -> {
            long start = monotonic.getAsLong();
            String failure = null;
            try {
                durable.persist(List.copyOf(objects), List.copyOf(forget), Map.copyOf(epochs));
            } catch (IOException | UncheckedIOException | Error e) {
                // Fail-stop, for a local disk that cannot persist (or a JVM that cannot go on) and for
                // nothing else: acknowledging what is not on disk could lose an acknowledged write or an
                // epoch. Nothing that depends on it has left. The kernel lifetime removes our VIPs;
                // systemd restarts us. Remote input never gets here as content: PeerObjectFilter admits
                // only objects the state directory can hold.
                LOG.log(Level.ERROR, "cannot persist state, stopping: " + e.getMessage(), e);
                Runtime.getRuntime().halt(70);
            } catch (RuntimeException e) {
                // The state directory refused an object's content (a key or body it cannot hold): a
                // bug, since peers' objects and local writes are validated before the core. Never stop
                // on it (the object would come back by anti-entropy after every restart). What is not
                // on disk is not acknowledged: the messages of the Readies of this persist are dropped,
                // a lost round that every protocol step tolerates (their epochs are on disk: see
                // StatePersistence), and their write completions fail.
                failure = String.valueOf(e.getMessage());
                LOG.log(Level.ERROR, "cannot persist an object, its acknowledgement is not sent: " + e.getMessage(), e);
            }
            long took = monotonic.getAsLong() - start;
            String why = failure;
            if (Thread.currentThread() == submitter) {
                persisted(batch, why); // a direct executor: persisted in the caller, released at once
            } else {
                context.runOnContext(v -> persisted(batch, why));
            }
            persistObserver.accept(took);
        });
    }

    private void persisted(List<Held> batch, String failure) {
        persisting = false;
        for (Held h : batch) {
            h.durable = true;
            h.persistFailure = failure;
        }
        boolean released = false;
        while (!held.isEmpty() && held.peekFirst().durable) {
            Held h = held.pollFirst();
            released = true;
            for (Ready.Outbound o : h.persistFailure == null ? h.messages : List.<Ready.Outbound>of()) {
                sink.send(o);
            }
            for (CoreEvent e : h.events) {
                sink.deliver(e, h.persistFailure);
            }
        }
        if (held.size() < maxHeldReadies) {
            dropLogged = false; // the next time the limit is hit is logged again
        }
        persistNext();
        if (released) {
            sink.released();
        }
    }
}
