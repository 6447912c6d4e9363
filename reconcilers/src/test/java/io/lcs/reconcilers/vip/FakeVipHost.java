package io.lcs.reconcilers.vip;

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
    private volatile FakeSnapshot snapshot;
    final List<String> released = new ArrayList<>();
    final List<String> declines = new ArrayList<>();
    final List<Put> writes = new ArrayList<>();

    FakeVipHost(List<String> log, FakeSnapshot initial) {
        this.log = log;
        this.snapshot = Objects.requireNonNull(initial);
    }

    void set(FakeSnapshot s) {
        snapshot = Objects.requireNonNull(s);
    }

    @Override
    public FakeSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public void release(String vip) {
        log.add("release " + vip);
        released.add(vip);
        Lease l = snapshot.leases().get(vip);
        if (l != null && l.held()) {
            Map<String, Lease> leases = new LinkedHashMap<>(snapshot.leases());
            leases.put(vip, new Lease(false, false, 0, 0, l.highestEpoch()));
            FakeSnapshot s = snapshot;
            snapshot = new FakeSnapshot(s.takenAtNanos(), s.vips(), Map.copyOf(leases), s.conflicts(), s.addressConflicts());
        }
    }

    @Override
    public void setDeclined(String vip, boolean declined) {
        log.add("decline " + vip + " " + declined);
        declines.add(vip + "=" + declined);
    }

    @Override
    public CompletionStage<WriteOutcome> write(Put put) {
        log.add("write " + put.key().kind() + "/" + put.key().name());
        writes.add(put);
        return CompletableFuture.completedFuture(new WriteOutcome(true, "created"));
    }
}
