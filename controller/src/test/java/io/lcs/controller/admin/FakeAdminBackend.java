package io.lcs.controller.admin;

import io.lcs.model.api.ConflictAck;
import io.lcs.model.api.LcsObject;
import io.lcs.model.api.Move;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectMeta;
import io.lcs.model.api.VirtualIP;
import io.lcs.model.status.ClusterEvent;
import io.lcs.model.status.ClusterStatus;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** In-memory {@link AdminBackend} for the admin API tests: one node, writes refused without quorum. */
final class FakeAdminBackend implements AdminBackend {
    final TreeMap<String, VirtualIP> vips = new TreeMap<>();
    final List<ClusterEvent> events = new CopyOnWriteArrayList<>();
    final List<Consumer<ClusterEvent>> listeners = new CopyOnWriteArrayList<>();
    final List<String> nodeActions = new CopyOnWriteArrayList<>();
    /** Every write method called, e.g. {@code "apply 1"}, {@code "move web b"}: a refused request adds none. */
    final List<String> writes = new CopyOnWriteArrayList<>();
    volatile boolean quorum = true;
    volatile boolean ready = true;
    long seq;

    FakeAdminBackend() {
        vips.put("web", withStatus(VirtualIP.of(new ObjectMeta("web", 3L, 1L, Instant.parse("2025-01-01T00:00:00Z"),
                null), new VirtualIP.Spec("198.18.0.201/24", "eth0", List.of("a", "b"), null)), "active", "a", 11L));
    }

    static VirtualIP withStatus(VirtualIP v, String state, String owner, Long epoch) {
        return new VirtualIP(v.apiVersion(), v.kind(), v.metadata(), v.spec(),
                new VirtualIP.Status(state, owner, epoch, 3.9, 1L, null, 1L, List.of()));
    }

    @Override
    public ClusterStatus status() {
        List<ClusterStatus.VipStatus> vs = new ArrayList<>();
        for (VirtualIP v : vips.values()) {
            vs.add(new ClusterStatus.VipStatus(v.metadata().name(), v.spec().address(), v.spec().interfaceName(),
                    v.status() == null ? "pending" : v.status().state(), v.status() == null ? null : v.status().owner(),
                    v.status() == null || v.status().epoch() == null ? 0 : v.status().epoch(), 3.9, 1, List.of()));
        }
        return new ClusterStatus("demo", "a", "0.1.0-test", new ClusterStatus.Quorum(quorum, quorum ? 3 : 1, 2, 3),
                List.of(new ClusterStatus.NodeStatus("a", "full-member", true, true, true, null, null, false, false),
                        new ClusterStatus.NodeStatus("b", "full-member", true, false, true, 0.3, 0.4, false, false),
                        new ClusterStatus.NodeStatus("c", "quorum-only", quorum, false, true, 0.2, 0.5, false, false)),
                vs, !quorum);
    }

    @Override
    public List<VirtualIP> vips() {
        return List.copyOf(vips.values());
    }

    @Override
    public Optional<VirtualIP> vip(String name) {
        return Optional.ofNullable(vips.get(name));
    }

    final TreeMap<String, io.lcs.model.api.Service> services = new TreeMap<>();

    @Override
    public List<io.lcs.model.api.Service> services() {
        return List.copyOf(services.values());
    }

    @Override
    public Optional<io.lcs.model.api.Service> service(String name) {
        return Optional.ofNullable(services.get(name));
    }

    /** What {@link #reload} answers: a result, or (when set) this refusal. */
    volatile ReloadResult reloadResult = new ReloadResult("unchanged", List.of("no VIP or setting changed"));
    volatile AdminException reloadRefusal;

    @Override
    public Future<ReloadResult> reload() {
        writes.add("reload");
        return reloadRefusal != null ? Future.failedFuture(reloadRefusal) : Future.succeededFuture(reloadResult);
    }

    private Future<Void> needQuorum() {
        return quorum ? Future.succeededFuture()
                : Future.failedFuture(AdminException.noQuorum("no quorum: 1 of 3 votes, need 2"));
    }

