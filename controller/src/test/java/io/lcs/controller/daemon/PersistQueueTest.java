package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.core.CoreEvent;
import io.lcs.core.Ready;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.wire.Message;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The limit on Readies that keep their messages while a persist is pending. */
class PersistQueueTest {
    private final Vertx vertx = Vertx.vertx();
    private final ExecutorService persistThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void close() {
        persistThread.shutdownNow();
        vertx.close();
    }

    private static Ready ready(Map<String, Long> epochs, String to, long id) {
        return new Ready(List.of(), List.of(), epochs,
                List.of(new Ready.Outbound(to, new Message.ReadRequest(id, new ObjectKey("VirtualIP", "web")))),
                List.of(new CoreEvent.PeerUp(to + id, false)));
    }

    private static void onContext(Context ctx, Runnable step) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        ctx.runOnContext(v -> {
            step.run();
            done.countDown();
        });
        assertTrue(done.await(10, TimeUnit.SECONDS));
    }

    @Test
    void pastTheLimitAWaitingReadysMessagesAreDroppedAndCountedButItsEventsStillComeInOrder() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        Context ctx = vertx.getOrCreateContext();
        PersistQueue queue = new PersistQueue((o, f, e) -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }, persistThread, ctx, new PersistQueue.Sink() {
            @Override
            public void send(Ready.Outbound m) {
                out.add("send " + ((Message.ReadRequest) m.message()).requestId());
            }

            @Override
            public void deliver(CoreEvent e, String persistFailure) {
                out.add("event " + ((CoreEvent.PeerUp) e).peer());
            }

            @Override
            public void released() {
            }
        }, System::nanoTime, nanos -> { }, 3);

        onContext(ctx, () -> {
            queue.accept(ready(Map.of("web", 1L), "b", 1)); // waits for its persist
            queue.accept(ready(Map.of(), "b", 2)); // wait behind it: 2 and 3 keep their messages
            queue.accept(ready(Map.of(), "b", 3));
            queue.accept(ready(Map.of(), "b", 4)); // the fourth waiting Ready: past the limit of 3
        });
        assertEquals(List.of(), out, "nothing leaves before the persist");
        assertEquals(1, queue.messagesDropped());

        release.countDown();
        for (int i = 0; i < 1_000 && out.size() < 7; i++) { // at most 10 s: a loaded machine
            Thread.sleep(10);
        }
        assertEquals(List.of("send 1", "event b1", "send 2", "event b2", "send 3", "event b3", "event b4"), out);
        onContext(ctx, () -> assertTrue(queue.idle()));
    }
}
