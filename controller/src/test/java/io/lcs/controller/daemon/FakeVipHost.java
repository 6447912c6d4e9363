package io.lcs.controller.daemon;

import io.lcs.controller.core.Views.LeaseView;
import io.lcs.controller.core.WriteOp;
import io.lcs.controller.core.WriteResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link VipHost} for tests: hands out whatever snapshot the test set, and records releases,
 * declines and writes in call order, on the test's shared log as well ({@code release web},
 * {@code decline web true}, {@code write Conflict/web}). Like the core, a release makes the
 * lease not held (and not wanted) in the current snapshot. Writes succeed at once. Not thread-safe:
 * the tests run the reconciler on one thread with a direct executor.
 */
final class FakeVipHost implements VipHost {
    private final List<String> log;
    private NodeSnapshot snapshot;
    final List<String> released = new ArrayList<>();
    final List<String> declines = new ArrayList<>();
    final List<WriteOp> writes = new ArrayList<>();

    FakeVipHost(List<String> log, NodeSnapshot initial) {
        this.log = log;
        this.snapshot = Objects.requireNonNull(initial);
    }

    void set(NodeSnapshot s) {
        snapshot = Objects.requireNonNull(s);
    }

    @Override
    public NodeSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public void release(String vip) {
        log.add("release " + vip);
        released.add(vip);
        LeaseView l = snapshot.leases().get(vip);
        if (l != null && l.held()) {
            Map<String, LeaseView> leases = new LinkedHashMap<>(snapshot.leases());
            leases.put(vip, new LeaseView(vip, false, 0, 0, null, 0, 0, l.highestEpoch(), false));
            NodeSnapshot s = snapshot;
            snapshot = new NodeSnapshot(s.takenAtNanos(), s.self(), s.membership(), s.vips(), Map.copyOf(leases),
                    s.conflicts(), s.moves(), s.movesAwayFrom(), s.cordoned(), s.draining(), s.declined(),
                    s.vipsByName(), s.addressConflicts());
        }
    }

    @Override
    public void setDeclined(String vip, boolean declined) {
        log.add("decline " + vip + " " + declined);
        declines.add(vip + "=" + declined);
    }

    @Override
    public CompletionStage<WriteResult> write(WriteOp op) {
        log.add("write " + op.key().kind() + "/" + op.key().name());
        writes.add(op);
        return CompletableFuture.completedFuture(new WriteResult(writes.size(), op.key(),
                WriteResult.Outcome.CREATED, null, "created"));
    }
}
