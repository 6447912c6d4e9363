package io.lcs.controller.metrics;

import io.lcs.model.status.ClusterStatus;
import io.lcs.model.status.ClusterStatus.NodeStatus;
import io.lcs.model.status.ClusterStatus.Quorum;
import io.lcs.model.status.ClusterStatus.VipStatus;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A running exporter over a fixed three-node, two-VIP cluster, as the tests scrape it: node1
 * (full-member, self), node2 (full-member, online, rtt 1.5 ms), node3 (quorum-only, online, config
 * hash differs, never measured); vip1 active on node1 at epoch 11, vip2 in conflict without owner.
 * Every daemon metric has been recorded once, so every family exists in the exposition.
 */
final class MetricsFixture {

    static final String CLUSTER = "ingress";
    static final String VERSION = "0.1.0-test";

    final AtomicReference<ClusterStatus> status = new AtomicReference<>(threeNodesTwoVips());
    final AtomicLong sentToNode2 = new AtomicLong(10);
    final AtomicLong receivedFromNode2 = new AtomicLong(9);
    final AtomicLong rejectedOversized = new AtomicLong(2);
    final LcsMetrics metrics;
    final Vertx vertx;
    final MetricsServer server;
    final int port;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build(); // as Prometheus scrapes: HTTP/1.1, no h2c upgrade

    MetricsFixture() throws Exception {
        metrics = new LcsMetrics(CLUSTER, VERSION, status::get);
        metrics.registerFrameCounters("node2", sentToNode2::get, receivedFromNode2::get);
        metrics.registerRejected("oversized", rejectedOversized::get);
        metrics.registerVipLeaseShortfalls(() -> 0, () -> 0, () -> 0);
        metrics.registerVipAddFailures(() -> 0);
        metrics.registerUnitStopFailures(() -> 0);
        metrics.leaseAcquired("vip1");
        metrics.leaseRenewalFailed("vip1");
        metrics.recordReconcile("vip", TimeUnit.MILLISECONDS.toNanos(3));
        metrics.reconcileFailed("vip");
        metrics.recordHook("vip1", "pre_start", TimeUnit.MILLISECONDS.toNanos(20), true);
        metrics.recordHook("vip2", "pre_start", TimeUnit.MILLISECONDS.toNanos(40), false);
        vertx = Vertx.vertx();
        server = new MetricsServer(vertx, "127.0.0.1", 0, metrics);
        port = server.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static ClusterStatus threeNodesTwoVips() {
        return new ClusterStatus(CLUSTER, "node1", VERSION, new Quorum(true, 2, 2, 3),
                List.of(new NodeStatus("node1", "full-member", true, true, true, null, null, false, false),
                        new NodeStatus("node2", "full-member", true, false, true, 0.4, 1.5, false, false),
                        new NodeStatus("node3", "quorum-only", true, false, false, null, null, false, false)),
                List.of(new VipStatus("vip1", "198.18.0.200/32", "lo", "active", "node1", 11, 3.909, 1, List.of(), 3),
                        new VipStatus("vip2", "198.18.0.201/32", "lo", "conflict", null, 4, null, 7, List.of())),
                false);
    }

    /**
     * {@link #threeNodesTwoVips} where vip1 lists health check {@code web}, passing on node1 and
     * failing on node2 (the series of health checks: lcs_check_up, lcs_resource_eligible).
     */
    static ClusterStatus withHealthChecks() {
        ClusterStatus s = threeNodesTwoVips();
        List<NodeStatus> nodes = new ArrayList<>();
        for (NodeStatus n : s.nodes()) {
            List<ClusterStatus.NodeCheck> checks = n.role().equals("quorum-only") ? null
                    : List.of(new ClusterStatus.NodeCheck("web", n.self(), n.self() ? "passing" : "failing 3/3: refused"));
            nodes.add(new NodeStatus(n.name(), n.role(), n.online(), n.self(), n.configMatch(), n.lastSeenSeconds(),
                    n.rttMillis(), n.cordoned(), n.restarting(), checks));
        }
        List<VipStatus> vips = new ArrayList<>();
        for (VipStatus v : s.vips()) {
            vips.add(!v.name().equals("vip1") ? v : new VipStatus(v.name(), v.address(), v.interfaceName(), v.state(),
                    v.owner(), v.epoch(), v.leaseRemainingSeconds(), v.failovers(), v.conditions(), v.moves(), List.of("web"),
                    List.of(new ClusterStatus.Eligibility("node1", true, null),
                            new ClusterStatus.Eligibility("node2", false, "check web failing 3/3: refused"))));
        }
        return new ClusterStatus(s.cluster(), s.node(), s.version(), s.quorum(), nodes, vips, s.stale());
    }

    /** The fixture's status without {@code vip}. */
    static ClusterStatus without(ClusterStatus s, String vip) {
        List<VipStatus> vips = new ArrayList<>(s.vips());
        vips.removeIf(v -> v.name().equals(vip));
        return new ClusterStatus(s.cluster(), s.node(), s.version(), s.quorum(), s.nodes(), vips, s.stale());
    }

    HttpResponse<String> get(String path, String method, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET /metrics, checked for 200 and the 0.0.4 content type, parsed strictly. */
    PrometheusTextParser.Exposition scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = get("/metrics", "GET", null);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET /metrics: " + response.statusCode() + " " + response.body());
        }
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        if (!contentType.equals("text/plain; version=0.0.4; charset=utf-8")) {
            throw new AssertionError("content type " + contentType);
        }
        return PrometheusTextParser.parse(response.body());
    }

    void close() throws Exception {
        try {
            server.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
