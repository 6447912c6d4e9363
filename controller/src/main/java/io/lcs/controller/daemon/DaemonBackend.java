package io.lcs.controller.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.controller.admin.AdminBackend;
import io.lcs.controller.admin.AdminException;
import io.lcs.controller.admin.ApplyResult;
import io.lcs.core.Views.LeaseView;
import io.lcs.core.Views.PeerView;
import io.lcs.core.WriteOp;
import io.lcs.core.WriteResult;
import io.lcs.model.api.ConflictAck;
import io.lcs.model.api.DesiredStateValidator;
import io.lcs.model.api.LcsObject;
import io.lcs.model.api.Move;
import io.lcs.model.api.NodeIntent;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectMeta;
import io.lcs.model.api.ResourceIntent;
import io.lcs.model.config.GroupRules;
import io.lcs.model.api.Service;
import io.lcs.model.api.VirtualIP;
import io.lcs.model.codec.LcsJson;
import io.lcs.model.codec.ManifestError;
import io.lcs.model.config.ClusterConfig;
import io.lcs.model.status.ClusterEvent;
import io.lcs.model.status.ClusterStatus;
import io.lcs.reconcilers.vip.VipSpec;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The daemon behind the admin API: reads answer from the latest {@link NodeSnapshot}; writes go
 * through the replicated store ({@link CoreDriver#write}) and complete once a majority holds them.
 */
public final class DaemonBackend implements AdminBackend {
    private static final System.Logger LOG = System.getLogger(DaemonBackend.class.getName());
    private final CoreDriver driver;
    private final StatusView statusView;
    private final EventLog events;
    private final String version;
    private final Clock clock;
    private final LongSupplier monotonic;
    private final Supplier<ClusterConfig> config;
    private volatile boolean ready;

    /**
     * @param config the lcs.conf in force (a reload replaces it): the VIPs, nodes and hook policy
     *     every change is checked against
     */
    public DaemonBackend(CoreDriver driver, StatusView statusView, EventLog events, String version, Clock clock,
                         LongSupplier monotonic, Supplier<ClusterConfig> config) {
        this.config = config;
        this.driver = driver;
        this.statusView = statusView;
        this.events = events;
        this.version = version;
        this.clock = clock;
        this.monotonic = monotonic;
    }

    public void markReady() {
        ready = true;
    }

    /** What {@code POST /api/v1/reload} runs (lcsd's reload, as on SIGHUP); until set, a reload fails. */
    private volatile java.util.concurrent.Callable<ConfigReload.Decision> reloader;

    public void reloader(java.util.concurrent.Callable<ConfigReload.Decision> reloader) {
        this.reloader = reloader;
    }

    /** Runs the reload on a worker thread of the calling event loop's Vert.x (it reads lcs.conf). */
    @Override
    public io.vertx.core.Future<ReloadResult> reload() {
        java.util.concurrent.Callable<ConfigReload.Decision> r = reloader;
        io.vertx.core.Context ctx = io.vertx.core.Vertx.currentContext();
        if (r == null || ctx == null) {
            return io.vertx.core.Future.failedFuture(new IllegalStateException("reload is not available yet"));
        }
        return ctx.executeBlocking(() -> reloadResult(r.call()), true);
    }

    /** The API's answer to a reload decision; a refusal is an INVALID error naming every reason. */
    static ReloadResult reloadResult(ConfigReload.Decision d) {
        if (d instanceof ConfigReload.ApplyVips a) {
            List<String> messages = new ArrayList<>();
            messages.add("VIPs " + a.summary() + "; unchanged VIPs stay where they are");
            messages.addAll(a.warnings());
            return new ReloadResult("applied", messages);
        }
        if (d instanceof ConfigReload.Refused r) {
            throw AdminException.invalid("reload refused: " + String.join("; ", r.reasons())
                    + (r.needsRestart() ? "; restart lcsd to apply these changes" : "; nothing was changed"), null);
        }
        return new ReloadResult("unchanged", List.of("no VIP or setting changed"));
    }

    @Override
    public ClusterStatus status() {
        return statusView.status(driver.snapshot(), monotonic.getAsLong());
    }

    @Override
    public List<VirtualIP> vips() {
        NodeSnapshot s = driver.snapshot();
        ClusterStatus st = statusView.status(s, monotonic.getAsLong());
        List<VirtualIP> out = new ArrayList<>();
        for (VipSpec v : s.vips()) {
            if (!v.isService()) {
                out.add(toVirtualIP(v, st));
            }
        }
        out.sort((a, b) -> a.metadata().name().compareTo(b.metadata().name()));
        return out;
    }

    @Override
    public List<Service> services() {
        NodeSnapshot s = driver.snapshot();
        ClusterStatus st = statusView.status(s, monotonic.getAsLong());
        List<Service> out = new ArrayList<>();
        for (VipSpec v : s.vips()) {
            if (v.isService()) {
                out.add(new Service(LcsObject.API_VERSION, Service.KIND, metadata(v),
                        new Service.Spec(v.hasUnit() ? v.systemdUnit() : null, v.preferredNodes(), hooks(v), v.grouping().group(),
                                v.grouping().priority(), v.grouping().homeNode(),
                                v.grouping().dependsOn().isEmpty() ? null : v.grouping().dependsOn(),
                                v.checks().isEmpty() ? null : v.checks(), v.stopWhenNoHealthyNode() ? "stop" : null),
                        status(v, st)));
            }
        }
        out.sort((a, b) -> a.metadata().name().compareTo(b.metadata().name()));
        return out;
    }

    @Override
    public Optional<Service> service(String name) {
        return services().stream().filter(v -> v.metadata().name().equals(name)).findFirst();
    }

    @Override
    public Optional<VirtualIP> vip(String name) {
        return vips().stream().filter(v -> v.metadata().name().equals(name)).findFirst();
    }

    private VirtualIP toVirtualIP(VipSpec v, ClusterStatus st) {
        return new VirtualIP(LcsObject.API_VERSION, VirtualIP.KIND, metadata(v),
                new VirtualIP.Spec(v.address().toString(), v.interfaceName(), v.preferredNodes(), hooks(v),
                        v.grouping().group(), v.grouping().priority(), v.grouping().homeNode(),
                        v.grouping().dependsOn().isEmpty() ? null : v.grouping().dependsOn(),
                        v.checks().isEmpty() ? null : v.checks(), v.stopWhenNoHealthyNode() ? "stop" : null,
                        v.announce() ? null : Boolean.FALSE),
                status(v, st));
    }

    private static VirtualIP.Hooks hooks(VipSpec v) {
        return v.preStart() == null && v.postStart() == null && v.preStop() == null && v.postStop() == null ? null
                : new VirtualIP.Hooks(v.preStart(), v.postStart(), v.preStop(), v.postStop());
    }

    private static VirtualIP.Status status(VipSpec v, ClusterStatus st) {
        ClusterStatus.VipStatus vs = st.vips().stream().filter(x -> x.name().equals(v.name())).findFirst()
                .orElse(null);
        return vs == null ? null : new VirtualIP.Status(vs.state(), vs.owner(), vs.epoch(),
                vs.leaseRemainingSeconds(), vs.failovers(), null, v.generation(), vs.conditions());
    }

    private ObjectMeta metadata(VipSpec v) {
        CoreDriver.VipMetadata meta = driver.vipMetadata(v.name());
        return new ObjectMeta(v.name(), meta == null ? null : meta.version(), v.generation() == 0 ? null : v.generation(),
                meta == null ? null : meta.created(), java.util.Map.of("lcs.io/source", v.source()));
    }

    /** How apply and delete problems name the input when the client did not name it. */
    static final String SOURCE = "request body";

    /** The desired state a change is checked against: lcs.conf in force, every VIP and HealthCheck applied so far. */
    private DesiredStateValidator.State state() {
        return new DesiredStateValidator.State(config.get(), driver.apiVips(), driver.apiCheckNames());
    }

    /** 400 INVALID listing every problem, one per line, {@code field} the first one's. */
    private static AdminException invalid(List<ManifestError> problems) {
        StringBuilder message = new StringBuilder();
        for (ManifestError p : problems) {
            message.append(message.length() == 0 ? "" : "\n").append(p);
        }
        String field = problems.get(0).fieldPath();
        return AdminException.invalid(message.toString(), field == null || field.isEmpty() ? null : field);
    }

    /**
     * Checks the whole change against the whole desired state first ({@link DesiredStateValidator}):
     * a manifest with any problem writes nothing.
     */
    @Override
    public Future<List<ApplyResult>> apply(List<LcsObject> objects) {
        return apply(objects, SOURCE);
    }

    @Override
    public Future<List<ApplyResult>> apply(List<LcsObject> objects, String source) {
        List<ManifestError> problems = DesiredStateValidator.validateApply(state(), source, objects);
        if (!problems.isEmpty()) {
            return Future.failedFuture(invalid(problems));
        }
        // one object after the other, in order, like kubectl apply
        Future<List<ApplyResult>> chain = Future.succeededFuture(new ArrayList<>());
        for (LcsObject o : objects) {
            chain = chain.compose(results -> put(o).map(r -> {
                results.add(new ApplyResult(o.kind(), o.metadata().name(), switch (r.outcome()) {
                    case CREATED -> ApplyResult.Outcome.created;
                    case CONFIGURED -> ApplyResult.Outcome.configured;
                    default -> ApplyResult.Outcome.unchanged;
                }));
                return results;
            }));
        }
        return chain;
    }

    private Future<WriteResult> put(LcsObject o) {
        ObjectNode body = LcsJson.json().valueToTree(o);
        body.remove("status");
        ObjectNode meta = body.with("metadata");
        meta.remove("version");
        meta.remove("generation");
        meta.put("creationTimestamp", clock.instant().toString());
        return write(new WriteOp.Put(o.key(), body));
    }

    private Future<WriteResult> write(WriteOp op) {
        return driver.write(op).compose(r -> switch (r.outcome()) {
            case CREATED, CONFIGURED, UNCHANGED, DELETED -> Future.succeededFuture(r);
            case NOT_FOUND -> Future.failedFuture(AdminException.notFound(op.key().kind(), op.key().name()));
            case NO_QUORUM -> Future.failedFuture(AdminException.noQuorum(r.message()));
            case TIMED_OUT -> Future.failedFuture(new AdminException(503, AdminException.NO_QUORUM, r.message(),
                    null));
        });
    }

    @Override
    public Future<Void> delete(ObjectKey key) {
        List<ManifestError> problems = DesiredStateValidator.validateDelete(state(), null, List.of(key));
        if (!problems.isEmpty()) {
            return Future.failedFuture(AdminException.invalid(problems.get(0).message(), "metadata.name"));
        }
        return write(new WriteOp.Delete(key)).mapEmpty();
    }

    @Override
    public Future<Void> checkDelete(List<ObjectKey> keys) {
        return checkDelete(keys, SOURCE);
    }

    @Override
    public Future<Void> checkDelete(List<ObjectKey> keys, String source) {
        List<ManifestError> problems = DesiredStateValidator.validateDelete(state(), source, keys);
        return problems.isEmpty() ? Future.succeededFuture() : Future.failedFuture(invalid(problems));
    }

    @Override
    public Future<Move> move(String vip, String toOrNull) {
        NodeSnapshot s = driver.snapshot();
        if (s.vip(vip) == null) {
            return Future.failedFuture(AdminException.notFound("VirtualIP or Service", vip));
        }
        if (s.addressConflicts().containsKey(vip)) {
            return Future.failedFuture(heldOut(s, vip));
        }
        if (s.stopped().contains(vip)) {
            return Future.failedFuture(AdminException.conflict(s.vip(vip).kind() + " " + vip + " is stopped (lcs stop); run lcs start "
                    + vip + " first"));
        }
        LeaseView lease = s.lease(vip);
        String owner = lease.ownerForMove(s.self());
        if (owner == null) {
            return Future.failedFuture(AdminException.conflict(s.vip(vip).kind() + " " + vip
                    + " has no owner now; it will be placed by itself (see lcs describe "
                    + (s.vip(vip).isService() ? "service " : "vip ") + vip + ")"));
        }
        if (toOrNull != null) {
            PeerView target = s.membership().nodes().stream().filter(p -> p.name().equals(toOrNull)).findFirst()
                    .orElse(null);
            if (target == null) {
                return Future.failedFuture(AdminException.notFound("node", toOrNull));
            }
            if (!target.fullMember()) {
                return Future.failedFuture(AdminException.invalid("node " + toOrNull
                        + " is quorum-only and never holds a VIP", "to"));
            }
            if (!target.online()) {
                return Future.failedFuture(AdminException.invalid("node " + toOrNull + " is offline", "to"));
            }
            if (s.cordoned().contains(toOrNull)) {
                return Future.failedFuture(AdminException.invalid("node " + toOrNull
                        + " is cordoned; lcs uncordon " + toOrNull + " first", "to"));
            }
            if (toOrNull.equals(owner)) {
                return Future.failedFuture(AdminException.conflict(s.vip(vip).kind() + " " + vip + " is already on " + owner));
            }
        }
        Move m = new Move(LcsObject.API_VERSION, Move.KIND, ObjectMeta.named(vip),
                new Move.Spec(vip, toOrNull, lease.epochForMove(s.self())));
        // the move is of the whole unit: a move away from its home blocks failback there; a move home
        // clears every block of the unit
        String home = home(s, vip);
        if (home == null) {
            return put(m).map(r -> m);
        }
        boolean away = toOrNull == null ? home.equals(owner) : !home.equals(toOrNull);
        boolean back = toOrNull != null && home.equals(toOrNull);
        if (away) {
            // the block first: a node that saw the move without it would fail the unit back home
            // at once (the target acquired and released it, and home took it back: a move undone)
            return resourceIntent(vip, spec -> new ResourceIntent.Spec(spec.stopped(), true))
                    .compose(blocked -> put(m).recover(e -> {
                        // no move: a block this move wrote would keep the unit from its home later
                        Future<Boolean> undo = blocked ? resourceIntent(vip,
                                spec -> new ResourceIntent.Spec(spec.stopped(), false)) : Future.succeededFuture(false);
                        return undo.transform(u -> {
                            if (u.failed()) {
                                LOG.log(System.Logger.Level.WARNING, "move of " + vip + " failed (" + e.getMessage() + ") and the"
                                        + " failback block it wrote could not be removed (" + u.cause().getMessage()
                                        + "); lcs clear " + vip + " removes it");
                            }
                            return Future.<WriteResult>failedFuture(e);
                        });
                    })).map(r -> m);
        }
        Future<WriteResult> written = put(m);
        return written.compose(r -> {
            Future<Void> chain = Future.succeededFuture();
            if (back) {
                for (String member : unitMembers(s, vip)) {
                    chain = chain.compose(v -> resourceIntent(member,
                            spec -> new ResourceIntent.Spec(spec.stopped(), false)).mapEmpty());
                }
            }
            return chain;
        }).map(v -> m);
    }

    @Override
    public Future<Boolean> setStopped(String vip, boolean stopped) {
        return resourceIntent(vip, spec -> new ResourceIntent.Spec(stopped, spec.homeBlocked()));
    }

    @Override
    public Future<Boolean> clearHomeBlock(String vip) {
        NodeSnapshot s = driver.snapshot();
        Future<Boolean> chain = Future.succeededFuture(false);
        for (String member : s.vip(vip) == null ? List.of(vip) : unitMembers(s, vip)) {
            chain = chain.compose(any -> resourceIntent(member,
                    spec -> new ResourceIntent.Spec(spec.stopped(), false)).map(changed -> any || changed));
        }
        return chain;
    }

    /** The home node of {@code vip}'s unit (its highest-priority member's that has one), or null. */
    private static String home(NodeSnapshot s, String vip) {
        List<String> ranked = new ArrayList<>(unitMembers(s, vip));
        java.util.Map<String, io.lcs.model.config.Grouping> groupings = new java.util.HashMap<>();
        for (String m : ranked) {
            VipSpec spec = s.vip(m);
            if (spec != null) {
                groupings.put(m, spec.grouping());
            }
        }
        ranked.sort(GroupRules.byPriority(groupings));
        for (String m : ranked) {
            VipSpec spec = s.vip(m);
            if (spec != null && spec.grouping().homeNode() != null) {
                return spec.grouping().homeNode();
            }
        }
        return null;
    }

    private static List<String> unitMembers(NodeSnapshot s, String vip) {
        GroupRules.Unit u = s.units().unitOf(vip);
        return u == null ? List.of(vip) : u.members();
    }

    /**
     * Changes {@code vip}'s {@link ResourceIntent} as this node knows it; deletes it when nothing is
     * left to say. Completes with false when nothing changed.
     */
    private Future<Boolean> resourceIntent(String vip, java.util.function.UnaryOperator<ResourceIntent.Spec> change) {
        NodeSnapshot s = driver.snapshot();
        if (s.vip(vip) == null) {
            return Future.failedFuture(AdminException.notFound("VirtualIP or Service", vip));
        }
        ResourceIntent.Spec now = new ResourceIntent.Spec(s.stopped().contains(vip), s.homeBlocked().contains(vip));
        ResourceIntent.Spec next = change.apply(now);
        if (next.equals(now)) {
            return Future.succeededFuture(false);
        }
        if (!next.stopped() && !next.homeBlocked()) {
            return write(new WriteOp.Delete(new ObjectKey(ResourceIntent.KIND, vip))).recover(e ->
                    e instanceof AdminException ae && AdminException.NOT_FOUND.equals(ae.code())
                            ? Future.succeededFuture(null) : Future.failedFuture(e)).map(r -> true);
        }
        return put(ResourceIntent.of(vip, next.stopped(), next.homeBlocked())).map(r -> true);
    }

    @Override
    public Future<ConflictAck> ack(String vip) {
        NodeSnapshot s = driver.snapshot();
        if (s.vip(vip) == null) {
            return Future.failedFuture(AdminException.notFound("VirtualIP or Service", vip));
        }
        Long epoch = s.conflicts().get(vip);
        if (epoch == null && s.addressConflicts().containsKey(vip)) {
            return Future.failedFuture(heldOut(s, vip));
        }
        if (epoch == null) {
            return Future.failedFuture(AdminException.conflict(s.vip(vip).kind() + " " + vip + " is not in conflict"));
        }
        ConflictAck a = new ConflictAck(LcsObject.API_VERSION, ConflictAck.KIND, ObjectMeta.named(vip),
                new ConflictAck.Spec(vip, epoch));
        return put(a).map(r -> a);
    }

    @Override
    public Future<Void> cordon(String node) {
        return nodeIntent(node, true, false);
    }

    @Override
    public Future<Void> uncordon(String node) {
        if (!isNode(driver.snapshot(), node)) {
            return Future.failedFuture(AdminException.notFound("node", node));
        }
        return write(new WriteOp.Delete(new ObjectKey(NodeIntent.KIND, node))).recover(e ->
                e instanceof AdminException ae && AdminException.NOT_FOUND.equals(ae.code())
                        ? Future.succeededFuture(null) : Future.failedFuture(e)).mapEmpty();
    }

    @Override
    public Future<Void> drain(String node) {
        return nodeIntent(node, true, true);
    }

    private Future<Void> nodeIntent(String node, boolean cordoned, boolean drain) {
        if (!isNode(driver.snapshot(), node)) {
            return Future.failedFuture(AdminException.notFound("node", node));
        }
        NodeIntent intent = new NodeIntent(LcsObject.API_VERSION, NodeIntent.KIND, ObjectMeta.named(node),
                new NodeIntent.Spec(cordoned, drain));
        List<ManifestError> problems = DesiredStateValidator.validateApply(state(), SOURCE, List.of(intent));
        if (!problems.isEmpty()) {
            return Future.failedFuture(AdminException.invalid(problems.get(0).message(), "name"));
        }
        return put(intent).mapEmpty();
    }

    /** 409 for a VIP held out of placement because another VIP keeps its IP. */
    private static AdminException heldOut(NodeSnapshot s, String vip) {
        String keeper = s.addressConflicts().get(vip);
        if (s.vip(vip) != null && s.vip(vip).isService()) {
            return AdminException.conflict("Service " + vip + " is held out of placement: its unit is also Service "
                    + keeper + "'s, which keeps it; delete one of them or change its unit (lcs describe service " + vip
                    + ")");
        }
        return AdminException.conflict("VirtualIP " + vip + " is held out of placement: its address is also VirtualIP "
                + keeper + "'s, which keeps it; delete one of them or change its address (lcs describe vip " + vip + ")");
    }

    private static boolean isNode(NodeSnapshot s, String node) {
        return s.membership().nodes().stream().anyMatch(p -> p.name().equals(node));
    }

    @Override
    public List<ClusterEvent> events(long afterSeq, int limit) {
        return events.after(afterSeq, limit);
    }

    @Override
    public Subscription subscribe(Consumer<ClusterEvent> listener) {
        AutoCloseable handle = events.subscribe(listener);
        return () -> {
            try {
                handle.close();
            } catch (Exception ignored) {
                // EventLog's handle does not throw
            }
        };
    }

    @Override
    public boolean ready() {
        return ready;
    }

    @Override
    public String version() {
        return version;
    }
}
