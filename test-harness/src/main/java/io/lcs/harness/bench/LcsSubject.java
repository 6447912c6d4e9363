package io.lcs.harness.bench;

import io.lcs.harness.netns.Cluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** lcs as a benchmark {@link Subject}: a {@link Cluster} started from the distribution. */
public final class LcsSubject implements Subject {
    private final Cluster cluster;

    public LcsSubject(Cluster cluster) {
        this.cluster = cluster;
    }

    public Cluster cluster() {
        return cluster;
    }

    @Override
    public String name() {
        return "lcs";
    }

    @Override
    public int nodes() {
        return cluster.nodes().size();
    }

    @Override
    public void startAll() {
        cluster.startAll();
    }

    @Override
    public void start(int node) {
        cluster.start(cluster.node(node));
    }

    @Override
    public void stopAll() {
        // SIGTERM to all first, so they stop together (each releases its VIPs), then wait each
        for (Cluster.Node n : cluster.nodes()) {
            if (n.running()) {
                if (n.frozen()) {
                    cluster.thaw(n);
                }
                ProcessHandle.of(n.pid()).ifPresent(ProcessHandle::destroy);
            }
        }
        for (Cluster.Node n : cluster.nodes()) {
            cluster.stop(n); // bounded; SIGKILL if it did not exit
        }
    }

    @Override
    public void kill9(int node) {
        cluster.kill(cluster.node(node));
    }

    @Override
    public void freeze(int node) {
        cluster.freeze(cluster.node(node));
    }

    @Override
    public void thaw(int node) {
        cluster.thaw(cluster.node(node));
    }

    @Override
    public boolean running(int node) {
        return cluster.node(node).running();
    }

    @Override
    public List<Long> pids(int node) {
        Cluster.Node n = cluster.node(node);
        List<Long> out = new ArrayList<>();
        if (n.running()) {
            out.add(n.pid());
        }
        return out;
    }

    @Override
    public boolean awaitMembers(Duration timeout) {
        return cluster.awaitJoined(cluster.nodes(), timeout);
    }

    @Override
    public void close() {
        cluster.close();
    }
}