    @Override
    public Future<List<ApplyResult>> apply(List<LcsObject> objects) {
        writes.add("apply " + objects.size());
        return needQuorum().map(v -> {
            List<ApplyResult> out = new ArrayList<>();
            for (LcsObject o : objects) {
                VirtualIP vip = (VirtualIP) o;
                VirtualIP old = vips.get(vip.metadata().name());
                ApplyResult.Outcome outcome = old == null ? ApplyResult.Outcome.created
                        : old.spec().equals(vip.spec()) ? ApplyResult.Outcome.unchanged : ApplyResult.Outcome.configured;
                if (outcome != ApplyResult.Outcome.unchanged) {
                    vips.put(vip.metadata().name(), vip);
                }
                out.add(new ApplyResult(o.kind(), o.metadata().name(), outcome));
            }
            return out;
        });
    }

    @Override
    public Future<Void> delete(ObjectKey key) {
        writes.add("delete " + key.name());
        return needQuorum().compose(v -> vips.remove(key.name()) == null
                ? Future.failedFuture(AdminException.notFound(key.kind(), key.name())) : Future.succeededFuture());
    }

    @Override
    public Future<Move> move(String vip, String toOrNull) {
        writes.add("move " + vip + " " + toOrNull);
        return needQuorum().compose(v -> {
            VirtualIP x = vips.get(vip);
            if (x == null) {
                return Future.failedFuture(AdminException.notFound(VirtualIP.KIND, vip));
            }
            if (toOrNull != null && !List.of("a", "b").contains(toOrNull)) {
                return Future.failedFuture(AdminException.notFound("node", toOrNull));
            }
            return Future.succeededFuture(new Move(LcsObject.API_VERSION, Move.KIND, ObjectMeta.named(vip),
                    new Move.Spec(vip, toOrNull, x.status().epoch())));
        });
    }

    @Override
    public Future<ConflictAck> ack(String vip) {
        writes.add("ack " + vip);
        return needQuorum().compose(v -> {
            VirtualIP x = vips.get(vip);
            if (x == null) {
                return Future.failedFuture(AdminException.notFound(VirtualIP.KIND, vip));
            }
            if (!"conflict".equals(x.status().state())) {
                return Future.failedFuture(AdminException.conflict("VirtualIP '" + vip + "' is not in conflict"));
            }
            return Future.succeededFuture(new ConflictAck(LcsObject.API_VERSION, ConflictAck.KIND,
                    ObjectMeta.named(vip), new ConflictAck.Spec(vip, x.status().epoch())));
        });
    }

    private Future<Void> nodeAction(String action, String node) {
        writes.add(action + " " + node);
        return needQuorum().compose(v -> {
            if (!List.of("a", "b", "c").contains(node)) {
                return Future.failedFuture(AdminException.notFound("node", node));
            }
            nodeActions.add(action + " " + node);
            return Future.succeededFuture();
        });
    }

    @Override
    public Future<Void> cordon(String node) {
        return nodeAction("cordon", node);
    }

    @Override
    public Future<Void> uncordon(String node) {
        return nodeAction("uncordon", node);
    }

    @Override
    public Future<Void> drain(String node) {
        return nodeAction("drain", node);
    }

    @Override
    public List<ClusterEvent> events(long afterSeq, int limit) {
        return events.stream().filter(e -> e.seq() > afterSeq).limit(limit).toList();
    }

    /** Records an event and tells the subscribers, from the calling thread. */
    ClusterEvent emit(String type, String object, String message) {
        ClusterEvent e;
        synchronized (this) {
            e = new ClusterEvent(++seq, Instant.parse("2025-01-01T00:00:00Z").plusSeconds(seq), type, object, "a",
                    message);
        }
        events.add(e);
        listeners.forEach(l -> l.accept(e));
        return e;
    }

    /** The admin API's own events ({@link AdminEvents}), recorded as the daemon does: about this node. */
    void record(String type, String message) {
        emit(type, "node/a", message);
    }

    @Override
    public Subscription subscribe(Consumer<ClusterEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public boolean ready() {
        return ready;
    }

    @Override
    public String version() {
        return "0.1.0-test";
    }
}
