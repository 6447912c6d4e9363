package io.lcs.controller.daemon;

import io.lcs.model.status.ClusterEvent;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The bounded history of what happened on this node ({@code lcs get events}), with subscribers for
 * the watch stream. Thread-safe; listeners run on the appending thread and must not block.
 */
public final class EventLog {
    /** 1,000 events: hours of history on a quiet cluster, ~200 KiB at most. */
    public static final int CAPACITY = 1_000;

    private final Clock clock;
    private final String node;
    private final ArrayDeque<ClusterEvent> events = new ArrayDeque<>();
    private final List<Consumer<ClusterEvent>> listeners = new CopyOnWriteArrayList<>();
    private long nextSeq = 1;

    public EventLog(Clock clock, String node) {
        this.clock = clock;
        this.node = node;
    }

    public ClusterEvent append(String type, String object, String message) {
        ClusterEvent e;
        synchronized (this) {
            e = new ClusterEvent(nextSeq++, clock.instant(), type, object, node, message);
            if (events.size() == CAPACITY) {
                events.removeFirst();
            }
            events.addLast(e);
        }
        for (Consumer<ClusterEvent> l : listeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                System.getLogger("io.lcs.events").log(System.Logger.Level.WARNING, "event listener failed", ex);
            }
        }
        return e;
    }

    /** Events with {@code seq > afterSeq}, oldest first, at most {@code limit}. */
    public synchronized List<ClusterEvent> after(long afterSeq, int limit) {
        List<ClusterEvent> out = new ArrayList<>();
        for (ClusterEvent e : events) {
            if (e.seq() > afterSeq) {
                out.add(e);
                if (out.size() >= limit) {
                    break;
                }
            }
        }
        return out;
    }

    /** @return a handle that unsubscribes */
    public AutoCloseable subscribe(Consumer<ClusterEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
