package io.lcs.controller.admin;

import io.lcs.model.api.ConflictAck;
import io.lcs.model.api.LcsObject;
import io.lcs.model.api.Move;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.VirtualIP;
import io.lcs.model.status.ClusterEvent;
import io.lcs.model.status.ClusterStatus;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The daemon as the admin API sees it. {@link AdminServer} calls every method on its event loop:
 * the synchronous ones must answer from memory without blocking; the {@link Future} ones may take
 * as long as a quorum write takes, and must not block either.
 *
 * <p>Failures: throw (synchronous methods) or fail the future with {@link AdminException} to give the
 * client a specific status and code (e.g. {@link AdminException#noQuorum}, {@link
 * AdminException#notFound}); anything else becomes a 500 {@code INTERNAL}.
 *
 * <p>Writes ({@code apply}, {@code delete}, {@code move}, {@code ack}, {@code cordon}, {@code
 * uncordon}, {@code drain}) complete only after a majority acknowledged them; without quorum they
 * fail with {@link AdminException#noQuorum} and change nothing.
 */
public interface AdminBackend {

    /** This node's current view; {@code stale} is true without quorum. */
    ClusterStatus status();

    /** Every VirtualIP, with its observed {@code status}, ordered by name (services are {@link #services}). */
    List<VirtualIP> vips();

    Optional<VirtualIP> vip(String name);

    /** Every Service ({@code [service]} of lcs.conf or applied), with its observed {@code status}, by name. */
    List<io.lcs.model.api.Service> services();

    Optional<io.lcs.model.api.Service> service(String name);

    /**
     * Creates or updates each object, all already validated by the API. Idempotent: applying the
     * same spec again yields {@code unchanged} and writes nothing.
     *
     * @return one result per object, in the order given
     */
    Future<List<ApplyResult>> apply(List<LcsObject> objects);

    /**
     * {@link #apply(List)} of the manifest {@code source} names (a file name, or the API's default
     * {@code request body}): problems are reported as {@code SOURCE: document N ...}.
     */
    default Future<List<ApplyResult>> apply(List<LcsObject> objects, String source) {
        return apply(objects);
    }

    /** Deletes (tombstones) one object; fails with {@link AdminException#notFound} if absent. */
    Future<Void> delete(ObjectKey key);

    /**
     * Checks that every one of {@code keys} may be deleted before any is (a {@code delete -f}
     * manifest is refused whole, e.g. if it names a VIP of lcs.conf); fails with
     * {@link AdminException#invalid} listing every problem. Absent objects are not a problem here.
     */
    default Future<Void> checkDelete(List<ObjectKey> keys) {
        return Future.succeededFuture();
    }

    /** {@link #checkDelete(List)} of the manifest {@code source} names, as {@link #apply(List, String)}. */
    default Future<Void> checkDelete(List<ObjectKey> keys, String source) {
        return checkDelete(keys);
    }

    /**
     * Writes a {@link Move} intent for VIP {@code vip}: to node {@code toOrNull}, or to any other
     * eligible node when null. Fails with NOT_FOUND (no such VIP or node) or INVALID (target not
     * eligible, e.g. quorum-only or cordoned).
     *
     * @return the intent as written (with {@code spec.fromEpoch} set)
     */
    Future<Move> move(String vip, String toOrNull);

    /** Writes a {@link ConflictAck} for VIP {@code vip} at its current epoch; CONFLICT if it is not in conflict. */
    Future<ConflictAck> ack(String vip);

    /** Keeps new VIPs off {@code node}. Idempotent. NOT_FOUND if no such node. */
    Future<Void> cordon(String node);

    /**
     * {@code lcs stop} ({@code stopped} true) or {@code lcs start}: replicated desired state.
     *
     * @return true if it changed, false if the VIP was already so
     */
    default Future<Boolean> setStopped(String vip, boolean stopped) {
        return Future.failedFuture(new UnsupportedOperationException("stop/start"));
    }

    /** {@code lcs clear}: lets the VIP fail back to its home node again; true if a block was cleared. */
    default Future<Boolean> clearHomeBlock(String vip) {
        return Future.failedFuture(new UnsupportedOperationException("clear"));
    }

    /**
     * {@code lcs reload}: re-reads lcs.conf as SIGHUP does ({@code systemctl reload lcsd}) and applies
     * it if only {@code [vip]} sections changed. Unlike the other methods it reads a file: the
     * implementation runs that off the event loop. Fails with {@link AdminException#invalid} naming
     * every reason when the reload is refused (nothing changed then).
     */
    default Future<ReloadResult> reload() {
        return Future.failedFuture(new UnsupportedOperationException("reload"));
    }

    /**
     * What a reload did.
     *
     * @param outcome {@code applied} or {@code unchanged}
     * @param messages what changed and every warning, one sentence each
     */
    record ReloadResult(String outcome, List<String> messages) {
        public ReloadResult {
            messages = List.copyOf(messages);
        }
    }

    /** Removes the cordon/drain intent of {@code node}. Idempotent. */
    Future<Void> uncordon(String node);

    /** Cordons {@code node} and moves the VIPs it holds away. Completes once the intent is written. */
    Future<Void> drain(String node);

    /**
     * Events with {@code seq > afterSeq}, oldest first, at most {@code limit} (1..{@link
     * AdminServer#MAX_EVENTS_PER_REQUEST}). The history is bounded: old events are forgotten.
     */
    List<ClusterEvent> events(long afterSeq, int limit);

    /**
     * Registers {@code listener} for every event recorded from now on, in {@code seq} order. The
     * listener may be called on any thread and must return quickly (the server hops to its own
     * event loop); it is never called after {@link Subscription#cancel()} returns.
     */
    Subscription subscribe(Consumer<ClusterEvent> listener);

    /** True once the node has loaded its state and joined the cluster (drives {@code /readyz}). */
    boolean ready();

    /** The daemon's version, e.g. {@code 0.1.0}. */
    String version();

    /** Handle of one {@link #subscribe} registration. */
    interface Subscription {
        /** Stops delivery. Idempotent. */
        void cancel();
    }
}
